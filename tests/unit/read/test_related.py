"""GET /related through real API Gateway proxy events."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from personalization.contracts import parameters
from related.handler import lambda_handler
from tests.unit.read.conftest import FEATURED, RELATED_CAMPAIGN, fallback_reasons, get

pytestmark = pytest.mark.unit


def test_related_items_never_include_the_item_itself(configured, personalize: Stubber) -> None:
    personalize.add_response(
        "get_recommendations",
        {
            "itemList": [{"itemId": "p7"}, {"itemId": "p3", "score": 0.2}, {"itemId": "p4", "score": 0.1}],
            "recommendationId": "rid-7",
        },
        {"campaignArn": RELATED_CAMPAIGN, "numResults": 3, "itemId": "p7"},
    )

    status, body = get(lambda_handler, "/related", itemId="p7", numResults="2")

    assert status == 200
    assert body == {
        "items": [{"itemId": "p3", "score": 0.2}, {"itemId": "p4", "score": 0.1}],
        "recommendationId": "rid-7",
        "source": "personalize",
        "recipe": "related-items",
        "experiment": None,
    }


def test_signed_in_shopper_is_passed_to_personalize(configured, personalize: Stubber) -> None:
    personalize.add_response(
        "get_recommendations",
        {"itemList": [{"itemId": "p3"}]},
        {"campaignArn": RELATED_CAMPAIGN, "numResults": 26, "itemId": "p7", "userId": "42"},
    )

    status, body = get(lambda_handler, "/related", itemId="p7", shopper="42")

    assert (status, body["source"]) == (200, "personalize")


def test_fallback_is_featured_items_other_than_the_item(ssm, personalize: Stubber, capsys) -> None:
    ssm({parameters.RELATED_ITEMS_ARN: "NONE", parameters.FEATURED_ITEM_IDS: ",".join(FEATURED)})

    status, body = get(lambda_handler, "/related", itemId="p2", numResults="3")

    assert (status, body["source"], body["recipe"]) == (200, "fallback", "related-items")
    assert [item["itemId"] for item in body["items"]] == ["p1", "p3", "p4"]
    assert fallback_reasons(capsys.readouterr().out) == ["unconfigured"]


def test_unknown_campaign_falls_back(configured, personalize: Stubber, capsys) -> None:
    personalize.add_client_error("get_recommendations", "ResourceNotFoundException", http_status_code=404)

    status, body = get(lambda_handler, "/related", itemId="p1")

    assert (status, body["source"]) == (200, "fallback")
    assert "p1" not in [item["itemId"] for item in body["items"]]
    assert fallback_reasons(capsys.readouterr().out) == ["not-found"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "itemId"),
        ({"itemId": ""}, "itemId"),
        ({"itemId": "a/b"}, "itemId"),
        ({"itemId": "p1", "numResults": "-1"}, "numResults"),
        ({"itemId": "p1", "userId": "y" * 300}, "userId"),
    ],
)
def test_bad_query_parameters_are_400(configured, personalize: Stubber, query, field) -> None:
    status, body = get(lambda_handler, "/related", **query)

    assert status == 400
    assert [error["field"] for error in body["errors"]] == [field]
