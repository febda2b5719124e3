"""The dashboard definition as the demo runs it, and the twin's names of the resources it names.

The demo deploys nothing: its definition is the one of a stack with the deployment's defaults
(`infra.settings.DeploymentSettings`, checked equal by tests/infra/test_observability.py), the
demo's experiments document (the one the emulator seeds) and the analytics stream.

Names, as the twin publishes its figures (`local.metrics.figures`): a function is its spec's name
(`recommend`), the API `RetailPersonalization-api`, a queue the local queue's name (from its URL,
as `local.resources` created it), the analytics stream, rule and bus as `local.stack` names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from experiments.documents import demo_document
from infra import dashboard
from infra.dashboard import Dashboard, DashboardSettings, Resource, ResourceKind
from local.metrics.figures import API_NAME
from personalization.contracts.topology import ANALYTICS_STREAM, FUNCTIONS, READ_FUNCTIONS, SINKS
from personalization.settings import DEFAULT_EVENT_BUS_NAME, METRICS_NAMESPACE

STACK_NAME = "RetailPersonalization"
READ_LATENCY_P99_MS = 1500
FALLBACK_RATIO_PERCENT = 20.0
ANALYTICS_STREAM_NAME = f"retail-personalization-{ANALYTICS_STREAM.name}"
"""The local delivery stream's name (`local.stack._start_analytics_stream`)."""

PUBLISHED_NAMESPACES = frozenset(
    {
        METRICS_NAMESPACE,
        dashboard.LAMBDA,
        dashboard.API_GATEWAY,
        dashboard.SQS,
        dashboard.FIREHOSE,
        dashboard.EVENTS,
    }
)
"""What the twin publishes (`local.metrics`): the functions' EMF metrics and the Lambda, API Gateway,
SQS, Firehose (the local delivery stream) and EventBridge (the local bus's rules) figures. A widget
of a namespace not in here says so on the page."""


def local_dashboard_settings() -> DashboardSettings:
    return DashboardSettings(
        stack_name=STACK_NAME,
        read_latency_p99_ms=READ_LATENCY_P99_MS,
        fallback_ratio_percent=FALLBACK_RATIO_PERCENT,
        experiments=demo_document(),
    )


def local_definition() -> Dashboard:
    return dashboard.operations_dashboard(
        local_dashboard_settings(),
        functions=FUNCTIONS,
        read_functions=READ_FUNCTIONS,
        sinks=SINKS,
        analytics=ANALYTICS_STREAM,
    )


@dataclass(frozen=True)
class QueueUrls:
    """A queue and its dead-letter queue, by URL (`SinkQueues`, `StreamBridge`)."""

    queue_url: str
    dlq_url: str


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def local_names(sinks: Mapping[str, QueueUrls], analytics: QueueUrls | None = None) -> dict[Resource, str]:
    """Each resource of the definition by its local name; `sinks`: the sinks' queues by function name."""
    names: dict[Resource, str] = {dashboard.API: API_NAME, dashboard.EVENT_BUS: DEFAULT_EVENT_BUS_NAME}
    for spec in FUNCTIONS:
        names[dashboard.function(spec)] = spec.name
    for sink in SINKS:
        queues = sinks.get(sink.function.name)
        if queues is not None:
            names[dashboard.queue(sink)] = queue_name(queues.queue_url)
            names[dashboard.dead_letter_queue(sink)] = queue_name(queues.dlq_url)
    names[Resource(ResourceKind.DELIVERY_STREAM, ANALYTICS_STREAM)] = ANALYTICS_STREAM_NAME
    names[Resource(ResourceKind.STREAM_RULE, ANALYTICS_STREAM)] = ANALYTICS_STREAM.rule.name
    if analytics is not None:
        stream_dlq = Resource(ResourceKind.STREAM_DEAD_LETTER_QUEUE, ANALYTICS_STREAM)
        names[stream_dlq] = queue_name(analytics.dlq_url)
    return names
