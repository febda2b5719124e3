"""Schemathesis against the local stack: the running API keeps openapi.json.

Every built-in check is on (server errors, status codes, content types, response schemas and
headers, schema-valid data accepted, schema-invalid data rejected, missing headers, response
time) but one: an undeclared method gets API Gateway's own 403 "Missing Authentication Token",
not the 405 `unsupported_method` wants, so `undeclared_method_is_api_gateways_403` checks that
instead. POST /events may answer its documented 503 (when the local bus times out);
`status_code_conformance` still refuses a 503 on any other route. The `map_case` hook brings
schema-valid cases within the rules openapi.json can only describe in words: a sentAt window
relative to now, the properties' JSON length, eventIds unique within a request, a `filterValue`
with `include-category`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
import schemathesis
from schemathesis import Case, CheckContext, HookContext, Response

from personalization.contracts.events import properties_json
from personalization.contracts.limits import MAX_EVENT_AGE, MAX_FUTURE_SKEW, MAX_PROPERTIES_JSON_LENGTH
from repository import REPOSITORY_ROOT
from tests.stack_fixture import LocalStackHandle

pytestmark = pytest.mark.integration

MAX_EXAMPLES = 100
"""Per operation in the fuzzing phase; the examples and coverage phases add their own cases."""

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
        "checks": {
            "enabled": True,
            "unsupported_method": {"enabled": False},
            "max_response_time": 5.0,
        },
        "operations": [
            {
                "include-path": "/events",
                "checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}},
            }
        ],
    }
)
schema = schemathesis.openapi.from_path(REPOSITORY_ROOT / "openapi.json", config=CONFIG)


@schemathesis.check
def undeclared_method_is_api_gateways_403(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A method openapi.json does not list for the path is answered as API Gateway does."""
    if response.request.method in (case.operation.method.upper(), "OPTIONS"):
        return None
    assert response.status_code == 403, f"{response.request.method} answered {response.status_code}"
    assert response.json() == {"message": "Missing Authentication Token"}
    return True


def _in_window(sent_at: Any) -> Any:
    try:
        moment = datetime.fromisoformat(sent_at)
    except (TypeError, ValueError):
        return sent_at
    now = datetime.now(UTC)
    if moment.tzinfo is None or not now - MAX_EVENT_AGE < moment < now + MAX_FUTURE_SKEW:
        return now.isoformat()
    return sent_at


@schema.hook("map_case")
def within_the_rules_json_schema_cannot_state(context: HookContext, case: Case) -> Case:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    query = case.query if isinstance(case.query, dict) else {}
    if query.get("filter") == "include-category" and not query.get("filterValue"):
        query["filterValue"] = "apparel"
    if case.operation.path == "/events" and isinstance(case.body, dict):
        # A positive case follows the schema: `events` is an array of objects.
        events = cast(list[dict[str, Any]], case.body.get("events") or [])
        for index, event in enumerate(events):
            if event.get("sentAt") is not None:
                event["sentAt"] = _in_window(event["sentAt"])
            if event.get("eventId") is not None:
                event["eventId"] = f"{event['eventId'][:200]}-{index}"
            properties = event.get("properties") or {}
            while len(properties_json(properties)) > MAX_PROPERTIES_JSON_LENGTH:
                properties.popitem()
    return case


@schema.parametrize()
def test_the_local_stack_keeps_openapi_json(case: Case, local_stack: LocalStackHandle) -> None:
    case.call_and_validate(base_url=local_stack.api_url)
