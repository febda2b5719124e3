"""What the event sinks share: one pass over an SQS batch of bus events.

Each record is parsed once, the records that parse are delivered once (a sink groups them into
as few calls as the service allows), and then each record's outcome decides its fate:

- delivered, or acknowledged without delivery: Lambda deletes it;
- refused for good (its body does not parse; the service rejects it: a 4xx that is neither
  throttling nor not-found, botocore's parameter validation, a Pinpoint per-event 400): sent at
  once to the sink's dead-letter queue with the reason as a message attribute, and acknowledged
  (`Rejected`). When that send fails, the record fails like a transient failure;
- failed for a transient reason: listed in `batchItemFailures` and hidden for a backoff that
  grows with its receive count: 30 s, 2 min, 8 min, 32 min, 2 h 8 min (at most 12 h). Over the
  queues' 5 receives that is 2 h 50 min 30 s (`RETRY_HORIZON_SECONDS`) before the queue's
  redrive policy moves the record to the dead-letter queue.

The metrics are emitted once, when every record's outcome is known. A rejection never stops
the batch: only the CIRCUIT_BREAKING_REASONS do.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from pydantic import ValidationError

from personalization.adapters.aws import ClientLimits, get_client
from personalization.adapters.personalize import classify
from personalization.contracts.events import EventDetail, TrackedEventRecord
from personalization.contracts.metrics import MetricName
from personalization.observability import count_with_dimension, logger, metrics
from personalization.settings import SQS_MAX_VISIBILITY_SECONDS, sink_settings
from personalization.usecases.ports import ConfigUnavailableError, PersonalizationConfig

CIRCUIT_BREAKING_REASONS = frozenset({"throttled", "timeout", "unreachable", "service-error"})
"""After a call fails for one of these reasons, the sink makes no further calls in this batch."""
MALFORMED = "malformed"
INVALID_REQUEST = "invalid-request"
"""botocore refused to send the request (ParamValidationError)."""
PERMANENT_REASONS = frozenset({MALFORMED, INVALID_REQUEST, "rejected"})
"""The record can never be delivered as it is: it goes to the dead-letter queue at once."""
SKIPPED_AFTER_FAILURE = "skipped-after-failure"

BACKOFF_FIRST_SECONDS = 30
BACKOFF_FACTOR = 4
RETRY_HORIZON_SECONDS = 10_230
"""From a record's first receive to the dead-letter queue when every attempt fails transiently:
the backoffs after each of the queues' 5 receives (SinkSpec.max_receive_count; a test keeps them equal)."""
SQS_CLIENT_LIMITS = ClientLimits(connect_timeout=0.5, read_timeout=1.0, attempts=2)
SQS_MAX_BATCH_ENTRIES = 10

T = TypeVar("T")


def backoff_seconds(receive_count: int, longest: int = SQS_MAX_VISIBILITY_SECONDS) -> int:
    """How long a record that failed on its `receive_count`-th receive stays hidden."""
    exponent = min(max(receive_count, 1) - 1, 8)
    return min(BACKOFF_FIRST_SECONDS * BACKOFF_FACTOR**exponent, longest)


@dataclass(frozen=True)
class ReceivedRecord:
    """One record of the SQS event: what the function needs of it, and its bus event if the body parses."""

    message_id: str
    receipt_handle: str
    body: str
    receive_count: int
    queue_arn: str
    record: TrackedEventRecord | None

    @property
    def event_id(self) -> str | None:
        return None if self.record is None else self.record.body.detail.eventId

    @property
    def queue_url(self) -> str:
        """The source queue's URL, from its ARN (`arn:aws:sqs:{region}:{account}:{name}`)."""
        _, _, _, region, account, name = self.queue_arn.split(":")
        return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def parse_batch(event: Mapping[str, Any]) -> list[ReceivedRecord]:
    """Every record of the event, parsed once; a body that is not a tracked bus event leaves `record` None."""
    received = []
    for raw in event.get("Records", []):
        try:
            record: TrackedEventRecord | None = TrackedEventRecord.model_validate(raw)
        except ValidationError as error:
            logger.error(
                "record is not a tracked bus event",
                extra={"messageId": raw["messageId"], "problems": error.error_count()},
            )
            record = None
        received.append(
            ReceivedRecord(
                message_id=raw["messageId"],
                receipt_handle=raw["receiptHandle"],
                body=raw["body"],
                receive_count=int(raw.get("attributes", {}).get("ApproximateReceiveCount", 1)),
                queue_arn=raw["eventSourceARN"],
                record=record,
            )
        )
    return received


@dataclass
class DeliveryReport:
    """Each record's outcome (by message id) and the counts of the batch's other metrics."""

    delivered: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    """Transient failures: message id -> reason."""
    rejected: dict[str, str] = field(default_factory=dict)
    """Refused for good (PERMANENT_REASONS): message id -> reason."""
    counts: Counter[MetricName] = field(default_factory=Counter)

    def fail(self, records: Sequence[TrackedEventRecord], reason: str) -> None:
        outcomes = self.rejected if reason in PERMANENT_REASONS else self.failed
        for record in records:
            outcomes[record.messageId] = reason

    def count(self, metric: MetricName, value: int = 1) -> None:
        self.counts[metric] += value

    def emit_metrics(self) -> None:
        metrics.add_metric(name=MetricName.EVENTS_DELIVERED, unit=MetricUnit.Count, value=self.delivered)
        for metric, value in sorted(self.counts.items()):
            metrics.add_metric(name=metric, unit=MetricUnit.Count, value=value)
        for metric, reasons in (
            (MetricName.EVENTS_FAILED, self.failed),
            (MetricName.REJECTED, self.rejected),
        ):
            for reason, count in sorted(Counter(reasons.values()).items()):
                count_with_dimension(metric, "reason", reason, count)


class SinkQueues:
    """The SQS calls a sink makes itself: dead letters to its DLQ, backoff on its source queue."""

    def __init__(self, client: Any, dead_letter_queue_url: str, longest_backoff_seconds: int) -> None:
        self._client = client
        self._dead_letter_queue_url = dead_letter_queue_url
        self._longest_backoff_seconds = longest_backoff_seconds

    def set_aside(self, received: ReceivedRecord, reason: str) -> bool:
        """Sends the record's body to the dead-letter queue; False when that failed."""
        about = {"messageId": received.message_id, "eventId": received.event_id, "reason": reason}
        attributes = {name: value for name, value in about.items() if value is not None}
        try:
            self._client.send_message(
                QueueUrl=self._dead_letter_queue_url,
                MessageBody=received.body,
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()
                },
            )
        except (BotoCoreError, ClientError) as error:
            logger.error(
                "dead-letter queue unavailable; the record fails instead",
                extra={**about, "error": str(error)},
            )
            return False
        logger.warning("record refused for good, set aside in the dead-letter queue", extra=about)
        return True

    def back_off(self, failed: Sequence[ReceivedRecord]) -> None:
        """Hides each failed record for the backoff of its receive count (on failure it keeps the queue's)."""
        for start in range(0, len(failed), SQS_MAX_BATCH_ENTRIES):
            chunk = failed[start : start + SQS_MAX_BATCH_ENTRIES]
            entries = [
                {
                    "Id": str(index),
                    "ReceiptHandle": received.receipt_handle,
                    "VisibilityTimeout": backoff_seconds(
                        received.receive_count, self._longest_backoff_seconds
                    ),
                }
                for index, received in enumerate(chunk)
            ]
            try:
                answer = self._client.change_message_visibility_batch(
                    QueueUrl=chunk[0].queue_url, Entries=entries
                )
            except (BotoCoreError, ClientError) as error:
                logger.warning("backoff not applied", extra={"records": len(chunk), "error": str(error)})
                continue
            for failure in answer.get("Failed", []):
                logger.warning(
                    "backoff not applied",
                    extra={"messageId": chunk[int(failure["Id"])].message_id, "code": failure.get("Code")},
                )


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


class Sink(ABC):
    """A sink: the configuration is read once per batch, then `deliver_configured`; `handle` does the rest."""

    def __init__(
        self, client: Any, load_config: Callable[[], PersonalizationConfig], queues: SinkQueues
    ) -> None:
        self._client = client
        self._load_config = load_config
        self._queues = queues

    def handle(self, event: Mapping[str, Any]) -> PartialItemFailureResponse:
        """The partial batch response of one SQS event, after one parse and one delivery."""
        batch = parse_batch(event)
        report = self.deliver([received.record for received in batch if received.record is not None])
        for received in batch:
            if received.record is None:
                report.rejected[received.message_id] = MALFORMED
        for received in batch:
            reason = report.rejected.get(received.message_id)
            if reason is not None and not self._queues.set_aside(received, reason):
                report.failed[received.message_id] = report.rejected.pop(received.message_id)
        failed = [received for received in batch if received.message_id in report.failed]
        self._queues.back_off(failed)
        report.emit_metrics()
        return {"batchItemFailures": [{"itemIdentifier": received.message_id} for received in failed]}

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


def sink_queues() -> SinkQueues:
    """The function's own queues, from its settings (a SettingsError without a dead-letter queue)."""
    settings = sink_settings()
    return SinkQueues(
        get_client("sqs", SQS_CLIENT_LIMITS), settings.dead_letter_queue, settings.retry_backoff_max_seconds
    )


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
    """A failed call's reason: the read path's reasons (the metric dimension), or `invalid-request`
    when botocore would not send the request."""
    reason = INVALID_REQUEST if isinstance(error, ParamValidationError) else classify(error)
    code = error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None
    logger.warning("sink call failed", extra={"reason": reason, "error": code or type(error).__name__})
    return reason
