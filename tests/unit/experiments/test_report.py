"""The experiment report over a hand-built analytics folder: exact counts, rates, lift and p-values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.local_engine import NoDataError, run_local
from analytics.queries import EXPERIMENT_OUTCOMES
from analytics.source import SourceUsageError, athena_runner
from experiments.report import (
    Report,
    ReportUsageError,
    as_table,
    build_report,
    load_outcomes,
)
from experiments.stats import Rate, compare
from tests.unit.experiments.conftest import EXPERIMENT, HOLDOUT, PERSONALIZED, RANKING

pytestmark = pytest.mark.unit


def outcome_row(experiment: str, variant: str, **counts: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "experiment": experiment,
        "variant": variant,
        "exposures": 0,
        "shown_events": 0,
        "personalize_exposures": 0,
        "fallback_exposures": 0,
        "featured_exposures": 0,
        "natural_exposures": 0,
        "clicked_exposures": 0,
        "click_events": 0,
        "added_exposures": 0,
        "add_events": 0,
        "ordered_exposures": 0,
        "order_events": 0,
    }
    row.update(counts)
    return row


def test_the_query_counts_exposures_and_outcomes_within_each_variant(outcomes_folder: Path) -> None:
    rows = run_local(EXPERIMENT_OUTCOMES, outcomes_folder).records()

    assert rows == [
        outcome_row(
            RANKING,
            "a",
            exposures=2,
            shown_events=2,
            natural_exposures=2,
            clicked_exposures=1,
            click_events=1,
        ),
        outcome_row(
            RANKING,
            "b",
            exposures=1,
            shown_events=1,
            personalize_exposures=1,
            clicked_exposures=1,
            click_events=1,
        ),
        outcome_row(
            EXPERIMENT,
            HOLDOUT,
            exposures=3,
            shown_events=3,
            featured_exposures=3,
            clicked_exposures=1,
            click_events=1,
            ordered_exposures=1,
            order_events=1,
        ),
        outcome_row(
            EXPERIMENT,
            PERSONALIZED,
            exposures=4,
            shown_events=5,
            personalize_exposures=3,
            fallback_exposures=1,
            clicked_exposures=2,
            click_events=3,
            added_exposures=1,
            add_events=1,
            ordered_exposures=1,
            order_events=1,
        ),
    ]


def test_a_longer_lookback_reaches_the_old_exposure(outcomes_folder: Path) -> None:
    rows = load_outcomes(data_dir=outcomes_folder, lookback_days=60).records()
    personalized = next(row for row in rows if row["variant"] == PERSONALIZED)
    assert (personalized["exposures"], personalized["clicked_exposures"]) == (5, 3)


def test_the_report_compares_each_variant_with_the_featured_holdout(outcomes_folder: Path) -> None:
    report = build_report(load_outcomes(data_dir=outcomes_folder), lookback_days=30)

    assert [e.name for e in report.experiments] == [RANKING, EXPERIMENT]
    experiment = report.experiment(EXPERIMENT)
    assert experiment.holdout == HOLDOUT
    assert experiment.note is None
    assert [v.counts.variant for v in experiment.variants] == [HOLDOUT, PERSONALIZED]  # holdout first

    holdout, personalized = experiment.variants
    assert holdout.is_holdout
    assert not personalized.is_holdout
    assert personalized.counts.source == "personalize"  # 3 personalize answers, 1 fallback: still its own
    assert personalized.counts.fallback_exposures == 1
    assert personalized.ctr.value == 0.5
    assert personalized.conversion.value == 0.25
    assert holdout.ctr.value == pytest.approx(1 / 3)
    assert holdout.conversion.value == pytest.approx(1 / 3)
    assert personalized.ctr == Rate.of(2, 4)
    assert personalized.ctr_vs_holdout.lift == pytest.approx(0.5)
    assert personalized.ctr_vs_holdout == compare(2, 4, 1, 3)
    assert personalized.conversion_vs_holdout.lift == pytest.approx(-0.25)
    assert personalized.conversion_vs_holdout == compare(1, 4, 1, 3)
    assert holdout.ctr_vs_holdout.lift is None
    assert holdout.ctr_vs_holdout.p_value is None

    ranking = report.experiment(RANKING)
    assert ranking.holdout == "a"  # natural answers
    assert ranking.variant("b").ctr_vs_holdout.lift == pytest.approx(1.0)


def test_the_report_of_known_counts_has_known_numbers() -> None:
    """30 of 100 against 20 of 100 (test_stats' worked example): lift 0.5, p = 0.10247."""
    rows = [
        outcome_row("e", "treated", exposures=100, personalize_exposures=98, fallback_exposures=2,
                    clicked_exposures=30, click_events=41, ordered_exposures=5, order_events=6),
        outcome_row("e", "holdout", exposures=100, featured_exposures=100, clicked_exposures=20,
                    click_events=22, ordered_exposures=5, order_events=5),
    ]  # fmt: skip
    treated = build_report(rows).experiment("e").variant("treated")

    assert treated.ctr_vs_holdout.lift == pytest.approx(0.5)
    assert treated.ctr_vs_holdout.p_value == pytest.approx(0.10247, abs=1e-5)
    assert treated.ctr.low == pytest.approx(0.2189, abs=1e-4)
    assert treated.ctr.high == pytest.approx(0.3958, abs=1e-4)
    assert treated.conversion_vs_holdout.lift == pytest.approx(0.0)
    assert treated.conversion_vs_holdout.p_value == pytest.approx(1.0)


def test_the_holdout_can_be_named_and_an_unknown_one_is_a_usage_error(outcomes_folder: Path) -> None:
    rows = load_outcomes(data_dir=outcomes_folder)
    report = build_report(rows, holdout=PERSONALIZED, experiment=EXPERIMENT)

    (experiment,) = report.experiments
    assert experiment.holdout == PERSONALIZED
    assert experiment.variant(HOLDOUT).ctr_vs_holdout.lift == pytest.approx(-1 / 3)

    with pytest.raises(ReportUsageError, match="no variant 'nope'"):
        build_report(rows, holdout="nope")
    assert build_report(rows, experiment="no-such").experiments == ()


def test_without_a_single_holdout_there_is_no_comparison() -> None:
    both_personal = [
        outcome_row("e", "a", exposures=10, personalize_exposures=10, clicked_exposures=1),
        outcome_row(
            "e", "b", exposures=10, personalize_exposures=4, fallback_exposures=6, clicked_exposures=2
        ),
    ]
    experiment = build_report(both_personal).experiment("e")
    assert experiment.holdout is None
    assert experiment.note is not None
    assert "--holdout" in experiment.note
    assert all(v.ctr_vs_holdout.p_value is None and not v.is_holdout for v in experiment.variants)
    assert experiment.variant("b").counts.source == "fallback"

    both_featured = [outcome_row("e", name, exposures=5, featured_exposures=5) for name in ("a", "b")]
    experiment = build_report(both_featured).experiment("e")
    assert experiment.holdout is None
    assert experiment.note is not None
    assert "several" in experiment.note


def test_the_table_shows_counts_rates_and_the_holdout(outcomes_folder: Path) -> None:
    table = as_table(build_report(load_outcomes(data_dir=outcomes_folder), lookback_days=30))

    assert f"{EXPERIMENT}: holdout {HOLDOUT}, last 30 days" in table
    lines = table.splitlines()
    counts = next(line for line in lines if line.startswith(PERSONALIZED) and "personalize" in line)
    assert counts.split() == [PERSONALIZED, "personalize", "4", "1", "2", "3", "1", "1", "1", "1"]
    ctr = next(line for line in lines if line.startswith(PERSONALIZED) and " CTR " in line)
    assert ctr.split()[2] == "50.00%"
    assert ctr.split()[5] == "+50.0%"


def test_an_empty_folder_has_no_data(tmp_path: Path) -> None:
    with pytest.raises(NoDataError):
        load_outcomes(data_dir=tmp_path)
    with pytest.raises(ValueError, match="either"):
        load_outcomes()


def test_the_athena_runner_takes_the_database_of_the_workgroups_stack() -> None:
    runner = athena_runner("RetailPersonalization-analytics", client=object())
    assert runner.database == "retail_personalization_analytics"
    assert athena_runner("mine", database="db", client=object()).database == "db"
    with pytest.raises(SourceUsageError, match="--database"):
        athena_runner("mine", client=object())


def test_an_empty_report_is_empty() -> None:
    assert build_report([]) == Report(())
