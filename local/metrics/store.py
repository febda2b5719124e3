"""The twin's metric store: what moto's CloudWatch lacks, behind the same API shapes.

moto (5.2) keeps one object per value for ever, scans every stored value for each period of each
query, answers Sum, Average, Minimum, Maximum and SampleCount only (a percentile such as `p99` fails
the request), ignores the namespace of a query with dimensions, and evaluates no metric math (an
expression returns only the series whose id it names) and no SEARCH. The dashboard of
`infra/observability.py` needs all of these (duration and latency percentiles, the fallback ratio,
the SEARCH graphs), so the twin keeps its metrics here instead:

- per metric (namespace, name, exact dimension set), one bucket per second with its count, sum,
  minimum, maximum and a histogram of logarithmic bins (1% wide, each with its own count and sum),
  so percentiles are within 1% and exact where the values are equal;
- bounded: buckets older than `retention_seconds` (3 h, the dashboard's default range) are dropped,
  and at most `max_series` metrics are kept;
- `get_metric_data` takes GetMetricData's queries (MetricStat with any statistic, `pNN`
  percentiles included; Expression with metric math and SEARCH, `local.metrics.expressions`) and
  answers its MetricDataResults; `list_metrics` and `get_metric_statistics` as their APIs do.

Every metric is kept at one-second resolution, whatever its StorageResolution, so a demo can use
periods shorter than a minute.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.metrics.emf import RateLimitedWarning

logger = logging.getLogger("local.metrics.store")

RETENTION_SECONDS = 3 * 3600 + 600
MAX_SERIES = 20_000
BIN_RATIO = 1.01
_LOG_RATIO = math.log(BIN_RATIO)
PRUNE_EVERY_SECONDS = 30.0
PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?|100)$")
STATISTICS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")

Dimensions = tuple[tuple[str, str], ...]
"""Sorted (name, value) pairs: a metric is its namespace, name and exact dimension set."""
SeriesKey = tuple[str, str, Dimensions]


class MetricQueryError(ValueError):
    """The request is invalid (CloudWatch's ValidationError / InvalidParameterValue)."""


def bin_of(value: float) -> tuple[int, int]:
    """The histogram bin of a value: (sign, exponent of BIN_RATIO)."""
    if value == 0:
        return (0, 0)
    return (1 if value > 0 else -1, math.floor(math.log(abs(value)) / _LOG_RATIO))


@dataclass
class Bucket:
    count: float = 0.0
    total: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf
    bins: dict[tuple[int, int], list[float]] = field(default_factory=dict)
    """bin -> [count, sum of its values]"""

    def add(self, value: float, count: float) -> None:
        self.count += count
        self.total += value * count
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)
        entry = self.bins.setdefault(bin_of(value), [0.0, 0.0])
        entry[0] += count
        entry[1] += value * count

    def add_statistics(self, count: float, total: float, minimum: float, maximum: float) -> None:
        self.count += count
        self.total += total
        self.minimum = min(self.minimum, minimum)
        self.maximum = max(self.maximum, maximum)

    def merge(self, other: Bucket) -> None:
        self.add_statistics(other.count, other.total, other.minimum, other.maximum)
        for key, (count, total) in other.bins.items():
            entry = self.bins.setdefault(key, [0.0, 0.0])
            entry[0] += count
            entry[1] += total

    def statistic(self, stat: str) -> float | None:
        if self.count <= 0:
            return None
        if stat == "SampleCount":
            return self.count
        if stat == "Sum":
            return self.total
        if stat == "Average":
            return self.total / self.count
        if stat == "Minimum":
            return self.minimum
        if stat == "Maximum":
            return self.maximum
        match = PERCENTILE.match(stat)
        if match is None:
            raise MetricQueryError(f"The statistic {stat} is not supported")
        return self.percentile(float(match.group(1)))

    def percentile(self, percent: float) -> float | None:
        """Nearest rank over the bins: the mean of the bin holding that rank, within min..max."""
        counted = sum(count for count, _ in self.bins.values())
        if counted <= 0:
            return None
        rank = max(1.0, math.ceil(percent / 100 * counted - 1e-9))
        seen = 0.0
        for count, total in sorted(self.bins.values(), key=lambda entry: entry[1] / entry[0]):
            seen += count
            if seen >= rank:
                return min(self.maximum, max(self.minimum, total / count))
        return self.maximum


@dataclass
class Series:
    namespace: str
    name: str
    dimensions: Dimensions
    unit: str | None = None
    buckets: dict[int, Bucket] = field(default_factory=dict)

    def aggregate(self, start: int, end: int) -> Bucket:
        """The buckets of seconds start <= s < end, merged."""
        merged = Bucket()
        for second, bucket in self.buckets.items():
            if start <= second < end:
                merged.merge(bucket)
        return merged

    def periods(self, start: int, end: int, period: int) -> dict[int, Bucket]:
        """Period start (aligned to the period) -> merged bucket, for the periods with data."""
        merged: dict[int, Bucket] = {}
        for second, bucket in self.buckets.items():
            if start <= second < end:
                merged.setdefault(second - second % period, Bucket()).merge(bucket)
        return merged


@dataclass
class TimeSeries:
    """One result series: period start (epoch s) -> value."""

    label: str
    points: dict[int, float]
    period: int


def epoch_seconds(moment: Any) -> int:
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return math.floor(moment.timestamp())
    if isinstance(moment, int | float):
        return math.floor(moment)
    if isinstance(moment, str):
        try:
            return epoch_seconds(float(moment))
        except ValueError:
            return epoch_seconds(datetime.fromisoformat(moment.replace("Z", "+00:00")))
    raise MetricQueryError(f"not a timestamp: {moment!r}")


def dimensions_of(members: Iterable[Mapping[str, Any]] | None) -> Dimensions:
    return tuple(sorted((str(member["Name"]), str(member["Value"])) for member in members or ()))


class MetricStore:
    """Thread-safe; `now` is injectable for tests."""

    def __init__(
        self,
        *,
        retention_seconds: int = RETENTION_SECONDS,
        max_series: int = MAX_SERIES,
        now: Any = time.time,
    ) -> None:
        self._series: dict[SeriesKey, Series] = {}
        self._lock = threading.Lock()
        self._retention = retention_seconds
        self._max_series = max_series
        self._now = now
        self._pruned = 0.0
        self._refused = RateLimitedWarning("metric store full, new metric refused", log=logger)

    # PutMetricData

    def put_metric_data(self, namespace: str, metric_data: Sequence[Mapping[str, Any]]) -> None:
        """PutMetricData's members: `Value`, `Values` with `Counts`, or `StatisticValues`."""
        now = self._now()
        with self._lock:
            if now - self._pruned >= PRUNE_EVERY_SECONDS:
                self._prune(now)
            for member in metric_data:
                self._put(namespace, member, now)

    def _put(self, namespace: str, member: Mapping[str, Any], now: float) -> None:
        name = str(member["MetricName"])
        dimensions = dimensions_of(member.get("Dimensions"))
        timestamp = member.get("Timestamp")
        second = epoch_seconds(timestamp) if timestamp is not None else math.floor(now)
        if second < now - self._retention:
            return
        key = (namespace, name, dimensions)
        series = self._series.get(key)
        if series is None:
            if len(self._series) >= self._max_series:
                self._refused.warn(f"{namespace} {name} {dict(dimensions)}")
                return
            series = self._series[key] = Series(namespace, name, dimensions)
        series.unit = member.get("Unit") or series.unit
        bucket = series.buckets.setdefault(second, Bucket())
        statistics = member.get("StatisticValues")
        if statistics:
            bucket.add_statistics(
                float(statistics["SampleCount"]),
                float(statistics["Sum"]),
                float(statistics["Minimum"]),
                float(statistics["Maximum"]),
            )
        elif member.get("Values"):
            values = member["Values"]
            counts = member.get("Counts") or [1.0] * len(values)
            for value, count in zip(values, counts, strict=False):
                bucket.add(float(value), float(count))
        else:
            bucket.add(float(member.get("Value", 0.0)), 1.0)

    def _prune(self, now: float) -> None:
        oldest = now - self._retention
        for key, series in list(self._series.items()):
            for second in [second for second in series.buckets if second < oldest]:
                del series.buckets[second]
            if not series.buckets:
                del self._series[key]
        self._pruned = now

    # ListMetrics

    def list_metrics(
        self,
        namespace: str | None = None,
        metric_name: str | None = None,
        dimensions: Iterable[Mapping[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """The metrics matching, as ListMetrics' `Metrics`: a dimension filter without `Value`
        matches any value of that dimension."""
        wanted = [(str(d["Name"]), d.get("Value")) for d in dimensions or ()]
        found = []
        for series in self.series():
            if namespace and series.namespace != namespace:
                continue
            if metric_name and series.name != metric_name:
                continue
            present = dict(series.dimensions)
            if any(
                name not in present or (value is not None and present[name] != value)
                for name, value in wanted
            ):
                continue
            found.append(
                {
                    "Namespace": series.namespace,
                    "MetricName": series.name,
                    "Dimensions": [{"Name": n, "Value": v} for n, v in series.dimensions],
                }
            )
        return found

    def series(self) -> list[Series]:
        with self._lock:
            return list(self._series.values())

    def find(self, namespace: str, name: str, dimensions: Dimensions) -> Series | None:
        with self._lock:
            return self._series.get((namespace, name, dimensions))

    # GetMetricStatistics

    def get_metric_statistics(
        self,
        namespace: str,
        metric_name: str,
        *,
        dimensions: Iterable[Mapping[str, Any]] | None,
        start_time: Any,
        end_time: Any,
        period: int,
        statistics: Sequence[str] = (),
        extended_statistics: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Datapoints, oldest first, of the metric with exactly these dimensions."""
        series = self.find(namespace, metric_name, dimensions_of(dimensions))
        if series is None:
            return []
        start, end = epoch_seconds(start_time), epoch_seconds(end_time)
        with self._lock:
            periods = series.periods(start, end, _period(period))
        datapoints = []
        for moment, bucket in sorted(periods.items()):
            point: dict[str, Any] = {"Timestamp": datetime.fromtimestamp(moment, UTC)}
            for stat in statistics:
                point[stat] = bucket.statistic(stat)
            if extended_statistics:
                point["ExtendedStatistics"] = {stat: bucket.statistic(stat) for stat in extended_statistics}
            if series.unit:
                point["Unit"] = series.unit
            datapoints.append(point)
        return datapoints

    # GetMetricData

    def get_metric_data(
        self,
        queries: Sequence[Mapping[str, Any]],
        start_time: Any,
        end_time: Any,
        scan_by: str = "TimestampDescending",
    ) -> list[dict[str, Any]]:
        """MetricDataResults, in moto's shape: id, label, timestamps, values, status_code."""
        from local.metrics.expressions import Evaluator

        start, end = epoch_seconds(start_time), epoch_seconds(end_time)
        if end <= start:
            raise MetricQueryError("The parameter EndTime must be greater than StartTime.")
        ids = [str(query.get("Id", "")) for query in queries]
        if len(set(ids)) != len(ids) or not all(ids):
            raise MetricQueryError("Every query needs an Id, unique within the request")
        evaluator = Evaluator(self, {query["Id"]: query for query in queries}, start, end)
        results = []
        for query in queries:
            if not query.get("ReturnData", True):
                continue
            for series in evaluator.results(query["Id"]):
                moments = sorted(series.points, reverse=scan_by != "TimestampAscending")
                results.append(
                    {
                        "id": query["Id"],
                        "label": series.label,
                        "timestamps": [datetime.fromtimestamp(moment, UTC) for moment in moments],
                        "values": [series.points[moment] for moment in moments],
                        "status_code": "Complete",
                    }
                )
        return results

    def metric_stat(
        self, metric_stat: Mapping[str, Any], start: int, end: int, label: str | None
    ) -> TimeSeries:
        """One MetricStat query's series: the metric with exactly the dimensions given."""
        metric = metric_stat["Metric"]
        period = _period(metric_stat.get("Period"))
        stat = str(metric_stat["Stat"])
        series = self.find(metric["Namespace"], metric["MetricName"], dimensions_of(metric.get("Dimensions")))
        return self.series_stat(
            series, stat, start=start, end=end, period=period, label=label or str(metric["MetricName"])
        )

    def series_stat(
        self, series: Series | None, stat: str, *, start: int, end: int, period: int, label: str
    ) -> TimeSeries:
        if stat not in STATISTICS and PERCENTILE.match(stat) is None:
            raise MetricQueryError(f"The statistic {stat} is not supported")
        points: dict[int, float] = {}
        if series is not None:
            first = start - start % period
            with self._lock:
                periods = series.periods(first, end, period)
            for moment, bucket in periods.items():
                value = bucket.statistic(stat)
                if value is not None:
                    points[moment] = value
        return TimeSeries(label, points, period)

    def matching(self, namespace: str, keys: frozenset[str]) -> Iterator[Series]:
        """The metrics of a SEARCH schema: this namespace, exactly these dimension names."""
        for series in self.series():
            if series.namespace == namespace and frozenset(name for name, _ in series.dimensions) == keys:
                yield series


def _period(period: Any) -> int:
    try:
        seconds = int(period)
    except (TypeError, ValueError):
        raise MetricQueryError(f"The period {period!r} is not a number of seconds") from None
    if seconds < 1:
        raise MetricQueryError("The period must be at least 1 second")
    return seconds
