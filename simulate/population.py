"""Who shops, and what the shop sells: the simulated shoppers drawn from the dataset, and its catalog.

`draw_shoppers(users, count, seed)` picks `count` distinct dataset shoppers, the personas in turn
(so that every persona is about equally present), each by a draw of one `random.Random` made from
the seed: the first N shoppers of a seed are the same whatever the count. Each shopper then gets
its own `random.Random` (`shopper_rng`), made from the seed and the shopper's id only, so what one
shopper does depends on no other shopper, on no thread schedule, and on no global random state.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dataset import Item, User
from simulate.model import Persona


@dataclass(frozen=True)
class SimulatedShopper:
    """A dataset shopper the simulation signs in as (`custom:shopper_id`)."""

    shopper_id: str
    name: str
    persona: Persona


@dataclass(frozen=True)
class Catalog:
    """What the shoppers see of the catalog: each item's category and price, each category's items
    in catalog order (the storefront's natural order of a category page), and the featured list."""

    category_of: dict[str, str]
    price_of: dict[str, float]
    items_in: dict[str, tuple[str, ...]]
    featured: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.items_in)

    @classmethod
    def of(cls, items: Iterable[Item], featured: Sequence[str] = ()) -> Catalog:
        category_of: dict[str, str] = {}
        price_of: dict[str, float] = {}
        items_in: dict[str, list[str]] = {}
        for item in items:
            category_of[item.id] = item.category
            price_of[item.id] = item.price
            items_in.setdefault(item.category, []).append(item.id)
        return cls(
            category_of, price_of, {name: tuple(ids) for name, ids in items_in.items()}, tuple(featured)
        )


@dataclass(frozen=True)
class Population:
    users: tuple[User, ...]
    catalog: Catalog


def load_population(dataset_dir: Path) -> Population:
    """The dataset's shoppers and catalog (`dataset.load`); DatasetError when the folder holds none."""
    import dataset

    loaded = dataset.load(dataset_dir)
    return Population(tuple(loaded.users), Catalog.of(loaded.items, loaded.featured))


def persona_of(user: User) -> Persona:
    return Persona(user.persona, tuple(user.categories))


def draw_shoppers(users: Sequence[User], count: int, seed: int) -> list[SimulatedShopper]:
    """`count` distinct shoppers of `users`, the personas taking turns (in order of first appearance),
    each drawn at random among its persona's shoppers not drawn yet."""
    if count < 0:
        raise ValueError("count must be 0 or more")
    if count > len(users):
        raise ValueError(f"cannot draw {count} shoppers from a dataset of {len(users)}")
    by_persona: dict[str, list[User]] = {}
    for user in users:
        by_persona.setdefault(user.persona, []).append(user)
    draw = random.Random(f"simulate:{seed}:shoppers")
    personas = list(by_persona)
    chosen: list[SimulatedShopper] = []
    turn = 0
    while len(chosen) < count:
        remaining = by_persona[personas[turn % len(personas)]]
        turn += 1
        if not remaining:
            continue
        user = remaining.pop(draw.randrange(len(remaining)))
        chosen.append(SimulatedShopper(user.id, user.name, persona_of(user)))
    return chosen


def shopper_rng(seed: int, shopper_id: str) -> random.Random:
    """The shopper's own random numbers: the same for a seed and shopper, whatever else runs."""
    return random.Random(f"simulate:{seed}:shopper:{shopper_id}")
