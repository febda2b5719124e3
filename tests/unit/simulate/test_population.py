"""Who shops: distinct dataset shoppers, the personas in turn, a `random.Random` each from the seed."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

import dataset
from dataset import GeneratorConfig
from dataset.config import STYLE_COUNT
from simulate.population import draw_shoppers, load_population, persona_of, shopper_rng
from tests.unit.simulate.conftest import HOMELY, OUTDOORSY, user

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("simulate-dataset")
    dataset.generate(folder, GeneratorConfig(seed=5, users=80, items=STYLE_COUNT, interactions=2_000))
    return folder


def test_shoppers_are_drawn_from_the_dataset_with_their_personas(generated: Path) -> None:
    population = load_population(generated)
    by_id = {shopper.id: shopper for shopper in population.users}

    shoppers = draw_shoppers(population.users, 24, seed=1)

    assert len({shopper.shopper_id for shopper in shoppers}) == 24
    for shopper in shoppers:
        dataset_user = by_id[shopper.shopper_id]
        assert shopper.persona.name == dataset_user.persona
        assert shopper.persona.categories == dataset_user.categories
        assert set(shopper.persona.categories) <= set(population.catalog.categories)
    # The four personas take turns: six shoppers each.
    assert sorted(Counter(shopper.persona.name for shopper in shoppers).values()) == [6, 6, 6, 6]
    assert set(Counter(shopper.persona.name for shopper in shoppers)) == set(dataset.PERSONA_NAMES)


def test_the_catalog_knows_each_items_category_and_price(generated: Path) -> None:
    loaded = dataset.load(generated)
    catalog = load_population(generated).catalog

    assert {item.id: item.category for item in loaded.items} == catalog.category_of
    assert catalog.featured == tuple(loaded.featured)
    for category, item_ids in catalog.items_in.items():
        assert [item.id for item in loaded.items if item.category == category] == list(item_ids)


def test_the_same_seed_draws_the_same_shoppers_and_a_longer_draw_extends_it() -> None:
    users = [user(str(n), OUTDOORSY if n % 3 else HOMELY) for n in range(1, 61)]

    first = draw_shoppers(users, 10, seed=3)
    assert draw_shoppers(users, 10, seed=3) == first
    assert draw_shoppers(users, 20, seed=3)[:10] == first
    assert draw_shoppers(users, 10, seed=4) != first


def test_a_persona_that_runs_out_leaves_the_turn_to_the_others() -> None:
    users = [user("1", HOMELY), *(user(str(n), OUTDOORSY) for n in range(2, 8))]

    shoppers = draw_shoppers(users, 7, seed=0)

    assert sorted(shopper.shopper_id for shopper in shoppers) == sorted(u.id for u in users)
    with pytest.raises(ValueError, match="cannot draw 8 shoppers from a dataset of 7"):
        draw_shoppers(users, 8, seed=0)


def test_a_shoppers_random_numbers_depend_on_the_seed_and_shopper_only() -> None:
    random.seed(1)
    first = [shopper_rng(9, "42").random() for _ in range(3)]
    random.seed(2)  # the global random state plays no part
    assert [shopper_rng(9, "42").random() for _ in range(3)] == first
    assert shopper_rng(9, "43").random() != shopper_rng(9, "42").random()
    assert shopper_rng(10, "42").random() != shopper_rng(9, "42").random()


def test_persona_of_a_dataset_user() -> None:
    assert persona_of(user("5", OUTDOORSY)) == OUTDOORSY
