"""The rule patterns of personalization.contracts.events.RULES, on a moto bus with an SQS queue per rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from personalization.contracts.events import EVENT_SOURCE, EventDetail, build_entry
from personalization.contracts.rules import RULES
from personalization.contracts.topology import ANALYTICS_STREAM, FUNCTIONS, SINKS
from personalization.settings import DEFAULT_EVENT_BUS_NAME
from tests.unit.events.conftest import Bus, detail

pytestmark = pytest.mark.unit


def put(bus: Bus, *details: dict[str, Any], source: str = EVENT_SOURCE) -> None:
    entries = [
        {**build_entry(EventDetail.model_validate(d), DEFAULT_EVENT_BUS_NAME), "Source": source}
        for d in details
    ]
    answer = bus.events.put_events(Entries=entries)
    assert answer["FailedEntryCount"] == 0


@pytest.mark.parametrize(
    ("user_id", "item_id", "expected_sinks"),
    [
        ("u1", "p1", {"personalize_sync", "pinpoint_sync"}),
        (None, "p1", {"personalize_sync"}),
        ("u1", None, {"pinpoint_sync"}),
        (None, None, set()),
    ],
    ids=["signed-in item event", "anonymous item event", "signed-in search", "anonymous search"],
)
def test_events_reach_the_sinks_whose_field_is_a_string_and_not_null(
    bus: Bus, user_id: str | None, item_id: str | None, expected_sinks: set[str]
) -> None:
    put(bus, detail("e1", user_id=user_id, item_id=item_id, event_type="ProductViewed"))

    reached = {function for function in bus.queue_urls if bus.details(function)}

    assert reached == expected_sinks


def test_events_from_another_source_reach_no_sink(bus: Bus) -> None:
    put(bus, detail("e1"), source="retail.backoffice")

    assert not any(bus.details(function) for function in bus.queue_urls)


def test_patterns_hold_no_null_so_cloudformation_accepts_them_as_objects() -> None:
    for rule in RULES:
        text = json.dumps(rule.pattern)
        assert "null" not in text
        assert '"exists"' not in text, "exists: true also matches null values in EventBridge"


def test_every_rule_has_one_sink_and_a_deployed_target_function() -> None:
    """Every rule but the analytics stream's feeds one sink function."""
    for rule in RULES:
        if rule is ANALYTICS_STREAM.rule:
            continue
        sinks = [sink for sink in SINKS if sink.rule is rule]
        assert len(sinks) == 1
        assert sinks[0].function in FUNCTIONS
