"""Fixtures of the browser tests.

The interface the tests rely on:
- `storefront_url`: the shop's URL (index.html), with `config.json` and the dataset under `data/`;
- `api`: the API recorder: `calls(path)` (method, path, query, body, status, content_type) and
  `events()` (accepted events with their batch's sessionId/userId), plus the fault switches
  `outage()`, `slow(seconds)` and `fail_event_posts(n)`;
- `shop_data`: the catalog, users and featured list the shop serves;
- `page`: a fresh browser context (a new browser session) and page;
- `screenshot(name)`: saves the page to tests/artifacts/e2e/<name>.png.

Today these run against `fake_stack` (a fake API, a small generated dataset); switching to the local
stack means providing the same three objects from it here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from tests.e2e.fake_stack import FakeApi, ShopData, StaticSite, generate_dataset

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "e2e"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Stack:
    storefront_url: str
    api: FakeApi
    data: ShopData
    data_dir: Path


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("shop") / "data"
    data = generate_dataset(data_dir)
    api = FakeApi(data).start()
    site = StaticSite(data_dir, {"apiBaseUrl": api.url, "dataBaseUrl": "data/"}).start()
    yield Stack(site.url, api, data, data_dir)
    site.stop()
    api.stop()


@pytest.fixture
def api(stack: Stack) -> FakeApi:
    stack.api.reset()
    return stack.api


@pytest.fixture
def storefront_url(stack: Stack, api: FakeApi) -> str:
    return stack.storefront_url


@pytest.fixture
def shop_data(stack: Stack) -> ShopData:
    return stack.data


@pytest.fixture
def unconfigured_storefront_url(stack: Stack) -> Iterator[str]:
    """The storefront served without a config.json."""
    site = StaticSite(stack.data_dir, config=None).start()
    yield site.url
    site.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    def save(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
