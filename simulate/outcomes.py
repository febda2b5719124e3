"""The analytics store after a run: wait until it holds what the run sent, then the report.

The local delivery stream writes its files within seconds of the events (`local.firehose`), so the
run polls the named query `experiment-outcomes` (`experiments.report.load_outcomes`, DuckDB over
`<data dir>/analytics/`) until every variant the run exposed shows, over what it showed before the
run, at least the run's RecommendationsShown, views, adds and orders; or a timeout passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.dialect import DEFAULT_LOOKBACK_DAYS
from analytics.local_engine import NoDataError
from experiments.report import load_outcomes

COUNTED = ("shown_events", "click_events", "add_events", "order_events")
"""What the store must show of the run: events, each eventId once (exposures follow from them)."""
Counts = dict[tuple[str, str], dict[str, int]]


class OutcomesTimeoutError(RuntimeError):
    def __init__(self, missing: list[str], timeout: float) -> None:
        super().__init__(
            f"the analytics store did not show the run's events within {timeout:g} s: missing "
            + "; ".join(missing)
        )
        self.missing = missing


def counts_by_variant(rows: Iterable[Mapping[str, Any]]) -> Counts:
    """`experiment-outcomes` rows as {(experiment, variant): {column: count}} of the COUNTED columns."""
    return {
        (str(row["experiment"]), str(row["variant"])): {
            column: int(row.get(column) or 0) for column in COUNTED
        }
        for row in rows
    }


def store_rows(data_dir: Path, lookback_days: int = DEFAULT_LOOKBACK_DAYS) -> list[dict[str, Any]]:
    """The rows of `experiment-outcomes` over the data folder; none before the first analytics file."""
    try:
        return load_outcomes(data_dir=data_dir, lookback_days=lookback_days).records()
    except NoDataError:
        return []


def missing_counts(baseline: Counts, sent: Counts, now: Counts) -> list[str]:
    """What the store does not show yet: per variant and column, `now - baseline` below `sent`."""
    missing = []
    for key, columns in sorted(sent.items()):
        for column, count in columns.items():
            arrived = now.get(key, {}).get(column, 0) - baseline.get(key, {}).get(column, 0)
            if arrived < count:
                missing.append(f"{key[0]}/{key[1]} {column}: {arrived} of {count}")
    return missing


@dataclass(frozen=True)
class Arrived:
    rows: list[dict[str, Any]]
    seconds: float


def wait_for_store(
    data_dir: Path,
    baseline: Counts,
    sent: Counts,
    timeout: float,
    *,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    interval: float = 0.5,
    read: Callable[[Path, int], list[dict[str, Any]]] = store_rows,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Arrived:
    """The store's rows once they show everything `sent` (over `baseline`); OutcomesTimeoutError
    naming what is missing after `timeout` seconds."""
    started = clock()
    while True:
        rows = read(data_dir, lookback_days)
        missing = missing_counts(baseline, sent, counts_by_variant(rows))
        if not missing:
            return Arrived(rows, clock() - started)
        if clock() - started > timeout:
            raise OutcomesTimeoutError(missing, timeout)
        sleep(interval)
