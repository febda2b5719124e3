"""The metric store behind moto's CloudWatch API: statistics with percentiles, exact dimension sets,
metric math and SEARCH as the stack's dashboard uses them, ListMetrics, and bounded memory."""

from __future__ import annotations

from typing import Any

import pytest

from local.metrics.store import MetricQueryError, MetricStore

pytestmark = pytest.mark.unit

T0 = 1_796_115_000  # a minute boundary
PERIOD = 60


def member(name: str, values: list[float], second: int = T0 + 5, **dimensions: str) -> dict[str, Any]:
    return {
        "MetricName": name,
        "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()],
        "Timestamp": float(second),
        "Values": values,
        "Unit": "Count",
    }


def stat(
    query_id: str, name: str, statistic: str, namespace: str = "NS", **dimensions: str
) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            },
            "Period": PERIOD,
            "Stat": statistic,
        },
    }


@pytest.fixture
def store() -> MetricStore:
    return MetricStore(now=lambda: T0 + 30)


def results(store: MetricStore, *queries: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    answer = store.get_metric_data(list(queries), T0 - 120, T0 + 120, "TimestampAscending")
    grouped: dict[str, list[dict[str, Any]]] = {}
    for result in answer:
        grouped.setdefault(result["id"], []).append(result)
    return grouped


def values(store: MetricStore, query: dict[str, Any]) -> list[float]:
    [result] = results(store, query)[query["Id"]]
    return list(result["values"])


@pytest.mark.parametrize(
    ("statistic", "expected"),
    [("Sum", 5050.0), ("Average", 50.5), ("Minimum", 1.0), ("Maximum", 100.0), ("SampleCount", 100.0)],
)
def test_the_standard_statistics(store: MetricStore, statistic: str, expected: float) -> None:
    store.put_metric_data("NS", [member("Duration", [float(v) for v in range(1, 101)], FunctionName="rank")])
    assert values(store, stat("q", "Duration", statistic, FunctionName="rank")) == [pytest.approx(expected)]


@pytest.mark.parametrize(
    ("statistic", "expected"), [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p100", 100.0)]
)
def test_percentiles_within_one_percent(store: MetricStore, statistic: str, expected: float) -> None:
    store.put_metric_data("NS", [member("Duration", [float(v) for v in range(1, 101)], FunctionName="rank")])
    [value] = values(store, stat("q", "Duration", statistic, FunctionName="rank"))
    assert value == pytest.approx(expected, rel=0.01)


def test_counts_weigh_values(store: MetricStore) -> None:
    store.put_metric_data("NS", [{**member("Latency", [10.0, 1000.0]), "Counts": [99, 1]}])
    assert values(store, stat("q", "Latency", "p99")) == [pytest.approx(10.0)]
    assert values(store, stat("q", "Latency", "SampleCount")) == [100.0]


def test_a_query_matches_the_exact_dimension_set_and_namespace(store: MetricStore) -> None:
    store.put_metric_data(
        "NS",
        [
            member("Served", [1, 1], service="recommend", source="featured"),
            member("Served", [1], service="recommend"),
            member("Served", [1, 1, 1]),
        ],
    )
    store.put_metric_data("Other", [member("Served", [7], service="recommend", source="featured")])
    assert values(store, stat("q", "Served", "Sum", service="recommend", source="featured")) == [2.0]
    assert values(store, stat("q", "Served", "Sum", service="recommend")) == [1.0]
    assert values(store, stat("q", "Served", "Sum")) == [3.0]


def test_periods_are_aligned_and_only_those_with_data_answer(store: MetricStore) -> None:
    store.put_metric_data(
        "NS", [member("M", [1], T0 - 55), member("M", [2], T0 - 1), member("M", [4], T0 + 61)]
    )
    [result] = store.get_metric_data([stat("q", "M", "Sum")], T0 - 120, T0 + 120, "TimestampAscending")
    assert [t.timestamp() for t in result["timestamps"]] == [T0 - 60, T0 + 60]
    assert result["values"] == [3.0, 4.0]
    [descending] = store.get_metric_data([stat("q", "M", "Sum")], T0 - 120, T0 + 120)
    assert descending["values"] == [4.0, 3.0]


def test_the_fallback_ratio_expression_of_the_dashboard(store: MetricStore) -> None:
    store.put_metric_data(
        "NS",
        [
            member("RecommendationsServed", [1] * 6, service="recommend", source="personalize"),
            member("RecommendationsServed", [1] * 4, service="recommend", source="fallback"),
            member("Fallback", [1], service="recommend", reason="unconfigured"),
        ],
    )
    queries = [
        {
            **stat("fallback0", "RecommendationsServed", "Sum", service="recommend", source="fallback"),
            "ReturnData": False,
        },
        {
            **stat("personalize0", "RecommendationsServed", "Sum", service="recommend", source="personalize"),
            "ReturnData": False,
        },
        {
            **stat("unconfigured0", "Fallback", "Sum", service="recommend", reason="unconfigured"),
            "ReturnData": False,
        },
        {
            "Id": "ratio",
            "Expression": "100 * (FILL(fallback0, 0) -FILL(unconfigured0, 0)) / "
            "(FILL(personalize0, 0) + (FILL(fallback0, 0) -FILL(unconfigured0, 0)))",
            "Label": "Fallback ratio (%)",
        },
    ]
    answer = results(store, *queries)
    assert list(answer) == ["ratio"]
    [ratio] = answer["ratio"]
    assert ratio["label"] == "Fallback ratio (%)"
    # FILL gives every period of the range a point: 0 / 0 leaves none, the period with data is 3/9.
    assert ratio["values"] == [pytest.approx(100 * 3 / 9)]


def test_fill_and_arithmetic_on_series_and_numbers(store: MetricStore) -> None:
    store.put_metric_data("NS", [member("Clicks", [1, 1], T0 + 1), member("Exposures", [1] * 4, T0 + 1)])
    store.put_metric_data("NS", [member("Exposures", [1] * 5, T0 - 30)])
    queries = [
        {**stat("c", "Clicks", "Sum"), "ReturnData": False},
        {**stat("e", "Exposures", "Sum"), "ReturnData": False},
        {"Id": "ctr", "Expression": "100 * FILL(c, 0) / e"},
        {"Id": "neg", "Expression": "-e + 1"},
    ]
    answer = results(store, *queries)
    assert answer["ctr"][0]["values"] == [0.0, 50.0]
    assert answer["neg"][0]["values"] == [-4.0, -3.0]


def test_search_finds_every_metric_of_the_schema_and_terms(store: MetricStore) -> None:
    store.put_metric_data(
        "RetailPersonalization",
        [
            member("EventsAccepted", [1, 1], service="track_event", eventType="View"),
            member("EventsRejected", [1], service="track_event", eventType="Click"),
            member("EventsAccepted", [1], service="track_event"),
            member("Other", [1], service="track_event", eventType="View"),
        ],
    )
    query = {
        "Id": "s",
        "Expression": "SEARCH('{RetailPersonalization,eventType,service} "
        'MetricName=("EventsAccepted" OR "EventsRejected")\', \'Sum\', 60)',
    }
    found = results(store, query)["s"]
    assert sorted((r["label"], r["values"]) for r in found) == [
        ("Click track_event EventsRejected", [1.0]),
        ("View track_event EventsAccepted", [2.0]),
    ]


def test_search_by_a_dimension_value_and_a_bare_word(store: MetricStore) -> None:
    store.put_metric_data(
        "AWS/Lambda",
        [
            member("Invocations", [1], FunctionName="recommend"),
            member("Invocations", [1, 1], FunctionName="rank"),
        ],
    )
    by_value = {
        "Id": "a",
        "Expression": "SEARCH('{AWS/Lambda,FunctionName} FunctionName=\"rank\"', 'Sum', 60)",
    }
    by_word = {"Id": "b", "Expression": "SEARCH('{\"AWS/Lambda\",FunctionName} recommend', 'Sum', 60)"}
    answer = results(store, by_value, by_word)
    assert [r["values"] for r in answer["a"]] == [[2.0]]
    assert [r["label"] for r in answer["b"]] == ["recommend Invocations"]


def test_an_array_combines_with_a_number(store: MetricStore) -> None:
    store.put_metric_data("NS", [member("M", [2], k="a"), member("M", [4], k="b")])
    query = {"Id": "x", "Expression": "SEARCH('{NS,k} MetricName=\"M\"', 'Sum', 60) * 10"}
    assert sorted(r["values"][0] for r in results(store, query)["x"]) == [20.0, 40.0]


@pytest.mark.parametrize(
    "expression", ["1 +", "unknown_id", "FILL(m)", "NOPE(m)", "SELECT SUM(x) FROM NS", "m m", "(m"]
)
def test_a_bad_expression_is_a_validation_error(store: MetricStore, expression: str) -> None:
    with pytest.raises(MetricQueryError):
        store.get_metric_data(
            [{**stat("m", "M", "Sum"), "ReturnData": False}, {"Id": "e", "Expression": expression}],
            T0,
            T0 + 60,
        )


def test_an_unknown_statistic_is_a_validation_error(store: MetricStore) -> None:
    with pytest.raises(MetricQueryError):
        store.get_metric_data([stat("m", "M", "Median")], T0, T0 + 60)


def test_list_metrics_filters_by_namespace_name_and_dimensions(store: MetricStore) -> None:
    store.put_metric_data("NS", [member("A", [1], service="x", source="y"), member("B", [1], service="z")])
    store.put_metric_data("Other", [member("A", [1])])
    assert [m["MetricName"] for m in store.list_metrics("NS")] == ["A", "B"]
    assert store.list_metrics("NS", dimensions=[{"Name": "source"}]) == [
        {
            "Namespace": "NS",
            "MetricName": "A",
            "Dimensions": [{"Name": "service", "Value": "x"}, {"Name": "source", "Value": "y"}],
        }
    ]
    assert [m["Namespace"] for m in store.list_metrics(metric_name="A")] == ["NS", "Other"]


def test_statistic_values_and_single_values_are_stored(store: MetricStore) -> None:
    store.put_metric_data(
        "NS",
        [
            {
                "MetricName": "M",
                "Timestamp": float(T0),
                "StatisticValues": {"SampleCount": 4, "Sum": 10, "Minimum": 1, "Maximum": 4},
            },
            {"MetricName": "M", "Timestamp": float(T0), "Value": 5},
        ],
    )
    assert values(store, stat("q", "M", "Sum")) == [15.0]
    assert values(store, stat("q", "M", "Maximum")) == [5.0]


def test_old_buckets_are_dropped_and_the_number_of_metrics_is_bounded() -> None:
    clock = [float(T0)]
    store = MetricStore(retention_seconds=600, max_series=2, now=lambda: clock[0])
    store.put_metric_data("NS", [member("A", [1], T0), member("B", [1], T0), member("C", [1], T0)])
    assert [m["MetricName"] for m in store.list_metrics("NS")] == ["A", "B"]
    clock[0] = T0 + 3600
    store.put_metric_data("NS", [member("D", [1], T0 + 3600)])
    assert [m["MetricName"] for m in store.list_metrics("NS")] == ["D"]
    store.put_metric_data("NS", [member("E", [1], T0)])  # older than the retention: not kept
    assert [m["MetricName"] for m in store.list_metrics("NS")] == ["D"]


def test_get_metric_statistics_with_percentiles(store: MetricStore) -> None:
    store.put_metric_data("NS", [member("Latency", [float(v) for v in range(1, 11)], service="x")])
    [point] = store.get_metric_statistics(
        "NS",
        "Latency",
        dimensions=[{"Name": "service", "Value": "x"}],
        start_time=T0 - 60,
        end_time=T0 + 60,
        period=60,
        statistics=["Sum"],
        extended_statistics=["p90"],
    )
    assert point["Sum"] == 55.0
    assert point["ExtendedStatistics"]["p90"] == pytest.approx(9.0, rel=0.01)
