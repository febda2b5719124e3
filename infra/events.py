"""The event fan-out: bus, archive, one rule per shared rule pattern, one queue per sink.

Built from the contracts' `SINKS` (each holds its rule and its function), so a new sink is one
more RuleSpec, SinkSpec and FunctionSpec and appears here without changes. Delivery is at
least once and nothing is dropped silently: EventBridge retries delivery to the queue
and sends what it cannot deliver to the sink's dead-letter queue; the sink function
reports partial batch failures, and a record that fails `max_receive_count` times
moves to the same dead-letter queue (one place to inspect and redrive per sink).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.functions import Functions
from infra.nag import acknowledge
from infra.naming import pascal_case
from personalization.contracts.events import EVENT_SOURCE
from personalization.contracts.topology import DLQ_RETENTION_DAYS, Access, FunctionSpec, SinkSpec
from personalization.settings import DEAD_LETTER_QUEUE_URL

DLQ_RETENTION = Duration.days(DLQ_RETENTION_DAYS)
DLQ_IS_THE_END = (
    "This is the dead-letter queue: the end of the line. An alarm fires when it holds a message; "
    "an operator inspects and redrives it to the sink's queue."
)
SQS_FAILURES_TO_REDRIVE = (
    "On-failure destinations exist for stream and Kafka sources only; an SQS record that fails "
    "maxReceiveCount times moves to the queue's dead-letter queue (redrive policy)."
)


@dataclass(frozen=True)
class SinkResources:
    spec: SinkSpec
    rule: events.Rule
    queue: sqs.Queue
    dead_letter_queue: sqs.Queue
    function: lambda_.Function


def event_pattern(pattern: dict[str, object]) -> events.EventPattern:
    """The shared pattern as a CDK EventPattern (`detail-type` -> `detail_type`); renders back unchanged."""
    return events.EventPattern(**{key.replace("-", "_"): value for key, value in pattern.items()})  # type: ignore[arg-type]


class EventFanOut(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus_name: str,
        archive_retention_days: int,
        sinks: Sequence[SinkSpec],
        functions: Functions,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus", event_bus_name=bus_name, description="Storefront events")
        self.bus.archive(
            "Archive",
            description="Every storefront event, for replay after an outage",
            event_pattern=events.EventPattern(source=[EVENT_SOURCE]),
            retention=Duration.days(archive_retention_days) if archive_retention_days else None,
        )
        self.sinks: dict[FunctionSpec, SinkResources] = {}
        """Each sink's resources, by the spec of the function it feeds (a SinkSpec is no dict key:
        its rule's pattern is a dict)."""
        for sink in sinks:
            if sink.function in self.sinks:
                raise ValueError(f"{sink.function.name} is fed by more than one sink")
            self.sinks[sink.function] = self._add_sink(sink, functions[sink.function])

    def _add_sink(self, sink: SinkSpec, function: lambda_.Function) -> SinkResources:
        rule = sink.rule
        scope = Construct(self, pascal_case(sink.function.name))
        dead_letter_queue = sqs.Queue(
            scope,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        acknowledge(dead_letter_queue, "Serverless-SQSRedrivePolicy", DLQ_IS_THE_END)
        queue = sqs.Queue(
            scope,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(sink.visibility_timeout_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=dead_letter_queue, max_receive_count=sink.max_receive_count
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
        bus_rule = events.Rule(
            scope,
            "Rule",
            event_bus=self.bus,
            description=f"{rule.name}: to {sink.function.name}",
            event_pattern=event_pattern(rule.pattern),
            targets=[targets.SqsQueue(queue, dead_letter_queue=dead_letter_queue)],
        )
        function.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=sink.batch_size,
                max_batching_window=Duration.seconds(sink.batching_window_seconds),
                report_batch_item_failures=True,
            )
        )
        acknowledge(function, "Serverless-LambdaEventSourceMappingDestination", SQS_FAILURES_TO_REDRIVE)
        if Access.DEAD_LETTER_QUEUE in sink.function.access:
            # The function sets aside the records the service refuses for good (SendMessage, this queue only).
            dead_letter_queue.grant_send_messages(function)
            function.add_environment(DEAD_LETTER_QUEUE_URL, dead_letter_queue.queue_url)
        return SinkResources(sink, bus_rule, queue, dead_letter_queue, function)
