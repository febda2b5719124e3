"""What the analytics sink writes: one bus `detail` JSON per line, gzip, under a date partition.

The deployed rule's target takes `$.detail` of each event (an input path), Firehose appends a
newline to each record (processor `AppendDelimiterToRecord`), compresses the buffer with GZIP and
writes it as one object under `analytics/event_date=YYYY-MM-DD/`, the day being the UTC date of
the approximate arrival time of the oldest record in the object (Firehose's `!{timestamp:...}`).
The local delivery stream (`local.firehose`) writes the same lines and keys with these functions.
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from personalization.contracts.topology import ANALYTICS_STREAM, DeliveryStreamSpec

DELIMITER = b"\n"
FIREHOSE_DAY_FORMAT = "yyyy-MM-dd"
"""Java date format of the partition value, for Firehose's `!{timestamp:...}` and Athena's projection."""
OBJECT_SUFFIX = ".gz"
STREAM_VERSION = 1
"""Firehose puts the stream's version in each object name; a new stream starts at 1."""


class NotABusEventError(ValueError):
    """The message is not an EventBridge event with an object `detail`."""


def detail_of(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """What the target's input path `$.detail` selects from a bus event."""
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        raise NotABusEventError("the event has no object 'detail'")
    return detail


def record_line(detail: Mapping[str, Any]) -> bytes:
    """One record as it lands in the object: the detail's JSON text and the delimiter.

    EventBridge passes the selected JSON on as compact text; nothing is added, dropped or renamed.
    """
    return json.dumps(detail, separators=(",", ":"), ensure_ascii=False).encode() + DELIMITER


def gzip_records(lines: Iterable[bytes]) -> bytes:
    """The object body: the concatenated records, gzip-compressed (mtime 0, so equal input, equal bytes)."""
    return gzip.compress(b"".join(lines), mtime=0)


def read_records(body: bytes) -> list[dict[str, Any]]:
    """The details of an object body (the inverse of `gzip_records` of `record_line`s)."""
    text = gzip.decompress(body).decode()
    if text and not text.endswith(DELIMITER.decode()):
        raise ValueError("the last record has no delimiter")
    # Split on the delimiter only: str.splitlines would also cut at U+2028, U+0085 and other line
    # boundaries, which a record keeps raw inside its JSON strings (ensure_ascii=False).
    return [json.loads(line) for line in text.split(DELIMITER.decode()) if line]


def firehose_prefix(spec: DeliveryStreamSpec = ANALYTICS_STREAM) -> str:
    """The stream's S3 prefix, with Firehose's timestamp expression for the partition."""
    return f"{spec.prefix}{spec.partition_key}=!{{timestamp:{FIREHOSE_DAY_FORMAT}}}/"


def firehose_error_prefix(spec: DeliveryStreamSpec = ANALYTICS_STREAM) -> str:
    """Where Firehose puts records it failed to process (S3 delivery it retries for as long as it
    keeps the records, 24 hours for Direct PUT). With expressions in the prefix,
    Firehose requires expressions here too, including the error output type."""
    partition = f"{spec.partition_key}=!{{timestamp:{FIREHOSE_DAY_FORMAT}}}/"
    return f"{spec.error_prefix}!{{firehose:error-output-type}}/{partition}"


def partition_prefix(day: datetime, spec: DeliveryStreamSpec = ANALYTICS_STREAM) -> str:
    """`analytics/event_date=YYYY-MM-DD/` for the UTC day of `day`."""
    return f"{spec.prefix}{spec.partition_key}={day.astimezone(UTC):%Y-%m-%d}/"


def object_key(
    stream_name: str, oldest_arrival: datetime, spec: DeliveryStreamSpec = ANALYTICS_STREAM
) -> str:
    """A key as Firehose names its objects: prefix, then
    `<stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<random>` and the compression's suffix."""
    arrival = oldest_arrival.astimezone(UTC)
    name = f"{stream_name}-{STREAM_VERSION}-{arrival:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}{OBJECT_SUFFIX}"
    return partition_prefix(arrival, spec) + name
