"""The storefront's calls, over HTTP (`requests`): the user pool, the read API and the events.

`CognitoAccounts` makes the calls `storefront/js/cognito.js` makes: a JSON POST with
`X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>` to the pool's endpoint (the twin's
moto, from the storefront's config.json). A simulated shopper signs up (the twin confirms at once)
or, when its account exists, signs in; then it emulates its dataset shopper as the Profile page
does: `custom:shopper_id` written, the ID token refreshed. `ShopperClient` calls the `/me/*` routes
with that ID token in `Authorization` (a 401 signs in again once), and posts events as
`storefront/js/events.js` does: after a 503 only the events it names as not accepted are sent
again, with the same eventIds, a bounded number of times.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from simulate.shopper import Answer

logger = logging.getLogger("simulate.client")

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
SHOPPER_ID_ATTRIBUTE = "custom:shopper_id"
TIMEOUT_SECONDS = 10.0
MAX_EVENTS_PER_REQUEST = 25
MAX_EVENT_ATTEMPTS = 5
"""Sends of a batch at most (the first and four retries) before its events count as lost."""
RETRY_BASE_SECONDS = 0.2
RETRY_MAX_SECONDS = 2.0


class CognitoError(RuntimeError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code


class ApiError(RuntimeError):
    def __init__(self, method: str, path: str, status: int | None, body: str) -> None:
        where = f"{method} {path}"
        super().__init__(f"{where} answered {status}: {body[:300]}" if status else f"{where} failed: {body}")
        self.status = status


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str | None


class CognitoAccounts:
    """The pool's API as the storefront calls it (no AWS signature: the client id or a token authorizes)."""

    def __init__(self, endpoint: str, client_id: str, session: requests.Session | None = None) -> None:
        self.endpoint = endpoint if endpoint.endswith("/") else f"{endpoint}/"
        self.client_id = client_id
        self.session = session or requests.Session()

    def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.session.post(
                self.endpoint,
                json=body,
                headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": f"{TARGET_PREFIX}{operation}",
                },
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            raise CognitoError("NetworkError", f"{operation}: {error}") from error
        try:
            payload: dict[str, Any] = response.json()
        except ValueError:
            payload = {}
        if not response.ok:
            code = str(payload.get("__type") or payload.get("code") or f"HTTP{response.status_code}")
            raise CognitoError(
                code.rsplit("#", maxsplit=1)[-1], str(payload.get("message") or payload.get("Message") or "")
            )
        return payload

    def sign_up_or_in(self, email: str, password: str) -> Tokens:
        """Signs the account up unless it exists (the twin confirms sign-ups at once), then signs in."""
        try:
            self.call(
                "SignUp",
                {
                    "ClientId": self.client_id,
                    "Username": email,
                    "Password": password,
                    "UserAttributes": [{"Name": "email", "Value": email}],
                },
            )
        except CognitoError as error:
            if error.code != "UsernameExistsException":
                raise
        return self.sign_in(email, password)

    def sign_in(self, email: str, password: str) -> Tokens:
        """USER_PASSWORD_AUTH, as the twin's storefront signs in (config.json `authFlow`)."""
        answer = self.call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": email, "PASSWORD": password},
            },
        )
        return _tokens(answer, None)

    def emulate(self, tokens: Tokens, shopper_id: str) -> Tokens:
        """Links the account to a dataset shopper and answers the refreshed tokens (Profile's Save)."""
        if tokens.refresh_token is None:
            raise CognitoError("NoRefreshToken", "the sign-in gave no refresh token")
        self.call(
            "UpdateUserAttributes",
            {
                "AccessToken": tokens.access_token,
                "UserAttributes": [{"Name": SHOPPER_ID_ATTRIBUTE, "Value": shopper_id}],
            },
        )
        answer = self.call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": tokens.refresh_token},
            },
        )
        return _tokens(answer, tokens.refresh_token)


def _tokens(answer: dict[str, Any], refresh_token: str | None) -> Tokens:
    result = answer.get("AuthenticationResult")
    if not isinstance(result, dict):
        raise CognitoError("UnsupportedChallenge", str(answer.get("ChallengeName", "no tokens")))
    return Tokens(
        id_token=str(result["IdToken"]),
        access_token=str(result["AccessToken"]),
        refresh_token=result.get("RefreshToken") or refresh_token,
    )


@dataclass
class EventsOutcome:
    """What became of the events of one `post_events`: on the bus, refused (4xx), or given up on."""

    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    retries: int = 0


@dataclass
class RequestCounter:
    """Requests made and failed, over every shopper (thread-safe)."""

    requests: int = 0
    failures: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, failed: bool = False) -> None:
        with self._lock:
            self.requests += 1
            self.failures += int(failed)


class ShopperClient:
    """One signed-in shopper's calls to the API; `sign_in` gives a fresh ID token (used again on a 401)."""

    def __init__(
        self,
        api_url: str,
        sign_in: Callable[[], str],
        session: requests.Session | None = None,
        counter: RequestCounter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._sign_in = sign_in
        self.session = session or requests.Session()
        self.counter = counter or RequestCounter()
        self._sleep = sleep
        self._id_token: str | None = None

    def recommendations(self, num_results: int) -> Answer:
        return Answer.from_json(self._call("GET", "recommendations", params={"numResults": num_results}))

    def related(self, item_id: str, num_results: int, session_id: str) -> Answer:
        params = {"itemId": item_id, "numResults": num_results, "sessionId": session_id}
        return Answer.from_json(self._call("GET", "related", params=params))

    def rank(self, item_ids: tuple[str, ...], context: str = "category") -> Answer:
        return Answer.from_json(
            self._call("POST", "rank", body={"itemIds": list(item_ids), "context": context})
        )

    def _call(
        self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None
    ) -> dict[str, Any]:
        response = self._request(method, path, params=params, body=body)
        if response.status_code != 200:
            raise ApiError(method, f"/me/{path}", response.status_code, response.text)
        answer: dict[str, Any] = response.json()
        return answer

    def _request(
        self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None
    ) -> requests.Response:
        """The /me/ route with the ID token; a 401 signs in again and tries once more."""
        for attempt in range(2):
            if self._id_token is None or attempt == 1:
                self._id_token = self._sign_in()
            try:
                response = self.session.request(
                    method,
                    f"{self.api_url}/me/{path}",
                    params=params,
                    json=body,
                    headers={"Authorization": self._id_token},
                    timeout=TIMEOUT_SECONDS,
                )
            except requests.RequestException as error:
                self.counter.count(failed=True)
                raise ApiError(method, f"/me/{path}", None, str(error)) from error
            self.counter.count(failed=response.status_code >= 400)
            if response.status_code != 401:
                return response
        return response

    def post_events(self, session_id: str, events: list[dict[str, Any]]) -> EventsOutcome:
        """Sends the events in batches of 25; after a 503 those it names again (same eventIds), after
        a network error or another 5xx the whole batch again, with backoff, at most 5 sends a batch."""
        outcome = EventsOutcome()
        for start in range(0, len(events), MAX_EVENTS_PER_REQUEST):
            self._send_batch(session_id, events[start : start + MAX_EVENTS_PER_REQUEST], outcome)
        return outcome

    def _send_batch(self, session_id: str, batch: list[dict[str, Any]], outcome: EventsOutcome) -> None:
        pending = batch
        for attempt in range(MAX_EVENT_ATTEMPTS):
            if attempt:
                outcome.retries += 1
                self._sleep(min(RETRY_BASE_SECONDS * 2 ** (attempt - 1), RETRY_MAX_SECONDS))
            try:
                response = self._request("POST", "events", body={"sessionId": session_id, "events": pending})
            except ApiError as error:
                logger.warning("events not sent (attempt %d): %s", attempt + 1, error)
                continue
            if response.status_code == 202:
                outcome.accepted.extend(event["eventId"] for event in pending)
                return
            if response.status_code == 503:
                pending = self._not_accepted(response, pending, outcome)
                if not pending:
                    return
                continue
            if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                logger.error("events refused by the API (%d): %s", response.status_code, response.text[:500])
                outcome.rejected.extend(event["eventId"] for event in pending)
                return
            logger.warning("events answered %d (attempt %d)", response.status_code, attempt + 1)
        outcome.lost.extend(event["eventId"] for event in pending)

    @staticmethod
    def _not_accepted(
        response: requests.Response, pending: list[dict[str, Any]], outcome: EventsOutcome
    ) -> list[dict[str, Any]]:
        """The events a 503 names as not accepted (the others are on the bus); all when it names none."""
        try:
            body = response.json()
            named = {str(entry["eventId"]) for entry in body["notAccepted"]}
        except (ValueError, KeyError, TypeError):
            return pending
        outcome.accepted.extend(event["eventId"] for event in pending if event["eventId"] not in named)
        return [event for event in pending if event["eventId"] in named]
