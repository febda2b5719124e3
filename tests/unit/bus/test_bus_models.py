"""The local bus and queues as models (no HTTP): the rule table, dead letters, retention, counts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.bus.events import EventBridge
from local.bus.queues import Queues
from local.emulator.sinks import EventLog
from personalization.contracts.events import EVENT_SOURCE
from personalization.contracts.rules import RULES

pytestmark = pytest.mark.unit


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[EventBridge]:
    bridge = EventBridge(Queues("http://local", "123456789012", "us-east-1"), tmp_path)
    yield bridge
    bridge.close()


def queue(bus: EventBridge, name: str, **attributes: str) -> tuple[str, str]:
    url = bus.queues.create_queue({"QueueName": name, "Attributes": attributes})["QueueUrl"]
    arn = bus.queues.get_queue_attributes({"QueueUrl": url, "AttributeNames": ["QueueArn"]})["Attributes"][
        "QueueArn"
    ]
    return url, arn


def receive(bus: EventBridge, url: str, **request: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = bus.queues.receive_message(
        {"QueueUrl": url, "MaxNumberOfMessages": 10, **request}
    ).get("Messages", [])
    return messages


def entry(**detail: Any) -> dict[str, Any]:
    return {"Source": EVENT_SOURCE, "DetailType": "ProductViewed", "Detail": json.dumps(detail)}


def test_every_rule_of_the_rule_table_matches_as_its_pattern_says(bus: EventBridge) -> None:
    urls = {}
    for rule in RULES:
        url, arn = queue(bus, rule.name)
        urls[rule.name] = url
        bus.put_rule({"Name": rule.name, "EventPattern": json.dumps(rule.pattern)})
        bus.put_targets({"Rule": rule.name, "Targets": [{"Id": "q", "Arn": arn}]})

    bus.put_events({"Entries": [entry(itemId="i", userId=None), entry(itemId=None, userId="u")]})

    got = {name: [json.loads(m["Body"])["detail"] for m in receive(bus, url)] for name, url in urls.items()}
    assert got["item-events-to-personalize"] == [{"itemId": "i", "userId": None}]
    assert got["signed-in-events-to-pinpoint"] == [{"itemId": None, "userId": "u"}]
    assert len(got["all-events-to-analytics"]) == 2


def test_a_target_the_bus_cannot_deliver_to_goes_to_its_dead_letter_queue_with_the_reason(
    bus: EventBridge,
) -> None:
    dlq_url, dlq_arn = queue(bus, "target-dlq")
    bus.put_rule({"Name": "to-lambda", "EventPattern": json.dumps({"source": [EVENT_SOURCE]})})
    bus.put_targets(
        {
            "Rule": "to-lambda",
            "Targets": [
                {
                    "Id": "fn",
                    "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "DeadLetterConfig": {"Arn": dlq_arn},
                }
            ],
        }
    )

    bus.put_events({"Entries": [entry(itemId="i")]})

    [dead] = receive(bus, dlq_url, MessageAttributeNames=["All"])
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "UnsupportedTarget"
    assert json.loads(dead["Body"])["detail"] == {"itemId": "i"}


def test_a_queues_counts_do_not_scan_its_messages(bus: EventBridge) -> None:
    url, _ = queue(bus, "deep")
    for n in range(5000):
        bus.queues.send_message({"QueueUrl": url, "MessageBody": str(n)})
    receive(bus, url, VisibilityTimeout=60)

    attributes = bus.queues.get_queue_attributes({"QueueUrl": url, "AttributeNames": ["All"]})["Attributes"]

    assert attributes["ApproximateNumberOfMessages"] == "4990"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "10"


def test_a_message_past_its_retention_is_never_received(bus: EventBridge) -> None:
    url, _ = queue(bus, "short-lived", MessageRetentionPeriod="60")
    bus.queues.send_message({"QueueUrl": url, "MessageBody": "old"})
    bus.queues.by_url(url).ready[0].sent_ms -= 61_000

    assert receive(bus, url) == []


def test_the_emulators_log_answers_what_arrived_after_a_moment() -> None:
    log = EventLog(max_records=10)
    log.add("personalize-events", [{"n": 1}, {"n": 2}])
    [first, _] = log.records_since("personalize-events", 0)

    assert [r["n"] for r in log.records_since("personalize-events", first["receivedAt"] - 1e-6)] == [1, 2]
    assert log.records_since("personalize-events", first["receivedAt"] + 3600) == []
    assert log.records("personalize-events") == [{"n": 1}, {"n": 2}]
