"""The operations page of the local stack: /ops serves the page and uPlot, /ops/data every widget of
the stack's dashboard definition with data after traffic (the analytics stream's and its rule's
included), and the alarms evaluated on the local metrics (a message in a sink's dead-letter queue
turns its alarm to ALARM; the analytics stream's alarms evaluate its datapoints)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
import requests

from local.metrics.figures import SAMPLE_SECONDS
from local.ops import scaled
from local.ops.definition import local_definition
from personalization.contracts.topology import PERSONALIZE_SYNC
from tests.ops_traffic import Shoppers
from tests.polling import eventually
from tests.stack_fixture import LocalStackHandle

pytestmark = pytest.mark.integration

TIMEOUT = 10
ANALYTICS_RECORDS = "analytics: records in, delivered to S3"
OPS_DATA_INTERVAL = 0.5
"""Seconds between two reads of /ops/data (each reads every widget's metrics)."""


def ops_data(stack: LocalStackHandle) -> dict[str, Any]:
    response = requests.get(f"{stack.storefront_url}/ops/data", timeout=TIMEOUT)
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def graphs(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {widget["title"]: widget for row in data["rows"] for widget in row if widget["kind"] == "graph"}


def has_data(widget: dict[str, Any]) -> bool:
    return any(series["values"] for series in widget["series"])


def wait_for_alarm_state(
    stack: LocalStackHandle,
    alarm_id: str,
    state: str,
    timeout: float,
    before_each: Callable[[], None] = lambda: None,
) -> None:
    """Poll /ops/data until the alarm is in `state`; a timeout names the last state, reason and datapoints."""
    seen: dict[str, Any] = {}

    def in_state() -> bool:
        before_each()
        (alarm,) = [alarm for alarm in ops_data(stack)["alarms"] if alarm["id"] == alarm_id]
        seen.update(alarm)
        return alarm["state"] == state

    eventually(
        in_state,
        timeout,
        OPS_DATA_INTERVAL,
        describe=lambda: f"{alarm_id}: {seen['state']}, {seen['reason']}, datapoints {seen['datapoints']}",
    )


@pytest.fixture
def stack(local_stack: LocalStackHandle) -> Iterator[LocalStackHandle]:
    local_stack.clear_faults()
    yield local_stack
    local_stack.clear_faults()


def test_the_page_and_its_chart_library_are_served(stack: LocalStackHandle) -> None:
    page = requests.get(f"{stack.storefront_url}/ops", timeout=TIMEOUT)
    assert page.status_code == 200
    assert page.url.endswith("/ops/")
    assert "ops.js" in page.text
    for path in ("ops.js", "ops.css", "vendor/uPlot.iife.min.js", "vendor/uPlot.min.css"):
        response = requests.get(f"{stack.storefront_url}/ops/{path}", timeout=TIMEOUT)
        assert response.status_code == 200, path
        assert response.content
    assert requests.get(f"{stack.storefront_url}/ops/nothing", timeout=TIMEOUT).status_code == 404


def test_every_widget_of_the_definition_is_there_in_order(stack: LocalStackHandle) -> None:
    data = ops_data(stack)
    definition = local_definition()
    assert [[w["kind"] for w in row] for row in data["rows"]] == [
        [w.kind for w in row] for row in definition.rows
    ]
    assert list(graphs(data)) == [graph.title for graph in definition.graphs()]
    assert [alarm["id"] for alarm in data["alarms"]] == [alarm.construct_id for alarm in definition.alarms]
    assert data["timeScale"] == 12
    assert data["windowSeconds"] == definition.default_interval // 12


def test_after_traffic_every_widget_has_data(stack: LocalStackHandle) -> None:
    Shoppers(stack).round_with_failures()
    eventually(
        lambda: has_data(graphs(ops_data(stack))["Events failed per sink by reason"]),
        timeout=30,
        interval=OPS_DATA_INTERVAL,
    )
    stack.clear_faults()

    # The twin publishes every namespace the definition reads (the analytics stream's AWS/Firehose
    # and the bus's AWS/Events included): no graph says otherwise.
    assert {title: widget["notPublished"] for title, widget in graphs(ops_data(stack)).items()} == {
        graph.title: [] for graph in local_definition().graphs()
    }

    def none_is_empty() -> bool:
        return all(has_data(widget) for widget in graphs(ops_data(stack)).values())

    eventually(none_is_empty, timeout=30, interval=OPS_DATA_INTERVAL)
    widgets = graphs(ops_data(stack))
    assert all(has_data(widget) for widget in widgets.values())
    records = {series["label"]: series["values"] for series in widgets[ANALYTICS_RECORDS]["series"]}
    assert sum(records["IncomingRecords"]) > 0
    assert sum(records["DeliveryToS3.Records"]) > 0

    def evaluated_on_datapoints(alarm_id: str) -> bool:
        (alarm,) = [alarm for alarm in ops_data(stack)["alarms"] if alarm["id"] == alarm_id]
        return alarm["state"] == "OK" and any(value is not None for value in alarm["datapoints"])

    for alarm_id in ("AnalyticsDeliveryFreshness", "AnalyticsDeliveryFailures"):
        eventually(
            partial(evaluated_on_datapoints, alarm_id), timeout=3 * scaled(300), interval=OPS_DATA_INTERVAL
        )
    served = widgets["Recommendations served by source"]
    assert {"recommend personalize RecommendationsServed", "recommend fallback RecommendationsServed"} <= {
        series["label"] for series in served["series"]
    }
    ratio = widgets["Fallback ratio (%)"]
    assert ratio["periods"] == [scaled(300)]
    assert all(0 <= value <= 100 for series in ratio["series"] for value in series["values"])


def test_a_message_in_a_sinks_dead_letter_queue_lights_its_alarm(stack: LocalStackHandle) -> None:
    alarm = "PersonalizeSyncDeadLetters"
    queue = stack.queue(PERSONALIZE_SYNC.name)
    dlq = queue["dlqUrl"]
    # Earlier tests' failed records may still be on their way to the DLQ: let the queue empty first,
    # and keep draining the DLQ while waiting for OK (a late dead letter is not what this test is about).
    eventually(lambda: stack.messages_in(queue["url"]) == 0, timeout=60)
    stack.drain(dlq)
    # Two samples of the queue (every 5 s, slower on a loaded machine), then the period they fall in
    # (60 s scaled to 5 s) must end before it is evaluated; three periods of margin.
    window = 2 * SAMPLE_SECONDS + 4 * scaled(60)
    wait_for_alarm_state(stack, alarm, "OK", window, before_each=lambda: stack.drain(dlq))
    stack.client("sqs").send_message(QueueUrl=dlq, MessageBody='{"detail": "dead letter"}')
    wait_for_alarm_state(stack, alarm, "ALARM", window)
    wait_for_alarm_state(stack, alarm, "OK", window, before_each=lambda: stack.drain(dlq))
