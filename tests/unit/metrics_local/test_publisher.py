"""The flusher: PutMetricData batches within the API's limits, a bounded queue that drops rather
than blocks, and a failed call that costs a warning, not the thread."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from local.metrics.emf import MetricDatum
from local.metrics.publisher import MAX_DATUMS_PER_CALL, MAX_VALUES_PER_DATUM, MetricsPublisher, batch

pytestmark = pytest.mark.unit

NOW_MS = 1_796_115_026_110


def datum(name: str = "M", value: float = 1.0, namespace: str = "N", **dimensions: str) -> MetricDatum:
    return MetricDatum(namespace, name, tuple(dimensions.items()), (value,), NOW_MS, "Count")


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[dict[str, Any]]]] = []
        self.arrived = threading.Event()

    def __call__(self, namespace: str, metric_data: list[dict[str, Any]]) -> None:
        self.calls.append((namespace, metric_data))
        self.arrived.set()


def test_datums_of_one_metric_and_second_merge_into_values_with_counts() -> None:
    calls = batch([datum(value=1), datum(value=1), datum(value=3), datum(value=1, service="x")])
    [[members]] = calls.values()
    by_dimensions = {tuple((d["Name"], d["Value"]) for d in m["Dimensions"]): m for m in members}
    assert by_dimensions[()]["Values"] == [1.0, 3.0]
    assert by_dimensions[()]["Counts"] == [2.0, 1.0]
    assert by_dimensions[(("service", "x"),)]["Counts"] == [1.0]
    assert by_dimensions[()]["Timestamp"].timestamp() == NOW_MS // 1000


def test_one_call_per_namespace_of_at_most_1000_datums_and_150_values_each() -> None:
    many = [datum(f"M{i}") for i in range(2500)] + [datum(namespace="Other")]
    spread = [datum("Spread", value=float(v)) for v in range(400)]
    calls = batch(many + spread)
    assert [len(call) for call in calls["N"]] == [1000, 1000, 503]
    assert all(len(call) <= MAX_DATUMS_PER_CALL for call in calls["N"])
    spread_members = [m for call in calls["N"] for m in call if m["MetricName"] == "Spread"]
    assert [len(m["Values"]) for m in spread_members] == [150, 150, 100]
    assert all(len(m["Values"]) <= MAX_VALUES_PER_DATUM for m in spread_members)
    assert len(calls["Other"]) == 1


def test_the_flusher_sends_within_about_a_second_off_the_caller_thread() -> None:
    recorder = Recorder()
    publisher = MetricsPublisher(recorder, interval_seconds=0.2).start()
    try:
        started = time.monotonic()
        publisher.submit([datum(value=2), datum(value=2)])
        assert recorder.arrived.wait(timeout=2)
        assert time.monotonic() - started < 1.5
        [(namespace, [member])] = recorder.calls
        assert (namespace, member["Values"], member["Counts"]) == ("N", [2.0], [2.0])
    finally:
        publisher.stop()


def test_a_full_queue_drops_and_counts_without_blocking(caplog: pytest.LogCaptureFixture) -> None:
    publisher = MetricsPublisher(Recorder(), max_queued=10)  # not started: nothing drains the queue
    with caplog.at_level(logging.WARNING, logger="local.metrics.publisher"):
        started = time.monotonic()
        dropped = publisher.submit([datum() for _ in range(25)]) + publisher.submit(
            [datum() for _ in range(5)]
        )
        assert time.monotonic() - started < 0.5
    assert dropped == 20
    assert publisher.dropped == 20
    assert len(caplog.records) == 1
    assert "metrics queue full" in caplog.records[0].getMessage()


def test_stop_sends_what_is_queued() -> None:
    recorder = Recorder()
    publisher = MetricsPublisher(recorder, interval_seconds=30).start()
    publisher.submit([datum(f"M{i}") for i in range(5)])
    publisher.stop()
    assert sum(len(data) for _, data in recorder.calls) == 5


def test_a_failing_call_is_logged_and_the_flusher_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[str] = []

    def put(namespace: str, metric_data: list[dict[str, Any]]) -> None:
        attempts.append(namespace)
        if len(attempts) == 1:
            raise ConnectionError("moto is gone")

    publisher = MetricsPublisher(put, interval_seconds=0.05)
    with caplog.at_level(logging.WARNING, logger="local.metrics.publisher"):
        publisher.flush([datum()])
        publisher.flush([datum()])
    assert attempts == ["N", "N"]
    assert (publisher.calls, publisher.sent) == (1, 1)
    assert "PutMetricData failed" in caplog.records[0].getMessage()
