"""Fixtures for unit tests of more than one area."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from personalization.adapters import aws
from personalization.adapters.event_bus import event_publisher
from tests.unit.fakes import RecordingBus


@pytest.fixture
def recording_bus() -> Iterator[RecordingBus]:
    """A RecordingBus as track_event's events client."""
    recording = RecordingBus()
    event_publisher.cache_clear()
    aws.set_client("events", recording)
    yield recording
    aws.reset_clients()
    event_publisher.cache_clear()
