"""What the emulated sinks received, kept in memory so tests and demos can read it back."""

from __future__ import annotations

import threading
from typing import Any

SINKS = (
    "personalize-events",
    "personalize-users",
    "personalize-items",
    "pinpoint-events",
    "pinpoint-endpoints",
)


class EventLog:
    def __init__(self) -> None:
        self._records: dict[str, list[dict[str, Any]]] = {sink: [] for sink in SINKS}
        self._lock = threading.Lock()

    def add(self, sink: str, records: list[dict[str, Any]]) -> None:
        with self._lock:
            self._records[sink].extend(records)

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
