"""A new shopper's journey through the real local stack (`make demo`'s gateway, functions, bus, queues,
user pool and Personalize emulator), in the browser: anonymous home, create an account and sign in, emulate a
shopper, browse another category until the recommendations follow, a ranked category, search, cart and
checkout; then the API calls the browser made (the /me/* routes with the ID token, never a userId) and the
events that reached the emulated Personalize and Pinpoint; sign out, anonymous again. Plus the shop when
Personalize fails.

The local stack runs the demo's experiment on user recommendations (personalized against a featured
holdout): these shoppers are ones it puts in the personalized variant.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, Request

from tests.e2e.fake_stack import ShopData
from tests.e2e.shop import (
    ApiTraffic,
    add_to_cart,
    card_ids,
    choose_shopper,
    name_word_across_categories,
    new_email,
    open_product,
    open_shop,
    shop_as,
    sign_in,
    sign_out,
    sign_up,
    user_with_persona_in_variant,
    view,
)
from tests.polling import eventually
from tests.stack_fixture import LocalStackHandle

pytestmark = pytest.mark.e2e

PERSONA = "footwear_outdoors"
PERSONALIZED = "personalized"
"""The variant of the demo's experiment that answers from Personalize."""
RECOMMENDATIONS_SHOWN = 12
MOSTLY = 0.75
"""The share of the first recommendations that must come from the persona's two categories."""
VIEWS_OF_ANOTHER_CATEGORY = 5
FOLLOW_TIMEOUT_SECONDS = 15.0
"""Storefront batch (1 s) -> bus -> queue (1 s window) -> personalize_sync -> emulator, plus margin."""
SINK_TIMEOUT_SECONDS = 15.0


def categories_of(data: ShopData, item_ids: list[str]) -> list[str]:
    return [data.item(item_id)["category"] for item_id in item_ids]


def recommended_item_ids(page: Page) -> list[str]:
    return card_ids(page.get_by_test_id("home-recommendations"))


def first_link_not_in(listing: Locator, item_ids: list[str]) -> Locator:
    """The first product in a (ranked, so changing) list the shopper has not opened yet."""
    for card in listing.get_by_test_id("product-card").all():
        if card.get_attribute("data-item-id") not in item_ids:
            return card.get_by_test_id("product-link").first
    raise AssertionError(f"every product of the list was opened already: {item_ids}")


def events_settled(page: Page) -> bool:
    """No event waits in the storefront's queue and no API call is still waiting for its answer."""
    return bool(
        page.evaluate(
            "window.__shop.queuedEvents.length === 0"
            " && window.__shop.lastApiCalls.every((call) => call.outcome !== 'pending')"
        )
    )


def reload_home(page: Page) -> None:
    """What a shopper does to see fresh recommendations: reload the page.

    Once the events have left and been answered: a reload hands queued events to sendBeacon, which the
    page's request events do not show, and cuts off a POST in flight.
    """
    eventually(lambda: events_settled(page))
    page.reload()
    page.locator("body[data-startup=done]").wait_for()
    view(page, "home")


def of_type(records: list[dict[str, Any]], event_type: str, user_id: str) -> list[dict[str, Any]]:
    return [record for record in records if record["eventType"] == event_type and record["userId"] == user_id]


def pinpoint_events_of(stack: LocalStackHandle, user_id: str) -> list[dict[str, Any]]:
    """Pinpoint events of the user's endpoint (PutEvents names the endpoint, UpdateEndpoint its user)."""
    endpoints = {
        record["endpointId"]
        for record in stack.received("pinpoint-endpoints")
        if record["endpoint"].get("User", {}).get("UserId") == user_id
    }
    return [record for record in stack.received("pinpoint-events") if record["endpointId"] in endpoints]


def api_answer(request: Request) -> tuple[int, str]:
    """The status and `source` of the API's answer: the API's own fallback is a 200."""
    response = request.response()
    assert response is not None, f"{request.method} {request.url} got no answer"
    return response.status, response.json()["source"]


def test_a_new_shopper_journey_through_the_local_stack(
    page: Page,
    live_stack: LocalStackHandle,
    live_shop_data: ShopData,
    traffic: ApiTraffic,
    screenshot: Any,
) -> None:
    data = live_shop_data
    shopper = user_with_persona_in_variant(data, PERSONA, PERSONALIZED)
    persona = set(shopper["categories"])

    open_shop(page, live_stack.storefront_url)
    assert card_ids(view(page, "home").get_by_test_id("home-featured")) == data.featured["itemIds"]
    assert page.get_by_test_id("profile-name").inner_text() == "Guest"
    session_id = page.evaluate("window.__shop.sessionId")
    screenshot("journey-01-home-anonymous")

    email = new_email("journey")
    sign_up(page, email)
    sign_out(page)
    sign_in(page, email)
    assert page.evaluate("window.__shop.sessionId") == session_id, "the session survives sign-in"
    assert page.evaluate("Object.keys(localStorage).filter((key) => key.includes('account'))") == []
    page.get_by_test_id("persona-filter").select_option(PERSONA)
    page.get_by_test_id("user-select").select_option(shopper["id"])
    screenshot("journey-02-profile")
    choose_shopper(page, shopper["id"])
    assert page.get_by_test_id("profile-name").inner_text() == shopper["name"]
    recommendations = page.get_by_test_id("home-recommendations")
    assert recommendations.get_attribute("data-source") == "personalize"
    first_categories = categories_of(data, recommended_item_ids(page))
    assert len(first_categories) == RECOMMENDATIONS_SHOWN
    assert sum(category in persona for category in first_categories) >= MOSTLY * RECOMMENDATIONS_SHOWN
    screenshot("journey-03-home-signed-in")

    other = next(
        category["id"]
        for category in data.catalog["categories"]
        if category["id"] not in persona and category["id"] not in first_categories
    )
    viewed: list[str] = []
    for _ in range(VIEWS_OF_ANOTHER_CATEGORY):
        page.get_by_test_id(f"nav-category-{other}").click()
        viewed.append(open_product(page, first_link_not_in(view(page, "category"), viewed)))
    assert categories_of(data, viewed) == [other] * VIEWS_OF_ANOTHER_CATEGORY
    screenshot("journey-04-product")

    page.get_by_test_id("shop-name").click()
    view(page, "home")

    def recommendations_with_other_category() -> list[str] | None:
        categories = categories_of(data, recommended_item_ids(page))
        if other in categories:
            return categories
        reload_home(page)
        return None

    eventually(recommendations_with_other_category, timeout=FOLLOW_TIMEOUT_SECONDS, interval=0.2)
    assert page.get_by_test_id("home-recommendations").get_attribute("data-source") == "personalize"
    screenshot("journey-05-home-after-browsing")

    category = shopper["categories"][0]
    natural = [item["id"] for item in data.items_in(category)]
    with page.expect_response(
        lambda response: response.request.method == "POST" and urlsplit(response.url).path == "/me/rank"
    ) as rank_answer:
        page.get_by_test_id(f"nav-category-{category}").click()
    listing = view(page, "category")
    ranked = [entry["itemId"] for entry in rank_answer.value.json()["items"]]
    shown = card_ids(listing)
    assert listing.get_by_test_id("personalized-badge").is_visible()
    assert listing.get_by_test_id("product-list").get_attribute("data-order-source") == "personalize"
    assert rank_answer.value.request.post_data_json == {"itemIds": natural, "context": "category"}
    assert sorted(ranked) == sorted(natural)
    assert ranked != natural
    assert shown == ranked[: len(shown)]
    screenshot("journey-06-category")

    word = name_word_across_categories(data, shopper["categories"])
    page.get_by_test_id("search-input").fill(word)
    page.get_by_test_id("search-input").press("Enter")
    results = view(page, "search")
    assert results.get_by_test_id("personalized-badge").is_visible()
    assert card_ids(results)
    screenshot("journey-07-search")

    first = open_product(page, results.get_by_test_id("product-link").first)
    add_to_cart(page)
    second = open_product(page, page.get_by_test_id("related-products").get_by_test_id("product-link").first)
    add_to_cart(page, quantity=2)
    screenshot("journey-08-product-added")
    page.get_by_test_id("cart-link").click()
    lines = view(page, "cart").get_by_test_id("cart-line").all()
    assert [line.get_attribute("data-item-id") for line in lines] == [first, second]
    screenshot("journey-09-cart")
    page.get_by_test_id("checkout-button").click()
    view(page, "checkout")
    screenshot("journey-10-checkout")
    page.get_by_test_id("place-order").click()
    view(page, "order").get_by_test_id("order-confirmation").wait_for()
    assert page.get_by_test_id("cart-count").inner_text() == "0"
    screenshot("journey-11-order-completed")

    assert page.evaluate("window.__shop.sessionId") == session_id
    user_id = shopper["id"]

    def personalize_received_all() -> list[dict[str, Any]] | None:
        records = live_stack.received("personalize-events")
        views = {record["itemId"] for record in of_type(records, "ProductViewed", user_id)}
        orders = {record["itemId"] for record in of_type(records, "OrderCompleted", user_id)}
        return records if set(viewed) <= views and orders == {first, second} else None

    personalize = eventually(personalize_received_all, timeout=SINK_TIMEOUT_SECONDS)
    assert {(record["sessionId"], record["userId"]) for record in personalize} == {(session_id, user_id)}
    searched_in_pinpoint = eventually(
        lambda: [r for r in pinpoint_events_of(live_stack, user_id) if r["eventType"] == "ProductSearched"],
        timeout=SINK_TIMEOUT_SECONDS,
    )
    assert [record["attributes"]["query"] for record in searched_in_pinpoint] == [word]
    pinpoint = pinpoint_events_of(live_stack, user_id)
    assert {record["session"]["Id"] for record in pinpoint} == {session_id}

    eventually(lambda: events_settled(page))
    posted = traffic.posted_events()
    assert {(event["sessionId"], event["signedIn"]) for event in posted} == {(session_id, True)}
    posted_ids = {event["eventId"] for event in posted}
    assert {record["eventId"] for record in personalize} <= posted_ids
    assert {record["eventId"] for record in pinpoint} <= posted_ids
    views_posted = [event["itemId"] for event in posted if event["eventType"] == "ProductViewed"]
    assert views_posted[:VIEWS_OF_ANOTHER_CATEGORY] == viewed
    searched = [event for event in posted if event["eventType"] == "ProductSearched"]
    assert [event["properties"]["query"] for event in searched] == [word]
    for event_type in ("ProductAdded", "CartViewed", "CheckoutStarted", "OrderCompleted"):
        assert [e["itemId"] for e in posted if e["eventType"] == event_type] == [first, second], event_type

    recommendation_calls = traffic.calls("GET", "/me/recommendations")
    assert len(recommendation_calls) >= 2
    assert all("userId" not in traffic.query(call) for call in traffic.requests)
    assert all(
        "userId" not in (call.post_data_json or {}) for call in traffic.requests if call.method == "POST"
    )
    assert all(
        traffic.authorization(call) for call in traffic.requests if urlsplit(call.url).path.startswith("/me/")
    )
    related_items = [traffic.query(call)["itemId"] for call in traffic.calls("GET", "/me/related")]
    assert related_items == [*viewed, first, second]
    contexts = [traffic.body(call)["context"] for call in traffic.calls("POST", "/me/rank")]
    assert contexts == ["category"] * VIEWS_OF_ANOTHER_CATEGORY + ["category", "search"]
    answered = traffic.answered()
    assert {status for (_method, _path, status) in answered} <= {200, 202}, answered
    assert {(method, path) for (method, path, _status) in answered} == {
        ("GET", "/me/recommendations"),
        ("GET", "/me/related"),
        ("POST", "/me/rank"),
        ("POST", "/me/events"),
    }

    sign_out(page)
    assert page.evaluate("window.__shop.signedIn") is False
    assert page.evaluate("window.__shop.sessionId") == session_id
    assert page.get_by_test_id("home-featured").is_visible()
    assert page.get_by_test_id("home-recommendations").count() == 0
    assert page.evaluate("Object.keys(sessionStorage)") == ["shop.sessionId"]
    screenshot("journey-12-signed-out")


def test_signed_in_shop_falls_back_when_personalize_fails(
    page: Page,
    live_stack: LocalStackHandle,
    live_shop_data: ShopData,
    traffic: ApiTraffic,
    screenshot: Any,
) -> None:
    data = live_shop_data
    shopper = user_with_persona_in_variant(data, "electronics_beauty", PERSONALIZED)
    live_stack.set_fault("personalize-runtime:GetRecommendations", error_rate=1.0)
    live_stack.set_fault("personalize-runtime:GetPersonalizedRanking", error_rate=1.0)
    open_shop(page, live_stack.storefront_url)
    shop_as(page, shopper["id"])

    recommendations = page.get_by_test_id("home-recommendations")
    assert recommendations.get_attribute("data-source") == "fallback"
    assert recommendations.get_by_test_id("fallback-notice").is_visible()
    assert recommendations.get_by_test_id("personalized-badge").count() == 0
    assert recommended_item_ids(page) == data.featured["itemIds"][:RECOMMENDATIONS_SHOWN]
    assert api_answer(traffic.calls("GET", "/me/recommendations")[-1]) == (200, "fallback")
    screenshot("journey-home-personalize-down")

    category = shopper["categories"][0]
    page.get_by_test_id(f"nav-category-{category}").click()
    listing = view(page, "category")
    assert listing.get_by_test_id("fallback-notice").is_visible()
    assert card_ids(listing) == [item["id"] for item in data.items_in(category)][: len(card_ids(listing))]
    assert api_answer(traffic.calls("POST", "/me/rank")[-1]) == (200, "fallback")
    screenshot("journey-category-personalize-down")

    live_stack.clear_faults()
    page.get_by_test_id("shop-name").click()
    view(page, "home")
    assert page.get_by_test_id("home-recommendations").get_attribute("data-source") == "personalize"
