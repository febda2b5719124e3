"""Powertools Logger, Tracer and Metrics shared by the functions, and the metric helpers.

Service name and namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE, which the settings model renders for every function.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from personalization.contracts.metrics import MetricName

logger = Logger()
tracer = Tracer(patch_modules=("botocore",))
"""Only botocore makes calls worth tracing; patching every library X-Ray knows costs cold-start time."""
metrics = Metrics()


def count_with_dimension(name: str, dimension: str, value: str, count: int = 1) -> None:
    """Emit one metric with a dimension of its own (not shared with the other metrics of the request)."""
    with single_metric(name=name, unit=MetricUnit.Count, value=count, namespace=metrics.namespace) as metric:
        metric.add_dimension(name="service", value=metrics.service or "unknown")
        metric.add_dimension(name=dimension, value=value)


def record_served(source: str) -> None:
    count_with_dimension(MetricName.RECOMMENDATIONS_SERVED, "source", source)


def record_fallback(reason: str) -> None:
    count_with_dimension(MetricName.FALLBACK, "reason", reason)
