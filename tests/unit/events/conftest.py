"""Fixtures for the event path: moto bus, rules and queues built from RULES, SSM, fake sink services."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.validate import validate_parameters
from moto import mock_aws

from local.resources import create_event_resources
from personalization.adapters import aws
from personalization.adapters.event_bus import event_publisher
from personalization.adapters.sinks import personalize, pinpoint
from personalization.adapters.sinks.base import SinkQueues
from personalization.adapters.sinks.personalize import personalize_sink
from personalization.adapters.sinks.pinpoint import pinpoint_sink
from personalization.adapters.ssm_config import config_reader
from personalization.contracts import parameters
from personalization.settings import DEAD_LETTER_QUEUE_URL, SQS_MAX_VISIBILITY_SECONDS, sink_settings
from tests.apigw import FakeLambdaContext, rest_event

PREFIX = "/retail-personalization"
REGION = "us-east-1"
TRACKER_ID = "tracker-1"
PINPOINT_APP = "pinpoint-app-1"
SINK_DEAD_LETTER_QUEUE = "sink-dlq"
"""The dead-letter queue the sink functions name by DEAD_LETTER_QUEUE_URL in these tests."""


def _reset_caches() -> None:
    aws.reset_clients()
    for cached in (config_reader, event_publisher, personalize_sink, pinpoint_sink, sink_settings):
        cached.cache_clear()


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _reset_caches()
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        dead_letter_url = sqs.create_queue(QueueName=SINK_DEAD_LETTER_QUEUE)["QueueUrl"]
        monkeypatch.setenv(DEAD_LETTER_QUEUE_URL, dead_letter_url)
        yield
    _reset_caches()


def set_aside(queue_url: str) -> list[dict[str, Any]]:
    """The records a sink sent to a dead-letter queue: `{"body", "attributes"}` (string attributes)."""
    sqs: Any = boto3.client("sqs", region_name=REGION)
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300, MessageAttributeNames=["All"]
    ).get("Messages", []):
        messages.extend(batch)
    return [
        {
            "body": message["Body"],
            "attributes": {
                name: value["StringValue"] for name, value in message.get("MessageAttributes", {}).items()
            },
        }
        for message in messages
    ]


@dataclass
class Bus:
    """The event bus with the real rule patterns, each targeting its own SQS queue (as deployed)."""

    queue_urls: dict[str, str]
    dead_letter_urls: dict[str, str]
    events: Any = field(default_factory=lambda: boto3.client("events", region_name=REGION))
    sqs: Any = field(default_factory=lambda: boto3.client("sqs", region_name=REGION))

    def receive(self, function: str, max_messages: int = 10) -> list[dict[str, Any]]:
        """Up to `max_messages` messages of a sink's queue, hidden until released or deleted."""
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_urls[function],
            MaxNumberOfMessages=max_messages,
            AttributeNames=["All"],
            VisibilityTimeout=300,
        )
        return answer.get("Messages", [])

    def release(self, function: str, messages: list[dict[str, Any]]) -> None:
        """Make received messages visible again (what the end of a visibility timeout does)."""
        for message in messages:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_urls[function],
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=0,
            )

    def drain(self, function: str) -> list[dict[str, Any]]:
        """Every message of a queue, read and left queued."""
        messages: list[dict[str, Any]] = []
        while batch := self.receive(function):
            messages.extend(batch)
        self.release(function, messages)
        return messages

    def delete(self, function: str, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self.sqs.delete_message(
                QueueUrl=self.queue_urls[function], ReceiptHandle=message["ReceiptHandle"]
            )

    def dead_letters(self, function: str) -> list[dict[str, Any]]:
        """The bus event details in a sink's dead-letter queue."""
        url = self.dead_letter_urls[function]
        messages: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300
        ).get("Messages", []):
            messages.extend(batch)
        return [json.loads(message["Body"])["detail"] for message in messages]

    def details(self, function: str) -> list[dict[str, Any]]:
        return [json.loads(message["Body"])["detail"] for message in self.drain(function)]


@pytest.fixture
def bus(moto_aws: None, monkeypatch: pytest.MonkeyPatch) -> Bus:
    """As deployed (the local stack's builder): per sink a queue with its maximum receives before its DLQ;
    visible again at once, so a test sees redeliveries without waiting. Each sink sets records aside
    in its own DLQ (both functions share this process, so not through DEAD_LETTER_QUEUE_URL)."""
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    sinks = create_event_resources(events, sqs, visibility_timeout_seconds=0)
    for function, module in (("personalize_sync", personalize), ("pinpoint_sync", pinpoint)):
        queues = SinkQueues(sqs, sinks[function].dlq_url, SQS_MAX_VISIBILITY_SECONDS)
        monkeypatch.setattr(module, "sink_queues", lambda queues=queues: queues)
    queue_urls = {function: queues.queue_url for function, queues in sinks.items()}
    dead_letter_urls = {function: queues.dlq_url for function, queues in sinks.items()}
    return Bus(queue_urls, dead_letter_urls)


@pytest.fixture
def ssm(moto_aws: None) -> Callable[[dict[str, str]], None]:
    client = boto3.client("ssm", region_name=REGION)

    def write(values: dict[str, str]) -> None:
        for name, value in values.items():
            client.put_parameter(
                Name=parameters.full_name(PREFIX, name), Value=value, Type="String", Overwrite=True
            )

    return write


def client_error(code: str, status: int, operation: str = "PutEvents") -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, operation)


THROTTLED = client_error("ThrottlingException", 400)


class FakeService:
    """A service client whose answers the test scripts; requests are validated against botocore's model.

    `failures` maps a call number of `failing_operation` (1-based) to the error that call raises.
    """

    service = ""

    def __init__(
        self, failures: dict[int, Exception] | None = None, failing_operation: str = "PutEvents"
    ) -> None:
        self.failures = failures or {}
        self.failing_operation = failing_operation
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._model = botocore.session.get_session().get_service_model(self.service)

    def _record(self, operation: str, request: dict[str, Any]) -> None:
        shape = self._model.operation_model(operation).input_shape
        assert shape is not None
        validate_parameters(request, shape)
        self.calls.append((operation, request))
        count = sum(1 for name, _ in self.calls if name == operation)
        if operation == self.failing_operation and count in self.failures:
            raise self.failures[count]

    def requests(self, operation: str) -> list[dict[str, Any]]:
        return [request for name, request in self.calls if name == operation]


class FakePersonalizeEvents(FakeService):
    service = "personalize-events"

    def __init__(
        self,
        failures: dict[int, Exception] | None = None,
        failing_operation: str = "PutEvents",
        invalid_event_ids: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(failures, failing_operation)
        self.invalid_event_ids = invalid_event_ids
        """Events Personalize refuses: a call holding one fails with InvalidInputException."""
        self._delivered: list[str] = []

    def put_events(self, **request: Any) -> dict[str, Any]:
        self._record("PutEvents", request)
        event_ids = [event["eventId"] for event in request["eventList"]]
        if self.invalid_event_ids.intersection(event_ids):
            raise client_error("InvalidInputException", 400)
        self._delivered.extend(event_ids)
        return {}

    def delivered_event_ids(self) -> list[str]:
        """Event ids of the calls that succeeded."""
        return list(self._delivered)


class FakePinpoint(FakeService):
    service = "pinpoint"

    def __init__(
        self,
        failures: dict[int, Exception] | None = None,
        failing_operation: str = "PutEvents",
        event_status: dict[str, int] | None = None,
    ) -> None:
        super().__init__(failures, failing_operation)
        self.event_status = event_status or {}
        """eventId -> the status Pinpoint answers for it (202 for the others)."""

    def accepted_event_ids(self) -> list[str]:
        """Event ids of the PutEvents calls that succeeded, less those answered with an error status."""
        failed = set(self.failures) if self.failing_operation == "PutEvents" else set()
        return [
            event_id
            for number, request in enumerate(self.requests("PutEvents"), start=1)
            if number not in failed
            for item in request["EventsRequest"]["BatchItem"].values()
            for event_id in item["Events"]
            if 200 <= self.event_status.get(event_id, 202) < 300
        ]

    def update_endpoint(self, **request: Any) -> dict[str, Any]:
        self._record("UpdateEndpoint", request)
        return {"MessageBody": {"Message": "Accepted", "RequestID": "r"}}

    def put_events(self, **request: Any) -> dict[str, Any]:
        self._record("PutEvents", request)
        results = {
            endpoint: {
                "EndpointItemResponse": {"StatusCode": 202, "Message": "Accepted"},
                "EventsItemResponse": {
                    event_id: {"StatusCode": self.event_status.get(event_id, 202), "Message": "..."}
                    for event_id in batch["Events"]
                },
            }
            for endpoint, batch in request["EventsRequest"]["BatchItem"].items()
        }
        return {"EventsResponse": {"Results": results}}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def post_events(
    body: Any = None, raw_body: str | None = None, shopper: str | None = None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """POST /events; with `shopper`, POST /me/events signed in as that shopper."""
    from track_event.handler import lambda_handler

    response = lambda_handler(
        rest_event("POST", "/events", body=body, raw_body=raw_body, shopper=shopper), FakeLambdaContext()
    )
    headers = {name: values[-1] for name, values in response.get("multiValueHeaders", {}).items()}
    return response["statusCode"], json.loads(response["body"]), headers


def sqs_event(
    messages: list[dict[str, Any]], queue_arn: str = "arn:aws:sqs:us-east-1:123456789012:q"
) -> dict[str, Any]:
    """The Lambda SQS event for received messages (the shape the event source mapping sends)."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {
                    "ApproximateReceiveCount": message.get("Attributes", {}).get(
                        "ApproximateReceiveCount", "1"
                    ),
                    "SentTimestamp": message.get("Attributes", {}).get("SentTimestamp", "1700000000000"),
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": message.get("Attributes", {}).get(
                        "ApproximateFirstReceiveTimestamp", "1700000000000"
                    ),
                },
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", "0" * 32),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


def bus_message(detail: dict[str, Any], message_id: str) -> dict[str, Any]:
    """An SQS message carrying a bus event with this detail (as an EventBridge rule target receives it)."""
    event = {
        "version": "0",
        "id": f"bus-{message_id}",
        "detail-type": detail["eventType"],
        "source": "retail.storefront",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": REGION,
        "resources": [],
        "detail": detail,
    }
    return {"MessageId": message_id, "ReceiptHandle": f"rh-{message_id}", "Body": json.dumps(event)}


def detail(
    event_id: str,
    *,
    session_id: str = "s1",
    user_id: str | None = "u1",
    item_id: str | None = "p1",
    event_type: str = "ProductViewed",
    properties: dict[str, Any] | None = None,
    sent_at: str = "2026-01-01T10:00:00.000Z",
    recommendation_id: str | None = None,
) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "eventType": event_type,
        "sessionId": session_id,
        "userId": user_id,
        "itemId": item_id,
        "sentAt": sent_at,
        "recommendationId": recommendation_id,
        "properties": properties or {},
    }


def failed_ids(response: Mapping[str, Any]) -> set[str]:
    return {failure["itemIdentifier"] for failure in response["batchItemFailures"]}


def emf_metrics(output: str) -> list[dict[str, Any]]:
    """The CloudWatch EMF metric records among the captured stdout lines."""
    return [json.loads(line) for line in output.splitlines() if line.startswith("{") and '"_aws"' in line]


def metric_total(output: str, name: str, **dimensions: str) -> float:
    total = 0.0
    for record in emf_metrics(output):
        if name in record and all(record.get(key) == value for key, value in dimensions.items()):
            values = record[name]
            total += sum(values) if isinstance(values, list) else values
    return total


class BusSpy:
    """The moto events client behind a spy: records PutEvents calls and injects failures.

    `fail_entry(detail, call_number)` marks an entry failed (it is not put); `errors` maps a
    call number (1-based) to the exception that call raises before anything is put.
    """

    def __init__(
        self,
        fail_entry: Callable[[dict[str, Any], int], bool] | None = None,
        errors: dict[int, Exception] | None = None,
    ) -> None:
        self.client: Any = boto3.client("events", region_name=REGION)
        self.fail_entry = fail_entry
        self.errors = errors or {}
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        number = len(self.calls)
        if number in self.errors:
            raise self.errors[number]
        results: list[dict[str, Any]] = [
            {"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"} for _ in Entries
        ]
        forward = [
            index
            for index, entry in enumerate(Entries)
            if not (self.fail_entry and self.fail_entry(json.loads(entry["Detail"]), number))
        ]
        if forward:
            answer = self.client.put_events(Entries=[Entries[index] for index in forward])
            for index, result in zip(forward, answer["Entries"], strict=True):
                results[index] = result
        return {"FailedEntryCount": sum(1 for r in results if "ErrorCode" in r), "Entries": results}

    def entry_counts(self) -> list[int]:
        return [len(entries) for entries in self.calls]


@pytest.fixture
def spy(bus: Bus) -> BusSpy:
    """The bus behind a spy, injected as track_event's events client."""
    bus_spy = BusSpy()
    aws.set_client("events", bus_spy)
    return bus_spy
