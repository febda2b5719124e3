"""The local delivery stream: buffering by size and interval, delete after write, retries, the DLQ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import local.firehose as firehose
from analytics.layout import read_records
from local.firehose import FolderWriter, LocalDeliveryStream, StreamConfig
from tests.unit.analytics.conftest import STREAM_NAME, Bridge, Clock, FlakyWriter, detail

pytestmark = pytest.mark.unit


def stream_of(
    bridge: Bridge, write: firehose.ObjectWriter, clock: Clock, **config: Any
) -> LocalDeliveryStream:
    return LocalDeliveryStream(
        StreamConfig(STREAM_NAME, bridge.queues.queue_url, **config), bridge.sqs, write, clock
    )


def written_ids(root: Path) -> list[str]:
    return [
        record["eventId"]
        for path in sorted(root.glob("analytics/event_date=*/*.gz"))
        for record in read_records(path.read_bytes())
    ]


def test_the_buffer_is_delivered_when_its_interval_has_passed(bridge: Bridge, tmp_path: Path) -> None:
    clock = Clock()
    stream = stream_of(bridge, FolderWriter(tmp_path), clock, buffer_seconds=5)
    bridge.put(detail("e1"), detail("e2"))

    stream.step()
    clock.now = 4.9
    stream.step()
    assert written_ids(tmp_path) == [], "still buffering"
    assert bridge.count(bridge.queues.queue_url) == 2, "nothing deleted before the write"

    clock.now = 5.0
    stream.step()
    assert sorted(written_ids(tmp_path)) == ["e1", "e2"]
    assert bridge.count(bridge.queues.queue_url) == 0
    assert (stream.stats.objects, stream.stats.records) == (1, 2)


def test_the_buffer_is_delivered_as_soon_as_it_holds_the_buffer_size(bridge: Bridge, tmp_path: Path) -> None:
    clock = Clock()
    one_line = len(json.dumps(json.loads(detail("e0").model_dump_json()), separators=(",", ":"))) + 1
    stream = stream_of(bridge, FolderWriter(tmp_path), clock, buffer_seconds=300, buffer_bytes=3 * one_line)
    bridge.put(detail("e1"), detail("e2"))
    stream.step()
    assert written_ids(tmp_path) == []

    bridge.put(detail("e3"))
    stream.step()

    assert sorted(written_ids(tmp_path)) == ["e1", "e2", "e3"], "size reached long before the interval"
    assert clock.now == 0.0


def test_a_failed_write_deletes_nothing_and_the_records_come_again(
    bridge: Bridge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(firehose, "RETRY_BASE_SECONDS", 0.0)  # visible again at once
    clock = Clock()
    writer = FlakyWriter(tmp_path, failures=1)
    stream = stream_of(bridge, writer, clock, buffer_seconds=1)
    bridge.put(detail("e1"), detail("e2"))

    stream.step()
    clock.now = 1.0
    stream.step()
    assert (writer.calls, stream.stats.failed_writes) == (1, 1)
    assert written_ids(tmp_path) == []
    assert bridge.count(bridge.queues.queue_url) == 2, "kept for redelivery"

    stream.step()
    clock.now = 2.0
    stream.step()
    assert sorted(written_ids(tmp_path)) == ["e1", "e2"], "each record once"
    assert bridge.count(bridge.queues.queue_url) == 0
    assert bridge.count(bridge.queues.dlq_url) == 0


def test_records_that_keep_failing_move_to_the_dead_letter_queue(
    bridge: Bridge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(firehose, "RETRY_BASE_SECONDS", 0.0)
    clock = Clock()
    writer = FlakyWriter(tmp_path, failures=100)
    stream = stream_of(bridge, writer, clock, buffer_seconds=1)
    bridge.put(detail("doomed"))

    for attempt in range(1, 4):  # the fixture's bridge allows 3 receives
        stream.step()
        clock.now = float(attempt)
        stream.step()
    stream.step()  # the fourth receive finds the record moved

    assert bridge.count(bridge.queues.queue_url) == 0
    assert bridge.count(bridge.queues.dlq_url) == 1
    (message,) = bridge.sqs.receive_message(QueueUrl=bridge.queues.dlq_url)["Messages"]
    assert json.loads(message["Body"])["detail"]["eventId"] == "doomed"
    assert written_ids(tmp_path) == []


def test_a_message_that_is_no_bus_event_is_left_for_the_dead_letter_queue(
    bridge: Bridge, tmp_path: Path
) -> None:
    clock = Clock()
    stream = stream_of(bridge, FolderWriter(tmp_path), clock, buffer_seconds=1)
    bridge.sqs.send_message(QueueUrl=bridge.queues.queue_url, MessageBody='{"hello": "world"}')
    bridge.put(detail("e1"))

    stream.step()
    clock.now = 1.0
    stream.step()

    assert written_ids(tmp_path) == ["e1"]
    assert stream.stats.not_bus_events == 1
    assert bridge.count(bridge.queues.queue_url) == 1, "left, not deleted"


def test_a_record_received_again_while_buffered_is_written_once(bridge: Bridge, tmp_path: Path) -> None:
    clock = Clock()
    stream = stream_of(bridge, FolderWriter(tmp_path), clock, buffer_seconds=5)
    bridge.put(detail("e1"))
    stream.step()
    (message,) = bridge.sqs.receive_message(
        QueueUrl=bridge.queues.queue_url, VisibilityTimeout=0, AttributeNames=["All"]
    ).get("Messages", []) or [None]
    assert message is None, "hidden while buffered"
    # Its visibility runs out early (as with a visibility shorter than the buffer): received again.
    for buffered in stream._buffer.values():
        bridge.sqs.change_message_visibility(
            QueueUrl=bridge.queues.queue_url, ReceiptHandle=buffered.receipt_handle, VisibilityTimeout=0
        )
    stream.step()
    clock.now = 5.0
    stream.step()

    assert written_ids(tmp_path) == ["e1"]
    assert bridge.count(bridge.queues.queue_url) == 0, "deleted with the newest receipt"


def test_stop_delivers_what_is_buffered(bridge: Bridge, tmp_path: Path) -> None:
    clock = Clock()
    stream = stream_of(bridge, FolderWriter(tmp_path), clock, buffer_seconds=300)
    bridge.put(detail("e1"))
    stream.step()

    stream.stop()

    assert written_ids(tmp_path) == ["e1"]


def test_a_folder_that_cannot_hold_the_partition_fails_the_write(tmp_path: Path) -> None:
    (tmp_path / "analytics").write_text("a file where the folder should be")
    with pytest.raises((FileExistsError, NotADirectoryError)):
        FolderWriter(tmp_path)("analytics/event_date=2026-12-01/x.gz", b"body")
