"""One snapshot of the operations page: every widget of the definition with its series from the
local CloudWatch, and every alarm's state (the JSON of `/ops/data`).

One GetMetricData request (or a few, 500 queries each) per snapshot carries every widget's and
alarm's queries over the page's time range (the dashboard's default range, scaled); snapshots are
cached for `CACHE_SECONDS`, so any number of open pages costs one evaluation per refresh.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import boto3

from infra.dashboard import Alarm, AlarmStatus, Axis, Dashboard, Graph, Metric, Resource, Search, Text, Widget
from local.ops import TIME_SCALE, scaled
from local.ops.alarms import State, evaluate
from local.ops.definition import PUBLISHED_NAMESPACES, QueueUrls, local_definition, local_names
from local.ops.queries import QueryBatch, Result, UnnamedResourceError, get_metric_data, label_of

logger = logging.getLogger("local.ops")

REFRESH_SECONDS = 5
"""How often the page asks for a snapshot: one scaled 60 s period."""
CACHE_SECONDS = 1.0


def _axis(axis: Axis | None) -> dict[str, Any] | None:
    if axis is None:
        return None
    return {"label": axis.label, "min": axis.min, "showUnits": axis.show_units}


def not_published(graph: Graph) -> list[str]:
    """The namespaces of the graph that the twin does not publish."""
    namespaces: set[str] = set()
    for _, series in graph.series:
        if isinstance(series, Metric | Search):
            namespaces.add(series.namespace)
        else:
            namespaces |= {metric.namespace for _, metric in series.using}
    return sorted(namespaces - PUBLISHED_NAMESPACES)


class OpsService:
    def __init__(
        self,
        cloudwatch: Any,
        names: Mapping[Resource, str],
        definition: Dashboard | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.cloudwatch = cloudwatch
        self.names = dict(names)
        self.definition = definition or local_definition()
        self._now = now
        self._lock = threading.Lock()
        self._cached: tuple[float, dict[str, Any]] | None = None
        self._states: dict[str, State] = {}

    @classmethod
    def for_stack(
        cls,
        endpoint_url: str,
        region: str,
        credentials: Mapping[str, str],
        sinks: Mapping[str, QueueUrls],
        analytics: QueueUrls | None,
    ) -> OpsService:
        client = boto3.client(
            "cloudwatch",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        )
        return cls(client, local_names(sinks, analytics))

    @property
    def window_seconds(self) -> int:
        return self.definition.default_interval // TIME_SCALE

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            now = self._now()
            if self._cached is not None and now - self._cached[0] < CACHE_SECONDS:
                return self._cached[1]
            snapshot = self._snapshot(now)
            self._cached = (now, snapshot)
            return snapshot

    def _snapshot(self, now: float) -> dict[str, Any]:
        batch = QueryBatch(self.names)
        widget_series: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
        """(row, column) -> [(axis, default label, query id)]"""
        unresolved: dict[tuple[int, int], str] = {}
        for r, row in enumerate(self.definition.rows):
            for c, widget in enumerate(row):
                if not isinstance(widget, Graph):
                    continue
                entries = []
                try:
                    for s, (axis, series) in enumerate(widget.series):
                        entries.append((axis, label_of(series), batch.add(f"w{r}_{c}_{s}", series)))
                except UnnamedResourceError as error:
                    unresolved[(r, c)] = f"the twin has no {error}"
                    continue
                widget_series[(r, c)] = entries
        alarm_ids: dict[str, str] = {}
        for a, alarm in enumerate(self.definition.alarms):
            try:
                alarm_ids[alarm.construct_id] = batch.add(f"a{a}_", alarm.series)
            except UnnamedResourceError:
                continue
        end = datetime.fromtimestamp(now, UTC)
        start = datetime.fromtimestamp(now - self.window_seconds, UTC)
        results = get_metric_data(self.cloudwatch, batch, start, end) if batch.queries else {}
        rows = [
            [
                self._widget(widget, widget_series.get((r, c), []), results, unresolved.get((r, c)))
                for c, widget in enumerate(row)
            ]
            for r, row in enumerate(self.definition.rows)
        ]
        alarms = [
            self._alarm(alarm, results.get(alarm_ids.get(alarm.construct_id, ""), []), now)
            for alarm in self.definition.alarms
        ]
        return {
            "name": self.definition.name,
            "generatedAt": now,
            "timeScale": TIME_SCALE,
            "windowSeconds": self.window_seconds,
            "refreshSeconds": REFRESH_SECONDS,
            "rows": rows,
            "alarms": alarms,
        }

    def _widget(
        self,
        widget: Widget,
        entries: list[tuple[str, str, str]],
        results: Mapping[str, list[Result]],
        problem: str | None,
    ) -> dict[str, Any]:
        base: dict[str, Any] = {"kind": widget.kind, "width": widget.width, "height": widget.height}
        if isinstance(widget, Text):
            return {**base, "markdown": widget.markdown}
        if isinstance(widget, AlarmStatus):
            return {**base, "title": widget.title}
        assert isinstance(widget, Graph)
        series = []
        for axis, label, query_id in entries:
            for result in results.get(query_id, []):
                moments = sorted(result.points)
                series.append(
                    {
                        "label": result.label or label,
                        "axis": axis,
                        "timestamps": moments,
                        "values": [result.points[moment] for moment in moments],
                    }
                )
        periods = sorted({scaled(s.period) for _, s in widget.series})
        return {
            **base,
            "title": widget.title,
            "axes": {"left": _axis(widget.left_axis), "right": _axis(widget.right_axis)},
            "periods": periods,
            "notPublished": not_published(widget),
            "problem": problem,
            "series": series,
        }

    def _alarm(self, alarm: Alarm, results: list[Result], now: float) -> dict[str, Any]:
        period = scaled(alarm.period)
        points = results[0].points if results else {}
        previous = self._states.get(alarm.construct_id, State.INSUFFICIENT_DATA)
        evaluation = evaluate(alarm, points, period=period, now=now, previous=previous)
        self._states[alarm.construct_id] = evaluation.state
        return {
            "id": alarm.construct_id,
            "description": alarm.description,
            "state": evaluation.state.value,
            "reason": evaluation.reason,
            "threshold": alarm.threshold,
            "comparison": alarm.comparison.value,
            "periodSeconds": period,
            "stackPeriodSeconds": alarm.period,
            "evaluationPeriods": alarm.evaluation_periods,
            "datapointsToAlarm": alarm.datapoints,
            "missingData": alarm.missing_data.value,
            "datapoints": list(evaluation.datapoints),
            "evaluatedUntil": evaluation.evaluated_until,
        }
