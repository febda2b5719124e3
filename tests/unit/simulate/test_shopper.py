"""A shopper's visit as decisions on given answers: the same seed and answers give the same plan."""

from __future__ import annotations

from typing import Any

import pytest

from simulate.model import ClickModel, Navigation
from simulate.population import Catalog, SimulatedShopper, shopper_rng
from simulate.shopper import CATEGORY_PAGE_SIZE, Action, Answer, Page, PageKind, Visit

pytestmark = pytest.mark.unit

EXPERIMENT = {"name": "user-recs-vs-featured", "variant": "personalized"}


class FakeApi:
    """Answers that depend on the page only; each answer's id is new (`<prefix>-<n>`), as the API's are."""

    def __init__(self, catalog: Catalog, prefix: str) -> None:
        self.catalog = catalog
        self.prefix = prefix
        self.answers = 0

    def answer(self, page: Page) -> Answer:
        self.answers += 1
        rid = f"{self.prefix}-{self.answers}"
        everything = sorted(self.catalog.category_of)
        if page.kind is PageKind.HOME:
            return Answer(tuple(everything[:12]), rid, "personalize", "user-personalization", EXPERIMENT)
        if page.kind is PageKind.PRODUCT:
            return Answer((page.item_id or "", *everything[-8:]), rid, "personalize", "related-items")
        return Answer(tuple(reversed(page.rank_item_ids)), rid, "personalize", "personalized-ranking")


def plan(shopper: SimulatedShopper, catalog: Catalog, seed: int, prefix: str, pages: int = 30) -> list[Any]:
    """The visit's pages and events, with each answer's id replaced by its number in the visit."""
    api = FakeApi(catalog, prefix)
    visit = Visit(shopper, catalog, shopper_rng(seed, shopper.shopper_id), pages, model=ClickModel(base=0.4))
    steps: list[Any] = []
    while (page := visit.next_page()) is not None:
        steps.append(
            (page, [normalized(action, prefix) for action in visit.on_answer(page, api.answer(page))])
        )
    steps.append(("checkout", [normalized(action, prefix) for action in visit.checkout()]))
    return steps


def normalized(action: Action, prefix: str) -> tuple[Any, ...]:
    rid = action.recommendation_id
    return (
        action.event_type,
        action.item_id,
        rid.removeprefix(prefix) if rid else None,
        action.experiment,
        action.properties,
    )


def test_the_same_seed_and_answers_give_the_same_plan(catalog: Catalog, outdoorsy: SimulatedShopper) -> None:
    first = plan(outdoorsy, catalog, seed=11, prefix="A")
    again = plan(outdoorsy, catalog, seed=11, prefix="B")  # the answers' ids differ, the plan does not

    assert again == first
    kinds = {page.kind for page, _ in first[:-1]}
    assert kinds == {PageKind.HOME, PageKind.CATEGORY, PageKind.PRODUCT}
    assert any(event[0] == "ProductViewed" for _, events in first for event in events)


def test_another_seed_gives_another_plan(catalog: Catalog, outdoorsy: SimulatedShopper) -> None:
    assert plan(outdoorsy, catalog, seed=11, prefix="A") != plan(outdoorsy, catalog, seed=12, prefix="A")


def test_the_visit_starts_at_home_and_ends_after_its_pages(
    catalog: Catalog, outdoorsy: SimulatedShopper
) -> None:
    visit = Visit(outdoorsy, catalog, shopper_rng(1, "7"), pages=3)
    pages = [visit.next_page() for _ in range(4)]

    assert pages[0] == Page(PageKind.HOME)
    assert pages[1] is not None
    assert pages[2] is not None
    assert pages[3] is None
    with pytest.raises(ValueError, match="at least one page"):
        Visit(outdoorsy, catalog, shopper_rng(1, "7"), pages=0)


def test_every_answer_shown_is_one_recommendations_shown(
    catalog: Catalog, outdoorsy: SimulatedShopper
) -> None:
    visit = Visit(outdoorsy, catalog, shopper_rng(1, "7"), pages=2, model=ClickModel(base=0.0))
    answer = Answer(("apparel-0", "beauty-1"), "rid-1", "featured", "user-personalization", EXPERIMENT)

    actions = visit.on_answer(Page(PageKind.HOME), answer)

    assert actions == [
        Action(
            "RecommendationsShown",
            recommendation_id="rid-1",
            experiment=EXPERIMENT,
            properties={"useCase": "user-personalization", "source": "featured", "itemCount": 2},
        )
    ]
    assert actions[0].as_event("e-1") == {
        "eventId": "e-1",
        "eventType": "RecommendationsShown",
        "recommendationId": "rid-1",
        "experiment": EXPERIMENT,
        "properties": {"useCase": "user-personalization", "source": "featured", "itemCount": 2},
    }


def test_clicks_adds_and_orders_carry_the_answers_id_and_experiment(
    catalog: Catalog, outdoorsy: SimulatedShopper
) -> None:
    always = ClickModel(
        base=1.0,
        decay=1.0,
        out_of_persona=1.0,
        add_in_persona=1.0,
        add_out_of_persona=1.0,
        order_in_persona=1.0,
    )
    visit = Visit(outdoorsy, catalog, shopper_rng(1, "7"), pages=2, model=always)
    answer = Answer(("footwear-1", "outdoors-2"), "rid-9", "personalize", "user-personalization", EXPERIMENT)

    actions = visit.on_answer(Page(PageKind.HOME), answer)

    assert [(a.event_type, a.item_id) for a in actions] == [
        ("RecommendationsShown", None),
        ("ProductViewed", "footwear-1"),
        ("ProductAdded", "footwear-1"),
        ("ProductViewed", "outdoors-2"),
        ("ProductAdded", "outdoors-2"),
    ]
    assert all(a.recommendation_id == "rid-9" and a.experiment == EXPERIMENT for a in actions)
    assert actions[2].properties == {"quantity": 1, "price": 11.0}

    orders = visit.checkout("order-x")
    assert [(o.event_type, o.item_id, o.recommendation_id, o.experiment) for o in orders] == [
        ("OrderCompleted", "footwear-1", "rid-9", EXPERIMENT),
        ("OrderCompleted", "outdoors-2", "rid-9", EXPERIMENT),
    ]
    assert {o.properties["orderId"] for o in orders} == {"order-x"}
    assert visit.checkout() == []  # the cart is empty after the order


def test_a_cart_line_keeps_the_first_answer_it_came_from(
    catalog: Catalog, outdoorsy: SimulatedShopper
) -> None:
    always = ClickModel(base=1.0, decay=1.0, add_in_persona=1.0, order_in_persona=1.0)
    visit = Visit(outdoorsy, catalog, shopper_rng(1, "7"), pages=3, model=always)
    visit.on_answer(
        Page(PageKind.HOME), Answer(("footwear-1",), "rid-1", "personalize", "user-personalization")
    )
    visit.on_answer(
        Page(PageKind.HOME), Answer(("footwear-1",), "rid-2", "personalize", "user-personalization")
    )

    (order,) = visit.checkout()
    assert order.recommendation_id == "rid-1"
    assert order.experiment is None
    assert "experiment" not in order.as_event("e")


def test_items_out_of_the_persona_are_clicked_less(catalog: Catalog, outdoorsy: SimulatedShopper) -> None:
    liked = Answer(("footwear-1", "outdoors-1", "footwear-2"), "r", "personalize", "user-personalization")
    other = Answer(("apparel-1", "beauty-1", "apparel-2"), "r", "featured", "user-personalization")

    model = ClickModel(base=0.3, out_of_persona=0.1)

    def clicks(answer: Answer) -> int:
        total = 0
        for seed in range(300):
            visit = Visit(outdoorsy, catalog, shopper_rng(seed, "7"), pages=1, model=model)
            total += sum(
                a.event_type == "ProductViewed" for a in visit.on_answer(Page(PageKind.HOME), answer)
            )
        return total

    assert clicks(liked) > 3 * clicks(other)


def test_a_product_page_does_not_list_its_product_and_a_category_shows_a_page_of_the_grid(
    catalog: Catalog, outdoorsy: SimulatedShopper
) -> None:
    visit = Visit(outdoorsy, catalog, shopper_rng(1, "7"), pages=2, model=ClickModel(base=0.0))
    related = Answer(("footwear-1", "footwear-2", "outdoors-3"), "r", "personalize", "related-items")
    (shown,) = visit.on_answer(Page(PageKind.PRODUCT, item_id="footwear-1"), related)
    assert shown.properties["itemCount"] == 2

    long_list = tuple(f"x{n}" for n in range(CATEGORY_PAGE_SIZE + 10))
    ranked = Answer(long_list, "r", "personalize", "personalized-ranking")
    (shown,) = visit.on_answer(Page(PageKind.CATEGORY, category="footwear"), ranked)
    assert shown.properties["itemCount"] == CATEGORY_PAGE_SIZE


def test_category_pages_favour_the_persona_and_rank_the_category(
    catalog: Catalog, outdoorsy: SimulatedShopper
) -> None:
    navigation = Navigation(follow_click=0.0, home=0.0, persona_category=0.8)
    visit = Visit(outdoorsy, catalog, shopper_rng(3, "7"), pages=401, navigation=navigation)
    assert visit.next_page() == Page(PageKind.HOME)
    pages = [visit.next_page() for _ in range(400)]

    categories = [page.category for page in pages if page is not None]
    liked = sum(category in outdoorsy.persona.categories for category in categories)
    assert 0.7 < liked / len(categories) < 0.9
    first = next(page for page in pages if page is not None)
    assert first.kind is PageKind.CATEGORY
    assert first.category is not None
    assert first.rank_item_ids == catalog.items_in[first.category]


def test_after_clicks_the_shopper_often_opens_a_clicked_product(
    catalog: Catalog, outdoorsy: SimulatedShopper
) -> None:
    always = ClickModel(base=1.0, decay=1.0)
    visit = Visit(
        outdoorsy,
        catalog,
        shopper_rng(1, "7"),
        pages=2,
        model=always,
        navigation=Navigation(follow_click=1.0),
    )
    visit.next_page()
    visit.on_answer(Page(PageKind.HOME), Answer(("footwear-3",), "r", "personalize", "user-personalization"))

    assert visit.next_page() == Page(PageKind.PRODUCT, item_id="footwear-3")


def test_an_answer_from_the_api_json() -> None:
    body = {
        "items": [{"itemId": "p1", "score": 0.5}, {"itemId": "p2", "score": None}],
        "recommendationId": "api-1",
        "source": "featured",
        "recipe": "user-personalization",
        "experiment": {"name": "e", "variant": "v"},
    }
    assert Answer.from_json(body) == Answer(
        ("p1", "p2"), "api-1", "featured", "user-personalization", {"name": "e", "variant": "v"}
    )
    assert Answer.from_json({**body, "experiment": None}).experiment is None
