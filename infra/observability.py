"""The CloudWatch dashboard and the alarms of docs/architecture.md §7, with optional email notification.

The custom metrics are those the functions emit with Powertools (namespace
`RetailPersonalization`, dimension `service` = function name). The dashboard finds them
with SEARCH expressions, so a new sink's metrics show up without changes here.

The Experiments section follows the experiments document deployed with the stack
(`-c experimentsFile`): per experiment, each variant's click-through and conversion rates from
the metrics with dimensions exactly {experiment, variant}; and one SEARCH graph of those counts
for every experiment, including one started later by editing the parameter.

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

from infra.analytics import Analytics
from infra.events import SinkResources
from infra.nag import acknowledge
from infra.naming import pascal_case
from infra.settings import DeploymentSettings
from personalization.contracts.experiments import Experiment, ExperimentsDocument
from personalization.contracts.metrics import MetricName
from personalization.contracts.topology import FunctionSpec
from personalization.settings import METRICS_NAMESPACE

SERVED = MetricName.RECOMMENDATIONS_SERVED
FALLBACK = MetricName.FALLBACK
UNCONFIGURED = "unconfigured"
"""Fallback reason while provisioning has not run: expected, so not part of the alarmed ratio."""
MAX_ALARM_METRICS = 10
"""CloudWatch: an alarm's metric math may use at most 10 metrics."""

PERIOD = Duration.minutes(1)
ALARM_PERIOD = Duration.minutes(5)
PERCENTILES = ("p50", "p90", "p99")

CUSTOM_METRIC_SEARCHES = {
    "Recommendations served by source": ("service,source", f'MetricName="{SERVED}"'),
    "Fallbacks by reason": ("reason,service", f'MetricName="{FALLBACK}"'),
    "Events accepted and rejected by type": (
        "eventType,service",
        f'MetricName=("{MetricName.EVENTS_ACCEPTED}" OR "{MetricName.EVENTS_REJECTED}")',
    ),
    "Events delivered and PutEvents calls per sink": (
        "service",
        f'MetricName=("{MetricName.EVENTS_DELIVERED}" OR "{MetricName.PUT_EVENTS_CALLS}")',
    ),
    "Events failed per sink by reason": ("reason,service", f'MetricName="{MetricName.EVENTS_FAILED}"'),
}
"""Dashboard graphs of the custom metrics: title -> (dimension set, SEARCH filter)."""

EXPERIMENT_COUNTS = (MetricName.EXPOSURES, MetricName.CLICKS, MetricName.ADDS, MetricName.ORDERS)
"""Counted per experiment and variant (dimensions exactly `experiment`, `variant`)."""
EXPERIMENT_RATES = (("CTR", MetricName.CLICKS), ("conversion", MetricName.ORDERS))
"""Each rate: percent of the variant's exposures that led to this count."""
EXPERIMENT_PERIOD = Duration.minutes(5)
EXPERIMENTS_SEARCH = (
    "experiment,variant",
    "MetricName=(" + " OR ".join(f'"{name}"' for name in EXPERIMENT_COUNTS) + ")",
)
MAX_GRAPH_METRICS = 500
"""CloudWatch: a dashboard widget shows at most 500 metrics and expressions."""


def custom_metric(name: str, dimensions: Mapping[str, str], period: Duration = ALARM_PERIOD) -> cw.Metric:
    return cw.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map=dict(dimensions),
        statistic="Sum",
        period=period,
    )


def fallback_ratio(read_functions: Sequence[FunctionSpec]) -> cw.MathExpression:
    """Percent of Personalize-backed answers that came from the fallback (not counting `unconfigured`).

    The metrics' `service` dimension is the spec's name (the Powertools service name)."""
    using: dict[str, cw.IMetric] = {}
    fallback_terms: list[str] = []
    personalize_terms: list[str] = []
    for index, spec in enumerate(read_functions):
        name = spec.name
        using[f"fallback{index}"] = custom_metric(SERVED, {"service": name, "source": "fallback"})
        using[f"personalize{index}"] = custom_metric(SERVED, {"service": name, "source": "personalize"})
        using[f"unconfigured{index}"] = custom_metric(FALLBACK, {"service": name, "reason": UNCONFIGURED})
        fallback_terms += [f"FILL(fallback{index}, 0)", f"-FILL(unconfigured{index}, 0)"]
        personalize_terms.append(f"FILL(personalize{index}, 0)")
    if len(using) > MAX_ALARM_METRICS:
        raise ValueError(
            f"the fallback ratio of {len(read_functions)} read functions needs {len(using)} metrics; "
            f"a CloudWatch alarm takes at most {MAX_ALARM_METRICS}"
        )
    failed = f"({' + '.join(fallback_terms)})"
    attempted = f"({' + '.join(personalize_terms)} + {failed})"
    return cw.MathExpression(
        expression=f"100 * {failed} / {attempted}",
        using_metrics=using,
        label="Fallback ratio (%)",
        period=ALARM_PERIOD,
    )


def experiment_dimensions(experiment: str, variant: str) -> dict[str, str]:
    return {"experiment": experiment, "variant": variant}


def experiment_rates(experiment: Experiment) -> dict[str, list[cw.MathExpression]]:
    """Per rate (CTR, conversion), one expression per variant: `100 * FILL(count, 0) / exposures`.

    No exposures in a period leaves no point (rather than a rate of 0)."""
    rates: dict[str, list[cw.MathExpression]] = {label: [] for label, _ in EXPERIMENT_RATES}
    for index, variant in enumerate(experiment.variants):
        dimensions = experiment_dimensions(experiment.name, variant.name)
        exposures = custom_metric(MetricName.EXPOSURES, dimensions, EXPERIMENT_PERIOD)
        for label, count in EXPERIMENT_RATES:
            count_id = f"{count.lower()}{index}"
            rates[label].append(
                cw.MathExpression(
                    expression=f"100 * FILL({count_id}, 0) / exposures{index}",
                    using_metrics={
                        f"exposures{index}": exposures,
                        count_id: custom_metric(count, dimensions, EXPERIMENT_PERIOD),
                    },
                    label=f"{variant.name} {label} (%)",
                    period=EXPERIMENT_PERIOD,
                )
            )
    return rates


def experiment_widgets(document: ExperimentsDocument) -> list[cw.IWidget]:
    """The Experiments section: a heading, each experiment's rates per variant (CTR on the left
    axis, conversion on the right), and the counts of every experiment through SEARCH."""
    widgets: list[cw.IWidget] = [
        cw.TextWidget(
            markdown=(
                "# Experiments\n"
                "Per-variant rates of the experiments deployed with the stack (`-c experimentsFile`); "
                "the last graph counts every experiment, also one started later by editing the parameter."
            ),
            width=24,
            height=2,
        )
    ]
    for experiment in document.experiments:
        rates = experiment_rates(experiment)
        widgets.append(
            cw.GraphWidget(
                title=f"Experiment {experiment.name} ({experiment.useCase}): CTR and conversion (%)",
                left=list(rates["CTR"]),
                right=list(rates["conversion"]),
                left_y_axis=cw.YAxisProps(label="CTR (%)", min=0, show_units=False),
                right_y_axis=cw.YAxisProps(label="conversion (%)", min=0, show_units=False),
                width=12,
            )
        )
    dimensions, query = EXPERIMENTS_SEARCH
    widgets.append(
        cw.GraphWidget(
            title="Experiments: exposures, clicks, adds, orders per variant",
            left=[_search(dimensions, query, "", period=EXPERIMENT_PERIOD)],
            width=12,
        )
    )
    for widget in widgets:
        shown = graph_metric_count(widget)
        if shown > MAX_GRAPH_METRICS:
            raise ValueError(
                f"a dashboard widget holds {shown} metrics and expressions; "
                f"CloudWatch takes at most {MAX_GRAPH_METRICS}"
            )
    return widgets


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
        self._settings = settings
        self.topic = self._notification_topic(settings.alarm_email)
        self.alarms: list[cw.Alarm] = []
        self._alarm_api(api)
        for spec in read_functions:
            self._alarm_read_latency(spec, functions[spec])
        for spec, function in functions.items():
            self._alarm_function_errors(spec, function)
        for sink in sinks.values():
            self._alarm_dead_letters(sink)
        for alarm in analytics.alarms if analytics is not None else ():
            self._alarm(
                alarm.construct_id,
                alarm.metric,
                alarm.description,
                threshold=alarm.threshold,
                evaluation_periods=alarm.evaluation_periods,
                comparison=alarm.comparison,
                datapoints_to_alarm=alarm.datapoints_to_alarm,
            )
        self._alarm(
            "FallbackRatio",
            fallback_ratio(read_functions),
            f"More than {settings.fallback_ratio_percent:g}% of Personalize-backed requests were answered "
            "from the fallback for 15 minutes",
            threshold=settings.fallback_ratio_percent,
            evaluation_periods=3,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )
        self.dashboard = cw.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{settings.stack_name}-operations",
            default_interval=Duration.hours(3),
        )
        self._add_widgets(api, functions, read_functions, sinks)
        if analytics is not None:
            self.dashboard.add_widgets(*analytics.widgets())
        self.dashboard.add_widgets(*experiment_widgets(settings.experiments))

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

    def _alarm(
        self,
        construct_id: str,
        metric: cw.IMetric,
        description: str,
        *,
        threshold: float,
        evaluation_periods: int,
        comparison: cw.ComparisonOperator = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        datapoints_to_alarm: int | None = None,
    ) -> cw.Alarm:
        alarm = cw.Alarm(
            self,
            construct_id,
            metric=metric,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            comparison_operator=comparison,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        if self.topic is not None:
            alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
            alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm

    def _alarm_api(self, api: apigw.RestApi) -> None:
        self._alarm(
            "Api5xxRate",
            cw.MathExpression(
                expression="100 * errors",
                using_metrics={"errors": api.metric_server_error(statistic="Average", period=PERIOD)},
                label="API 5xx rate (%)",
                period=PERIOD,
            ),
            "More than 1% of API requests answered 5xx in 3 of the last 5 minutes",
            threshold=1,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )

    def _alarm_read_latency(self, spec: FunctionSpec, function: lambda_.Function) -> None:
        name = spec.name
        limit = self._settings.read_latency_p99_ms
        self._alarm(
            f"{pascal_case(name)}LatencyP99",
            function.metric_duration(statistic="p99", period=ALARM_PERIOD),
            f"{name}: p99 duration above {limit} ms for 15 minutes",
            threshold=limit,
            evaluation_periods=3,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )

    def _alarm_function_errors(self, spec: FunctionSpec, function: lambda_.Function) -> None:
        name = spec.name
        self._alarm(
            f"{pascal_case(name)}Errors",
            function.metric_errors(statistic="Sum", period=ALARM_PERIOD),
            f"{name}: the function failed (unhandled error or timeout) in the last 5 minutes",
            threshold=1,
            evaluation_periods=1,
        )

    def _alarm_dead_letters(self, sink: SinkResources) -> None:
        name = sink.spec.function.name
        self._alarm(
            f"{pascal_case(name)}DeadLetters",
            sink.dead_letter_queue.metric_approximate_number_of_messages_visible(
                statistic="Maximum", period=PERIOD
            ),
            f"{name}: events are waiting in the dead-letter queue (not delivered after every retry)",
            threshold=1,
            evaluation_periods=1,
        )

    def _add_widgets(
        self,
        api: apigw.RestApi,
        functions: Mapping[FunctionSpec, lambda_.Function],
        read_functions: Sequence[FunctionSpec],
        sinks: Mapping[FunctionSpec, SinkResources],
    ) -> None:
        self.dashboard.add_widgets(
            cw.TextWidget(markdown=f"# {self._settings.stack_name}: API", width=24, height=1),
            cw.GraphWidget(
                title="API requests, 4xx, 5xx",
                left=[
                    api.metric_count(period=PERIOD),
                    api.metric_client_error(period=PERIOD),
                    api.metric_server_error(period=PERIOD),
                ],
                width=12,
            ),
            cw.GraphWidget(
                title="API latency (ms)",
                left=[
                    api.metric_latency(statistic=p, period=PERIOD, label=f"latency {p}") for p in PERCENTILES
                ],
                width=12,
            ),
            cw.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24),
        )
        for spec, function in functions.items():
            name = spec.name
            self.dashboard.add_widgets(
                cw.GraphWidget(
                    title=f"{name}: invocations, errors, throttles",
                    left=[
                        function.metric_invocations(period=PERIOD),
                        function.metric_errors(period=PERIOD),
                        function.metric_throttles(period=PERIOD),
                    ],
                    width=8,
                ),
                cw.GraphWidget(
                    title=f"{name}: duration (ms)",
                    left=[
                        function.metric_duration(statistic=p, period=PERIOD, label=f"duration {p}")
                        for p in PERCENTILES
                    ],
                    width=8,
                ),
                cw.GraphWidget(
                    title=f"{name}: concurrency",
                    left=[function.metric("ConcurrentExecutions", statistic="Maximum", period=PERIOD)],
                    width=8,
                ),
            )
        for sink in sinks.values():
            name = sink.spec.function.name
            self.dashboard.add_widgets(
                cw.GraphWidget(
                    title=f"{name}: age of oldest queued event (s)",
                    left=[
                        sink.queue.metric_approximate_age_of_oldest_message(
                            statistic="Maximum", period=PERIOD
                        )
                    ],
                    width=12,
                ),
                cw.GraphWidget(
                    title=f"{name}: dead-letter queue depth",
                    left=[
                        sink.dead_letter_queue.metric_approximate_number_of_messages_visible(
                            statistic="Maximum", period=PERIOD
                        )
                    ],
                    width=12,
                ),
            )
        self.dashboard.add_widgets(
            cw.GraphWidget(title="Fallback ratio (%)", left=[fallback_ratio(read_functions)], width=12),
            *(
                cw.GraphWidget(title=title, left=[_search(dimensions, query, title)], width=12)
                for title, (dimensions, query) in CUSTOM_METRIC_SEARCHES.items()
            ),
        )


def _search(dimensions: str, query: str, label: str, period: Duration = PERIOD) -> cw.MathExpression:
    return cw.MathExpression(
        expression=f"SEARCH('{{{METRICS_NAMESPACE},{dimensions}}} {query}', 'Sum', {period.to_seconds():g})",
        using_metrics={},
        label=label,
        period=period,
    )
