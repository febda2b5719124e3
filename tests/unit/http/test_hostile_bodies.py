"""Bodies that once made a function answer 500: each is now a 400 with the error body, and puts nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from personalization.contracts.events import EventDetail
from personalization.contracts.limits import MAX_JSON_DEPTH, MAX_SAFE_INTEGER
from personalization.http.json_body import nesting_depth_exceeds
from rank.handler import lambda_handler as rank_handler
from tests.apigw import FakeLambdaContext, rest_event
from tests.unit.fakes import RecordingBus
from track_event.handler import lambda_handler as events_handler

pytestmark = pytest.mark.unit

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def call(handler: Handler, path: str, raw: str, content_type: str = "application/json") -> tuple[int, Any]:
    event = rest_event("POST", path, raw_body=raw, headers={"Content-Type": content_type})
    response = handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def events_body(value: str) -> str:
    return '{"sessionId": "s1", "events": [{"eventType": "CartViewed", "properties": {"p": VALUE}}]}'.replace(
        "VALUE", value
    )


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    ("raw", "field", "problem"),
    [
        (events_body("1" + "0" * 399), "events[0].properties.p", "must be a number from -2^53 to 2^53"),
        (
            events_body(str(MAX_SAFE_INTEGER + 1)),
            "events[0].properties.p",
            "must be a number from -2^53 to 2^53",
        ),
        (events_body("-1e400"), "events[0].properties.p", "must be a number from -2^53 to 2^53"),
        (events_body("9" * 5000), "body", "a number is longer than 1000 characters"),
        (events_body("NaN"), "body", "NaN is not a JSON value"),
        (events_body('"\\ud800"'), "body", "a string holds a lone surrogate (not Unicode text)"),
        (events_body('"\\udc00x"'), "body", "a string holds a lone surrogate (not Unicode text)"),
        ('{"sessionId": "s1", "events": ' + deep(5000) + "}", "body", "body nests deeper than 32 levels"),
    ],
    ids=["400 digits", "2^53+1", "-1e400", "5000 digits", "NaN", "lone high surrogate", "lone low", "deep"],
)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain;charset=UTF-8"])
def test_an_unreadable_events_body_is_a_400_and_puts_nothing(
    recording_bus: RecordingBus, raw: str, field: str, problem: str, content_type: str
) -> None:
    status, body = call(events_handler, "/events", raw, content_type)

    assert (status, body) == (
        400,
        {"message": "invalid request", "errors": [{"field": field, "problem": problem}]},
    )
    assert recording_bus.entries == []


def test_an_escaped_surrogate_pair_is_text_and_accepted(recording_bus: RecordingBus) -> None:
    status, _ = call(events_handler, "/events", events_body('"\\ud83d\\ude00 and \\\\ud800"'))

    assert status == 202
    assert json.loads(recording_bus.entries[0]["Detail"])["properties"]["p"] == "\U0001f600 and \\ud800"


def test_the_integer_bound_is_inclusive(recording_bus: RecordingBus) -> None:
    status, _ = call(events_handler, "/events", events_body(str(-MAX_SAFE_INTEGER)))

    assert status == 202


@pytest.mark.parametrize(
    "raw", ['{"itemIds": ' + deep(5000) + "}", '{"itemIds": ["\\ud800"]}', '{"\\udfff": 1}']
)
def test_an_unreadable_rank_body_is_a_400(raw: str) -> None:
    status, body = call(rank_handler, "/rank", raw)

    assert status == 400
    assert body["errors"][0]["field"] == "body"


def test_a_base64_body_that_is_not_utf8_is_a_400(recording_bus: RecordingBus) -> None:
    event = rest_event("POST", "/events", headers={"Content-Type": "text/plain"})
    event.update(body=base64.b64encode(b'{"sessionId": "\xff"}').decode(), isBase64Encoded=True)

    response = events_handler(event, FakeLambdaContext())

    assert response["statusCode"] == 400
    assert json.loads(response["body"])["errors"] == [{"field": "body", "problem": "body is not valid UTF-8"}]


def test_a_base64_body_that_is_utf8_is_read_as_text(recording_bus: RecordingBus) -> None:
    event = rest_event("POST", "/events")
    event.update(body=base64.b64encode(events_body("1").encode()).decode(), isBase64Encoded=True)

    assert events_handler(event, FakeLambdaContext())["statusCode"] == 202


def test_no_integer_beyond_2_to_the_53_reaches_the_bus_detail() -> None:
    detail = {
        "eventId": "e1",
        "eventType": "CartViewed",
        "sessionId": "s1",
        "userId": None,
        "itemId": None,
        "sentAt": "2026-01-01T00:00:00Z",
        "recommendationId": None,
        "properties": {"p": 10**400},
    }

    with pytest.raises(ValidationError, match="from -2\\^53 to 2\\^53"):
        EventDetail.model_validate(detail)


@pytest.mark.parametrize(
    ("text", "exceeds"),
    [
        (deep(MAX_JSON_DEPTH), False),
        (deep(MAX_JSON_DEPTH + 1), True),
        ('{"a": "' + "[" * 100 + '"}', False),
        ('{"a": "\\"' + "{" * 100 + '"}', False),
        ('[{"a": [{"b": []}]}]', False),
    ],
    ids=["at the limit", "over it", "brackets in a string", "after an escaped quote", "mixed"],
)
def test_depth_counts_brackets_outside_strings(text: str, exceeds: bool) -> None:
    assert nesting_depth_exceeds(text, MAX_JSON_DEPTH) is exceeds
