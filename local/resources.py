"""What the stack creates, created in the local AWS services from the same contracts.

SSM parameters (`personalization.contracts.parameters`, values from the emulator), the event
bus and its archive, and per sink (`personalization.contracts.topology.SINKS`): the queue, its
dead-letter queue with the same maximum receives and retention, and the sink's rule targeting
the queue. `create_event_resources` is the one builder: the local stack and the tests call it.
`create_stream_bridge` gives a rule whose AWS target is a Firehose stream (the analytics rule)
an SQS queue and DLQ as its target instead, for `local.firehose` to drain (see there).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from personalization.contracts import parameters
from personalization.contracts.topology import DLQ_RETENTION_DAYS, SINKS, DeliveryStreamSpec, SinkSpec
from personalization.settings import DEFAULT_EVENT_BUS_NAME

DLQ_RETENTION_SECONDS = DLQ_RETENTION_DAYS * 24 * 3600


@dataclass(frozen=True)
class SinkQueues:
    function: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str


def put_parameters(ssm: Any, prefix: str, values: Mapping[str, str]) -> None:
    """One parameter per relative name; the featured list is a StringList as in the stack."""
    for relative_name, value in values.items():
        kind = "StringList" if relative_name in parameters.STRING_LIST_PARAMETERS else "String"
        ssm.put_parameter(
            Name=parameters.full_name(prefix, relative_name), Value=value, Type=kind, Overwrite=True
        )


def create_event_bus(events: Any, name: str = DEFAULT_EVENT_BUS_NAME) -> str:
    """The bus and its archive (for replay after an outage); returns the bus ARN."""
    bus_arn: str = events.create_event_bus(Name=name)["EventBusArn"]
    events.create_archive(ArchiveName=f"{name}-archive", EventSourceArn=bus_arn)
    return bus_arn


def shortest_visibility_seconds(sink: SinkSpec) -> int:
    """The sink's batching window and a second. Its event source holds what it receives for the
    window; a shorter visibility would hand the same record out again while it gathers, each receive
    counting toward the dead-letter queue (AWS: visibility at least function timeout plus window)."""
    return sink.batching_window_seconds + 1


def create_sink(
    sqs: Any, events: Any, bus_name: str, sink: SinkSpec, visibility_timeout_seconds: int | None = None
) -> SinkQueues:
    """Queue + DLQ + rule for one sink. `visibility_timeout_seconds` overrides the sink's (tests),
    down to `shortest_visibility_seconds`."""
    base = f"retail-{sink.function.name.replace('_', '-')}"
    dlq_url = sqs.create_queue(
        QueueName=f"{base}-dlq", Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}
    )["QueueUrl"]
    dlq_arn = _queue_arn(sqs, dlq_url)
    visibility = (
        sink.visibility_timeout_seconds
        if visibility_timeout_seconds is None
        else max(visibility_timeout_seconds, shortest_visibility_seconds(sink))
    )
    queue_url = sqs.create_queue(
        QueueName=base,
        Attributes={
            "VisibilityTimeout": str(visibility),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(sink.max_receive_count)}
            ),
        },
    )["QueueUrl"]
    queue_arn = _queue_arn(sqs, queue_url)
    rule = sink.rule
    events.put_rule(
        Name=rule.name, EventBusName=bus_name, EventPattern=json.dumps(rule.pattern), State="ENABLED"
    )
    events.put_targets(
        Rule=rule.name, EventBusName=bus_name, Targets=[{"Id": sink.function.name, "Arn": queue_arn}]
    )
    return SinkQueues(sink.function.name, queue_url, queue_arn, dlq_url, dlq_arn)


def create_event_resources(
    events: Any,
    sqs: Any,
    bus_name: str = DEFAULT_EVENT_BUS_NAME,
    sinks: Sequence[SinkSpec] = SINKS,
    visibility_timeout_seconds: int | None = None,
) -> dict[str, SinkQueues]:
    """The bus with its archive, and every sink's queues and rule: the queues by function name."""
    create_event_bus(events, bus_name)
    return {
        sink.function.name: create_sink(sqs, events, bus_name, sink, visibility_timeout_seconds)
        for sink in sinks
    }


@dataclass(frozen=True)
class StreamBridge:
    """The queue standing in for a delivery stream's input, and its dead-letter queue."""

    stream: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str


def create_stream_bridge(
    sqs: Any,
    events: Any,
    bus_name: str,
    stream: DeliveryStreamSpec,
    *,
    max_receive_count: int,
    visibility_timeout_seconds: int,
) -> StreamBridge:
    """Queue + DLQ + the stream's rule (its shared pattern) targeting the queue with the whole event;
    the local delivery stream keeps the `detail`, as the deployed target's input path does."""
    base = f"retail-{stream.name}-stream"
    dlq_url = sqs.create_queue(
        QueueName=f"{base}-dlq", Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}
    )["QueueUrl"]
    dlq_arn = _queue_arn(sqs, dlq_url)
    queue_url = sqs.create_queue(
        QueueName=base,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout_seconds),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
            ),
        },
    )["QueueUrl"]
    queue_arn = _queue_arn(sqs, queue_url)
    rule = stream.rule
    events.put_rule(
        Name=rule.name, EventBusName=bus_name, EventPattern=json.dumps(rule.pattern), State="ENABLED"
    )
    events.put_targets(
        Rule=rule.name, EventBusName=bus_name, Targets=[{"Id": f"{stream.name}-stream", "Arn": queue_arn}]
    )
    return StreamBridge(stream.name, queue_url, queue_arn, dlq_url, dlq_arn)


def _queue_arn(sqs: Any, queue_url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
    arn: str = attributes["QueueArn"]
    return arn
