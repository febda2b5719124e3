"""The local twin's SQS event source: records as Lambda sends them, visibility the function sets is kept."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from local.event_source import SYSTEM_ATTRIBUTES, EventSourceMapping, SqsPoller
from tests.unit.events.conftest import REGION

pytestmark = pytest.mark.unit


def queue(visibility_timeout: int) -> tuple[Any, str, str]:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="sink", Attributes={"VisibilityTimeout": str(visibility_timeout)})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs, url, arn


def test_a_failed_record_keeps_the_visibility_the_function_gave_it(moto_aws: None) -> None:
    sqs, url, arn = queue(visibility_timeout=0)
    for body in ("first", "second"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    events: list[dict[str, Any]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        events.append(event)
        failed = next(record for record in event["Records"] if record["body"] == "first")
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=failed["receiptHandle"], VisibilityTimeout=600
        )
        return {"batchItemFailures": [{"itemIdentifier": failed["messageId"]}]}

    poller = SqsPoller(EventSourceMapping("sink_function", url, arn, 10, 0, REGION), sqs, invoke)
    poller._process(poller._receive_batch())

    (event,) = events
    assert sorted(record["body"] for record in event["Records"]) == ["first", "second"]
    for record in event["Records"]:
        assert set(record["attributes"]) == set(SYSTEM_ATTRIBUTES)
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert record["eventSourceARN"] == arn
    assert poller._receive_batch() == []
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (
        attributes["ApproximateNumberOfMessages"],
        attributes["ApproximateNumberOfMessagesNotVisible"],
    ) == (
        "0",
        "1",
    )


def test_a_message_received_again_within_the_batching_window_is_one_record(moto_aws: None) -> None:
    sqs, url, arn = queue(visibility_timeout=0)
    sqs.send_message(QueueUrl=url, MessageBody="only")
    poller = SqsPoller(EventSourceMapping("sink_function", url, arn, 10, 1, REGION), sqs, lambda *_: None)

    (message,) = poller._receive_batch()

    assert int(message["Attributes"]["ApproximateReceiveCount"]) > 1
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None
