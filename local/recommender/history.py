"""Each user's interactions: the training log (read only) plus the events received since (thread-safe).

Real-time events are keyed by user id, or by session id for anonymous shoppers; when an
event arrives with both, the session's anonymous events move to the user, as Personalize
associates a session's events with the user who signs in. Memory is bounded: each history keeps
its last `live_capacity` events, and at most `max_histories` histories are kept, the least
recently active forgotten first (its shopper falls back to the trained history).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from cachetools import LRUCache

from local.recommender.data import TrainingData

NO_ITEM = -1
"""Item code of an event without a known item (e.g. a search, or an item missing from the catalog)."""


@dataclass(frozen=True)
class LiveEvent:
    item_code: int
    event_type: str


def _user_key(user_id: str) -> str:
    return f"user:{user_id}"


def _session_key(session_id: str) -> str:
    return f"session:{session_id}"


class UserHistories:
    def __init__(self, data: TrainingData, live_capacity: int, max_histories: int) -> None:
        order = np.argsort(data.user_codes, kind="stable")
        self._items = data.item_codes[order]
        self._events = data.event_codes[order]
        self._bounds = np.searchsorted(data.user_codes[order], np.arange(len(data.user_ids) + 1))
        self._user_index = {user_id: code for code, user_id in enumerate(data.user_ids)}
        self._event_code = {event_type: code for code, event_type in enumerate(data.event_types)}
        self._live_capacity = live_capacity
        self._live: LRUCache[str, deque[LiveEvent]] = LRUCache(maxsize=max_histories)
        self._lock = threading.Lock()

    def append(self, *, user_id: str | None, session_id: str, event: LiveEvent) -> None:
        with self._lock:
            key = _session_key(session_id) if user_id is None else _user_key(user_id)
            if user_id is not None:
                self._adopt_session(session_id, key)
            self._history(key).append(event)

    def _history(self, key: str) -> deque[LiveEvent]:
        """The key's live history, created when missing; either way now the most recently used."""
        events = self._live.get(key)
        if events is None:
            events = self._live[key] = deque(maxlen=self._live_capacity)
        return events

    def _adopt_session(self, session_id: str, user_key: str) -> None:
        anonymous = self._live.pop(_session_key(session_id), None)
        if anonymous:
            self._history(user_key).extendleft(reversed(anonymous))

    @property
    def live_histories(self) -> int:
        with self._lock:
            return len(self._live)

    def _live_events(self, key: str) -> list[LiveEvent]:
        with self._lock:
            return list(self._live.get(key, ()))

    def _trained_slice(self, user_id: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int16]]:
        code = self._user_index.get(user_id)
        if code is None:
            return self._items[:0], self._events[:0]
        start, stop = self._bounds[code], self._bounds[code + 1]
        return self._items[start:stop], self._events[start:stop]

    def recent_items(self, user_id: str, trained_event_type: str, limit: int) -> npt.NDArray[np.int32]:
        """Item codes of the user's last `limit` events, oldest first: training events of the
        trained type, then every real-time event that names a known item."""
        items, events = self._trained_slice(user_id)
        trained = items[events == self._event_code.get(trained_event_type, -1)]
        live = [
            event.item_code for event in self._live_events(_user_key(user_id)) if event.item_code != NO_ITEM
        ]
        return np.concatenate([trained, np.array(live, dtype=np.int32)])[-limit:]

    def items_with_event_types(self, user_id: str, event_types: frozenset[str]) -> npt.NDArray[np.int32]:
        """Codes of the items the user had an event of one of these types with (training and real time)."""
        items, events = self._trained_slice(user_id)
        codes = [self._event_code[name] for name in event_types if name in self._event_code]
        live = [
            event.item_code
            for event in self._live_events(_user_key(user_id))
            if event.item_code != NO_ITEM and event.event_type in event_types
        ]
        return np.unique(np.concatenate([items[np.isin(events, codes)], np.array(live, dtype=np.int32)]))
