"""What the sink tests share: the `ssm` fixture's type, bus messages for event details, the records a
batch parses into, and a personalize_sync invocation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from personalization.adapters import aws
from personalization.adapters.sinks.base import parse_batch
from personalization.contracts.events import TrackedEventRecord
from tests.apigw import FakeLambdaContext
from tests.unit.events.conftest import FakePersonalizeEvents, bus_message, sqs_event

Write = Callable[[dict[str, str]], None]
"""The `ssm` fixture: writes SSM parameters."""


def messages_for(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One bus message per event detail, with message id `m-<eventId>`."""
    return [bus_message(d, f"m-{d['eventId']}") for d in details]


def records_of(messages: list[dict[str, Any]]) -> list[TrackedEventRecord]:
    """The tracked event records of the messages that parse."""
    return [received.record for received in parse_batch(sqs_event(messages)) if received.record is not None]


def run_personalize_sync(event: dict[str, Any], personalize: FakePersonalizeEvents) -> dict[str, Any]:
    """personalize_sync's handler on an SQS event, with `personalize` as its Personalize client."""
    from personalize_sync.handler import lambda_handler

    aws.set_client("personalize-events", personalize)
    return lambda_handler(event, FakeLambdaContext())
