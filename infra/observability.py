"""The CloudWatch dashboard and the alarms of docs/architecture.md §7, with optional email notification.

What they show is `infra.dashboard`'s definition (plain data, also drawn by the twin's /ops page);
this module renders it as CDK constructs: each `Resource` of a metric becomes the token of the
stack's function, queue, API, stream, rule or bus, each metric a `cw.Metric`, each metric math
and SEARCH a `cw.MathExpression`, each row of widgets one `Dashboard.add_widgets` call.

Hand-written on purpose: cdk-monitoring-constructs (10.3.3) was tried for the per-function, API
and queue widgets and alarms and not adopted. It fits technically (it requires aws-cdk-lib
>=2.160.0,<3 and jsii >=1.142.0, met by our 2.275.0 and 1.142.0; the nag packs find nothing in
what it creates; synthesis takes as long, within noise), but its alarms are not the ones this
stack needs: each of ours would override its defaults (3 of 3 datapoints instead of the first
failure or dead letter, `> 0` thresholds, the 5xx rate as a 0-1 average rather than a percent,
generic descriptions, fixed alarm names), so no alarm code goes away. Its dashboard segments add
widgets for what this stack does not use (iterator age, provisioned-concurrency spillover,
message size, time to drain: 71 widgets for the API, functions and queues where ours has 25,
about 25 KB more template per stack),
while the custom-metric SEARCH graphs, the fallback-ratio alarm and the alarm status widget
would stay hand-written anyway. Saving some 60 lines of widget code does not pay for a second
jsii dependency whose whole API is marked experimental and whose version floors every CDK
upgrade must meet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra import dashboard as definition
from infra.analytics import Analytics
from infra.dashboard import (
    Alarm,
    AlarmStatus,
    DashboardSettings,
    Metric,
    Resource,
    ResourceKind,
    Search,
    Series,
    Text,
    Widget,
)
from infra.events import SinkResources
from infra.nag import acknowledge
from infra.settings import DeploymentSettings
from personalization.contracts.experiments import ExperimentsDocument
from personalization.contracts.topology import FunctionSpec

MISSING_DATA = {
    definition.MissingData.NOT_BREACHING: cw.TreatMissingData.NOT_BREACHING,
    definition.MissingData.BREACHING: cw.TreatMissingData.BREACHING,
    definition.MissingData.IGNORE: cw.TreatMissingData.IGNORE,
    definition.MissingData.MISSING: cw.TreatMissingData.MISSING,
}
COMPARISONS = {
    definition.Comparison.GREATER_THAN_OR_EQUAL: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    definition.Comparison.GREATER_THAN: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    definition.Comparison.LESS_THAN: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
    definition.Comparison.LESS_THAN_OR_EQUAL: cw.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
}


def dashboard_settings(settings: DeploymentSettings) -> DashboardSettings:
    return DashboardSettings(
        stack_name=settings.stack_name,
        read_latency_p99_ms=settings.read_latency_p99_ms,
        fallback_ratio_percent=settings.fallback_ratio_percent,
        experiments=settings.experiments,
    )


class Renderer:
    """The definition's series and widgets as CDK objects; `names`: each resource's name (a token)."""

    def __init__(self, names: Mapping[Resource, str] | None = None) -> None:
        self.names = dict(names or {})

    def name(self, resource: Resource) -> str:
        try:
            return self.names[resource]
        except KeyError:
            raise ValueError(f"the dashboard names {resource.key}, which the stack does not have") from None

    def metric(self, metric: Metric) -> cw.Metric:
        return cw.Metric(
            namespace=metric.namespace,
            metric_name=metric.name,
            dimensions_map={
                key: self.name(value) if isinstance(value, Resource) else value
                for key, value in metric.dimensions
            },
            statistic=metric.statistic,
            period=Duration.seconds(metric.period),
            label=metric.label,
        )

    def series(self, series: Series) -> cw.IMetric:
        if isinstance(series, Metric):
            return self.metric(series)
        if isinstance(series, Search):
            return cw.MathExpression(
                expression=series.expression,
                using_metrics={},
                label=series.label,
                period=Duration.seconds(series.period),
            )
        return cw.MathExpression(
            expression=series.expression,
            using_metrics={metric_id: self.metric(metric) for metric_id, metric in series.using},
            label=series.label,
            period=Duration.seconds(series.period),
        )

    def widget(self, widget: Widget, alarms: Sequence[cw.IAlarm] = ()) -> cw.IWidget:
        if isinstance(widget, Text):
            return cw.TextWidget(markdown=widget.markdown, width=widget.width, height=widget.height)
        if isinstance(widget, AlarmStatus):
            return cw.AlarmStatusWidget(
                title=widget.title, alarms=list(alarms), width=widget.width, height=widget.height
            )
        return cw.GraphWidget(
            title=widget.title,
            left=[self.series(series) for series in widget.left],
            right=[self.series(series) for series in widget.right] or None,
            left_y_axis=_axis(widget.left_axis),
            right_y_axis=_axis(widget.right_axis),
            width=widget.width,
            height=widget.height,
        )


def _axis(axis: definition.Axis | None) -> cw.YAxisProps | None:
    if axis is None:
        return None
    return cw.YAxisProps(label=axis.label, min=axis.min, show_units=axis.show_units)


def experiment_widgets(document: ExperimentsDocument) -> list[cw.IWidget]:
    """The Experiments section (`infra.dashboard.experiment_section`) as CDK widgets."""
    renderer = Renderer()
    return [renderer.widget(widget) for widget in definition.experiment_section(document)]


def graph_metric_count(widget: cw.IWidget) -> int:
    """Entries of the widget's `metrics` array as CloudWatch receives it (0 for a text widget)."""
    return sum(len(rendered.get("properties", {}).get("metrics", [])) for rendered in widget.to_json())


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        api: apigw.RestApi,
        functions: Mapping[FunctionSpec, lambda_.Function],
        read_functions: Sequence[FunctionSpec],
        sinks: Mapping[FunctionSpec, SinkResources],
        analytics: Analytics | None = None,
    ) -> None:
        """`functions`: every function by its spec; `read_functions`: those whose p99 latency and
        fallback ratio are alarmed; `sinks`: each sink's resources by the spec of its function;
        `analytics`: the analytics sink, whose alarms and widgets join the others."""
        super().__init__(scope, construct_id)
        self.definition = definition.operations_dashboard(
            dashboard_settings(settings),
            functions=list(functions),
            read_functions=read_functions,
            sinks=[sink.spec for sink in sinks.values()],
            analytics=analytics.spec if analytics is not None else None,
        )
        self.renderer = Renderer(resource_names(api, functions, sinks, analytics))
        self.topic = self._notification_topic(settings.alarm_email)
        self.alarms = [self._alarm(alarm) for alarm in self.definition.alarms]
        self.dashboard = cw.Dashboard(
            self,
            "Dashboard",
            dashboard_name=self.definition.name,
            default_interval=Duration.seconds(self.definition.default_interval),
        )
        for row in self.definition.rows:
            self.dashboard.add_widgets(*(self.renderer.widget(widget, self.alarms) for widget in row))

    def _notification_topic(self, email: str | None) -> sns.Topic | None:
        if email is None:
            return None
        key = kms.Key(self, "AlarmTopicKey", enable_key_rotation=True, description="Encrypts the alarm topic")
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        topic = sns.Topic(self, "AlarmTopic", master_key=key, enforce_ssl=True, display_name="Retail alarms")
        subscription = topic.add_subscription(subscriptions.EmailSubscription(email))
        acknowledge(
            subscription,
            "Serverless-SNSRedrivePolicy",
            "Email subscription for alarm notifications: SNS retries email delivery itself, and every "
            "alarm's state stays visible on the dashboard, so an undelivered email loses nothing.",
        )
        return topic

    def _alarm(self, alarm: Alarm) -> cw.Alarm:
        created = cw.Alarm(
            self,
            alarm.construct_id,
            metric=self.renderer.series(alarm.series),
            alarm_description=alarm.description,
            threshold=alarm.threshold,
            evaluation_periods=alarm.evaluation_periods,
            datapoints_to_alarm=alarm.datapoints_to_alarm,
            comparison_operator=COMPARISONS[alarm.comparison],
            treat_missing_data=MISSING_DATA[alarm.missing_data],
        )
        if self.topic is not None:
            created.add_alarm_action(cw_actions.SnsAction(self.topic))
            created.add_ok_action(cw_actions.SnsAction(self.topic))
        return created


def resource_names(
    api: apigw.RestApi,
    functions: Mapping[FunctionSpec, lambda_.Function],
    sinks: Mapping[FunctionSpec, SinkResources],
    analytics: Analytics | None,
) -> dict[Resource, str]:
    """Each resource the definition may name, as the stack's token."""
    names: dict[Resource, str] = {definition.API: api.rest_api_name}
    for spec, function in functions.items():
        names[definition.function(spec)] = function.function_name
    for sink in sinks.values():
        names[definition.queue(sink.spec)] = sink.queue.queue_name
        names[definition.dead_letter_queue(sink.spec)] = sink.dead_letter_queue.queue_name
    if analytics is not None:
        for kind, name in (
            (ResourceKind.DELIVERY_STREAM, analytics.stream_name),
            (ResourceKind.STREAM_RULE, analytics.rule.rule_name),
            (ResourceKind.STREAM_DEAD_LETTER_QUEUE, analytics.dead_letter_queue.queue_name),
        ):
            names[Resource(kind, analytics.spec)] = name
        names[definition.EVENT_BUS] = analytics.event_bus_name
    return names
