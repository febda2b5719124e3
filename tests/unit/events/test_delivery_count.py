"""Nothing is lost: N events in, each delivered, still queued, or in the dead-letter queue.

The whole path runs in-process: track_event puts on a moto bus, the real rule patterns route
into SQS queues (with the sinks' maximum receives before the dead-letter queue), and a loop
plays Lambda's SQS event source: receive a batch, invoke the sink, delete the records it did
not report as failed; the failed ones become visible again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from personalization.adapters import aws
from personalization.contracts import parameters
from personalization.contracts.topology import SINKS
from tests.apigw import FakeLambdaContext
from tests.unit.events.conftest import (
    PINPOINT_APP,
    THROTTLED,
    TRACKER_ID,
    Bus,
    FakePersonalizeEvents,
    FakePinpoint,
    client_error,
    failed_ids,
    post_events,
    sqs_event,
)

pytestmark = pytest.mark.unit

Write = Callable[[dict[str, str]], None]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
MAX_ROUNDS = 60


def track(count: int) -> list[dict[str, Any]]:
    """`count` events over 4 sessions (two signed in), two thirds with an item, in requests of up to 25."""
    sessions = [("s0", "u0"), ("s1", None), ("s2", "u2"), ("s3", None)]
    events = [
        {"eventType": "ProductViewed", "eventId": f"e{n}", **({"itemId": f"p{n}"} if n % 3 else {})}
        for n in range(count)
    ]
    sent: list[dict[str, Any]] = []
    for start in range(0, count, 25):
        chunk = events[start : start + 25]
        session_id, user_id = sessions[(start // 25) % len(sessions)]
        status, answer, _ = post_events({"sessionId": session_id, "events": chunk}, shopper=user_id)
        assert status == 202
        assert answer["accepted"] == len(chunk)
        sent.extend({"eventId": e["eventId"], "itemId": e.get("itemId"), "userId": user_id} for e in chunk)
    return sent


def run_event_source(bus: Bus, function: str, handler: Handler) -> int:
    """Lambda's SQS event source until the queue is empty; returns the number of invocations."""
    for invocation in range(MAX_ROUNDS):
        messages = bus.receive(function, max_messages=min(10, _sink(function).batch_size))
        if not messages:
            return invocation
        failed = failed_ids(handler(sqs_event(messages), FakeLambdaContext()))
        bus.delete(function, [m for m in messages if m["MessageId"] not in failed])
        bus.release(function, [m for m in messages if m["MessageId"] in failed])
    raise AssertionError(f"{function}'s queue still holds messages after {MAX_ROUNDS} invocations")


def _sink(function: str) -> Any:
    return next(sink for sink in SINKS if sink.function.name == function)


def test_transient_failures_delay_events_but_every_one_reaches_personalize(bus: Bus, ssm: Write) -> None:
    from personalize_sync.handler import lambda_handler

    ssm({parameters.EVENT_TRACKER_ID: TRACKER_ID})
    personalize = FakePersonalizeEvents(
        failures={1: THROTTLED, 3: THROTTLED, 6: client_error("InternalFailure", 500), 7: THROTTLED}
    )
    aws.set_client("personalize-events", personalize)
    sent = track(90)

    invocations = run_event_source(bus, "personalize_sync", lambda_handler)

    expected = sorted(event["eventId"] for event in sent if event["itemId"])
    assert sorted(set(personalize.delivered_event_ids())) == expected
    assert bus.dead_letters("personalize_sync") == []
    assert invocations > len(expected) / 10


def test_without_a_tracker_events_wait_and_then_move_to_the_dead_letter_queue(bus: Bus, ssm: Write) -> None:
    from personalize_sync.handler import lambda_handler

    ssm({parameters.EVENT_TRACKER_ID: parameters.NOT_CONFIGURED})
    personalize = FakePersonalizeEvents()
    aws.set_client("personalize-events", personalize)
    sent = track(30)
    expected = sorted(event["eventId"] for event in sent if event["itemId"])

    first = bus.receive("personalize_sync")
    assert failed_ids(lambda_handler(sqs_event(first), FakeLambdaContext())) == {
        m["MessageId"] for m in first
    }
    bus.release("personalize_sync", first)
    assert sorted(detail["eventId"] for detail in bus.details("personalize_sync")) == expected

    run_event_source(bus, "personalize_sync", lambda_handler)

    assert personalize.calls == []
    assert sorted(detail["eventId"] for detail in bus.dead_letters("personalize_sync")) == expected


def test_events_pinpoint_keeps_refusing_end_in_the_dead_letter_queue_and_the_rest_are_delivered(
    bus: Bus, ssm: Write
) -> None:
    from pinpoint_sync.handler import lambda_handler

    ssm({parameters.PINPOINT_APPLICATION_ID: PINPOINT_APP})
    pinpoint = FakePinpoint(failures={2: THROTTLED}, event_status={"e4": 400})
    aws.set_client("pinpoint", pinpoint)
    sent = track(60)

    run_event_source(bus, "pinpoint_sync", lambda_handler)

    accepted = set(pinpoint.accepted_event_ids())
    dead = {detail["eventId"] for detail in bus.dead_letters("pinpoint_sync")}
    expected = {event["eventId"] for event in sent if event["userId"]}
    assert dead == {"e4"}
    assert accepted | dead == expected
    assert not accepted & dead
