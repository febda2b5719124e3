"""The click model: P(click at k) = base x decay^k x affinity; add and order chances by persona."""

from __future__ import annotations

import pytest

from simulate.model import ClickModel, Navigation, Persona
from tests.unit.simulate.conftest import HOMELY, OUTDOORSY

pytestmark = pytest.mark.unit


def test_a_click_is_base_times_decay_to_the_position_times_affinity() -> None:
    model = ClickModel(base=0.2, decay=0.5, in_persona=1.0, out_of_persona=0.1, examined=10)

    assert model.click_probability(OUTDOORSY, "footwear", 0) == pytest.approx(0.2)
    assert model.click_probability(OUTDOORSY, "footwear", 3) == pytest.approx(0.2 * 0.5**3)
    assert model.click_probability(OUTDOORSY, "beauty", 0) == pytest.approx(0.02)
    assert model.click_probability(OUTDOORSY, "beauty", 2) == pytest.approx(0.2 * 0.25 * 0.1)


def test_the_persona_decides_the_affinity() -> None:
    model = ClickModel()

    outdoors_for_outdoorsy = model.click_probability(OUTDOORSY, "outdoors", 1)
    outdoors_for_homely = model.click_probability(HOMELY, "outdoors", 1)
    assert outdoors_for_outdoorsy > outdoors_for_homely
    assert model.click_probability(HOMELY, "housewares", 1) == pytest.approx(outdoors_for_outdoorsy)
    assert model.affinity(OUTDOORSY, None) == model.out_of_persona  # an item the catalog does not know


def test_clicks_fall_with_the_position_and_stop_past_the_examined_ones() -> None:
    model = ClickModel(examined=5)
    chances = [model.click_probability(OUTDOORSY, "footwear", position) for position in range(7)]

    assert chances[:5] == sorted(chances[:5], reverse=True)
    assert len(set(chances[:5])) == 5
    assert chances[5:] == [0.0, 0.0]
    with pytest.raises(ValueError, match="position"):
        model.click_probability(OUTDOORSY, "footwear", -1)


def test_a_click_chance_never_exceeds_one() -> None:
    model = ClickModel(base=1.0, decay=1.0, in_persona=1.0)
    assert model.click_probability(OUTDOORSY, "footwear", 3) == 1.0


def test_add_and_order_chances_are_higher_in_the_persona() -> None:
    model = ClickModel()

    assert model.add_probability(OUTDOORSY, "footwear") == model.add_in_persona
    assert model.add_probability(OUTDOORSY, "jewelry") == model.add_out_of_persona
    assert model.add_in_persona > model.add_out_of_persona
    assert model.order_probability(HOMELY, "apparel") == model.order_in_persona
    assert model.order_probability(HOMELY, "footwear") == model.order_out_of_persona
    assert model.order_in_persona > model.order_out_of_persona


def test_a_list_in_the_persona_draws_more_clicks_than_a_mixed_one() -> None:
    """Why personalization wins in the simulation: its lists are in the shopper's categories."""
    model = ClickModel()
    personal: list[str | None] = ["footwear", "outdoors"] * 6
    mixed: list[str | None] = ["apparel", "beauty", "footwear", "electronics", "jewelry", "outdoors"] * 2

    assert model.expected_clicks(OUTDOORSY, personal) > 1.5 * model.expected_clicks(OUTDOORSY, mixed)


@pytest.mark.parametrize(
    "settings",
    [{"base": 1.5}, {"out_of_persona": -0.1}, {"decay": 0.0}, {"examined": 0}, {"order_in_persona": 2.0}],
)
def test_settings_out_of_range_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        ClickModel(**settings)  # type: ignore[arg-type]


def test_navigation_chances_are_probabilities() -> None:
    with pytest.raises(ValueError, match="home"):
        Navigation(home=1.2)


def test_a_persona_likes_its_two_categories_only() -> None:
    persona = Persona("electronics_beauty", ("electronics", "beauty"))
    assert persona.likes("beauty")
    assert not persona.likes("apparel")
    assert not persona.likes(None)
