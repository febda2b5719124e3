"""Traffic through the local stack shows up in the local CloudWatch (GetMetricData on the stack's
AWS endpoint) with the namespaces and dimensions the stack's dashboard reads."""

from __future__ import annotations

import functools
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from local.metrics.figures import API_NAME
from local.ops.definition import ANALYTICS_STREAM_NAME
from personalization.contracts.topology import ANALYTICS_STREAM, RECOMMEND, SINKS, TRACK_EVENT
from personalization.settings import DEFAULT_EVENT_BUS_NAME
from tests.polling import eventually
from tests.stack_fixture import LocalStackHandle

pytestmark = pytest.mark.integration

TIMEOUT = 20.0


def metric_sum(
    cloudwatch: Any,
    namespace: str,
    name: str,
    dimensions: dict[str, str],
    stat: str = "Sum",
    since: float = 0,
) -> float:
    now = datetime.now(UTC)
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m",
                "MetricStat": {
                    "Metric": {
                        "Namespace": namespace,
                        "MetricName": name,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                    },
                    "Period": 1,
                    "Stat": stat,
                },
            }
        ],
        StartTime=datetime.fromtimestamp(since, UTC) if since else now - timedelta(minutes=10),
        EndTime=now + timedelta(minutes=1),
    )
    [result] = answer["MetricDataResults"]
    values: list[float] = result["Values"]
    if stat == "Sum":
        return sum(values)
    return max(values, default=0.0)


@pytest.fixture(scope="module")
def traffic(local_stack: LocalStackHandle) -> float:
    """A few anonymous recommendations and events; the moment they started."""
    started = time.time() - 1
    session = requests.Session()
    for _ in range(3):
        response = session.get(f"{local_stack.api_url}/recommendations", timeout=10)
        assert response.status_code == 200, response.text
    for _ in range(2):
        response = session.post(
            f"{local_stack.api_url}/events",
            json={
                "sessionId": f"metrics-{uuid.uuid4()}",
                "events": [{"eventType": "ProductViewed", "itemId": "1"}],
            },
            timeout=10,
        )
        assert response.status_code == 202, response.text
    assert session.get(f"{local_stack.api_url}/no-such-route", timeout=10).status_code == 403
    return started


def test_the_functions_emf_metrics_are_in_their_namespace(
    local_stack: LocalStackHandle, traffic: float
) -> None:
    cloudwatch = local_stack.client("cloudwatch")
    dimensions = {"service": RECOMMEND.name, "source": "featured"}
    eventually(
        lambda: (
            metric_sum(
                cloudwatch, "RetailPersonalization", "RecommendationsServed", dimensions, since=traffic
            )
            >= 3
        ),
        TIMEOUT,
    )
    listed = cloudwatch.list_metrics(Namespace="RetailPersonalization", MetricName="RecommendationsServed")
    assert {"Name": "source", "Value": "featured"} in [d for m in listed["Metrics"] for d in m["Dimensions"]]


def test_lambda_figures_per_function_name(local_stack: LocalStackHandle, traffic: float) -> None:
    cloudwatch = local_stack.client("cloudwatch")
    function = {"FunctionName": RECOMMEND.name}
    eventually(
        lambda: metric_sum(cloudwatch, "AWS/Lambda", "Invocations", function, since=traffic) >= 3, TIMEOUT
    )
    assert metric_sum(cloudwatch, "AWS/Lambda", "Errors", function, since=traffic) == 0
    assert metric_sum(cloudwatch, "AWS/Lambda", "Throttles", function, since=traffic) == 0
    assert metric_sum(cloudwatch, "AWS/Lambda", "Duration", function, stat="p99", since=traffic) > 0
    assert metric_sum(cloudwatch, "AWS/Lambda", "ConcurrentExecutions", function, "Maximum", traffic) >= 1
    track = {"FunctionName": TRACK_EVENT.name}
    eventually(
        lambda: metric_sum(cloudwatch, "AWS/Lambda", "Invocations", track, since=traffic) >= 2, TIMEOUT
    )


def test_api_figures_per_api_name(local_stack: LocalStackHandle, traffic: float) -> None:
    cloudwatch = local_stack.client("cloudwatch")
    api = {"ApiName": API_NAME}
    eventually(lambda: metric_sum(cloudwatch, "AWS/ApiGateway", "Count", api, since=traffic) >= 6, TIMEOUT)
    assert metric_sum(cloudwatch, "AWS/ApiGateway", "4XXError", api, since=traffic) >= 1
    assert metric_sum(cloudwatch, "AWS/ApiGateway", "Latency", api, stat="p50", since=traffic) > 0
    staged = {"ApiName": API_NAME, "Stage": "v1"}
    assert metric_sum(cloudwatch, "AWS/ApiGateway", "Count", staged, since=traffic) >= 6


def queue_metrics(cloudwatch: Any, metric: str, queue_name: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = cloudwatch.list_metrics(
        Namespace="AWS/SQS", MetricName=metric, Dimensions=[{"Name": "QueueName", "Value": queue_name}]
    )["Metrics"]
    return listed


def test_queue_figures_per_queue_name(local_stack: LocalStackHandle) -> None:
    cloudwatch = local_stack.client("cloudwatch")
    for sink in SINKS:
        queues = local_stack.queue(sink.function.name)
        for url in (queues["url"], queues["dlqUrl"]):
            name = url.rsplit("/", 1)[-1]
            eventually(
                functools.partial(queue_metrics, cloudwatch, "ApproximateAgeOfOldestMessage", name), TIMEOUT
            )
            assert queue_metrics(cloudwatch, "ApproximateNumberOfMessagesVisible", name), name


def test_the_analytics_streams_figures_per_delivery_stream_name(
    local_stack: LocalStackHandle, traffic: float
) -> None:
    """The two events of the traffic reach the analytics rule, its stream takes them in and writes
    them within its buffer interval (5 s): Firehose's figures under the name /ops resolves."""
    cloudwatch = local_stack.client("cloudwatch")
    stream = {"DeliveryStreamName": ANALYTICS_STREAM_NAME}
    eventually(
        lambda: metric_sum(cloudwatch, "AWS/Firehose", "IncomingRecords", stream, since=traffic) >= 2, TIMEOUT
    )
    eventually(
        lambda: metric_sum(cloudwatch, "AWS/Firehose", "DeliveryToS3.Records", stream, since=traffic) >= 2,
        TIMEOUT,
    )
    assert metric_sum(cloudwatch, "AWS/Firehose", "DeliveryToS3.Success", stream, "Maximum", traffic) == 1
    assert metric_sum(cloudwatch, "AWS/Firehose", "DeliveryToS3.Bytes", stream, since=traffic) > 0
    freshness = functools.partial(
        cloudwatch.list_metrics,
        Namespace="AWS/Firehose",
        MetricName="DeliveryToS3.DataFreshness",
        Dimensions=[{"Name": "DeliveryStreamName", "Value": ANALYTICS_STREAM_NAME}],
    )
    eventually(lambda: freshness()["Metrics"], TIMEOUT)


def test_the_analytics_rules_figures_per_bus_and_rule_name(
    local_stack: LocalStackHandle, traffic: float
) -> None:
    cloudwatch = local_stack.client("cloudwatch")
    rule = {"EventBusName": DEFAULT_EVENT_BUS_NAME, "RuleName": ANALYTICS_STREAM.rule.name}
    eventually(
        lambda: metric_sum(cloudwatch, "AWS/Events", "MatchedEvents", rule, since=traffic) >= 2, TIMEOUT
    )
    eventually(lambda: metric_sum(cloudwatch, "AWS/Events", "Invocations", rule, since=traffic) >= 2, TIMEOUT)


def test_metric_math_and_search_answer_as_on_the_dashboard(
    local_stack: LocalStackHandle, traffic: float
) -> None:
    cloudwatch = local_stack.client("cloudwatch")
    eventually(
        lambda: metric_sum(cloudwatch, "AWS/ApiGateway", "Count", {"ApiName": API_NAME}, since=traffic) >= 6,
        TIMEOUT,
    )
    now = datetime.now(UTC)
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "errors",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/ApiGateway",
                        "MetricName": "5XXError",
                        "Dimensions": [{"Name": "ApiName", "Value": API_NAME}],
                    },
                    "Period": 60,
                    "Stat": "Average",
                },
                "ReturnData": False,
            },
            {"Id": "rate", "Expression": "100 * errors", "Label": "API 5xx rate (%)"},
            {
                "Id": "served",
                "Expression": "SEARCH('{RetailPersonalization,service,source} "
                "MetricName=\"RecommendationsServed\"', 'Sum', 60)",
            },
        ],
        StartTime=now - timedelta(minutes=10),
        EndTime=now + timedelta(minutes=1),
    )
    results = answer["MetricDataResults"]
    [rate] = [r for r in results if r["Id"] == "rate"]
    assert rate["Values"]
    assert all(value == 0 for value in rate["Values"])
    labels = [r["Label"] for r in results if r["Id"] == "served"]
    assert "recommend featured RecommendationsServed" in labels
