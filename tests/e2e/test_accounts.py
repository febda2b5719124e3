"""Accounts in the browser (fake API, the twin's user pool): sign up, sign in, emulate a shopper, sign out.

The page keeps its tokens in sessionStorage only, calls the /me/* routes with the ID token and never
names a user; the anonymous session id survives sign-in and sign-out; events of a page being left still
leave, with the token, by a keepalive fetch.
"""

from __future__ import annotations

import pytest

from tests.e2e.shop import (
    PASSWORD,
    card_ids,
    choose_shopper,
    events_of,
    new_email,
    open_product,
    open_shop,
    sign_in,
    sign_out,
    sign_up,
    view,
)
from tests.polling import eventually

pytestmark = pytest.mark.e2e


def test_sign_up_sign_in_emulate_and_sign_out(page, storefront_url, api, shop_data, screenshot):
    shopper = shop_data.user_with_persona("electronics_beauty")
    open_shop(page, storefront_url)
    session_id = page.evaluate("window.__shop.sessionId")

    email = new_email()
    page.get_by_test_id("profile-menu-button").click()
    page.get_by_test_id("menu-signup").click()
    view(page, "signup")
    page.get_by_test_id("signup-email").fill(email)
    page.get_by_test_id("signup-password").fill("short")
    page.get_by_test_id("signup-submit").click()
    assert "at least 10 characters" in page.get_by_test_id("signup-status").inner_text().lower()
    screenshot("signup-password-rules")
    page.get_by_test_id("signup-password").fill(PASSWORD)
    page.get_by_test_id("signup-submit").click()
    view(page, "profile")
    assert page.get_by_test_id("account-email").inner_text() == email
    assert page.get_by_test_id("profile-name").inner_text() == email
    assert page.evaluate("Object.keys(localStorage).some((key) => key.includes('account'))") is False
    assert page.evaluate("sessionStorage.getItem('shop.account') !== null")

    sign_out(page)
    page.get_by_test_id("profile-menu-button").click()
    page.get_by_test_id("menu-signin").click()
    view(page, "signin")
    page.get_by_test_id("signin-email").fill(email)
    page.get_by_test_id("signin-password").fill("Wrong-password-1")
    page.get_by_test_id("signin-submit").click()
    page.get_by_test_id("signin-status").get_by_text("not right").wait_for()
    assert page.evaluate("window.__shop.signedIn") is False

    page.get_by_test_id("profile-menu-button").click()
    page.get_by_test_id("menu-profile").click()
    view(page, "profile")
    sign_in(page, email)
    assert page.evaluate("window.__shop.sessionId") == session_id
    choose_shopper(page, shopper["id"])
    recommendations = page.get_by_test_id("home-recommendations")
    assert recommendations.get_attribute("data-source") == "personalize"
    categories = {shop_data.item(item_id)["category"] for item_id in card_ids(recommendations)[:4]}
    assert categories <= set(shopper["categories"])
    call = api.calls("/recommendations")[-1]
    assert (call.path, call.shopper) == ("/me/recommendations", shopper["id"])
    assert page.get_by_test_id("profile-name").inner_text() == shopper["name"]
    screenshot("home-emulated-shopper")

    item = open_product(page, recommendations.get_by_test_id("product-link").first)
    views = eventually(lambda: events_of(api.events(), "ProductViewed"))
    assert [(event["itemId"], event["userId"], event["sessionId"]) for event in views] == [
        (item, shopper["id"], session_id)
    ]
    assert all("userId" not in (call.body or {}) and "userId" not in call.query for call in api.calls())

    sign_out(page)
    assert page.get_by_test_id("home-featured").is_visible()
    assert page.evaluate("window.__shop.sessionId") == session_id
    assert page.evaluate("sessionStorage.getItem('shop.account')") is None
    related_before = len(api.calls("/related"))
    open_product(page, page.get_by_test_id("home-featured").get_by_test_id("product-link").first)
    eventually(lambda: len(api.calls("/related")) > related_before)
    assert api.calls("/related")[-1].path == "/related"
    anonymous_views = eventually(lambda: events_of(api.events(), "ProductViewed")[1:])
    assert {event["userId"] for event in anonymous_views} == {None}
    screenshot("home-signed-out")


def test_events_of_a_page_left_while_signed_in_leave_with_the_token(page, storefront_url, api, shop_data):
    shopper = shop_data.user_with_persona("footwear_outdoors")
    open_shop(page, storefront_url)
    sign_up(page, new_email())
    choose_shopper(page, shopper["id"])
    page.evaluate("window.__shop.flushEvents()")
    item = shop_data.items_in("footwear")[0]["id"]
    page.evaluate(f"location.hash = '#/product/{item}'")
    view(page, "product")
    queued = page.evaluate("window.__shop.queuedEvents.map((event) => event.eventType)")
    assert queued == ["ProductViewed", "RecommendationsShown"], "queued for the next flush, not sent yet"

    page.goto("about:blank")

    views = eventually(lambda: events_of(api.events(), "ProductViewed"))
    assert [(event["itemId"], event["userId"]) for event in views] == [(item, shopper["id"])]
    assert api.calls("/events")[-1].path == "/me/events"


def test_a_token_the_api_refuses_signs_the_shop_out_quietly(page, storefront_url, api, shop_data):
    open_shop(page, storefront_url)
    sign_up(page, new_email())
    # A token that no longer verifies (its signature broken) and a refresh token Cognito does not know.
    page.evaluate(
        """() => {
          const account = JSON.parse(sessionStorage.getItem('shop.account'));
          account.idToken = account.idToken.slice(0, -4) + 'AAAA';
          account.refreshToken = 'revoked';
          sessionStorage.setItem('shop.account', JSON.stringify(account));
        }"""
    )
    page.reload()
    page.locator("body[data-startup=done]").wait_for()
    page.get_by_test_id("shop-name").click()
    view(page, "home")
    page.get_by_test_id("home-featured").wait_for()
    assert page.evaluate("window.__shop.signedIn") is False
    statuses = [call.status for call in api.calls("/recommendations")]
    assert 401 in statuses
