"""The event types of docs/architecture.md §5 are the same in every part that names them.

The dataset generator (the eight shopper actions: exposures are not interactions) and the
storefront (JavaScript, every type) keep their own list so they run without the Lambda code;
these tests keep those lists equal to the event schema's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dataset
from personalization.contracts.events import EVENT_TYPES, SHOPPER_ACTIONS

pytestmark = pytest.mark.unit

STOREFRONT_EVENTS = Path(__file__).resolve().parents[3] / "storefront" / "js" / "events.js"


def test_the_dataset_generates_the_event_schema_types_in_the_same_order() -> None:
    assert dataset.EVENT_TYPES == SHOPPER_ACTIONS


def test_the_storefront_sends_the_event_schema_types() -> None:
    source = STOREFRONT_EVENTS.read_text()
    listed = re.search(r"EVENT_TYPES = Object\.freeze\(\[(.*?)\]\)", source, re.S)

    assert listed is not None, "storefront/js/events.js no longer declares EVENT_TYPES"
    assert tuple(re.findall(r'"([A-Za-z]+)"', listed.group(1))) == EVENT_TYPES
