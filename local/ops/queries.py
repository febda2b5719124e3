"""The definition's series as GetMetricData queries on the local CloudWatch, periods scaled down.

A metric becomes a MetricStat query (its resources by their local names); metric math an Expression
query over MetricStat queries that return no data; a SEARCH its expression with the scaled period.
Every id gets a prefix (one per widget or alarm), so that one request carries them all; metric math
is rewritten to the prefixed ids (names in quoted strings, and function names, are left alone).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from infra.dashboard import Expression, Metric, Resource, Search, Series
from local.ops import scaled

MAX_QUERIES = 500
"""GetMetricData: at most 500 queries a request."""
IDENTIFIER = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()""")


class UnnamedResourceError(LookupError):
    """The definition names a resource the twin does not have."""


def rewrite_ids(expression: str, ids: Mapping[str, str]) -> str:
    """`expression` with each metric id of `ids` replaced (not inside strings, not function names)."""

    def replace_id(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1)
        return ids.get(match.group(2), match.group(2))

    return IDENTIFIER.sub(replace_id, expression)


def dimensions(metric: Metric, names: Mapping[Resource, str]) -> list[dict[str, str]]:
    resolved = []
    for key, value in metric.dimensions:
        if isinstance(value, Resource) and value not in names:
            raise UnnamedResourceError(value.key)
        resolved.append({"Name": key, "Value": names[value] if isinstance(value, Resource) else value})
    return resolved


def metric_stat(metric: Metric, names: Mapping[Resource, str]) -> dict[str, Any]:
    return {
        "Metric": {
            "Namespace": metric.namespace,
            "MetricName": metric.name,
            "Dimensions": dimensions(metric, names),
        },
        "Period": scaled(metric.period),
        "Stat": metric.statistic,
    }


def label_of(series: Series) -> str:
    if isinstance(series, Metric):
        return series.label or series.name
    return series.label


@dataclass
class QueryBatch:
    """Queries of one or more GetMetricData requests, each series under its own id."""

    names: Mapping[Resource, str]
    queries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, prefix: str, series: Series) -> str:
        """The queries of one series; returns the id whose results are the series'."""
        query_id = f"{prefix}s"
        if isinstance(series, Metric):
            self.queries.append(
                {"Id": query_id, "MetricStat": metric_stat(series, self.names), "Label": label_of(series)}
            )
        elif isinstance(series, Search):
            local = replace(series, period=scaled(series.period))
            self.queries.append({"Id": query_id, "Expression": local.expression, "Period": local.period})
        else:
            self.queries += expression_queries(query_id, prefix, series, self.names)
        return query_id

    def requests(self) -> list[list[dict[str, Any]]]:
        """The queries in requests of at most MAX_QUERIES, a series' queries never split."""
        batches: list[list[dict[str, Any]]] = [[]]
        group: list[dict[str, Any]] = []
        for query in self.queries:
            group.append(query)
            if query.get("ReturnData", True):  # a series ends with the query returning its data
                if len(batches[-1]) + len(group) > MAX_QUERIES:
                    batches.append([])
                batches[-1] += group
                group = []
        return [batch for batch in batches if batch]


def expression_queries(
    query_id: str, prefix: str, expression: Expression, names: Mapping[Resource, str]
) -> list[dict[str, Any]]:
    ids = {metric_id: f"{prefix}{metric_id}" for metric_id, _ in expression.using}
    queries: list[dict[str, Any]] = [
        {"Id": ids[metric_id], "MetricStat": metric_stat(metric, names), "ReturnData": False}
        for metric_id, metric in expression.using
    ]
    queries.append(
        {
            "Id": query_id,
            "Expression": rewrite_ids(expression.expression, ids),
            "Label": expression.label,
            "Period": scaled(expression.period),
        }
    )
    return queries


@dataclass(frozen=True)
class Result:
    """One series of an answer: its label and its points (period start, epoch s -> value)."""

    label: str
    points: dict[int, float]


def get_metric_data(
    cloudwatch: Any, batch: QueryBatch, start: datetime, end: datetime
) -> dict[str, list[Result]]:
    """Every query's results by id (a SEARCH has one result per metric found, a metric one)."""
    found: dict[str, list[Result]] = {}
    for queries in batch.requests():
        arguments: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end}
        while True:
            answer = cloudwatch.get_metric_data(**arguments)
            for result in answer["MetricDataResults"]:
                points = {
                    int(moment.timestamp()): float(value)
                    for moment, value in zip(result["Timestamps"], result["Values"], strict=True)
                }
                label = result.get("Label", result["Id"])
                results = found.setdefault(result["Id"], [])
                same = [earlier for earlier in results if earlier.label == label]
                if same:  # a page of a series begun on the previous page
                    same[0].points.update(points)
                else:
                    results.append(Result(label, points))
            token = answer.get("NextToken")
            if not token:
                break
            arguments["NextToken"] = token
    return found
