"""A local stand-in for the analytics delivery stream (Amazon Data Firehose to S3), fed through SQS.

moto's EventBridge delivers to SQS queues but not to Firehose streams, so the local stack
bridges the gap: `local.resources.create_stream_bridge` gives the analytics rule (the same
`RuleSpec`, the same pattern) an SQS queue as its target, and `LocalDeliveryStream` drains that
queue as Firehose drains its input:

- **records**: each message is a bus event; only its `detail` is kept, as the deployed rule's
  input path `$.detail` does, and written as compact JSON with a newline
  (`analytics.layout.record_line`, Firehose's `AppendDelimiterToRecord`);
- **buffering**: records gather until their uncompressed size reaches the buffer size or the
  buffer interval has passed since the first one arrived, whichever comes first; locally 1 MiB /
  5 s (`LOCAL_BUFFER_MIB`, `LOCAL_BUFFER_SECONDS`) instead of the stack's 5 MiB / 300 s, so a demo
  shows its data within seconds;
- **objects**: one gzip object per flush under `<data>/analytics/event_date=YYYY-MM-DD/`, the day
  being the UTC date the oldest record arrived (its SQS SentTimestamp: when the rule delivered it),
  named as Firehose names objects (`analytics.layout.object_key`); written to a hidden temporary
  file and renamed into place, so a reader never sees half an object;
- **at least once**: the messages of a flush are deleted only after its object is in place. A
  failed write (an unwritable folder, a full disk, an injected error) deletes nothing: the
  messages become visible again after a backoff (1, 2, 4 ... 30 s), and after
  `BRIDGE_MAX_RECEIVE_COUNT` receives the queue's redrive policy moves them to its dead-letter
  queue. A crash between the write and the delete delivers those records twice (same eventIds);
  the named queries count distinct eventIds.

How it differs from the service: Firehose retries a failed S3 delivery for as long as it keeps
the records (24 hours for Direct PUT; then they are lost) and writes records it fails to process
under the error prefix; here the queue's receives and DLQ play those parts
(what EventBridge's retry policy and the target DLQ do in AWS happens before the record reaches
Firehose). A record that is no bus event is left in the queue and reaches the DLQ. There is no
dynamic partitioning and no format conversion. The bridge needs only "a rule with an SQS queue as
target", so it keeps working if another local bus replaces moto's.

**Metrics**: given `metrics` (`local.metrics.figures.LocalMetrics`), the stream publishes Firehose's
AWS/Firehose figures by `DeliveryStreamName` (its `stream_name`): IncomingRecords and IncomingBytes
as it first takes records in (a redelivered record is not counted again), DeliveryToS3.Records,
DeliveryToS3.Bytes and DeliveryToS3.Success (1) per object written, DeliveryToS3.Success (0) per
failed write, and every `FRESHNESS_SAMPLE_SECONDS` DeliveryToS3.DataFreshness: the age of the oldest
record it took in and has not delivered (buffered, or waiting for its redelivery; since its
SentTimestamp), 0 when none waits (Firehose sends none then). A record whose failed write was its
last receive before the DLQ stops counting, as Firehose forgets records it gave up on.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from analytics.layout import NotABusEventError, detail_of, gzip_records, object_key, record_line
from local.metrics.figures import SAMPLE_SECONDS, LocalMetrics

logger = logging.getLogger("local.firehose")

LOCAL_BUFFER_MIB = 1
LOCAL_BUFFER_SECONDS = 5.0
BRIDGE_MAX_RECEIVE_COUNT = 10
"""Receives before the queue moves a record to its DLQ: with the backoff, some 2.5 minutes of failures."""
RETRY_BASE_SECONDS = 1.0
RETRY_MAX_SECONDS = 30
SQS_MAX_MESSAGES = 10
LONG_POLL_SECONDS = 1
MEBIBYTE = 1024 * 1024
FRESHNESS_SAMPLE_SECONDS = SAMPLE_SECONDS
"""How often DeliveryToS3.DataFreshness is sampled: as the queues (`local.metrics.figures`)."""


def visibility_timeout_seconds(buffer_seconds: float) -> int:
    """How long a received record stays hidden: the buffer interval twice over, plus the write."""
    return int(2 * buffer_seconds) + 10


class ObjectWriter(Protocol):
    def __call__(self, key: str, body: bytes) -> None: ...


@dataclass(frozen=True)
class FolderWriter:
    """Objects as files under `root`, by key; each written aside, then renamed into place."""

    root: Path

    def __call__(self, key: str, body: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        try:
            temporary.write_bytes(body)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)


@dataclass(frozen=True)
class StreamConfig:
    stream_name: str
    """Named in each object's key, as Firehose names its objects after the stream."""
    queue_url: str
    buffer_bytes: int = LOCAL_BUFFER_MIB * MEBIBYTE
    buffer_seconds: float = LOCAL_BUFFER_SECONDS
    max_receive_count: int = BRIDGE_MAX_RECEIVE_COUNT
    """The queue's redrive policy: after a failed write on this receive, a record goes to the DLQ."""


@dataclass
class _Buffered:
    message_id: str
    receipt_handle: str
    line: bytes
    arrival: datetime
    receive_count: int


@dataclass
class StreamStats:
    objects: int = 0
    records: int = 0
    failed_writes: int = 0
    not_bus_events: int = 0


@dataclass
class LocalDeliveryStream:
    """Drains the bridge queue into objects. `start()` runs it on a thread; tests call `step()`."""

    config: StreamConfig
    sqs: Any
    write: ObjectWriter
    clock: Callable[[], float] = time.monotonic
    metrics: LocalMetrics | None = None
    """Where the stream's AWS/Firehose figures go (`local.metrics`); None publishes none."""
    wall_clock: Callable[[], float] = time.time
    """Epoch seconds, for the records' ages (their SentTimestamp)."""
    stats: StreamStats = field(default_factory=StreamStats)
    _buffer: dict[str, _Buffered] = field(default_factory=dict)
    _undelivered: dict[str, float] = field(default_factory=dict)
    """Message id -> arrival (epoch s) of each record taken in and not delivered yet."""
    _sampled_at: float | None = None
    _buffered_bytes: int = 0
    _first_buffered_at: float | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"firehose-{self.config.stream_name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop receiving, then deliver what is buffered (so a stopped demo keeps what it was shown)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=LONG_POLL_SECONDS + 10)
        self.flush()

    def step(self) -> None:
        """One receive (waiting at most until the buffer is due), then a flush if the buffer is due."""
        self._receive(self._wait_seconds())
        if self.due():
            self.flush()
        if self._sampled_at is None or self.clock() - self._sampled_at >= FRESHNESS_SAMPLE_SECONDS:
            self.sample_freshness()

    def data_freshness(self) -> float:
        """Seconds since the oldest record not yet delivered arrived; 0 when none waits."""
        if not self._undelivered:
            return 0.0
        return max(0.0, self.wall_clock() - min(self._undelivered.values()))

    def sample_freshness(self) -> None:
        """Publish DeliveryToS3.DataFreshness now."""
        self._sampled_at = self.clock()
        if self.metrics is not None:
            self.metrics.stream_freshness(self.config.stream_name, self.data_freshness())

    def due(self) -> bool:
        if not self._buffer:
            return False
        if self._buffered_bytes >= self.config.buffer_bytes:
            return True
        assert self._first_buffered_at is not None
        return self.clock() - self._first_buffered_at >= self.config.buffer_seconds

    def flush(self) -> bool:
        """Write the buffer as one object, then delete its messages. False when the write failed."""
        if not self._buffer:
            return True
        records = list(self._buffer.values())
        self._buffer.clear()
        self._buffered_bytes = 0
        self._first_buffered_at = None
        key = object_key(self.config.stream_name, min(record.arrival for record in records))
        body = b""
        try:
            body = gzip_records(record.line for record in records)
            self.write(key, body)
        except Exception:
            self.stats.failed_writes += 1
            self._delivered(records, len(body), succeeded=False)
            logger.exception(
                "analytics delivery of %d records to %s failed; they stay queued for redelivery",
                len(records),
                key,
            )
            self._retry_later(records)
            return False
        self.stats.objects += 1
        self.stats.records += len(records)
        self._delivered(records, len(body), succeeded=True)
        logger.info("analytics: delivered %d records to %s", len(records), key)
        self._delete(records)
        return True

    def _delivered(self, records: list[_Buffered], size_bytes: int, *, succeeded: bool) -> None:
        """Account for a write: its records delivered, or (failed) those the DLQ takes next given up."""
        for record in records:
            if succeeded or record.receive_count >= self.config.max_receive_count:
                self._undelivered.pop(record.message_id, None)
        if self.metrics is not None:
            self.metrics.stream_delivery(
                self.config.stream_name, records=len(records), size_bytes=size_bytes, succeeded=succeeded
            )

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.step()
            except Exception:
                if self._stopping.is_set():
                    return
                logger.exception("the analytics delivery stream failed a step; going on")
                self._stopping.wait(RETRY_BASE_SECONDS)

    def _wait_seconds(self) -> int:
        if self._first_buffered_at is None:
            return LONG_POLL_SECONDS
        remaining = self.config.buffer_seconds - (self.clock() - self._first_buffered_at)
        return max(0, min(LONG_POLL_SECONDS, int(remaining)))

    def _receive(self, wait_seconds: int) -> None:
        response = self.sqs.receive_message(
            QueueUrl=self.config.queue_url,
            MaxNumberOfMessages=SQS_MAX_MESSAGES,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=visibility_timeout_seconds(self.config.buffer_seconds),
            AttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
        )
        sizes = [self._add(message) for message in response.get("Messages", [])]
        taken_in = [size for size in sizes if size is not None]
        if taken_in and self.metrics is not None:
            self.metrics.stream_records_in(self.config.stream_name, len(taken_in), sum(taken_in))

    def _add(self, message: dict[str, Any]) -> int | None:
        """Buffer a message's record; its size when the stream takes it in for the first time."""
        attributes = message.get("Attributes", {})
        try:
            line = record_line(detail_of(json.loads(message["Body"])))
        except (ValueError, NotABusEventError):
            self.stats.not_bus_events += 1
            logger.warning("analytics: message %s is no bus event; left for the DLQ", message["MessageId"])
            return None
        sent_ms = int(attributes.get("SentTimestamp", time.time() * 1000))
        previous = self._buffer.get(message["MessageId"])
        if previous is not None:
            # Seen again before its flush (its visibility ran out): one record, the newest receipt.
            previous.receipt_handle = message["ReceiptHandle"]
            return None
        self._buffer[message["MessageId"]] = _Buffered(
            message_id=message["MessageId"],
            receipt_handle=message["ReceiptHandle"],
            line=line,
            arrival=datetime.fromtimestamp(sent_ms / 1000, UTC),
            receive_count=int(attributes.get("ApproximateReceiveCount", 1)),
        )
        self._buffered_bytes += len(line)
        if self._first_buffered_at is None:
            self._first_buffered_at = self.clock()
        if message["MessageId"] in self._undelivered:
            return None  # redelivered after a failed write: taken in already
        self._undelivered[message["MessageId"]] = sent_ms / 1000
        return len(line)

    def _delete(self, records: list[_Buffered]) -> None:
        for start in range(0, len(records), SQS_MAX_MESSAGES):
            chunk = records[start : start + SQS_MAX_MESSAGES]
            answer = self.sqs.delete_message_batch(
                QueueUrl=self.config.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": r.receipt_handle} for index, r in enumerate(chunk)
                ],
            )
            if answer.get("Failed"):
                logger.warning(
                    "analytics: %d deletes failed; those records come again", len(answer["Failed"])
                )

    def _retry_later(self, records: list[_Buffered]) -> None:
        """Visible again after a backoff that doubles with each receive (Firehose's retries, in short)."""
        for record in records:
            delay = min(RETRY_BASE_SECONDS * 2 ** (record.receive_count - 1), RETRY_MAX_SECONDS)
            try:
                self.sqs.change_message_visibility(
                    QueueUrl=self.config.queue_url,
                    ReceiptHandle=record.receipt_handle,
                    VisibilityTimeout=int(delay),
                )
            except Exception:
                logger.warning("analytics: could not shorten the visibility of %s", record.message_id)
