"""Attribution in the browser: the storefront echoes the `recommendationId` and `experiment` of the API
answer a shown item came from: one `RecommendationsShown` per answer displayed, then the product link, the
ProductViewed of that product page, the cart line's ProductAdded and its OrderCompleted. Whatever the
answer's source; not for a list the storefront made up because the API did not answer. Anonymous related
products send the browser session, which assigns the shopper to a variant.

Against the fake API (`api.run_experiment` puts the enrolled shoppers of a use case in one variant; it
checks the posted events against the API's event contract), and once through the local stack, which runs
the demo's experiment on user recommendations.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, Route

from tests.e2e.fake_stack import ApiCall, FakeApi, ShopData
from tests.e2e.shop import (
    ApiTraffic,
    add_to_cart,
    card_ids,
    events_of,
    experiment_of,
    open_product,
    open_shop,
    recommendation_id_of,
    shop_as,
    user_with_persona_in_variant,
    view,
)
from tests.polling import eventually
from tests.stack_fixture import LocalStackHandle
from tests.tokens import signed_in
from tests.variants import USER_RECOMMENDATIONS

pytestmark = pytest.mark.e2e

USER_EXPERIMENT = {"name": "user-recs-vs-featured", "variant": "personalized"}
HOLDOUT = {"name": "user-recs-vs-featured", "variant": "featured-holdout"}
RELATED_EXPERIMENT = {"name": "related-vs-featured", "variant": "personalized"}
RECOMMENDATIONS_SHOWN = 12
RELATED_SHOWN = 8
RECOMMENDATIONS_URL = re.compile(r"/me/recommendations\?")
ATTRIBUTED_STEPS = ("ProductViewed", "ProductAdded", "CartViewed", "CheckoutStarted", "OrderCompleted")


def answer_of(call: ApiCall) -> dict[str, Any]:
    assert isinstance(call.answer, dict), call
    return call.answer


def shown_events(events: list[dict[str, Any]], recommendation_id: str) -> list[dict[str, Any]]:
    return [
        e for e in events_of(events, "RecommendationsShown") if e["recommendationId"] == recommendation_id
    ]


def attribution(event: dict[str, Any]) -> tuple[str | None, dict[str, str] | None]:
    return event.get("recommendationId"), event.get("experiment")


def check_out(page: Page) -> str:
    """From any page: the cart, checkout and the order; returns the order id."""
    page.get_by_test_id("cart-link").click()
    view(page, "cart")
    page.get_by_test_id("checkout-button").click()
    view(page, "checkout")
    page.get_by_test_id("place-order").click()
    return view(page, "order").get_by_test_id("order-id").inner_text()


def test_a_recommended_item_carries_its_answers_id_and_experiment_to_the_order(
    page: Page, storefront_url: str, api: FakeApi, shop_data: ShopData, screenshot: Any
) -> None:
    api.run_experiment("user-personalization", USER_EXPERIMENT["name"], USER_EXPERIMENT["variant"])
    shopper = shop_data.user_with_persona("footwear_outdoors")
    open_shop(page, storefront_url)
    shop_as(page, shopper["id"])
    session_id = page.evaluate("window.__shop.sessionId")

    answer = answer_of(api.calls("/recommendations")[-1])
    recommendation_id = answer["recommendationId"]
    assert (answer["source"], answer["experiment"]) == ("personalize", USER_EXPERIMENT)
    recommendations = page.get_by_test_id("home-recommendations")
    assert recommendations.get_attribute("data-source") == "personalize"
    link = recommendations.get_by_test_id("product-link").first
    assert recommendation_id_of(link) == recommendation_id
    assert experiment_of(link) == USER_EXPERIMENT
    assert f"exp={USER_EXPERIMENT['name']}:{USER_EXPERIMENT['variant']}" in (link.get_attribute("href") or "")

    item = open_product(page, link)
    related_call = api.calls("/related")[-1]
    assert (related_call.path, related_call.query["sessionId"]) == ("/me/related", session_id)
    add_to_cart(page, quantity=2)
    screenshot("attribution-product-added")
    order_id = check_out(page)

    eventually(lambda: events_of(api.events(), "OrderCompleted"))
    events = api.events()
    for call in api.calls("/recommendations"):
        assert len(shown_events(events, answer_of(call)["recommendationId"])) == 1, "one per answer shown"
    [shown] = shown_events(events, recommendation_id)
    assert "itemId" not in shown
    assert shown["experiment"] == USER_EXPERIMENT
    assert shown["properties"] == {
        "useCase": "user-personalization",
        "source": "personalize",
        "itemCount": RECOMMENDATIONS_SHOWN,
    }
    assert (shown["sessionId"], shown["userId"]) == (session_id, shopper["id"])
    for step in ATTRIBUTED_STEPS:
        assert [(e["itemId"], *attribution(e)) for e in events_of(events, step)] == [
            (item, recommendation_id, USER_EXPERIMENT)
        ], step
    assert events_of(events, "OrderCompleted")[0]["properties"]["orderId"] == order_id

    related = answer_of(related_call)
    [related_shown] = shown_events(events, related["recommendationId"])
    assert "experiment" not in related_shown, "related items run no experiment here"
    assert related_shown["properties"] == {
        "useCase": "related-items",
        "source": "personalize",
        "itemCount": RELATED_SHOWN,
    }


def test_a_holdout_shopper_sees_featured_products_and_echoes_the_holdout(
    page: Page, storefront_url: str, api: FakeApi, shop_data: ShopData
) -> None:
    api.run_experiment("user-personalization", HOLDOUT["name"], HOLDOUT["variant"], holdout=True)
    open_shop(page, storefront_url)
    shop_as(page, shop_data.user_with_persona("jewelry_accessories")["id"])

    answer = answer_of(api.calls("/recommendations")[-1])
    assert (answer["source"], answer["experiment"]) == ("featured", HOLDOUT)
    assert answer["recommendationId"].startswith("api-"), (
        "the API mints ids for answers Personalize did not give"
    )
    recommendations = page.get_by_test_id("home-recommendations")
    assert recommendations.get_attribute("data-source") == "featured"
    assert card_ids(recommendations) == shop_data.featured["itemIds"][:RECOMMENDATIONS_SHOWN]
    assert recommendations.get_by_test_id("personalized-badge").count() == 0
    assert recommendations.get_by_test_id("fallback-notice").count() == 0
    note = recommendations.get_by_test_id("holdout-note").inner_text()
    assert f"{HOLDOUT['variant']} of experiment {HOLDOUT['name']}" in note

    item = open_product(page, recommendations.get_by_test_id("product-link").nth(2))
    viewed = eventually(lambda: events_of(api.events(), "ProductViewed"))
    assert [(e["itemId"], *attribution(e)) for e in viewed] == [(item, answer["recommendationId"], HOLDOUT)]
    [shown] = shown_events(api.events(), answer["recommendationId"])
    assert shown["experiment"] == HOLDOUT
    assert shown["properties"]["source"] == "featured"


def test_anonymous_related_products_send_the_session_and_echo_their_variant(
    page: Page, storefront_url: str, api: FakeApi, shop_data: ShopData
) -> None:
    api.run_experiment("related-items", RELATED_EXPERIMENT["name"], RELATED_EXPERIMENT["variant"])
    item = shop_data.items_in("outdoors")[0]["id"]
    open_shop(page, storefront_url, f"#/product/{item}")
    view(page, "product")
    session_id = page.evaluate("window.__shop.sessionId")

    call = api.calls("/related")[-1]
    assert (call.path, call.shopper, call.query["itemId"]) == ("/related", None, item)
    assert call.query["sessionId"] == session_id
    answer = answer_of(call)
    assert answer["experiment"] == RELATED_EXPERIMENT
    related = page.get_by_test_id("related-products")
    link = related.get_by_test_id("product-link").first
    assert (recommendation_id_of(link), experiment_of(link)) == (
        answer["recommendationId"],
        RELATED_EXPERIMENT,
    )

    second = open_product(page, link)
    assert api.calls("/related")[-1].query["sessionId"] == session_id
    eventually(lambda: len(events_of(api.events(), "ProductViewed")) == 2)
    events = api.events()
    first_view, second_view = events_of(events, "ProductViewed")
    assert (first_view["itemId"], *attribution(first_view)) == (item, None, None)
    assert (second_view["itemId"], *attribution(second_view)) == (
        second,
        answer["recommendationId"],
        RELATED_EXPERIMENT,
    )
    [shown] = eventually(lambda: shown_events(api.events(), answer["recommendationId"]))
    assert (shown["sessionId"], shown["userId"], shown["experiment"]) == (
        session_id,
        None,
        RELATED_EXPERIMENT,
    )
    assert shown["properties"] == {
        "useCase": "related-items",
        "source": "personalize",
        "itemCount": RELATED_SHOWN,
    }


def test_the_apis_fallback_keeps_its_id_and_a_list_made_up_in_the_browser_has_none(
    page: Page, storefront_url: str, api: FakeApi, shop_data: ShopData
) -> None:
    """Personalize failed for the shopper's variant: the API answers featured items as `fallback`, with
    the variant's experiment (intent to treat). The storefront shows them with its notice and keeps the id;
    when the API does not answer at all, the featured list the storefront shows has no id to echo."""
    api.run_experiment("user-personalization", USER_EXPERIMENT["name"], USER_EXPERIMENT["variant"])

    def personalize_failed(route: Route) -> None:
        answer = route.fetch().json()
        featured = shop_data.featured["itemIds"][:RECOMMENDATIONS_SHOWN]
        fallback = {**answer, "source": "fallback", "items": [{"itemId": i, "score": None} for i in featured]}
        route.fulfill(json=fallback, headers={"Access-Control-Allow-Origin": "*"})

    open_shop(page, storefront_url)
    shop_as(page, shop_data.user_with_persona("electronics_beauty")["id"])
    # A pattern the browser side matches: a Python predicate would hold every request of the page (the
    # events too) until the test next calls Playwright.
    page.route(RECOMMENDATIONS_URL, personalize_failed)
    with page.expect_response(RECOMMENDATIONS_URL) as fallback_answer:
        page.get_by_test_id("nav-featured").click()
        view(page, "featured")
        page.get_by_test_id("shop-name").click()
    recommendations = view(page, "home").get_by_test_id("home-recommendations")
    page.unroute(RECOMMENDATIONS_URL, personalize_failed)
    answer = fallback_answer.value.json()
    assert (answer["source"], answer["experiment"]) == ("fallback", USER_EXPERIMENT)
    assert recommendations.get_attribute("data-source") == "fallback"
    assert recommendations.get_by_test_id("fallback-notice").is_visible()
    link = recommendations.get_by_test_id("product-link").first
    assert (recommendation_id_of(link), experiment_of(link)) == (answer["recommendationId"], USER_EXPERIMENT)
    [shown] = eventually(lambda: shown_events(api.events(), answer["recommendationId"]))
    assert shown["properties"]["source"] == "fallback"

    with api.outage():
        page.get_by_test_id("nav-featured").click()
        view(page, "featured")
        page.get_by_test_id("shop-name").click()
        recommendations = view(page, "home").get_by_test_id("home-recommendations")
        assert recommendations.get_attribute("data-source") == "fallback"
        link = recommendations.get_by_test_id("product-link").first
        assert (recommendation_id_of(link), experiment_of(link)) == (None, None)
        item = open_product(page, link)
    viewed = eventually(
        lambda: [e for e in events_of(api.events(), "ProductViewed") if e["itemId"] == item], 20
    )
    assert attribution(viewed[-1]) == (None, None)
    answered = {call.answer.get("recommendationId") for call in api.calls() if isinstance(call.answer, dict)}
    shown_ids = {e["recommendationId"] for e in events_of(api.events(), "RecommendationsShown")}
    assert shown_ids <= answered, "only answers the API gave are shown as such"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?rid=rec-1&exp=user-recs-vs-featured:personalized", ("rec-1", USER_EXPERIMENT)),
        ("?rid=rec-1&exp=not%20a%20name:personalized", ("rec-1", None)),
        ("?rid=rec-1&exp=a:b:c", ("rec-1", None)),
        (f"?rid=rec-1&exp={'n' * 41}:personalized", ("rec-1", None)),
        (f"?rid={'r' * 41}&exp=user-recs-vs-featured:personalized", (None, None)),
        ("?rid=not%20an%20id&exp=user-recs-vs-featured:personalized", (None, None)),
        ("?exp=user-recs-vs-featured:personalized", (None, None)),
    ],
    ids=["valid", "bad-name", "three-parts", "long-name", "long-id", "bad-id", "no-id"],
)
def test_what_a_product_link_carries_is_checked_before_it_is_echoed(
    page: Page,
    storefront_url: str,
    api: FakeApi,
    shop_data: ShopData,
    query: str,
    expected: tuple[str | None, dict[str, str] | None],
) -> None:
    """A value the API would refuse never reaches the event: it would take the whole batch down with it."""
    item = shop_data.items[3]["id"]
    open_shop(page, storefront_url, f"#/product/{item}{query}")
    view(page, "product")
    add_to_cart(page)
    added = eventually(lambda: events_of(api.events(), "ProductAdded"))
    [viewed] = events_of(api.events(), "ProductViewed")
    assert attribution(viewed) == expected
    assert attribution(added[0]) == expected
    assert {call.status for call in api.calls("/events")} == {202}


def test_a_cart_line_keeps_its_attribution_within_the_browser_session_only(
    page: Page, storefront_url: str, api: FakeApi, shop_data: ShopData
) -> None:
    open_shop(page, storefront_url, f"#/product/{shop_data.items[0]['id']}")
    view(page, "product")
    link = page.get_by_test_id("related-products").get_by_test_id("product-link").first
    recommendation_id = recommendation_id_of(link)
    assert recommendation_id, "an anonymous related answer carries an id too"
    item = open_product(page, link)
    add_to_cart(page)
    page.get_by_test_id("cart-link").click()
    view(page, "cart")
    first_session = page.evaluate("window.__shop.sessionId")
    page.evaluate("window.__shop.flushEvents()")

    page.evaluate("sessionStorage.clear()")
    page.reload()
    view(page, "cart")
    assert page.evaluate("window.__shop.sessionId") != first_session
    page.evaluate("window.__shop.flushEvents()")

    def cart_views() -> list[dict[str, Any]] | None:
        views = events_of(api.events(), "CartViewed")
        return views if len(views) == 2 else None

    carts = eventually(cart_views)
    assert [(e["itemId"], e["sessionId"], e.get("recommendationId")) for e in carts] == [
        (item, first_session, recommendation_id),
        (item, carts[1]["sessionId"], None),
    ]


def test_the_local_stack_takes_the_echoed_experiment_from_home_to_order(
    page: Page, live_stack: LocalStackHandle, live_shop_data: ShopData, traffic: ApiTraffic
) -> None:
    """The real API assigns the shopper to the demo experiment's personalized variant and accepts every
    event that echoes it."""
    assert USER_RECOMMENDATIONS is not None
    shopper = user_with_persona_in_variant(live_shop_data, "apparel_housewares", "personalized")
    expected = {"name": USER_RECOMMENDATIONS.name, "variant": "personalized"}
    # A cold read function on a loaded machine may miss its first SSM read (0.3 s) and answer the
    # documented fallback; this test is about the echo, so it starts once the API answers warm.
    headers = signed_in(live_stack.info["cognito"], str(shopper["id"]))

    def warm() -> bool:
        response = requests.get(f"{live_stack.api_url}/me/recommendations", headers=headers, timeout=5)
        return response.status_code == 200 and response.json()["source"] == "personalize"

    eventually(warm, timeout=30)
    open_shop(page, live_stack.storefront_url)
    shop_as(page, shopper["id"])
    session_id = page.evaluate("window.__shop.sessionId")

    answer = traffic.answer(traffic.calls("GET", "/me/recommendations")[-1])
    assert (answer["source"], answer["experiment"]) == ("personalize", expected)
    recommendation_id = answer["recommendationId"]
    link = page.get_by_test_id("home-recommendations").get_by_test_id("product-link").first
    assert (recommendation_id_of(link), experiment_of(link)) == (recommendation_id, expected)
    item = open_product(page, link)
    add_to_cart(page)
    check_out(page)

    def posted() -> list[dict[str, Any]] | None:
        events = traffic.posted_events()
        settled = page.evaluate("window.__shop.queuedEvents.length === 0")
        return events if settled and events_of(events, "OrderCompleted") else None

    events = eventually(posted)
    [shown] = [
        e for e in events_of(events, "RecommendationsShown") if e["recommendationId"] == recommendation_id
    ]
    assert shown["experiment"] == expected
    assert shown["properties"]["useCase"] == "user-personalization"
    for step in ATTRIBUTED_STEPS:
        assert [(e["itemId"], *attribution(e)) for e in events_of(events, step)] == [
            (item, recommendation_id, expected)
        ], step
    statuses = {status for (_method, path, status) in traffic.answered() if path == "/me/events"}
    assert statuses == {202}, "the API accepted every event that echoed the experiment"
    assert [traffic.query(request)["sessionId"] for request in traffic.calls("GET", "/me/related")] == [
        session_id
    ]
