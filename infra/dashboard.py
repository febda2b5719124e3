"""The operations dashboard and its alarms as plain data: one definition, two renderers.

`operations_dashboard` describes every widget of the stack's CloudWatch dashboard, in order and
grouped in rows (one `Dashboard.add_widgets` call each: left to right, wrapping at 24 columns),
and every alarm, with their metrics, metric math and SEARCH expressions. It imports no CDK:

- `infra.observability` renders it as CDK constructs (the dashboard and alarms of the stack);
- `local.ops` renders it on the twin's `/ops` page from the local CloudWatch, and evaluates the
  alarms there, with periods scaled down for the demo.

A metric about a resource of the stack does not name it (the CDK has tokens, the twin its own
names): its dimension value is a `Resource` (the function of a `FunctionSpec`, the queue or the
dead-letter queue of a `SinkSpec`, the API, the analytics stream, its rule, the rule target's
dead-letter queue, the event bus), which each renderer resolves.

The custom metrics are those the functions emit with Powertools (namespace
`RetailPersonalization`, dimension `service` = function name). The dashboard finds them with
SEARCH expressions, so a new sink's metrics show up without changes here.

The Experiments section follows the experiments document deployed with the stack
(`-c experimentsFile`): per experiment, each variant's click-through and conversion rates from
the metrics with dimensions exactly {experiment, variant}; and one SEARCH graph of those counts
for every experiment, including one started later by editing the parameter.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from infra.naming import pascal_case
from personalization.contracts.experiments import Experiment, ExperimentsDocument
from personalization.contracts.metrics import MetricName
from personalization.contracts.topology import DeliveryStreamSpec, FunctionSpec, SinkSpec
from personalization.settings import METRICS_NAMESPACE

SERVED = MetricName.RECOMMENDATIONS_SERVED
FALLBACK = MetricName.FALLBACK
UNCONFIGURED = "unconfigured"
"""Fallback reason while provisioning has not run: expected, so not part of the alarmed ratio."""
MAX_ALARM_METRICS = 10
"""CloudWatch: an alarm's metric math may use at most 10 metrics."""
MAX_GRAPH_METRICS = 500
"""CloudWatch: a dashboard widget shows at most 500 metrics and expressions."""

PERIOD = 60
"""Seconds: the dashboard's graphs and the alarms on rates of single requests."""
ALARM_PERIOD = 300
DEFAULT_INTERVAL = 3 * 3600
"""The dashboard's default time range (seconds)."""
PERCENTILES = ("p50", "p90", "p99")

LAMBDA = "AWS/Lambda"
API_GATEWAY = "AWS/ApiGateway"
SQS = "AWS/SQS"
FIREHOSE = "AWS/Firehose"
EVENTS = "AWS/Events"

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
EXPERIMENT_PERIOD = 300
EXPERIMENTS_SEARCH = (
    "experiment,variant",
    "MetricName=(" + " OR ".join(f'"{name}"' for name in EXPERIMENT_COUNTS) + ")",
)


# Resources


class ResourceKind(enum.Enum):
    FUNCTION = "function"
    """`spec`: a FunctionSpec; CloudWatch's FunctionName."""
    API = "api"
    """The REST API; its ApiName."""
    QUEUE = "queue"
    """`spec`: a SinkSpec; its queue's QueueName."""
    DEAD_LETTER_QUEUE = "dead-letter-queue"
    """`spec`: a SinkSpec; its dead-letter queue's QueueName."""
    DELIVERY_STREAM = "delivery-stream"
    """`spec`: a DeliveryStreamSpec; the stream's DeliveryStreamName."""
    STREAM_RULE = "stream-rule"
    """`spec`: a DeliveryStreamSpec; the RuleName of the rule targeting the stream."""
    STREAM_DEAD_LETTER_QUEUE = "stream-dead-letter-queue"
    """`spec`: a DeliveryStreamSpec; the QueueName of its rule target's dead-letter queue."""
    EVENT_BUS = "event-bus"
    """The stack's event bus; its EventBusName."""


@dataclass(frozen=True, eq=False)
class Resource:
    """A resource of the stack, by what it is; each renderer knows its name. Equal by `key` (a
    SinkSpec holds its rule's pattern, a dict, so the specs themselves are not hashable)."""

    kind: ResourceKind
    spec: FunctionSpec | SinkSpec | DeliveryStreamSpec | None = None

    @property
    def key(self) -> str:
        """Stable text for the resource, e.g. `function:recommend`, `queue:personalize_sync`."""
        spec = self.spec
        if isinstance(spec, FunctionSpec | DeliveryStreamSpec):
            return f"{self.kind.value}:{spec.name}"
        if isinstance(spec, SinkSpec):
            return f"{self.kind.value}:{spec.function.name}"
        return self.kind.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Resource) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)


def function(spec: FunctionSpec) -> Resource:
    return Resource(ResourceKind.FUNCTION, spec)


API = Resource(ResourceKind.API)
EVENT_BUS = Resource(ResourceKind.EVENT_BUS)


def queue(sink: SinkSpec) -> Resource:
    return Resource(ResourceKind.QUEUE, sink)


def dead_letter_queue(sink: SinkSpec) -> Resource:
    return Resource(ResourceKind.DEAD_LETTER_QUEUE, sink)


# Metrics, metric math, SEARCH

DimensionValue = str | Resource


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, DimensionValue], ...]
    statistic: str
    period: int
    """Seconds."""
    label: str | None = None

    @property
    def resources(self) -> tuple[Resource, ...]:
        return tuple(value for _, value in self.dimensions if isinstance(value, Resource))


@dataclass(frozen=True)
class Expression:
    """Metric math over `using` (id -> metric)."""

    expression: str
    using: tuple[tuple[str, Metric], ...]
    label: str
    period: int


@dataclass(frozen=True)
class Search:
    """`SEARCH('{namespace,dimension names} query', statistic, period)`: an array of series."""

    namespace: str
    dimension_names: str
    """Comma-separated, as in the schema: `service,source`."""
    query: str
    statistic: str
    period: int
    label: str

    @property
    def expression(self) -> str:
        schema = f"{{{self.namespace},{self.dimension_names}}}"
        return f"SEARCH('{schema} {self.query}', '{self.statistic}', {self.period:g})"


Series = Metric | Expression | Search


# Widgets


@dataclass(frozen=True)
class Axis:
    label: str
    min: float | None = None
    show_units: bool = True


@dataclass(frozen=True)
class Graph:
    title: str
    left: tuple[Series, ...]
    width: int
    right: tuple[Series, ...] = ()
    left_axis: Axis | None = None
    right_axis: Axis | None = None
    height: int = 6
    kind: str = field(default="graph", init=False)

    @property
    def series(self) -> tuple[tuple[str, Series], ...]:
        """(axis, series) for both axes, left first."""
        return tuple(("left", s) for s in self.left) + tuple(("right", s) for s in self.right)

    def metric_count(self) -> int:
        """Entries of the widget's `metrics` array (each expression's metrics counted once per graph)."""
        ids: set[str] = set()
        count = 0
        for _, series in self.series:
            count += 1
            if isinstance(series, Expression):
                for metric_id, _metric in series.using:
                    if metric_id not in ids:
                        ids.add(metric_id)
                        count += 1
        return count


@dataclass(frozen=True)
class Text:
    markdown: str
    width: int
    height: int
    kind: str = field(default="text", init=False)


@dataclass(frozen=True)
class AlarmStatus:
    """The state of every alarm of the definition, in its order."""

    title: str
    width: int
    height: int = 3
    kind: str = field(default="alarm", init=False)


Widget = Graph | Text | AlarmStatus


# Alarms


class Comparison(enum.Enum):
    GREATER_THAN_OR_EQUAL = "GreaterThanOrEqualToThreshold"
    GREATER_THAN = "GreaterThanThreshold"
    LESS_THAN = "LessThanThreshold"
    LESS_THAN_OR_EQUAL = "LessThanOrEqualToThreshold"

    def breaches(self, value: float, threshold: float) -> bool:
        if self is Comparison.GREATER_THAN_OR_EQUAL:
            return value >= threshold
        if self is Comparison.GREATER_THAN:
            return value > threshold
        if self is Comparison.LESS_THAN:
            return value < threshold
        return value <= threshold


class MissingData(enum.Enum):
    NOT_BREACHING = "notBreaching"
    BREACHING = "breaching"
    IGNORE = "ignore"
    MISSING = "missing"


@dataclass(frozen=True)
class Alarm:
    construct_id: str
    """The alarm's construct id in the stack (`Observability/<id>`), also its name on /ops."""
    series: Metric | Expression
    description: str
    threshold: float
    evaluation_periods: int
    comparison: Comparison = Comparison.GREATER_THAN_OR_EQUAL
    datapoints_to_alarm: int | None = None
    """None: all of `evaluation_periods`."""
    missing_data: MissingData = MissingData.NOT_BREACHING

    @property
    def period(self) -> int:
        return self.series.period

    @property
    def datapoints(self) -> int:
        return self.datapoints_to_alarm or self.evaluation_periods


# The definition


@dataclass(frozen=True)
class DashboardSettings:
    """What the definition depends on besides the topology (infra.settings.DeploymentSettings' fields)."""

    stack_name: str
    read_latency_p99_ms: int
    fallback_ratio_percent: float
    experiments: ExperimentsDocument


@dataclass(frozen=True)
class Dashboard:
    name: str
    default_interval: int
    """Seconds."""
    rows: tuple[tuple[Widget, ...], ...]
    """Each row as one `add_widgets` call: left to right, wrapping at 24 columns."""
    alarms: tuple[Alarm, ...]

    @property
    def widgets(self) -> Iterator[Widget]:
        for row in self.rows:
            yield from row

    def graphs(self) -> Iterator[Graph]:
        for widget in self.widgets:
            if isinstance(widget, Graph):
                yield widget


def custom_metric(name: str, dimensions: dict[str, str], period: int = ALARM_PERIOD) -> Metric:
    return Metric(METRICS_NAMESPACE, name, tuple(dimensions.items()), "Sum", period)


def lambda_metric(spec: FunctionSpec, name: str, statistic: str, label: str | None = None) -> Metric:
    return Metric(LAMBDA, name, (("FunctionName", function(spec)),), statistic, PERIOD, label)


def api_metric(name: str, statistic: str, period: int = PERIOD, label: str | None = None) -> Metric:
    return Metric(API_GATEWAY, name, (("ApiName", API),), statistic, period, label)


def queue_metric(resource: Resource, name: str, statistic: str = "Maximum") -> Metric:
    return Metric(SQS, name, (("QueueName", resource),), statistic, PERIOD)


def fallback_ratio(read_functions: Sequence[FunctionSpec]) -> Expression:
    """Percent of Personalize-backed answers that came from the fallback (not counting `unconfigured`).

    The metrics' `service` dimension is the spec's name (the Powertools service name)."""
    using: list[tuple[str, Metric]] = []
    fallback_terms: list[str] = []
    personalize_terms: list[str] = []
    for index, spec in enumerate(read_functions):
        name = spec.name
        using += [
            (f"fallback{index}", custom_metric(SERVED, {"service": name, "source": "fallback"})),
            (f"personalize{index}", custom_metric(SERVED, {"service": name, "source": "personalize"})),
            (f"unconfigured{index}", custom_metric(FALLBACK, {"service": name, "reason": UNCONFIGURED})),
        ]
        fallback_terms += [f"FILL(fallback{index}, 0)", f"-FILL(unconfigured{index}, 0)"]
        personalize_terms.append(f"FILL(personalize{index}, 0)")
    if len(using) > MAX_ALARM_METRICS:
        raise ValueError(
            f"the fallback ratio of {len(read_functions)} read functions needs {len(using)} metrics; "
            f"a CloudWatch alarm takes at most {MAX_ALARM_METRICS}"
        )
    failed = f"({' + '.join(fallback_terms)})"
    attempted = f"({' + '.join(personalize_terms)} + {failed})"
    return Expression(f"100 * {failed} / {attempted}", tuple(using), "Fallback ratio (%)", ALARM_PERIOD)


def search(dimensions: str, query: str, label: str, period: int = PERIOD) -> Search:
    return Search(METRICS_NAMESPACE, dimensions, query, "Sum", period, label)


def experiment_rates(experiment: Experiment) -> dict[str, list[Expression]]:
    """Per rate (CTR, conversion), one expression per variant: `100 * FILL(count, 0) / exposures`.

    No exposures in a period leaves no point (rather than a rate of 0)."""
    rates: dict[str, list[Expression]] = {label: [] for label, _ in EXPERIMENT_RATES}
    for index, variant in enumerate(experiment.variants):
        dimensions = {"experiment": experiment.name, "variant": variant.name}
        exposures = custom_metric(MetricName.EXPOSURES, dimensions, EXPERIMENT_PERIOD)
        for label, count in EXPERIMENT_RATES:
            count_id = f"{count.lower()}{index}"
            rates[label].append(
                Expression(
                    f"100 * FILL({count_id}, 0) / exposures{index}",
                    (
                        (f"exposures{index}", exposures),
                        (count_id, custom_metric(count, dimensions, EXPERIMENT_PERIOD)),
                    ),
                    f"{variant.name} {label} (%)",
                    EXPERIMENT_PERIOD,
                )
            )
    return rates


def experiment_section(document: ExperimentsDocument) -> tuple[Widget, ...]:
    """The Experiments section: a heading, each experiment's rates per variant (CTR on the left
    axis, conversion on the right), and the counts of every experiment through SEARCH."""
    widgets: list[Widget] = [
        Text(
            "# Experiments\n"
            "Per-variant rates of the experiments deployed with the stack (`-c experimentsFile`); "
            "the last graph counts every experiment, also one started later by editing the parameter.",
            width=24,
            height=2,
        )
    ]
    for experiment in document.experiments:
        rates = experiment_rates(experiment)
        widgets.append(
            Graph(
                title=f"Experiment {experiment.name} ({experiment.useCase}): CTR and conversion (%)",
                left=tuple(rates["CTR"]),
                right=tuple(rates["conversion"]),
                left_axis=Axis("CTR (%)", min=0, show_units=False),
                right_axis=Axis("conversion (%)", min=0, show_units=False),
                width=12,
            )
        )
    dimensions, query = EXPERIMENTS_SEARCH
    widgets.append(
        Graph(
            title="Experiments: exposures, clicks, adds, orders per variant",
            left=(search(dimensions, query, "", period=EXPERIMENT_PERIOD),),
            width=12,
        )
    )
    for widget in widgets:
        if isinstance(widget, Graph) and (shown := widget.metric_count()) > MAX_GRAPH_METRICS:
            raise ValueError(
                f"a dashboard widget holds {shown} metrics and expressions; "
                f"CloudWatch takes at most {MAX_GRAPH_METRICS}"
            )
    return tuple(widgets)


def analytics_alarms(stream: DeliveryStreamSpec) -> tuple[Alarm, ...]:
    """Delivery freshness, failed deliveries to S3, messages in the rule target's DLQ, and
    EventBridge's failed invocations of the rule (docs/analytics.md)."""
    freshness_threshold = 3 * stream.buffer_seconds  # three buffer intervals: late, not just buffered
    return (
        Alarm(
            "AnalyticsDeliveryFreshness",
            stream_metric(stream, "DeliveryToS3.DataFreshness", "Maximum", ALARM_PERIOD),
            f"analytics: the oldest record in the stream is older than {freshness_threshold} s "
            "(three buffer intervals) for 15 minutes: deliveries to S3 are late",
            threshold=freshness_threshold,
            evaluation_periods=3,
            comparison=Comparison.GREATER_THAN,
        ),
        Alarm(
            "AnalyticsDeliveryFailures",
            stream_metric(stream, "DeliveryToS3.Success", "Minimum", ALARM_PERIOD),
            "analytics: deliveries to S3 failed for 15 minutes (DeliveryToS3.Success below 1); Firehose "
            "retries while it keeps the records (24 hours for Direct PUT), then they are lost",
            threshold=1,
            evaluation_periods=3,
            comparison=Comparison.LESS_THAN,
        ),
        Alarm(
            "AnalyticsDeadLetters",
            stream_dead_letters(stream),
            "analytics: events are in the rule target's dead-letter queue (EventBridge could not put "
            "them into the delivery stream after its retries)",
            threshold=1,
            evaluation_periods=1,
        ),
        Alarm(
            "AnalyticsFailedInvocations",
            rule_failed_invocations(stream),
            "analytics: EventBridge failed for good to put events of the analytics rule into the stream",
            threshold=1,
            evaluation_periods=1,
        ),
    )


def stream_metric(stream: DeliveryStreamSpec, name: str, statistic: str, period: int) -> Metric:
    resource = Resource(ResourceKind.DELIVERY_STREAM, stream)
    return Metric(FIREHOSE, name, (("DeliveryStreamName", resource),), statistic, period)


def stream_dead_letters(stream: DeliveryStreamSpec) -> Metric:
    return queue_metric(
        Resource(ResourceKind.STREAM_DEAD_LETTER_QUEUE, stream), "ApproximateNumberOfMessagesVisible"
    )


def rule_failed_invocations(stream: DeliveryStreamSpec) -> Metric:
    """EventBridge's metrics of a rule on a custom bus carry the bus and the rule name."""
    rule = Resource(ResourceKind.STREAM_RULE, stream)
    return Metric(
        EVENTS, "FailedInvocations", (("EventBusName", EVENT_BUS), ("RuleName", rule)), "Sum", ALARM_PERIOD
    )


def analytics_widgets(stream: DeliveryStreamSpec) -> tuple[Widget, ...]:
    return (
        Graph(
            title="analytics: records in, delivered to S3",
            left=(
                stream_metric(stream, "IncomingRecords", "Sum", PERIOD),
                stream_metric(stream, "DeliveryToS3.Records", "Sum", PERIOD),
            ),
            width=8,
        ),
        Graph(
            title="analytics: delivery freshness (s), success",
            left=(stream_metric(stream, "DeliveryToS3.DataFreshness", "Maximum", PERIOD),),
            right=(stream_metric(stream, "DeliveryToS3.Success", "Minimum", PERIOD),),
            width=8,
        ),
        Graph(
            title="analytics: rule failed invocations, target DLQ depth",
            left=(rule_failed_invocations(stream),),
            right=(stream_dead_letters(stream),),
            width=8,
        ),
    )


def alarms(
    settings: DashboardSettings,
    functions: Sequence[FunctionSpec],
    read_functions: Sequence[FunctionSpec],
    sinks: Sequence[SinkSpec],
    analytics: DeliveryStreamSpec | None,
) -> tuple[Alarm, ...]:
    """Every alarm, in the order of the alarm status widget."""
    found = [
        Alarm(
            "Api5xxRate",
            Expression(
                "100 * errors", (("errors", api_metric("5XXError", "Average")),), "API 5xx rate (%)", PERIOD
            ),
            "More than 1% of API requests answered 5xx in 3 of the last 5 minutes",
            threshold=1,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            comparison=Comparison.GREATER_THAN,
        )
    ]
    limit = settings.read_latency_p99_ms
    for spec in read_functions:
        found.append(
            Alarm(
                f"{pascal_case(spec.name)}LatencyP99",
                Metric(LAMBDA, "Duration", (("FunctionName", function(spec)),), "p99", ALARM_PERIOD),
                f"{spec.name}: p99 duration above {limit} ms for 15 minutes",
                threshold=limit,
                evaluation_periods=3,
                comparison=Comparison.GREATER_THAN,
            )
        )
    for spec in functions:
        found.append(
            Alarm(
                f"{pascal_case(spec.name)}Errors",
                Metric(LAMBDA, "Errors", (("FunctionName", function(spec)),), "Sum", ALARM_PERIOD),
                f"{spec.name}: the function failed (unhandled error or timeout) in the last 5 minutes",
                threshold=1,
                evaluation_periods=1,
            )
        )
    for sink in sinks:
        name = sink.function.name
        found.append(
            Alarm(
                f"{pascal_case(name)}DeadLetters",
                queue_metric(dead_letter_queue(sink), "ApproximateNumberOfMessagesVisible"),
                f"{name}: events are waiting in the dead-letter queue (not delivered after every retry)",
                threshold=1,
                evaluation_periods=1,
            )
        )
    if analytics is not None:
        found += analytics_alarms(analytics)
    found.append(
        Alarm(
            "FallbackRatio",
            fallback_ratio(read_functions),
            f"More than {settings.fallback_ratio_percent:g}% of Personalize-backed requests were answered "
            "from the fallback for 15 minutes",
            threshold=settings.fallback_ratio_percent,
            evaluation_periods=3,
            comparison=Comparison.GREATER_THAN,
        )
    )
    return tuple(found)


def operations_dashboard(
    settings: DashboardSettings,
    *,
    functions: Sequence[FunctionSpec],
    read_functions: Sequence[FunctionSpec],
    sinks: Sequence[SinkSpec],
    analytics: DeliveryStreamSpec | None,
) -> Dashboard:
    """`functions`: every function; `read_functions`: those whose p99 latency and fallback ratio are
    alarmed; `sinks`: the sinks whose queues are graphed and DLQs alarmed; `analytics`: the analytics
    stream, whose alarms and widgets join the others (None: a stack without it)."""
    rows: list[tuple[Widget, ...]] = [
        (
            Text(f"# {settings.stack_name}: API", width=24, height=1),
            Graph(
                title="API requests, 4xx, 5xx",
                left=(
                    api_metric("Count", "SampleCount"),
                    api_metric("4XXError", "Sum"),
                    api_metric("5XXError", "Sum"),
                ),
                width=12,
            ),
            Graph(
                title="API latency (ms)",
                left=tuple(api_metric("Latency", p, label=f"latency {p}") for p in PERCENTILES),
                width=12,
            ),
            AlarmStatus(title="Alarms", width=24),
        )
    ]
    for spec in functions:
        name = spec.name
        rows.append(
            (
                Graph(
                    title=f"{name}: invocations, errors, throttles",
                    left=tuple(lambda_metric(spec, m, "Sum") for m in ("Invocations", "Errors", "Throttles")),
                    width=8,
                ),
                Graph(
                    title=f"{name}: duration (ms)",
                    left=tuple(lambda_metric(spec, "Duration", p, f"duration {p}") for p in PERCENTILES),
                    width=8,
                ),
                Graph(
                    title=f"{name}: concurrency",
                    left=(lambda_metric(spec, "ConcurrentExecutions", "Maximum"),),
                    width=8,
                ),
            )
        )
    for sink in sinks:
        name = sink.function.name
        rows.append(
            (
                Graph(
                    title=f"{name}: age of oldest queued event (s)",
                    left=(queue_metric(queue(sink), "ApproximateAgeOfOldestMessage"),),
                    width=12,
                ),
                Graph(
                    title=f"{name}: dead-letter queue depth",
                    left=(queue_metric(dead_letter_queue(sink), "ApproximateNumberOfMessagesVisible"),),
                    width=12,
                ),
            )
        )
    rows.append(
        (
            Graph(title="Fallback ratio (%)", left=(fallback_ratio(read_functions),), width=12),
            *(
                Graph(title=title, left=(search(dimensions, query, title),), width=12)
                for title, (dimensions, query) in CUSTOM_METRIC_SEARCHES.items()
            ),
        )
    )
    if analytics is not None:
        rows.append(analytics_widgets(analytics))
    rows.append(experiment_section(settings.experiments))
    return Dashboard(
        name=f"{settings.stack_name}-operations",
        default_interval=DEFAULT_INTERVAL,
        rows=tuple(rows),
        alarms=alarms(settings, functions, read_functions, sinks, analytics),
    )
