"""POST /events: validation, the bus entries, batching, retries of failed entries, 503s, metrics, logs."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from personalization.adapters.event_bus import RETRY_DELAYS_SECONDS, EventBridgePublisher
from personalization.contracts.events import (
    EVENT_SOURCE,
    NOT_ACCEPTED_MESSAGES,
    NotAcceptedCode,
    TrackEventsRequest,
)
from personalization.settings import DEFAULT_EVENT_BUS_NAME
from personalization.usecases.tracking import EventsNotAcceptedError, track_events
from tests.unit.events.conftest import (
    THROTTLED,
    Bus,
    BusSpy,
    metric_total,
    now_iso,
    post_events,
)

pytestmark = pytest.mark.unit

DETAIL_FIELDS = {
    "eventId",
    "experiment",
    "eventType",
    "sessionId",
    "userId",
    "itemId",
    "sentAt",
    "recommendationId",
    "properties",
}


def viewed(event_id: str | None = None, **extra: Any) -> dict[str, Any]:
    event = {"eventType": "ProductViewed", "itemId": "p00001", **extra}
    if event_id is not None:
        event["eventId"] = event_id
    return event


def test_accepted_events_are_on_the_bus_with_the_detail_of_design_section_5(spy: BusSpy, bus: Bus) -> None:
    sent_at = now_iso()
    body = {
        "sessionId": "s-1",
        "events": [
            viewed("given-1", sentAt=sent_at, recommendationId="rid-1", properties={"price": 79.99}),
            {"eventType": "ProductSearched", "properties": {"query": "boots", "results": 12}},
        ],
    }

    status, answer, _ = post_events(body, shopper="42")

    assert status == 202
    assert answer["accepted"] == 2
    assert answer["eventIds"][0] == "given-1"
    assert uuid.UUID(answer["eventIds"][1]).version == 4
    on_pinpoint_queue = {detail["eventId"]: detail for detail in bus.details("pinpoint_sync")}
    assert set(on_pinpoint_queue) == set(answer["eventIds"])
    item_event = on_pinpoint_queue["given-1"]
    assert set(item_event) == DETAIL_FIELDS
    assert item_event["properties"] == {"price": 79.99}
    assert item_event["recommendationId"] == "rid-1"
    assert datetime.fromisoformat(item_event["sentAt"]) == datetime.fromisoformat(sent_at)
    search = on_pinpoint_queue[answer["eventIds"][1]]
    assert set(search) == DETAIL_FIELDS
    assert search["itemId"] is None
    assert search["recommendationId"] is None
    assert abs(datetime.fromisoformat(search["sentAt"]) - datetime.now(UTC)) < timedelta(seconds=30)
    entry = spy.calls[0][0]
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == (
        EVENT_SOURCE,
        "ProductViewed",
        DEFAULT_EVENT_BUS_NAME,
    )


def test_twenty_five_events_are_put_in_calls_of_at_most_ten(spy: BusSpy, bus: Bus) -> None:
    body = {"sessionId": "s-1", "events": [viewed(f"e{n}") for n in range(25)]}

    status, answer, _ = post_events(body)

    assert status == 202
    assert answer["eventIds"] == [f"e{n}" for n in range(25)]
    assert spy.entry_counts() == [10, 10, 5]
    assert sorted(detail["eventId"] for detail in bus.details("personalize_sync")) == sorted(
        answer["eventIds"]
    )


def test_only_the_failed_entries_are_retried_after_a_backoff(bus: Bus) -> None:
    spy = BusSpy(fail_entry=lambda detail, call: call == 1 and detail["eventId"] in {"e1", "e3"})
    sleeps: list[float] = []
    publisher = EventBridgePublisher(spy, DEFAULT_EVENT_BUS_NAME, sleep=sleeps.append)
    request = TrackEventsRequest.model_validate(
        {"sessionId": "s-1", "events": [viewed(f"e{n}") for n in range(5)]}
    )

    answer = track_events(publisher, request)

    assert sorted(answer.eventIds) == [f"e{n}" for n in range(5)]
    assert [[json.loads(entry["Detail"])["eventId"] for entry in call] for call in spy.calls] == [
        ["e0", "e1", "e2", "e3", "e4"],
        ["e1", "e3"],
    ]
    assert sleeps == [RETRY_DELAYS_SECONDS[0]]
    assert sorted(detail["eventId"] for detail in bus.details("personalize_sync")) == [
        f"e{n}" for n in range(5)
    ]


def test_entries_still_failing_after_three_attempts_are_named_in_the_503(bus: Bus) -> None:
    spy = BusSpy(fail_entry=lambda detail, _: detail["eventId"] == "e1")
    sleeps: list[float] = []
    publisher = EventBridgePublisher(spy, DEFAULT_EVENT_BUS_NAME, sleep=sleeps.append)
    request = TrackEventsRequest.model_validate(
        {"sessionId": "s-1", "events": [viewed(f"e{n}") for n in range(3)]}
    )

    with pytest.raises(EventsNotAcceptedError) as raised:
        track_events(publisher, request)

    answer = raised.value.answer
    assert answer.accepted == 2
    assert answer.eventIds == ["e0", "e2"]
    assert [(e.eventId, e.errorCode) for e in answer.notAccepted] == [("e1", "throttled")]
    assert spy.entry_counts() == [3, 1, 1]
    assert sleeps == list(RETRY_DELAYS_SECONDS)
    assert sorted(detail["eventId"] for detail in bus.details("personalize_sync")) == ["e0", "e2"]


def test_a_503_body_tells_the_client_which_events_to_send_again(spy: BusSpy, bus: Bus, capsys: Any) -> None:
    spy.fail_entry = lambda detail, _: detail["eventType"] == "CartViewed"
    body = {
        "sessionId": "s-1",
        "events": [viewed("e0"), {"eventType": "CartViewed", "eventId": "e1", "itemId": "p00002"}],
    }

    status, answer, headers = post_events(body)

    assert status == 503
    assert headers["Retry-After"] == "1"
    assert "same eventIds" in answer["message"]
    assert answer["accepted"] == 1
    assert answer["eventIds"] == ["e0"]
    assert answer["notAccepted"] == [
        {
            "eventId": "e1",
            "eventType": "CartViewed",
            "errorCode": "throttled",
            "errorMessage": NOT_ACCEPTED_MESSAGES["throttled"],
        }
    ]
    output = capsys.readouterr().out
    assert metric_total(output, "EventsAccepted", eventType="ProductViewed") == 1
    assert metric_total(output, "EventsRejected", eventType="CartViewed") == 1


@pytest.mark.parametrize(
    "error",
    [
        THROTTLED,
        ReadTimeoutError(endpoint_url="https://events.us-east-1.amazonaws.com"),
        EndpointConnectionError(endpoint_url="https://events.us-east-1.amazonaws.com"),
    ],
    ids=["throttled", "timeout", "unreachable"],
)
def test_a_failing_bus_is_a_503_and_only_what_was_put_is_reported_accepted(
    spy: BusSpy, bus: Bus, error: Exception
) -> None:
    spy.errors = {2: error}
    body = {"sessionId": "s-1", "events": [viewed(f"e{n}") for n in range(15)]}

    status, answer, _ = post_events(body)

    assert status == 503
    assert answer["eventIds"] == [f"e{n}" for n in range(10)]
    assert [event["eventId"] for event in answer["notAccepted"]] == [f"e{n}" for n in range(10, 15)]
    assert spy.entry_counts() == [10, 5]
    on_bus = sorted(detail["eventId"] for detail in bus.details("personalize_sync"))
    assert on_bus == sorted(answer["eventIds"])


def aws_error(code: str, status: int) -> ClientError:
    """A PutEvents error whose message names the account, role and bus, as AWS's do."""
    response: Any = {
        "Error": {"Code": code, "Message": AWS_TEXT},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "PutEvents")


AWS_TEXT = (
    "User: arn:aws:sts::123456789012:assumed-role/shop-TrackEventRole/track is not authorized to "
    "perform: events:PutEvents on resource: arn:aws:events:us-east-1:123456789012:event-bus/shop-events"
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (aws_error("AccessDeniedException", 400), "rejected"),
        (aws_error("InternalException", 500), "unavailable"),
    ],
)
def test_a_503_names_a_stable_code_and_logs_the_bus_text_without_properties(
    spy: BusSpy, bus: Bus, caplog: pytest.LogCaptureFixture, error: Exception, code: NotAcceptedCode
) -> None:
    spy.errors = {1: error}
    body = {"sessionId": "s-1", "events": [viewed("e0", properties={"query": "private-words"})]}

    status, answer, _ = post_events(body)

    assert status == 503
    assert answer["notAccepted"] == [
        {
            "eventId": "e0",
            "eventType": "ProductViewed",
            "errorCode": code,
            "errorMessage": NOT_ACCEPTED_MESSAGES[code],
        }
    ]
    for secret in ("123456789012", "TrackEventRole", "shop-events"):
        assert secret not in json.dumps(answer)
    logged = " ".join(json.dumps(record.__dict__, default=str) for record in caplog.records)
    assert "123456789012" in logged
    assert "private-words" not in logged


def test_entries_the_bus_refuses_are_logged_with_its_text_and_answered_with_a_code(
    bus: Bus, caplog: pytest.LogCaptureFixture
) -> None:
    spy = BusSpy(fail_entry=lambda detail, _: True)
    publisher = EventBridgePublisher(spy, DEFAULT_EVENT_BUS_NAME, sleep=lambda _: None)
    request = TrackEventsRequest.model_validate({"sessionId": "s-1", "events": [viewed("e0")]})

    with pytest.raises(EventsNotAcceptedError) as raised:
        track_events(publisher, request)

    assert [(e.errorCode, e.errorMessage) for e in raised.value.answer.notAccepted] == [
        ("throttled", NOT_ACCEPTED_MESSAGES["throttled"])
    ]
    refused = next(r for r in caplog.records if r.getMessage() == "event bus did not take entries")
    assert refused.entries == [  # type: ignore[attr-defined]
        {"eventId": "e0", "errorCode": "ThrottlingException", "error": "Rate exceeded"}
    ]


def test_metrics_count_accepted_events_by_type_and_the_log_line_holds_no_property_values(
    spy: BusSpy, bus: Bus, capsys: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = {
        "sessionId": "s-1",
        "events": [
            viewed(properties={"searchTerm": "very-private-words"}),
            viewed(),
            {"eventType": "CartViewed"},
        ],
    }

    status, _, _ = post_events(body, shopper="7")

    output = capsys.readouterr().out
    assert status == 202
    assert metric_total(output, "EventsAccepted", eventType="ProductViewed") == 2
    assert metric_total(output, "EventsAccepted", eventType="CartViewed") == 1
    logged = [record for record in caplog.records if record.getMessage() == "events tracked"]
    assert len(logged) == 1
    assert logged[0].propertyKeys == ["searchTerm"]  # type: ignore[attr-defined]
    assert logged[0].accepted == {"ProductViewed": 2, "CartViewed": 1}  # type: ignore[attr-defined]
    everything_logged = " ".join(json.dumps(record.__dict__, default=str) for record in caplog.records)
    assert "very-private-words" not in everything_logged + output


EXPERIMENT = {"name": "home-recs", "variant": "holdout"}


def test_attributed_views_adds_and_orders_count_for_their_variant_and_exposures_reach_no_sink(
    spy: BusSpy, bus: Bus, capsys: Any
) -> None:
    attributed: dict[str, Any] = {"recommendationId": "api-1", "experiment": EXPERIMENT}
    body = {
        "sessionId": "s-1",
        "events": [
            {"eventType": "RecommendationsShown", **attributed, "properties": {"source": "featured"}},
            viewed(**attributed),
            viewed(**attributed),
            viewed(recommendationId="api-2"),
            {"eventType": "ProductAdded", "itemId": "p00001", **attributed},
            {"eventType": "OrderCompleted", "itemId": "p00001", **attributed},
        ],
    }

    status, answer, _ = post_events(body, shopper="7")

    output = capsys.readouterr().out
    assert status == 202
    variant = {"experiment": "home-recs", "variant": "holdout"}
    assert metric_total(output, "Clicks", **variant) == 2
    assert metric_total(output, "Adds", **variant) == 1
    assert metric_total(output, "Orders", **variant) == 1
    assert metric_total(output, "Clicks") == 2
    shown_id = answer["eventIds"][0]
    for sink in ("personalize_sync", "pinpoint_sync"):
        delivered = {detail["eventId"]: detail for detail in bus.details(sink)}
        assert shown_id not in delivered
        assert delivered[answer["eventIds"][1]]["experiment"] == EXPERIMENT


def _body(**changes: Any) -> dict[str, Any]:
    return {"sessionId": "s-1", "events": [viewed()], **changes}


def _event(**changes: Any) -> dict[str, Any]:
    return _body(events=[viewed(**changes)])


def _ago(delta: timedelta) -> str:
    return (datetime.now(UTC) - delta).isoformat()


BAD_BODIES: dict[str, tuple[dict[str, Any] | list[Any], str]] = {
    "not an object": ([], "body"),
    "no sessionId": ({"events": [viewed()]}, "sessionId"),
    "sessionId with a space": (_body(sessionId="s 1"), "sessionId"),
    "sessionId of 257 characters": (_body(sessionId="s" * 257), "sessionId"),
    "a userId (the shopper comes from the token)": (_body(userId="42"), "userId"),
    "no events": (_body(events=[]), "events"),
    "26 events": (_body(events=[viewed() for _ in range(26)]), "events"),
    "unknown field": (_body(extra="x"), "extra"),
    "unknown event field": (_event(price=3), "events[0].price"),
    "unknown event type": (_body(events=[{"eventType": "ProductLiked"}]), "events[0].eventType"),
    "itemId empty": (_event(itemId=""), "events[0].itemId"),
    "eventId with a slash": (_event(eventId="a/b"), "events[0].eventId"),
    "repeated eventIds": (_body(events=[viewed("x"), viewed("x")]), "events"),
    "sentAt not a date": (_event(sentAt="yesterday"), "events[0].sentAt"),
    "sentAt epoch seconds": (_event(sentAt=1767225600), "events[0].sentAt"),
    "sentAt without timezone": (_event(sentAt="2026-01-01T10:00:00"), "events[0].sentAt"),
    "sentAt 25 hours ahead": (_event(sentAt=_ago(timedelta(hours=-25))), "events[0].sentAt"),
    "sentAt 15 days ago": (_event(sentAt=_ago(timedelta(days=15))), "events[0].sentAt"),
    "recommendationId of 41 characters": (_event(recommendationId="r" * 41), "events[0].recommendationId"),
    "experiment without recommendationId": (_event(experiment={"name": "e", "variant": "v"}), "events[0]"),
    "experiment with an unknown field": (
        _event(recommendationId="r", experiment={"name": "e", "variant": "v", "x": 1}),
        "events[0].experiment.x",
    ),
    "experiment name with a space": (
        _event(recommendationId="r", experiment={"name": "e 1", "variant": "v"}),
        "events[0].experiment.name",
    ),
    "RecommendationsShown without recommendationId": (
        _body(events=[{"eventType": "RecommendationsShown"}]),
        "events[0]",
    ),
    "RecommendationsShown with an item": (
        _body(events=[{"eventType": "RecommendationsShown", "recommendationId": "r", "itemId": "p1"}]),
        "events[0]",
    ),
    "nested property": (_event(properties={"a": {"b": 1}}), "events[0].properties.a"),
    "list property": (_event(properties={"a": [1]}), "events[0].properties.a"),
    "null property": (_event(properties={"a": None}), "events[0].properties.a"),
    "21 properties": (_event(properties={f"k{n}": n for n in range(21)}), "events[0].properties"),
    "property key with a dash": (_event(properties={"a-b": 1}), "events[0].properties.a-b.[key]"),
    "property key of 51 characters": (
        _event(properties={"k" * 51: 1}),
        f"events[0].properties.{'k' * 51}.[key]",
    ),
    "property value of 201 characters": (_event(properties={"a": "x" * 201}), "events[0].properties.a"),
    "properties over 1024 JSON characters": (
        _event(properties={f"k{n}": "x" * 190 for n in range(6)}),
        "events[0].properties",
    ),
}


@pytest.mark.parametrize(("body", "field"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_are_400_naming_the_field_and_nothing_is_put(
    spy: BusSpy, body: dict[str, Any] | list[Any], field: str
) -> None:
    status, answer, _ = post_events(body)

    assert status == 400
    assert answer["message"]
    assert field in [problem["field"] for problem in answer["errors"]], answer
    assert spy.calls == []


@pytest.mark.parametrize(
    ("raw_body", "expected_status"),
    [
        ('{"sessionId": "s-1", "events": [', 400),
        ('{"sessionId": "s-1", "events": [{"eventType": "CartViewed", "properties": {"n": NaN}}]}', 400),
        (json.dumps(_body(pad="x" * 70_000)), 413),
    ],
    ids=["malformed JSON", "NaN property", "over 64 KiB"],
)
def test_unparseable_or_oversized_bodies_are_refused_and_nothing_is_put(
    spy: BusSpy, raw_body: str, expected_status: int
) -> None:
    status, answer, _ = post_events(raw_body=raw_body)

    assert status == expected_status
    assert answer["errors"]
    assert spy.calls == []


def test_the_shopper_on_the_bus_is_the_tokens_and_an_anonymous_post_has_none(spy: BusSpy, bus: Bus) -> None:
    from tests.apigw import FakeLambdaContext, rest_event, shopper_claims
    from track_event.handler import lambda_handler

    claims = shopper_claims("0b7d6c1e-0000-4000-8000-000000000001", **{"custom:shopper_id": "31"})
    signed_in = rest_event("POST", "/me/events", body=_body(events=[viewed("mine")]), claims=claims)
    anonymous = rest_event("POST", "/events", body=_body(events=[viewed("theirs")]))
    for event in (signed_in, anonymous):
        assert lambda_handler(event, FakeLambdaContext())["statusCode"] == 202

    on_personalize_queue = {detail["eventId"]: detail for detail in bus.details("personalize_sync")}
    assert on_personalize_queue["mine"]["userId"] == "31"
    assert on_personalize_queue["theirs"]["userId"] is None
    assert {detail["eventId"] for detail in bus.details("pinpoint_sync")} == {"mine"}


def test_a_signed_in_post_without_claims_is_401_and_puts_nothing_on_the_bus(spy: BusSpy, bus: Bus) -> None:
    from tests.apigw import FakeLambdaContext, rest_event
    from track_event.handler import lambda_handler

    response = lambda_handler(rest_event("POST", "/me/events", body=_body()), FakeLambdaContext())

    assert response["statusCode"] == 401
    assert bus.details("personalize_sync") == []
