"""The page's snapshot of the analytics widgets and alarms, from the figures the twin publishes for
the local delivery stream (AWS/Firehose) and the local bus's rules (AWS/Events), read back from the
twin's CloudWatch store under the names /ops resolves (`local_names`)."""

from __future__ import annotations

from typing import Any

import pytest

import local.metrics.figures as figures
from local.metrics.figures import LocalMetrics
from local.metrics.publisher import MetricsPublisher
from local.metrics.store import MetricStore
from local.ops import scaled
from local.ops.definition import (
    ANALYTICS_STREAM_NAME,
    QueueUrls,
    local_definition,
    local_names,
)
from local.ops.service import OpsService, not_published
from personalization.contracts.topology import ANALYTICS_STREAM, SINKS
from personalization.settings import DEFAULT_EVENT_BUS_NAME

pytestmark = pytest.mark.unit

SINK_QUEUES = {
    sink.function.name: QueueUrls(
        f"http://local/q/retail-{sink.function.name}", f"http://local/q/{sink.function.name}-dlq"
    )
    for sink in SINKS
}
ANALYTICS = QueueUrls("http://local/q/retail-analytics-stream", "http://local/q/retail-analytics-stream-dlq")
ANALYTICS_GRAPHS = (
    "analytics: records in, delivered to S3",
    "analytics: delivery freshness (s), success",
    "analytics: rule failed invocations, target DLQ depth",
)
NOW = 1_800_000_000.0


class StoreClient:
    """GetMetricData of the twin's store, in boto3's answer shape."""

    def __init__(self, store: MetricStore) -> None:
        self.store = store

    def get_metric_data(self, MetricDataQueries: list[dict[str, Any]], StartTime: Any, EndTime: Any) -> Any:
        results = self.store.get_metric_data(MetricDataQueries, StartTime, EndTime)
        return {
            "MetricDataResults": [
                {"Id": r["id"], "Label": r["label"], "Timestamps": r["timestamps"], "Values": r["values"]}
                for r in results
            ]
        }


class Direct(MetricsPublisher):
    """Puts each submission into the store at once (the flusher, without its thread)."""

    def submit(self, datums: Any) -> int:
        self.flush(list(datums))
        return 0


class Moment:
    def __init__(self) -> None:
        self.seconds = NOW

    def ms(self) -> int:
        return int(self.seconds * 1000)


@pytest.fixture
def moment(monkeypatch: pytest.MonkeyPatch) -> Moment:
    """The figures' timestamps, set by the test."""
    chosen = Moment()
    monkeypatch.setattr(figures, "_now_ms", chosen.ms)
    return chosen


def store_and_metrics() -> tuple[MetricStore, LocalMetrics]:
    store = MetricStore(now=lambda: NOW + 600)
    return store, LocalMetrics(Direct(store.put_metric_data))


def service(store: MetricStore, now: float) -> OpsService:
    return OpsService(StoreClient(store), local_names(SINK_QUEUES, ANALYTICS), now=lambda: now)


def graphs(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {w["title"]: w for row in snapshot["rows"] for w in row if w["kind"] == "graph"}


def alarm(snapshot: dict[str, Any], alarm_id: str) -> dict[str, Any]:
    (found,) = [a for a in snapshot["alarms"] if a["id"] == alarm_id]
    return found


def test_the_twin_publishes_every_namespace_of_the_definition() -> None:
    graphs = list(local_definition().graphs())
    assert {graph.title: not_published(graph) for graph in graphs} == {graph.title: [] for graph in graphs}


def test_the_analytics_widgets_have_data_from_the_stream_and_the_rule(moment: Moment) -> None:
    store, metrics = store_and_metrics()
    period = scaled(60)
    for step in range(6):
        moment.seconds = NOW + step * period
        metrics.stream_records_in(ANALYTICS_STREAM_NAME, 3, 300)
        metrics.stream_delivery(ANALYTICS_STREAM_NAME, records=3, size_bytes=120, succeeded=True)
        metrics.stream_freshness(ANALYTICS_STREAM_NAME, 2.0)
        metrics.rule_sample(
            [
                {
                    "bus": DEFAULT_EVENT_BUS_NAME,
                    "rule": ANALYTICS_STREAM.rule.name,
                    "matchedEvents": 3 * (step + 1),
                    "invocations": 3 * (step + 1),
                    "failedInvocations": 1 if step == 5 else 0,
                }
            ]
        )
        metrics.queue_sample({"retail-analytics-stream-dlq": {"ApproximateNumberOfMessages": 0}})
    snapshot = service(store, NOW + 6 * period).snapshot()
    widgets = graphs(snapshot)
    for title in ANALYTICS_GRAPHS:
        assert widgets[title]["notPublished"] == []
        assert widgets[title]["problem"] is None
    by_label = {s["label"]: s["values"] for title in ANALYTICS_GRAPHS for s in widgets[title]["series"]}
    assert set(by_label["IncomingRecords"]) == {3.0}
    assert set(by_label["DeliveryToS3.Records"]) == {3.0}
    assert set(by_label["DeliveryToS3.DataFreshness"]) == {2.0}
    assert set(by_label["DeliveryToS3.Success"]) == {1.0}
    assert by_label["FailedInvocations"] == [1.0]
    assert alarm(snapshot, "AnalyticsDeliveryFailures")["state"] == "OK"
    assert alarm(snapshot, "AnalyticsDeliveryFreshness")["state"] == "OK"


def test_failed_deliveries_for_three_periods_fire_the_delivery_failures_alarm(moment: Moment) -> None:
    store, metrics = store_and_metrics()
    (failures,) = [a for a in local_definition().alarms if a.construct_id == "AnalyticsDeliveryFailures"]
    period = scaled(failures.period)
    for step in range(failures.evaluation_periods):
        moment.seconds = NOW + step * period
        metrics.stream_delivery(ANALYTICS_STREAM_NAME, records=3, size_bytes=120, succeeded=True)
        metrics.stream_delivery(ANALYTICS_STREAM_NAME, records=3, size_bytes=0, succeeded=False)
    end = NOW + failures.evaluation_periods * period
    state = alarm(service(store, end).snapshot(), "AnalyticsDeliveryFailures")
    assert state["state"] == "ALARM", state["reason"]
