"""Waiting for something the system does in the background: poll with a timeout, never sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    probe: Callable[[], T | None],
    timeout: float = 10.0,
    interval: float = 0.1,
    describe: Callable[[], str] | None = None,
) -> T:
    """Poll `probe` until it returns something truthy, and return that; after `timeout` seconds fail
    with the last value, or with what `describe` says of the last probe."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not value:
        if time.monotonic() > deadline:
            seen = describe() if describe is not None else f"last value: {value!r}"
            raise AssertionError(f"condition not met within {timeout} s ({seen})")
        time.sleep(interval)
        value = probe()
    return value
