"""What is deployed: the functions, the HTTP routes and the event sinks (DESIGN sections 2, 4, 5).

Plain data, read by the CDK stack and by the local stack, so both build the same
system. The Lambda functions themselves do not import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from personalization.contracts.events import ITEM_EVENTS_TO_PERSONALIZE, SIGNED_IN_EVENTS_TO_PINPOINT
from personalization.settings import EventSettings, FunctionSettings, ReadSettings

POWERTOOLS_ENVIRONMENT = {
    "POWERTOOLS_LOGGER_LOG_EVENT": "false",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
}
"""Powertools switches beyond the settings model: events and responses carry shopper ids,
so they stay out of logs and trace metadata."""

# What API Gateway itself answers, before any function runs (the CDK API and the local gateway).
DEFAULT_STAGE = "v1"
CORS_ALLOWED_HEADERS = ("Content-Type",)
CORS_MAX_AGE_SECONDS = 3600
METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
BAD_REQUEST_BODY = {
    "message": "Invalid request body",
    "errors": [{"field": "body", "problem": "must be a JSON object"}],
}
"""The gateway's request validator refuses a body that is not a JSON object with this answer."""


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    """Folder under lambdas/ holding handler.py; also the Powertools service name."""
    description: str
    memory_mb: int
    timeout_seconds: int
    settings_model: type[FunctionSettings]

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
    function: str


@dataclass(frozen=True)
class SinkSpec:
    """A sink: the rule whose queue feeds the function, and that queue's settings."""

    function: str
    rule: str
    batch_size: int
    batching_window_seconds: int
    max_receive_count: int
    """Receives before a record moves to the dead-letter queue."""
    visibility_timeout_seconds: int
    """Six times the function timeout, as AWS advises for SQS event sources."""


# Read functions: 3 s timeout covers the 1.0 s Personalize budget plus SSM (at most 0.45 s); 512 MB gives
# the CPU share that keeps JSON and pydantic work in the low milliseconds.
RECOMMEND = FunctionSpec("recommend", "User recommendations (GET /recommendations)", 512, 3, ReadSettings)
RELATED = FunctionSpec("related", "Related products (GET /related)", 512, 3, ReadSettings)
RANK = FunctionSpec("rank", "Personalized ranking (POST /rank)", 512, 3, ReadSettings)

READ_FUNCTIONS = (RECOMMEND, RELATED, RANK)

# track_event: at most 3 PutEvents calls of 10 entries, each at most 2 x 1.5 s with the
# client's retry, plus 150 ms of backoff for failed entries: 6 s leaves room to answer 503.
TRACK_EVENT = FunctionSpec(
    "track_event", "Shopper events onto the event bus (POST /events)", 256, 6, EventSettings
)
# Sinks: at most 100 (Personalize) or 50 records (Pinpoint) per batch. Personalize's worst batch is
# 100 sessions, 100 PutEvents calls: about 5 s at 50 ms each; a failing call stops the batch's further
# calls, so 30 s covers the slowest healthy batch with a wide margin.
PERSONALIZE_SYNC = FunctionSpec(
    ITEM_EVENTS_TO_PERSONALIZE.target_function,
    "Item events to the Amazon Personalize event tracker (SQS)",
    256,
    30,
    FunctionSettings,
)
PINPOINT_SYNC = FunctionSpec(
    SIGNED_IN_EVENTS_TO_PINPOINT.target_function,
    "Signed-in shoppers' events to Amazon Pinpoint (SQS)",
    256,
    30,
    FunctionSettings,
)

EVENT_FUNCTIONS = (TRACK_EVENT, PERSONALIZE_SYNC, PINPOINT_SYNC)

ROUTES = (
    Route("GET", "/recommendations", RECOMMEND.name),
    Route("GET", "/related", RELATED.name),
    Route("POST", "/rank", RANK.name),
    Route("POST", "/events", TRACK_EVENT.name),
)

# Personalize: a 1 s window, so recommendations follow the shopper within seconds even when the
# queue is quiet; batches of up to 100 so that one batch holds a shopper's whole POST (the storefront
# posts at most once a second) instead of splitting it among other shoppers' events: one PutEvents
# call per session in the batch. 100 records of about 1.5 KB stay far below Lambda's 6 MB payload.
# Pinpoint is analytics: larger batches, fewer calls. 5 receives, then the DLQ.
SINKS: tuple[SinkSpec, ...] = (
    SinkSpec(
        function=PERSONALIZE_SYNC.name,
        rule=ITEM_EVENTS_TO_PERSONALIZE.name,
        batch_size=100,
        batching_window_seconds=1,
        max_receive_count=5,
        visibility_timeout_seconds=6 * PERSONALIZE_SYNC.timeout_seconds,
    ),
    SinkSpec(
        function=PINPOINT_SYNC.name,
        rule=SIGNED_IN_EVENTS_TO_PINPOINT.name,
        batch_size=50,
        batching_window_seconds=5,
        max_receive_count=5,
        visibility_timeout_seconds=6 * PINPOINT_SYNC.timeout_seconds,
    ),
)


def function_spec(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(f"no function named {name!r}")


FUNCTIONS: tuple[FunctionSpec, ...] = (*READ_FUNCTIONS, *EVENT_FUNCTIONS)
