"""Pinpoint PutEvents and UpdateEndpoint for one registered application.

Request-level problems (unknown application, too many events) fail the whole request, as
in Pinpoint; an event that breaks an event quota is reported with status 400 in its own
result entry while the others are accepted.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from cachetools import LRUCache

from local.emulator.protocol import bad_request, not_found
from local.emulator.sinks import EventLog

MAX_EVENTS_PER_REQUEST = 100
MAX_EVENT_TYPE_LENGTH = 50
MAX_EVENT_ATTRIBUTES_AND_METRICS = 40
MAX_EVENT_KEY_LENGTH = 50
MAX_EVENT_ATTRIBUTE_VALUE_LENGTH = 200
MAX_ENDPOINT_ATTRIBUTES = 250
MAX_ENDPOINT_ATTRIBUTE_NAME_LENGTH = 50
MAX_ENDPOINT_ATTRIBUTE_VALUES = 50
MAX_ENDPOINT_ATTRIBUTE_VALUE_LENGTH = 100
ACCEPTED = {"Message": "Accepted", "StatusCode": 202}


def event_problem(event: dict[str, Any]) -> str | None:
    """Why Pinpoint would refuse this event, or None."""
    attributes, metrics = event.get("Attributes") or {}, event.get("Metrics") or {}
    problem = None
    if len(event["EventType"]) > MAX_EVENT_TYPE_LENGTH:
        problem = f"EventType is longer than {MAX_EVENT_TYPE_LENGTH} characters"
    elif len(attributes) + len(metrics) > MAX_EVENT_ATTRIBUTES_AND_METRICS:
        problem = f"an event has at most {MAX_EVENT_ATTRIBUTES_AND_METRICS} attributes and metrics"
    elif any(len(key) > MAX_EVENT_KEY_LENGTH for key in (*attributes, *metrics)):
        problem = f"attribute and metric names are at most {MAX_EVENT_KEY_LENGTH} characters"
    elif any(len(value) > MAX_EVENT_ATTRIBUTE_VALUE_LENGTH for value in attributes.values()):
        problem = f"attribute values are at most {MAX_EVENT_ATTRIBUTE_VALUE_LENGTH} characters"
    else:
        try:
            datetime.fromisoformat(event["Timestamp"].replace("Z", "+00:00"))
        except ValueError:
            problem = f"Timestamp {event['Timestamp']!r} is not an ISO 8601 date-time"
    return problem


def endpoint_problem(endpoint: dict[str, Any]) -> str | None:
    groups = [endpoint.get("Attributes") or {}, (endpoint.get("User") or {}).get("UserAttributes") or {}]
    names = [name for group in groups for name in group]
    values = [values for group in groups for values in group.values()]
    if len(names) > MAX_ENDPOINT_ATTRIBUTES:
        return f"an endpoint has at most {MAX_ENDPOINT_ATTRIBUTES} attributes"
    if any(len(name) > MAX_ENDPOINT_ATTRIBUTE_NAME_LENGTH for name in names):
        return f"attribute names are at most {MAX_ENDPOINT_ATTRIBUTE_NAME_LENGTH} characters"
    if any(len(listed) > MAX_ENDPOINT_ATTRIBUTE_VALUES for listed in values):
        return f"an attribute has at most {MAX_ENDPOINT_ATTRIBUTE_VALUES} values"
    if any(len(value) > MAX_ENDPOINT_ATTRIBUTE_VALUE_LENGTH for listed in values for value in listed):
        return f"attribute values are at most {MAX_ENDPOINT_ATTRIBUTE_VALUE_LENGTH} characters"
    return None


MAX_ENDPOINTS = 100_000
"""Endpoints kept; the least recently updated is forgotten first (a later update starts it afresh)."""


class PinpointService:
    def __init__(self, application_id: str, event_log: EventLog, max_endpoints: int = MAX_ENDPOINTS) -> None:
        self._application_id = application_id
        self._event_log = event_log
        self._endpoints: LRUCache[str, dict[str, Any]] = LRUCache(maxsize=max_endpoints)
        self._lock = threading.Lock()

    def _check_application(self, application_id: str) -> None:
        if application_id != self._application_id:
            raise not_found(f"Application {application_id} not found")

    def put_events(self, application_id: str, request: dict[str, Any]) -> dict[str, Any]:
        self._check_application(application_id)
        batches: dict[str, dict[str, Any]] = request["BatchItem"]
        if sum(len(batch["Events"]) for batch in batches.values()) > MAX_EVENTS_PER_REQUEST:
            raise bad_request(f"A request holds at most {MAX_EVENTS_PER_REQUEST} events")
        results: dict[str, Any] = {}
        records: list[dict[str, Any]] = []
        for endpoint_id, batch in batches.items():
            outcomes: dict[str, Any] = {}
            for event_id, event in batch["Events"].items():
                problem = event_problem(event)
                outcomes[event_id] = ACCEPTED if problem is None else {"Message": problem, "StatusCode": 400}
                if problem is None:
                    records.append(
                        self._event_record(application_id, endpoint_id, event_id, event, batch["Endpoint"])
                    )
            results[endpoint_id] = {"EndpointItemResponse": ACCEPTED, "EventsItemResponse": outcomes}
        self._event_log.add("pinpoint-events", records)
        return {"Results": results}

    @staticmethod
    def _event_record(
        application_id: str, endpoint_id: str, event_id: str, event: dict[str, Any], endpoint: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "applicationId": application_id,
            "endpointId": endpoint_id,
            "eventId": event_id,
            "eventType": event["EventType"],
            "timestamp": event["Timestamp"],
            "attributes": event.get("Attributes") or {},
            "metrics": event.get("Metrics") or {},
            "session": event.get("Session"),
            "userId": (endpoint.get("User") or {}).get("UserId"),
            "endpoint": endpoint,
        }

    def update_endpoint(
        self, application_id: str, endpoint_id: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        self._check_application(application_id)
        problem = endpoint_problem(request)
        if problem is not None:
            raise bad_request(problem)
        with self._lock:
            merged = {**self._endpoints.get(endpoint_id, {}), **request}
            self._endpoints[endpoint_id] = merged
        self._event_log.add(
            "pinpoint-endpoints",
            [{"applicationId": application_id, "endpointId": endpoint_id, "endpoint": merged}],
        )
        return {"Message": "Accepted"}
