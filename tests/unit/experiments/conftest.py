"""A small analytics folder of experiment events with counts known by hand (see `outcomes_folder`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from personalization.contracts.limits import utc_text
from tests.unit.analytics.conftest import days_ago, write_object

EXPERIMENT = "user-recs-vs-featured"
PERSONALIZED = "personalized"
HOLDOUT = "featured-holdout"
RANKING = "ranking-test"

TODAY = days_ago(0)
YESTERDAY = days_ago(1)
LONG_AGO = days_ago(45)


def record(
    event_id: str,
    event_type: str,
    recommendation_id: str | None,
    variant: tuple[str, str] | None,
    when: datetime = TODAY,
    properties: dict[str, Any] | None = None,
    item_id: str | None = "p1",
) -> dict[str, Any]:
    """One analytics record: a bus detail as track_event puts it on the bus (absent values null)."""
    return {
        "eventId": event_id,
        "eventType": event_type,
        "sessionId": "session-1",
        "userId": "shopper-1",
        "itemId": item_id,
        "sentAt": utc_text(when),
        "recommendationId": recommendation_id,
        "experiment": None if variant is None else {"name": variant[0], "variant": variant[1]},
        "properties": properties or {},
    }


def shown(event_id: str, rid: str, variant: tuple[str, str] | None, source: str, **kw: Any) -> dict[str, Any]:
    properties = {"useCase": "user-personalization", "source": source, "itemCount": 10}
    return record(event_id, "RecommendationsShown", rid, variant, properties=properties, item_id=None, **kw)


P = (EXPERIMENT, PERSONALIZED)
H = (EXPERIMENT, HOLDOUT)
RA = (RANKING, "a")
RB = (RANKING, "b")


@pytest.fixture
def outcomes_folder(tmp_path: Path) -> Path:
    """user-recs-vs-featured, in the last 30 days:

    personalized: exposures R1, R2 (shown twice: two eventIds), R3 (source fallback), R4 -> 4, with
      5 shown events; R1 clicked twice (c1 delivered twice), added once, ordered once (o1 delivered
      twice); R3 clicked once -> 2 clicked exposures, 3 click events, 1 added, 1 ordered.
    featured-holdout: exposures H1, H2, H3 (featured) -> 3; H1 clicked and ordered.
    Not counted: a view of H2 carrying the personalized variant, a view of R4 carrying the holdout
    variant, a view of R2 without experiment, an exposure without experiment, an exposure and a view
    45 days ago, a view carrying an unknown recommendationId.

    ranking-test: a (natural) exposures A1, A2, A1 clicked; b (personalize) B1, clicked.
    """
    yesterday = [
        shown("s-r1", "R1", P, "personalize", when=YESTERDAY),
        record("c1", "ProductViewed", "R1", P, YESTERDAY),
        shown("s-h1", "H1", H, "featured", when=YESTERDAY),
        record("c4", "ProductViewed", "H1", H, YESTERDAY),
    ]
    today = [
        shown("s-r2", "R2", P, "personalize"),
        shown("s-r2-again", "R2", P, "personalize"),
        shown("s-r3", "R3", P, "fallback"),
        shown("s-r4", "R4", P, "personalize"),
        shown("s-h2", "H2", H, "featured"),
        shown("s-h3", "H3", H, "featured"),
        record("c2", "ProductViewed", "R1", P),
        record("a1", "ProductAdded", "R1", P, properties={"quantity": 2}),
        record("o1", "OrderCompleted", "R1", P, properties={"quantity": 2}),
        record("c3", "ProductViewed", "R3", P),
        record("o2", "OrderCompleted", "H1", H),
        # Not counted:
        record("x1", "ProductViewed", "H2", P),  # the holdout's answer, the other variant
        record("x2", "ProductViewed", "R4", H),
        record("x3", "ProductViewed", "R2", None),
        record("x4", "ProductViewed", "R-unknown", P),
        shown("s-none", "N1", None, "featured"),
        record("v-plain", "ProductViewed", None, None),
        # Another experiment, a natural holdout:
        shown("s-a1", "A1", RA, "natural"),
        shown("s-a2", "A2", RA, "natural"),
        shown("s-b1", "B1", RB, "personalize"),
        record("c-a1", "ProductViewed", "A1", RA),
        record("c-b1", "ProductViewed", "B1", RB),
    ]
    long_ago = [shown("s-old", "R-old", P, "personalize", when=LONG_AGO)]
    long_ago.append(record("c-old", "ProductViewed", "R-old", P, LONG_AGO))
    write_object(tmp_path, yesterday, YESTERDAY)
    write_object(tmp_path, today, TODAY)
    # Redeliveries: the same records again, in another object.
    redelivered = [r for r in [*yesterday, *today] if r["eventId"] in {"s-r1", "c1", "o1"}]
    write_object(tmp_path, redelivered, TODAY)
    write_object(tmp_path, long_ago, LONG_AGO)
    return tmp_path
