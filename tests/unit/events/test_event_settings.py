"""EventSettings: the bus name reaches track_event through the environment the stacks render."""

from __future__ import annotations

import pytest

from personalization.contracts.topology import ROUTES, TRACK_EVENT
from personalization.settings import DEFAULT_EVENT_BUS_NAME, EventSettings, SettingsError

pytestmark = pytest.mark.unit


def test_the_rendered_environment_names_the_bus_and_reads_back() -> None:
    settings = EventSettings.for_function("track_event", "/shop-a", EVENT_BUS_NAME="shop-a-events")

    environment = settings.to_environment()

    assert environment["EVENT_BUS_NAME"] == "shop-a-events"
    assert EventSettings.from_environment(environment) == settings


def test_a_missing_bus_name_fails_fast() -> None:
    with pytest.raises(SettingsError, match="EVENT_BUS_NAME: Field required"):
        EventSettings.for_function("track_event")


def test_an_invalid_bus_name_fails_fast() -> None:
    environment = {
        **EventSettings.for_function("track_event", EVENT_BUS_NAME=DEFAULT_EVENT_BUS_NAME).to_environment(),
        "EVENT_BUS_NAME": "bad name",
    }

    with pytest.raises(SettingsError, match="EVENT_BUS_NAME"):
        EventSettings.from_environment(environment)


def test_post_events_is_routed_to_track_event_with_event_settings() -> None:
    (route,) = [route for route in ROUTES if route.path == "/events"]

    assert (route.method, route.function) == ("POST", TRACK_EVENT)
    assert TRACK_EVENT.settings_model is EventSettings
