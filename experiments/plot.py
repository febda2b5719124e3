"""The report as a bar chart: CTR and conversion per variant, 95% Wilson intervals as error bars.

One row of panels per experiment, one panel per rate (each its own scale: conversion is usually a
fraction of the click-through); a panel's title gives each variant's lift and p-value against the
holdout. matplotlib draws on a bare `Figure` (Agg canvas): no display, no pyplot state.
"""

from __future__ import annotations

from pathlib import Path

from experiments.report import ExperimentReport, Report, p_text, signed_percent
from experiments.stats import Comparison, Rate, VariantStats

METRICS: tuple[str, ...] = ("CTR", "conversion")
HOLDOUT_COLOUR = "#9e9e9e"
VARIANT_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def write_plot(report: Report, path: Path) -> Path:
    """Draw the report into a PNG at `path` (folders created) and answer the path."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    if not report.experiments:
        raise ValueError("nothing to plot: the report has no experiment")
    rows = len(report.experiments)
    figure = Figure(figsize=(11, 4.4 * rows), layout="constrained")
    panels = figure.subplots(rows, len(METRICS), squeeze=False)
    for row, experiment in enumerate(report.experiments):
        for column, metric in enumerate(METRICS):
            axes = panels[row][column]
            variants = experiment.variants
            rates = [_rate(stats, metric) for stats in variants]
            values = [rate.value or 0.0 for rate in rates]
            below = [_span(rate.low, rate.value) for rate in rates]
            above = [_span(rate.value, rate.high) for rate in rates]
            colours = [
                HOLDOUT_COLOUR if stats.is_holdout else VARIANT_COLOURS[index % len(VARIANT_COLOURS)]
                for index, stats in enumerate(variants)
            ]
            labels = [_label(stats) for stats in variants]
            positions = list(range(len(variants)))
            axes.bar(positions, values, 0.6, yerr=[below, above], capsize=5, color=colours)
            for position, rate in zip(positions, rates, strict=True):
                if rate.value is not None:
                    axes.annotate(
                        f"{rate.value:.1%}",
                        (position, rate.value),
                        xytext=(8, 2),
                        textcoords="offset points",
                        fontsize=8,
                    )
            axes.set_xticks(positions, labels, fontsize=8)
            axes.yaxis.set_major_formatter(PercentFormatter(1.0))
            axes.set_ylim(bottom=0)
            axes.set_ylabel(f"{metric} per exposure")
            axes.set_title(title(experiment, metric), fontsize=9)
    window = f", last {report.lookback_days} days" if report.lookback_days else ""
    figure.suptitle(f"What personalization earns: rates per exposure with 95% Wilson intervals{window}")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=110)
    return path


def _span(low: float | None, high: float | None) -> float:
    """An error bar's length; none for a rate without exposures."""
    return high - low if low is not None and high is not None else 0.0


def _rate(stats: VariantStats, metric: str) -> Rate:
    return stats.ctr if metric == "CTR" else stats.conversion


def _comparison(stats: VariantStats, metric: str) -> Comparison:
    return stats.ctr_vs_holdout if metric == "CTR" else stats.conversion_vs_holdout


def _label(stats: VariantStats) -> str:
    role = "holdout" if stats.is_holdout else stats.counts.source
    return f"{stats.counts.variant}\n({role}, n={stats.counts.exposures})"


def title(experiment: ExperimentReport, metric: str) -> str:
    """`name: metric` and, per variant compared, `variant vs holdout: lift +x%, p=...`."""
    heading = f"{experiment.name}: {metric}"
    if experiment.holdout is None:
        return f"{heading}\nno holdout, no test"
    compared = []
    for stats in experiment.variants:
        if stats.is_holdout:
            continue
        comparison = _comparison(stats, metric)
        lift = signed_percent(comparison.lift) if comparison.lift is not None else "n/a"
        p_value = p_text(comparison.p_value) if comparison.p_value is not None else "n/a"
        compared.append(f"{stats.counts.variant} vs {experiment.holdout}: lift {lift}, p={p_value}")
    return "\n".join([heading, *compared])
