"""local.resources: a test's shorter visibility timeout never undercuts a sink's batching window."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from local.resources import create_event_resources
from personalization.contracts.topology import SINKS

pytestmark = pytest.mark.unit


def visibility_by_sink(override: int | None) -> dict[str, int]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        events = boto3.client("events", region_name="us-east-1")
        queues = create_event_resources(events, sqs, visibility_timeout_seconds=override)
        return {
            name: int(
                sqs.get_queue_attributes(QueueUrl=queue.queue_url, AttributeNames=["VisibilityTimeout"])[
                    "Attributes"
                ]["VisibilityTimeout"]
            )
            for name, queue in queues.items()
        }


def test_without_an_override_each_sink_has_six_times_its_function_timeout() -> None:
    assert visibility_by_sink(None) == {
        sink.function.name: 6 * sink.function.timeout_seconds for sink in SINKS
    }


def test_an_override_shortens_the_visibility_down_to_the_batching_window_and_a_second() -> None:
    assert visibility_by_sink(1) == {sink.function.name: sink.batching_window_seconds + 1 for sink in SINKS}
    assert visibility_by_sink(30) == {sink.function.name: 30 for sink in SINKS}
