"""The storefront event schema (docs/architecture.md §5): the one place that defines it.

- the body of POST /events (`TrackEventsRequest`) and its answers,
- the EventBridge entry that track_event puts on the bus (`build_entry`) and its `detail`,
- the models the sinks parse their SQS records with (`TrackedEventRecord`),
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel, SqsRecordModel
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Json,
    StringConstraints,
    field_serializer,
    model_validator,
)

from personalization.contracts.experiments import ExperimentRef
from personalization.contracts.limits import (
    IDENTIFIER_PATTERN,
    MAX_EVENT_AGE,
    MAX_EVENTS_PER_REQUEST,
    MAX_FUTURE_SKEW,
    MAX_PROPERTIES,
    MAX_PROPERTIES_JSON_LENGTH,
    MAX_PROPERTY_KEY_LENGTH,
    MAX_PROPERTY_STRING_LENGTH,
    MAX_RECOMMENDATION_ID_LENGTH,
    MAX_SAFE_INTEGER,
    Identifier,
    utc_text,
)
from personalization.contracts.metrics import MetricName

EVENT_SOURCE = "retail.storefront"

EventType = Literal[
    "ProductSearched",
    "ProductViewed",
    "ProductAdded",
    "ProductRemoved",
    "ProductQuantityUpdated",
    "CartViewed",
    "CheckoutStarted",
    "OrderCompleted",
    "RecommendationsShown",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
RECOMMENDATIONS_SHOWN = "RecommendationsShown"
"""An answer the shopper was shown (an exposure): no item, the answer's recommendationId and experiment."""
SHOPPER_ACTIONS: tuple[str, ...] = tuple(t for t in EVENT_TYPES if t != RECOMMENDATIONS_SHOWN)
"""What a shopper did: the interactions Amazon Personalize and Amazon Pinpoint receive."""
ATTRIBUTED_OUTCOMES: dict[str, MetricName] = {
    "ProductViewed": MetricName.CLICKS,
    "ProductAdded": MetricName.ADDS,
    "OrderCompleted": MetricName.ORDERS,
}
"""The actions that count for an experiment when they carry its answer's recommendationId."""

PropertyKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_PROPERTY_KEY_LENGTH, pattern=r"^[A-Za-z][A-Za-z0-9_]*$"),
]


def _flat_value(value: Any) -> Any:
    """One clear problem per bad property value, instead of one per member of the union."""
    if isinstance(value, str):
        if len(value) > MAX_PROPERTY_STRING_LENGTH:
            raise ValueError(f"must be at most {MAX_PROPERTY_STRING_LENGTH} characters")
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        # A comparison, not float(): a 400-digit integer cannot overflow it; NaN fails it.
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise ValueError("must be a number from -2^53 to 2^53")
        return value
    raise ValueError("must be a string, number or boolean (properties are a flat object)")


PropertyValue = Annotated[
    bool
    | Annotated[int, Field(ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER)]
    | Annotated[float, Field(ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER)]
    | Annotated[str, Field(max_length=MAX_PROPERTY_STRING_LENGTH)],
    BeforeValidator(_flat_value),
]
RecommendationId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_RECOMMENDATION_ID_LENGTH, pattern=IDENTIFIER_PATTERN),
]


def properties_json(properties: dict[str, Any]) -> str:
    """The compact JSON text of the properties, as Amazon Personalize receives it."""
    return json.dumps(properties, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _iso_8601_text(value: Any) -> Any:
    """Refuse numbers (epoch seconds) and other non-strings: the API takes ISO-8601 text only."""
    if not isinstance(value, str):
        # A ValueError, not a TypeError: pydantic reports only the former as a validation problem.
        raise ValueError("must be an ISO-8601 date-time string with a timezone, e.g. 2026-01-31T12:00:00Z")  # noqa: TRY004
    return value


def _within_bounds(sent_at: datetime) -> datetime:
    now = datetime.now(UTC)
    if sent_at > now + MAX_FUTURE_SKEW:
        raise ValueError(
            f"must not be more than {MAX_FUTURE_SKEW.total_seconds() / 3600:g} hours in the future"
        )
    if sent_at < now - MAX_EVENT_AGE:
        raise ValueError(f"must not be older than {MAX_EVENT_AGE.days} days")
    return sent_at.astimezone(UTC)


def _properties_within_limit(properties: dict[str, Any]) -> dict[str, Any]:
    length = len(properties_json(properties))
    if length > MAX_PROPERTIES_JSON_LENGTH:
        raise ValueError(
            f"properties are {length} characters as JSON; at most {MAX_PROPERTIES_JSON_LENGTH} are allowed"
        )
    return properties


SentAt = Annotated[AwareDatetime, BeforeValidator(_iso_8601_text), AfterValidator(_within_bounds)]
Properties = Annotated[
    dict[PropertyKey, PropertyValue],
    Field(max_length=MAX_PROPERTIES),
    AfterValidator(_properties_within_limit),
]


_NAMES_AN_ANSWER: dict[str, Any] = {
    "properties": {"recommendationId": {"type": "string"}},
    "required": ["recommendationId"],
}
ATTRIBUTION_RULES: dict[str, Any] = {
    "allOf": [
        {
            "if": {"properties": {"experiment": {"type": "object"}}, "required": ["experiment"]},
            "then": _NAMES_AN_ANSWER,
        },
        {
            "if": {"properties": {"eventType": {"const": "RecommendationsShown"}}, "required": ["eventType"]},
            "then": {"allOf": [_NAMES_AN_ANSWER, {"properties": {"itemId": {"type": "null"}}}]},
        },
    ]
}
"""The rules across fields of `TrackedEvent._attributable`, as JSON Schema for openapi.json."""


class TrackedEvent(BaseModel):
    """One shopper action in the body of POST /events."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=ATTRIBUTION_RULES)

    eventType: EventType
    itemId: Identifier | None = None
    eventId: Identifier | None = Field(
        default=None, description="Generated when absent; send the same id again when retrying."
    )
    sentAt: SentAt | None = Field(
        default=None,
        description=(
            f"ISO-8601 with a timezone, at most {MAX_EVENT_AGE.days} days before and "
            f"{MAX_FUTURE_SKEW.total_seconds() / 3600:g} hours after the server's clock; defaults to now."
        ),
    )
    recommendationId: RecommendationId | None = Field(
        default=None, description="The answer the item was shown in (required for RecommendationsShown)."
    )
    experiment: ExperimentRef | None = Field(
        default=None, description="The answer's experiment and variant; only with its recommendationId."
    )
    properties: Properties = Field(
        default_factory=dict,
        description=(
            f"Flat object of string, number (-2^53 to 2^53) or boolean values: at most {MAX_PROPERTIES} "
            f"keys, {MAX_PROPERTIES_JSON_LENGTH} characters as compact JSON."
        ),
        json_schema_extra={"additionalProperties": False},
    )

    @model_validator(mode="after")
    def _attributable(self) -> TrackedEvent:
        """As `ATTRIBUTION_RULES` states it: an experiment only beside a recommendationId; an
        exposure names its answer and no item."""
        if self.experiment is not None and self.recommendationId is None:
            raise ValueError("an experiment goes with the recommendationId of the answer it came from")
        if self.eventType == RECOMMENDATIONS_SHOWN:
            if self.recommendationId is None:
                raise ValueError("RecommendationsShown needs the recommendationId of the answer shown")
            if self.itemId is not None:
                raise ValueError("RecommendationsShown is about an answer, not an item: no itemId")
        return self


def _unique_event_ids(events: list[TrackedEvent]) -> list[TrackedEvent]:
    given = Counter(event.eventId for event in events if event.eventId is not None)
    repeated = sorted(event_id for event_id, count in given.items() if count > 1)
    if repeated:
        raise ValueError(f"eventIds must be unique within a request; repeated: {', '.join(repeated[:5])}")
    return events


class TrackEventsRequest(BaseModel):
    """POST /events body (docs/architecture.md §4): JSON of at most 64 KiB, nested at most 32 levels."""

    model_config = ConfigDict(extra="forbid")

    sessionId: Identifier
    events: Annotated[
        list[TrackedEvent],
        Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST),
        AfterValidator(_unique_event_ids),
    ]


class TrackEventsResponse(BaseModel):
    """202: every event is on the bus."""

    accepted: int
    eventIds: list[str]


NotAcceptedCode = Literal["throttled", "unavailable", "rejected"]
"""Why an event is not on the bus: the bus throttled it, could not be reached, or refused it."""
NOT_ACCEPTED_MESSAGES: dict[NotAcceptedCode, str] = {
    "throttled": "the event bus is busy; send the event again with the same eventId",
    "unavailable": "the event bus could not be reached; send the event again with the same eventId",
    "rejected": "the event bus did not take the event; send it again later with the same eventId",
}


class NotAcceptedEvent(BaseModel):
    """An event that is not on the bus: a stable code and a generic message, never the bus's own text."""

    eventId: str
    eventType: EventType
    errorCode: NotAcceptedCode
    errorMessage: str

    @classmethod
    def of(cls, detail: EventDetail, code: NotAcceptedCode) -> NotAcceptedEvent:
        return cls(
            eventId=detail.eventId,
            eventType=detail.eventType,
            errorCode=code,
            errorMessage=NOT_ACCEPTED_MESSAGES[code],
        )


class EventsNotAcceptedResponse(BaseModel):
    """503: some events could not be put on the bus; those may be sent again with the same eventIds."""

    message: str
    accepted: int
    eventIds: list[str] = Field(description="The events that are on the bus.")
    notAccepted: list[NotAcceptedEvent]


class EventDetail(BaseModel):
    """The `detail` of a bus event. Absent optional values are present as null, so rules can test them."""

    model_config = ConfigDict(extra="ignore")

    eventId: Identifier
    eventType: EventType
    sessionId: Identifier
    userId: Identifier | None
    itemId: Identifier | None
    sentAt: AwareDatetime
    recommendationId: str | None
    experiment: ExperimentRef | None = None
    properties: dict[str, PropertyValue]

    @field_serializer("sentAt")
    def _utc_text(self, sent_at: datetime) -> str:
        return utc_text(sent_at)


def event_details(
    request: TrackEventsRequest, event_ids: list[str], now: datetime, user_id: str | None = None
) -> list[EventDetail]:
    """The bus `detail` of each event of a request, with the given ids and `now` for a missing sentAt;
    `user_id` is the signed-in shopper (from the token, never from the body), None for a session only."""
    return [
        EventDetail(
            eventId=event_id,
            eventType=event.eventType,
            sessionId=request.sessionId,
            userId=user_id,
            itemId=event.itemId,
            sentAt=event.sentAt or now,
            recommendationId=event.recommendationId,
            experiment=event.experiment,
            properties=event.properties,
        )
        for event, event_id in zip(request.events, event_ids, strict=True)
    ]


def build_entry(detail: EventDetail, event_bus_name: str) -> dict[str, Any]:
    """The PutEvents entry of one event."""
    return {
        "Source": EVENT_SOURCE,
        "DetailType": detail.eventType,
        "Detail": detail.model_dump_json(),
        "EventBusName": event_bus_name,
    }


class TrackedBusEvent(EventBridgeModel):
    """A bus event as a rule delivers it to its target."""

    account: str = ""
    """Not used by the sinks; optional because moto's EventBridge (the local stack) leaves it out."""
    detail: EventDetail


class TrackedEventRecord(SqsRecordModel):
    """An SQS record whose body is a bus event (the sinks' input)."""

    body: Json[TrackedBusEvent]
