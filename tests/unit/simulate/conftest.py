"""A small catalog and shoppers, built by hand, for the simulator's unit tests."""

from __future__ import annotations

import pytest

from dataset import Item, User
from simulate.model import Persona
from simulate.population import Catalog, SimulatedShopper

CATEGORIES = ("apparel", "housewares", "footwear", "outdoors", "electronics", "beauty")
OUTDOORSY = Persona("footwear_outdoors", ("footwear", "outdoors"))
HOMELY = Persona("apparel_housewares", ("apparel", "housewares"))


def item(item_id: str, category: str, price: float = 10.0) -> Item:
    return Item(
        id=item_id,
        name=f"Item {item_id}",
        category=category,
        style="plain",
        price=price,
        description="",
        gender=None,
        featured=False,
        image="",
    )


def user(user_id: str, persona: Persona) -> User:
    first, second = persona.categories
    return User(
        id=user_id,
        username=f"user{user_id}",
        name=f"User {user_id}",
        age=30,
        gender="F",
        persona=persona.name,
        categories=(first, second),
    )


@pytest.fixture
def catalog() -> Catalog:
    """Five items a category, ids `<category>-<n>`."""
    items = [item(f"{category}-{n}", category, 10.0 + n) for category in CATEGORIES for n in range(5)]
    return Catalog.of(items, featured=["apparel-0", "beauty-0"])


@pytest.fixture
def outdoorsy() -> SimulatedShopper:
    return SimulatedShopper("7", "User 7", OUTDOORSY)
