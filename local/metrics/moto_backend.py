"""The twin's metric store behind moto's own CloudWatch API, in the moto server of this process.

The demo runs moto in a thread (`local.stack`), so, as `local.cognito` does for Cognito, the twin
replaces four methods of moto's CloudWatch backend: PutMetricData (moto's validation first, then
`MetricStore`), GetMetricData, GetMetricStatistics and ListMetrics. Clients (boto3, the AWS CLI)
call CloudWatch on the local endpoint unchanged, in whichever protocol they speak; moto still
parses, validates and serializes, and alarms and dashboards stay moto's.
"""

from __future__ import annotations

import threading
from typing import Any

from local.metrics.store import MetricQueryError, MetricStore

_PATCH_LOCK = threading.Lock()
_PATCHED = False
_STORE_ATTRIBUTE = "_twin_metric_store"


def store_of(backend: Any) -> MetricStore:
    """The store of one moto CloudWatch backend (one per account and region)."""
    store: MetricStore | None = backend.__dict__.get(_STORE_ATTRIBUTE)
    if store is None:
        with _PATCH_LOCK:
            store = backend.__dict__.setdefault(_STORE_ATTRIBUTE, MetricStore())
    assert store is not None
    return store


def install_metric_store() -> None:
    """Idempotent; before or after moto starts."""
    global _PATCHED  # noqa: PLW0603 (one patch per process)
    with _PATCH_LOCK:
        if _PATCHED:
            return
        _PATCHED = True
    from moto.cloudwatch.exceptions import InvalidParameterValue, ValidationError
    from moto.cloudwatch.models import CloudWatchBackend

    def put_metric_data(self: Any, namespace: str, metric_data: list[dict[str, Any]]) -> None:
        for number, member in enumerate(metric_data, start=1):
            self._validate_parameters_put_metric_data(member, number)
        try:
            store_of(self).put_metric_data(namespace, metric_data)
        except (MetricQueryError, KeyError, TypeError, ValueError) as error:
            raise InvalidParameterValue(str(error)) from error

    def get_metric_data(
        self: Any,
        queries: list[dict[str, Any]],
        start_time: Any,
        end_time: Any,
        scan_by: str = "TimestampDescending",
    ) -> list[dict[str, Any]]:
        try:
            return store_of(self).get_metric_data(queries, start_time, end_time, scan_by)
        except MetricQueryError as error:
            raise ValidationError(str(error)) from error

    def get_metric_statistics(  # noqa: PLR0917 (moto's own signature)
        self: Any,
        namespace: str,
        metric_name: str,
        start_time: Any,
        end_time: Any,
        period: int,
        stats: list[str],
        dimensions: list[dict[str, str]],
        unit: str | None = None,
    ) -> list[dict[str, Any]]:
        try:
            return store_of(self).get_metric_statistics(
                namespace,
                metric_name,
                dimensions=dimensions,
                start_time=start_time,
                end_time=end_time,
                period=period,
                statistics=stats,
            )
        except MetricQueryError as error:
            raise InvalidParameterValue(str(error)) from error

    def list_metrics(
        self: Any, next_token: str | None, namespace: str, metric_name: str, dimensions: list[dict[str, str]]
    ) -> tuple[str | None, list[dict[str, Any]]]:
        metrics = store_of(self).list_metrics(namespace, metric_name, dimensions)
        start = int(next_token) if next_token and next_token.isdigit() else 0
        page = metrics[start : start + 500]
        following = str(start + 500) if start + 500 < len(metrics) else None
        return following, page

    CloudWatchBackend.put_metric_data = put_metric_data  # type: ignore[method-assign]
    CloudWatchBackend.get_metric_data = get_metric_data  # type: ignore[method-assign]
    CloudWatchBackend.get_metric_statistics = get_metric_statistics  # type: ignore[method-assign,assignment]
    CloudWatchBackend.list_metrics = list_metrics  # type: ignore[method-assign,assignment]
