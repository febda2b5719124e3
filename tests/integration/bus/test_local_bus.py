"""The local EventBridge and SQS (`local.bus`) over the wire: boto3 and the AWS CLI, as the twin uses them."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from local.bus.server import BusServer
from local.resources import create_event_resources, put_parameters
from personalization.contracts.events import EVENT_SOURCE
from personalization.contracts.topology import SINKS
from personalization.settings import DEFAULT_EVENT_BUS_NAME

pytestmark = pytest.mark.integration

REGION = "us-east-1"
ARCHIVE = f"{DEFAULT_EVENT_BUS_NAME}-archive"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    moto = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    moto.start()
    forward = f"http://127.0.0.1:{moto.get_host_and_port()[1]}"
    with BusServer(tmp_path_factory.mktemp("archive"), forward_url=forward, region=REGION) as bus:
        yield bus.url
    moto.stop()


def client(endpoint: str, service: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )


@pytest.fixture(scope="module")
def sinks(endpoint: str) -> dict[str, Any]:
    return create_event_resources(
        client(endpoint, "events"), client(endpoint, "sqs"), visibility_timeout_seconds=1
    )


def detail(event_id: str, *, user_id: str | None, item_id: str | None) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "eventType": "ProductViewed",
        "sessionId": "session-1",
        "userId": user_id,
        "itemId": item_id,
        "sentAt": "2026-12-01T08:00:00.000Z",
        "recommendationId": None,
        "properties": {},
    }


def put(endpoint: str, *details: dict[str, Any]) -> dict[str, Any]:
    entries = [
        {
            "Source": EVENT_SOURCE,
            "DetailType": d["eventType"],
            "Detail": json.dumps(d),
            "EventBusName": DEFAULT_EVENT_BUS_NAME,
        }
        for d in details
    ]
    answer: dict[str, Any] = client(endpoint, "events").put_events(Entries=entries)
    return answer


def drain(endpoint: str, queue_url: str) -> list[dict[str, Any]]:
    sqs = client(endpoint, "sqs")
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"]
    ).get("Messages", []):
        messages.extend(batch)
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)],
        )
    return messages


def event_ids(messages: list[dict[str, Any]]) -> set[str]:
    return {json.loads(m["Body"])["detail"]["eventId"] for m in messages}


def test_the_rules_route_each_event_to_the_queues_whose_pattern_matches(
    endpoint: str, sinks: dict[str, Any]
) -> None:
    answer = put(
        endpoint,
        detail("signed-in-item", user_id="7", item_id="item-1"),
        detail("anonymous-item", user_id=None, item_id="item-2"),
        detail("signed-in-no-item", user_id="8", item_id=None),
    )

    assert answer["FailedEntryCount"] == 0
    assert event_ids(drain(endpoint, sinks["personalize_sync"].queue_url)) == {
        "signed-in-item",
        "anonymous-item",
    }
    assert event_ids(drain(endpoint, sinks["pinpoint_sync"].queue_url)) == {
        "signed-in-item",
        "signed-in-no-item",
    }


def test_a_delivered_event_has_eventbridges_envelope(endpoint: str, sinks: dict[str, Any]) -> None:
    put(endpoint, detail("envelope", user_id=None, item_id="item-3"))

    [message] = drain(endpoint, sinks["personalize_sync"].queue_url)
    body = json.loads(message["Body"])

    assert set(body) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }
    assert (body["source"], body["detail-type"], body["region"]) == (EVENT_SOURCE, "ProductViewed", REGION)
    assert body["detail"]["userId"] is None
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"


def test_entries_the_bus_cannot_take_are_named_and_the_others_accepted(endpoint: str) -> None:
    events = client(endpoint, "events")
    answer = events.put_events(
        Entries=[
            {"Source": EVENT_SOURCE, "DetailType": "ProductViewed", "Detail": "not json"},
            {"Source": EVENT_SOURCE, "DetailType": "ProductViewed", "Detail": "{}"},
        ]
    )

    assert answer["FailedEntryCount"] == 1
    assert answer["Entries"][0]["ErrorCode"] == "MalformedDetail"
    assert "EventId" in answer["Entries"][1]
    with pytest.raises(ClientError) as too_many:
        events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}] * 11)
    assert too_many.value.response["Error"]["Code"] == "ValidationException"


def test_the_archive_keeps_every_event_and_replays_them(endpoint: str, sinks: dict[str, Any]) -> None:
    events = client(endpoint, "events")
    before = events.describe_archive(ArchiveName=ARCHIVE)["EventCount"]
    put(endpoint, detail("archived", user_id=None, item_id="item-4"))
    drain(endpoint, sinks["personalize_sync"].queue_url)
    archive = events.describe_archive(ArchiveName=ARCHIVE)
    assert archive["EventCount"] == before + 1

    bus_arn = events.describe_event_bus(Name=DEFAULT_EVENT_BUS_NAME)["Arn"]
    now = time.time()
    events.start_replay(
        ReplayName="replay-1",
        EventSourceArn=archive["ArchiveArn"],
        EventStartTime=now - 3600,
        EventEndTime=now + 60,
        Destination={"Arn": bus_arn},
    )
    deadline = time.monotonic() + 10
    while events.describe_replay(ReplayName="replay-1")["State"] != "COMPLETED":
        assert time.monotonic() < deadline, "the replay did not complete"
        time.sleep(0.05)
    replayed = [json.loads(m["Body"]) for m in drain(endpoint, sinks["personalize_sync"].queue_url)]
    assert "archived" in {body["detail"]["eventId"] for body in replayed}
    assert {body.get("replay-name") for body in replayed} == {"replay-1"}


def test_a_record_received_max_receive_count_times_moves_to_the_dead_letter_queue(
    endpoint: str, sinks: dict[str, Any]
) -> None:
    sqs = client(endpoint, "sqs")
    queues = sinks["personalize_sync"]
    maximum = next(s for s in SINKS if s.function.name == "personalize_sync").max_receive_count
    put(endpoint, detail("doomed", user_id=None, item_id="item-5"))

    for _ in range(maximum):
        received = sqs.receive_message(QueueUrl=queues.queue_url, WaitTimeSeconds=5, VisibilityTimeout=0)
        assert [m["Body"] for m in received["Messages"]]
    assert sqs.receive_message(QueueUrl=queues.queue_url, WaitTimeSeconds=0).get("Messages") is None

    [dead] = drain(endpoint, queues.dlq_url)
    assert json.loads(dead["Body"])["detail"]["eventId"] == "doomed"
    assert int(dead["Attributes"]["ApproximateReceiveCount"]) >= maximum


def test_visibility_timeouts_hide_a_message_until_they_end_or_change(endpoint: str) -> None:
    sqs = client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="visibility", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")

    [first] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    [second] = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]

    assert second["MessageId"] == first["MessageId"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (
        attributes["ApproximateNumberOfMessages"],
        attributes["ApproximateNumberOfMessagesNotVisible"],
    ) == ("0", "1")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])[
        "Attributes"
    ] == {"ApproximateNumberOfMessagesNotVisible": "0"}


def test_message_attributes_and_their_digest_are_those_sqs_computes(endpoint: str) -> None:
    sqs = client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="attributes")["QueueUrl"]
    attributes = {
        "reason": {"DataType": "String", "StringValue": "rejected"},
        "n": {"DataType": "Number", "StringValue": "3"},
    }

    sent = sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]

    # botocore checks both digests against its own computation and raises when they differ.
    assert message["MessageAttributes"] == attributes
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_sqs_errors_have_the_services_codes(endpoint: str) -> None:
    sqs = client(endpoint, "sqs")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="no-such-queue")
    url = sqs.create_queue(QueueName="errors")["QueueUrl"]
    with pytest.raises(ClientError) as empty:
        sqs.delete_message_batch(QueueUrl=url, Entries=[])
    assert "EmptyBatchRequest" in empty.value.response["Error"]["Code"]


def test_a_long_poll_answers_as_soon_as_a_message_arrives(endpoint: str) -> None:
    sqs = client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="long-poll")["QueueUrl"]
    sender = client(endpoint, "sqs")
    import threading

    threading.Timer(0.2, lambda: sender.send_message(QueueUrl=url, MessageBody="late")).start()

    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, MaxNumberOfMessages=10)["Messages"]

    assert [m["Body"] for m in messages] == ["late"]


def test_every_other_service_is_answered_by_moto_behind_the_same_endpoint(endpoint: str) -> None:
    ssm = client(endpoint, "ssm")
    put_parameters(ssm, "/forwarded", {"catalog/featured-item-ids": "a,b"})

    [parameter] = ssm.get_parameters_by_path(Path="/forwarded", Recursive=True)["Parameters"]

    assert (parameter["Type"], parameter["Value"]) == ("StringList", "a,b")


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_talks_to_the_local_services(
    endpoint: str, sinks: dict[str, Any], tmp_path: Path
) -> None:
    environment = {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": REGION,
        "HOME": str(tmp_path),
        "PATH": "/usr/local/bin:/usr/bin:/bin:" + str(Path(shutil.which("aws") or "aws").parent),
    }

    def cli(*arguments: str) -> Any:
        completed = subprocess.run(
            ["aws", "--endpoint-url", endpoint, "--output", "json", *arguments],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=True,
        )
        return json.loads(completed.stdout or "{}")

    rules = cli("events", "list-rules", "--event-bus-name", DEFAULT_EVENT_BUS_NAME)["Rules"]
    queues = cli("sqs", "list-queues")["QueueUrls"]

    assert {s.rule.name for s in SINKS} <= {rule["Name"] for rule in rules}
    assert sinks["personalize_sync"].queue_url in queues
