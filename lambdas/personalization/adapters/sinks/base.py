"""What the event sinks share: parse an SQS batch of bus events, deliver it, report partial failures.

A sink delivers the parsed records as a whole (it groups them into as few calls as the
service allows) and answers which records failed and why. The batch is then reported with
Powertools' BatchProcessor: failed records, and records that do not parse, come back in
`batchItemFailures`, so SQS redelivers them and, after the queue's maximum receives, moves
them to the dead-letter queue. Nothing is acknowledged that was not delivered.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from personalization.adapters.personalize import classify
from personalization.contracts.events import EventDetail, TrackedEventRecord
from personalization.contracts.metrics import MetricName
from personalization.observability import count_with_dimension, logger, metrics
from personalization.usecases.ports import ConfigUnavailableError, PersonalizationConfig

CIRCUIT_BREAKING_REASONS = frozenset({"throttled", "timeout", "unreachable", "service-error"})
"""After a call fails for one of these reasons, the sink makes no further calls in this batch."""
SKIPPED_AFTER_FAILURE = "skipped-after-failure"

T = TypeVar("T")


class RecordNotDeliveredError(Exception):
    """Raised for a record the sink could not deliver, so the batch reports it as failed."""


@dataclass
class DeliveryReport:
    """Which records were delivered, and why the others were not (message id -> reason)."""

    delivered: int = 0
    failed: dict[str, str] = field(default_factory=dict)

    def fail(self, records: Sequence[TrackedEventRecord], reason: str) -> None:
        for record in records:
            self.failed[record.messageId] = reason


Deliver = Callable[[Sequence[TrackedEventRecord]], DeliveryReport]


@dataclass
class BusEvent:
    """One event and the records that carried it: a message may arrive twice, a client may resend."""

    detail: EventDetail
    records: list[TrackedEventRecord]


def unique_events(records: Sequence[TrackedEventRecord]) -> list[BusEvent]:
    """The records' events, once each by eventId, in the order first seen."""
    events: dict[str, BusEvent] = {}
    for record in records:
        detail = record.body.detail
        if detail.eventId in events:
            events[detail.eventId].records.append(record)
        else:
            events[detail.eventId] = BusEvent(detail, [record])
    return list(events.values())


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_records(event: Mapping[str, Any]) -> list[TrackedEventRecord]:
    """The records that parse (Powertools Parser); the others fail in the batch report."""
    parsed = []
    for record in event.get("Records", []):
        try:
            parsed.append(parse(event=record, model=TrackedEventRecord))
        except ValidationError as error:
            logger.error(
                "record is not a tracked bus event",
                extra={"messageId": record.get("messageId"), "problems": error.error_count()},
            )
            count_with_dimension(MetricName.EVENTS_FAILED, "reason", "malformed")
    return parsed


def process_sink_batch(
    event: dict[str, Any], context: LambdaContext, deliver: Deliver
) -> PartialItemFailureResponse:
    report = deliver(parse_records(event))
    metrics.add_metric(name=MetricName.EVENTS_DELIVERED, unit=MetricUnit.Count, value=report.delivered)
    for reason in sorted(set(report.failed.values())):
        count = sum(1 for failed_reason in report.failed.values() if failed_reason == reason)
        count_with_dimension(MetricName.EVENTS_FAILED, "reason", reason, count)

    def check(record: TrackedEventRecord) -> None:
        reason = report.failed.get(record.messageId)
        if reason is not None:
            raise RecordNotDeliveredError(reason)

    processor = BatchProcessor(
        event_type=EventType.SQS, model=TrackedEventRecord, raise_on_entire_batch_failure=False
    )
    return process_partial_response(event=event, record_handler=check, processor=processor, context=context)


class Sink(ABC):
    """A sink's delivery of a batch: the configuration is read once, then `deliver_configured`."""

    def __init__(self, client: Any, load_config: Callable[[], PersonalizationConfig]) -> None:
        self._client = client
        self._load_config = load_config

    def deliver(self, records: Sequence[TrackedEventRecord]) -> DeliveryReport:
        report = DeliveryReport()
        config = batch_config(records, self._load_config, report)
        if config is not None:
            self.deliver_configured(records, config, report)
        return report

    @abstractmethod
    def deliver_configured(
        self, records: Sequence[TrackedEventRecord], config: PersonalizationConfig, report: DeliveryReport
    ) -> None:
        """Deliver a non-empty batch, recording each record's failure in `report`."""


def batch_config(
    records: Sequence[TrackedEventRecord], load: Callable[[], PersonalizationConfig], report: DeliveryReport
) -> PersonalizationConfig | None:
    """The configuration to deliver a batch with (the last one read when SSM fails), or None
    when there is nothing to deliver or no configuration at all (the records then fail)."""
    if not records:
        return None
    try:
        return load()
    except ConfigUnavailableError as error:
        logger.warning("SSM configuration unavailable", extra={"error": str(error)})
        if error.last_known is None:
            report.fail(records, "config-unavailable")
        return error.last_known


def failure_reason(error: BotoCoreError | ClientError) -> str:
    """A failed call's reason: the metric dimension, the same reasons as the read path's fallbacks."""
    reason = classify(error)
    logger.warning("sink call failed", extra={"reason": reason, "error": str(error)})
    return reason


def record_calls(count: int) -> None:
    metrics.add_metric(name=MetricName.PUT_EVENTS_CALLS, unit=MetricUnit.Count, value=count)
