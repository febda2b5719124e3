"""Rates, Wilson intervals, lift and the two-proportion z-test against values worked by hand."""

from __future__ import annotations

import math

import pytest

from experiments.stats import Rate, VariantCounts, compare, variant_stats

pytestmark = pytest.mark.unit


def wilson(successes: int, trials: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return centre - half, centre + half


def pooled_z_p(s1: int, n1: int, s2: int, n2: int) -> float:
    pooled = (s1 + s2) / (n1 + n2)
    z = (s1 / n1 - s2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


@pytest.mark.parametrize(("successes", "trials"), [(30, 100), (1, 20), (0, 50), (50, 50), (412, 5000)])
def test_the_interval_is_wilsons(successes: int, trials: int) -> None:
    rate = Rate.of(successes, trials)
    low, high = wilson(successes, trials)

    assert rate.value == successes / trials
    assert rate.low == pytest.approx(max(low, 0.0), abs=1e-9)
    assert rate.high == pytest.approx(min(high, 1.0), abs=1e-9)
    assert rate.low is not None
    assert rate.value is not None
    assert rate.high is not None
    assert 0.0 <= rate.low <= rate.value <= rate.high <= 1.0


def test_thirty_in_a_hundred_against_twenty_in_a_hundred() -> None:
    """Worked example: pooled p = 0.25, z = 0.1 / sqrt(0.25*0.75*0.02) = 1.633, p = 0.1025."""
    comparison = compare(30, 100, 20, 100)

    assert comparison.lift == pytest.approx(0.5)
    assert comparison.p_value == pytest.approx(0.10247, abs=1e-5)
    assert comparison.p_value == pytest.approx(pooled_z_p(30, 100, 20, 100))


def test_a_large_difference_is_significant() -> None:
    comparison = compare(600, 5000, 300, 5000)

    assert comparison.lift == pytest.approx(1.0)
    assert comparison.p_value is not None
    assert comparison.p_value < 1e-10


def test_no_exposures_or_no_variation_give_no_test() -> None:
    assert compare(0, 0, 5, 10) == compare(5, 10, 0, 0)
    assert compare(5, 10, 0, 0).p_value is None
    assert compare(0, 10, 0, 10).p_value is None
    assert Rate.of(0, 0).value is None


def test_every_variant_is_compared_with_the_holdout() -> None:
    rows = [
        VariantCounts("home", "personalized", "personalize", 1000, 120, 40, 10),
        VariantCounts("home", "holdout", "featured", 1000, 60, 20, 4),
    ]

    personalized, holdout = variant_stats(rows, frozenset({"featured"}))

    assert holdout.is_holdout
    assert holdout.ctr_vs_holdout.lift is None
    assert personalized.ctr.value == 0.12
    assert personalized.ctr_vs_holdout.lift == pytest.approx(1.0)
    assert personalized.ctr_vs_holdout.p_value == pytest.approx(pooled_z_p(120, 1000, 60, 1000))
    assert personalized.conversion.value == 0.01
    assert personalized.conversion_vs_holdout.lift == pytest.approx(1.5)


def test_a_named_holdout_wins_over_the_sources() -> None:
    rows = [
        VariantCounts("home", "personalized", "personalize", 1000, 120, 40, 10),
        VariantCounts("home", "other-campaign", "personalize", 1000, 60, 20, 4),
        VariantCounts("home", "holdout", "featured", 1000, 30, 10, 2),
    ]

    personalized, other, holdout = variant_stats(
        rows, frozenset({"featured"}), holdout_variant="other-campaign"
    )

    assert other.is_holdout
    assert not holdout.is_holdout
    assert personalized.ctr_vs_holdout.lift == pytest.approx(1.0)
    assert holdout.ctr_vs_holdout.lift == pytest.approx(-0.5)
    assert variant_stats(rows, frozenset({"featured"}), holdout_variant="nope")[0].ctr_vs_holdout.lift is None
