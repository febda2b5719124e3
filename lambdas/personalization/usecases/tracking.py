"""The track_event use case: a request's events onto the event bus, as a plain function.

The publisher (`EventPublisher`, EventBridge in a deployment) says which events it could not
put; those are answered as a 503 naming them, which the client may send again with the same
eventIds: downstream recognises them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

from personalization.contracts.events import (
    ATTRIBUTED_OUTCOMES,
    EventsNotAcceptedResponse,
    TrackEventsRequest,
    TrackEventsResponse,
    event_details,
)
from personalization.contracts.metrics import MetricName
from personalization.observability import count_for_variant, count_with_dimension, logger
from personalization.usecases.errors import ServiceUnavailableError
from personalization.usecases.ports import EventPublisher, PutOutcome


class EventsNotAcceptedError(ServiceUnavailableError):
    """Some events could not be put on the bus: a 503 whose body names them."""

    def __init__(self, answer: EventsNotAcceptedResponse) -> None:
        super().__init__(answer.message, body=answer)
        self.answer = answer


def track_events(
    publisher: EventPublisher,
    request: TrackEventsRequest,
    user_id: str | None = None,
    now: datetime | None = None,
) -> TrackEventsResponse:
    """Put the request's events on the bus for the signed-in shopper `user_id` (from the token; None for
    an anonymous session); raises EventsNotAcceptedError naming any left out."""
    event_ids = [event.eventId or str(uuid.uuid4()) for event in request.events]
    details = event_details(request, event_ids, now or datetime.now(UTC), user_id)
    outcome = publisher.put(details)
    _record(request, outcome, signed_in=user_id is not None)
    accepted_ids = [detail.eventId for detail in outcome.accepted]
    if outcome.not_accepted:
        raise EventsNotAcceptedError(
            EventsNotAcceptedResponse(
                message=(
                    f"{len(outcome.not_accepted)} of {len(details)} events could not be put on the "
                    "event bus; send them again with the same eventIds"
                ),
                accepted=len(accepted_ids),
                eventIds=accepted_ids,
                notAccepted=outcome.not_accepted,
            )
        )
    return TrackEventsResponse(accepted=len(accepted_ids), eventIds=accepted_ids)


def _record(request: TrackEventsRequest, outcome: PutOutcome, *, signed_in: bool) -> None:
    """Metrics by event type, the experiments' clicks, adds and orders (a client's resend of an
    accepted event counts again here; the report counts each eventId once), and one log line
    without the properties' values."""
    accepted = Counter(detail.eventType for detail in outcome.accepted)
    rejected = Counter(event.eventType for event in outcome.not_accepted)
    for event_type, count in accepted.items():
        count_with_dimension(MetricName.EVENTS_ACCEPTED, "eventType", event_type, count)
    for event_type, count in rejected.items():
        count_with_dimension(MetricName.EVENTS_REJECTED, "eventType", event_type, count)
    outcomes = Counter(
        (ATTRIBUTED_OUTCOMES[detail.eventType], detail.experiment.name, detail.experiment.variant)
        for detail in outcome.accepted
        if detail.experiment is not None and detail.eventType in ATTRIBUTED_OUTCOMES
    )
    for (metric, experiment, variant), count in outcomes.items():
        count_for_variant(metric, experiment, variant, count)
    logger.info(
        "events tracked",
        extra={
            "sessionId": request.sessionId,
            "signedIn": signed_in,
            "events": len(request.events),
            "accepted": dict(accepted),
            "rejected": dict(rejected),
            "errorCodes": sorted({event.errorCode for event in outcome.not_accepted}),
            "propertyKeys": sorted({key for event in request.events for key in event.properties}),
        },
    )
