"""pinpoint_sync: skipped when unconfigured, endpoints per user, batched events, per-event results,
refused events set aside alone."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from personalization.adapters import aws
from personalization.adapters.sinks.base import SinkQueues
from personalization.adapters.sinks.pinpoint import PinpointSink, endpoint_id
from personalization.contracts import parameters
from personalization.settings import DEAD_LETTER_QUEUE_URL
from personalization.usecases.ports import PersonalizationConfig
from tests.apigw import FakeLambdaContext
from tests.unit.events.conftest import (
    PINPOINT_APP,
    THROTTLED,
    FakePinpoint,
    client_error,
    detail,
    failed_ids,
    metric_total,
    set_aside,
    sqs_event,
)
from tests.unit.events.sink_harness import Write, messages_for, records_of

pytestmark = pytest.mark.unit


@pytest.fixture
def application(ssm: Write) -> Write:
    ssm({parameters.PINPOINT_APPLICATION_ID: PINPOINT_APP})
    return ssm


def handle(details: list[dict[str, Any]], pinpoint: FakePinpoint) -> dict[str, Any]:
    from pinpoint_sync.handler import lambda_handler

    aws.set_client("pinpoint", pinpoint)
    return lambda_handler(sqs_event(messages_for(details)), FakeLambdaContext())


def two_users() -> list[dict[str, Any]]:
    return [
        detail("e1", user_id="u1", session_id="s1", sent_at="2026-01-01T10:00:00.000Z"),
        detail("e2", user_id="u2", session_id="s9", item_id="p7", sent_at="2026-01-01T10:00:05.000Z"),
        detail(
            "e3",
            user_id="u1",
            session_id="s1",
            item_id=None,
            event_type="ProductSearched",
            sent_at="2026-01-01T10:01:00.000Z",
        ),
    ]


def test_without_an_application_records_are_acknowledged_with_a_skipped_metric(
    ssm: Write, capsys: Any
) -> None:
    ssm({parameters.PINPOINT_APPLICATION_ID: parameters.NOT_CONFIGURED})
    pinpoint = FakePinpoint()

    response = handle(two_users(), pinpoint)

    assert response == {"batchItemFailures": []}
    assert pinpoint.calls == []
    assert metric_total(capsys.readouterr().out, "Skipped") == 3


def test_each_user_gets_an_endpoint_update_and_all_events_go_in_one_call(
    application: Write, capsys: Any
) -> None:
    pinpoint = FakePinpoint()

    response = handle(two_users(), pinpoint)

    assert response == {"batchItemFailures": []}
    assert metric_total(capsys.readouterr().out, "PutEventsCalls") == 1
    updates = {request["EndpointId"]: request for request in pinpoint.requests("UpdateEndpoint")}
    assert set(updates) == {endpoint_id("u1"), endpoint_id("u2")}
    u1 = updates[endpoint_id("u1")]
    assert u1["ApplicationId"] == PINPOINT_APP
    assert u1["EndpointRequest"]["User"] == {"UserId": "u1"}
    assert u1["EndpointRequest"]["Attributes"] == {
        "lastSessionId": ["s1"],
        "lastEventType": ["ProductSearched"],
    }
    u2 = updates[endpoint_id("u2")]["EndpointRequest"]["Attributes"]
    assert u2 == {"lastSessionId": ["s9"], "lastEventType": ["ProductViewed"], "lastItemId": ["p7"]}
    assert u1["EndpointRequest"]["EffectiveDate"] == "2026-01-01T10:01:00.000Z"
    (put,) = pinpoint.requests("PutEvents")
    batch = put["EventsRequest"]["BatchItem"]
    assert {endpoint: set(item["Events"]) for endpoint, item in batch.items()} == {
        endpoint_id("u1"): {"e1", "e3"},
        endpoint_id("u2"): {"e2"},
    }
    search = batch[endpoint_id("u1")]["Events"]["e3"]
    assert search["Session"] == {"Id": "s1", "StartTimestamp": "2026-01-01T10:00:00.000Z"}


def test_long_identifiers_are_cut_to_pinpoint_attribute_limits(application: Write) -> None:
    pinpoint = FakePinpoint()

    handle([detail("e1", session_id="s" * 256, item_id="p" * 256)], pinpoint)

    (update,) = pinpoint.requests("UpdateEndpoint")
    assert update["EndpointRequest"]["Attributes"]["lastSessionId"] == ["s" * 100]
    (put,) = pinpoint.requests("PutEvents")
    event = put["EventsRequest"]["BatchItem"][endpoint_id("u1")]["Events"]["e1"]
    assert event["Attributes"]["itemId"] == "p" * 200


def test_the_endpoint_id_is_stable_and_distinct_per_user() -> None:
    assert endpoint_id("42") == endpoint_id("42")
    assert endpoint_id("42") != endpoint_id("43")


def test_strings_and_booleans_become_attributes_and_numbers_metrics(application: Write) -> None:
    pinpoint = FakePinpoint()
    one = detail(
        "e1",
        event_type="ProductQuantityUpdated",
        recommendation_id="rid-1",
        properties={"quantity": 3, "price": 12.5, "color": "red", "gift": False},
    )

    handle([one], pinpoint)

    (put,) = pinpoint.requests("PutEvents")
    event = put["EventsRequest"]["BatchItem"][endpoint_id("u1")]["Events"]["e1"]
    assert event["EventType"] == "ProductQuantityUpdated"
    assert event["Timestamp"] == "2026-01-01T10:00:00.000Z"
    assert event["Attributes"] == {
        "color": "red",
        "gift": "false",
        "itemId": "p1",
        "recommendationId": "rid-1",
    }
    assert event["Metrics"] == {"quantity": 3.0, "price": 12.5}


def test_more_than_a_hundred_events_take_as_few_calls_as_allowed(application: Write) -> None:
    pinpoint = FakePinpoint()
    details = [detail(f"e{n}", user_id=f"u{n % 3}") for n in range(130)]
    records = records_of(messages_for(details))
    sink = PinpointSink(
        pinpoint, lambda: PersonalizationConfig(pinpoint_application_id=PINPOINT_APP), SinkQueues(None, "", 0)
    )

    report = sink.deliver(records)

    assert (report.delivered, report.failed) == (130, {})
    sizes = [
        sum(len(item["Events"]) for item in request["EventsRequest"]["BatchItem"].values())
        for request in pinpoint.requests("PutEvents")
    ]
    assert sizes == [100, 30]
    assert len(pinpoint.requests("UpdateEndpoint")) == 3


def test_an_event_pinpoint_refuses_is_set_aside_and_one_it_fails_comes_back(
    application: Write, capsys: Any
) -> None:
    pinpoint = FakePinpoint(event_status={"e2": 400, "e3": 500})

    response = handle(two_users(), pinpoint)

    assert failed_ids(response) == {"m-e3"}
    assert pinpoint.accepted_event_ids() == ["e1"]
    (dead,) = set_aside(os.environ[DEAD_LETTER_QUEUE_URL])
    assert json.loads(dead["body"])["detail"]["eventId"] == "e2"
    assert dead["attributes"] == {"messageId": "m-e2", "eventId": "e2", "reason": "rejected"}
    output = capsys.readouterr().out
    assert metric_total(output, "Rejected", reason="rejected") == 1
    assert metric_total(output, "EventsFailed", reason="service-error") == 1
    assert metric_total(output, "EventsFailed") == 1
    assert metric_total(output, "EventsDelivered") == 1


def test_a_user_whose_endpoint_update_is_rejected_has_their_records_set_aside_and_no_events_sent(
    application: Write,
) -> None:
    pinpoint = FakePinpoint(
        failures={1: client_error("BadRequestException", 400, "UpdateEndpoint")},
        failing_operation="UpdateEndpoint",
    )

    response = handle(two_users(), pinpoint)

    assert response == {"batchItemFailures": []}
    (put,) = pinpoint.requests("PutEvents")
    assert set(put["EventsRequest"]["BatchItem"]) == {endpoint_id("u2")}
    dead = set_aside(os.environ[DEAD_LETTER_QUEUE_URL])
    assert sorted(d["attributes"]["eventId"] for d in dead) == ["e1", "e3"]


def test_a_put_events_call_rejected_as_a_whole_is_made_again_one_event_at_a_time(
    application: Write, capsys: Any
) -> None:
    pinpoint = FakePinpoint(failures={1: client_error("BadRequestException", 400)})

    response = handle(two_users(), pinpoint)

    assert response == {"batchItemFailures": []}
    sizes = [
        sum(len(item["Events"]) for item in request["EventsRequest"]["BatchItem"].values())
        for request in pinpoint.requests("PutEvents")
    ]
    assert sizes == [3, 1, 1, 1]
    assert sorted(pinpoint.accepted_event_ids()) == ["e1", "e2", "e3"]
    assert metric_total(capsys.readouterr().out, "PutEventsCalls") == 4


def test_a_throttled_put_events_fails_its_records(application: Write, capsys: Any) -> None:
    pinpoint = FakePinpoint(failures={1: THROTTLED})

    response = handle(two_users(), pinpoint)

    assert failed_ids(response) == {"m-e1", "m-e2", "m-e3"}
    assert len(pinpoint.requests("UpdateEndpoint")) == 2
    assert metric_total(capsys.readouterr().out, "EventsFailed", reason="throttled") == 3
