"""What a shopper does in the storefront, as steps the browser tests share."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Locator, Page

from tests.e2e.fake_stack import ShopData

T = TypeVar("T")


def view(page: Page, route: str) -> Locator:
    """The current view once it has finished rendering (its API calls answered or fallen back)."""
    locator = page.locator(f'.view[data-route="{route}"][data-state="ready"]')
    locator.wait_for()
    return locator


def open_shop(page: Page, storefront_url: str, hash_route: str = "#/") -> None:
    page.goto(storefront_url + hash_route)
    page.locator("body[data-startup=done]").wait_for()


def card_ids(container: Locator) -> list[str]:
    return [
        card.get_attribute("data-item-id") or "" for card in container.get_by_test_id("product-card").all()
    ]


def open_profile(page: Page) -> Locator:
    page.get_by_test_id("profile-menu-button").click()
    page.get_by_test_id("menu-profile").click()
    return view(page, "profile")


def sign_in(page: Page, user_id: str) -> None:
    """From any page: the profile menu, then `choose_shopper`."""
    open_profile(page)
    choose_shopper(page, user_id)


def choose_shopper(page: Page, user_id: str) -> None:
    """On the profile page: pick the user, save, and wait for the signed-in home."""
    page.get_by_test_id("user-search").fill(user_id)
    page.locator(f'[data-testid=user-option][data-user-id="{user_id}"]').click()
    page.get_by_test_id("profile-save").click()
    page.locator("[data-testid=home-recommendations][data-source]").wait_for()
    view(page, "home")


def open_product(page: Page, link: Locator) -> str:
    """Click a product card link and wait for its detail page; returns the item id."""
    item_id = (
        link.locator("xpath=ancestor::li[@data-testid='product-card']").get_attribute("data-item-id") or ""
    )
    link.click()
    page.locator(f'[data-testid=product-detail][data-item-id="{item_id}"]').wait_for()
    view(page, "product")
    return item_id


def add_to_cart(page: Page, quantity: int = 1) -> None:
    """On a product page: add `quantity` of it and check the header's cart count follows."""
    count_before = int(page.get_by_test_id("cart-count").inner_text())
    page.get_by_test_id("quantity-input").select_option(str(quantity))
    page.get_by_test_id("add-to-cart").click()
    page.get_by_test_id("add-status").get_by_text("Added").wait_for()
    assert int(page.get_by_test_id("cart-count").inner_text()) == count_before + quantity


def recommendation_id_of(link: Locator) -> str | None:
    """The recommendationId a product link carries (`#/product/p00001?rid=...`), if any."""
    fragment = urlsplit(link.get_attribute("href") or "").fragment
    return parse_qs(fragment.partition("?")[2]).get("rid", [None])[0]


def eventually(probe: Callable[[], T | None], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Poll `probe` until it returns something truthy; fail with the last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not value:
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last value: {value!r})")
        time.sleep(interval)
        value = probe()
    return value


def events_of(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [event for event in events if event["eventType"] == event_type]


def name_word_across_categories(shop_data: ShopData, categories: list[str]) -> str:
    """A word in product names of one of the given categories and of another category."""
    by_word: dict[str, set[str]] = {}
    for item in shop_data.items:
        for word in item["name"].lower().split():
            if word.isalpha() and len(word) > 3:
                by_word.setdefault(word, set()).add(item["category"])
    return next(
        w for w, found in sorted(by_word.items()) if found & set(categories) and found - set(categories)
    )
