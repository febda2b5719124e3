"""The local gateway's Cognito user-pool authorizer: what API Gateway checks before a /me/* method runs.

API Gateway's native `COGNITO_USER_POOLS` authorizer reads the `Authorization` header (the ID
token itself, no scheme), verifies the JWT against the pool's public keys and answers 401
`{"message":"Unauthorized"}` without calling the function when anything is wrong. Here the same
checks run with PyJWT, against the keys moto serves at `/<pool id>/.well-known/jwks.json`:

- the signature, RS256 only (`alg: none`, HS256 and the rest are refused), with the key the
  header's `kid` names;
- the issuer `https://cognito-idp.<region>.amazonaws.com/<pool id>` (moto signs every pool's
  tokens with one key, so this is what refuses another pool's token);
- the audience: one of the pool's app clients (`aud` of an ID token);
- `exp` (required, no leeway) and `iat`, and `token_use` = `id` (an access token is refused).

The claims reach the function in `requestContext.authorizer.claims` as API Gateway passes them:
every value a string (numbers of seconds as dates like `Tue Dec 01 08:12:01 UTC 2026`, booleans as
`true`/`false`, lists as `[a, b]`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt

logger = logging.getLogger("local.authorizer")

ALGORITHMS = ["RS256"]
"""What Cognito signs user-pool tokens with; the only algorithm accepted."""
DATE_CLAIMS = frozenset({"exp", "iat", "auth_time"})
JWKS_REFETCH_SECONDS = 30


class UnauthorizedError(Exception):
    """The request carries no token API Gateway's Cognito authorizer would accept (answered 401)."""


@dataclass(frozen=True)
class UserPool:
    """The pool an authorizer trusts, and where its public keys are."""

    region: str
    user_pool_id: str
    client_ids: tuple[str, ...]
    jwks_url: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


def api_gateway_claim_value(name: str, value: Any) -> str:
    """A claim's value as API Gateway's REST authorizer context holds it: always a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in DATE_CLAIMS and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(part) for part in value) + "]"
    return str(value)


class JwksKeys:
    """The pool's public keys, fetched from its JWKS URL and kept; fetched again for an unknown `kid`
    (a key rotation), at most once per JWKS_REFETCH_SECONDS."""

    def __init__(self, url: str, fetch: Callable[[str], Mapping[str, Any]] | None = None) -> None:
        self.url = url
        self._fetch = fetch or _fetch_json
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str | None) -> jwt.PyJWK:
        with self._lock:
            if kid not in self._keys and self._may_fetch():
                self._load()
            found = self._keys.get(str(kid))
        if found is None:
            raise UnauthorizedError(f"no key {kid!r} in the pool's JWKS")
        return found

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at >= JWKS_REFETCH_SECONDS

    def _load(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            document = self._fetch(self.url)
            key_set = jwt.PyJWKSet.from_dict(dict(document))
        except (OSError, ValueError, TypeError, jwt.PyJWTError) as error:
            logger.warning("JWKS %s unavailable: %s", self.url, error)
            return
        self._keys = {str(key.key_id): key for key in key_set.keys if key.key_id is not None}


def _fetch_json(url: str) -> Mapping[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (the pool's http(s) URL)
        document = json.loads(response.read())
    if not isinstance(document, Mapping):
        raise TypeError("the JWKS is not a JSON object")
    return document


class CognitoAuthorizer:
    """Verifies ID tokens of one user pool; `claims(header)` or UnauthorizedError."""

    def __init__(self, pool: UserPool, keys: JwksKeys | None = None) -> None:
        self.pool = pool
        self._keys = keys or JwksKeys(pool.jwks_url)

    def claims(self, authorization: str | None) -> dict[str, str]:
        """The token's claims, as strings; raises UnauthorizedError for a missing or invalid token."""
        if not authorization or not authorization.strip():
            raise UnauthorizedError("no Authorization header")
        token = authorization.strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise UnauthorizedError(f"invalid token: {error}") from error
        if header.get("alg") not in ALGORITHMS:
            raise UnauthorizedError(f"algorithm {header.get('alg')!r} is not accepted")
        try:
            payload = jwt.decode(
                token,
                key=self._keys.key(header.get("kid")),
                algorithms=ALGORITHMS,
                audience=list(self.pool.client_ids),
                issuer=self.pool.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
                leeway=0,
            )
        except UnauthorizedError:
            raise
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise UnauthorizedError(f"invalid token: {error}") from error
        if payload.get("token_use") != "id":
            raise UnauthorizedError("not an ID token")
        return {name: api_gateway_claim_value(name, value) for name, value in payload.items()}


def verify(authorizer: CognitoAuthorizer | None, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The claims for a request's headers (`Authorization`, any case; the last one wins, as in the event).
    Without an authorizer (no user pool) every request is refused."""
    if authorizer is None:
        raise UnauthorizedError("no user pool configured")
    values = [value for key, value in headers if key.lower() == "authorization"]
    return authorizer.claims(values[-1] if values else None)


def claims_summary(claims: Mapping[str, str]) -> dict[str, str]:
    """What may be logged of a token: never the token, never the email."""
    return {key: claims[key] for key in ("sub", "token_use", "aud") if key in claims}
