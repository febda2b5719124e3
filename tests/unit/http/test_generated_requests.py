"""Property-based: every HTTP handler, in-process, against generated valid and hostile requests.

No answer is a 5xx; every status is one openapi.json documents for the route; a 2xx validates
against its response model (and the route's promises), a 4xx is exactly the error body
`{"message", "errors": [{"field", "problem"}]}`. Valid requests are answered 2xx. The fake
Personalize and event bus fail now and then, so fallbacks and 503s are generated too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from personalization.adapters import aws, event_bus, personalize
from personalization.adapters.event_bus import event_publisher
from personalization.adapters.ssm_config import config_reader
from personalization.contracts import parameters
from personalization.contracts.api import RecommendationsResponse
from personalization.contracts.events import (
    NOT_ACCEPTED_MESSAGES,
    EventsNotAcceptedResponse,
    TrackEventsResponse,
)
from personalization.http.models import ErrorResponse
from personalization.observability import logger
from personalization.wiring import read_dependencies
from rank.handler import lambda_handler as rank_handler
from recommend.handler import lambda_handler as recommend_handler
from related.handler import lambda_handler as related_handler
from tests.apigw import FakeLambdaContext
from tests.unit.http import strategies as s
from tests.unit.read.conftest import CONFIGURED, PREFIX
from track_event.handler import lambda_handler as events_handler

pytestmark = pytest.mark.unit

VALID_EXAMPLES = 250
HOSTILE_EXAMPLES = 1000
"""Per route: 1,250 generated requests in every `make test`."""

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
DEPENDENCY_OUTCOMES = st.sampled_from(["ok", "ok", "ok", "throttled", "failing"])


def fuzz(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def failure(code: str, status: int) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": "arn:aws:iam::123456789012:role/secret"}}
    response["ResponseMetadata"] = {"HTTPStatusCode": status}
    return ClientError(response, "Call")


@dataclass
class FakeRuntime:
    """Personalize runtime answering plausible lists, or failing as told."""

    outcome: str = "ok"

    def _fail(self) -> None:
        if self.outcome == "throttled":
            raise failure("ThrottlingException", 400)
        if self.outcome == "failing":
            raise failure("InternalServerError", 500)

    def get_recommendations(self, **request: Any) -> dict[str, Any]:
        self._fail()
        items = [{"itemId": f"p{n}", "score": 1 / (n + 1)} for n in range(request["numResults"])]
        return {"itemList": items, "recommendationId": "rid-1"}

    def get_personalized_ranking(self, **request: Any) -> dict[str, Any]:
        self._fail()
        return {"personalizedRanking": [{"itemId": i} for i in reversed(request["inputList"])]}


@dataclass
class FakeBus:
    """EventBridge taking every entry, refusing every other one, or failing whole calls."""

    outcome: str = "ok"
    details: list[dict[str, Any]] = field(default_factory=list)

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        if self.outcome == "failing":
            raise failure("AccessDeniedException", 400)
        results = []
        for index, entry in enumerate(Entries):
            if self.outcome == "throttled" and index % 2:
                results.append({"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"})
            else:
                self.details.append(json.loads(entry["Detail"]))
                results.append({"EventId": f"bus-{len(self.details)}"})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


@dataclass
class Fakes:
    runtime: FakeRuntime
    bus: FakeBus


@pytest.fixture(scope="module")
def fakes() -> Iterator[Fakes]:
    """SSM in moto with every parameter set; Personalize and the bus faked; no retry delays; quiet logs."""
    aws.reset_clients()
    for cached in (read_dependencies, config_reader, event_publisher):
        cached.cache_clear()
    level = logger.log_level
    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        ssm = boto3.client("ssm", region_name="us-east-1")
        for name, value in CONFIGURED.items():
            kind: Literal["StringList", "String"] = (
                "StringList" if name == parameters.FEATURED_ITEM_IDS else "String"
            )
            ssm.put_parameter(Name=parameters.full_name(PREFIX, name), Value=value, Type=kind, Overwrite=True)
        runtime, bus = FakeRuntime(), FakeBus()
        aws.set_client("personalize-runtime", runtime)
        aws.set_client("events", bus)
        patch.setattr(event_bus, "RETRY_DELAYS_SECONDS", (0.0, 0.0))
        patch.setattr(personalize, "RETRY_DELAY_SECONDS", 0.0)
        logger.setLevel("ERROR")
        yield Fakes(runtime, bus)
    logger.setLevel(level)
    aws.reset_clients()
    for cached in (read_dependencies, config_reader, event_publisher):
        cached.cache_clear()


def answer(handler: Handler, request: dict[str, Any], documented: set[int]) -> tuple[int, Any]:
    """The handler's status and JSON body; fails on a 5xx other than a documented one, an
    undocumented status, or a 4xx that is not the error body."""
    response = handler(request, FakeLambdaContext())
    status = response["statusCode"]
    event(f"status {status}")
    assert status in documented, (status, response["body"][:500])
    headers = {name.lower(): values[-1] for name, values in response["multiValueHeaders"].items()}
    assert headers["content-type"] == "application/json"
    body = json.loads(response["body"])
    if 400 <= status < 500:
        ErrorResponse.model_validate(body, strict=True)
        assert set(body) == {"message", "errors"}
        assert all(set(error) == {"field", "problem"} for error in body["errors"])
    return status, body


def query_of(request: dict[str, Any]) -> dict[str, str]:
    return request["queryStringParameters"] or {}


def check_recommendations(request: dict[str, Any], body: Any) -> None:
    answered = RecommendationsResponse.model_validate(body, strict=True)
    assert len(answered.items) <= int(query_of(request).get("numResults", "25"))


def check_related(request: dict[str, Any], body: Any) -> None:
    check_recommendations(request, body)
    assert query_of(request)["itemId"] not in {item["itemId"] for item in body["items"]}


def check_ranking(request: dict[str, Any], body: Any) -> None:
    RecommendationsResponse.model_validate(body, strict=True)
    assert sorted(item["itemId"] for item in body["items"]) == sorted(json.loads(request["body"])["itemIds"])


def check_events(request: dict[str, Any], status: int, body: Any) -> None:
    """Each event is answered once, as accepted or not, under the eventId it was sent with."""
    sent = json.loads(request["body"])["events"]
    if status == 202:
        ids = TrackEventsResponse.model_validate(body, strict=True).eventIds
    else:
        refused = EventsNotAcceptedResponse.model_validate(body, strict=True)
        assert all(e.errorMessage == NOT_ACCEPTED_MESSAGES[e.errorCode] for e in refused.notAccepted)
        assert "123456789012" not in json.dumps(body)
        ids = refused.eventIds + [e.eventId for e in refused.notAccepted]
    assert len(ids) == len(set(ids)) == len(sent)
    assert {e["eventId"] for e in sent if e.get("eventId") is not None} <= set(ids)  # null: generated


EVENTS = s.post_requests("/events", s.events_body()) | s.post_requests("/me/events", s.events_body())
SIGNED_IN = st.sampled_from(["", "/me"])
"""The anonymous route of a use case, or its signed-in twin (the authorizer's claims in the event)."""

Requests = st.SearchStrategy[dict[str, Any]]
JSON_HEADERS = s.headers(st.just("application/json"))


@dataclass(frozen=True)
class ReadRoute:
    """A read use case: how its anonymous path is called (the signed-in twin is under /me), its
    handler, its valid query or body, the check of a 200's body, and the statuses openapi.json
    documents for it (the answer or the 400 error body, unless the route documents more)."""

    method: Literal["GET", "POST"]
    path: str
    handler: Handler
    valid: st.SearchStrategy[dict[str, Any]]
    check: Callable[[dict[str, Any], Any], None]
    documented: frozenset[int] = frozenset({200, 400})

    @property
    def name(self) -> str:
        return self.path.removeprefix("/")

    def valid_requests(self, family: str) -> Requests:
        """Valid requests on the family's path: a valid query, or a valid JSON body; JSON headers."""
        path = family + self.path
        if self.method == "GET":
            return st.builds(
                lambda q, h: s.proxy_event("GET", path, h, s.single(q)), self.valid, JSON_HEADERS
            )
        return st.builds(
            lambda b, h: s.proxy_event("POST", path, h, body=json.dumps(b)), self.valid, JSON_HEADERS
        )

    @cached_property
    def hostile_requests(self) -> Requests:
        """Any request on either path: valid or odd queries, headers and bodies, raw bytes."""
        requests = s.get_requests if self.method == "GET" else s.post_requests
        return requests(self.path, self.valid) | requests("/me" + self.path, self.valid)


READ_ROUTES = [
    ReadRoute("GET", "/recommendations", recommend_handler, s.recommendations_query(), check_recommendations),
    ReadRoute("GET", "/related", related_handler, s.related_query(), check_related),
    ReadRoute("POST", "/rank", rank_handler, s.rank_body(), check_ranking, frozenset({200, 400, 413, 415})),
]


@pytest.mark.parametrize("route", READ_ROUTES, ids=lambda route: route.name)
@fuzz(VALID_EXAMPLES)
@given(data=st.data(), outcome=DEPENDENCY_OUTCOMES)
def test_valid_read_requests_are_answered(fakes: Fakes, route: ReadRoute, data: Any, outcome: str) -> None:
    fakes.runtime.outcome = outcome
    family = data.draw(SIGNED_IN, label="family")
    request = data.draw(route.valid_requests(family), label="request")

    _, body = answer(route.handler, request, {200})
    route.check(request, body)


@pytest.mark.parametrize("route", READ_ROUTES, ids=lambda route: route.name)
@fuzz(HOSTILE_EXAMPLES)
@given(data=st.data(), outcome=DEPENDENCY_OUTCOMES)
def test_any_read_request_is_a_documented_answer(
    fakes: Fakes, route: ReadRoute, data: Any, outcome: str
) -> None:
    fakes.runtime.outcome = outcome
    request = data.draw(route.hostile_requests, label="request")
    status, body = answer(route.handler, request, set(route.documented))
    if status == 200:
        route.check(request, body)


@fuzz(VALID_EXAMPLES)
@given(
    family=SIGNED_IN,
    body=s.events_body(),
    headers=s.headers(st.sampled_from(["application/json", "text/plain;charset=UTF-8"])),
    outcome=DEPENDENCY_OUTCOMES,
)
def test_valid_event_requests_are_accepted_or_named_in_a_503(
    fakes: Fakes, body: Any, headers: Any, outcome: str, family: str
) -> None:
    fakes.bus.outcome = outcome
    request = s.proxy_event("POST", family + "/events", headers, body=json.dumps(body))

    expected = {"ok": {202}, "failing": {503}}.get(outcome, {202, 503})
    status, answered = answer(events_handler, request, expected)
    check_events(request, status, answered)


@fuzz(HOSTILE_EXAMPLES)
@given(request=EVENTS, outcome=DEPENDENCY_OUTCOMES)
def test_any_event_request_is_a_documented_answer(fakes: Fakes, request: Any, outcome: str) -> None:
    fakes.bus.outcome = outcome
    fakes.bus.details.clear()
    status, body = answer(events_handler, request, {202, 400, 413, 415, 503})
    if status in (202, 503):
        check_events(request, status, body)
    else:
        assert fakes.bus.details == []
    for detail in fakes.bus.details:
        for value in detail["properties"].values():
            assert not isinstance(value, int | float) or abs(value) <= 2**53
