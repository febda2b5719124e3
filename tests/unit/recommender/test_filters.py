"""The emulator's filter expressions over the recommender, from the shared filter definitions."""

from __future__ import annotations

import numpy as np
import pytest

from local.emulator.filters import FilterValueError, UnsupportedFilterError, compile_filter
from local.recommender import Recommender
from personalization.contracts.filters import EXCLUDE_PURCHASED, FILTERS, INCLUDE_CATEGORY, FilterDefinition

pytestmark = pytest.mark.unit


def test_every_shared_filter_compiles() -> None:
    compiled = {name: compile_filter(definition) for name, definition in FILTERS.items()}

    assert compiled["exclude-purchased"].interactions
    assert not compiled["exclude-purchased"].include
    assert compiled["include-category"].placeholder == "CATEGORY"


def test_include_category_keeps_only_that_category(recommender: Recommender) -> None:
    allowed = compile_filter(INCLUDE_CATEGORY).allowed(recommender, "1", {"CATEGORY": '"footwear"'})

    assert allowed is not None
    categories = recommender.catalog.attributes["CATEGORY_L1"]
    assert set(categories[allowed]) == {"footwear"}
    assert np.count_nonzero(allowed) == np.count_nonzero(categories == "footwear")


def test_include_category_accepts_several_values(recommender: Recommender) -> None:
    allowed = compile_filter(INCLUDE_CATEGORY).allowed(
        recommender, None, {"CATEGORY": '"footwear", "beauty"'}
    )

    assert allowed is not None
    assert set(recommender.catalog.attributes["CATEGORY_L1"][allowed]) == {"footwear", "beauty"}


@pytest.mark.parametrize(
    ("filter_values", "problem"),
    [
        ({}, "must give a value for CATEGORY"),
        ({"CATEGORY": "footwear"}, "double-quoted strings"),
        ({"CATEGORY": '"footwear"', "OTHER": '"x"'}, "does not define"),
    ],
)
def test_include_category_rejects_missing_or_malformed_values(
    recommender: Recommender, filter_values: dict[str, str], problem: str
) -> None:
    with pytest.raises(FilterValueError, match=problem):
        compile_filter(INCLUDE_CATEGORY).allowed(recommender, "1", filter_values)


def test_exclude_purchased_removes_what_the_user_bought(recommender: Recommender) -> None:
    bought = recommender.catalog.item_ids[5]
    recommender.record_event(user_id="buyer", session_id="s", event_type="OrderCompleted", item_id=bought)

    allowed = compile_filter(EXCLUDE_PURCHASED).allowed(recommender, "buyer", {})

    assert allowed is not None
    assert not allowed[5]
    assert np.count_nonzero(~allowed) == 1


def test_interaction_filters_do_not_apply_without_a_user(recommender: Recommender) -> None:
    assert compile_filter(EXCLUDE_PURCHASED).allowed(recommender, None, {}) is None


def test_an_exclude_filter_without_its_value_is_not_applied(recommender: Recommender) -> None:
    definition = FilterDefinition(
        "exclude-style", "EXCLUDE ItemID WHERE Items.CATEGORY_L2 IN ($STYLE)", "STYLE"
    )

    assert compile_filter(definition).allowed(recommender, "1", {}) is None


def test_not_in_inverts_the_condition(recommender: Recommender) -> None:
    definition = FilterDefinition(
        "not-footwear", 'INCLUDE ItemID WHERE Items.CATEGORY_L1 NOT IN ("footwear")'
    )

    allowed = compile_filter(definition).allowed(recommender, "1", {})

    assert allowed is not None
    assert "footwear" not in set(recommender.catalog.attributes["CATEGORY_L1"][allowed])


@pytest.mark.parametrize(
    "expression",
    [
        "INCLUDE ItemID WHERE Items.PRICE > 10",
        'EXCLUDE ItemID WHERE Interactions.EVENT_VALUE IN ("1")',
        'INCLUDE UserID WHERE Users.AGE IN ("30")',
    ],
)
def test_expressions_outside_the_supported_grammar_fail_at_start(expression: str) -> None:
    with pytest.raises(UnsupportedFilterError):
        compile_filter(FilterDefinition("unsupported", expression))
