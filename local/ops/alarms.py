"""CloudWatch's evaluation of a metric alarm, on the datapoints of the twin's CloudWatch.

As CloudWatch documents it ("How CloudWatch alarm state is evaluated when data is missing"): the
alarm reads the datapoints of its evaluation range, `EVALUATION_RANGE_EXTRA` periods more than its
M evaluation periods, newest last. The period in progress is not evaluated (its datapoint is not
final yet).

- With at least M real datapoints in the range, the M most recent ones are evaluated and the
  missing-data treatment is not used.
- With fewer, every real datapoint is evaluated, and the most recent missing periods, as few as
  needed to make M, are filled as the treatment says: `notBreaching` good, `breaching` bad;
  `missing` leaves them out (INSUFFICIENT_DATA when the range holds no datapoint at all); `ignore`
  keeps the alarm's current state when a missing datapoint would be needed.

ALARM when at least N (datapoints to alarm) of those M breach the threshold, OK otherwise.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass

from infra.dashboard import Alarm, MissingData

EVALUATION_RANGE_EXTRA = 2
"""Periods read before the M evaluated ones, for the missing-data rules (CloudWatch reads some more)."""


class State(enum.Enum):
    OK = "OK"
    ALARM = "ALARM"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


@dataclass(frozen=True)
class Evaluation:
    state: State
    reason: str
    datapoints: tuple[float | None, ...]
    """The evaluation range's values, oldest first (None: missing)."""
    evaluated_until: int
    """End of the newest evaluated period (epoch s)."""


def evaluation_periods(now: float, period: int, count: int) -> list[int]:
    """Starts of the `count` most recent complete periods (aligned to the period), oldest first."""
    end = math.floor(now) - math.floor(now) % period
    return [end - period * index for index in range(count, 0, -1)]


def evaluate(
    alarm: Alarm,
    points: Mapping[int, float],
    *,
    period: int,
    now: float,
    previous: State = State.INSUFFICIENT_DATA,
) -> Evaluation:
    """`points`: the alarm's series, period start -> value, with `period` its (scaled) period."""
    m, n = alarm.evaluation_periods, alarm.datapoints
    starts = evaluation_periods(now, period, m + EVALUATION_RANGE_EXTRA)
    values = tuple(points.get(start) for start in starts)
    until = starts[-1] + period
    real = [value for value in values if value is not None]

    def done(state: State, reason: str) -> Evaluation:
        return Evaluation(state, reason, values, until)

    if len(real) >= m:
        evaluated = real[-m:]
        filled = 0
    else:
        missing = alarm.missing_data
        needed = m - len(real)
        if missing is MissingData.IGNORE:
            return done(previous, f"{needed} of {m} datapoints missing: state kept")
        if missing is MissingData.MISSING:
            if not real:
                return done(State.INSUFFICIENT_DATA, f"no datapoint in the last {len(starts)} periods")
            evaluated, filled = real, 0
        else:
            filler = math.inf if missing is MissingData.BREACHING else math.nan
            evaluated, filled = real + [filler] * needed, needed
    breaching = sum(1 for value in evaluated if _breaches(alarm, value))
    state = State.ALARM if breaching >= n else State.OK
    shown = ", ".join(_shown(value) for value in evaluated)
    extra = f" ({filled} missing treated as {alarm.missing_data.value})" if filled else ""
    return done(
        state,
        f"{breaching} of {len(evaluated)} datapoints {alarm.comparison.value} {alarm.threshold:g}"
        f" [{shown}]{extra}; ALARM at {n} of {m}",
    )


def _breaches(alarm: Alarm, value: float) -> bool:
    if math.isinf(value):  # missing, treated as breaching
        return True
    if math.isnan(value):  # missing, treated as not breaching
        return False
    return alarm.comparison.breaches(value, alarm.threshold)


def _shown(value: float) -> str:
    return "missing" if math.isinf(value) or math.isnan(value) else f"{value:.4g}"
