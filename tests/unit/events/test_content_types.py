"""POST /events reads sendBeacon's text/plain JSON; any other body, form and multipart too, is a 415."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.apigw import FakeLambdaContext, rest_event
from tests.unit.fakes import RecordingBus
from track_event.handler import lambda_handler

pytestmark = pytest.mark.unit

BODY = {"sessionId": "s1", "events": [{"eventType": "ProductViewed", "itemId": "p1"}]}


def post(content_type: str) -> tuple[int, dict[str, Any]]:
    event = rest_event("POST", "/events", body=BODY, headers={"Content-Type": content_type})
    response = lambda_handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("content_type", ["text/plain;charset=UTF-8", "application/json", "TEXT/PLAIN"])
def test_json_in_a_beacon_or_a_fetch_is_accepted(recording_bus: RecordingBus, content_type: str) -> None:
    status, body = post(content_type)

    assert (status, body["accepted"]) == (202, 1)
    assert len(recording_bus.entries) == 1


@pytest.mark.parametrize(
    "content_type",
    [
        "application/xml",
        "multipart/mixed",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
    ],
)
def test_other_content_types_are_415_and_put_nothing(recording_bus: RecordingBus, content_type: str) -> None:
    status, body = post(content_type)

    assert status == 415
    assert body["errors"] == [{"field": "Content-Type", "problem": "unsupported"}]
    assert recording_bus.entries == []
