"""A record Personalize refuses for good goes to the dead-letter queue once; its neighbours are delivered."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from personalization.contracts.events import EVENT_SOURCE
from tests.stack_fixture import LocalStackHandle

pytestmark = pytest.mark.integration

TIMEOUT_SECONDS = 20
SETTLE_SECONDS = 3
"""After the poison record arrives, how long the test watches for a second copy."""


@pytest.fixture
def emulator(local_stack: LocalStackHandle) -> LocalStackHandle:
    local_stack.clear_faults()
    local_stack.clear_received()
    return local_stack


def bus_entry(event_id: str, session_id: str, item_id: str, recommendation_id: str | None) -> dict[str, Any]:
    """A bus entry as track_event puts it (an anonymous shopper: Personalize only)."""
    detail: dict[str, Any] = {
        "eventId": event_id,
        "eventType": "ProductViewed",
        "sessionId": session_id,
        "userId": None,
        "itemId": item_id,
        "sentAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "recommendationId": recommendation_id,
        "properties": {},
    }
    return {"Source": EVENT_SOURCE, "DetailType": "ProductViewed", "Detail": json.dumps(detail)}


def dead_letters(stack: LocalStackHandle, event_id: str | None = None) -> list[dict[str, Any]]:
    """The messages of personalize_sync's DLQ (those that carry `event_id`, when given), read in one
    pass and visible again a second later."""
    sqs = stack.client("sqs")
    url = stack.queue("personalize_sync")["dlqUrl"]
    found: list[dict[str, Any]] = []
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=1
    ).get("Messages", []):
        found.extend(
            m for m in messages if event_id is None or json.loads(m["Body"])["detail"]["eventId"] == event_id
        )
        if len(messages) < 10:
            break
    return found


def test_a_poison_record_alone_reaches_the_dead_letter_queue_and_its_neighbours_reach_personalize(
    emulator: LocalStackHandle,
) -> None:
    session = f"poison-{uuid.uuid4()}"
    neighbours = [f"ok-{uuid.uuid4()}" for _ in range(4)]
    poison = f"poison-{uuid.uuid4()}"
    entries = [bus_entry(event_id, session, f"p{n}", None) for n, event_id in enumerate(neighbours)]
    entries.insert(2, bus_entry(poison, session, "p9", "r" * 41))
    bus_name = emulator.info["eventBusName"]
    answer = emulator.client("events").put_events(
        Entries=[{**entry, "EventBusName": bus_name} for entry in entries]
    )
    assert answer["FailedEntryCount"] == 0

    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not (found := dead_letters(emulator, poison)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert found, f"the poison record did not reach the dead-letter queue within {TIMEOUT_SECONDS} s"
    while time.monotonic() < deadline:
        delivered = {record["eventId"] for record in emulator.received("personalize-events")}
        if set(neighbours) <= delivered:
            break
        time.sleep(0.5)
    time.sleep(SETTLE_SECONDS)

    # At least once: with the twin's 1 s visibility timeout a slow batch is received again, so the
    # poison may be set aside more than once; every copy is that one record, and nothing else is.
    this_session = [
        m for m in dead_letters(emulator) if json.loads(m["Body"])["detail"]["sessionId"] == session
    ]
    messages = [m for m in this_session if json.loads(m["Body"])["detail"]["eventId"] == poison]
    assert messages
    assert messages == this_session, "only the poison record is set aside"
    for message in messages:
        attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
        assert attributes["reason"] == "rejected"
        assert attributes["eventId"] == poison
    # Only this session's records: an earlier test's event may still arrive within its batching window.
    delivered = {r["eventId"] for r in emulator.received("personalize-events") if r["sessionId"] == session}
    assert delivered == set(neighbours)
    for message in messages:
        emulator.client("sqs").delete_message(
            QueueUrl=emulator.queue("personalize_sync")["dlqUrl"], ReceiptHandle=message["ReceiptHandle"]
        )
