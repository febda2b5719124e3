"""Per-variant rates with 95% intervals, lift over the holdout and a two-proportion z-test.

Rates are per exposure (an answer the variant served and the shopper was shown): click-through is
the exposures clicked at least once / exposures, conversion is the exposures ordered from at least
once / exposures (each a proportion of exposures, however often a shopper repeats an action).
Intervals are Wilson score intervals, which stay inside [0, 1] and behave at small counts; the
test is the pooled two-proportion z-test, two-sided (statsmodels).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from statsmodels.stats.proportion import proportion_confint, proportions_ztest

CONFIDENCE = 0.95


@dataclass(frozen=True)
class VariantCounts:
    experiment: str
    variant: str
    source: str
    """The source of most of the variant's answers (personalize, fallback, featured, natural)."""
    exposures: int
    clicks: int
    """Exposures with at least one click (a ProductViewed carrying the answer's recommendationId)."""
    adds: int
    """Exposures with at least one ProductAdded."""
    orders: int
    """Exposures with at least one OrderCompleted."""
    click_events: int = 0
    add_events: int = 0
    order_events: int = 0
    fallback_exposures: int = 0
    """Answers of a personalize variant that fell back (Personalize failed): still the variant's."""
    shown_events: int = 0
    """RecommendationsShown events (an answer displayed twice is one exposure, two events)."""


@dataclass(frozen=True)
class Rate:
    value: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, successes: int, trials: int) -> Rate:
        if trials == 0:
            return cls(None, None, None)
        value = successes / trials
        low, high = proportion_confint(successes, trials, alpha=1 - CONFIDENCE, method="wilson")
        # The bounds hold the estimate; rounding can put a bound a hair past it at 0 or 1.
        return cls(value, min(float(low), value), max(float(high), value))


@dataclass(frozen=True)
class Comparison:
    """A variant against the holdout: relative lift of the rate and the test's p-value."""

    lift: float | None
    p_value: float | None


@dataclass(frozen=True)
class VariantStats:
    counts: VariantCounts
    ctr: Rate
    conversion: Rate
    is_holdout: bool
    ctr_vs_holdout: Comparison
    conversion_vs_holdout: Comparison


def compare(successes: int, trials: int, holdout_successes: int, holdout_trials: int) -> Comparison:
    if trials == 0 or holdout_trials == 0:
        return Comparison(None, None)
    rate, holdout_rate = successes / trials, holdout_successes / holdout_trials
    lift = rate / holdout_rate - 1 if holdout_rate > 0 else None
    if successes + holdout_successes in (0, trials + holdout_trials):
        return Comparison(lift, None)
    _, p_value = proportions_ztest([successes, holdout_successes], [trials, holdout_trials])
    return Comparison(lift, float(p_value) if math.isfinite(p_value) else None)


def variant_stats(
    counts: Sequence[VariantCounts], holdout_sources: frozenset[str], holdout_variant: str | None = None
) -> list[VariantStats]:
    """Every variant of one experiment, each compared with the experiment's holdout: the variant named
    `holdout_variant` when given, else the first whose source is in `holdout_sources`; without a
    holdout, comparisons are empty."""
    if holdout_variant is not None:
        holdout = next((c for c in counts if c.variant == holdout_variant), None)
    else:
        holdout = next((c for c in counts if c.source in holdout_sources), None)
    results = []
    for row in counts:
        is_holdout = holdout is not None and row is holdout
        if holdout is None or is_holdout:
            ctr_vs = conversion_vs = Comparison(None, None)
        else:
            ctr_vs = compare(row.clicks, row.exposures, holdout.clicks, holdout.exposures)
            conversion_vs = compare(row.orders, row.exposures, holdout.orders, holdout.exposures)
        results.append(
            VariantStats(
                counts=row,
                ctr=Rate.of(row.clicks, row.exposures),
                conversion=Rate.of(row.orders, row.exposures),
                is_holdout=is_holdout,
                ctr_vs_holdout=ctr_vs,
                conversion_vs_holdout=conversion_vs,
            )
        )
    return results
