"""The event bus adapter: event details onto EventBridge (`EventPublisher`).

PutEvents takes at most 10 entries per call. Entries the bus reports as failed
(`FailedEntryCount`) are retried, alone, with a short backoff; a call that fails as a whole
(throttled, unreachable, timed out) ends the attempt for every event not yet put.

The answer names each event not put with a stable code (`NotAcceptedCode`); the bus's own error
text (which names the account, role and bus) is only logged, without the events' properties.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from personalization.adapters.aws import get_client
from personalization.contracts.events import EventDetail, NotAcceptedCode, NotAcceptedEvent, build_entry
from personalization.observability import logger
from personalization.settings import event_settings
from personalization.usecases.ports import PutOutcome

MAX_ENTRIES_PER_CALL = 10
"""EventBridge PutEvents limit."""
PUT_ATTEMPTS = 3
RETRY_DELAYS_SECONDS = (0.05, 0.1)
"""Backoff before the 2nd and 3rd attempt at the entries the bus reported as failed."""
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "LimitExceededException", "TooManyRequestsException"}
)
UNAVAILABLE_CODES = frozenset(
    {"InternalFailure", "InternalException", "ServiceUnavailable", "ServiceUnavailableException"}
)


def not_accepted_code(aws_code: str, http_status: int = 0) -> NotAcceptedCode:
    """The stable code the API answers for an error code of EventBridge (entry or call)."""
    if aws_code in THROTTLING_CODES:
        return "throttled"
    if aws_code in UNAVAILABLE_CODES or http_status >= 500:
        return "unavailable"
    return "rejected"


@dataclass(frozen=True)
class _FailedEntry:
    detail: EventDetail
    error_code: str
    error_message: str

    def not_accepted(self) -> NotAcceptedEvent:
        return NotAcceptedEvent.of(self.detail, not_accepted_code(self.error_code))


class EventBridgePublisher:
    """Puts event details on one bus, in calls of at most 10 entries, retrying failed entries."""

    def __init__(self, client: Any, event_bus_name: str, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._event_bus_name = event_bus_name
        self._sleep = sleep

    def put(self, details: Sequence[EventDetail]) -> PutOutcome:
        outcome = PutOutcome()
        pending = list(details)
        failed: list[_FailedEntry] = []
        for attempt in range(PUT_ATTEMPTS):
            if attempt:
                self._sleep(RETRY_DELAYS_SECONDS[attempt - 1])
            failed = self._put_once(pending, outcome)
            if not failed:
                return outcome
            pending = [entry.detail for entry in failed]
        logger.warning(
            "event bus did not take entries",
            extra={
                "entries": [
                    {"eventId": e.detail.eventId, "errorCode": e.error_code, "error": e.error_message}
                    for e in failed
                ]
            },
        )
        outcome.not_accepted.extend(entry.not_accepted() for entry in failed)
        return outcome

    def _put_once(self, details: list[EventDetail], outcome: PutOutcome) -> list[_FailedEntry]:
        """One pass over the details; returns the entries the bus reported as failed, to retry."""
        failed: list[_FailedEntry] = []
        for start in range(0, len(details), MAX_ENTRIES_PER_CALL):
            chunk = details[start : start + MAX_ENTRIES_PER_CALL]
            try:
                answer = self._client.put_events(
                    Entries=[build_entry(detail, self._event_bus_name) for detail in chunk]
                )
            except (BotoCoreError, ClientError) as error:
                self._give_up(details[start:], error, outcome)
                return []
            for detail, result in zip(chunk, answer.get("Entries", []), strict=True):
                if result.get("EventId"):
                    outcome.accepted.append(detail)
                else:
                    failed.append(
                        _FailedEntry(
                            detail, result.get("ErrorCode", "Unknown"), result.get("ErrorMessage", "")
                        )
                    )
        return failed

    @staticmethod
    def _give_up(details: list[EventDetail], error: Exception, outcome: PutOutcome) -> None:
        """The bus failed a whole call (after the client's own retries): no use trying the rest now."""
        if isinstance(error, ClientError):
            aws_code = error.response.get("Error", {}).get("Code", "ClientError")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            code = not_accepted_code(aws_code, status)
        else:
            aws_code, code = type(error).__name__, "unavailable"
        logger.warning("event bus call failed", extra={"errorCode": aws_code, "error": str(error)})
        outcome.not_accepted.extend(NotAcceptedEvent.of(detail, code) for detail in details)


@cache
def event_publisher() -> EventBridgePublisher:
    return EventBridgePublisher(get_client("events"), event_settings().event_bus_name)
