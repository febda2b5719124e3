"""The EventBridge rule patterns: plain data that the CDK stack and the local stack both build.

Which function a rule feeds is said by its sink (`personalization.contracts.topology.SINKS`); the
analytics rule feeds a delivery stream instead (`topology.ANALYTICS_STREAM`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from personalization.contracts.events import EVENT_SOURCE, EVENT_TYPES, SHOPPER_ACTIONS


@dataclass(frozen=True)
class RuleSpec:
    name: str
    pattern: dict[str, Any]


def _any_string() -> list[dict[str, str]]:
    """Matches a field whose value is a JSON string, and neither null nor absent.

    EventBridge: prefix matching applies to string values only ("You can use prefix matching
    for string values", content filtering docs), and the empty prefix is accepted (Event Ruler
    compiles `{"prefix": ""}` to a match on the opening quote of a string). `{"exists": true}`
    would not do: exists matching tests the presence of a field regardless of its value, so it
    matches `null` as well. Null-free, so the pattern is also valid in a CloudFormation template.
    """
    return [{"prefix": ""}]


ITEM_EVENTS_TO_PERSONALIZE = RuleSpec(
    name="item-events-to-personalize",
    pattern={
        "source": [EVENT_SOURCE],
        "detail-type": list(SHOPPER_ACTIONS),
        "detail": {"itemId": _any_string()},
    },
)
SIGNED_IN_EVENTS_TO_PINPOINT = RuleSpec(
    name="signed-in-events-to-pinpoint",
    pattern={
        "source": [EVENT_SOURCE],
        "detail-type": list(SHOPPER_ACTIONS),
        "detail": {"userId": _any_string()},
    },
)

ALL_EVENTS_TO_ANALYTICS = RuleSpec(
    name="all-events-to-analytics",
    pattern={"source": [EVENT_SOURCE], "detail-type": list(EVENT_TYPES)},
)
"""Every storefront event, exposures included, to the analytics stream (`topology.ANALYTICS_STREAM`)."""

RULES: tuple[RuleSpec, ...] = (
    ITEM_EVENTS_TO_PERSONALIZE,
    SIGNED_IN_EVENTS_TO_PINPOINT,
    ALL_EVENTS_TO_ANALYTICS,
)
