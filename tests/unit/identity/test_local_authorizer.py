"""The local gateway's Cognito authorizer accepts what API Gateway's would, and nothing else."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local.authorizer import (
    CognitoAuthorizer,
    JwksKeys,
    UnauthorizedError,
    UserPool,
    api_gateway_claim_value,
    verify,
)

pytestmark = pytest.mark.unit

POOL = UserPool(
    region="us-east-1",
    user_pool_id="us-east-1_pool",
    client_ids=("client-a",),
    jwks_url="http://127.0.0.1:1/us-east-1_pool/.well-known/jwks.json",
)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "key-1"


def jwks(*keys: tuple[str, rsa.RSAPrivateKey]) -> dict[str, Any]:
    entries = []
    for kid, key in keys:
        entry = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        entries.append({**entry, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": entries}


def authorizer(document: dict[str, Any] | None = None) -> CognitoAuthorizer:
    served = document or jwks((KID, KEY))
    return CognitoAuthorizer(POOL, JwksKeys(POOL.jwks_url, fetch=lambda _url: served))


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "sub": "0b7d6c1e-0000-4000-8000-000000000001",
        "iss": POOL.issuer,
        "aud": "client-a",
        "token_use": "id",
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "email": "shopper@example.com",
        "email_verified": True,
        "custom:shopper_id": "42",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def token(payload: dict[str, Any] | None = None, key: rsa.RSAPrivateKey = KEY, kid: str = KID) -> str:
    return jwt.encode(payload or claims(), key, algorithm="RS256", headers={"kid": kid})


def test_a_valid_id_token_gives_its_claims_as_strings() -> None:
    result = authorizer().claims(token())
    assert result["sub"] == "0b7d6c1e-0000-4000-8000-000000000001"
    assert result["custom:shopper_id"] == "42"
    assert result["email_verified"] == "true"
    assert all(isinstance(value, str) for value in result.values())
    assert result["exp"].endswith(time.strftime("%Y", time.gmtime()))


def test_the_header_is_read_in_any_case() -> None:
    assert verify(authorizer(), [("authorization", token())])["aud"] == "client-a"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tampered() -> str:
    header, payload, signature = token().split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["custom:shopper_id"] = "7"
    return ".".join([header, b64(json.dumps(forged).encode()), signature])


def unsigned() -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": KID}).encode())
    return f"{header}.{b64(json.dumps(claims()).encode())}."


def hs256_with_the_public_key() -> str:
    """Algorithm confusion: the public key used as an HMAC secret."""
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    body = b64(json.dumps(claims()).encode())
    return f"{header}.{body}.{b64(b'not-a-real-mac')}"


REFUSED = {
    "no token": lambda: None,
    "empty": lambda: "  ",
    "not a JWT": lambda: "abc",
    "Bearer scheme": lambda: f"Bearer {token()}",
    "tampered payload": tampered,
    "signed by another key under the same kid": lambda: token(key=OTHER_KEY),
    "unknown kid": lambda: token(kid="other"),
    "another pool": lambda: token(claims(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other")),
    "another region": lambda: token(claims(iss="https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_pool")),
    "another client": lambda: token(claims(aud="client-b")),
    "expired": lambda: token(claims(exp=int(time.time()) - 1)),
    "no expiry": lambda: token(claims(exp=None)),
    "access token": lambda: token(claims(token_use="access")),
    "no token_use": lambda: token(claims(token_use=None)),
    "issued in the future": lambda: token(claims(iat=int(time.time()) + 600)),
    "alg none": unsigned,
    "HS256": hs256_with_the_public_key,
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused(case: str) -> None:
    with pytest.raises(UnauthorizedError):
        authorizer().claims(REFUSED[case]())


def test_a_rotated_key_is_fetched_again_but_not_on_every_request() -> None:
    documents = [jwks(("old", OTHER_KEY)), jwks(("old", OTHER_KEY), (KID, KEY))]
    keys = JwksKeys(POOL.jwks_url, fetch=lambda _url: documents.pop(0))
    checker = CognitoAuthorizer(POOL, keys)
    assert checker.claims(token(key=OTHER_KEY, kid="old"))["sub"]
    with pytest.raises(UnauthorizedError):
        checker.claims(token())  # the new key is unknown, and the JWKS was fetched a moment ago
    keys._fetched_at = time.monotonic() - 60  # as if a minute had passed
    assert checker.claims(token())["sub"]
    assert documents == []


def test_an_unreachable_jwks_refuses_every_token() -> None:
    def unreachable(_url: str) -> dict[str, Any]:
        raise OSError("connection refused")

    with pytest.raises(UnauthorizedError):
        CognitoAuthorizer(POOL, JwksKeys(POOL.jwks_url, fetch=unreachable)).claims(token())


def test_claim_values_as_api_gateway_renders_them() -> None:
    assert api_gateway_claim_value("exp", 0) == "Thu Jan 01 00:00:00 UTC 1970"
    assert api_gateway_claim_value("email_verified", False) == "false"
    assert api_gateway_claim_value("cognito:groups", ["a", "b"]) == "[a, b]"
    assert api_gateway_claim_value("custom:shopper_id", "42") == "42"
