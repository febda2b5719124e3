"""Request routing: the services' REST paths, fault injection, validation, error shapes,
and the admin paths under `/_emulator/`.

Admin paths (JSON):
- `GET /_emulator/health`: status and dataset sizes.
- `GET /_emulator/resources`: the registered ARNs and ids, and the SSM parameter values.
- `GET|POST|DELETE /_emulator/faults`: read, merge (`{"<service>:<Operation>"|"*": {"throttleRate",
  "errorRate", "latencyMs"}}`) or clear the fault table.
- `GET|DELETE /_emulator/events[?sink=NAME]`: what the sinks received, or clear it; with
  `&since=EPOCH_SECONDS`, only what arrived after that moment, each record with its `receivedAt`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

from local.emulator.faults import FaultInjector, Outcome, parse_fault_table
from local.emulator.personalize import PersonalizeService
from local.emulator.pinpoint import PinpointService
from local.emulator.protocol import (
    SERVER_ERRORS,
    THROTTLING,
    ErrorStyle,
    Response,
    ServiceError,
    bad_request,
    invalid_input,
    json_response,
    new_request_id,
)
from local.emulator.resources import EmulatedResources
from local.emulator.sinks import EventLog
from local.emulator.validation import InputValidationError, validate_body

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/_emulator/"
MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Route:
    method: str
    path: re.Pattern[str]
    service: str
    operation: str
    success_status: int

    @property
    def name(self) -> str:
        return f"{self.service}:{self.operation}"

    @property
    def style(self) -> ErrorStyle:
        return ErrorStyle.PINPOINT if self.service == "pinpoint" else ErrorStyle.PERSONALIZE


ROUTES = (
    Route("POST", re.compile(r"^/recommendations$"), "personalize-runtime", "GetRecommendations", 200),
    Route(
        "POST", re.compile(r"^/personalize-ranking$"), "personalize-runtime", "GetPersonalizedRanking", 200
    ),
    Route("POST", re.compile(r"^/events$"), "personalize-events", "PutEvents", 200),
    Route("POST", re.compile(r"^/users$"), "personalize-events", "PutUsers", 200),
    Route("POST", re.compile(r"^/items$"), "personalize-events", "PutItems", 200),
    Route("POST", re.compile(r"^/v1/apps/(?P<application_id>[^/]+)/events$"), "pinpoint", "PutEvents", 202),
    Route(
        "PUT",
        re.compile(r"^/v1/apps/(?P<application_id>[^/]+)/endpoints/(?P<endpoint_id>[^/]+)$"),
        "pinpoint",
        "UpdateEndpoint",
        202,
    ),
)

Operation = Callable[[dict[str, str], dict[str, Any]], dict[str, Any] | None]


def _admin_error(status: int, message: str) -> Response:
    return json_response(status, {"message": message})


class EmulatorApp:
    def __init__(
        self,
        *,
        resources: EmulatedResources,
        personalize: PersonalizeService,
        pinpoint: PinpointService,
        faults: FaultInjector,
        event_log: EventLog,
        health: Callable[[], dict[str, Any]],
        ssm_parameters: Callable[[], dict[str, str]],
    ) -> None:
        self._resources = resources
        self._faults = faults
        self._event_log = event_log
        self._health = health
        self._ssm_parameters = ssm_parameters
        self._operations: dict[str, Operation] = {
            "personalize-runtime:GetRecommendations": lambda _, body: personalize.get_recommendations(body),
            "personalize-runtime:GetPersonalizedRanking": lambda _, body: (
                personalize.get_personalized_ranking(body)
            ),
            "personalize-events:PutEvents": lambda _, body: personalize.put_events(body),
            "personalize-events:PutUsers": lambda _, body: personalize.put_users(body),
            "personalize-events:PutItems": lambda _, body: personalize.put_items(body),
            "pinpoint:PutEvents": lambda path, body: pinpoint.put_events(path["application_id"], body),
            "pinpoint:UpdateEndpoint": lambda path, body: pinpoint.update_endpoint(
                path["application_id"], path["endpoint_id"], body
            ),
        }

    def handle(self, method: str, target: str, body: bytes | None) -> Response:
        """`body` is None when the request was larger than MAX_BODY_BYTES."""
        path, _, query = target.partition("?")
        if path.startswith(ADMIN_PREFIX):
            return self._admin(method, path[len(ADMIN_PREFIX) :], parse_qs(query), body)
        for route in ROUTES:
            match = route.path.match(path)
            if match and route.method == method:
                return self._service_call(route, {k: unquote(v) for k, v in match.groupdict().items()}, body)
        return _admin_error(404, f"no operation at {method} {path}")

    def _service_call(self, route: Route, path_parameters: dict[str, str], body: bytes | None) -> Response:
        request_id = new_request_id()
        delay, outcome = self._faults.draw(route.name)
        if delay:
            time.sleep(delay)
        try:
            result = self._invoke(route, path_parameters, body, outcome)
        except ServiceError as error:
            return error.response(route.style, request_id)
        except Exception:
            logger.exception("emulator failure in %s", route.name)
            return SERVER_ERRORS[route.style].response(route.style, request_id)
        if result is None:
            return Response(route.success_status, b"", {"x-amzn-RequestId": request_id})
        if route.name == "pinpoint:UpdateEndpoint":
            result = {**result, "RequestID": request_id}
        return json_response(route.success_status, result, request_id)

    def _invoke(
        self, route: Route, path_parameters: dict[str, str], body: bytes | None, outcome: Outcome
    ) -> dict[str, Any] | None:
        if outcome is Outcome.THROTTLE:
            raise THROTTLING[route.style]
        if outcome is Outcome.SERVER_ERROR:
            raise SERVER_ERRORS[route.style]
        return self._operations[route.name](path_parameters, self._parse(route, body))

    @staticmethod
    def _parse(route: Route, body: bytes | None) -> dict[str, Any]:
        reject = bad_request if route.style is ErrorStyle.PINPOINT else invalid_input
        if body is None:
            if route.style is ErrorStyle.PINPOINT:
                raise ServiceError(413, "PayloadTooLargeException", "Request entity too large")
            raise reject(f"The request body is larger than {MAX_BODY_BYTES} bytes")
        try:
            request = json.loads(body or b"{}")
        except ValueError as error:
            if route.style is ErrorStyle.PINPOINT:
                raise reject(f"The request body is not valid JSON: {error}") from error
            raise ServiceError(
                400, "SerializationException", "Start of structure or map found where not expected"
            ) from error
        try:
            validate_body(route.service, route.operation, request)
        except InputValidationError as error:
            raise reject(str(error)) from error
        return request

    def _admin(self, method: str, resource: str, query: dict[str, list[str]], body: bytes | None) -> Response:
        handlers: dict[tuple[str, str], Callable[[], Response]] = {
            ("GET", "health"): lambda: json_response(200, self._health()),
            ("GET", "resources"): lambda: json_response(
                200, {**self._resources.describe(), "ssmParameters": self._ssm_parameters()}
            ),
            ("GET", "faults"): lambda: json_response(200, {"faults": self._faults.snapshot()}),
            ("POST", "faults"): lambda: self._set_faults(body),
            ("DELETE", "faults"): self._clear_faults,
            ("GET", "events"): lambda: self._events(query),
            ("DELETE", "events"): self._clear_events,
        }
        handler = handlers.get((method, resource))
        if handler is None:
            return _admin_error(404, f"no admin operation at {method} {ADMIN_PREFIX}{resource}")
        return handler()

    def _set_faults(self, body: bytes | None) -> Response:
        try:
            for operation, fault in parse_fault_table(json.loads(body or b"")).items():
                self._faults.set(operation, fault)
        except (ValueError, TypeError) as error:
            return _admin_error(400, str(error))
        return json_response(200, {"faults": self._faults.snapshot()})

    def _clear_faults(self) -> Response:
        self._faults.clear()
        return json_response(200, {"faults": {}})

    def _events(self, query: dict[str, list[str]]) -> Response:
        sink = query.get("sink", [None])[0]
        if sink is None:
            return json_response(200, self._event_log.all_records())
        try:
            since = query.get("since", [None])[0]
            if since is not None:
                records = self._event_log.records_since(sink, float(since))
                return json_response(200, {"sink": sink, "events": records})
            return json_response(200, {"sink": sink, "events": self._event_log.records(sink)})
        except ValueError as error:
            return _admin_error(400, str(error))

    def _clear_events(self) -> Response:
        self._event_log.clear()
        return json_response(200, {"cleared": True})
