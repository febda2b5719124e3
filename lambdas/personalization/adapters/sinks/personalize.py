"""personalize_sync's delivery: bus events to the Amazon Personalize event tracker (PutEvents).

Events are grouped by (sessionId, userId), as a PutEvents call carries one session and one
user, and sent at most 10 per call with the tracking id read from SSM. A call that fails
fails only its own records; after a throttled, timed-out or unreachable call the rest of the
batch is not attempted (SQS redelivers it later). A call of several events that Personalize
rejects (InvalidInputException, botocore's parameter validation) is made again one event at a
time, at most 10 more calls, so that only the events it refuses go to the dead-letter queue.
Without a configured tracker every record fails, with a `SinkNotConfigured` metric: the events
wait in the queue (and, after the queue's maximum receives, in its dead-letter queue) instead
of being dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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
from personalization.contracts.api import is_minted
from personalization.contracts.events import EventDetail, TrackedEventRecord, properties_json
from personalization.contracts.metrics import MetricName
from personalization.observability import logger
from personalization.usecases.ports import PersonalizationConfig

MAX_EVENTS_PER_CALL = 10
"""Amazon Personalize PutEvents: `eventList` holds 1 to 10 events."""

INTERACTION_PROPERTY_FIELDS: frozenset[str] = frozenset()
"""Property keys forwarded to Personalize: the camelCase names of extra fields of the
interactions schema. PutEvents only takes properties that match schema fields, and the
dataset's interactions schema has none beyond USER_ID, ITEM_ID, EVENT_TYPE and TIMESTAMP,
so the storefront's properties (price, quantity, search text) go to Pinpoint only."""


@dataclass(frozen=True)
class PutEventsCall:
    session_id: str
    user_id: str | None
    events: Sequence[BusEvent]

    @property
    def records(self) -> list[TrackedEventRecord]:
        return [record for event in self.events for record in event.records]

    def request(self, tracking_id: str) -> dict[str, Any]:
        request: dict[str, Any] = {
            "trackingId": tracking_id,
            "sessionId": self.session_id,
            "eventList": [personalize_event(event.detail) for event in self.events],
        }
        if self.user_id is not None:
            request["userId"] = self.user_id
        return request


def personalize_event(
    detail: EventDetail, property_fields: frozenset[str] = INTERACTION_PROPERTY_FIELDS
) -> dict[str, Any]:
    """One entry of `eventList`; `sentAt` as a datetime, schema `properties` as JSON text."""
    event: dict[str, Any] = {
        "eventId": detail.eventId,
        "eventType": detail.eventType,
        "sentAt": detail.sentAt,
    }
    if detail.itemId is not None:
        event["itemId"] = detail.itemId
    if detail.recommendationId is not None and not is_minted(detail.recommendationId):
        event["recommendationId"] = detail.recommendationId
    properties = {key: value for key, value in detail.properties.items() if key in property_fields}
    if properties:
        event["properties"] = properties_json(properties)
    return event


def put_events_calls(records: Sequence[TrackedEventRecord]) -> list[PutEventsCall]:
    """The calls for a batch: one group per (sessionId, userId), at most 10 events per call."""
    groups: dict[tuple[str, str | None], list[BusEvent]] = {}
    for event in unique_events(records):
        groups.setdefault((event.detail.sessionId, event.detail.userId), []).append(event)
    return [
        PutEventsCall(session_id, user_id, chunk)
        for (session_id, user_id), events in groups.items()
        for chunk in chunked(events, MAX_EVENTS_PER_CALL)
    ]


class PersonalizeSink(Sink):
    def deliver_configured(
        self, records: Sequence[TrackedEventRecord], config: PersonalizationConfig, report: DeliveryReport
    ) -> None:
        if config.event_tracker_id is None:
            logger.warning("no Personalize event tracker configured; the records stay queued")
            report.count(MetricName.SINK_NOT_CONFIGURED, len(records))
            report.fail(records, "not-configured")
            return
        self._send(put_events_calls(records), config.event_tracker_id, report)

    def _send(self, calls: Sequence[PutEventsCall], tracking_id: str, report: DeliveryReport) -> bool:
        """Makes the calls in order; True when a failure stopped them (the rest then fail as skipped)."""
        stopped = False
        for call in calls:
            if stopped:
                report.fail(call.records, SKIPPED_AFTER_FAILURE)
            else:
                stopped = self._put(call, tracking_id, report)
        return stopped

    def _put(self, call: PutEventsCall, tracking_id: str, report: DeliveryReport) -> bool:
        report.count(MetricName.PUT_EVENTS_CALLS)
        try:
            self._client.put_events(**call.request(tracking_id))
        except (BotoCoreError, ClientError) as error:
            reason = failure_reason(error)
            if reason in PERMANENT_REASONS and len(call.events) > 1:
                return self._send(
                    [replace(call, events=[event]) for event in call.events], tracking_id, report
                )
            report.fail(call.records, reason)
            return reason in CIRCUIT_BREAKING_REASONS
        report.delivered += len(call.records)
        return False


@cache
def personalize_sink() -> PersonalizeSink:
    return PersonalizeSink(get_client("personalize-events"), config_reader().load, sink_queues())
