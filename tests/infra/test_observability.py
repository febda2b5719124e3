"""Dashboard and alarms: the metrics of DESIGN section 7, and notification when asked for."""

from __future__ import annotations

import json
from typing import Any

import pytest

from personalization.contracts.topology import FUNCTIONS, SINKS
from personalization.settings import METRICS_NAMESPACE, ReadSettings
from tests.infra.cfn import only, ref_id, resources, text

pytestmark = pytest.mark.infra

READ_FUNCTIONS = [spec.name for spec in FUNCTIONS if issubclass(spec.settings_model, ReadSettings)]


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: alarm["Properties"]
        for logical_id, alarm in resources(template, "AWS::CloudWatch::Alarm").items()
    }


def metric_names(alarm: dict[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {
        query["MetricStat"]["Metric"]["MetricName"] for query in alarm["Metrics"] if "MetricStat" in query
    }


def alarm_named(template: dict[str, Any], fragment: str) -> dict[str, Any]:
    (alarm,) = [alarm for logical_id, alarm in alarms(template).items() if fragment in logical_id]
    return alarm


def test_alarm_count(template: dict[str, Any]) -> None:
    expected = 1 + len(READ_FUNCTIONS) + len(FUNCTIONS) + len(SINKS) + 1
    assert len(alarms(template)) == expected


def test_api_5xx_rate_alarm(template: dict[str, Any]) -> None:
    alarm = alarm_named(template, "Api5xxRate")
    assert metric_names(alarm) == {"5XXError"}
    (stat,) = [query["MetricStat"] for query in alarm["Metrics"] if "MetricStat" in query]
    assert stat["Stat"] == "Average"
    assert alarm["Threshold"] == 1
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (5, 3)


@pytest.mark.parametrize("name", READ_FUNCTIONS)
def test_read_latency_alarm(template: dict[str, Any], name: str) -> None:
    alarm = alarm_named(template, f"{name.capitalize()}LatencyP99")
    assert alarm["MetricName"] == "Duration"
    assert alarm["ExtendedStatistic"] == "p99"
    assert alarm["Threshold"] == 1500


def test_every_function_has_an_errors_alarm(template: dict[str, Any]) -> None:
    function_ids = {
        ref_id(dimension["Value"])
        for alarm in alarms(template).values()
        if alarm.get("MetricName") == "Errors"
        for dimension in alarm["Dimensions"]
    }
    assert len(function_ids) == len(FUNCTIONS)
    assert all(template["Resources"][id_]["Type"] == "AWS::Lambda::Function" for id_ in function_ids)


def test_every_dead_letter_queue_has_an_alarm_on_any_message(template: dict[str, Any]) -> None:
    dlq_alarms = [
        alarm
        for alarm in alarms(template).values()
        if alarm.get("MetricName") == "ApproximateNumberOfMessagesVisible"
    ]
    assert len(dlq_alarms) == len(SINKS)
    dead_letter_queues = {
        ref_id(queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
        for queue in resources(template, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    }
    assert {ref_id(alarm["Dimensions"][0]["Value"]) for alarm in dlq_alarms} == dead_letter_queues
    for alarm in dlq_alarms:
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")


def test_fallback_ratio_alarm_uses_served_and_fallback_metrics_of_each_read_function(
    template: dict[str, Any],
) -> None:
    alarm = alarm_named(template, "FallbackRatio")
    assert metric_names(alarm) == {"RecommendationsServed", "Fallback"}
    services = {
        dimension["Value"]
        for query in alarm["Metrics"]
        if "MetricStat" in query
        for dimension in query["MetricStat"]["Metric"]["Dimensions"]
        if dimension["Name"] == "service"
    }
    assert services == set(READ_FUNCTIONS)
    assert all(
        query["MetricStat"]["Metric"]["Namespace"] == METRICS_NAMESPACE
        for query in alarm["Metrics"]
        if "MetricStat" in query
    )
    (expression,) = [query for query in alarm["Metrics"] if "Expression" in query]
    assert expression["ReturnData"] is True
    assert alarm["Threshold"] == 20
    assert alarm["EvaluationPeriods"] == 3


def test_alarms_treat_missing_data_as_fine_and_notify_nobody_by_default(template: dict[str, Any]) -> None:
    for alarm in alarms(template).values():
        assert alarm["TreatMissingData"] == "notBreaching"
        assert "AlarmActions" not in alarm
    assert not resources(template, "AWS::SNS::Topic")


def test_alarm_email_gets_every_alarm_through_an_encrypted_topic(hosted_template: dict[str, Any]) -> None:
    topic_id, topic = only(hosted_template, "AWS::SNS::Topic")
    assert topic["Properties"]["KmsMasterKeyId"]
    _, subscription = only(hosted_template, "AWS::SNS::Subscription")
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "ops@example.com"
    for alarm in alarms(hosted_template).values():
        assert [
            ref_id(action) if isinstance(action, dict) else action for action in alarm["AlarmActions"]
        ] == [topic_id]


def test_dashboard_shows_api_function_queue_and_custom_metrics(template: dict[str, Any]) -> None:
    _, dashboard = only(template, "AWS::CloudWatch::Dashboard")
    body = json.loads(text(dashboard["Properties"]["DashboardBody"]).replace("${AWS::Region}", "us-east-1"))
    metrics = json.dumps([widget["properties"] for widget in body["widgets"]])
    for name in (
        "Count",
        "4XXError",
        "5XXError",
        "Latency",
        "Invocations",
        "Errors",
        "Throttles",
        "Duration",
        "ConcurrentExecutions",
        "ApproximateAgeOfOldestMessage",
        "ApproximateNumberOfMessagesVisible",
    ):
        assert f'"{name}"' in metrics, name
    for percentile in ("p50", "p90", "p99"):
        assert f'"stat": "{percentile}"' in metrics
    for custom in (
        "RecommendationsServed",
        "Fallback",
        "EventsAccepted",
        "EventsRejected",
        "EventsDelivered",
        "EventsFailed",
        "PutEventsCalls",
    ):
        assert custom in metrics, custom
    assert any(widget["type"] == "alarm" for widget in body["widgets"])
