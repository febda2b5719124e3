"""Fixtures for the analytics sink: details built with the project's own models, a moto bus with the
analytics rule's bridge queue, and a folder of analytics objects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from analytics.layout import gzip_records, object_key, record_line
from local.firehose import FolderWriter
from local.resources import StreamBridge, create_event_bus, create_stream_bridge
from personalization.contracts.events import EventDetail, build_entry
from personalization.contracts.topology import ANALYTICS_STREAM
from personalization.settings import DEFAULT_EVENT_BUS_NAME

REGION = "us-east-1"
STREAM_NAME = "retail-personalization-analytics"


def detail(event_id: str, event_type: str = "ProductViewed", **fields: Any) -> EventDetail:
    """A bus detail as track_event builds it (absent optional values are null)."""
    values: dict[str, Any] = {
        "eventId": event_id,
        "eventType": event_type,
        "sessionId": "session-1",
        "userId": None,
        "itemId": "item-1",
        "sentAt": datetime.now(UTC),
        "recommendationId": None,
        "properties": {},
    }
    values.update(fields)
    return EventDetail.model_validate(values)


@dataclass
class Bridge:
    """The bus with the analytics rule targeting its bridge queue, as the local stack builds it."""

    queues: StreamBridge
    events: Any
    sqs: Any

    def put(self, *details: EventDetail) -> None:
        answer = self.events.put_events(Entries=[build_entry(d, DEFAULT_EVENT_BUS_NAME) for d in details])
        assert answer["FailedEntryCount"] == 0

    def count(self, url: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    with mock_aws():
        events = boto3.client("events", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        create_event_bus(events)
        queues = create_stream_bridge(
            sqs,
            events,
            DEFAULT_EVENT_BUS_NAME,
            ANALYTICS_STREAM,
            max_receive_count=3,
            visibility_timeout_seconds=30,
        )
        yield Bridge(queues, events, sqs)


def write_object(root: Path, details: list[dict[str, Any]], arrival: datetime) -> Path:
    """One object as the delivery stream writes it, under `root`."""
    key = object_key(STREAM_NAME, arrival)
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip_records(record_line(d) for d in details))
    return path


def days_ago(days: int) -> datetime:
    return datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=days)


def as_dict(model: EventDetail) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(model.model_dump_json())
    return result


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FlakyWriter:
    """Fails the first `failures` writes, then writes to the folder."""

    def __init__(self, root: Path, failures: int) -> None:
        self.folder = FolderWriter(root)
        self.failures = failures
        self.calls = 0

    def __call__(self, key: str, body: bytes) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise OSError(28, "No space left on device")
        self.folder(key, body)
