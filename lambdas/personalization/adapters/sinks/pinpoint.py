"""pinpoint_sync's delivery: signed-in shoppers' events to Amazon Pinpoint.

Enabled only when `{prefix}/pinpoint/application-id` is configured; otherwise records are
acknowledged with a `Skipped` metric (Amazon Pinpoint reached end of support on 2026-10-30).
For each user of the batch: UpdateEndpoint (endpoint id derived from the user id,
`User.UserId`, last-seen attributes), then the events of all users in as few PutEvents calls
as the service allows (at most 100 events per request). Pinpoint answers per endpoint and per
event; a record fails when its user's endpoint or its event did not get a 2xx status, and a 4xx
other than 429 (the event is refused for good) sends it to the dead-letter queue. A PutEvents
call that is rejected as a whole is made again one event at a time (at most the call's events).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from personalization.adapters.aws import get_client
from personalization.adapters.sinks.base import (
    CIRCUIT_BREAKING_REASONS,
    PERMANENT_REASONS,
    SKIPPED_AFTER_FAILURE,
    BusEvent,
    DeliveryReport,
    Sink,
    chunked,
    failure_reason,
    sink_queues,
    unique_events,
)
from personalization.adapters.ssm_config import config_reader
from personalization.contracts.events import EventDetail, TrackedEventRecord
from personalization.contracts.limits import utc_text
from personalization.contracts.metrics import MetricName
from personalization.observability import logger
from personalization.usecases.ports import PersonalizationConfig

MAX_EVENTS_PER_CALL = 100
"""Amazon Pinpoint PutEvents: at most 100 events per request (events ingestion quotas)."""
MAX_ATTRIBUTE_VALUE_LENGTH = 200
"""Amazon Pinpoint drops events whose attribute values are longer."""
MAX_ENDPOINT_ATTRIBUTE_VALUE_LENGTH = 100
"""Amazon Pinpoint's limit for an endpoint attribute value."""
ENDPOINT_NAMESPACE = uuid.UUID("5b0f3c1e-7c52-4c59-9d0e-3f6c2a41b8d7")


def endpoint_id(user_id: str) -> str:
    """The user's Pinpoint endpoint id: stable, so every batch updates the same endpoint."""
    return str(uuid.uuid5(ENDPOINT_NAMESPACE, user_id))


def pinpoint_event(detail: EventDetail, session_start: datetime) -> dict[str, Any]:
    """An `Events` entry: strings and booleans as attributes, numbers (price, quantity) as metrics."""
    attributes: dict[str, str] = {}
    event_metrics: dict[str, float] = {}
    for key, value in detail.properties.items():
        if isinstance(value, bool):
            attributes[key] = str(value).lower()
        elif isinstance(value, int | float) and math.isfinite(value):
            event_metrics[key] = float(value)
        elif isinstance(value, str):
            attributes[key] = value
    for key, fixed in (("itemId", detail.itemId), ("recommendationId", detail.recommendationId)):
        if fixed is not None:
            attributes[key] = fixed[:MAX_ATTRIBUTE_VALUE_LENGTH]
    event: dict[str, Any] = {
        "EventType": detail.eventType,
        "Timestamp": utc_text(detail.sentAt),
        "Session": {"Id": detail.sessionId, "StartTimestamp": utc_text(session_start)},
    }
    if attributes:
        event["Attributes"] = attributes
    if event_metrics:
        event["Metrics"] = event_metrics
    return event


@dataclass
class UserEvents:
    user_id: str
    events: list[BusEvent]

    @property
    def endpoint_id(self) -> str:
        return endpoint_id(self.user_id)

    @property
    def records(self) -> list[TrackedEventRecord]:
        return [record for event in self.events for record in event.records]

    def endpoint_request(self) -> dict[str, Any]:
        """UpdateEndpoint's request: the user, and what the user did last."""
        last = max((event.detail for event in self.events), key=lambda detail: detail.sentAt)
        values = {"lastSessionId": last.sessionId, "lastEventType": last.eventType, "lastItemId": last.itemId}
        attributes = {
            name: [value[:MAX_ENDPOINT_ATTRIBUTE_VALUE_LENGTH]]
            for name, value in values.items()
            if value is not None
        }
        return {
            "User": {"UserId": self.user_id},
            "Attributes": attributes,
            "EffectiveDate": utc_text(last.sentAt),
        }

    def session_starts(self) -> dict[str, datetime]:
        """The earliest event of each session in this batch: Pinpoint's session start."""
        starts: dict[str, datetime] = {}
        for event in self.events:
            session, sent_at = event.detail.sessionId, event.detail.sentAt
            starts[session] = min(starts.get(session, sent_at), sent_at)
        return starts


@dataclass(frozen=True)
class EndpointEvent:
    user: UserEvents
    event: BusEvent


def users_of(records: Sequence[TrackedEventRecord]) -> list[UserEvents]:
    """The signed-in users of a batch, each with their events (once each by eventId)."""
    users: dict[str, UserEvents] = {}
    for event in unique_events(records):
        user_id = event.detail.userId
        if user_id is not None:
            users.setdefault(user_id, UserEvents(user_id, [])).events.append(event)
    return list(users.values())


def _succeeded(status: Any) -> bool:
    return isinstance(status, int) and 200 <= status < 300


def _status_reason(status: Any) -> str:
    if status is None:
        return "no-result"
    if status == 429:
        return "throttled"
    return "service-error" if isinstance(status, int) and status >= 500 else "rejected"


class PinpointSink(Sink):
    def deliver_configured(
        self, records: Sequence[TrackedEventRecord], config: PersonalizationConfig, report: DeliveryReport
    ) -> None:
        if config.pinpoint_application_id is None:
            logger.info("no Pinpoint application configured; acknowledging the records")
            report.count(MetricName.SKIPPED, len(records))
            return
        users = users_of(records)
        anonymous = len(records) - sum(len(user.records) for user in users)
        if anonymous:
            report.count(MetricName.SKIPPED, anonymous)
        _BatchDelivery(self._client, config.pinpoint_application_id, report).run(users)


@dataclass(frozen=True)
class _Failure:
    reason: str


class _BatchDelivery:
    """One batch's calls: endpoints first, then the events of the users whose endpoint is up to date."""

    def __init__(self, client: Any, application_id: str, report: DeliveryReport) -> None:
        self._client = client
        self._application_id = application_id
        self._report = report
        self._stopped = False

    def run(self, users: list[UserEvents]) -> None:
        updated = [user for user in users if self._update_endpoint(user)]
        pending = [EndpointEvent(user, event) for user in updated for event in user.events]
        for chunk in chunked(pending, MAX_EVENTS_PER_CALL):
            self._put_events(chunk)

    def _call(self, operation: Callable[..., Any], **request: Any) -> Any:
        """The call's answer, or a `_Failure`: why it failed or was not attempted."""
        if self._stopped:
            return _Failure(SKIPPED_AFTER_FAILURE)
        try:
            return operation(ApplicationId=self._application_id, **request)
        except (BotoCoreError, ClientError) as error:
            reason = failure_reason(error)
            self._stopped = reason in CIRCUIT_BREAKING_REASONS
            return _Failure(reason)

    def _update_endpoint(self, user: UserEvents) -> bool:
        answer = self._call(
            self._client.update_endpoint,
            EndpointId=user.endpoint_id,
            EndpointRequest=user.endpoint_request(),
        )
        if isinstance(answer, _Failure):
            self._report.fail(user.records, answer.reason)
            return False
        return True

    def _put_events(self, chunk: Sequence[EndpointEvent]) -> None:
        batch: dict[str, dict[str, Any]] = {}
        starts = {item.user.user_id: item.user.session_starts() for item in chunk}
        for item in chunk:
            detail = item.event.detail
            entry = batch.setdefault(item.user.endpoint_id, {"Endpoint": {}, "Events": {}})
            session_start = starts[item.user.user_id][detail.sessionId]
            entry["Events"][detail.eventId] = pinpoint_event(detail, session_start)
        records = [record for item in chunk for record in item.event.records]
        if not self._stopped:
            self._report.count(MetricName.PUT_EVENTS_CALLS)
        answer = self._call(self._client.put_events, EventsRequest={"BatchItem": batch})
        if isinstance(answer, _Failure):
            if answer.reason in PERMANENT_REASONS and len(chunk) > 1:
                for item in chunk:
                    self._put_events([item])
            else:
                self._report.fail(records, answer.reason)
            return
        results = answer.get("EventsResponse", {}).get("Results", {})
        for item in chunk:
            self._check(item, results.get(item.user.endpoint_id, {}))

    def _check(self, item: EndpointEvent, result: dict[str, Any]) -> None:
        """Pinpoint's per-endpoint and per-event status codes decide the event's records."""
        endpoint_status = result.get("EndpointItemResponse", {}).get("StatusCode")
        event_results = result.get("EventsItemResponse", {})
        event_status = event_results.get(item.event.detail.eventId, {}).get("StatusCode")
        for status in (endpoint_status, event_status):
            if status is not None and not _succeeded(status):
                self._report.fail(item.event.records, _status_reason(status))
                return
        if event_status is None:
            self._report.fail(item.event.records, _status_reason(None))
            return
        self._report.delivered += len(item.event.records)


@cache
def pinpoint_sink() -> PinpointSink:
    return PinpointSink(get_client("pinpoint"), config_reader().load, sink_queues())
