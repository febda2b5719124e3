"""What personalization earns: the experiment report, per experiment and variant (docs/experiments.md).

The counts come from the named query `experiment-outcomes` (analytics.queries), run by the
analytics package's engines: DuckDB over a local data folder (`analytics.local_engine`) or a
deployment's Athena workgroup (`analytics.athena`). This module turns its rows into rates with
95% Wilson intervals, lift over the holdout and two-proportion z-tests (`experiments.stats`), and
prints them as a table or JSON.

    rows = load_outcomes(data_dir=Path(".demo-data"))  # or athena=analytics.source.athena_runner(WORKGROUP)
    report = build_report(rows)
    print(as_table(report))

The holdout of an experiment is the variant whose answers are mostly `featured` or `natural`
(the sources of `HOLDOUT_SOURCES`); `fallback` answers (Personalize failed) stay with their
personalize variant. `holdout=NAME` picks it by name instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.athena import AthenaRunner
from analytics.dialect import DEFAULT_LOOKBACK_DAYS
from analytics.local_engine import run_local
from analytics.queries import EXPERIMENT_OUTCOMES
from analytics.result import QueryResult
from experiments.stats import Comparison, Rate, VariantCounts, VariantStats, variant_stats
from personalization.contracts.experiments import HOLDOUT_SOURCES

HOLDOUT_SOURCE_NAMES = frozenset(HOLDOUT_SOURCES.values())
"""`featured` and `natural`: what a variant without personalization answers."""
SOURCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("personalize", "personalize_exposures"),
    ("featured", "featured_exposures"),
    ("natural", "natural_exposures"),
    ("fallback", "fallback_exposures"),
)
"""The query's exposures per answer source; on a tie the first wins."""


class ReportUsageError(ValueError):
    """The request cannot be answered as asked (an unknown holdout, a workgroup of unknown database)."""


@dataclass(frozen=True)
class ExperimentReport:
    name: str
    holdout: str | None
    """The variant the others are compared with; None when there is none (see `note`)."""
    note: str | None
    """Why there is no comparison, or how the holdout was chosen when not by its source."""
    variants: tuple[VariantStats, ...]
    """The holdout first, then the other variants by name."""

    def variant(self, name: str) -> VariantStats:
        for stats in self.variants:
            if stats.counts.variant == name:
                return stats
        raise KeyError(f"experiment {self.name} has no variant {name!r}")


@dataclass(frozen=True)
class Report:
    experiments: tuple[ExperimentReport, ...]
    lookback_days: int | None = None

    def experiment(self, name: str) -> ExperimentReport:
        for experiment in self.experiments:
            if experiment.name == name:
                return experiment
        raise KeyError(f"no experiment {name!r} in the report")

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data with stable keys (what `--json` prints)."""
        return {
            "lookback_days": self.lookback_days,
            "experiments": [
                {
                    "experiment": experiment.name,
                    "holdout": experiment.holdout,
                    "note": experiment.note,
                    "variants": [_variant_dict(stats) for stats in experiment.variants],
                }
                for experiment in self.experiments
            ],
        }


def _variant_dict(stats: VariantStats) -> dict[str, Any]:
    counts = stats.counts
    return {
        "variant": counts.variant,
        "source": counts.source,
        "is_holdout": stats.is_holdout,
        "exposures": counts.exposures,
        "shown_events": counts.shown_events,
        "fallback_exposures": counts.fallback_exposures,
        "clicked_exposures": counts.clicks,
        "click_events": counts.click_events,
        "added_exposures": counts.adds,
        "add_events": counts.add_events,
        "ordered_exposures": counts.orders,
        "order_events": counts.order_events,
        "ctr": _rate_dict(stats.ctr, stats.ctr_vs_holdout),
        "conversion": _rate_dict(stats.conversion, stats.conversion_vs_holdout),
    }


def _rate_dict(rate: Rate, comparison: Comparison) -> dict[str, float | None]:
    return {
        "rate": rate.value,
        "low": rate.low,
        "high": rate.high,
        "lift": comparison.lift,
        "p_value": comparison.p_value,
    }


# --- loading -------------------------------------------------------------------------------------


def load_outcomes(
    *,
    data_dir: Path | None = None,
    athena: AthenaRunner | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> QueryResult:
    """The rows of `experiment-outcomes`: DuckDB over `data_dir/analytics/` or, with `athena`, in the
    runner's workgroup. Exactly one of the two. Raises `analytics.local_engine.NoDataError` when the
    folder holds no analytics file yet and `analytics.athena.AthenaQueryError` when Athena fails."""
    if (data_dir is None) == (athena is None):
        raise ValueError("give either data_dir or athena")
    if athena is not None:
        return athena.run(EXPERIMENT_OUTCOMES, lookback_days)
    assert data_dir is not None
    return run_local(EXPERIMENT_OUTCOMES, data_dir.resolve(), lookback_days)


# --- the report ----------------------------------------------------------------------------------


def counts_of(row: Mapping[str, Any]) -> VariantCounts:
    """One row of `experiment-outcomes` as the counts of a variant; its source is the one most of its
    answers had."""
    by_source = [(source, int(row.get(column) or 0)) for source, column in SOURCE_COLUMNS]
    source, most = max(by_source, key=lambda pair: pair[1])  # max keeps the first of equal counts
    return VariantCounts(
        experiment=str(row["experiment"]),
        variant=str(row["variant"]),
        source=source if most > 0 else "unrecorded",
        exposures=int(row["exposures"]),
        clicks=int(row["clicked_exposures"]),
        adds=int(row["added_exposures"]),
        orders=int(row["ordered_exposures"]),
        click_events=int(row["click_events"]),
        add_events=int(row["add_events"]),
        order_events=int(row["order_events"]),
        fallback_exposures=int(row.get("fallback_exposures") or 0),
        shown_events=int(row.get("shown_events") or 0),
    )


def _holdout_share(counts: VariantCounts, row: Mapping[str, Any]) -> float:
    holdout_answers = sum(int(row.get(f"{source}_exposures") or 0) for source in sorted(HOLDOUT_SOURCE_NAMES))
    return holdout_answers / counts.exposures if counts.exposures else 0.0


def build_report(
    rows: QueryResult | Iterable[Mapping[str, Any]],
    *,
    holdout: str | None = None,
    experiment: str | None = None,
    lookback_days: int | None = None,
) -> Report:
    """The report of the rows of `experiment-outcomes` (a `QueryResult` or its records).

    `experiment` keeps that experiment only (an empty report when it has no exposures); `holdout`
    names the holdout variant instead of telling it by its answers' source. A `holdout` that no
    reported experiment has is a `ReportUsageError`."""
    records = rows.records() if isinstance(rows, QueryResult) else list(rows)
    grouped: dict[str, list[tuple[VariantCounts, Mapping[str, Any]]]] = {}
    for row in records:
        counts = counts_of(row)
        if experiment is None or counts.experiment == experiment:
            grouped.setdefault(counts.experiment, []).append((counts, row))
    if holdout is not None and grouped:
        known = sorted({counts.variant for pairs in grouped.values() for counts, _ in pairs})
        if holdout not in known:
            raise ReportUsageError(f"no variant {holdout!r} to hold out; variants: {', '.join(known)}")
    reports = tuple(_experiment_report(name, grouped[name], holdout) for name in sorted(grouped))
    return Report(reports, lookback_days)


def _experiment_report(
    name: str, pairs: list[tuple[VariantCounts, Mapping[str, Any]]], holdout: str | None
) -> ExperimentReport:
    variants = [counts for counts, _ in pairs]
    note: str | None = None
    chosen: str | None
    if holdout is not None:
        chosen = holdout if any(v.variant == holdout for v in variants) else None
        note = f"holdout {holdout} given" if chosen else f"no variant {holdout}: nothing to compare with"
    else:
        sources = ", ".join(sorted(HOLDOUT_SOURCE_NAMES))
        candidates = sorted(counts.variant for counts, row in pairs if _holdout_share(counts, row) > 0.5)
        if len(candidates) == 1:
            chosen = candidates[0]
        else:
            chosen = None
            note = (
                f"no variant answers mostly {sources}: nothing to compare with (--holdout NAME picks one)"
                if not candidates
                else f"several variants answer mostly {sources} ({', '.join(candidates)}): "
                "--holdout NAME picks one"
            )
    ordered = sorted(variants, key=lambda v: (v.variant != chosen, v.variant))
    stats = variant_stats(ordered, frozenset(), holdout_variant=chosen)
    return ExperimentReport(name, chosen, note, tuple(stats))


# --- output --------------------------------------------------------------------------------------


def as_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2)


def percent(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def signed_percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f}%"


def p_text(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if value >= 1e-4 else f"{value:.1e}"


def interval(rate: Rate) -> str:
    return "-" if rate.low is None else f"[{percent(rate.low)}, {percent(rate.high)}]"


def as_table(report: Report) -> str:
    """Per experiment: the counts of each variant, then its rates against the holdout."""
    window = f"last {report.lookback_days} days" if report.lookback_days else "all data read"
    blocks: list[str] = []
    for experiment in report.experiments:
        heading = f"{experiment.name}: holdout {experiment.holdout or '(none)'}, {window}"
        if experiment.note:
            heading += f"\n  {experiment.note}"
        counts = [
            [
                "variant",
                "source",
                "exposures",
                "fallback",
                "clicked",
                "clicks",
                "added",
                "adds",
                "ordered",
                "orders",
            ],
            *(
                [
                    _variant_label(stats),
                    stats.counts.source,
                    *(
                        str(value)
                        for value in (
                            stats.counts.exposures,
                            stats.counts.fallback_exposures,
                            stats.counts.clicks,
                            stats.counts.click_events,
                            stats.counts.adds,
                            stats.counts.add_events,
                            stats.counts.orders,
                            stats.counts.order_events,
                        )
                    ),
                ]
                for stats in experiment.variants
            ),
        ]
        rates = [["variant", "rate", "value", "95% interval", "lift", "p-value"]]
        for label, rate_of, comparison_of in (
            ("CTR", lambda s: s.ctr, lambda s: s.ctr_vs_holdout),
            ("conversion", lambda s: s.conversion, lambda s: s.conversion_vs_holdout),
        ):
            for stats in experiment.variants:
                rate, comparison = rate_of(stats), comparison_of(stats)
                rates.append(
                    [
                        _variant_label(stats),
                        label,
                        percent(rate.value),
                        interval(rate),
                        "holdout" if stats.is_holdout else signed_percent(comparison.lift),
                        "" if stats.is_holdout else p_text(comparison.p_value),
                    ]
                )
        blocks.append("\n".join([heading, "", _aligned(counts, text_columns=2), "", _aligned(rates, 2)]))
    blocks.append(
        "* the holdout. clicked, added, ordered: exposures with at least one click (a view from the\n"
        "answer), add or order; clicks, adds, orders: those events; fallback: answers that fell back\n"
        "(Personalize failed), still the variant's. CTR = clicked / exposures, conversion = ordered /\n"
        "exposures, 95% Wilson intervals; lift = rate / holdout rate - 1; p-value: two-sided\n"
        "two-proportion z-test against the holdout."
    )
    return "\n\n".join(blocks)


def _variant_label(stats: VariantStats) -> str:
    return f"{stats.counts.variant} *" if stats.is_holdout else stats.counts.variant


def _aligned(table: list[list[str]], text_columns: int) -> str:
    """The first `text_columns` columns to the left, the others to the right; a rule under the header."""
    widths = [max(len(row[index]) for row in table) for index in range(len(table[0]))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) if index < text_columns else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(table[0]), line(["-" * width for width in widths]), *map(line, table[1:])])
