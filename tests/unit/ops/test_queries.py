"""The definition's series as GetMetricData queries: local names, scaled periods, prefixed ids in
metric math, SEARCH with the scaled period; and evaluated by the twin's CloudWatch (`local.metrics`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from infra import dashboard
from infra.dashboard import Graph, Metric, Search
from local.metrics.store import MetricStore
from local.ops import TIME_SCALE, scaled
from local.ops.definition import QueueUrls, local_definition, local_names
from local.ops.queries import MAX_QUERIES, QueryBatch, UnnamedResourceError, get_metric_data, rewrite_ids
from personalization.contracts.topology import RECOMMEND, SINKS

pytestmark = pytest.mark.unit

SINK_QUEUES = {
    sink.function.name: QueueUrls(
        f"http://localhost/000000000000/retail-{sink.function.name}",
        f"http://localhost/q/{sink.function.name}-dlq",
    )
    for sink in SINKS
}


class StoreClient:
    """GetMetricData of the twin's store, in boto3's answer shape."""

    def __init__(self, store: MetricStore) -> None:
        self.store = store
        self.requests: list[list[dict[str, Any]]] = []

    def get_metric_data(self, MetricDataQueries: list[dict[str, Any]], StartTime: Any, EndTime: Any) -> Any:
        self.requests.append(MetricDataQueries)
        results = self.store.get_metric_data(MetricDataQueries, StartTime, EndTime)
        return {
            "MetricDataResults": [
                {"Id": r["id"], "Label": r["label"], "Timestamps": r["timestamps"], "Values": r["values"]}
                for r in results
            ]
        }


def test_the_scale_is_one_factor() -> None:
    assert TIME_SCALE == 12
    assert (scaled(60), scaled(300), scaled(1)) == (5, 25, 1)


def test_rewrite_ids_leaves_strings_and_functions_alone() -> None:
    text = "100 * FILL(fallback0, 0) / (fallback0 + SEARCH('{N,a} MetricName=\"fallback0\"', 'Sum', 60))"
    assert rewrite_ids(text, {"fallback0": "w1_fallback0"}) == (
        "100 * FILL(w1_fallback0, 0) / (w1_fallback0 + SEARCH('{N,a} MetricName=\"fallback0\"', 'Sum', 60))"
    )


def test_metrics_name_their_resources_by_the_twins_names() -> None:
    batch = QueryBatch(local_names(SINK_QUEUES))
    batch.add("p", dashboard.lambda_metric(RECOMMEND, "Invocations", "Sum"))
    batch.add(
        "q",
        dashboard.queue_metric(dashboard.dead_letter_queue(SINKS[0]), "ApproximateNumberOfMessagesVisible"),
    )
    batch.add("r", dashboard.api_metric("Count", "SampleCount"))
    stats = [query["MetricStat"] for query in batch.queries]
    assert [s["Metric"]["Dimensions"] for s in stats] == [
        [{"Name": "FunctionName", "Value": "recommend"}],
        [{"Name": "QueueName", "Value": f"{SINKS[0].function.name}-dlq"}],
        [{"Name": "ApiName", "Value": "RetailPersonalization-api"}],
    ]
    assert {s["Period"] for s in stats} == {5}


def test_an_unknown_resource_is_refused() -> None:
    with pytest.raises(UnnamedResourceError):
        QueryBatch({}).add("p", dashboard.lambda_metric(RECOMMEND, "Invocations", "Sum"))


def test_search_gets_the_scaled_period() -> None:
    batch = QueryBatch({})
    batch.add("p", dashboard.search("service,source", 'MetricName="RecommendationsServed"', "t"))
    (query,) = batch.queries
    assert query["Expression"] == (
        "SEARCH('{RetailPersonalization,service,source} MetricName=\"RecommendationsServed\"', 'Sum', 5)"
    )


def test_every_series_of_the_definition_becomes_queries_the_store_answers() -> None:
    now = 1_000_000.0
    store = MetricStore(now=lambda: now)
    for second in range(0, 100, 2):
        moment = datetime.fromtimestamp(now - second, UTC)
        for source, value in (("personalize", 3.0), ("fallback", 1.0)):
            store.put_metric_data(
                "RetailPersonalization",
                [
                    {
                        "MetricName": "RecommendationsServed",
                        "Dimensions": [
                            {"Name": "service", "Value": "recommend"},
                            {"Name": "source", "Value": source},
                        ],
                        "Value": value,
                        "Timestamp": moment,
                    }
                ],
            )
    definition = local_definition()
    analytics = QueueUrls(
        "http://localhost/q/retail-analytics-stream", "http://localhost/q/retail-analytics-stream-dlq"
    )
    batch = QueryBatch(local_names(SINK_QUEUES, analytics))
    ids = {}
    for g, graph in enumerate(definition.graphs()):
        for s, (_, series) in enumerate(graph.series):
            ids[(graph.title, s)] = batch.add(f"w{g}_{s}_", series)
    client = StoreClient(store)
    found = get_metric_data(
        client, batch, datetime.fromtimestamp(now - 900, UTC), datetime.fromtimestamp(now, UTC)
    )
    (ratio,) = found[ids[("Fallback ratio (%)", 0)]]
    assert set(ratio.points.values()) == {25.0}  # 1 fallback of 4 answers, every 25 s period
    assert all(moment % 25 == 0 for moment in ratio.points)
    served = found[ids[("Recommendations served by source", 0)]]
    assert sorted(result.label for result in served) == [
        "recommend fallback RecommendationsServed",
        "recommend personalize RecommendationsServed",
    ]
    assert all(len(request) <= MAX_QUERIES for request in client.requests)


def test_requests_hold_at_most_500_queries_and_never_split_a_series() -> None:
    batch = QueryBatch({})
    expression = dashboard.fallback_ratio([RECOMMEND, RECOMMEND, RECOMMEND])  # 9 metrics and the expression
    for index in range(60):
        batch.add(f"e{index}_", expression)
    requests = batch.requests()
    assert [len(request) for request in requests] == [500, 100]
    assert requests[0][-1]["Id"] == "e49_s"


def test_graphs_count_as_cloudwatch_counts() -> None:
    metric = Metric("N", "M", (), "Sum", 60)
    graph = Graph("t", (metric, Search("N", "a", "q", "Sum", 60, "")), width=12)
    assert graph.metric_count() == 2
