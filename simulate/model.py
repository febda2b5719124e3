"""The click model and the personas: what a simulated shopper is likely to do, as plain functions.

A shopper scans a list from the top. The chance to click the item at position k (0 first) is

    P(click at k) = base x decay^k x affinity(item)

where affinity is high when the item's category is one of the persona's two categories and low
otherwise. A click may lead to an add to cart, and an added line to an order, each with a chance
that again depends on whether the item is in the persona's categories. Nothing here draws a random
number or does I/O: `simulate.shopper` draws against these probabilities with the shopper's own
`random.Random`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    """A dataset shopper's persona (`dataset.PERSONAS`): its name and its two preferred categories."""

    name: str
    categories: tuple[str, ...]

    def likes(self, category: str | None) -> bool:
        return category is not None and category in self.categories


@dataclass(frozen=True)
class ClickModel:
    """The probabilities of the simulated shoppers (the defaults are the demo's)."""

    base: float = 0.08
    """The chance to click the first item of a list when it is in the persona's categories."""
    decay: float = 0.85
    """Position bias: each position further down is looked at this much less."""
    in_persona: float = 1.0
    """Affinity of an item in one of the persona's categories."""
    out_of_persona: float = 0.3
    """Affinity of any other item (or one the catalog does not know)."""
    add_in_persona: float = 0.3
    """P(add to cart | click) for an item in the persona's categories."""
    add_out_of_persona: float = 0.08
    order_in_persona: float = 0.6
    """P(order | added) for an item in the persona's categories."""
    order_out_of_persona: float = 0.3
    examined: int = 24
    """How many positions of a list a shopper looks at (a page of the storefront's grid)."""

    def __post_init__(self) -> None:
        probabilities = {
            "base": self.base,
            "in_persona": self.in_persona,
            "out_of_persona": self.out_of_persona,
            "add_in_persona": self.add_in_persona,
            "add_out_of_persona": self.add_out_of_persona,
            "order_in_persona": self.order_in_persona,
            "order_out_of_persona": self.order_out_of_persona,
        }
        wrong = [name for name, value in probabilities.items() if not 0.0 <= value <= 1.0]
        if wrong:
            raise ValueError(f"{', '.join(wrong)} must be between 0 and 1")
        if not 0.0 < self.decay <= 1.0:
            raise ValueError("decay must be more than 0 and at most 1")
        if self.examined < 1:
            raise ValueError("examined must be at least 1")

    def affinity(self, persona: Persona, category: str | None) -> float:
        return self.in_persona if persona.likes(category) else self.out_of_persona

    def click_probability(self, persona: Persona, category: str | None, position: int) -> float:
        """P(click) of the item of `category` at `position` (0 first) of a list; 0 past `examined`."""
        if position < 0:
            raise ValueError("position must be 0 or more")
        if position >= self.examined:
            return 0.0
        return min(1.0, self.base * self.decay**position * self.affinity(persona, category))

    def add_probability(self, persona: Persona, category: str | None) -> float:
        """P(add to cart | the item was clicked)."""
        return self.add_in_persona if persona.likes(category) else self.add_out_of_persona

    def order_probability(self, persona: Persona, category: str | None) -> float:
        """P(the cart line is ordered | it was added)."""
        return self.order_in_persona if persona.likes(category) else self.order_out_of_persona

    def expected_clicks(self, persona: Persona, categories: list[str | None]) -> float:
        """The expected number of clicks on a list whose items have these categories, in order."""
        return sum(
            self.click_probability(persona, category, position)
            for position, category in enumerate(categories)
        )


@dataclass(frozen=True)
class Navigation:
    """Where a shopper goes next (the demo's defaults)."""

    follow_click: float = 0.6
    """After a list with clicks: the chance to open one of the clicked products' pages next."""
    home: float = 0.55
    """Otherwise: the chance to go (back) to the home page; else a category page."""
    persona_category: float = 0.8
    """The chance that a category page is one of the persona's categories (else any other)."""

    def __post_init__(self) -> None:
        wrong = [name for name, value in vars(self).items() if not 0.0 <= value <= 1.0]
        if wrong:
            raise ValueError(f"{', '.join(wrong)} must be between 0 and 1")
