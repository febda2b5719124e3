"""CloudWatch's embedded metric format (EMF), read from a function's log lines as CloudWatch Logs does.

A line is an EMF record when it is a JSON object with an `_aws` member (the specification:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):

    {"_aws": {"Timestamp": <epoch ms>, "CloudWatchMetrics": [
        {"Namespace": str, "Dimensions": [[key, ...], ...],
         "Metrics": [{"Name", "Unit"?, "StorageResolution"?}]}
     ]}, <key>: <dimension value (string)>, <metric name>: <number or list of numbers>, ...}

Every metric of a directive is published once per dimension set of that directive, with the values
of the record's members of those names. A record that breaks the specification (a missing or
mistyped member, a dimension or metric member absent from the record, a value that is not a
number, a dimension set of more than 30 keys, more than 100 metrics in a directive, more than 100
values) yields no metric at all, as CloudWatch Logs rejects the whole event; the line itself stays
in the log. Lines that are not JSON objects with `_aws` are ordinary log lines.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("local.metrics.emf")

MAX_DIMENSIONS = 30
"""A dimension set holds at most 30 keys (CloudWatch's limit on a metric's dimensions)."""
MAX_METRICS = 100
"""A directive defines at most 100 metrics."""
MAX_VALUES = 100
"""A metric member holds at most 100 values."""
STORAGE_RESOLUTIONS = (1, 60)
UNITS = frozenset(
    {
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
        "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
        "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
        "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
        "Count/Second", "None",
    }
)  # fmt: skip
WARNING_INTERVAL_SECONDS = 10.0


@dataclass(frozen=True)
class MetricDatum:
    """One metric of one dimension set at one moment: a PutMetricData `MetricDatum`."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    """(name, value) pairs, in the order the dimension set lists them."""
    values: tuple[float, ...]
    timestamp_ms: int
    unit: str = "None"
    storage_resolution: int = 60


class EmfError(ValueError):
    """The record breaks the specification; the reason names what is wrong."""


def is_candidate(line: str) -> bool:
    """Cheap pre-check: only a line that may be an EMF record is parsed."""
    stripped = line.lstrip()
    return stripped.startswith("{") and '"_aws"' in stripped


def parse_record(line: str) -> list[MetricDatum]:
    """The metrics of one EMF log line; [] for a line that is not an EMF record.

    Raises EmfError when the line is meant as one (a JSON object with `_aws`, or text that looks
    like one and is not JSON) and breaks the specification."""
    if not is_candidate(line):
        return []
    try:
        record = json.loads(line)
    except ValueError as error:
        raise EmfError(f"not JSON ({error})") from None
    if not isinstance(record, dict) or "_aws" not in record:
        return []
    return _metrics(record)


def _metrics(record: Mapping[str, Any]) -> list[MetricDatum]:
    metadata = record["_aws"]
    if not isinstance(metadata, dict):
        raise EmfError("_aws is not an object")
    timestamp: Any = metadata.get("Timestamp")
    if not _is_number(timestamp):
        raise EmfError("_aws.Timestamp is missing or not a number")
    directives = metadata.get("CloudWatchMetrics")
    if not isinstance(directives, list):
        raise EmfError("_aws.CloudWatchMetrics is missing or not an array")
    datums: list[MetricDatum] = []
    for index, directive in enumerate(directives):
        datums += _directive(record, directive, int(timestamp), f"_aws.CloudWatchMetrics[{index}]")
    return datums


def _directive(record: Mapping[str, Any], directive: Any, timestamp_ms: int, where: str) -> list[MetricDatum]:
    if not isinstance(directive, dict):
        raise EmfError(f"{where} is not an object")
    namespace = directive.get("Namespace")
    if not isinstance(namespace, str) or not namespace or namespace.startswith("AWS/"):
        raise EmfError(f"{where}.Namespace is missing, empty or reserved")
    dimension_sets = directive.get("Dimensions")
    if not isinstance(dimension_sets, list):
        raise EmfError(f"{where}.Dimensions is missing or not an array")
    metrics = directive.get("Metrics")
    if not isinstance(metrics, list):
        raise EmfError(f"{where}.Metrics is missing or not an array")
    if len(metrics) > MAX_METRICS:
        raise EmfError(f"{where}.Metrics has {len(metrics)} metrics (at most {MAX_METRICS})")
    resolved_sets = [
        _dimension_set(record, keys, f"{where}.Dimensions[{i}]") for i, keys in enumerate(dimension_sets)
    ]
    if not resolved_sets:
        resolved_sets = [()]
    definitions = [_definition(record, metric, f"{where}.Metrics[{i}]") for i, metric in enumerate(metrics)]
    return [
        MetricDatum(namespace, name, dimensions, values, timestamp_ms, unit, resolution)
        for name, values, unit, resolution in definitions
        for dimensions in resolved_sets
    ]


def _dimension_set(record: Mapping[str, Any], keys: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise EmfError(f"{where} is not an array of strings")
    if len(keys) > MAX_DIMENSIONS:
        raise EmfError(f"{where} has {len(keys)} dimensions (at most {MAX_DIMENSIONS})")
    dimensions = []
    for key in keys:
        value = record.get(key)
        if not isinstance(value, str) or not value:
            raise EmfError(f"{where}: dimension {key!r} is absent from the record or not a non-empty string")
        dimensions.append((key, value))
    return tuple(dimensions)


def _definition(
    record: Mapping[str, Any], metric: Any, where: str
) -> tuple[str, tuple[float, ...], str, int]:
    if not isinstance(metric, dict) or not isinstance(metric.get("Name"), str) or not metric["Name"]:
        raise EmfError(f"{where} has no Name")
    name = metric["Name"]
    unit = metric.get("Unit", "None")
    if unit not in UNITS:
        raise EmfError(f"{where}: unknown unit {unit!r}")
    resolution = metric.get("StorageResolution", 60)
    if resolution not in STORAGE_RESOLUTIONS or isinstance(resolution, bool):
        raise EmfError(f"{where}: StorageResolution must be 1 or 60")
    raw: Any = record.get(name)
    values: list[Any] = raw if isinstance(raw, list) else [raw]
    if not values or len(values) > MAX_VALUES or not all(_is_number(value) for value in values):
        raise EmfError(f"{where}: member {name!r} is absent, or not a number or 1-{MAX_VALUES} numbers")
    return name, tuple(float(value) for value in values), unit, int(resolution)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass
class RateLimitedWarning:
    """At most one warning per `interval_seconds`; the next one says how many were left unsaid."""

    message: str
    interval_seconds: float = WARNING_INTERVAL_SECONDS
    log: logging.Logger = logger
    suppressed: int = 0
    total: int = 0
    _last: float = -math.inf
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def warn(self, detail: str, count: int = 1) -> bool:
        """Count `count` occurrences; True when a warning was logged."""
        with self._lock:
            self.total += count
            now = time.monotonic()
            if now - self._last < self.interval_seconds:
                self.suppressed += count
                return False
            suppressed, self.suppressed, self._last = self.suppressed, 0, now
        more = f" ({suppressed} more since the last warning)" if suppressed else ""
        self.log.warning("%s: %s%s", self.message, detail, more)
        return True


class EmfExtractor:
    """Turns a function's log lines into metrics; a malformed record costs one (rate-limited) warning."""

    def __init__(self, source: str, interval_seconds: float = WARNING_INTERVAL_SECONDS) -> None:
        self.source = source
        self.rejected = RateLimitedWarning(f"{source}: EMF record ignored", interval_seconds)

    def extract(self, line: str) -> list[MetricDatum]:
        try:
            return parse_record(line)
        except EmfError as error:
            self.rejected.warn(str(error))
            return []
        except RecursionError:
            self.rejected.warn("nested too deep")
            return []

    def extract_all(self, lines: Iterable[str]) -> list[MetricDatum]:
        return [datum for line in lines for datum in self.extract(line)]
