"""The storefront's calls without a network: 503s resend the events they name, with the same eventIds;
a 401 signs in again; Cognito's flows as the storefront makes them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from simulate.client import (
    MAX_EVENT_ATTEMPTS,
    CognitoAccounts,
    CognitoError,
    ShopperClient,
    Tokens,
)

pytestmark = pytest.mark.unit


def response(status: int, body: Any) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = json.dumps(body).encode()
    return answer


@dataclass
class FakeSession:
    """Answers queued per call; records every request."""

    answers: list[requests.Response | Exception]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append({"method": method, "url": url, **kwargs})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)


def client(session: FakeSession, tokens: list[str] | None = None) -> ShopperClient:
    issued = iter(tokens or ["token-1", "token-2", "token-3"])
    return ShopperClient(
        "http://127.0.0.1:3000",
        lambda: next(issued),
        session,  # type: ignore[arg-type]
        sleep=lambda _seconds: None,
    )


def events(count: int) -> list[dict[str, Any]]:
    return [{"eventId": f"e{n}", "eventType": "ProductViewed", "itemId": "p1"} for n in range(count)]


def not_accepted(*event_ids: str, accepted: tuple[str, ...] = ()) -> requests.Response:
    return response(
        503,
        {
            "message": "some events could not be put on the event bus",
            "accepted": len(accepted),
            "eventIds": list(accepted),
            "notAccepted": [
                {"eventId": e, "eventType": "ProductViewed", "errorCode": "throttled", "errorMessage": "busy"}
                for e in event_ids
            ],
        },
    )


def test_a_503_resends_only_the_events_it_names_with_their_ids() -> None:
    session = FakeSession([not_accepted("e1", accepted=("e0", "e2")), response(202, {"accepted": 1})])

    outcome = client(session).post_events("s-1", events(3))

    assert sorted(outcome.accepted) == ["e0", "e1", "e2"]
    assert outcome.retries == 1
    first, second = (call["json"] for call in session.calls)
    assert [e["eventId"] for e in first["events"]] == ["e0", "e1", "e2"]
    assert second == {"sessionId": "s-1", "events": [events(3)[1]]}
    assert all(call["url"] == "http://127.0.0.1:3000/me/events" for call in session.calls)
    assert all(call["headers"] == {"Authorization": "token-1"} for call in session.calls)


def test_retries_are_bounded_and_what_is_left_is_lost() -> None:
    session = FakeSession([not_accepted("e0") for _ in range(MAX_EVENT_ATTEMPTS)])

    outcome = client(session).post_events("s-1", events(2))

    assert outcome.accepted == ["e1"]
    assert outcome.lost == ["e0"]
    assert len(session.calls) == MAX_EVENT_ATTEMPTS


def test_a_network_error_or_a_500_resends_the_whole_batch() -> None:
    session = FakeSession([requests.ConnectionError("refused"), response(502, {}), response(202, {})])

    outcome = client(session).post_events("s-1", events(2))

    assert outcome.accepted == ["e0", "e1"]
    assert [len(call["json"]["events"]) for call in session.calls] == [2, 2, 2]


def test_a_400_is_not_retried() -> None:
    session = FakeSession([response(400, {"message": "bad"})])

    outcome = client(session).post_events("s-1", events(2))

    assert outcome.rejected == ["e0", "e1"]
    assert outcome.accepted == []
    assert len(session.calls) == 1


def test_events_go_in_batches_of_25() -> None:
    session = FakeSession([response(202, {}), response(202, {})])

    outcome = client(session).post_events("s-1", events(30))

    assert len(outcome.accepted) == 30
    assert [len(call["json"]["events"]) for call in session.calls] == [25, 5]


def test_a_401_signs_in_again_once() -> None:
    answer = {
        "items": [{"itemId": "p1"}],
        "recommendationId": "r",
        "source": "featured",
        "recipe": "user-personalization",
    }
    session = FakeSession([response(401, {"message": "Unauthorized"}), response(200, answer)])

    got = client(session).recommendations(12)

    assert got.item_ids == ("p1",)
    assert [call["headers"]["Authorization"] for call in session.calls] == ["token-1", "token-2"]
    assert session.calls[1]["params"] == {"numResults": 12}


def test_related_sends_the_session_and_rank_the_items() -> None:
    answer = {"items": [], "recommendationId": "r", "source": "personalize", "recipe": "related-items"}
    session = FakeSession([response(200, answer), response(200, answer)])
    shopper = client(session)

    shopper.related("p1", 8, "sim-1")
    shopper.rank(("p1", "p2"))

    assert session.calls[0]["params"] == {"itemId": "p1", "numResults": 8, "sessionId": "sim-1"}
    assert session.calls[1]["url"].endswith("/me/rank")
    assert session.calls[1]["json"] == {"itemIds": ["p1", "p2"], "context": "category"}


def test_cognito_signs_up_or_in_and_emulates_the_shopper() -> None:
    result = {"AuthenticationResult": {"IdToken": "id", "AccessToken": "access", "RefreshToken": "refresh"}}
    refreshed = {"AuthenticationResult": {"IdToken": "id-2", "AccessToken": "access-2"}}
    session = FakeSession(
        [
            response(400, {"__type": "UsernameExistsException", "message": "exists"}),
            response(200, result),
            response(200, {}),
            response(200, refreshed),
        ]
    )
    accounts = CognitoAccounts("http://127.0.0.1:5000", "client", session)  # type: ignore[arg-type]

    tokens = accounts.sign_up_or_in("a@simulate.example", "Secret-password-1")
    emulated = accounts.emulate(tokens, "42")

    assert tokens == Tokens("id", "access", "refresh")
    assert emulated == Tokens("id-2", "access-2", "refresh")
    targets = [call["headers"]["X-Amz-Target"].split(".")[-1] for call in session.calls]
    assert targets == ["SignUp", "InitiateAuth", "UpdateUserAttributes", "InitiateAuth"]
    assert session.calls[0]["url"] == "http://127.0.0.1:5000/"
    assert session.calls[1]["json"]["AuthFlow"] == "USER_PASSWORD_AUTH"
    assert session.calls[2]["json"]["UserAttributes"] == [{"Name": "custom:shopper_id", "Value": "42"}]
    assert session.calls[3]["json"]["AuthParameters"] == {"REFRESH_TOKEN": "refresh"}


def test_cognito_errors_carry_their_code() -> None:
    session = FakeSession([response(400, {"__type": "com.amazon#NotAuthorizedException", "message": "no"})])
    accounts = CognitoAccounts("http://127.0.0.1:5000/", "client", session)  # type: ignore[arg-type]

    with pytest.raises(CognitoError) as raised:
        accounts.sign_in("a@simulate.example", "wrong")
    assert raised.value.code == "NotAuthorizedException"
