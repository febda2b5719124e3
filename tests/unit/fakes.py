"""In-memory fakes that unit tests of more than one area use."""

from __future__ import annotations

from typing import Any


class RecordingBus:
    """An EventBridge client that takes every entry and keeps it."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.entries.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(i)} for i, _ in enumerate(Entries)]}
