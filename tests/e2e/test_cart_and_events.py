"""Cart, checkout and the events the shop sends: per-item cart events, session and user ids, batching,
retries under the same eventIds and the sendBeacon flush when the page is hidden."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.shop import (
    add_to_cart,
    events_of,
    open_product,
    open_shop,
    recommendation_id_of,
    shop_as,
    view,
)
from tests.polling import eventually

pytestmark = pytest.mark.e2e


def sent_types(page: Page) -> list[str]:
    """The types of the events the page has sent, oldest first."""
    return list(page.evaluate("window.__shop.sentEvents.map((event) => event.eventType)"))


def test_cart_and_checkout_fire_one_event_per_item(page, storefront_url, api, shop_data, screenshot):
    shopper = shop_data.user_with_persona("electronics_beauty")
    open_shop(page, storefront_url)
    shop_as(page, shopper["id"])
    recommended = page.get_by_test_id("home-recommendations").get_by_test_id("product-link").first
    from_recommendations = recommendation_id_of(recommended)
    first = open_product(page, recommended)
    add_to_cart(page, quantity=2)
    page.get_by_test_id("shop-name").click()
    view(page, "home")
    second = open_product(
        page, page.get_by_test_id("home-recommendations").get_by_test_id("product-link").nth(1)
    )
    add_to_cart(page)
    third = next(item["id"] for item in shop_data.items_in("apparel") if item["id"] not in (first, second))
    page.evaluate(f"location.hash = '#/product/{third}'")
    page.locator(f'[data-testid=product-detail][data-item-id="{third}"]').wait_for()
    add_to_cart(page)

    page.get_by_test_id("cart-link").click()
    cart = view(page, "cart")
    lines = cart.get_by_test_id("cart-line").all()
    assert [line.get_attribute("data-item-id") for line in lines] == [first, second, third]
    screenshot("cart")
    cart.locator(f'[data-testid=cart-line][data-item-id="{second}"]').get_by_test_id("qty-increase").click()
    cart.locator(f'[data-testid=cart-line][data-item-id="{third}"]').get_by_test_id("remove-line").click()
    assert page.get_by_test_id("cart-count").inner_text() == "4"
    page.get_by_test_id("checkout-button").click()
    view(page, "checkout")
    screenshot("checkout")
    page.get_by_test_id("place-order").click()
    confirmation = view(page, "order").get_by_test_id("order-confirmation")
    order_id = confirmation.get_by_test_id("order-id").inner_text()
    assert page.get_by_test_id("cart-count").inner_text() == "0"
    screenshot("order-completed")

    eventually(lambda: len(events_of(api.events(), "OrderCompleted")) == 2)
    events = api.events()

    def item_ids(event_type: str) -> list[str]:
        return [event["itemId"] for event in events_of(events, event_type)]

    assert item_ids("ProductAdded") == [first, second, third]
    assert [event["properties"]["quantity"] for event in events_of(events, "ProductAdded")] == [2, 1, 1]
    assert item_ids("CartViewed") == [first, second, third]
    assert item_ids("ProductQuantityUpdated") == [second]
    assert events_of(events, "ProductQuantityUpdated")[0]["properties"]["quantity"] == 2
    assert item_ids("ProductRemoved") == [third]
    assert item_ids("CheckoutStarted") == [first, second]
    assert item_ids("OrderCompleted") == [first, second]
    assert {event["properties"]["orderId"] for event in events_of(events, "OrderCompleted")} == {order_id}
    assert events_of(events, "ProductAdded")[0]["recommendationId"] == from_recommendations
    assert "recommendationId" not in events_of(events, "ProductAdded")[2]
    session_id = page.evaluate("window.__shop.sessionId")
    assert {event["sessionId"] for event in events} == {session_id}
    assert {event["userId"] for event in events} == {shopper["id"]}
    assert len({event["eventId"] for event in events}) == len(events)
    assert all(len(call.body["events"]) <= 10 for call in api.calls("/events"))


def test_each_browser_session_has_its_own_session_id(browser, page, storefront_url, api, shop_data):
    open_shop(page, storefront_url, f"#/product/{shop_data.items[0]['id']}")
    view(page, "product")
    first_session = page.evaluate("window.__shop.sessionId")
    page.reload()
    view(page, "product")
    assert page.evaluate("window.__shop.sessionId") == first_session

    other_context = browser.new_context()
    try:
        other = other_context.new_page()
        open_shop(other, storefront_url, f"#/product/{shop_data.items[1]['id']}")
        view(other, "product")
        other_session = other.evaluate("window.__shop.sessionId")
        eventually(lambda: sent_types(other) == ["ProductViewed", "RecommendationsShown"])
    finally:
        other_context.close()
    assert other_session != first_session
    eventually(lambda: len(events_of(api.events(), "ProductViewed")) == 3)
    views = events_of(api.events(), "ProductViewed")
    assert sorted(event["sessionId"] for event in views) == sorted(
        [first_session, first_session, other_session]
    )
    assert {event["userId"] for event in views} == {None}


def test_failed_event_posts_are_retried_with_the_same_event_ids(page, storefront_url, api, shop_data):
    api.fail_event_posts(2)
    open_shop(page, storefront_url, f"#/product/{shop_data.items[0]['id']}")
    view(page, "product")

    viewed = eventually(lambda: events_of(api.events(), "ProductViewed"))
    shown = events_of(api.events(), "RecommendationsShown")
    attempts = api.calls("/events")
    assert [call.status for call in attempts] == [503, 503, 202]
    attempted_ids = [[event["eventId"] for event in call.body["events"]] for call in attempts]
    expected = [viewed[0]["eventId"], shown[0]["eventId"]]
    assert attempted_ids[0] == attempted_ids[1] == attempted_ids[2] == expected


def test_queued_events_leave_with_send_beacon_when_the_page_is_hidden(page, storefront_url, api, shop_data):
    def slow_flush_config(route):
        config = route.fetch().json()
        route.fulfill(json={**config, "eventFlushIntervalMs": 60_000})

    page.route("**/config.json", slow_flush_config)
    item_id = shop_data.items[5]["id"]
    open_shop(page, storefront_url, f"#/product/{item_id}")
    view(page, "product")
    assert page.evaluate("window.__shop.queuedEvents.length") == 2, "the view and the related products shown"
    assert api.calls("/events") == []

    page.goto("about:blank")

    call = eventually(lambda: api.calls("/events"))[0]
    assert call.content_type.startswith("text/plain")
    assert [(event["eventType"], event.get("itemId")) for event in call.body["events"]] == [
        ("ProductViewed", item_id),
        ("RecommendationsShown", None),
    ]
    assert events_of(api.events(), "ProductViewed")[0]["itemId"] == item_id


def test_after_a_503_only_the_events_it_names_are_sent_again(page, storefront_url, api, shop_data):
    """The bus took the first event of the batch and not the others: only the others go again."""
    refused_batches: list[list[dict]] = []

    def flush_after_both_events(route):
        config = route.fetch().json()
        route.fulfill(json={**config, "eventFlushIntervalMs": 4000})

    def bus_takes_only_the_first(route):
        if route.request.method != "POST" or refused_batches:
            route.continue_()
            return
        events = route.request.post_data_json["events"]
        refused_batches.append(events)
        not_accepted = [
            {
                "eventId": event["eventId"],
                "eventType": event["eventType"],
                "errorCode": "throttled",
                "errorMessage": "the event bus is busy; send the event again with the same eventId",
            }
            for event in events[1:]
        ]
        answer = {
            "message": "1 of 2 events could not be put on the event bus",
            "accepted": 1,
            "eventIds": [events[0]["eventId"]],
            "notAccepted": not_accepted,
        }
        route.fulfill(status=503, json=answer, headers={"Access-Control-Allow-Origin": "*"})

    page.route("**/config.json", flush_after_both_events)
    page.route("**/events", bus_takes_only_the_first)
    open_shop(page, storefront_url, f"#/product/{shop_data.items[2]['id']}")
    view(page, "product")
    add_to_cart(page)

    eventually(lambda: page.evaluate("window.__shop.sentEvents.length") == 3)
    [first, *others] = refused_batches[0]
    assert [event["eventType"] for event in refused_batches[0]] == [
        "ProductViewed",
        "RecommendationsShown",
        "ProductAdded",
    ]
    resent = [[event["eventId"] for event in call.body["events"]] for call in api.calls("/events")]
    assert resent == [[event["eventId"] for event in others]]
    assert [event["eventId"] for event in api.events()] == resent[0]
    assert first["eventId"] not in resent[0]
