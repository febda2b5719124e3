"""The service figures' names and dimensions (those the CDK dashboard reads) and the log pump."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from infra.deployment import DEFAULT_STAGE
from infra.settings import DEFAULT_STACK_NAME
from local.metrics.emf import MetricDatum
from local.metrics.figures import API_NAME, LocalMetrics, pump_log
from tests.unit.metrics_local.conftest import Captured

pytestmark = pytest.mark.unit


def figures(datums: list[MetricDatum]) -> set[tuple[str, str, tuple[tuple[str, str], ...], float]]:
    return {(d.namespace, d.name, d.dimensions, d.values[0]) for d in datums}


def test_the_api_name_is_the_stacks() -> None:
    assert f"{DEFAULT_STACK_NAME}-api" == API_NAME


def test_an_invocation_is_the_lambda_figures_by_function_name() -> None:
    publisher = Captured()
    LocalMetrics(publisher).invocation("recommend", duration_ms=12.5, failed=True, concurrent=2)
    name = (("FunctionName", "recommend"),)
    assert figures(publisher.datums) == {
        ("AWS/Lambda", "Invocations", name, 1.0),
        ("AWS/Lambda", "Errors", name, 1.0),
        ("AWS/Lambda", "Throttles", name, 0.0),
        ("AWS/Lambda", "Duration", name, 12.5),
        ("AWS/Lambda", "ConcurrentExecutions", name, 2.0),
    }
    assert next(d for d in publisher.datums if d.name == "Duration").unit == "Milliseconds"


def test_a_throttle_is_no_invocation() -> None:
    publisher = Captured()
    LocalMetrics(publisher).throttle("rank")
    assert figures(publisher.datums) == {("AWS/Lambda", "Throttles", (("FunctionName", "rank"),), 1.0)}


@pytest.mark.parametrize(("status", "client", "server"), [(200, 0.0, 0.0), (403, 1.0, 0.0), (502, 0.0, 1.0)])
def test_a_request_is_the_api_figures_by_api_name_and_stage(
    status: int, client: float, server: float
) -> None:
    publisher = Captured()
    LocalMetrics(publisher).api_request(status, 8.0)
    for dimensions in ((("ApiName", API_NAME),), (("ApiName", API_NAME), ("Stage", DEFAULT_STAGE))):
        assert {
            ("AWS/ApiGateway", "Count", dimensions, 1.0),
            ("AWS/ApiGateway", "4XXError", dimensions, client),
            ("AWS/ApiGateway", "5XXError", dimensions, server),
            ("AWS/ApiGateway", "Latency", dimensions, 8.0),
        } <= figures(publisher.datums)


def test_a_queue_sample_is_the_sqs_figures_by_queue_name() -> None:
    publisher = Captured()
    sample = {
        "retail-personalize-sync-dlq": {
            "ApproximateNumberOfMessages": 3,
            "ApproximateNumberOfMessagesNotVisible": 0,
            "ApproximateNumberOfMessagesDelayed": 0,
            "ApproximateAgeOfOldestMessage": 42,
        }
    }
    LocalMetrics(publisher).queue_sample(sample)
    queue = (("QueueName", "retail-personalize-sync-dlq"),)
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue, 3.0) in figures(publisher.datums)
    age = next(d for d in publisher.datums if d.name == "ApproximateAgeOfOldestMessage")
    assert (age.values, age.unit) == ((42.0,), "Seconds")


def test_the_log_pump_keeps_every_line_and_reads_the_emf_ones(tmp_path: Path) -> None:
    publisher = Captured()
    emf = json.dumps(
        {
            "_aws": {
                "Timestamp": 1,
                "CloudWatchMetrics": [
                    {"Namespace": "N", "Dimensions": [["service"]], "Metrics": [{"Name": "M"}]}
                ],
            },
            "service": "rank",
            "M": 1,
        }
    )
    output = (
        f'{{"level":"INFO","message":"hello"}}\n{emf}\n{{"_aws": broken\nTraceback (most recent call last):\n'
    )
    log = tmp_path / "rank.log"
    pump_log(io.BytesIO(output.encode()), log, "rank", LocalMetrics(publisher)).join(timeout=5)
    assert log.read_text() == output
    assert [(d.namespace, d.name, d.dimensions) for d in publisher.datums] == [
        ("N", "M", (("service", "rank"),))
    ]
