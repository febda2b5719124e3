"""Browsing as a visitor and as an emulated shopper: featured, recommendations, related, ranking, search."""

from __future__ import annotations

import pytest

from tests.e2e.shop import card_ids, open_shop, view

pytestmark = pytest.mark.e2e


def test_anonymous_home_shows_featured_products(page, storefront_url, api, shop_data, screenshot):
    open_shop(page, storefront_url)
    home = view(page, "home")

    featured = home.get_by_test_id("home-featured")
    assert card_ids(featured) == shop_data.featured["itemIds"]
    assert home.get_by_test_id("home-recommendations").count() == 0
    assert page.get_by_test_id("profile-name").inner_text() == "Guest"
    assert api.calls("/recommendations") == []
    assert page.locator("img:not([alt])").count() == 0
    screenshot("home-anonymous")
