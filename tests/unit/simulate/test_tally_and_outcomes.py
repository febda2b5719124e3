"""The run's tally counts as `experiment-outcomes` does; the wait polls the store until it shows the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from experiments.report import build_report
from simulate.client import EventsOutcome
from simulate.outcomes import OutcomesTimeoutError, counts_by_variant, missing_counts, wait_for_store
from simulate.run import Tally
from simulate.shopper import Action

pytestmark = pytest.mark.unit

NAME = "user-recs-vs-featured"
PERSONALIZED = {"name": NAME, "variant": "personalized"}
HOLDOUT = {"name": NAME, "variant": "featured-holdout"}


def shown(rid: str, experiment: dict[str, str] | None, source: str) -> Action:
    props: dict[str, str | int | float | bool] = {
        "useCase": "user-personalization",
        "source": source,
        "itemCount": 12,
    }
    return Action("RecommendationsShown", recommendation_id=rid, experiment=experiment, properties=props)


def outcome(event_type: str, rid: str, experiment: dict[str, str] | None, item: str = "p1") -> Action:
    return Action(event_type, item_id=item, recommendation_id=rid, experiment=experiment)


def send(tally: Tally, actions: list[Action], refused: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    events = [(f"e{index}", action) for index, action in enumerate(actions)]
    accepted = [event_id for index, (event_id, _) in enumerate(events) if index not in refused]
    tally.sent(events, EventsOutcome(accepted=accepted, rejected=[f"e{i}" for i in refused]))


def test_the_tally_counts_exposures_and_their_outcomes_per_variant() -> None:
    tally = Tally()
    send(
        tally,
        [
            shown("r1", PERSONALIZED, "personalize"),
            outcome("ProductViewed", "r1", PERSONALIZED),
            outcome("ProductViewed", "r1", PERSONALIZED, "p2"),
            outcome("ProductAdded", "r1", PERSONALIZED),
            shown("r2", PERSONALIZED, "fallback"),
            shown("h1", HOLDOUT, "featured"),
            outcome("ProductViewed", "h1", HOLDOUT),
            outcome("OrderCompleted", "h1", HOLDOUT),
            shown("h2", HOLDOUT, "featured"),
            outcome(
                "ProductViewed", "h2", PERSONALIZED
            ),  # another variant than its exposure: counts for neither
            shown("x1", None, "personalize"),  # outside the experiment
            outcome("ProductViewed", "x1", None),
        ],
    )

    rows = {row["variant"]: row for row in tally.rows()}

    assert set(rows) == {"featured-holdout", "personalized"}
    personalized, holdout = rows["personalized"], rows["featured-holdout"]
    assert personalized["exposures"] == 2
    assert (personalized["personalize_exposures"], personalized["fallback_exposures"]) == (1, 1)
    assert (personalized["clicked_exposures"], personalized["click_events"]) == (1, 2)
    assert (personalized["added_exposures"], personalized["add_events"]) == (1, 1)
    assert (holdout["exposures"], holdout["featured_exposures"]) == (2, 2)
    assert (holdout["clicked_exposures"], holdout["click_events"]) == (1, 1)
    assert (holdout["ordered_exposures"], holdout["order_events"]) == (1, 1)
    assert tally.events["ProductViewed"] == 5

    report = build_report(tally.rows())
    assert report.experiment(NAME).holdout == "featured-holdout"
    assert report.experiment(NAME).variant("personalized").ctr.value == 0.5


def test_only_accepted_events_are_tallied() -> None:
    tally = Tally()
    send(tally, [shown("r1", PERSONALIZED, "personalize"), outcome("ProductViewed", "r1", PERSONALIZED)], {1})

    (row,) = tally.rows()
    assert (row["exposures"], row["click_events"]) == (1, 0)
    assert tally.rejected == 1


def rows_of(shown_events: int, clicks: int, variant: str = "personalized") -> list[dict[str, Any]]:
    return [
        {
            "experiment": NAME,
            "variant": variant,
            "shown_events": shown_events,
            "click_events": clicks,
            "add_events": 0,
            "order_events": 0,
        }
    ]


def test_what_is_missing_is_counted_over_the_baseline() -> None:
    baseline = counts_by_variant(rows_of(10, 4))
    sent = counts_by_variant(rows_of(5, 2))

    assert missing_counts(baseline, sent, counts_by_variant(rows_of(15, 6))) == []
    assert missing_counts(baseline, sent, counts_by_variant(rows_of(14, 6))) == [
        f"{NAME}/personalized shown_events: 4 of 5"
    ]
    assert missing_counts({}, sent, {}) == [
        f"{NAME}/personalized shown_events: 0 of 5",
        f"{NAME}/personalized click_events: 0 of 2",
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_wait_polls_until_the_store_shows_the_run() -> None:
    reads = iter([[], rows_of(3, 1), rows_of(5, 2)])
    clock = Clock()

    arrived = wait_for_store(
        Path("/nowhere"),
        {},
        counts_by_variant(rows_of(5, 2)),
        timeout=10,
        interval=1,
        read=lambda _dir, _days: next(reads),
        clock=clock,
        sleep=clock.sleep,
    )

    assert arrived.rows == rows_of(5, 2)
    assert arrived.seconds == 2


def test_the_wait_gives_up_after_its_timeout_and_says_what_is_missing() -> None:
    clock = Clock()
    with pytest.raises(OutcomesTimeoutError, match="shown_events: 3 of 5") as raised:
        wait_for_store(
            Path("/nowhere"),
            {},
            counts_by_variant(rows_of(5, 0)),
            timeout=3,
            interval=1,
            read=lambda _dir, _days: rows_of(3, 0),
            clock=clock,
            sleep=clock.sleep,
        )
    assert raised.value.missing == [f"{NAME}/personalized shown_events: 3 of 5"]
    assert clock.now == 4
