"""Personalize filter expressions, applied the way Personalize applies them.

The supported grammar is one condition per expression:
`INCLUDE|EXCLUDE ItemID WHERE Items.<FIELD>|Interactions.EVENT_TYPE IN|NOT IN (<values>)`,
where values are double-quoted strings or one `$PLACEHOLDER` filled from `filterValues`
(a comma-separated list of double-quoted strings). As documented for Personalize, an
INCLUDE expression needs a value for its placeholder, while an EXCLUDE expression without
one is not applied. Interaction conditions apply to the user the request names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from local.recommender import Recommender
from personalization.contracts.filters import FilterDefinition

_EXPRESSION = re.compile(
    r"^\s*(?P<action>INCLUDE|EXCLUDE)\s+ItemID\s+WHERE\s+(?P<dataset>Items|Interactions)\.(?P<field>[A-Za-z0-9_]+)"
    r"\s+(?P<operator>IN|NOT\s+IN)\s*\((?P<values>[^)]*)\)\s*$",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"^\$(?P<name>[A-Za-z0-9_]+)$")
_QUOTED_LIST = re.compile(r'^\s*"[^"]*"(\s*,\s*"[^"]*")*\s*$')
_QUOTED = re.compile(r'"([^"]*)"')


class FilterValueError(ValueError):
    """The request's filterValues do not fit the filter (reported as InvalidInputException)."""


class UnsupportedFilterError(ValueError):
    """The expression is outside the grammar the emulator implements (raised at start)."""


@dataclass(frozen=True)
class CompiledFilter:
    name: str
    include: bool
    interactions: bool
    field: str
    negated: bool
    values: tuple[str, ...]
    placeholder: str | None

    def allowed(
        self, recommender: Recommender, user_id: str | None, filter_values: dict[str, str]
    ) -> npt.NDArray[np.bool_] | None:
        """Mask of the catalog items the filter lets through; None when the filter does not apply."""
        unexpected = set(filter_values) - {self.placeholder}
        if unexpected:
            raise FilterValueError(
                f"filterValues has keys the filter {self.name} does not define: {sorted(unexpected)}"
            )
        values = self._values(filter_values)
        if values is None:
            return None
        matches = self._matches(recommender, user_id, frozenset(values))
        if matches is None:
            return None
        if self.negated:
            matches = ~matches
        return matches if self.include else ~matches

    def _values(self, filter_values: dict[str, str]) -> tuple[str, ...] | None:
        if self.placeholder is None:
            return self.values
        raw = filter_values.get(self.placeholder)
        if raw is None:
            if self.include:
                raise FilterValueError(
                    f"filter {self.name} is an INCLUDE filter: "
                    f"filterValues must give a value for {self.placeholder}"
                )
            return None
        if _QUOTED_LIST.match(raw) is None:
            raise FilterValueError(
                f"filterValues.{self.placeholder} must be double-quoted strings separated by commas, "
                'e.g. "\\"value\\""'
            )
        return tuple(_QUOTED.findall(raw))

    def _matches(
        self, recommender: Recommender, user_id: str | None, values: frozenset[str]
    ) -> npt.NDArray[np.bool_] | None:
        size = recommender.catalog.size
        if self.interactions:
            if user_id is None:
                return None
            matches = np.zeros(size, dtype=bool)
            matches[recommender.items_with_event_types(user_id, values)] = True
            return matches
        column = recommender.catalog.attributes.get(self.field.upper())
        if column is None:
            return np.zeros(size, dtype=bool)
        return np.isin(column, list(values))


def compile_filter(definition: FilterDefinition) -> CompiledFilter:
    match = _EXPRESSION.match(definition.expression)
    if match is None:
        raise UnsupportedFilterError(
            f"filter {definition.name}: unsupported expression {definition.expression!r}"
        )
    interactions = match["dataset"].lower() == "interactions"
    if interactions and match["field"].upper() != "EVENT_TYPE":
        raise UnsupportedFilterError(f"filter {definition.name}: only Interactions.EVENT_TYPE is supported")
    raw_values = match["values"].strip()
    placeholder = _PLACEHOLDER.match(raw_values)
    if placeholder is None and _QUOTED_LIST.match(raw_values) is None:
        raise UnsupportedFilterError(
            f"filter {definition.name}: values must be quoted strings or one $PLACEHOLDER"
        )
    return CompiledFilter(
        name=definition.name,
        include=match["action"].upper() == "INCLUDE",
        interactions=interactions,
        field=match["field"],
        negated=match["operator"].upper() != "IN",
        values=() if placeholder else tuple(_QUOTED.findall(raw_values)),
        placeholder=placeholder["name"] if placeholder else None,
    )
