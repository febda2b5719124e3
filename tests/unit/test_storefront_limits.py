"""The limits the storefront copies (`storefront/js/limits.js`) stay equal to the API's."""

from __future__ import annotations

import re

import pytest
from pydantic import StringConstraints

from personalization.contracts import experiments, limits
from repository import STOREFRONT_DIR

pytestmark = pytest.mark.unit

LIMITS_JS = STOREFRONT_DIR / "js" / "limits.js"


def _constraints(annotated: object) -> StringConstraints:
    return next(meta for meta in annotated.__metadata__ if isinstance(meta, StringConstraints))  # type: ignore[attr-defined]


EXPERIMENT_NAME = _constraints(experiments.Name)
"""The API's rule for experiment and variant names (`ExperimentRef`)."""

COPIED = {
    "MAX_RANK_ITEMS": limits.MAX_RANK_ITEMS,
    "MAX_EVENTS_PER_REQUEST": limits.MAX_EVENTS_PER_REQUEST,
    "MAX_PROPERTY_TEXT": limits.MAX_PROPERTY_STRING_LENGTH,
    "MAX_RECOMMENDATION_ID_LENGTH": limits.MAX_RECOMMENDATION_ID_LENGTH,
    "MAX_EXPERIMENT_NAME_LENGTH": EXPERIMENT_NAME.max_length,
}
COPIED_PATTERNS = {
    "IDENTIFIER_PATTERN": limits.IDENTIFIER_PATTERN,
    "EXPERIMENT_NAME_PATTERN": EXPERIMENT_NAME.pattern,
}


def storefront_limits() -> dict[str, int]:
    return {
        name: int(value)
        for name, value in re.findall(r"export const ([A-Z_]+) = (\d+);", LIMITS_JS.read_text())
    }


def storefront_patterns() -> dict[str, str]:
    """The regular expression literals of limits.js, as their source text (`/^...$/` -> `^...$`)."""
    return dict(re.findall(r"export const ([A-Z_]+) = /(.+)/;", LIMITS_JS.read_text()))


def test_every_limit_the_storefront_copies_equals_the_api_limit() -> None:
    assert storefront_limits() == COPIED


def test_every_pattern_the_storefront_copies_equals_the_api_pattern() -> None:
    assert storefront_patterns() == COPIED_PATTERNS


def test_the_storefront_copies_only_named_limits() -> None:
    """A new constant in limits.js must be added to COPIED or COPIED_PATTERNS (and so checked) to pass."""
    constants = set(re.findall(r"export const ([A-Z_]+) =", LIMITS_JS.read_text()))
    assert constants == set(COPIED) | set(COPIED_PATTERNS)
