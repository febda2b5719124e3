"""POST /rank through real API Gateway proxy events: each input id exactly once."""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from personalization.contracts import parameters
from rank.handler import lambda_handler
from tests.apigw import rest_event
from tests.unit.read.conftest import RANKING_CAMPAIGN, USER_RECOMMENDER, fallback_reasons, invoke

pytestmark = pytest.mark.unit

ITEMS = ["p1", "p2", "p3", "p4"]


def rank(body: object = None, raw_body: str | None = None, shopper: str | None = None) -> tuple[int, dict]:
    """POST /rank; with `shopper`, POST /me/rank signed in as that shopper."""
    return invoke(lambda_handler, rest_event("POST", "/rank", body=body, raw_body=raw_body, shopper=shopper))


def ids(body: dict) -> list[str]:
    return [item["itemId"] for item in body["items"]]


def test_signed_in_shopper_gets_personalize_order(configured, personalize: Stubber) -> None:
    personalize.add_response(
        "get_personalized_ranking",
        {
            "personalizedRanking": [
                {"itemId": "p3", "score": 0.4},
                {"itemId": "p1", "score": 0.3},
                {"itemId": "p4", "score": 0.2},
                {"itemId": "p2", "score": 0.1},
            ],
            "recommendationId": "rid-r",
        },
        {"campaignArn": RANKING_CAMPAIGN, "userId": "42", "inputList": ITEMS},
    )

    status, body = rank({"itemIds": ITEMS, "context": "category"}, shopper="42")

    assert status == 200
    assert ids(body) == ["p3", "p1", "p4", "p2"]
    assert (body["source"], body["recipe"], body["recommendationId"]) == (
        "personalize",
        "personalized-ranking",
        "rid-r",
    )


def test_response_holds_exactly_the_input_ids_whatever_personalize_returns(
    configured, personalize: Stubber
) -> None:
    personalize.add_response(
        "get_personalized_ranking",
        {"personalizedRanking": [{"itemId": "p4"}, {"itemId": "zz"}, {"itemId": "p4"}, {"itemId": "p2"}]},
    )

    _, body = rank({"itemIds": ITEMS}, shopper="42")

    assert ids(body) == ["p4", "p2", "p1", "p3"]


def test_anonymous_shopper_gets_the_natural_order(configured, personalize: Stubber) -> None:
    status, body = rank({"itemIds": ITEMS, "context": "search"})

    assert (status, body["source"], ids(body)) == (200, "natural", ITEMS)


@pytest.mark.parametrize(
    ("error_code", "http_status", "reason", "attempts"),
    [("ThrottlingException", 400, "throttled", 2), ("ResourceNotFoundException", 404, "not-found", 1)],
)
def test_personalize_failure_keeps_the_input_order(
    configured, personalize: Stubber, capsys, error_code, http_status, reason, attempts
) -> None:
    for _ in range(attempts):
        personalize.add_client_error("get_personalized_ranking", error_code, http_status_code=http_status)

    status, body = rank({"itemIds": ITEMS}, shopper="42")

    assert (status, body["source"], ids(body)) == (200, "fallback", ITEMS)
    assert fallback_reasons(capsys.readouterr().out) == [reason]


def test_recommender_arn_cannot_rank_and_falls_back(configured, personalize: Stubber, capsys) -> None:
    configured({parameters.PERSONALIZED_RANKING_ARN: USER_RECOMMENDER})

    status, body = rank({"itemIds": ITEMS}, shopper="42")

    assert (status, body["source"], ids(body)) == (200, "fallback", ITEMS)
    assert fallback_reasons(capsys.readouterr().out) == ["invalid-arn"]


def test_unconfigured_ranking_keeps_the_input_order(ssm, personalize: Stubber) -> None:
    status, body = rank({"itemIds": ITEMS}, shopper="42")

    assert (status, body["source"], ids(body)) == (200, "fallback", ITEMS)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "itemIds"),
        ({"itemIds": []}, "itemIds"),
        ({"itemIds": "p1"}, "itemIds"),
        ({"itemIds": [1, 2]}, "itemIds[0]"),
        ({"itemIds": ["p1", "p1"]}, "itemIds"),
        ({"itemIds": [f"p{i}" for i in range(501)]}, "itemIds"),
        ({"itemIds": ["p1"], "userId": 42}, "userId"),
        ({"itemIds": ["p1"], "userId": "a b"}, "userId"),
        ({"itemIds": ["p1"], "context": "home"}, "context"),
        ({"itemIds": ["p1"], "sort": "price"}, "sort"),
        (["p1"], "body"),
    ],
)
def test_bad_bodies_are_400_with_the_field(configured, personalize: Stubber, body, field) -> None:
    status, response = rank(body)

    assert status == 400
    assert field in [error["field"] for error in response["errors"]]


def test_duplicate_ids_are_named(configured, personalize: Stubber) -> None:
    _, body = rank({"itemIds": ["p1", "p2", "p1"]})

    assert body["errors"] == [{"field": "itemIds", "problem": "itemIds must be unique; repeated: p1"}]


@pytest.mark.parametrize("raw_body", ["{not json", "", "null", '{"itemIds": ["p1"]'])
def test_malformed_json_is_400(configured, personalize: Stubber, raw_body: str) -> None:
    status, body = rank(raw_body=raw_body)

    assert status == 400
    assert body["message"] == "invalid request"


def test_body_over_64_kib_is_413(configured, personalize: Stubber) -> None:
    status, body = rank(raw_body=json.dumps({"itemIds": ["p" * 200] * 400}))

    assert status == 413
    assert body["errors"] == [{"field": "body", "problem": "too large"}]
