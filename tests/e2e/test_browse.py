"""Browsing as a visitor and as an emulated shopper: featured, recommendations, related, ranking, search."""

from __future__ import annotations

import json

import pytest

from tests.e2e.shop import (
    card_ids,
    choose_shopper,
    events_of,
    name_word_across_categories,
    new_email,
    open_product,
    open_shop,
    recommendation_id_of,
    shop_as,
    sign_up,
    view,
)
from tests.polling import eventually

pytestmark = pytest.mark.e2e


def test_anonymous_home_shows_featured_products(page, storefront_url, api, shop_data, screenshot):
    open_shop(page, storefront_url)
    home = view(page, "home")

    assert card_ids(home.get_by_test_id("home-featured")) == shop_data.featured["itemIds"]
    assert home.get_by_test_id("home-recommendations").count() == 0
    assert page.get_by_test_id("profile-name").inner_text() == "Guest"
    assert api.calls("/recommendations") == []
    assert page.locator("img:not([alt])").count() == 0
    screenshot("home-anonymous")


def test_signed_in_shopper_sees_recommendations_from_their_persona(
    page, storefront_url, api, shop_data, screenshot
):
    shopper = shop_data.user_with_persona("footwear_outdoors")
    open_shop(page, storefront_url)

    page.get_by_test_id("profile-menu-button").click()
    page.get_by_test_id("menu-profile").click()
    assert "browsing anonymously" in view(page, "profile").get_by_test_id("current-shopper").inner_text()
    sign_up(page, new_email())
    page.get_by_test_id("persona-filter").select_option("footwear_outdoors")
    page.get_by_test_id("user-select").select_option(shopper["id"])
    screenshot("profile")
    choose_shopper(page, shopper["id"])

    recommendations = page.get_by_test_id("home-recommendations")
    assert recommendations.get_attribute("data-source") == "personalize"
    assert recommendations.get_by_test_id("personalized-badge").is_visible()
    assert "Inspired by your shopping trends" in recommendations.inner_text()
    categories = [shop_data.item(item_id)["category"] for item_id in card_ids(recommendations)]
    assert len(categories) == 12
    assert sum(category in shopper["categories"] for category in categories) >= 10
    call = api.calls("/recommendations")[-1]
    assert (call.path, call.shopper) == ("/me/recommendations", shopper["id"])
    assert "userId" not in call.query
    assert page.get_by_test_id("profile-name").inner_text() == shopper["name"]
    screenshot("home-signed-in")


def test_recommendations_follow_what_the_shopper_views(page, storefront_url, api, shop_data, screenshot):
    shopper = shop_data.user_with_persona("footwear_outdoors")
    open_shop(page, storefront_url)
    shop_as(page, shopper["id"])
    before = card_ids(page.get_by_test_id("home-recommendations"))
    assert all(shop_data.item(item_id)["category"] != "electronics" for item_id in before)

    viewed = []
    for index in range(5):
        page.get_by_test_id("nav-category-electronics").click()
        listing = view(page, "category")
        viewed.append(open_product(page, listing.get_by_test_id("product-link").nth(index)))
    eventually(lambda: len(events_of(api.events(), "ProductViewed")) >= 5)

    page.get_by_test_id("shop-name").click()
    view(page, "home")
    after = card_ids(page.get_by_test_id("home-recommendations"))
    assert "electronics" in {shop_data.item(item_id)["category"] for item_id in after[:4]}
    assert len(api.calls("/recommendations")) == 2
    views = events_of(api.events(), "ProductViewed")
    assert [event["itemId"] for event in views] == viewed
    assert {event["userId"] for event in views} == {shopper["id"]}
    screenshot("home-after-browsing")


def test_product_detail_shows_related_products_and_tracks_the_recommendation(
    page, storefront_url, api, shop_data, screenshot
):
    open_shop(page, storefront_url)
    first = open_product(page, page.get_by_test_id("home-featured").get_by_test_id("product-link").first)

    detail = page.get_by_test_id("product-detail")
    assert detail.get_by_test_id("product-name").inner_text() == shop_data.item(first)["name"]
    related = page.get_by_test_id("related-products")
    assert related.get_attribute("data-source") == "personalize"
    related_ids = card_ids(related)
    assert len(related_ids) == 8
    assert first not in related_ids
    assert api.calls("/related")[-1].query["itemId"] == first
    screenshot("product")

    link = related.get_by_test_id("product-link").first
    recommendation_id = recommendation_id_of(link)
    assert recommendation_id
    second = open_product(page, link)
    eventually(lambda: len(events_of(api.events(), "ProductViewed")) == 2)
    first_view, second_view = events_of(api.events(), "ProductViewed")
    assert first_view["itemId"] == first
    assert "recommendationId" not in first_view
    assert second_view["itemId"] == second
    assert second_view["recommendationId"] == recommendation_id
    assert first_view["userId"] is None


def test_category_and_featured_are_ranked_for_a_signed_in_shopper(
    page, storefront_url, api, shop_data, screenshot
):
    natural = [item["id"] for item in shop_data.items_in("outdoors")]
    open_shop(page, storefront_url, "#/category/outdoors")
    anonymous = view(page, "category")
    assert card_ids(anonymous) == natural
    assert anonymous.get_by_test_id("personalized-badge").count() == 0
    assert api.calls("/rank") == []

    shopper = shop_data.user_with_persona("jewelry_accessories")
    shop_as(page, shopper["id"])
    page.get_by_test_id("nav-featured").click()
    featured = view(page, "featured")
    rank = api.calls("/rank")[-1]
    assert rank.body == {"itemIds": shop_data.featured["itemIds"], "context": "category"}
    assert (rank.path, rank.shopper) == ("/me/rank", shopper["id"])
    assert featured.get_by_test_id("personalized-badge").is_visible()
    ranked = card_ids(featured)
    assert sorted(ranked) == sorted(shop_data.featured["itemIds"])
    assert {shop_data.item(item_id)["category"] for item_id in ranked[:4]} == {"jewelry", "accessories"}
    screenshot("featured-personalized")

    page.get_by_test_id("nav-category-outdoors").click()
    category = view(page, "category")
    assert category.get_by_test_id("product-list").get_attribute("data-order-source") == "personalize"
    assert sorted(card_ids(category)) == sorted(natural)
    assert card_ids(category) != natural
    assert api.calls("/rank")[-1].body["context"] == "category"
    screenshot("category-personalized")


def test_search_finds_products_fires_the_event_and_reranks_for_a_shopper(
    page, storefront_url, api, shop_data, screenshot
):
    open_shop(page, storefront_url)
    page.get_by_test_id("search-input").fill("boots")
    page.get_by_test_id("search-input").press("Enter")
    results = view(page, "search")
    found = card_ids(results)
    boots = [item["id"] for item in shop_data.items if item["style"] == "boot"]
    assert boots
    assert found[: len(boots)] == boots
    assert all("boot" in json.dumps(shop_data.item(item_id)).lower() for item_id in found)
    assert api.calls("/rank") == []
    searched = eventually(lambda: events_of(api.events(), "ProductSearched"))
    assert searched[0]["properties"] == {"query": "boots", "resultCount": len(found)}
    assert "itemId" not in searched[0]

    shopper = shop_data.user_with_persona("apparel_housewares")
    word = name_word_across_categories(shop_data, shopper["categories"])
    shop_as(page, shopper["id"])
    page.get_by_test_id("search-input").fill(word)
    page.get_by_test_id("search-submit").click()
    results = view(page, "search")
    rank = api.calls("/rank")[-1]
    assert rank.body["context"] == "search"
    assert (rank.path, rank.shopper) == ("/me/rank", shopper["id"])
    assert "userId" not in rank.body
    assert results.get_by_test_id("personalized-badge").is_visible()
    ranked_categories = [shop_data.item(item_id)["category"] for item_id in card_ids(results)]
    in_persona = [category in shopper["categories"] for category in ranked_categories]
    assert in_persona == sorted(in_persona, reverse=True)
    assert in_persona[0]
    assert not in_persona[-1]
    screenshot("search-personalized")


def test_the_shop_is_keyboard_navigable(page, storefront_url, api):
    open_shop(page, storefront_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.skipLink") == ""
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.get_by_test_id("search-input").focus()
    page.keyboard.type("tent")
    page.keyboard.press("Enter")
    view(page, "search")
    assert page.evaluate("document.activeElement.tagName") == "H1"
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "product-link":
            break
    else:
        pytest.fail("no product link within four Tab presses of the results heading")
    page.keyboard.press("Enter")
    view(page, "product")
    assert page.get_by_test_id("product-detail").count() == 1


def test_small_screens_get_a_single_column_layout_without_sideways_scrolling(
    page, storefront_url, api, shop_data, screenshot
):
    page.set_viewport_size({"width": 390, "height": 844})
    open_shop(page, storefront_url, f"#/product/{shop_data.featured['itemIds'][0]}")
    view(page, "product")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    image, body = (page.locator(f".product-detail > div:nth-child({n})").bounding_box() for n in (1, 2))
    assert image is not None
    assert body is not None
    assert body["y"] >= image["y"] + image["height"]
    screenshot("product-small-screen")
    page.get_by_test_id("shop-name").click()
    view(page, "home")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot("home-small-screen")
