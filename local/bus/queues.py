"""A local Amazon SQS (standard queues), whose every operation costs the same however full a queue is.

moto's SQS recomputes each queue's attributes (a pass over every message, with a datetime per
message) on each SendMessage, and each ReceiveMessage re-reads them per message it returns, so its
cost per call grows with the messages waiting (docs/architecture.md §9). Here a queue keeps its
messages in three places, each touched only where it must be:

- `ready`: visible messages, oldest first (a deque: receive pops, send appends);
- `in_flight`: received and not deleted, by receipt handle, with a heap of visibility deadlines;
- `delayed`: sent with a delay, in a heap of the moments they become visible.

Semantics kept from SQS: visibility timeouts (per queue, per receive, ChangeMessageVisibility),
long polling that answers as soon as one message is visible, a redrive policy moving a message to
its dead-letter queue once it has been received `maxReceiveCount` times, retention, the
`ApproximateNumberOf*` attributes, message attributes with their MD5 digests, batch operations.
Not reproduced: FIFO queues, KMS, access policies (stored, not enforced), StartMessageMoveTask.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import struct
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from local.bus.protocol import ServiceError

DEFAULT_ATTRIBUTES = {
    "DelaySeconds": "0",
    "MaximumMessageSize": "262144",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
SETTABLE_ATTRIBUTES = frozenset(
    {*DEFAULT_ATTRIBUTES, "RedrivePolicy", "RedriveAllowPolicy", "Policy", "KmsMasterKeyId"}
    | {"KmsDataKeyReusePeriodSeconds"}
)
COMPUTED_ATTRIBUTES = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
)
MAX_BATCH_ENTRIES = 10
MAX_WAIT_SECONDS = 20
MAX_VISIBILITY_SECONDS = 43_200


def queue_error(code: str, message: str, query_code: str | None = None) -> ServiceError:
    return ServiceError(code, message, query_code=query_code or f"AWS.SimpleQueueService.{code}")


def no_such_queue() -> ServiceError:
    return queue_error(
        "QueueDoesNotExist", "The specified queue does not exist.", "AWS.SimpleQueueService.NonExistentQueue"
    )


def md5_of(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def md5_of_message_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    """SQS's digest of message attributes: name, type and value, length-prefixed, names sorted."""
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        for part in (name.encode(), data_type.encode()):
            digest.update(struct.pack(">I", len(part)) + part)
        if "BinaryValue" in value:
            raw = value["BinaryValue"]
            payload = raw if isinstance(raw, bytes) else _b64(raw)
            digest.update(b"\x02" + struct.pack(">I", len(payload)) + payload)
        else:
            payload = str(value.get("StringValue", "")).encode()
            digest.update(b"\x01" + struct.pack(">I", len(payload)) + payload)
    return digest.hexdigest()


def _b64(text: str) -> bytes:
    import base64

    return base64.b64decode(text)


@dataclass
class Message:
    message_id: str
    body: str
    sent_ms: int
    message_attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    sender_id: str = "AIDALOCALSQS"
    receive_count: int = 0
    first_receive_ms: int = 0
    receipt_handle: str = ""
    visible_at: float = 0.0
    """time.monotonic() when an in-flight or delayed message is visible again."""

    @property
    def md5_of_body(self) -> str:
        return md5_of(self.body)

    def to_wire(self, attribute_names: set[str], message_attribute_names: set[str]) -> dict[str, Any]:
        system = {
            "SenderId": self.sender_id,
            "SentTimestamp": str(self.sent_ms),
            "ApproximateReceiveCount": str(self.receive_count),
            "ApproximateFirstReceiveTimestamp": str(self.first_receive_ms),
        }
        every = "All" in attribute_names
        wire: dict[str, Any] = {
            "MessageId": self.message_id,
            "ReceiptHandle": self.receipt_handle,
            "MD5OfBody": self.md5_of_body,
            "Body": self.body,
        }
        chosen = {k: v for k, v in system.items() if every or k in attribute_names}
        if chosen:
            wire["Attributes"] = chosen
        names = message_attribute_names
        attributes = {
            k: v
            for k, v in self.message_attributes.items()
            if "All" in names
            or ".*" in names
            or k in names
            or any(k.startswith(n[:-2]) for n in names if n.endswith(".*"))
        }
        if attributes:
            wire["MessageAttributes"] = attributes
            wire["MD5OfMessageAttributes"] = md5_of_message_attributes(attributes)
        return wire


class Queue:
    """One standard queue. Every method runs under the owner's lock (`Queues.lock`)."""

    def __init__(
        self, name: str, url: str, arn: str, attributes: dict[str, str], lock: threading.Lock
    ) -> None:
        self.name = name
        self.url = url
        self.arn = arn
        self.attributes = {**DEFAULT_ATTRIBUTES, **attributes}
        now = str(int(time.time()))
        self.created = now
        self.modified = now
        self.tags: dict[str, str] = {}
        self.ready: deque[Message] = deque()
        self.in_flight: dict[str, Message] = {}
        self._deadlines: list[tuple[float, int, str]] = []
        self._delayed: list[tuple[float, int, Message]] = []
        self._sequence = itertools.count()
        self.changed = threading.Condition(lock)
        self.dead_letter_queue: Queue | None = None
        self.max_receive_count = 0

    @property
    def visibility_timeout(self) -> int:
        return int(self.attributes["VisibilityTimeout"])

    @property
    def retention_seconds(self) -> int:
        return int(self.attributes["MessageRetentionPeriod"])

    def add(self, message: Message, delay_seconds: int | None = None) -> None:
        delay = int(self.attributes["DelaySeconds"]) if delay_seconds is None else delay_seconds
        if delay > 0:
            message.visible_at = time.monotonic() + delay
            heapq.heappush(self._delayed, (message.visible_at, next(self._sequence), message))
        else:
            self.ready.append(message)
            self.changed.notify_all()

    def promote(self, now: float) -> float | None:
        """Messages whose delay or visibility timeout ended become visible; returns the next such moment."""
        while self._deadlines and self._deadlines[0][0] <= now:
            _, _, handle = heapq.heappop(self._deadlines)
            message = self.in_flight.get(handle)
            if message is not None and message.visible_at <= now:
                del self.in_flight[handle]
                message.receipt_handle = ""
                self.ready.appendleft(message)
        while self._delayed and self._delayed[0][0] <= now:
            self.ready.append(heapq.heappop(self._delayed)[2])
        moments = [entries[0][0] for entries in (self._deadlines, self._delayed) if entries]
        return min(moments) if moments else None

    def take(self, count: int, visibility_timeout: int) -> list[Message]:
        """Up to `count` visible messages, now in flight; expired ones are dropped, over-received ones
        move to the dead-letter queue (as SQS does on the receive that would exceed the maximum)."""
        taken: list[Message] = []
        now_ms = int(time.time() * 1000)
        retention_ms = self.retention_seconds * 1000
        while self.ready and len(taken) < count:
            message = self.ready.popleft()
            if now_ms - message.sent_ms >= retention_ms:
                continue
            dlq = self.dead_letter_queue
            if dlq is not None and self.max_receive_count and message.receive_count >= self.max_receive_count:
                dlq.add(message, delay_seconds=0)
                continue
            message.receive_count += 1
            message.first_receive_ms = message.first_receive_ms or now_ms
            self._hide(message, visibility_timeout)
            taken.append(message)
        return taken

    def _hide(self, message: Message, visibility_timeout: int) -> None:
        message.receipt_handle = f"{uuid.uuid4().hex}:{message.message_id}"
        message.visible_at = time.monotonic() + visibility_timeout
        self.in_flight[message.receipt_handle] = message
        heapq.heappush(self._deadlines, (message.visible_at, next(self._sequence), message.receipt_handle))

    def delete(self, receipt_handle: str) -> None:
        _check_handle(receipt_handle)
        # A stale handle (the message became visible or was received again since) deletes nothing and
        # succeeds, as SQS may: the message is delivered again (at least once).
        self.in_flight.pop(receipt_handle, None)

    def change_visibility(self, receipt_handle: str, timeout: int) -> None:
        _check_handle(receipt_handle)
        if not 0 <= timeout <= MAX_VISIBILITY_SECONDS:
            raise queue_error(
                "InvalidParameterValue", f"Value {timeout} for parameter VisibilityTimeout is invalid."
            )
        message = self.in_flight.get(receipt_handle)
        if message is None:
            raise queue_error(
                "MessageNotInflight",
                "Message does not exist or is not available for visibility timeout change.",
            )
        message.visible_at = time.monotonic() + timeout
        heapq.heappush(self._deadlines, (message.visible_at, next(self._sequence), receipt_handle))
        if timeout == 0:
            self.promote(time.monotonic())
            self.changed.notify_all()

    def purge(self) -> None:
        self.ready.clear()
        self.in_flight.clear()
        self._deadlines.clear()
        self._delayed.clear()

    def counts(self) -> dict[str, str]:
        return {
            "ApproximateNumberOfMessages": str(len(self.ready)),
            "ApproximateNumberOfMessagesNotVisible": str(len(self.in_flight)),
            "ApproximateNumberOfMessagesDelayed": str(len(self._delayed)),
        }

    def oldest_age_seconds(self, now_ms: int) -> int:
        """CloudWatch's ApproximateAgeOfOldestMessage: the oldest message not deleted, by its sending.

        The front of `ready` stands for the visible ones (returning messages go to the front)."""
        sent = [message.sent_ms for message in self.in_flight.values()]
        sent += [entry[2].sent_ms for entry in self._delayed]
        if self.ready:
            sent.append(min(self.ready[0].sent_ms, self.ready[-1].sent_ms))
        return max(0, (now_ms - min(sent)) // 1000) if sent else 0

    def all_attributes(self) -> dict[str, str]:
        self.promote(time.monotonic())
        return {
            **self.attributes,
            **self.counts(),
            "CreatedTimestamp": self.created,
            "LastModifiedTimestamp": self.modified,
            "QueueArn": self.arn,
        }


def _check_handle(receipt_handle: str) -> None:
    if not isinstance(receipt_handle, str) or ":" not in receipt_handle:
        raise queue_error(
            "ReceiptHandleIsInvalid",
            f'The input receipt handle "{receipt_handle}" is not a valid receipt handle.',
        )


class Queues:
    """Every queue of the local SQS, for one account and region, behind one lock."""

    def __init__(self, base_url: str, account: str, region: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.account = account
        self.region = region
        self.lock = threading.Lock()
        self._queues: dict[str, Queue] = {}

    # -- lookup ----------------------------------------------------------------------------------
    def arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{name}"

    def by_url(self, url: Any) -> Queue:
        if not isinstance(url, str) or not url:
            raise queue_error("InvalidAddress", "The address is not valid for this endpoint.")
        queue = self._queues.get(url.rstrip("/").rsplit("/", 1)[-1])
        if queue is None:
            raise no_such_queue()
        return queue

    def by_arn(self, arn: str) -> Queue | None:
        name = arn.rsplit(":", 1)[-1]
        queue = self._queues.get(name)
        return queue if queue is not None and queue.arn == arn else None

    # -- operations (the JSON protocol's request and answer members) ---------------------------
    def create_queue(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("QueueName")
        if (
            not isinstance(name, str)
            or not 1 <= len(name) <= 80
            or not all(c.isalnum() or c in "-_" for c in name)
        ):
            if isinstance(name, str) and name.endswith(".fifo"):
                raise queue_error("UnsupportedOperation", "FIFO queues are not supported by the local SQS.")
            raise queue_error(
                "InvalidParameterValue",
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
            )
        attributes = _attributes(request.get("Attributes") or {})
        with self.lock:
            existing = self._queues.get(name)
            if existing is not None:
                differing = {k for k, v in attributes.items() if existing.attributes.get(k) != v}
                if differing:
                    raise queue_error(
                        "QueueNameExists",
                        "A queue already exists with the same name and a different value for attribute(s) "
                        + ", ".join(sorted(differing)),
                        "QueueAlreadyExists",
                    )
                return {"QueueUrl": existing.url}
            queue = Queue(name, f"{self.base_url}/{self.account}/{name}", self.arn(name), {}, self.lock)
            self._apply(queue, attributes)
            queue.tags = dict(request.get("tags") or {})
            self._queues[name] = queue
            return {"QueueUrl": queue.url}

    def _apply(self, queue: Queue, attributes: dict[str, str]) -> None:
        queue.attributes.update(attributes)
        queue.modified = str(int(time.time()))
        policy = queue.attributes.get("RedrivePolicy")
        queue.dead_letter_queue, queue.max_receive_count = None, 0
        if policy:
            try:
                redrive = json.loads(policy)
                target = redrive["deadLetterTargetArn"]
                maximum = int(redrive["maxReceiveCount"])
            except (ValueError, KeyError, TypeError) as error:
                raise queue_error(
                    "InvalidAttributeValue", f"Invalid value for the parameter RedrivePolicy: {error}"
                ) from error
            dlq = self.by_arn(target)
            if dlq is None:
                raise queue_error(
                    "InvalidAttributeValue",
                    "Value for parameter RedrivePolicy is invalid. Reason: "
                    "Dead letter target does not exist.",
                )
            queue.dead_letter_queue, queue.max_receive_count = dlq, maximum

    def get_queue_url(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            queue = self._queues.get(str(request.get("QueueName")))
            if queue is None:
                raise no_such_queue()
            return {"QueueUrl": queue.url}

    def list_queues(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("QueueNamePrefix") or ""
        with self.lock:
            urls = [q.url for name, q in sorted(self._queues.items()) if name.startswith(prefix)]
        limit = int(request.get("MaxResults") or 1000)
        return {"QueueUrls": urls[:limit]} if urls else {}

    def delete_queue(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            queue = self.by_url(request.get("QueueUrl"))
            del self._queues[queue.name]
            queue.purge()
            queue.changed.notify_all()
        return {}

    def get_queue_attributes(self, request: dict[str, Any]) -> dict[str, Any]:
        names = set(request.get("AttributeNames") or [])
        with self.lock:
            attributes = self.by_url(request.get("QueueUrl")).all_attributes()
        for name in names - {"All"}:
            if name not in attributes and name not in SETTABLE_ATTRIBUTES and name not in COMPUTED_ATTRIBUTES:
                raise queue_error("InvalidAttributeName", f"Unknown Attribute {name}.")
        chosen = attributes if "All" in names else {k: v for k, v in attributes.items() if k in names}
        return {"Attributes": chosen} if chosen else {}

    def set_queue_attributes(self, request: dict[str, Any]) -> dict[str, Any]:
        attributes = _attributes(request.get("Attributes") or {})
        with self.lock:
            self._apply(self.by_url(request.get("QueueUrl")), attributes)
        return {}

    def purge_queue(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.by_url(request.get("QueueUrl")).purge()
        return {}

    def tag_queue(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.by_url(request.get("QueueUrl")).tags.update(request.get("Tags") or {})
        return {}

    def untag_queue(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            queue = self.by_url(request.get("QueueUrl"))
            for key in request.get("TagKeys") or []:
                queue.tags.pop(key, None)
        return {}

    def list_queue_tags(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            tags = dict(self.by_url(request.get("QueueUrl")).tags)
        return {"Tags": tags} if tags else {}

    def list_dead_letter_source_queues(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            target = self.by_url(request.get("QueueUrl"))
            return {"queueUrls": [q.url for q in self._queues.values() if q.dead_letter_queue is target]}

    def send_message(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            queue = self.by_url(request.get("QueueUrl"))
            return self._send(queue, request)

    def send_message_batch(self, request: dict[str, Any]) -> dict[str, Any]:
        entries = _batch(request)
        with self.lock:
            queue = self.by_url(request.get("QueueUrl"))
            successful, failed = [], []
            for entry in entries:
                try:
                    successful.append({"Id": entry["Id"], **self._send(queue, entry)})
                except ServiceError as error:
                    failed.append(
                        {"Id": entry["Id"], "SenderFault": True, "Code": error.code, "Message": error.message}
                    )
        return {"Successful": successful, "Failed": failed}

    def _send(self, queue: Queue, request: dict[str, Any]) -> dict[str, Any]:
        body = request.get("MessageBody")
        if not isinstance(body, str) or not body:
            raise queue_error("InvalidParameterValue", "The request must contain the parameter MessageBody.")
        if len(body.encode()) > int(queue.attributes["MaximumMessageSize"]):
            raise queue_error(
                "InvalidParameterValue",
                "One or more parameters are invalid. Reason: "
                "Message must be shorter than the maximum message size.",
            )
        message = Message(
            message_id=str(uuid.uuid4()),
            body=body,
            sent_ms=int(time.time() * 1000),
            message_attributes=dict(request.get("MessageAttributes") or {}),
        )
        delay = request.get("DelaySeconds")
        queue.add(message, None if delay is None else int(delay))
        answer = {"MessageId": message.message_id, "MD5OfMessageBody": message.md5_of_body}
        if message.message_attributes:
            answer["MD5OfMessageAttributes"] = md5_of_message_attributes(message.message_attributes)
        return answer

    def deliver(self, queue: Queue, body: str) -> str:
        """A message from the local bus (a rule's target); returns its id."""
        with self.lock:
            return str(self._send(queue, {"MessageBody": body})["MessageId"])

    def receive_message(self, request: dict[str, Any]) -> dict[str, Any]:
        count = int(request.get("MaxNumberOfMessages") or 1)
        if not 1 <= count <= MAX_BATCH_ENTRIES:
            raise queue_error(
                "InvalidParameterValue",
                f"Value {count} for parameter MaxNumberOfMessages is invalid. "
                "Reason: Must be between 1 and 10, if provided.",
            )
        names = set(request.get("AttributeNames") or []) | set(
            request.get("MessageSystemAttributeNames") or []
        )
        attribute_names = {"All"} if "All" in names else names
        message_names = set(request.get("MessageAttributeNames") or [])
        with self.lock:
            queue = self.by_url(request.get("QueueUrl"))
            wait = request.get("WaitTimeSeconds")
            wait_seconds = int(queue.attributes["ReceiveMessageWaitTimeSeconds"] if wait is None else wait)
            if not 0 <= wait_seconds <= MAX_WAIT_SECONDS:
                raise queue_error(
                    "InvalidParameterValue",
                    f"Value {wait_seconds} for parameter WaitTimeSeconds is invalid. "
                    "Reason: Must be >= 0 and <= 20, if provided.",
                )
            visibility = request.get("VisibilityTimeout")
            timeout = queue.visibility_timeout if visibility is None else int(visibility)
            deadline = time.monotonic() + wait_seconds
            while True:
                now = time.monotonic()
                next_due = queue.promote(now)
                taken = queue.take(count, timeout)
                if taken or now >= deadline or self._queues.get(queue.name) is not queue:
                    break
                pause = deadline - now if next_due is None else min(deadline, next_due) - now
                queue.changed.wait(max(pause, 0.001))
            return {"Messages": [m.to_wire(attribute_names, message_names) for m in taken]} if taken else {}

    def delete_message(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.by_url(request.get("QueueUrl")).delete(request.get("ReceiptHandle", ""))
        return {}

    def delete_message_batch(self, request: dict[str, Any]) -> dict[str, Any]:
        entries = _batch(request)
        with self.lock:
            queue = self.by_url(request.get("QueueUrl"))
            return _each(entries, lambda entry: queue.delete(entry.get("ReceiptHandle", "")))

    def change_message_visibility(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            queue = self.by_url(request.get("QueueUrl"))
            queue.change_visibility(
                request.get("ReceiptHandle", ""), int(request.get("VisibilityTimeout", -1))
            )
        return {}

    def change_message_visibility_batch(self, request: dict[str, Any]) -> dict[str, Any]:
        entries = _batch(request)
        with self.lock:
            queue = self.by_url(request.get("QueueUrl"))
            return _each(
                entries,
                lambda entry: queue.change_visibility(
                    entry.get("ReceiptHandle", ""), int(entry.get("VisibilityTimeout", -1))
                ),
            )

    def depths(self) -> dict[str, dict[str, int]]:
        """Every queue's visible, in-flight and delayed counts and the age of its oldest message in
        seconds (for the admin endpoint, the soak and the twin's AWS/SQS metrics)."""
        with self.lock:
            now = time.monotonic()
            now_ms = int(time.time() * 1000)
            result = {}
            for name, queue in sorted(self._queues.items()):
                queue.promote(now)
                result[name] = {key: int(value) for key, value in queue.counts().items()}
                result[name]["ApproximateAgeOfOldestMessage"] = queue.oldest_age_seconds(now_ms)
            return result


def _attributes(attributes: Any) -> dict[str, str]:
    if not isinstance(attributes, dict):
        raise queue_error("InvalidAttributeName", "Attributes must be a map.")
    for name in attributes:
        if name not in SETTABLE_ATTRIBUTES:
            if name == "FifoQueue":
                raise queue_error("UnsupportedOperation", "FIFO queues are not supported by the local SQS.")
            raise queue_error("InvalidAttributeName", f"Unknown Attribute {name}.")
    return {name: str(value) for name, value in attributes.items()}


def _batch(request: dict[str, Any]) -> list[dict[str, Any]]:
    entries = request.get("Entries") or []
    if not entries:
        raise queue_error("EmptyBatchRequest", "There should be at least one entry in the request.")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise queue_error(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. You have sent {len(entries)}.",
        )
    ids = [entry.get("Id") for entry in entries]
    if len(set(ids)) != len(ids):
        raise queue_error(
            "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id."
        )
    return list(entries)


def _each(entries: list[dict[str, Any]], apply: Any) -> dict[str, Any]:
    successful, failed = [], []
    for entry in entries:
        try:
            apply(entry)
            successful.append({"Id": entry["Id"]})
        except ServiceError as error:
            failed.append(
                {"Id": entry["Id"], "SenderFault": True, "Code": error.code, "Message": error.message}
            )
    return {"Successful": successful, "Failed": failed}
