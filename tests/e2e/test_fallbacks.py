"""When the API is down or slow the shop still works: featured products or natural order with a quiet
notice, never a blank page or an endless spinner; and a missing config.json gets a clear error page."""

from __future__ import annotations

import time

import pytest

from tests.e2e.shop import card_ids, events_of, open_product, open_shop, shop_as, view
from tests.polling import eventually

pytestmark = pytest.mark.e2e


def test_api_down_falls_back_and_the_shop_stays_usable(page, storefront_url, api, shop_data, screenshot):
    shopper = shop_data.user_with_persona("footwear_outdoors")
    open_shop(page, storefront_url)
    shop_as(page, shopper["id"])

    with api.outage():
        page.get_by_test_id("nav-featured").click()
        page.get_by_test_id("shop-name").click()
        home = view(page, "home")
        recommendations = home.get_by_test_id("home-recommendations")
        assert recommendations.get_attribute("data-source") == "fallback"
        assert recommendations.get_by_test_id("fallback-notice").is_visible()
        assert recommendations.get_by_test_id("personalized-badge").count() == 0
        assert card_ids(recommendations) == shop_data.featured["itemIds"][:12]
        screenshot("home-api-down")

        page.get_by_test_id("nav-category-footwear").click()
        category = view(page, "category")
        assert category.get_by_test_id("fallback-notice").is_visible()
        assert card_ids(category) == [item["id"] for item in shop_data.items_in("footwear")]

        item_id = open_product(page, category.get_by_test_id("product-link").first)
        related = page.get_by_test_id("related-products")
        assert related.get_by_test_id("fallback-notice").is_visible()
        assert card_ids(related) == [i for i in shop_data.featured["itemIds"] if i != item_id][:8]
        page.get_by_test_id("add-to-cart").click()
        assert page.get_by_test_id("cart-count").inner_text() == "1"
        screenshot("product-api-down")
        assert api.events() == []

    added = eventually(lambda: events_of(api.events(), "ProductAdded"), timeout=20)
    assert added[0]["itemId"] == item_id
    failed_ids = {
        event["eventId"]
        for call in api.calls("/events")
        if call.status == 503
        for event in call.body["events"]
    }
    assert failed_ids <= {event["eventId"] for event in api.events()}


def test_slow_api_times_out_into_the_fallback(page, storefront_url, api, shop_data):
    shopper = shop_data.user_with_persona("jewelry_accessories")
    open_shop(page, storefront_url)
    shop_as(page, shopper["id"])

    with api.slow(8):
        started = time.monotonic()
        page.get_by_test_id("nav-featured").click()
        featured = view(page, "featured")
        waited = time.monotonic() - started
        assert featured.get_by_test_id("fallback-notice").is_visible()
        assert card_ids(featured) == shop_data.featured["itemIds"]
        assert waited < 5
        outcome = page.evaluate(
            "window.__shop.lastApiCalls.filter((call) => call.path === '/me/rank').at(-1).outcome"
        )
        assert outcome == "timeout"


def test_missing_config_shows_a_clear_error_page(page, unconfigured_storefront_url, screenshot):
    page.goto(unconfigured_storefront_url)
    error = page.get_by_test_id("config-error")
    error.wait_for()
    assert "not configured" in error.inner_text()
    assert "config.json" in error.inner_text()
    screenshot("config-missing")
