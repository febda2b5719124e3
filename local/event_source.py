"""Lambda's SQS event source mapping, for one queue and one function.

Long-polls the queue, gathers up to the batch size within the batching window (a message
received twice meanwhile is one record, with its latest receipt handle), invokes the function
with the SQS event Lambda sends (with its system attributes: `ApproximateReceiveCount`, ...),
and, with `ReportBatchItemFailures` on (as the stack configures it), deletes every record
except those the function lists in `batchItemFailures`. A function error fails the whole
batch. Failed records are left alone: they become visible again when the visibility timeout
ends, the queue's or the one the function set (ChangeMessageVisibility), and the queue's
redrive policy moves them to the dead-letter queue after the maximum receives.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.functions import InvocationError

logger = logging.getLogger("local.event_source")

SQS_MAX_MESSAGES_PER_RECEIVE = 10
LONG_POLL_SECONDS = 1
"""Shorter than Lambda's 20 s so that stopping the stack is quick; a message still wakes the poll."""
ERROR_BACKOFF_SECONDS = 1.0
GATHER_PAUSE_SECONDS = 0.1
"""Within a batching window, the pause after a receive that found the queue drained."""
SYSTEM_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
)
"""The attributes Lambda puts in a standard queue's record."""


@dataclass(frozen=True)
class EventSourceMapping:
    function: str
    queue_url: str
    queue_arn: str
    batch_size: int
    batching_window_seconds: float
    region: str


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of the SQS event, from a ReceiveMessage message."""
    body = message["Body"]
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody")
        or hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def failed_message_ids(result: Any, batch_ids: set[str]) -> set[str]:
    """The records to leave for redelivery, per Lambda's rules for a partial batch response.

    A response that is not a valid partial batch response, or names an id outside the batch,
    fails the whole batch; an empty or missing `batchItemFailures` means full success.
    """
    if result is None:
        return set()
    if not isinstance(result, dict):
        return batch_ids
    failures = result.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return batch_ids
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in batch_ids:
            return batch_ids
        failed.add(identifier)
    return failed


INVOKERS = 2
"""Batches in flight at once: Lambda's SQS event source mapping runs several concurrent batches
(five to start with, more as the backlog grows); the local function pool allows two instances."""


class SqsPoller:
    """Threads that run one event source mapping until `stop`: one gathers batches, INVOKERS invoke
    the function with them and delete what succeeded.

    As Lambda's pollers keep polling while invocations run, the next batch is gathered during the
    current ones (at most one batch waits), and a backlog is worked off by concurrent batches, so
    a sink keeps up with its function's throughput times its concurrency. One gatherer keeps each
    window's records together (a shopper's burst is not split between two concurrent batches)."""

    def __init__(
        self, mapping: EventSourceMapping, sqs: Any, invoke: Callable[[str, dict[str, Any]], Any]
    ) -> None:
        self.mapping = mapping
        self._sqs = sqs
        self._invoke = invoke
        self._stopping = threading.Event()
        self._batches: queue.Queue[list[dict[str, Any]]] = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._run, name=f"poller-{mapping.function}", daemon=True)
        self._invokers = [
            threading.Thread(target=self._invoke_batches, name=f"invoker-{mapping.function}-{n}", daemon=True)
            for n in range(INVOKERS)
        ]

    def start(self) -> None:
        for invoker in self._invokers:
            invoker.start()
        self._thread.start()

    def request_stop(self) -> None:
        """Stop after the receive or batch in progress (several pollers stop in parallel). A batch
        gathered but not yet invoked is left to its visibility timeout, as a stopped Lambda leaves it."""
        self._stopping.set()

    def join(self) -> None:
        self._thread.join(timeout=LONG_POLL_SECONDS + 5)
        for invoker in self._invokers:
            invoker.join(timeout=LONG_POLL_SECONDS + 5)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                batch = self._receive_batch()
                while batch and not self._stopping.is_set():
                    try:
                        self._batches.put(batch, timeout=LONG_POLL_SECONDS)
                        batch = []
                    except queue.Full:
                        continue
            except Exception:
                if self._stopping.is_set():
                    return
                logger.exception("event source mapping for %s failed; retrying", self.mapping.function)
                self._stopping.wait(ERROR_BACKOFF_SECONDS)

    def _invoke_batches(self) -> None:
        while not self._stopping.is_set():
            try:
                batch = self._batches.get(timeout=LONG_POLL_SECONDS)
            except queue.Empty:
                continue
            try:
                self._process(batch)
            except Exception:
                if self._stopping.is_set():
                    return
                logger.exception("event source mapping for %s failed a batch", self.mapping.function)
                self._stopping.wait(ERROR_BACKOFF_SECONDS)

    def _receive_batch(self) -> list[dict[str, Any]]:
        """Up to the batch size: a long poll, then more receives until the window closes.

        Within the window, a receive that drains the queue is followed by a pause of
        GATHER_PAUSE_SECONDS (never past the window) rather than by a receive at once, which would
        return the next record or two as each arrives: the batch is the same, gathered in a few
        calls instead of one per arrival, each of which took the stack's CPU from the requests. A
        receive never waits past the window (a short poll when less than a second is left)."""
        mapping = self.mapping
        batch = self._receive(min(mapping.batch_size, SQS_MAX_MESSAGES_PER_RECEIVE), LONG_POLL_SECONDS)
        window_closes = time.monotonic() + mapping.batching_window_seconds
        while batch and len(batch) < mapping.batch_size and not self._stopping.is_set():
            remaining = window_closes - time.monotonic()
            if remaining <= 0:
                break
            wanted = min(mapping.batch_size - len(batch), SQS_MAX_MESSAGES_PER_RECEIVE)
            more = self._receive(wanted, min(LONG_POLL_SECONDS, int(remaining)))
            batch.extend(more)
            if len(more) < wanted:
                self._stopping.wait(min(GATHER_PAUSE_SECONDS, max(0.0, window_closes - time.monotonic())))
        return list({message["MessageId"]: message for message in batch}.values())

    def _receive(self, count: int, wait_seconds: int) -> list[dict[str, Any]]:
        response = self._sqs.receive_message(
            QueueUrl=self.mapping.queue_url,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=list(SYSTEM_ATTRIBUTES),
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def _process(self, batch: list[dict[str, Any]]) -> None:
        mapping = self.mapping
        event = {"Records": [sqs_record(message, mapping.queue_arn, mapping.region) for message in batch]}
        batch_ids = {message["MessageId"] for message in batch}
        try:
            failed = failed_message_ids(self._invoke(mapping.function, event), batch_ids)
        except InvocationError as error:
            logger.warning("%s failed a batch of %d: %s", mapping.function, len(batch), error)
            return
        succeeded = [message for message in batch if message["MessageId"] not in failed]
        if failed:
            logger.info("%s reported %d of %d records as failed", mapping.function, len(failed), len(batch))
        for start in range(0, len(succeeded), SQS_MAX_MESSAGES_PER_RECEIVE):
            chunk = succeeded[start : start + SQS_MAX_MESSAGES_PER_RECEIVE]
            self._sqs.delete_message_batch(
                QueueUrl=mapping.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(chunk)
                ],
            )
