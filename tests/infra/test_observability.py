"""Dashboard and alarms: the metrics of docs/architecture.md §7, and notification when asked for;
the dashboard's Experiments section from the deployed experiments document; every widget and alarm
rendered from the one definition (`infra.dashboard`) that the twin's /ops page draws too."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from aws_cdk.assertions import Capture, Match, Template

from experiments.documents import demo_document
from infra import dashboard
from infra.dashboard import MAX_GRAPH_METRICS, AlarmStatus, Expression, Graph, Metric, Search, Text
from infra.observability import experiment_widgets, graph_metric_count
from infra.settings import DeploymentSettings
from infra.stack import RetailPersonalizationStack
from personalization.contracts.experiments import HOLDOUT_SOURCES, MAX_VARIANTS, ExperimentsDocument
from personalization.contracts.metrics import MetricName
from personalization.contracts.topology import FUNCTIONS, SINKS, FunctionSpec
from personalization.settings import METRICS_NAMESPACE, ReadSettings
from tests.infra.cfn import function_id, get_att, joined_text, ref
from tests.infra.conftest import DEFAULT_STACK, HOSTED_STACK, Synthesis

pytestmark = pytest.mark.infra

READ_FUNCTIONS = [spec for spec in FUNCTIONS if issubclass(spec.settings_model, ReadSettings)]


def function_dimension(template: Template, spec: FunctionSpec) -> list[dict[str, object]]:
    return [{"Name": "FunctionName", "Value": ref(function_id(template, spec))}]


def test_alarm_count(template: Template) -> None:
    analytics = 4  # freshness, failed deliveries, the rule target's DLQ, the rule's failed invocations
    expected = 1 + len(READ_FUNCTIONS) + len(FUNCTIONS) + len(SINKS) + 1 + analytics
    template.resource_count_is("AWS::CloudWatch::Alarm", expected)


def test_api_5xx_rate_alarm(template: Template) -> None:
    template.resource_properties_count_is(
        "AWS::CloudWatch::Alarm",
        {
            "Metrics": Match.array_with(
                [Match.object_like({"MetricStat": {"Metric": {"MetricName": "5XXError"}}})]
            )
        },
        1,
    )
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Metrics": [
                {"Expression": Match.any_value(), "ReturnData": True},
                {
                    "MetricStat": {
                        "Metric": {"MetricName": "5XXError", "Namespace": "AWS/ApiGateway"},
                        "Stat": "Average",
                    }
                },
            ],
            "Threshold": 1,
            "EvaluationPeriods": 5,
            "DatapointsToAlarm": 3,
        },
    )


@pytest.mark.parametrize("spec", READ_FUNCTIONS, ids=lambda spec: spec.name)
def test_read_latency_alarm(template: Template, spec: FunctionSpec) -> None:
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "Duration",
            "ExtendedStatistic": "p99",
            "Dimensions": function_dimension(template, spec),
            "Threshold": 1500,
        },
    )


def test_every_function_has_an_errors_alarm(template: Template) -> None:
    template.resource_properties_count_is("AWS::CloudWatch::Alarm", {"MetricName": "Errors"}, len(FUNCTIONS))
    for spec in FUNCTIONS:
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": "Errors",
                "Namespace": "AWS/Lambda",
                "Dimensions": function_dimension(template, spec),
            },
        )


def test_every_dead_letter_queue_has_an_alarm_on_any_message(template: Template) -> None:
    template.resource_properties_count_is(
        "AWS::CloudWatch::Alarm", {"MetricName": "ApproximateNumberOfMessagesVisible"}, len(SINKS) + 1
    )  # each sink's DLQ, and the analytics rule target's DLQ (tests/infra/test_analytics.py)
    redriving = template.find_resources(
        "AWS::SQS::Queue", {"Properties": {"RedrivePolicy": Match.any_value()}}
    )
    dead_letter_queues = {
        queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for queue in redriving.values()
    }
    assert len(dead_letter_queues) == len(SINKS)
    for queue_id in dead_letter_queues:
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": get_att(queue_id, "QueueName")}],
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            },
        )


def test_fallback_ratio_alarm_uses_served_and_fallback_metrics_of_each_read_function(
    template: Template,
) -> None:
    metrics = Capture()
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Metrics": metrics,
            "AlarmDescription": Match.string_like_regexp("answered from the fallback"),
            "Threshold": 20,
            "EvaluationPeriods": 3,
        },
    )
    queries = metrics.as_array()
    stats = [query["MetricStat"]["Metric"] for query in queries if "MetricStat" in query]
    assert {metric["MetricName"] for metric in stats} == {"RecommendationsServed", "Fallback"}
    services = {
        dimension["Value"]
        for metric in stats
        for dimension in metric["Dimensions"]
        if dimension["Name"] == "service"
    }
    assert services == {spec.name for spec in READ_FUNCTIONS}
    assert all(metric["Namespace"] == METRICS_NAMESPACE for metric in stats)
    (expression,) = [query for query in queries if "Expression" in query]
    assert expression["ReturnData"] is True


def test_alarms_treat_missing_data_as_fine_and_notify_nobody_by_default(template: Template) -> None:
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    template.resource_properties_count_is(
        "AWS::CloudWatch::Alarm",
        {"TreatMissingData": "notBreaching", "AlarmActions": Match.absent()},
        len(alarms),
    )
    template.resource_count_is("AWS::SNS::Topic", 0)


def test_alarm_email_gets_every_alarm_through_an_encrypted_topic(hosted_template: Template) -> None:
    template = hosted_template
    template.resource_count_is("AWS::SNS::Topic", 1)
    topic_id = template.get_resource_id(
        "AWS::SNS::Topic", {"Properties": {"KmsMasterKeyId": Match.any_value()}}
    )
    template.resource_count_is("AWS::SNS::Subscription", 1)
    template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": ref(topic_id)},
    )
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    template.resource_properties_count_is(
        "AWS::CloudWatch::Alarm", {"AlarmActions": [ref(topic_id)]}, len(alarms)
    )


def test_dashboard_shows_api_function_queue_and_custom_metrics(template: Template) -> None:
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    body = Capture()
    template.has_resource_properties("AWS::CloudWatch::Dashboard", {"DashboardBody": body})
    document = json.loads(joined_text(body.as_object()).replace("${AWS::Region}", "us-east-1"))
    metrics = json.dumps([widget["properties"] for widget in document["widgets"]])
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
    assert any(widget["type"] == "alarm" for widget in document["widgets"])


def dashboard_widgets(template: Template) -> list[dict[str, Any]]:
    body = Capture()
    template.has_resource_properties("AWS::CloudWatch::Dashboard", {"DashboardBody": body})
    document = json.loads(joined_text(body.as_object()).replace("${AWS::Region}", "us-east-1"))
    widgets: list[dict[str, Any]] = document["widgets"]
    return widgets


def metric_entries(
    widget: dict[str, Any],
) -> tuple[dict[str, tuple[str, dict[str, str]]], list[dict[str, Any]]]:
    """A graph's metrics by id as (metric name, dimensions), and its expressions, from the
    dashboard's array form: [namespace, name, dim, value, ..., {options}] or [{expression ...}]."""
    metrics: dict[str, tuple[str, dict[str, str]]] = {}
    expressions: list[dict[str, Any]] = []
    for entry in widget["properties"]["metrics"]:
        *fields, options = entry
        if "expression" in options:
            expressions.append(options)
            continue
        namespace, name, *pairs = fields
        assert namespace == METRICS_NAMESPACE
        metrics[options["id"]] = (name, dict(zip(pairs[::2], pairs[1::2], strict=True)))
    return metrics, expressions


RATE = re.compile(r"^100 \* FILL\((\w+), 0\) / (\w+)$")


def test_dashboard_graphs_each_variants_ctr_and_conversion_of_the_deployed_experiments(
    hosted_template: Template,
) -> None:
    widgets = dashboard_widgets(hosted_template)
    for experiment in demo_document().experiments:
        (graph,) = [
            w
            for w in widgets
            if w["properties"].get("title", "").startswith(f"Experiment {experiment.name} ")
        ]
        metrics, expressions = metric_entries(graph)
        rates = set()
        for expression in expressions:
            match = RATE.match(expression["expression"])
            assert match, expression
            (count, dimensions), (exposures, exposure_dimensions) = metrics[match[1]], metrics[match[2]]
            assert exposures == MetricName.EXPOSURES
            assert dimensions == exposure_dimensions
            axis = expression.get("yAxis", "left")
            rates.add((count, axis, tuple(sorted(dimensions.items()))))
        assert rates == {
            (count, axis, (("experiment", experiment.name), ("variant", variant.name)))
            for variant in experiment.variants
            for count, axis in ((MetricName.CLICKS, "left"), (MetricName.ORDERS, "right"))
        }
        assert all(
            options.get("visible") is False
            for options in (e[-1] for e in graph["properties"]["metrics"])
            if "id" in options and "expression" not in options
        )


def test_dashboard_searches_the_counts_of_every_experiment(
    template: Template, hosted_template: Template
) -> None:
    search = (
        f"SEARCH('{{{METRICS_NAMESPACE},experiment,variant}} "
        'MetricName=("Exposures" OR "Clicks" OR "Adds" OR "Orders")\', \'Sum\', 300)'
    )
    for stack in (template, hosted_template):
        widgets = dashboard_widgets(stack)
        expressions = [
            entry[-1]["expression"]
            for widget in widgets
            for entry in widget.get("properties", {}).get("metrics", [])
            if "expression" in entry[-1]
        ]
        assert search in expressions
    # Without an experiments document there is no per-variant graph, the section is there.
    titles = [w["properties"].get("title", "") for w in dashboard_widgets(template)]
    assert not [title for title in titles if title.startswith("Experiment ")]
    assert any("# Experiments" in w["properties"].get("markdown", "") for w in dashboard_widgets(template))


def test_the_experiments_section_follows_every_other_widget(hosted_template: Template) -> None:
    widgets = dashboard_widgets(hosted_template)
    (heading,) = [i for i, w in enumerate(widgets) if "# Experiments" in w["properties"].get("markdown", "")]
    before, section = widgets[:heading], widgets[heading:]
    assert max(w["y"] + w["height"] for w in before) <= min(w["y"] for w in section)
    assert len(section) == 1 + len(demo_document().experiments) + 1


def largest_document() -> ExperimentsDocument:
    """One experiment per use case (the most a document holds), each with the most variants."""
    return ExperimentsDocument.model_validate(
        {
            "experiments": [
                {
                    "name": f"{use_case}-test",
                    "useCase": use_case,
                    "variants": [
                        {"name": f"v{n}", "weight": 1, "source": "personalize" if n else holdout}
                        for n in range(MAX_VARIANTS)
                    ],
                }
                for use_case, holdout in HOLDOUT_SOURCES.items()
            ]
        }
    )


def test_experiment_graphs_stay_within_cloudwatch_limits() -> None:
    widgets = experiment_widgets(largest_document())
    counts = [graph_metric_count(widget) for widget in widgets]
    # Each variant: exposures, clicks, orders and the two rates.
    assert counts[1:-1] == [5 * MAX_VARIANTS] * len(HOLDOUT_SOURCES)
    assert max(counts) <= MAX_GRAPH_METRICS
    assert sum(counts) <= 2500  # CloudWatch: metrics per dashboard


def test_a_graph_over_the_limit_fails_the_synth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard, "MAX_GRAPH_METRICS", 5 * MAX_VARIANTS - 1)
    with pytest.raises(ValueError, match="CloudWatch takes at most 49"):
        experiment_widgets(largest_document())


# One definition, two renderers: the template's dashboard and alarms are the definition's.


def test_the_definition_imports_no_cdk() -> None:
    """The twin's /ops page reads it without starting the CDK's JavaScript runtime."""
    code = (
        "import sys, infra.dashboard, local.ops.service\n"
        "assert not [m for m in sys.modules if m.startswith(('aws_cdk', 'jsii'))]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def rendered_entries(series: dashboard.Series, axis: str) -> list[tuple[str, ...]]:
    """What a definition series becomes in the dashboard's `metrics` array, as comparable tuples:
    ("metric", namespace, name, stat, period, label, axis), ("expression", text, label, axis), and
    ("using", namespace, name, stat) for the hidden metrics of an expression."""
    if isinstance(series, Metric):
        return [
            (
                "metric",
                series.namespace,
                series.name,
                series.statistic,
                str(series.period),
                series.label or "",
                axis,
            )
        ]
    if isinstance(series, Search):
        return [("expression", series.expression, series.label, axis)]
    assert isinstance(series, Expression)
    expression: list[tuple[str, ...]] = [("expression", series.expression, series.label, axis)]
    return expression + [
        ("using", metric.namespace, metric.name, metric.statistic) for _, metric in series.using
    ]


def template_entries(widget: dict[str, Any]) -> list[tuple[str, ...]]:
    entries: list[tuple[str, ...]] = []
    for entry in widget["properties"].get("metrics", []):
        *fields, options = entry
        axis = options.get("yAxis", "left")
        if "expression" in options:
            entries.append(("expression", options["expression"], options.get("label", ""), axis))
            continue
        namespace, name = fields[:2]
        if options.get("visible") is False:
            entries.append(("using", namespace, name, options["stat"]))
            continue
        period = str(options.get("period", 300))  # CloudWatch's default period, left out by the CDK
        entries.append(("metric", namespace, name, options["stat"], period, options.get("label", ""), axis))
    return entries


def stack_definition(synthesis: Synthesis, stack_name: str) -> dashboard.Dashboard:
    stack = synthesis.stacks[stack_name]
    assert isinstance(stack, RetailPersonalizationStack)
    return stack.observability.definition


@pytest.mark.parametrize("stack_name", [DEFAULT_STACK, HOSTED_STACK])
def test_every_dashboard_widget_comes_from_the_definition(synthesis: Synthesis, stack_name: str) -> None:
    definition = stack_definition(synthesis, stack_name)
    widgets = dashboard_widgets(Template.from_json(synthesis.template(stack_name)))
    expected = list(definition.widgets)
    assert len(widgets) == len(expected)
    for rendered, widget in zip(widgets, expected, strict=True):
        assert (rendered["width"], rendered["height"]) == (widget.width, widget.height)
        properties = rendered["properties"]
        if isinstance(widget, Text):
            assert rendered["type"] == "text"
            assert properties["markdown"] == widget.markdown
        elif isinstance(widget, AlarmStatus):
            assert rendered["type"] == "alarm"
            assert properties["title"] == widget.title
            assert len(properties["alarms"]) == len(definition.alarms)
        else:
            assert isinstance(widget, Graph)
            assert rendered["type"] == "metric"
            assert properties["title"] == widget.title
            wanted = [entry for axis, series in widget.series for entry in rendered_entries(series, axis)]
            # CloudWatch's array holds each metric of an expression once, and after the expressions.
            assert sorted(set(template_entries(rendered))) == sorted(set(wanted))


@pytest.mark.parametrize("stack_name", [DEFAULT_STACK, HOSTED_STACK])
def test_every_alarm_comes_from_the_definition(synthesis: Synthesis, stack_name: str) -> None:
    definition = stack_definition(synthesis, stack_name)
    template = Template.from_json(synthesis.template(stack_name))
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    assert len(alarms) == len(definition.alarms)
    for alarm in definition.alarms:
        (found,) = [
            resource["Properties"]
            for logical_id, resource in alarms.items()
            if logical_id.startswith(f"Observability{alarm.construct_id}")
            and len(logical_id) == len(f"Observability{alarm.construct_id}") + 8
        ]
        assert found["AlarmDescription"] == alarm.description
        assert found["Threshold"] == alarm.threshold
        assert found["ComparisonOperator"] == alarm.comparison.value
        assert found["EvaluationPeriods"] == alarm.evaluation_periods
        assert found.get("DatapointsToAlarm") == alarm.datapoints_to_alarm
        assert found["TreatMissingData"] == alarm.missing_data.value
        if isinstance(alarm.series, Metric):
            assert found["MetricName"] == alarm.series.name
            assert found["Namespace"] == alarm.series.namespace
            assert found["Period"] == alarm.series.period
            assert alarm.series.statistic in (found.get("Statistic"), found.get("ExtendedStatistic"))
        else:
            (expression,) = [query for query in found["Metrics"] if "Expression" in query]
            assert expression["Expression"] == alarm.series.expression
            stats = {query["Id"]: query["MetricStat"] for query in found["Metrics"] if "MetricStat" in query}
            assert set(stats) == {metric_id for metric_id, _ in alarm.series.using}
            for metric_id, metric in alarm.series.using:
                assert stats[metric_id]["Metric"]["MetricName"] == metric.name
                assert (stats[metric_id]["Stat"], stats[metric_id]["Period"]) == (
                    metric.statistic,
                    metric.period,
                )


def test_the_twins_dashboard_settings_are_the_stacks_defaults() -> None:
    """The /ops page builds the definition without the CDK: with the deployment's defaults."""
    from local.ops.definition import local_dashboard_settings

    deployed = DeploymentSettings.from_mapping({})
    local = local_dashboard_settings()
    assert local.stack_name == deployed.stack_name
    assert local.read_latency_p99_ms == deployed.read_latency_p99_ms
    assert local.fallback_ratio_percent == deployed.fallback_ratio_percent
