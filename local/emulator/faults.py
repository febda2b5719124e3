"""Fault injection per operation, switched at run time (admin path or Python API).

Each operation (or `*` for all) has a throttle rate, a server-error rate and an added
latency. The latency is added before the outcome is drawn, so a throttled answer is slow too.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

ALL_OPERATIONS = "*"
MAX_LATENCY_MS = 60_000
OPERATIONS = (
    "personalize-runtime:GetRecommendations",
    "personalize-runtime:GetPersonalizedRanking",
    "personalize-events:PutEvents",
    "personalize-events:PutUsers",
    "personalize-events:PutItems",
    "pinpoint:PutEvents",
    "pinpoint:UpdateEndpoint",
)


class Outcome(Enum):
    NORMAL = "normal"
    THROTTLE = "throttle"
    SERVER_ERROR = "server-error"


@dataclass(frozen=True)
class Fault:
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    latency_ms: float = 0.0

    def __post_init__(self) -> None:
        for name in ("throttle_rate", "error_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.throttle_rate + self.error_rate > 1.0:
            raise ValueError("throttle_rate + error_rate must not exceed 1")
        if not 0.0 <= self.latency_ms <= MAX_LATENCY_MS:
            raise ValueError(f"latency_ms must be between 0 and {MAX_LATENCY_MS}")

    @classmethod
    def from_json(cls, payload: Any) -> Fault:
        """From `{"throttleRate": 0.5, "errorRate": 0, "latencyMs": 100}` (every key optional)."""
        known = {"throttleRate": "throttle_rate", "errorRate": "error_rate", "latencyMs": "latency_ms"}
        if not isinstance(payload, dict) or set(payload) - set(known):
            raise ValueError(f"a fault is an object with the keys {sorted(known)}")
        values = {}
        for key, name in known.items():
            value = payload.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{key} must be a number")
            values[name] = float(value)
        return cls(**values)

    def to_json(self) -> dict[str, float]:
        names = asdict(self)
        return {
            "throttleRate": names["throttle_rate"],
            "errorRate": names["error_rate"],
            "latencyMs": names["latency_ms"],
        }


class FaultInjector:
    def __init__(self, seed: int | None = None) -> None:
        self._faults: dict[str, Fault] = {}
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def set(self, operation: str, fault: Fault) -> None:
        if operation != ALL_OPERATIONS and operation not in OPERATIONS:
            raise ValueError(
                f"unknown operation {operation!r}; one of {', '.join((ALL_OPERATIONS, *OPERATIONS))}"
            )
        with self._lock:
            self._faults[operation] = fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def snapshot(self) -> dict[str, dict[str, float]]:
        with self._lock:
            return {operation: fault.to_json() for operation, fault in self._faults.items()}

    def draw(self, operation: str) -> tuple[float, Outcome]:
        """The latency to add (seconds) and the outcome of one call."""
        with self._lock:
            fault = self._faults.get(operation) or self._faults.get(ALL_OPERATIONS) or Fault()
            roll = self._random.random()
        if roll < fault.throttle_rate:
            outcome = Outcome.THROTTLE
        elif roll < fault.throttle_rate + fault.error_rate:
            outcome = Outcome.SERVER_ERROR
        else:
            outcome = Outcome.NORMAL
        return fault.latency_ms / 1000.0, outcome


def parse_fault_table(payload: Any) -> dict[str, Fault]:
    """`{"<service>:<Operation>" | "*": {fault}}` as sent to the admin path."""
    if not isinstance(payload, dict):
        raise TypeError("the body is an object keyed by operation")
    return {operation: Fault.from_json(fault) for operation, fault in payload.items()}
