"""POST /events reads sendBeacon's text/plain JSON; any other body, form and multipart too, is a 415."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from personalization.adapters import aws
from personalization.adapters.event_bus import event_publisher
from tests.apigw import FakeLambdaContext, rest_event
from track_event.handler import lambda_handler

pytestmark = pytest.mark.unit

BODY = {"sessionId": "s1", "events": [{"eventType": "ProductViewed", "itemId": "p1"}]}


class RecordingBus:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.entries.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(i)} for i, _ in enumerate(Entries)]}


@pytest.fixture
def bus() -> Iterator[RecordingBus]:
    recording = RecordingBus()
    event_publisher.cache_clear()
    aws.set_client("events", recording)
    yield recording
    aws.reset_clients()
    event_publisher.cache_clear()


def post(content_type: str) -> tuple[int, dict[str, Any]]:
    event = rest_event("POST", "/events", body=BODY, headers={"Content-Type": content_type})
    response = lambda_handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("content_type", ["text/plain;charset=UTF-8", "application/json", "TEXT/PLAIN"])
def test_json_in_a_beacon_or_a_fetch_is_accepted(bus: RecordingBus, content_type: str) -> None:
    status, body = post(content_type)

    assert (status, body["accepted"]) == (202, 1)
    assert len(bus.entries) == 1


@pytest.mark.parametrize(
    "content_type",
    [
        "application/xml",
        "multipart/mixed",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
    ],
)
def test_other_content_types_are_415_and_put_nothing(bus: RecordingBus, content_type: str) -> None:
    status, body = post(content_type)

    assert status == 415
    assert body["errors"] == [{"field": "Content-Type", "problem": "unsupported"}]
    assert bus.entries == []
