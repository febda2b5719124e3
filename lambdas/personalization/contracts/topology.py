"""What is deployed: the functions, the HTTP routes and the event sinks (docs/architecture.md §2).

Plain data, read by the CDK stack and by the local stack, so both build the same system from
the same objects: a route holds its function, a sink holds its rule and its function. Facts
only a deployment needs (memory sizes, the gateway's own answers) live in `infra.deployment`.
The Lambda functions themselves do not import this module.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from personalization.contracts.rules import (
    ALL_EVENTS_TO_ANALYTICS,
    ITEM_EVENTS_TO_PERSONALIZE,
    SIGNED_IN_EVENTS_TO_PINPOINT,
    RuleSpec,
)
from personalization.settings import EventSettings, FunctionSettings, ReadSettings, SinkSettings

POWERTOOLS_ENVIRONMENT = {
    "POWERTOOLS_LOGGER_LOG_EVENT": "false",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
}
"""Powertools switches beyond the settings model: events and responses carry shopper ids,
so they stay out of logs and trace metadata."""


class Access(enum.Enum):
    """An AWS API a function calls (besides logs, X-Ray and its own queue); the stack grants each one."""

    CONFIG = "read the configuration parameters under the prefix"
    PERSONALIZE_RECOMMENDATIONS = "GetRecommendations on campaigns, recommenders and filters"
    PERSONALIZE_RANKING = "GetPersonalizedRanking on campaigns and filters"
    PERSONALIZE_EVENTS = "PutEvents to Personalize event trackers"
    PUBLISH_EVENTS = "PutEvents to the stack's event bus"
    PINPOINT = "PutEvents and UpdateEndpoint on Pinpoint applications"
    DEAD_LETTER_QUEUE = "SendMessage to the dead-letter queue of the sink feeding it"


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    """Package under lambdas/ holding handler.py; also the Powertools service name."""
    description: str
    timeout_seconds: int
    settings_model: type[FunctionSettings]
    access: frozenset[Access] = frozenset()
    """The AWS APIs the function's code calls: its role is granted these and nothing else."""

    @property
    def handler(self) -> str:
        return f"{self.name}.handler.lambda_handler"

    def environment(self, parameter_prefix: str, deployment_values: Mapping[str, str]) -> dict[str, str]:
        """The environment the function is given: its settings model's variables (taking from
        `deployment_values`, e.g. EVENT_BUS_NAME, only those the model declares) and the
        Powertools switches."""
        model = self.settings_model
        declared = {field.alias or name for name, field in model.model_fields.items()}
        values = {key: value for key, value in deployment_values.items() if key in declared}
        settings = model.for_function(self.name, parameter_prefix, **values)
        return {**settings.to_environment(), **POWERTOOLS_ENVIRONMENT}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: FunctionSpec
    signed_in: bool = False
    """Behind the Cognito user-pool authorizer: only a valid ID token reaches the function, which takes
    the shopper from the token's claims (`personalization.identity`). Paths start with /me/."""


@dataclass(frozen=True)
class SinkSpec:
    """A sink: the rule whose queue feeds the function, and that queue's settings."""

    rule: RuleSpec
    function: FunctionSpec
    batch_size: int
    batching_window_seconds: int
    max_receive_count: int
    """Receives before a record moves to the dead-letter queue."""

    @property
    def visibility_timeout_seconds(self) -> int:
        """Six times the function timeout, as AWS advises for SQS event sources."""
        return 6 * self.function.timeout_seconds


DLQ_RETENTION_DAYS = 14
"""How long a dead-letter queue keeps a message (SQS's maximum): time to find and fix the cause."""

# Read functions: 3 s timeout covers the 1.0 s Personalize budget plus SSM (at most 0.45 s).
RECOMMEND = FunctionSpec(
    "recommend",
    "User recommendations (GET /recommendations)",
    3,
    ReadSettings,
    frozenset({Access.CONFIG, Access.PERSONALIZE_RECOMMENDATIONS}),
)
RELATED = FunctionSpec(
    "related",
    "Related products (GET /related)",
    3,
    ReadSettings,
    frozenset({Access.CONFIG, Access.PERSONALIZE_RECOMMENDATIONS}),
)
RANK = FunctionSpec(
    "rank",
    "Personalized ranking (POST /rank)",
    3,
    ReadSettings,
    frozenset({Access.CONFIG, Access.PERSONALIZE_RANKING}),
)

READ_FUNCTIONS = (RECOMMEND, RELATED, RANK)

# track_event: at most 3 PutEvents calls of 10 entries, each at most 2 x 1.5 s with the
# client's retry, plus 150 ms of backoff for failed entries: 6 s leaves room to answer 503.
TRACK_EVENT = FunctionSpec(
    "track_event",
    "Shopper events onto the event bus (POST /events)",
    6,
    EventSettings,
    frozenset({Access.PUBLISH_EVENTS}),
)
# Sinks: at most 100 (Personalize) or 50 records (Pinpoint) per batch. Personalize's worst batch is
# 100 sessions, 100 PutEvents calls: about 5 s at 50 ms each; a failing call stops the batch's further
# calls, so 30 s covers the slowest healthy batch with a wide margin.
PERSONALIZE_SYNC = FunctionSpec(
    "personalize_sync",
    "Item events to the Amazon Personalize event tracker (SQS)",
    30,
    SinkSettings,
    frozenset({Access.CONFIG, Access.PERSONALIZE_EVENTS, Access.DEAD_LETTER_QUEUE}),
)
PINPOINT_SYNC = FunctionSpec(
    "pinpoint_sync",
    "Signed-in shoppers' events to Amazon Pinpoint (SQS)",
    30,
    SinkSettings,
    frozenset({Access.CONFIG, Access.PINPOINT, Access.DEAD_LETTER_QUEUE}),
)

EVENT_FUNCTIONS = (TRACK_EVENT, PERSONALIZE_SYNC, PINPOINT_SYNC)

# Each use case has an anonymous route and a signed-in one, served by the same function.
ROUTES = (
    Route("GET", "/recommendations", RECOMMEND),
    Route("GET", "/related", RELATED),
    Route("POST", "/rank", RANK),
    Route("POST", "/events", TRACK_EVENT),
    Route("GET", "/me/recommendations", RECOMMEND, signed_in=True),
    Route("GET", "/me/related", RELATED, signed_in=True),
    Route("POST", "/me/rank", RANK, signed_in=True),
    Route("POST", "/me/events", TRACK_EVENT, signed_in=True),
)

# Personalize: a 1 s window, so recommendations follow the shopper within seconds even when the
# queue is quiet; batches of up to 100 so that one batch holds a shopper's whole POST (the storefront
# posts at most once a second) instead of splitting it among other shoppers' events: one PutEvents
# call per session in the batch. 100 records of about 1.5 KB stay far below Lambda's 6 MB payload.
# Pinpoint is analytics: larger batches, fewer calls. 5 receives, then the DLQ.
SINKS: tuple[SinkSpec, ...] = (
    SinkSpec(
        rule=ITEM_EVENTS_TO_PERSONALIZE,
        function=PERSONALIZE_SYNC,
        batch_size=100,
        batching_window_seconds=1,
        max_receive_count=5,
    ),
    SinkSpec(
        rule=SIGNED_IN_EVENTS_TO_PINPOINT,
        function=PINPOINT_SYNC,
        batch_size=50,
        batching_window_seconds=5,
        max_receive_count=5,
    ),
)

FUNCTIONS: tuple[FunctionSpec, ...] = (*READ_FUNCTIONS, *EVENT_FUNCTIONS)


@dataclass(frozen=True)
class DeliveryStreamSpec:
    """A sink without a function: the rule targets an Amazon Data Firehose stream writing to S3.

    Objects land under `{prefix}{partition_key}=YYYY-MM-DD/` (the UTC day Firehose received the
    oldest record of the object), gzip-compressed, one bus `detail` JSON per line. docs/analytics.md.
    """

    name: str
    rule: RuleSpec
    prefix: str
    """Key prefix of the delivered objects, ending in '/'."""
    partition_key: str
    error_prefix: str
    """Key prefix of the records Firehose failed to process (outside `prefix`)."""
    buffer_mib: int
    buffer_seconds: int
    target_max_event_age_seconds: int
    """How long EventBridge retries putting an event into the stream before it goes to the target's DLQ."""
    target_retry_attempts: int


# 5 MiB / 300 s: a flush writes one object, and S3 PUTs, Athena's per-file overhead and the
# listing cost grow with the object count, while analytics can wait five minutes. At the
# storefront's rates (events of ~0.5 KB) the interval flushes first: one object per 5 minutes.
# EventBridge retries a failed put into the stream for up to an hour (185 attempts, its most),
# then the event goes to the target's DLQ.
ANALYTICS_STREAM = DeliveryStreamSpec(
    name="analytics",
    rule=ALL_EVENTS_TO_ANALYTICS,
    prefix="analytics/",
    partition_key="event_date",
    error_prefix="analytics-errors/",
    buffer_mib=5,
    buffer_seconds=300,
    target_max_event_age_seconds=3600,
    target_retry_attempts=185,
)
