"""The analytics path's figures: AWS/Firehose from the local delivery stream (a flush that succeeds,
one that fails, the freshness sample) and AWS/Events from the local bus's rule counters, on the
twin's own bus and queues (`local.bus`, no HTTP) as the local stack wires them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics.layout import read_records
from local.bus.events import EventBridge
from local.bus.queues import Queues
from local.firehose import FRESHNESS_SAMPLE_SECONDS, FolderWriter, LocalDeliveryStream, StreamConfig
from local.metrics.figures import EVENTS, FIREHOSE, LocalMetrics
from local.resources import StreamBridge, create_event_bus, create_stream_bridge
from personalization.contracts.events import EVENT_SOURCE
from personalization.contracts.topology import ANALYTICS_STREAM
from personalization.settings import DEFAULT_EVENT_BUS_NAME
from tests.unit.analytics.conftest import Clock, FlakyWriter
from tests.unit.metrics_local.conftest import Captured

pytestmark = pytest.mark.unit

STREAM_NAME = "retail-personalization-analytics"
STREAM = (("DeliveryStreamName", STREAM_NAME),)
RULE = (("EventBusName", DEFAULT_EVENT_BUS_NAME), ("RuleName", ANALYTICS_STREAM.rule.name))
MAX_RECEIVE_COUNT = 3


class Client:
    """A boto3-like client (keyword arguments) over a model of the local bus (one request dict)."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def __getattr__(self, operation: str) -> Callable[..., dict[str, Any]]:
        method = getattr(self._model, operation)
        return lambda **request: method(request)


class Analytics:
    """The bus with the analytics rule targeting its bridge queue, as `local.stack` builds them."""

    def __init__(self, tmp_path: Path) -> None:
        self.bus = EventBridge(Queues("http://local", "123456789012", "us-east-1"), tmp_path / "archive")
        self.events, self.sqs = Client(self.bus), Client(self.bus.queues)
        create_event_bus(self.events)
        self.bridge: StreamBridge = create_stream_bridge(
            self.sqs,
            self.events,
            DEFAULT_EVENT_BUS_NAME,
            ANALYTICS_STREAM,
            max_receive_count=MAX_RECEIVE_COUNT,
            visibility_timeout_seconds=30,
        )

    def put(self, *event_ids: str) -> None:
        entries = [
            {
                "Source": EVENT_SOURCE,
                "DetailType": "ProductViewed",
                "Detail": json.dumps({"eventId": event_id, "eventType": "ProductViewed", "itemId": "1"}),
                "EventBusName": DEFAULT_EVENT_BUS_NAME,
            }
            for event_id in event_ids
        ]
        assert self.bus.put_events({"Entries": entries})["FailedEntryCount"] == 0

    def stream(
        self, write: Any, clock: Clock, publisher: Captured, wall_clock: Callable[[], float] = time.time
    ) -> LocalDeliveryStream:
        config = StreamConfig(STREAM_NAME, self.bridge.queue_url, max_receive_count=MAX_RECEIVE_COUNT)
        return LocalDeliveryStream(
            config, self.sqs, write, clock, metrics=LocalMetrics(publisher), wall_clock=wall_clock
        )


@pytest.fixture
def analytics(tmp_path: Path) -> Iterator[Analytics]:
    built = Analytics(tmp_path)
    yield built
    built.bus.close()


def written_ids(root: Path) -> list[str]:
    return [
        record["eventId"]
        for path in sorted(root.glob("analytics/event_date=*/*.gz"))
        for record in read_records(path.read_bytes())
    ]


def test_a_flush_that_succeeds_publishes_the_records_in_and_delivered(
    analytics: Analytics, tmp_path: Path
) -> None:
    clock, publisher = Clock(), Captured()
    stream = analytics.stream(FolderWriter(tmp_path), clock, publisher)
    analytics.put("e1", "e2")

    stream.step()  # takes both in
    assert publisher.values(FIREHOSE, "IncomingRecords", STREAM) == [2.0]
    assert publisher.values(FIREHOSE, "IncomingBytes", STREAM)[0] > 0
    assert "DeliveryToS3.Success" not in publisher.names(FIREHOSE), "nothing written yet"

    clock.now = 5.0
    stream.step()  # the buffer interval has passed: one object
    assert sorted(written_ids(tmp_path)) == ["e1", "e2"]
    assert publisher.values(FIREHOSE, "DeliveryToS3.Records", STREAM) == [2.0]
    assert publisher.values(FIREHOSE, "DeliveryToS3.Success", STREAM) == [1.0]
    (size,) = publisher.values(FIREHOSE, "DeliveryToS3.Bytes", STREAM)
    assert size == sum(path.stat().st_size for path in tmp_path.glob("analytics/event_date=*/*.gz"))
    assert {d.dimensions for d in publisher.datums if d.namespace == FIREHOSE} == {STREAM}
    assert publisher.values(FIREHOSE, "DeliveryToS3.DataFreshness", STREAM)[-1] == 0.0, "all delivered"
    units = {d.name: d.unit for d in publisher.datums}
    assert (units["IncomingRecords"], units["DeliveryToS3.Bytes"]) == ("Count", "Bytes")
    assert units["DeliveryToS3.DataFreshness"] == "Seconds"


def test_a_flush_that_fails_publishes_a_failed_delivery_and_its_records_are_not_taken_in_twice(
    analytics: Analytics, tmp_path: Path
) -> None:
    clock, publisher = Clock(), Captured()
    writer = FlakyWriter(tmp_path, failures=1)
    stream = analytics.stream(writer, clock, publisher)
    analytics.put("e1", "e2")
    stream.step()
    clock.now = 5.0
    stream.step()  # the write fails: the records come again after a backoff of 1 s

    assert publisher.values(FIREHOSE, "DeliveryToS3.Success", STREAM) == [0.0]
    assert publisher.values(FIREHOSE, "DeliveryToS3.Records", STREAM) == []
    assert stream.data_freshness() > 0, "the records are still to be delivered"

    deadline = time.monotonic() + 10
    while not written_ids(tmp_path):
        assert time.monotonic() < deadline, "the records did not come again"
        clock.now += 5.0
        stream.step()
    assert sorted(written_ids(tmp_path)) == ["e1", "e2"]
    assert publisher.values(FIREHOSE, "DeliveryToS3.Success", STREAM) == [0.0, 1.0]
    assert publisher.values(FIREHOSE, "DeliveryToS3.Records", STREAM) == [2.0]
    assert sum(publisher.values(FIREHOSE, "IncomingRecords", STREAM)) == 2, "redelivered, not new"
    assert stream.data_freshness() == 0.0


def test_freshness_is_the_age_of_the_oldest_record_not_delivered(
    analytics: Analytics, tmp_path: Path
) -> None:
    clock, publisher = Clock(), Captured()
    offset = 30.0
    stream = analytics.stream(
        FlakyWriter(tmp_path, failures=1), clock, publisher, wall_clock=lambda: time.time() + offset
    )
    assert stream.data_freshness() == 0.0
    before = time.time()
    analytics.put("e1")

    stream.step()  # takes it in; its first step samples
    (sampled,) = publisher.values(FIREHOSE, "DeliveryToS3.DataFreshness", STREAM)
    assert offset <= sampled <= offset + (time.time() - before) + 0.01
    clock.now = FRESHNESS_SAMPLE_SECONDS - 0.5
    stream.step()  # neither the buffer nor the next sample is due
    assert len(publisher.values(FIREHOSE, "DeliveryToS3.DataFreshness", STREAM)) == 1
    clock.now = FRESHNESS_SAMPLE_SECONDS
    stream.step()  # the write fails: the record waits for its redelivery, and keeps ageing
    samples = publisher.values(FIREHOSE, "DeliveryToS3.DataFreshness", STREAM)
    assert publisher.values(FIREHOSE, "DeliveryToS3.Success", STREAM) == [0.0]
    assert len(samples) == 2
    assert samples[1] >= sampled


def test_a_record_given_up_to_the_dlq_no_longer_ages_the_stream(analytics: Analytics, tmp_path: Path) -> None:
    clock, publisher = Clock(), Captured()
    config = StreamConfig(STREAM_NAME, analytics.bridge.queue_url, max_receive_count=1)
    stream = LocalDeliveryStream(
        config,
        analytics.sqs,
        FlakyWriter(tmp_path, failures=1),
        clock,
        metrics=LocalMetrics(publisher),
        wall_clock=lambda: time.time() + 30,
    )
    analytics.put("e1")
    stream.step()
    assert stream.data_freshness() >= 30, "taken in, not delivered"
    clock.now = 5.0
    stream.step()  # fails on its last receive: the queue moves it to the DLQ next
    assert publisher.values(FIREHOSE, "DeliveryToS3.Success", STREAM) == [0.0]
    assert stream.data_freshness() == 0.0


class NoMessages:
    """An SQS with nothing to receive (answers at once)."""

    def receive_message(self, **request: Any) -> dict[str, Any]:
        return {}


def test_freshness_is_sampled_every_five_seconds_and_is_zero_when_nothing_waits() -> None:
    clock, publisher = Clock(), Captured()
    stream = LocalDeliveryStream(
        StreamConfig(STREAM_NAME, "http://local/q"),
        NoMessages(),
        FolderWriter(Path("unused")),
        clock,
        metrics=LocalMetrics(publisher),
    )
    for moment in (0.0, 1.0, 4.9, 5.0, 7.0, 10.0):
        clock.now = moment
        stream.step()
    assert publisher.values(FIREHOSE, "DeliveryToS3.DataFreshness", STREAM) == [0.0, 0.0, 0.0]
    assert publisher.names(FIREHOSE) == {"DeliveryToS3.DataFreshness"}


def test_without_metrics_the_stream_publishes_nothing(analytics: Analytics, tmp_path: Path) -> None:
    config = StreamConfig(STREAM_NAME, analytics.bridge.queue_url)
    clock = Clock()
    stream = LocalDeliveryStream(config, analytics.sqs, FolderWriter(tmp_path), clock)
    analytics.put("e1")
    stream.step()
    clock.now = 5.0
    stream.step()
    assert written_ids(tmp_path) == ["e1"]


# AWS/Events


def bus_stats(bus: EventBridge) -> dict[str, Any]:
    """What `GET /_bus/stats` answers (`local.bus.server`)."""
    return {"queues": bus.queues.depths(), "bus": bus.stats()}


def rules_of(bus: EventBridge) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = bus.stats()["rules"]
    return rules


def test_the_bus_counts_matches_and_invocations_per_rule(analytics: Analytics) -> None:
    analytics.put("e1", "e2")
    (rule,) = [r for r in rules_of(analytics.bus) if r["rule"] == ANALYTICS_STREAM.rule.name]
    assert rule == {
        "bus": DEFAULT_EVENT_BUS_NAME,
        "rule": ANALYTICS_STREAM.rule.name,
        "matchedEvents": 2,
        "invocations": 2,
        "failedInvocations": 0,
        "sentToDlq": 0,
    }


def test_a_target_that_fails_for_good_is_a_failed_invocation_and_a_dead_letter(analytics: Analytics) -> None:
    dlq = analytics.sqs.create_queue(QueueName="rule-dlq")["QueueUrl"]
    dlq_arn = analytics.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    analytics.events.put_rule(
        Name="to-lambda",
        EventBusName=DEFAULT_EVENT_BUS_NAME,
        EventPattern=json.dumps({"source": [EVENT_SOURCE]}),
    )
    analytics.events.put_targets(
        Rule="to-lambda",
        EventBusName=DEFAULT_EVENT_BUS_NAME,
        Targets=[
            {
                "Id": "fn",
                "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "DeadLetterConfig": {"Arn": dlq_arn},
            }
        ],
    )
    analytics.put("e1")
    (rule,) = [r for r in rules_of(analytics.bus) if r["rule"] == "to-lambda"]
    assert (rule["matchedEvents"], rule["invocations"], rule["failedInvocations"], rule["sentToDlq"]) == (
        1,
        1,
        1,
        1,
    )


def test_a_rule_sample_publishes_what_grew_by_bus_and_rule_name(analytics: Analytics) -> None:
    publisher = Captured()
    metrics = LocalMetrics(publisher)
    analytics.put("e1", "e2")
    metrics.bus_sample(bus_stats(analytics.bus))
    assert publisher.values(EVENTS, "MatchedEvents", RULE) == [2.0]
    assert publisher.values(EVENTS, "Invocations", RULE) == [2.0]
    assert publisher.names(EVENTS) == {"MatchedEvents", "Invocations"}, "zeros are not sent"
    queues = {d.dimensions for d in publisher.datums if d.namespace == "AWS/SQS"}
    assert (("QueueName", "retail-analytics-stream"),) in queues, "the queues sampled with the rules"

    publisher.datums.clear()
    metrics.bus_sample(bus_stats(analytics.bus))
    assert publisher.names(EVENTS) == set(), "nothing grew"
    analytics.put("e3")
    metrics.bus_sample(bus_stats(analytics.bus))
    assert publisher.values(EVENTS, "Invocations", RULE) == [1.0]


def test_a_rule_of_the_default_bus_is_named_by_its_rule_name_alone() -> None:
    publisher = Captured()
    metrics = LocalMetrics(publisher)
    counters = {"matchedEvents": 4, "invocations": 4, "failedInvocations": 1, "sentToDlq": 0}
    metrics.rule_sample([{"bus": "default", "rule": "r", **counters}])
    assert publisher.values(EVENTS, "FailedInvocations", (("RuleName", "r"),)) == [1.0]
    assert {d.unit for d in publisher.datums} == {"Count"}
    publisher.datums.clear()
    metrics.rule_sample([{"bus": "default", "rule": "r", **counters, "invocations": 1}])  # the bus restarted
    assert publisher.values(EVENTS, "Invocations", (("RuleName", "r"),)) == [1.0]
