"""The API's limits: enforced by the handlers, stated in openapi.json, copied by the storefront.

`storefront/js/limits.js` holds the storefront's copy; a test keeps the two equal.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import StringConstraints

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
"""How deep a JSON body may nest objects and arrays (the API's own bodies need 4 levels)."""
MAX_NUMBER_DIGITS = 1000
"""The longest number a JSON body may spell; longer ones are refused before they are converted."""
MAX_SAFE_INTEGER = 2**53
"""Integers in event properties stay within ±2^53, exact in every JSON consumer (JavaScript's doubles)."""
IDENTIFIER_PATTERN = r"^[A-Za-z0-9_.:@-]+$"
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=IDENTIFIER_PATTERN)]

MAX_NUM_RESULTS = 100
DEFAULT_NUM_RESULTS = 25
MAX_RANK_ITEMS = 500

MAX_EVENTS_PER_REQUEST = 25
MAX_FUTURE_SKEW = timedelta(hours=24)
"""A `sentAt` further ahead than this is a broken client clock, not an event."""
MAX_EVENT_AGE = timedelta(days=14)
"""A `sentAt` older than this is refused: stale for real-time recommendations, and beyond replay needs."""
MAX_PROPERTIES = 20
MAX_PROPERTY_KEY_LENGTH = 50
"""Amazon Pinpoint's limit for attribute and metric names."""
MAX_PROPERTY_STRING_LENGTH = 200
"""Amazon Pinpoint's limit for attribute values."""
MAX_PROPERTIES_JSON_LENGTH = 1024
"""Amazon Personalize PutEvents: `properties` is a JSON string of at most 1024 characters."""
MAX_RECOMMENDATION_ID_LENGTH = 40
"""Amazon Personalize PutEvents: `recommendationId` is at most 40 characters."""


def utc_text(moment: datetime) -> str:
    """The one timestamp format of the event path: UTC, milliseconds, `Z` (`2026-01-31T12:00:00.000Z`)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
