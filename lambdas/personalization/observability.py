"""Powertools Logger, Tracer and Metrics shared by the functions, and the metric helpers.

Service name and namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE, which the settings model renders for every function.

The tracer is built when a traced function first runs, not at import: X-Ray's SDK (about a
sixth of a second of imports) and the patching of botocore are paid only where tracing is on,
and there at the first request, or before the SnapStart snapshot (`personalization.snapstart`
warms it). Where Powertools turns tracing off (POWERTOOLS_TRACE_DISABLED, or outside Lambda, as
in the tests and the local twin) a traced function is called as it is and X-Ray is never loaded.
"""

from __future__ import annotations

import functools
import inspect
import json
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, SchemaValidationError
from aws_lambda_powertools.tracing.tracer import Tracer

from personalization.contracts.metrics import MetricName

F = TypeVar("F", bound=Callable[..., Any])

TRACER_OPTIONS: dict[str, Any] = {"patch_modules": ("botocore",)}
"""Only botocore makes calls worth tracing; patching every library X-Ray knows costs cold-start time."""


class LazyTracer:
    """Powertools' Tracer, built on first use; its decorators look it up when the function first runs."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._tracer: Tracer | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Powertools' own rule: off by POWERTOOLS_TRACE_DISABLED, outside Lambda, in SAM or Chalice local."""
        return not Tracer._is_tracer_disabled()

    @property
    def tracer(self) -> Tracer:
        """The real tracer (imports X-Ray's SDK and patches botocore when tracing is on)."""
        with self._lock:
            if self._tracer is None:
                self._tracer = Tracer(**self._options)
            return self._tracer

    def __getattr__(self, name: str) -> Any:
        """Everything else (put_annotation, provider ...) is the real tracer's."""
        return getattr(self.tracer, name)

    def capture_lambda_handler(self, handler: F | None = None, **options: Any) -> Any:
        if handler is None:
            return functools.partial(self.capture_lambda_handler, **options)
        return self._lazy(handler, "capture_lambda_handler", options)

    def capture_method(self, method: F | None = None, **options: Any) -> Any:
        if method is None:
            return functools.partial(self.capture_method, **options)
        return self._lazy(method, "capture_method", options)

    def _lazy(self, function: F, decorator: str, options: dict[str, Any]) -> F:
        if not _plain(function):
            return cast(F, getattr(self.tracer, decorator)(function, **options))
        resolved: list[Callable[..., Any]] = []

        @functools.wraps(function)
        def traced(*args: Any, **kwargs: Any) -> Any:
            if not resolved:
                resolved.append(
                    getattr(self.tracer, decorator)(function, **options) if self.enabled else function
                )
            return resolved[0](*args, **kwargs)

        return cast(F, traced)


def _plain(function: Callable[..., Any]) -> bool:
    """A function Powertools wraps as a plain call (not a coroutine, generator or context manager)."""
    return not (
        inspect.iscoroutinefunction(function)
        or inspect.isgeneratorfunction(function)
        or inspect.isasyncgenfunction(function)
    )


logger = Logger()
tracer = LazyTracer(**TRACER_OPTIONS)
metrics = Metrics()


def count_with_dimension(name: str, dimension: str, value: str, count: int = 1) -> None:
    """Emit one metric with a dimension of its own (not shared with the other metrics of the request)."""
    emit_count(name, {"service": metrics.service or "unknown", dimension: value}, count)


def emit_count(name: str, dimensions: dict[str, str], count: int = 1) -> None:
    """One Count metric with exactly `dimensions`, as an EMF line on stdout: the line Powertools'
    `single_metric` writes (same keys, order and separators; CloudWatch and the local twin read it
    alike), without building a metrics object per line, which cost a warm request a tenth of a
    millisecond per metric."""
    namespace = metrics.namespace
    if not namespace:
        raise SchemaValidationError("Must contain a metric namespace.")
    line = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {"Namespace": namespace, "Dimensions": [list(dimensions)], "Metrics": [_COUNT[name]]}
            ],
        },
        **dimensions,
        name: [float(count)],
    }
    print(json.dumps(line, separators=(",", ":")))


class _CountDefinitions(dict[str, dict[str, str]]):
    """`{"Name": name, "Unit": "Count"}` per metric name, built once."""

    def __missing__(self, name: str) -> dict[str, str]:
        definition = self[name] = {"Name": str(name), "Unit": MetricUnit.Count.value}
        return definition


_COUNT = _CountDefinitions()


def record_served(source: str) -> None:
    count_with_dimension(MetricName.RECOMMENDATIONS_SERVED, "source", source)


def record_fallback(reason: str) -> None:
    count_with_dimension(MetricName.FALLBACK, "reason", reason)


def count_for_variant(name: str, experiment: str, variant: str, count: int = 1) -> None:
    """An experiment metric with dimensions experiment and variant only (no `service`, which
    Powertools' single_metric would add), so the read functions' exposures and the event
    function's clicks, adds and orders divide in metric math."""
    emit_count(name, {"experiment": experiment, "variant": variant}, count)


def record_exposure(experiment: str, variant: str) -> None:
    count_for_variant(MetricName.EXPOSURES, experiment, variant)
