"""Every route through the local API gateway, and what API Gateway answers by itself."""

from __future__ import annotations

import json

import pytest
import requests

from personalization.contracts.api import is_minted
from personalization.contracts.topology import ROUTES
from tests.stack_fixture import LocalStackHandle
from tests.tokens import signed_in
from tests.variants import holdout_shopper, personalized_shopper

pytestmark = pytest.mark.integration

TIMEOUT = 10


@pytest.fixture(scope="module")
def catalog(local_stack: LocalStackHandle) -> dict:
    return json.loads((local_stack.dataset_dir / "catalog.json").read_text())


@pytest.fixture(scope="module")
def storefront_origin(local_stack: LocalStackHandle) -> str:
    return local_stack.storefront_url


def test_route_table_is_what_the_tests_cover() -> None:
    assert {(route.method, route.path) for route in ROUTES} == {
        ("GET", "/recommendations"),
        ("GET", "/related"),
        ("POST", "/rank"),
        ("POST", "/events"),
        ("GET", "/me/recommendations"),
        ("GET", "/me/related"),
        ("POST", "/me/rank"),
        ("POST", "/me/events"),
    }


def test_recommendations_for_a_shopper_come_from_personalize(local_stack: LocalStackHandle) -> None:
    response = requests.get(
        f"{local_stack.api_url}/me/recommendations",
        params={"numResults": "5"},
        headers=signed_in(local_stack.info["cognito"], personalized_shopper()),
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"]
    body = response.json()
    assert body["source"] == "personalize"
    assert body["recipe"] == "user-personalization"
    assert len(body["items"]) == 5
    assert body["experiment"] == {"name": "user-recs-vs-featured", "variant": "personalized"}
    assert body["recommendationId"].startswith("RID-")


def test_a_holdout_shopper_gets_the_featured_items_within_the_experiment(
    local_stack: LocalStackHandle,
) -> None:
    featured = json.loads((local_stack.dataset_dir / "featured.json").read_text())["itemIds"]

    response = requests.get(
        f"{local_stack.api_url}/me/recommendations",
        params={"numResults": "5"},
        headers=signed_in(local_stack.info["cognito"], holdout_shopper()),
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["source"], [item["itemId"] for item in body["items"]]) == ("featured", featured[:5])
    assert body["experiment"] == {"name": "user-recs-vs-featured", "variant": "featured-holdout"}
    assert is_minted(body["recommendationId"])


def test_recommendations_for_an_anonymous_shopper_are_the_featured_items(
    local_stack: LocalStackHandle,
) -> None:
    featured = json.loads((local_stack.dataset_dir / "featured.json").read_text())["itemIds"]

    response = requests.get(f"{local_stack.api_url}/recommendations", timeout=TIMEOUT)

    assert response.status_code == 200
    assert response.json()["source"] == "featured"
    assert [item["itemId"] for item in response.json()["items"]] == featured[:25]


def test_related_items_never_include_the_item(local_stack: LocalStackHandle, catalog: dict) -> None:
    item_id = catalog["items"][0]["id"]

    response = requests.get(
        f"{local_stack.api_url}/related", params={"itemId": item_id, "numResults": "10"}, timeout=TIMEOUT
    )

    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "personalize"
    assert body["recipe"] == "related-items"
    assert body["items"]
    assert item_id not in [item["itemId"] for item in body["items"]]


def test_rank_returns_each_input_item_once(local_stack: LocalStackHandle, catalog: dict) -> None:
    item_ids = [item["id"] for item in catalog["items"][:20]]

    response = requests.post(
        f"{local_stack.api_url}/me/rank",
        json={"itemIds": item_ids},
        headers=signed_in(local_stack.info["cognito"], "2"),
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "personalize"
    assert sorted(item["itemId"] for item in body["items"]) == sorted(item_ids)


def test_events_are_accepted(local_stack: LocalStackHandle, catalog: dict) -> None:
    body = {
        "sessionId": "routes-session",
        "events": [
            {"eventType": "ProductViewed", "itemId": catalog["items"][1]["id"], "eventId": "routes-1"}
        ],
    }

    response = requests.post(f"{local_stack.api_url}/events", json=body, timeout=TIMEOUT)

    assert response.status_code == 202
    assert response.json() == {"accepted": 1, "eventIds": ["routes-1"]}


def test_bad_input_is_a_400_from_the_function(local_stack: LocalStackHandle) -> None:
    response = requests.get(
        f"{local_stack.api_url}/recommendations", params={"numResults": "0"}, timeout=TIMEOUT
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "numResults"


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b""])
def test_a_body_that_is_not_a_json_object_is_the_request_validators_400(
    local_stack: LocalStackHandle, body: bytes
) -> None:
    headers = {"Content-Type": "application/json"}

    response = requests.post(f"{local_stack.api_url}/rank", data=body, headers=headers, timeout=TIMEOUT)

    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid request body",
        "errors": [{"field": "body", "problem": "must be a JSON object"}],
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("POST", "/recommendations"),
        ("GET", "/rank"),
        ("DELETE", "/events"),
        ("GET", "/"),
        ("TRACE", "/events"),
        ("PROPFIND", "/recommendations"),
        ("BREW", "/rank"),
    ],
)
def test_a_path_or_method_without_a_route_is_api_gateways_403(
    local_stack: LocalStackHandle, method: str, path: str
) -> None:
    response = requests.request(method, f"{local_stack.api_url}{path}", timeout=TIMEOUT)

    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_cors_preflight_is_answered_for_the_storefront_origin(
    local_stack: LocalStackHandle, storefront_origin: str
) -> None:
    response = requests.options(
        f"{local_stack.api_url}/events",
        headers={
            "Origin": storefront_origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=TIMEOUT,
    )

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == storefront_origin
    assert "POST" in response.headers["Access-Control-Allow-Methods"].split(",")
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"].split(",")
    assert response.content == b""


def test_cors_preflight_does_not_allow_another_origin(local_stack: LocalStackHandle) -> None:
    response = requests.options(
        f"{local_stack.api_url}/recommendations",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
        timeout=TIMEOUT,
    )

    assert response.headers["Access-Control-Allow-Origin"] != "https://elsewhere.example"


def test_responses_carry_cors_headers_for_the_storefront(
    local_stack: LocalStackHandle, storefront_origin: str
) -> None:
    response = requests.get(
        f"{local_stack.api_url}/recommendations", headers={"Origin": storefront_origin}, timeout=TIMEOUT
    )

    assert response.headers["Access-Control-Allow-Origin"] == storefront_origin


def test_storefront_host_serves_the_page_config_and_data(local_stack: LocalStackHandle) -> None:
    base = local_stack.storefront_url

    page = requests.get(f"{base}/", timeout=TIMEOUT)
    config = requests.get(f"{base}/config.json", timeout=TIMEOUT).json()
    catalog = requests.get(f"{base}/data/catalog.json", timeout=TIMEOUT)
    users = requests.get(f"{base}/data/users.json", timeout=TIMEOUT)
    featured = requests.get(f"{base}/data/featured.json", timeout=TIMEOUT)

    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert {key: config[key] for key in ("apiBaseUrl", "dataBaseUrl")} == {
        "apiBaseUrl": local_stack.api_url,
        "dataBaseUrl": "data/",
    }
    assert config["cognito"]["userPoolId"] == local_stack.info["cognito"]["userPoolId"]
    assert catalog.json()["items"]
    assert users.json()[0]["id"]
    assert featured.json()["itemIds"]
    assert requests.get(f"{base}/data/interactions.csv", timeout=TIMEOUT).status_code == 404
