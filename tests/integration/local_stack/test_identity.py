"""Shopper identity over HTTP against the local stack: a token of the local pool opens the /me routes,
nothing else does, and a token for one shopper can neither read nor write another's data."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from personalization.contracts.topology import ROUTES, Route
from tests.stack_fixture import LocalStackHandle
from tests.tokens import account_tokens, shopper_token, signed_in
from tests.variants import in_variant

pytestmark = pytest.mark.integration

TIMEOUT = 10
SIGNED_IN_ROUTES = [route for route in ROUTES if route.signed_in]
UNAUTHORIZED = {"message": "Unauthorized"}


def route_id(route: Route) -> str:
    return f"{route.method} {route.path}"


@pytest.fixture(scope="module")
def pool(local_stack: LocalStackHandle) -> dict[str, Any]:
    cognito: dict[str, Any] = local_stack.info["cognito"]
    return cognito


@pytest.fixture(scope="module")
def item_ids(local_stack: LocalStackHandle) -> list[str]:
    catalog = json.loads((local_stack.dataset_dir / "catalog.json").read_text())
    return [item["id"] for item in catalog["items"][:8]]


def call(
    stack: LocalStackHandle,
    route: Route,
    item_ids: list[str],
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> requests.Response:
    """A valid request of the route (its family's body or query), with the given headers."""
    params: dict[str, str] = {}
    body: Any = None
    if route.function.name == "related":
        params = {"itemId": item_ids[0]}
    elif route.function.name == "rank":
        body = {"itemIds": item_ids}
    elif route.function.name == "track_event":
        body = {
            "sessionId": f"s-{uuid.uuid4()}",
            "events": [{"eventType": "ProductViewed", "itemId": item_ids[0]}],
        }
    params.update(extra.pop("params", {}))
    if "body" in extra:
        body = extra.pop("body")
    return requests.request(
        route.method,
        f"{stack.api_url}{route.path}",
        params=params,
        json=body,
        headers=headers,
        timeout=TIMEOUT,
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "==")),
        json.loads(base64.urlsafe_b64decode(payload + "==")),
        signature,
    )


def forged(token: str, **claims: Any) -> str:
    """The token with changed claims and its original signature (which no longer matches)."""
    header, _, signature = token.split(".")
    changed = {**parts(token)[1], **claims}
    return ".".join([header, b64(json.dumps(changed).encode()), signature])


def signed_by_another_key(token: str, **claims: Any) -> str:
    header, payload, _ = parts(token)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode({**payload, **claims}, key, algorithm="RS256", headers={"kid": header["kid"]})


def unsigned(token: str) -> str:
    _, payload, _ = parts(token)
    return f"{b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{b64(json.dumps(payload).encode())}."


@pytest.fixture(scope="module")
def token(pool: dict[str, Any]) -> str:
    return shopper_token(pool, "11")


@pytest.mark.parametrize("route", SIGNED_IN_ROUTES, ids=route_id)
def test_a_token_of_the_local_pool_opens_every_signed_in_route(
    local_stack: LocalStackHandle, route: Route, item_ids: list[str], token: str
) -> None:
    response = call(local_stack, route, item_ids, {"Authorization": token})

    assert response.status_code in (200, 202), response.text


def refused_tokens(token: str, pool: dict[str, Any]) -> dict[str, str | None]:
    _, payload, _ = parts(token)
    other_pool = payload["iss"].rsplit("/", 1)[0] + "/us-east-1_someotherpool"
    return {
        "no token": None,
        "empty": "",
        "Bearer prefix": f"Bearer {token}",
        "garbage": "not-a-token",
        "tampered claims (another shopper)": forged(token, **{"custom:shopper_id": "12"}),
        "tampered signature": token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB"),
        "signed by another key": signed_by_another_key(token),
        "another pool's issuer": signed_by_another_key(token, iss=other_pool),
        "expired": signed_by_another_key(token, exp=int(time.time()) - 60),
        "alg none": unsigned(token),
    }


@pytest.mark.parametrize(
    "case",
    [
        "no token",
        "empty",
        "Bearer prefix",
        "garbage",
        "tampered claims (another shopper)",
        "tampered signature",
        "signed by another key",
        "another pool's issuer",
        "expired",
        "alg none",
    ],
)
def test_anything_but_a_valid_token_is_401_before_any_function_runs(
    local_stack: LocalStackHandle, pool: dict[str, Any], token: str, item_ids: list[str], case: str
) -> None:
    bad = refused_tokens(token, pool)[case]
    headers = {} if bad is None else {"Authorization": bad}
    for route in SIGNED_IN_ROUTES:
        response = call(local_stack, route, item_ids, headers)
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED), route_id(route)


def test_an_access_token_is_not_an_id_token(local_stack: LocalStackHandle, pool: dict[str, Any]) -> None:
    access = account_tokens(pool, f"access-{uuid.uuid4().hex[:8]}@example.com")["AccessToken"]
    response = requests.get(
        f"{local_stack.api_url}/me/recommendations", headers={"Authorization": access}, timeout=TIMEOUT
    )
    assert response.status_code == 401


def test_a_token_of_another_pool_is_401(local_stack: LocalStackHandle, pool: dict[str, Any]) -> None:
    """A real pool of the same moto (moto signs every pool's tokens with one key): only the issuer differs."""
    from local.cognito import cognito_client, sign_in

    cognito = cognito_client(pool["endpoint"], pool["region"])
    # The stack's own moto runs in the demo process: a pool made over the API is another pool of it.
    other = cognito.create_user_pool(PoolName=f"other-{uuid.uuid4().hex[:6]}", UsernameAttributes=["email"])
    other_id = other["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=other_id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=other_id, Username="x@example.com", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=other_id, Username="x@example.com", Password="Another-pool-1", Permanent=True
    )
    foreign = sign_in(cognito, client_id, "x@example.com", "Another-pool-1")["IdToken"]
    assert parts(foreign)[0]["kid"] == parts(shopper_token(pool))[0]["kid"], "the same signing key"

    response = requests.get(
        f"{local_stack.api_url}/me/recommendations", headers={"Authorization": foreign}, timeout=TIMEOUT
    )
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_a_user_id_from_the_client_is_400_on_every_route(
    local_stack: LocalStackHandle, pool: dict[str, Any], route: Route, item_ids: list[str]
) -> None:
    headers = signed_in(pool, "11") if route.signed_in else {}
    if route.method == "GET":
        response = call(local_stack, route, item_ids, headers, params={"userId": "12"})
    else:
        body = call_body(route, item_ids)
        response = call(local_stack, route, item_ids, headers, body={**body, "userId": "12"})

    assert response.status_code == 400, response.text
    assert "userId" in [problem["field"] for problem in response.json()["errors"]]


def call_body(route: Route, item_ids: list[str]) -> dict[str, Any]:
    if route.function.name == "rank":
        return {"itemIds": item_ids}
    return {"sessionId": "s-1", "events": [{"eventType": "CartViewed"}]}


def test_shopper_a_reads_only_its_own_recommendations(
    local_stack: LocalStackHandle, pool: dict[str, Any]
) -> None:
    """The emulator's answers differ per shopper: A's token gives A's list, whatever else it sends."""

    def recommendations(shopper: str, **params: str) -> requests.Response:
        return requests.get(
            f"{local_stack.api_url}/me/recommendations",
            params={"numResults": "20", **params},
            headers=signed_in(pool, shopper),
            timeout=TIMEOUT,
        )

    shopper_a, shopper_b = in_variant("personalized", map(str, range(21, 100)))[:2]
    for_a, for_b = recommendations(shopper_a).json(), recommendations(shopper_b).json()
    assert for_a["source"] == for_b["source"] == "personalize"
    assert for_a["items"] != for_b["items"]
    assert recommendations(shopper_a, userId=shopper_b).status_code == 400
    assert recommendations(shopper_a, filter="exclude-purchased").json()["source"] == "personalize"


def test_shopper_a_cannot_write_shopper_bs_history(
    local_stack: LocalStackHandle, pool: dict[str, Any]
) -> None:
    local_stack.clear_received()
    session = f"s-{uuid.uuid4()}"
    body = {
        "sessionId": session,
        "events": [{"eventType": "CartViewed"}, {"eventType": "ProductViewed", "itemId": "x1"}],
    }

    as_a = requests.post(
        f"{local_stack.api_url}/me/events", json=body, headers=signed_in(pool, "31"), timeout=TIMEOUT
    )
    claiming_b = requests.post(
        f"{local_stack.api_url}/me/events",
        json={**body, "userId": "32"},
        headers=signed_in(pool, "31"),
        timeout=TIMEOUT,
    )
    anonymous_claiming_b = requests.post(
        f"{local_stack.api_url}/events", json={**body, "userId": "32"}, timeout=TIMEOUT
    )

    assert as_a.status_code == 202
    assert claiming_b.status_code == anonymous_claiming_b.status_code == 400
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        mine = [r for r in local_stack.received("personalize-events") if r["sessionId"] == session]
        if mine:
            break
        time.sleep(0.2)
    assert {record["userId"] for record in mine} == {"31"}


def test_a_fresh_account_shops_as_its_own_sub(local_stack: LocalStackHandle, pool: dict[str, Any]) -> None:
    token = shopper_token(pool)
    response = requests.get(
        f"{local_stack.api_url}/me/recommendations", headers={"Authorization": token}, timeout=TIMEOUT
    )
    assert response.status_code == 200
    assert parts(token)[1]["sub"]
    assert "custom:shopper_id" not in parts(token)[1]


def test_endpoints_file_names_the_pool(local_stack: LocalStackHandle, pool: dict[str, Any]) -> None:
    endpoints = json.loads((local_stack.data_dir / "endpoints.json").read_text())
    assert endpoints["cognito"] == {
        "userPoolId": pool["userPoolId"],
        "clientId": pool["clientId"],
        "region": pool["region"],
    }
    jwks = requests.get(f"{pool['endpoint']}/{pool['userPoolId']}/.well-known/jwks.json", timeout=TIMEOUT)
    assert jwks.status_code == 200
    assert jwks.json()["keys"][0]["alg"] == "RS256"


def test_the_storefront_config_carries_the_pool(local_stack: LocalStackHandle, pool: dict[str, Any]) -> None:
    config = requests.get(f"{local_stack.storefront_url}/config.json", timeout=TIMEOUT).json()
    assert config["cognito"] == {
        "region": pool["region"],
        "userPoolId": pool["userPoolId"],
        "clientId": pool["clientId"],
        "endpoint": f"{pool['endpoint']}/",
        "authFlow": "USER_PASSWORD_AUTH",
    }
    assert config["profileEmulation"] is True
