"""One simulated shopper's visit, as decisions on the answers it is given: no HTTP, no clock.

The visit is a sequence of pages: the home page first (the shopper's recommendations), then, after
a list with clicks, often the page of a clicked product (its related items), else the home page or
a category page (ranked for the shopper). For every answer shown the shopper sends one
`RecommendationsShown`; each click is a `ProductViewed` carrying the answer's recommendationId and
experiment, and may add the product to the cart (`ProductAdded`, the cart line keeping the answer it
came from). At the end the shopper checks out: each cart line is ordered (`OrderCompleted`, one
order) or left, by the click model.

    visit = Visit(shopper, catalog, rng, pages=8)
    while (page := visit.next_page()) is not None:
        answer = ...            # what the API answered for the page
        send(visit.on_answer(page, answer))
    send(visit.checkout())

Every choice is drawn from the shopper's `random.Random` in a fixed order, so the same seed and
the same answers give the same pages and the same events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from simulate.model import ClickModel, Navigation
from simulate.population import Catalog, SimulatedShopper

HOME_RESULTS = 12
"""Items the home page asks for (the storefront's `recommendationsFor`)."""
RELATED_RESULTS = 8
"""Items a product page asks for (the storefront's `relatedTo`)."""
CATEGORY_PAGE_SIZE = 24
"""Items a category page shows at first (the storefront's listing `PAGE_SIZE`)."""
MAX_RANK_ITEMS = 500


class PageKind(StrEnum):
    HOME = "home"
    CATEGORY = "category"
    PRODUCT = "product"


@dataclass(frozen=True)
class Page:
    kind: PageKind
    category: str | None = None
    """The category of a category page."""
    item_id: str | None = None
    """The product of a product page."""
    rank_item_ids: tuple[str, ...] = ()
    """A category page's products in natural order, as POST /me/rank receives them."""


@dataclass(frozen=True)
class Answer:
    """What the API answered for a page (`RecommendationsResponse`), as the shopper sees it."""

    item_ids: tuple[str, ...]
    recommendation_id: str
    source: str
    recipe: str
    experiment: dict[str, str] | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Answer:
        experiment = body.get("experiment")
        return cls(
            item_ids=tuple(str(entry["itemId"]) for entry in body["items"]),
            recommendation_id=str(body["recommendationId"]),
            source=str(body["source"]),
            recipe=str(body["recipe"]),
            experiment=(
                {"name": str(experiment["name"]), "variant": str(experiment["variant"])}
                if experiment
                else None
            ),
        )


@dataclass(frozen=True)
class Action:
    """One event the shopper sends (POST /me/events), before it gets its eventId."""

    event_type: str
    item_id: str | None = None
    recommendation_id: str | None = None
    experiment: dict[str, str] | None = None
    properties: dict[str, str | int | float | bool] = field(default_factory=dict)

    def as_event(self, event_id: str) -> dict[str, Any]:
        """The TrackedEvent of POST /me/events (no sentAt: the API stamps its own clock)."""
        event: dict[str, Any] = {"eventId": event_id, "eventType": self.event_type}
        if self.item_id is not None:
            event["itemId"] = self.item_id
        if self.recommendation_id is not None:
            event["recommendationId"] = self.recommendation_id
        if self.experiment is not None:
            event["experiment"] = dict(self.experiment)
        if self.properties:
            event["properties"] = dict(self.properties)
        return event


@dataclass(frozen=True)
class CartLine:
    item_id: str
    recommendation_id: str
    experiment: dict[str, str] | None


class Visit:
    """A shopper's pages and events; `rng` is the shopper's own (`population.shopper_rng`)."""

    def __init__(
        self,
        shopper: SimulatedShopper,
        catalog: Catalog,
        rng: random.Random,
        pages: int,
        *,
        model: ClickModel | None = None,
        navigation: Navigation | None = None,
    ) -> None:
        if pages < 1:
            raise ValueError("a visit has at least one page")
        self.shopper = shopper
        self.catalog = catalog
        self.rng = rng
        self.model = model or ClickModel()
        self.navigation = navigation or Navigation()
        self.pages_left = pages
        self.cart: dict[str, CartLine] = {}
        self._clicked: list[str] = []
        self._started = False

    def next_page(self) -> Page | None:
        """The next page to open, or None when the visit is over."""
        if self.pages_left == 0:
            return None
        self.pages_left -= 1
        clicked, self._clicked = self._clicked, []
        if not self._started:
            self._started = True
            return Page(PageKind.HOME)
        if clicked and self.rng.random() < self.navigation.follow_click:
            return Page(PageKind.PRODUCT, item_id=clicked[self.rng.randrange(len(clicked))])
        if self.rng.random() < self.navigation.home or not self.catalog.items_in:
            return Page(PageKind.HOME)
        category = self._pick_category()
        return Page(
            PageKind.CATEGORY,
            category=category,
            rank_item_ids=self.catalog.items_in[category][:MAX_RANK_ITEMS],
        )

    def _pick_category(self) -> str:
        persona = self.shopper.persona
        liked = [category for category in self.catalog.categories if persona.likes(category)]
        others = [category for category in self.catalog.categories if not persona.likes(category)]
        if liked and (not others or self.rng.random() < self.navigation.persona_category):
            return liked[self.rng.randrange(len(liked))]
        return others[self.rng.randrange(len(others))]

    def on_answer(self, page: Page, answer: Answer) -> list[Action]:
        """What the shopper does with the answer shown on `page`: the RecommendationsShown, then the
        clicks (ProductViewed) and adds (ProductAdded), in list order."""
        shown = self._shown_items(page, answer)
        actions = [
            Action(
                "RecommendationsShown",
                recommendation_id=answer.recommendation_id,
                experiment=answer.experiment,
                properties={"useCase": answer.recipe, "source": answer.source, "itemCount": len(shown)},
            )
        ]
        persona = self.shopper.persona
        for position, item_id in enumerate(shown):
            category = self.catalog.category_of.get(item_id)
            if self.rng.random() >= self.model.click_probability(persona, category, position):
                continue
            self._clicked.append(item_id)
            rid, experiment = answer.recommendation_id, answer.experiment
            actions.append(Action("ProductViewed", item_id, rid, experiment))
            if self.rng.random() < self.model.add_probability(persona, category):
                self.cart.setdefault(item_id, CartLine(item_id, answer.recommendation_id, answer.experiment))
                actions.append(
                    Action(
                        "ProductAdded",
                        item_id,
                        rid,
                        experiment,
                        {"quantity": 1, "price": self._price(item_id)},
                    )
                )
        return actions

    def _shown_items(self, page: Page, answer: Answer) -> tuple[str, ...]:
        """The items the shopper sees: a product page never lists its own product; a category page
        its first page of the grid."""
        if page.kind is PageKind.PRODUCT:
            return tuple(item_id for item_id in answer.item_ids if item_id != page.item_id)
        if page.kind is PageKind.CATEGORY:
            return answer.item_ids[:CATEGORY_PAGE_SIZE]
        return answer.item_ids

    def checkout(self, order_id: str = "order-1") -> list[Action]:
        """The end of the visit: each cart line ordered or left, by the click model; the ordered lines
        are one order (`order_id`). Empties the cart."""
        persona = self.shopper.persona
        ordered = [
            line
            for line in self.cart.values()
            if self.rng.random()
            < self.model.order_probability(persona, self.catalog.category_of.get(line.item_id))
        ]
        self.cart = {}
        return [
            Action(
                "OrderCompleted",
                item_id=line.item_id,
                recommendation_id=line.recommendation_id,
                experiment=line.experiment,
                properties={"quantity": 1, "price": self._price(line.item_id), "orderId": order_id},
            )
            for line in ordered
        ]

    def _price(self, item_id: str) -> float:
        return self.catalog.price_of.get(item_id, 0.0)
