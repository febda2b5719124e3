"""Fixtures of the browser tests.

Two back ends serve the same storefront:
- a fake API (`fake_stack`, a small generated dataset) for the storefront's own behaviour, with exact
  control over answers and faults, and the twin's user pool in an in-process moto server the page signs
  in with. Its fixtures: `storefront_url`; `api`, the recorder (`calls(path)`, `events()`) with the fault
  switches `outage()`, `slow(seconds)` and `fail_event_posts(n)`; `shop_data`, the catalog, users and
  featured list the shop serves; `accounts`, the user pool; `unconfigured_storefront_url`;
- the real local stack (`local_stack` from tests.stack_fixture, shared with the integration tests) for
  the journey through every part: `live_stack` (the handle, with the emulator's faults and received
  events cleared around each test), `live_shop_data` (its dataset, as its storefront serves it) and
  `traffic` (the page's requests to its API, as the browser made them, with their answers).

Both use `page`, a fresh browser context (a new browser session) and page, and `screenshot(name)`,
which saves the page to tests/artifacts/e2e/<name>.png.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from local.authorizer import CognitoAuthorizer, UserPool
from local.cognito import LocalAccounts, cognito_client, create_accounts
from local.storefront import storefront_config
from tests.e2e.fake_stack import FakeApi, ShopData, StaticSite, generate_dataset
from tests.e2e.shop import ApiTraffic
from tests.stack_fixture import LocalStackHandle

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
    accounts: LocalAccounts


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("shop") / "data"
    data = generate_dataset(data_dir)
    moto = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{moto.get_host_and_port()[1]}"
    accounts = create_accounts(
        cognito_client(endpoint, "us-east-1"), endpoint, "us-east-1", profile_emulation=True
    )
    pool = UserPool("us-east-1", accounts.user_pool_id, (accounts.client_id,), accounts.jwks_url)
    api = FakeApi(data, CognitoAuthorizer(pool)).start()
    site = StaticSite(data_dir, storefront_config(api.url, accounts.storefront_config())).start()
    yield Stack(site.url, api, data, data_dir, accounts)
    site.stop()
    api.stop()
    moto.stop()


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
def accounts(stack: Stack) -> LocalAccounts:
    """The fake stack's user pool (sign-ups confirmed at once, as in the twin)."""
    return stack.accounts


@pytest.fixture
def unconfigured_storefront_url(stack: Stack) -> Iterator[str]:
    """The storefront served without a config.json."""
    site = StaticSite(stack.data_dir, config=None).start()
    yield site.url
    site.stop()


@pytest.fixture
def live_stack(local_stack: LocalStackHandle) -> Iterator[LocalStackHandle]:
    """The local stack with no emulator faults and empty sinks; faults are cleared again afterwards."""
    local_stack.clear_faults()
    local_stack.clear_received()
    yield local_stack
    local_stack.clear_faults()


@pytest.fixture
def traffic(page: Page, live_stack: LocalStackHandle) -> ApiTraffic:
    """What the page sends the local stack's API (and its answers), as the browser saw it."""
    recorder = ApiTraffic(live_stack.api_url)
    page.on("request", recorder.record)
    return recorder


@pytest.fixture(scope="session")
def live_shop_data(local_stack: LocalStackHandle) -> ShopData:
    return ShopData.load(local_stack.dataset_dir)


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
