"""The limits the storefront copies (`storefront/js/limits.js`) stay equal to the API's."""

from __future__ import annotations

import re

import pytest

from personalization.contracts import limits
from repository import STOREFRONT_DIR

pytestmark = pytest.mark.unit

LIMITS_JS = STOREFRONT_DIR / "js" / "limits.js"
COPIED = {
    "MAX_RANK_ITEMS": limits.MAX_RANK_ITEMS,
    "MAX_EVENTS_PER_REQUEST": limits.MAX_EVENTS_PER_REQUEST,
    "MAX_PROPERTY_TEXT": limits.MAX_PROPERTY_STRING_LENGTH,
}


def storefront_limits() -> dict[str, int]:
    return {
        name: int(value)
        for name, value in re.findall(r"export const ([A-Z_]+) = (\d+);", LIMITS_JS.read_text())
    }


def test_every_limit_the_storefront_copies_equals_the_api_limit() -> None:
    assert storefront_limits() == COPIED


def test_the_storefront_copies_only_named_limits() -> None:
    """A new constant in limits.js must be added to COPIED (and so checked) to pass."""
    assert set(storefront_limits()) == set(COPIED)
