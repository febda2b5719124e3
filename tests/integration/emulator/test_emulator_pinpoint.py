"""Pinpoint through boto3: PutEvents (EventsResponse per event) and UpdateEndpoint, errors and quotas."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from local.emulator import EmulatorServer
from tests.integration.emulator.emulator_helpers import error_of

pytestmark = pytest.mark.integration

TIMESTAMP = "2026-11-29T12:00:00.000Z"


def pinpoint_event(event_type: str = "ProductViewed", **extra: Any) -> dict[str, Any]:
    return {"EventType": event_type, "Timestamp": TIMESTAMP, **extra}


def batch(events: dict[str, dict[str, Any]], user_id: str = "42") -> dict[str, Any]:
    return {
        "BatchItem": {f"endpoint-{user_id}": {"Endpoint": {"User": {"UserId": user_id}}, "Events": events}}
    }


def test_put_events_answers_per_event_and_records_them(
    pinpoint: Any, application_id: str, emulator: EmulatorServer
) -> None:
    response = pinpoint.put_events(
        ApplicationId=application_id,
        EventsRequest=batch(
            {"e-1": pinpoint_event(Attributes={"itemId": "p00001"}), "e-2": pinpoint_event("CartViewed")}
        ),
    )

    result = response["EventsResponse"]["Results"]["endpoint-42"]
    assert result["EndpointItemResponse"] == {"Message": "Accepted", "StatusCode": 202}
    assert result["EventsItemResponse"] == {
        "e-1": {"Message": "Accepted", "StatusCode": 202},
        "e-2": {"Message": "Accepted", "StatusCode": 202},
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    recorded = emulator.recorded("pinpoint-events")
    assert [(r["eventId"], r["eventType"], r["userId"], r["endpointId"]) for r in recorded] == [
        ("e-1", "ProductViewed", "42", "endpoint-42"),
        ("e-2", "CartViewed", "42", "endpoint-42"),
    ]
    assert recorded[0]["attributes"] == {"itemId": "p00001"}


@pytest.mark.parametrize(
    ("bad_event", "message"),
    [
        (pinpoint_event("E" * 51), "EventType is longer than 50"),
        (pinpoint_event(Attributes={f"a{i}": "v" for i in range(41)}), "at most 40 attributes"),
        (pinpoint_event(Attributes={"k" * 51: "v"}), "names are at most 50"),
        (pinpoint_event(Attributes={"k": "v" * 201}), "values are at most 200"),
        ({"EventType": "ProductViewed", "Timestamp": "yesterday"}, "not an ISO 8601"),
    ],
)
def test_an_event_over_a_quota_is_refused_alone(
    pinpoint: Any, application_id: str, emulator: EmulatorServer, bad_event: dict[str, Any], message: str
) -> None:
    response = pinpoint.put_events(
        ApplicationId=application_id, EventsRequest=batch({"good": pinpoint_event(), "bad": bad_event})
    )

    outcomes = response["EventsResponse"]["Results"]["endpoint-42"]["EventsItemResponse"]
    assert outcomes["good"]["StatusCode"] == 202
    assert outcomes["bad"]["StatusCode"] == 400
    assert message in outcomes["bad"]["Message"]
    assert [r["eventId"] for r in emulator.recorded("pinpoint-events")] == ["good"]


def test_more_than_100_events_fail_the_request(pinpoint: Any, application_id: str) -> None:
    with pytest.raises(ClientError) as raised:
        pinpoint.put_events(
            ApplicationId=application_id,
            EventsRequest=batch({f"e-{i}": pinpoint_event() for i in range(101)}),
        )

    assert error_of(raised)[:2] == (400, "BadRequestException")


def test_an_event_without_a_timestamp_fails_the_request(
    emulator: EmulatorServer, application_id: str
) -> None:
    body = batch({"e-1": {"EventType": "ProductViewed"}})

    response = requests.post(f"{emulator.url}/v1/apps/{application_id}/events", json=body, timeout=5)

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert "Timestamp' failed to satisfy constraint: Member must not be null" in response.json()["Message"]
    assert response.json()["RequestID"] == response.headers["x-amzn-RequestId"]


def test_unknown_application(pinpoint: Any) -> None:
    with pytest.raises(ClientError) as raised:
        pinpoint.put_events(ApplicationId="0" * 32, EventsRequest=batch({"e-1": pinpoint_event()}))

    status, code, message = error_of(raised)
    assert (status, code) == (404, "NotFoundException")
    modelled_fields: dict[str, Any] = dict(raised.value.response)
    assert modelled_fields["RequestID"]
    assert "not found" in message


def test_update_endpoint_is_merged_and_recorded(
    pinpoint: Any, application_id: str, emulator: EmulatorServer
) -> None:
    pinpoint.update_endpoint(
        ApplicationId=application_id,
        EndpointId="endpoint-42",
        EndpointRequest={"ChannelType": "CUSTOM", "Address": "42", "User": {"UserId": "42"}},
    )
    response = pinpoint.update_endpoint(
        ApplicationId=application_id,
        EndpointId="endpoint-42",
        EndpointRequest={"Attributes": {"lastCategory": ["footwear"]}},
    )

    assert response["MessageBody"]["Message"] == "Accepted"
    assert response["MessageBody"]["RequestID"] == response["ResponseMetadata"]["RequestId"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    latest = emulator.recorded("pinpoint-endpoints")[-1]
    assert latest["endpointId"] == "endpoint-42"
    assert latest["endpoint"]["User"] == {"UserId": "42"}
    assert latest["endpoint"]["Attributes"] == {"lastCategory": ["footwear"]}


@pytest.mark.parametrize(
    ("endpoint_request", "message"),
    [
        ({"ChannelType": "CARRIER_PIGEON"}, "enum value set"),
        ({"Attributes": {"a" * 51: ["x"]}}, "names are at most 50"),
        ({"Attributes": {"a": ["x" * 101]}}, "values are at most 100"),
        ({"User": {"UserAttributes": {"a": [str(i) for i in range(51)]}}}, "at most 50 values"),
    ],
)
def test_update_endpoint_errors(
    pinpoint: Any, application_id: str, endpoint_request: dict[str, Any], message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        pinpoint.update_endpoint(
            ApplicationId=application_id, EndpointId="e-1", EndpointRequest=endpoint_request
        )

    status, code, got_message = error_of(raised)
    assert (status, code) == (400, "BadRequestException")
    assert message in got_message
