"""What a shopper does in the storefront, as steps the browser tests share."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Locator, Page, Request

from tests.e2e.fake_stack import ShopData
from tests.variants import in_variant


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


PASSWORD = "Shopping-test-2026"
"""Meets the pool's policy (10+ characters, lower-case, capital, digit)."""


def new_email(label: str = "shopper") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def sign_up(page: Page, email: str, password: str = PASSWORD) -> None:
    """From any page: the profile menu's "Create an account", the form, and the signed-in profile."""
    page.get_by_test_id("profile-menu-button").click()
    page.get_by_test_id("menu-signup").click()
    view(page, "signup")
    page.get_by_test_id("signup-email").fill(email)
    page.get_by_test_id("signup-password").fill(password)
    page.get_by_test_id("signup-submit").click()
    view(page, "profile")
    page.locator(f'[data-testid=current-shopper][data-email="{email}"]').wait_for()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """From any page: the profile menu's "Sign in", the form, and the signed-in profile."""
    page.get_by_test_id("profile-menu-button").click()
    page.get_by_test_id("menu-signin").click()
    view(page, "signin")
    page.get_by_test_id("signin-email").fill(email)
    page.get_by_test_id("signin-password").fill(password)
    page.get_by_test_id("signin-submit").click()
    view(page, "profile")
    page.locator(f'[data-testid=current-shopper][data-email="{email}"]').wait_for()


def sign_out(page: Page) -> None:
    """The profile menu's "Sign out", back to the anonymous home."""
    page.get_by_test_id("profile-menu-button").click()
    page.get_by_test_id("menu-signout").click()
    page.locator('[data-testid=profile-name]:text-is("Guest")').wait_for()
    view(page, "home")


def choose_shopper(page: Page, user_id: str) -> None:
    """On the profile page: pick the user in the "User" dropdown, Save Changes, and wait for the home
    page of the emulated shopper."""
    page.get_by_test_id("user-select").select_option(user_id)
    page.locator(f'[data-testid=user-preview] [data-user-id="{user_id}"]').wait_for()
    page.get_by_test_id("profile-save").click()
    page.locator("[data-testid=home-recommendations][data-source]").wait_for()
    view(page, "home")
    assert page.evaluate("window.__shop.shopperId") == user_id


def shop_as(page: Page, user_id: str) -> str:
    """From any page: a new account (signed up, confirmed at once), emulating dataset shopper `user_id`;
    returns the account's email."""
    email = new_email()
    sign_up(page, email)
    choose_shopper(page, user_id)
    return email


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


def link_query(link: Locator) -> dict[str, str]:
    """The query of a product link's route (`#/product/p00001?rid=...&exp=name:variant`)."""
    fragment = urlsplit(link.get_attribute("href") or "").fragment
    return {key: values[-1] for key, values in parse_qs(fragment.partition("?")[2]).items()}


def recommendation_id_of(link: Locator) -> str | None:
    """The recommendationId a product link carries (`#/product/p00001?rid=...`), if any."""
    return link_query(link).get("rid")


def experiment_of(link: Locator) -> dict[str, str] | None:
    """The experiment a product link carries (`...&exp=name:variant`), as the API spells it, if any."""
    value = link_query(link).get("exp")
    if value is None:
        return None
    name, _, variant = value.partition(":")
    return {"name": name, "variant": variant}


def user_with_persona_in_variant(shop_data: ShopData, persona: str, variant: str) -> dict[str, Any]:
    """The first dataset shopper of `persona` whom the demo's user-recommendations experiment puts in
    `variant` (the assignment is a stable hash of the shopper id)."""
    of_persona = [user for user in shop_data.users if user["persona"] == persona]
    chosen = set(in_variant(variant, (str(user["id"]) for user in of_persona)))
    return next(user for user in of_persona if str(user["id"]) in chosen)


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


@dataclass
class ApiTraffic:
    """The storefront's requests to the API, as the browser sent them (CORS preflights aside)."""

    api_url: str
    requests: list[Request] = field(default_factory=list)

    def record(self, request: Request) -> None:
        if request.url.startswith(self.api_url) and request.method != "OPTIONS":
            self.requests.append(request)

    def calls(self, method: str, path: str) -> list[Request]:
        return [
            request
            for request in self.requests
            if request.method == method and urlsplit(request.url).path == path
        ]

    @staticmethod
    def query(request: Request) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(urlsplit(request.url).query).items()}

    @staticmethod
    def body(request: Request) -> dict[str, Any]:
        body = request.post_data_json
        assert isinstance(body, dict), f"{request.method} {request.url} posted {body!r}"
        return body

    def posted_events(self) -> list[dict[str, Any]]:
        """Every event the browser posted, with its batch's sessionId and whether it went signed in."""
        return [
            {**event, "sessionId": self.body(request)["sessionId"], "signedIn": path == "/me/events"}
            for path in ("/events", "/me/events")
            for request in self.calls("POST", path)
            for event in self.body(request)["events"]
        ]

    @staticmethod
    def answer(request: Request) -> Any:
        """The JSON the API answered a request with (waits for it)."""
        response = request.response()
        assert response is not None, f"{request.method} {request.url} got no answer"
        return response.json()

    @staticmethod
    def authorization(request: Request) -> str | None:
        return request.headers.get("authorization")

    def answered(self) -> set[tuple[str, str, int]]:
        """(method, path, status) of the requests, 0 for no answer; waits for answers still in flight."""
        outcomes = set()
        for request in self.requests:
            response = request.response()
            outcomes.add((request.method, urlsplit(request.url).path, response.status if response else 0))
        return outcomes
