"""What the emulated sinks received, kept in memory so tests and demos can read it back.

Bounded: each sink keeps its last `max_records` records, the oldest dropped first, so a demo
left running does not grow without end. Each record's arrival (epoch seconds) is kept beside it:
`records_since` answers the records that arrived after a moment, stamped `receivedAt`, so a
benchmark can follow a long run in small reads and measure each event's delivery lag.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

MAX_RECORDS_PER_SINK = 50_000

SINKS = (
    "personalize-events",
    "personalize-users",
    "personalize-items",
    "pinpoint-events",
    "pinpoint-endpoints",
)


class EventLog:
    def __init__(self, max_records: int = MAX_RECORDS_PER_SINK) -> None:
        self._records: dict[str, deque[dict[str, Any]]] = {sink: deque(maxlen=max_records) for sink in SINKS}
        self._arrivals: dict[str, deque[float]] = {sink: deque(maxlen=max_records) for sink in SINKS}
        self._lock = threading.Lock()

    def add(self, sink: str, records: list[dict[str, Any]]) -> None:
        now = time.time()
        with self._lock:
            self._records[sink].extend(records)
            self._arrivals[sink].extend([now] * len(records))

    def records_since(self, sink: str, since: float) -> list[dict[str, Any]]:
        """The records that arrived after `since` (epoch seconds), each with its `receivedAt`."""
        if sink not in self._records:
            raise ValueError(f"unknown sink {sink!r}; one of {', '.join(SINKS)}")
        with self._lock:
            arrivals, records = self._arrivals[sink], self._records[sink]
            start = len(arrivals)
            while start > 0 and arrivals[start - 1] > since:
                start -= 1
            return [{**records[i], "receivedAt": arrivals[i]} for i in range(start, len(records))]

    def records(self, sink: str) -> list[dict[str, Any]]:
        if sink not in self._records:
            raise ValueError(f"unknown sink {sink!r}; one of {', '.join(SINKS)}")
        with self._lock:
            return list(self._records[sink])

    def all_records(self) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            return {sink: list(records) for sink, records in self._records.items()}

    def clear(self) -> None:
        with self._lock:
            for records in self._records.values():
                records.clear()
            for arrivals in self._arrivals.values():
                arrivals.clear()
