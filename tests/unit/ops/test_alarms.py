"""The twin's alarm evaluation, as CloudWatch evaluates a metric alarm: threshold and comparison,
N of M datapoints, the evaluation range, missing data, the period in progress left out."""

from __future__ import annotations

import pytest

from infra.dashboard import Alarm, Comparison, Metric, MissingData
from local.ops.alarms import EVALUATION_RANGE_EXTRA, State, evaluate, evaluation_periods

pytestmark = pytest.mark.unit

PERIOD = 5
NOW = 1_000_003.0
"""2 s into the period starting at 1_000_000 (in progress, not evaluated)."""
LAST = 1_000_000 - PERIOD
"""Start of the newest complete period."""


def alarm(
    m: int = 3,
    n: int | None = None,
    missing: MissingData = MissingData.NOT_BREACHING,
    comparison: Comparison = Comparison.GREATER_THAN,
    threshold: float = 20,
) -> Alarm:
    metric = Metric("RetailPersonalization", "X", (), "Sum", 60)
    return Alarm("Test", metric, "test", threshold, m, comparison, n, missing)


def points(*values: float | None) -> dict[int, float]:
    """Values of the newest complete periods, oldest first (None: no datapoint)."""
    starts = [LAST - PERIOD * index for index in range(len(values) - 1, -1, -1)]
    return {start: value for start, value in zip(starts, values, strict=True) if value is not None}


def state(rule: Alarm, data: dict[int, float], previous: State = State.INSUFFICIENT_DATA) -> State:
    return evaluate(rule, data, period=PERIOD, now=NOW, previous=previous).state


def test_the_periods_are_aligned_and_complete() -> None:
    assert evaluation_periods(NOW, PERIOD, 3) == [LAST - 10, LAST - 5, LAST]
    assert evaluation_periods(1_000_000.0, PERIOD, 1) == [LAST]


def test_all_of_m_breaching_alarms() -> None:
    assert state(alarm(), points(30, 40, 50)) is State.ALARM
    assert state(alarm(), points(30, 10, 50)) is State.OK


def test_the_period_in_progress_is_not_evaluated() -> None:
    data = points(10, 10, 10)
    data[1_000_000] = 99
    assert state(alarm(m=1), data) is State.OK


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((30, 30, 30, 0, 0), State.ALARM),
        ((30, 0, 30, 0, 30), State.ALARM),
        ((30, 30, 0, 0, 0), State.OK),
        ((0, 0, 0, 30, 30), State.OK),
    ],
)
def test_n_of_m(values: tuple[float, ...], expected: State) -> None:
    assert (
        state(alarm(m=5, n=3, comparison=Comparison.GREATER_THAN, threshold=1), points(*values)) is expected
    )


def test_comparisons_at_the_threshold() -> None:
    at = points(20)
    assert state(alarm(m=1, comparison=Comparison.GREATER_THAN), at) is State.OK
    assert state(alarm(m=1, comparison=Comparison.GREATER_THAN_OR_EQUAL), at) is State.ALARM
    assert state(alarm(m=1, comparison=Comparison.LESS_THAN), at) is State.OK
    assert state(alarm(m=1, comparison=Comparison.LESS_THAN_OR_EQUAL), at) is State.ALARM


def test_enough_real_datapoints_in_the_range_ignore_the_missing_ones() -> None:
    """3 real datapoints among the 5 of the range: the 3 are evaluated, whatever the treatment."""
    data = points(30, None, 30, None, 30)
    assert len(data) == 3
    assert EVALUATION_RANGE_EXTRA == 2
    for missing in MissingData:
        assert state(alarm(missing=missing), data) is State.ALARM


def test_too_few_real_datapoints_are_filled_as_the_treatment_says() -> None:
    data = points(None, None, None, 30, 30)
    assert state(alarm(missing=MissingData.NOT_BREACHING), data) is State.OK
    assert state(alarm(missing=MissingData.BREACHING), data) is State.ALARM
    assert state(alarm(missing=MissingData.IGNORE), data, previous=State.ALARM) is State.ALARM
    assert state(alarm(missing=MissingData.IGNORE), data, previous=State.OK) is State.OK
    # `missing`: the real datapoints decide.
    assert state(alarm(n=2, missing=MissingData.MISSING), data) is State.ALARM


def test_no_datapoint_at_all() -> None:
    assert state(alarm(), {}) is State.OK  # notBreaching, as the stack's alarms
    assert state(alarm(missing=MissingData.BREACHING), {}) is State.ALARM
    assert state(alarm(missing=MissingData.MISSING), {}) is State.INSUFFICIENT_DATA
    assert state(alarm(missing=MissingData.IGNORE), {}) is State.INSUFFICIENT_DATA


def test_older_datapoints_than_the_range_do_not_count() -> None:
    data = points(30, 30, 30, None, None, None, None, None)
    assert state(alarm(missing=MissingData.MISSING), data) is State.INSUFFICIENT_DATA


def test_the_reason_shows_the_evaluated_datapoints() -> None:
    evaluation = evaluate(alarm(), points(30, None, 50), period=PERIOD, now=NOW)
    assert evaluation.datapoints == (None, None, 30, None, 50)
    assert "2 of 3 datapoints GreaterThanThreshold 20" in evaluation.reason
    assert "1 missing treated as notBreaching" in evaluation.reason
    assert evaluation.evaluated_until == 1_000_000
