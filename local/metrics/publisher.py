"""Metrics to CloudWatch off the request path: a bounded queue and one flusher thread.

`submit` never blocks: a full queue drops the datums and counts them (one rate-limited warning).
The flusher wakes at least every `interval_seconds` (1 s), merges what arrived into one datum per
metric, dimensions, unit and second (`Values` with `Counts`, as the CloudWatch agent batches), and
sends it with PutMetricData: one namespace per call, at most 1,000 datums per call, at most 150
distinct values per datum. A failed call is logged (rate-limited) and its datums are dropped, as a
metric agent would rather lose a point than fall behind.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from local.metrics.emf import MetricDatum, RateLimitedWarning

logger = logging.getLogger("local.metrics.publisher")

MAX_DATUMS_PER_CALL = 1000
"""PutMetricData: at most 1,000 metrics per request."""
MAX_VALUES_PER_DATUM = 150
"""PutMetricData: at most 150 distinct values per `Values` array."""
MAX_DIMENSIONS = 30
DEFAULT_QUEUE_SIZE = 20_000
FLUSH_INTERVAL_SECONDS = 1.0

PutMetricData = Callable[[str, list[dict[str, Any]]], None]
"""(namespace, MetricData): one PutMetricData call."""


def cloudwatch_put(client: Any) -> PutMetricData:
    """PutMetricData through a boto3 CloudWatch client."""

    def put(namespace: str, metric_data: list[dict[str, Any]]) -> None:
        client.put_metric_data(Namespace=namespace, MetricData=metric_data)

    return put


SeriesKey = tuple[str, str, tuple[tuple[str, str], ...], str, int, int]
"""namespace, name, dimensions, unit, storage resolution, second."""


def batch(datums: Iterable[MetricDatum]) -> dict[str, list[list[dict[str, Any]]]]:
    """Per namespace, the PutMetricData calls (each a MetricData list) that carry these datums."""
    merged: dict[SeriesKey, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    for datum in datums:
        if len(datum.dimensions) > MAX_DIMENSIONS:
            continue
        key = (
            datum.namespace,
            datum.name,
            datum.dimensions,
            datum.unit,
            datum.storage_resolution,
            datum.timestamp_ms // 1000,
        )
        counts = merged[key]
        for value in datum.values:
            counts[value] += 1
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (namespace, name, dimensions, unit, resolution, second), counts in merged.items():
        pairs = sorted(counts.items())
        for start in range(0, len(pairs), MAX_VALUES_PER_DATUM):
            chunk = pairs[start : start + MAX_VALUES_PER_DATUM]
            members[namespace].append(
                {
                    "MetricName": name,
                    "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions],
                    "Timestamp": datetime.fromtimestamp(second, UTC),
                    "Values": [value for value, _ in chunk],
                    "Counts": [float(count) for _, count in chunk],
                    "Unit": unit,
                    "StorageResolution": resolution,
                }
            )
    return {
        namespace: [data[i : i + MAX_DATUMS_PER_CALL] for i in range(0, len(data), MAX_DATUMS_PER_CALL)]
        for namespace, data in members.items()
    }


class MetricsPublisher:
    """Accepts datums from any thread; one daemon thread sends them. `stop` sends what is left."""

    def __init__(
        self,
        put: PutMetricData,
        *,
        max_queued: int = DEFAULT_QUEUE_SIZE,
        interval_seconds: float = FLUSH_INTERVAL_SECONDS,
    ) -> None:
        self._put = put
        self._queue: queue.Queue[MetricDatum | None] = queue.Queue(maxsize=max_queued)
        self._interval = interval_seconds
        self._thread = threading.Thread(target=self._run, name="metrics-publisher", daemon=True)
        self._full = RateLimitedWarning("metrics queue full, datums dropped", log=logger)
        self._failed = RateLimitedWarning("PutMetricData failed, datums dropped", log=logger)
        self.sent = 0
        self.calls = 0

    @property
    def dropped(self) -> int:
        """Datums dropped because the queue was full."""
        return self._full.total

    def start(self) -> MetricsPublisher:
        self._thread.start()
        return self

    def submit(self, datums: Sequence[MetricDatum]) -> int:
        """Queue datums without waiting; returns how many were dropped for want of room."""
        dropped = 0
        for datum in datums:
            try:
                self._queue.put_nowait(datum)
            except queue.Full:
                dropped += 1
        if dropped:
            self._full.warn(f"{dropped} datum(s) of {datums[0].namespace}", count=dropped)
        return dropped

    def stop(self, timeout_seconds: float = 5.0) -> None:
        if not self._thread.is_alive():
            return
        while True:
            try:
                self._queue.put(None, timeout=timeout_seconds)
                break
            except queue.Full:  # pragma: no cover - the flusher is draining
                continue
        self._thread.join(timeout_seconds)

    def flush(self, datums: Iterable[MetricDatum]) -> None:
        """Send these datums now (the flusher's step; tests call it directly)."""
        for namespace, calls in batch(datums).items():
            for metric_data in calls:
                try:
                    self._put(namespace, metric_data)
                except Exception as error:  # never let the flusher die
                    self._failed.warn(f"{namespace}: {error}")
                    continue
                self.calls += 1
                self.sent += len(metric_data)

    def _run(self) -> None:
        """Wait for a datum, gather for one interval after it, send; until the stop sentinel."""
        stopping = False
        while not stopping:
            try:
                first = self._queue.get(timeout=self._interval)
            except queue.Empty:
                continue
            if first is None:
                break
            pending = [first]
            deadline = time.monotonic() + self._interval
            while (remaining := deadline - time.monotonic()) > 0:
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                pending.append(item)
            if stopping:
                pending += self._drain()
            self.flush(pending)

    def _drain(self) -> list[MetricDatum]:
        items: list[MetricDatum] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return items
            if item is not None:
                items.append(item)
