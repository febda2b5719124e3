"""Personalize runtime through boto3: GetRecommendations, GetPersonalizedRanking, their errors and limits."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from local import ACCOUNT_ID
from local.emulator import EmulatorServer, RecipeKind
from tests.integration.emulator.emulator_helpers import error_of

pytestmark = pytest.mark.integration


def categories_of(emulator: EmulatorServer, items: list[dict[str, Any]]) -> list[str | None]:
    return [emulator.recommender.catalog.category_of(item["itemId"]) for item in items]


def test_user_recommendations_carry_items_scores_and_a_recommendation_id(
    runtime: Any, user_campaign: str
) -> None:
    response = runtime.get_recommendations(campaignArn=user_campaign, userId="1", numResults=7)

    assert len(response["itemList"]) == 7
    assert all(isinstance(item["score"], float) for item in response["itemList"])
    assert response["recommendationId"].startswith("RID-")
    assert len(response["recommendationId"]) <= 40


def test_num_results_defaults_to_25(runtime: Any, user_campaign: str) -> None:
    assert len(runtime.get_recommendations(campaignArn=user_campaign, userId="1")["itemList"]) == 25


def test_related_items_have_no_scores_like_sims(
    runtime: Any, related_campaign: str, emulator: EmulatorServer
) -> None:
    item_id = emulator.recommender.catalog.item_ids[0]

    response = runtime.get_recommendations(campaignArn=related_campaign, itemId=item_id, numResults=10)

    assert len(response["itemList"]) == 10
    assert all(set(item) == {"itemId"} for item in response["itemList"])
    assert item_id not in [item["itemId"] for item in response["itemList"]]


def test_recommenders_answer_like_their_campaigns(runtime: Any, emulator: EmulatorServer) -> None:
    resources = emulator.resources
    by_recommender = runtime.get_recommendations(
        recommenderArn=resources.recommender_arn(RecipeKind.USER_PERSONALIZATION), userId="2", numResults=5
    )
    by_campaign = runtime.get_recommendations(
        campaignArn=resources.campaign_arn(RecipeKind.USER_PERSONALIZATION), userId="2", numResults=5
    )

    assert by_recommender["itemList"] == by_campaign["itemList"]


def test_ranking_returns_every_input_item_once(
    runtime: Any, ranking_campaign: str, emulator: EmulatorServer
) -> None:
    input_list = [*emulator.recommender.catalog.item_ids[:20], "not-in-catalog"]

    response = runtime.get_personalized_ranking(
        campaignArn=ranking_campaign, userId="3", inputList=input_list
    )

    ranked = [item["itemId"] for item in response["personalizedRanking"]]
    assert sorted(ranked) == sorted(input_list)
    assert ranked[-1] == "not-in-catalog"
    assert response["recommendationId"].startswith("RID-")


@pytest.mark.parametrize("num_results", [0, 500])
def test_num_results_within_limits_is_accepted(runtime: Any, user_campaign: str, num_results: int) -> None:
    response = runtime.get_recommendations(campaignArn=user_campaign, userId="1", numResults=num_results)

    assert len(response["itemList"]) == min(num_results, 600)


def test_ranking_takes_up_to_500_items(runtime: Any, ranking_campaign: str, emulator: EmulatorServer) -> None:
    catalog_ids = list(emulator.recommender.catalog.item_ids)

    response = runtime.get_personalized_ranking(
        campaignArn=ranking_campaign, userId="1", inputList=catalog_ids[:500]
    )

    assert len(response["personalizedRanking"]) == 500


UNKNOWN_CAMPAIGN = f"arn:aws:personalize:us-east-1:{ACCOUNT_ID}:campaign/unknown"
UNKNOWN_FILTER = f"arn:aws:personalize:us-east-1:{ACCOUNT_ID}:filter/unknown"


@pytest.mark.parametrize(
    ("request_arguments", "status", "code", "message"),
    [
        (
            {"campaignArn": UNKNOWN_CAMPAIGN, "userId": "1"},
            404,
            "ResourceNotFoundException",
            "does not exist",
        ),
        (
            {"campaignArn": "not-an-arn", "userId": "1"},
            400,
            "InvalidInputException",
            "regular expression pattern",
        ),
        ({"userId": "1", "numResults": 501}, 400, "InvalidInputException", "numResults"),
        ({"userId": "u" * 257}, 400, "InvalidInputException", "length less than or equal to 256"),
        ({}, 400, "InvalidInputException", "userId is required"),
        ({"userId": "1", "filterArn": UNKNOWN_FILTER}, 404, "ResourceNotFoundException", "does not exist"),
        (
            {"userId": "1", "filterValues": {"CATEGORY": '"footwear"'}},
            400,
            "InvalidInputException",
            "filterArn",
        ),
        ({"userId": "1", "metadataColumns": {"ITEMS": ["PRICE"]}}, 400, "InvalidInputException", "metadata"),
    ],
)
def test_user_recommendation_errors(
    runtime: Any, user_campaign: str, request_arguments: dict[str, Any], status: int, code: str, message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        runtime.get_recommendations(**{"campaignArn": user_campaign, **request_arguments})

    got_status, got_code, got_message = error_of(raised)
    assert (got_status, got_code) == (status, code)
    assert message in got_message


@pytest.mark.parametrize("arn_names", [(), ("campaignArn", "recommenderArn")])
def test_exactly_one_of_campaign_and_recommender(
    runtime: Any, emulator: EmulatorServer, arn_names: tuple[str, ...]
) -> None:
    resources = emulator.resources
    arns = {
        "campaignArn": resources.campaign_arn(RecipeKind.USER_PERSONALIZATION),
        "recommenderArn": resources.recommender_arn(RecipeKind.USER_PERSONALIZATION),
    }
    with pytest.raises(ClientError) as raised:
        runtime.get_recommendations(userId="1", **{name: arns[name] for name in arn_names})

    assert error_of(raised)[:2] == (400, "InvalidInputException")
    assert "Exactly one of campaignArn or recommenderArn" in error_of(raised)[2]


def test_related_items_need_an_item(runtime: Any, related_campaign: str) -> None:
    with pytest.raises(ClientError) as raised:
        runtime.get_recommendations(campaignArn=related_campaign, userId="1")

    assert error_of(raised)[:2] == (400, "InvalidInputException")
    assert "itemId is required" in error_of(raised)[2]


def test_a_ranking_campaign_does_not_serve_recommendations(runtime: Any, ranking_campaign: str) -> None:
    with pytest.raises(ClientError) as raised:
        runtime.get_recommendations(campaignArn=ranking_campaign, userId="1")

    assert error_of(raised)[:2] == (400, "InvalidInputException")


@pytest.mark.parametrize(
    ("input_size", "campaign", "status", "code"),
    [
        (501, "ranking", 400, "InvalidInputException"),
        (0, "ranking", 400, "InvalidInputException"),
        (3, "user", 400, "InvalidInputException"),
        (3, "unknown", 404, "ResourceNotFoundException"),
    ],
)
def test_ranking_errors(
    runtime: Any,
    ranking_campaign: str,
    user_campaign: str,
    input_size: int,
    campaign: str,
    status: int,
    code: str,
) -> None:
    arn = {"ranking": ranking_campaign, "user": user_campaign, "unknown": UNKNOWN_CAMPAIGN}[campaign]
    with pytest.raises(ClientError) as raised:
        runtime.get_personalized_ranking(
            campaignArn=arn, userId="1", inputList=[f"p{i}" for i in range(input_size)]
        )

    assert error_of(raised)[:2] == (status, code)


def test_errors_have_the_rest_json_wire_shape(emulator: EmulatorServer) -> None:
    response = requests.post(
        f"{emulator.url}/recommendations", json={"campaignArn": UNKNOWN_CAMPAIGN, "userId": "1"}, timeout=5
    )

    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert response.headers["x-amzn-RequestId"]
    assert response.json() == {"message": f"Resource {UNKNOWN_CAMPAIGN} does not exist."}


def test_malformed_json_is_a_serialization_error(emulator: EmulatorServer) -> None:
    response = requests.post(f"{emulator.url}/recommendations", data=b"{not json", timeout=5)

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "SerializationException"


def test_include_category_filter(
    runtime: Any, user_campaign: str, ssm: dict[str, str], emulator: EmulatorServer
) -> None:
    response = runtime.get_recommendations(
        campaignArn=user_campaign,
        userId="1",
        numResults=20,
        filterArn=ssm["personalize/filters/include-category-arn"],
        filterValues={"CATEGORY": '"footwear"'},
    )

    assert len(response["itemList"]) == 20
    assert set(categories_of(emulator, response["itemList"])) == {"footwear"}


@pytest.mark.parametrize("filter_values", [None, {"CATEGORY": "footwear"}])
def test_include_category_filter_needs_a_quoted_value(
    runtime: Any, user_campaign: str, ssm: dict[str, str], filter_values: dict[str, str] | None
) -> None:
    arguments = {"filterValues": filter_values} if filter_values else {}
    with pytest.raises(ClientError) as raised:
        runtime.get_recommendations(
            campaignArn=user_campaign,
            userId="1",
            filterArn=ssm["personalize/filters/include-category-arn"],
            **arguments,
        )

    assert error_of(raised)[:2] == (400, "InvalidInputException")


def test_include_category_filter_on_related_items_and_ranking(
    runtime: Any, related_campaign: str, ranking_campaign: str, ssm: dict[str, str], emulator: EmulatorServer
) -> None:
    catalog = emulator.recommender.catalog
    candidates = list(catalog.item_ids[::3])
    filter_arguments = {
        "filterArn": ssm["personalize/filters/include-category-arn"],
        "filterValues": {"CATEGORY": '"outdoors"'},
    }
    related = runtime.get_recommendations(
        campaignArn=related_campaign, itemId=catalog.item_ids[0], numResults=10, **filter_arguments
    )
    ranked = runtime.get_personalized_ranking(
        campaignArn=ranking_campaign, userId="1", inputList=candidates, **filter_arguments
    )

    assert set(categories_of(emulator, related["itemList"])) == {"outdoors"}
    assert set(categories_of(emulator, ranked["personalizedRanking"])) == {"outdoors"}
    assert len(ranked["personalizedRanking"]) == sum(catalog.category_of(i) == "outdoors" for i in candidates)
