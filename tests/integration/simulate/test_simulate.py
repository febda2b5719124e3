"""`python -m simulate` against the local stack: a short run exposes both variants of the demo's
experiment, its shoppers click in both, and the analytics store counts what the run sent, the same
in the named query `experiment-outcomes` and in the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analytics.local_engine import NoDataError, run_local
from analytics.queries import EXPERIMENT_OUTCOMES
from simulate.__main__ import main
from simulate.outcomes import COUNTED
from tests.stack_fixture import LocalStackHandle

pytestmark = pytest.mark.integration

EXPERIMENT = "user-recs-vs-featured"
VARIANTS = {"personalized", "featured-holdout"}
COLUMNS = (*COUNTED, "exposures", "clicked_exposures", "added_exposures", "ordered_exposures")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def outcomes(data_dir: Path) -> dict[str, dict[str, Any]]:
    """The query's rows of the demo's experiment, by variant (none before the first analytics file)."""
    try:
        rows = run_local(EXPERIMENT_OUTCOMES, data_dir).records()
    except NoDataError:
        return {}
    return {row["variant"]: row for row in rows if row["experiment"] == EXPERIMENT}


def test_a_short_simulation_is_counted_the_same_in_the_store_and_the_report(
    local_stack: LocalStackHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = outcomes(local_stack.data_dir)
    plot = tmp_path / "report.png"

    code = main(
        [
            "--data",
            str(local_stack.data_dir),
            "--no-start",
            "--shoppers",
            "12",
            "--pages",
            "8",
            "--seed",
            "3",
            "--json",
            "--no-progress",
            "--plot",
            str(plot),
            "--analytics-timeout",
            "60",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    answer = json.loads(captured.out)
    run = answer["run"]

    # The run: every page answered, every event on the bus, both variants exposed and clicked.
    assert run["pageFailures"] == 0
    assert (run["rejectedEvents"], run["lostEvents"], run["failedRequests"]) == (0, 0, 0)
    assert run["events"]["RecommendationsShown"] == 12 * 8
    sent = {row["variant"]: row for row in run["variants"] if row["experiment"] == EXPERIMENT}
    assert set(sent) == VARIANTS
    for variant in VARIANTS:
        assert sent[variant]["exposures"] > 0
        assert sent[variant]["clicked_exposures"] > 0
    assert sent["personalized"]["personalize_exposures"] == sent["personalized"]["exposures"]
    assert sent["featured-holdout"]["featured_exposures"] == sent["featured-holdout"]["exposures"]

    # The store: what the run sent, exactly (each eventId once), over what it held before.
    after = outcomes(local_stack.data_dir)
    for variant in VARIANTS:
        for column in COLUMNS:
            arrived = after[variant][column] - before.get(variant, {}).get(column, 0)
            assert arrived == sent[variant][column], (variant, column)

    # The report: the store's numbers.
    (experiment,) = [e for e in answer["report"]["experiments"] if e["experiment"] == EXPERIMENT]
    assert experiment["holdout"] == "featured-holdout"
    reported = {v["variant"]: v for v in experiment["variants"]}
    for variant in VARIANTS:
        row, stats = after[variant], reported[variant]
        assert stats["exposures"] == row["exposures"]
        assert stats["shown_events"] == row["shown_events"]
        assert stats["clicked_exposures"] == row["clicked_exposures"]
        assert stats["click_events"] == row["click_events"]
        assert stats["ordered_exposures"] == row["ordered_exposures"]
        assert stats["ctr"]["rate"] == pytest.approx(row["clicked_exposures"] / row["exposures"])
    assert plot.read_bytes().startswith(PNG_SIGNATURE)
