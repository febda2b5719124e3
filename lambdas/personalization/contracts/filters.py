"""Amazon Personalize filter definitions: the one source of truth.

Provisioning creates these filters in Amazon Personalize, the local emulator applies
them the way Personalize does, and the read handlers accept their names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class FilterDefinition:
    name: str
    expression: str
    placeholder: str | None = None
    """Name of the `$PLACEHOLDER` in the expression whose value the caller supplies, if any."""


EXCLUDE_PURCHASED = FilterDefinition(
    name="exclude-purchased",
    expression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("OrderCompleted")',
)
INCLUDE_CATEGORY = FilterDefinition(
    name="include-category",
    expression="INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)",
    placeholder="CATEGORY",
)

FilterName = Literal["exclude-purchased", "include-category"]
"""The names the API accepts (a test keeps them equal to FILTERS)."""

FILTERS: dict[str, FilterDefinition] = {f.name: f for f in (EXCLUDE_PURCHASED, INCLUDE_CATEGORY)}


def filter_values(definition: FilterDefinition, value: str | None) -> dict[str, str] | None:
    """The `filterValues` map Personalize expects: each value a quoted string."""
    if definition.placeholder is None or value is None:
        return None
    return {definition.placeholder: f'"{value}"'}
