"""The line format is the bus detail, nothing dropped or renamed; keys follow Firehose's layout."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics.layout import (
    NotABusEventError,
    detail_of,
    firehose_error_prefix,
    firehose_prefix,
    gzip_records,
    object_key,
    partition_prefix,
    read_records,
    record_line,
)
from local.firehose import FolderWriter, LocalDeliveryStream, StreamConfig
from personalization.contracts.events import EventDetail, build_entry
from personalization.settings import DEFAULT_EVENT_BUS_NAME
from tests.unit.analytics.conftest import STREAM_NAME, Bridge, detail

pytestmark = pytest.mark.unit

FULL = detail(
    "e-1",
    "ProductAdded",
    userId="u-7",
    itemId="p-3",
    sentAt=datetime(2026, 11, 30, 23, 59, 59, 123000, tzinfo=UTC),
    recommendationId="RID-42",
    properties={"quantity": 2, "price": 9.5, "giftWrap": True, "note": "für dich"},
)
ANONYMOUS_SEARCH = detail(
    "e-2", "ProductSearched", itemId=None, properties={"query": "trail shoes", "resultCount": 0}
)


@pytest.mark.parametrize("model", [FULL, ANONYMOUS_SEARCH], ids=["signed-in add", "anonymous search"])
def test_a_line_is_the_bus_detail_of_the_entry_with_every_field_and_name(model: EventDetail) -> None:
    entry = build_entry(model, DEFAULT_EVENT_BUS_NAME)
    event = {"version": "0", "detail-type": entry["DetailType"], "source": entry["Source"]}
    event["detail"] = json.loads(entry["Detail"])

    line = record_line(detail_of(event))

    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    written = json.loads(line)
    assert written == json.loads(entry["Detail"])
    assert list(written) == list(json.loads(entry["Detail"])), "same fields, same names, same order"
    assert written["userId"] is None or isinstance(written["userId"], str)
    assert "sentAt" in written
    assert written["sentAt"].endswith("Z")


def test_absent_values_stay_null_and_text_stays_unescaped() -> None:
    line = record_line(detail_of({"detail": json.loads(build_entry(ANONYMOUS_SEARCH, "bus")["Detail"])}))
    assert b'"userId":null' in line
    assert b'"itemId":null' in line
    assert b'"recommendationId":null' in line
    assert "für dich".encode() in record_line(json.loads(FULL.model_dump_json()))


def test_an_event_without_an_object_detail_is_no_bus_event() -> None:
    with pytest.raises(NotABusEventError):
        detail_of({"detail-type": "ProductViewed"})
    with pytest.raises(NotABusEventError):
        detail_of({"detail": "not an object"})


def test_gzip_round_trip_keeps_each_record_on_its_line() -> None:
    details = [json.loads(FULL.model_dump_json()), json.loads(ANONYMOUS_SEARCH.model_dump_json())]
    body = gzip_records(record_line(d) for d in details)
    assert body[:2] == b"\x1f\x8b"
    assert read_records(body) == details
    assert gzip_records(record_line(d) for d in details) == body, "same records, same bytes"


def test_unicode_line_boundaries_inside_strings_do_not_split_a_record() -> None:
    """Only the newline delimits records; U+2028, U+0085 and the like stay inside their string."""
    details = [
        {"eventId": f"e{n}", "properties": {"q": f"a{mark}b"}} for n, mark in enumerate("\u2028\x85\x1c\r")
    ]

    assert read_records(gzip_records(record_line(d) for d in details)) == details


def test_keys_follow_the_firehose_prefix_and_object_names() -> None:
    arrival = datetime(2026, 11, 30, 23, 59, 58, tzinfo=UTC)
    key = object_key(STREAM_NAME, arrival)
    assert re.fullmatch(
        r"analytics/event_date=2026-11-30/retail-personalization-analytics-1-2026-11-30-23-59-58-"
        r"[0-9a-f-]{36}\.gz",
        key,
    ), key
    assert firehose_prefix().replace("!{timestamp:yyyy-MM-dd}", "2026-11-30") == partition_prefix(arrival)
    assert key.startswith(partition_prefix(arrival))
    assert firehose_error_prefix() == (
        "analytics-errors/!{firehose:error-output-type}/event_date=!{timestamp:yyyy-MM-dd}/"
    )


def test_the_partition_is_the_utc_day_of_the_arrival() -> None:
    from datetime import timedelta, timezone

    late_evening_in_new_york = datetime(2026, 11, 30, 21, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert partition_prefix(late_evening_in_new_york) == "analytics/event_date=2026-12-01/"


def test_the_local_stream_writes_the_detail_of_each_event_put_on_the_bus(
    bridge: Bridge, tmp_path: Path
) -> None:
    """The whole local path: bus entry -> analytics rule -> bridge queue -> local delivery stream -> file."""
    bridge.put(FULL, ANONYMOUS_SEARCH)
    now = [0.0]
    stream = LocalDeliveryStream(
        StreamConfig(STREAM_NAME, bridge.queues.queue_url, buffer_seconds=5),
        bridge.sqs,
        FolderWriter(tmp_path),
        clock=lambda: now[0],
    )

    stream.step()
    now[0] = 5.0
    stream.step()

    (written,) = tmp_path.glob("analytics/event_date=*/*.gz")
    records = read_records(written.read_bytes())
    assert records == [
        json.loads(build_entry(d, DEFAULT_EVENT_BUS_NAME)["Detail"]) for d in (FULL, ANONYMOUS_SEARCH)
    ]
    assert bridge.count(bridge.queues.queue_url) == 0
    assert not list(tmp_path.rglob(".*.tmp")), "no temporary file is left behind"
