"""Answers within an experiment: the shopper's variant picks the source, every answer carries its
recommendationId and experiment, and each enrolled answer counts one exposure of its variant."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber

from personalization.contracts import parameters
from personalization.contracts.api import is_minted
from personalization.contracts.experiments import ExperimentsDocument
from personalization.contracts.limits import MAX_RECOMMENDATION_ID_LENGTH
from rank.handler import lambda_handler as rank_handler
from recommend.handler import lambda_handler as recommend_handler
from related.handler import lambda_handler as related_handler
from tests.apigw import rest_event
from tests.unit.read.conftest import (
    FEATURED,
    RANKING_CAMPAIGN,
    RELATED_CAMPAIGN,
    USER_CAMPAIGN,
    emf_records,
    get,
    invoke,
)

pytestmark = pytest.mark.unit

OTHER_CAMPAIGN = "arn:aws:personalize:us-east-1:123456789012:campaign/user-personalization-v2"


def experiment(use_case: str, holdout: str, arn: str | None = None) -> dict[str, Any]:
    treatment: dict[str, Any] = {"name": "personalized", "weight": 1, "source": "personalize"}
    if arn:
        treatment["arn"] = arn
    return {
        "name": f"{use_case}-test",
        "useCase": use_case,
        "variants": [treatment, {"name": "holdout", "weight": 1, "source": holdout}],
    }


DOCUMENT = {
    "experiments": [
        experiment("user-personalization", "featured"),
        experiment("related-items", "featured"),
        experiment("personalized-ranking", "natural"),
    ]
}


def subject_in(use_case: str, variant: str, document: dict[str, Any] = DOCUMENT) -> str:
    """The first of shopper-0, shopper-1 ... that the experiment assigns to `variant`."""
    running = ExperimentsDocument.model_validate(document).for_use_case(use_case)
    assert running is not None
    return next(f"shopper-{n}" for n in range(1000) if running.assign(f"shopper-{n}").name == variant)


@pytest.fixture
def experimenting(configured: Callable[[dict[str, str]], None]) -> Callable[[dict[str, Any]], None]:
    def run(document: dict[str, Any]) -> None:
        configured({parameters.EXPERIMENTS: json.dumps(document)})

    run(DOCUMENT)
    return run


def exposures(output: str) -> list[tuple[str, str, list[list[str]]]]:
    return [
        (record["experiment"], record["variant"], record["_aws"]["CloudWatchMetrics"][0]["Dimensions"])
        for record in emf_records(output)
        if "Exposures" in record
    ]


def test_a_holdout_shopper_gets_featured_items_with_a_minted_id_and_the_experiment(
    experimenting, personalize: Stubber, capsys
) -> None:
    shopper = subject_in("user-personalization", "holdout")

    status, body = get(recommend_handler, "/recommendations", shopper=shopper, numResults="3")

    assert status == 200
    assert [item["itemId"] for item in body["items"]] == FEATURED[:3]
    assert body["source"] == "featured"
    assert body["experiment"] == {"name": "user-personalization-test", "variant": "holdout"}
    assert is_minted(body["recommendationId"])
    assert len(body["recommendationId"]) <= MAX_RECOMMENDATION_ID_LENGTH
    assert exposures(capsys.readouterr().out) == [
        ("user-personalization-test", "holdout", [["experiment", "variant"]])
    ]


def test_a_treated_shopper_gets_personalize_with_its_id_and_the_experiment(
    experimenting, personalize: Stubber, capsys
) -> None:
    shopper = subject_in("user-personalization", "personalized")
    personalize.add_response(
        "get_recommendations",
        {"itemList": [{"itemId": "p9", "score": 0.5}], "recommendationId": "RID-from-personalize"},
        {"campaignArn": USER_CAMPAIGN, "numResults": 25, "userId": shopper},
    )

    status, body = get(recommend_handler, "/recommendations", shopper=shopper)

    assert (status, body["source"], body["recommendationId"]) == (200, "personalize", "RID-from-personalize")
    assert body["experiment"] == {"name": "user-personalization-test", "variant": "personalized"}
    assert exposures(capsys.readouterr().out) == [
        ("user-personalization-test", "personalized", [["experiment", "variant"]])
    ]


def test_a_variant_with_its_own_arn_answers_from_that_campaign(experimenting, personalize: Stubber) -> None:
    document = {"experiments": [experiment("user-personalization", "featured", arn=OTHER_CAMPAIGN)]}
    experimenting(document)
    shopper = subject_in("user-personalization", "personalized", document)
    personalize.add_response(
        "get_recommendations",
        {"itemList": [{"itemId": "p9"}], "recommendationId": "RID-2"},
        {"campaignArn": OTHER_CAMPAIGN, "numResults": 25, "userId": shopper},
    )

    status, body = get(recommend_handler, "/recommendations", shopper=shopper)

    assert (status, body["source"], body["items"]) == (200, "personalize", [{"itemId": "p9", "score": None}])


def test_a_treated_shopper_whose_answer_falls_back_stays_in_the_variant(
    experimenting, personalize: Stubber, capsys
) -> None:
    shopper = subject_in("user-personalization", "personalized")
    personalize.add_client_error("get_recommendations", service_error_code="ThrottlingException")

    status, body = get(recommend_handler, "/recommendations", shopper=shopper)

    assert (status, body["source"]) == (200, "fallback")
    assert body["experiment"] == {"name": "user-personalization-test", "variant": "personalized"}
    assert is_minted(body["recommendationId"])
    assert [variant for _, variant, _ in exposures(capsys.readouterr().out)] == ["personalized"]


def test_anonymous_recommendations_and_rankings_are_outside_the_experiment(
    experimenting, personalize: Stubber, capsys
) -> None:
    _, recommendations = get(recommend_handler, "/recommendations")
    _, ranking = invoke(rank_handler, rest_event("POST", "/rank", body={"itemIds": ["p3", "p1"]}))

    assert (recommendations["source"], recommendations["experiment"]) == ("featured", None)
    assert (ranking["source"], ranking["experiment"]) == ("natural", None)
    assert is_minted(recommendations["recommendationId"])
    assert is_minted(ranking["recommendationId"])
    assert recommendations["recommendationId"] != ranking["recommendationId"]
    assert exposures(capsys.readouterr().out) == []


def test_anonymous_related_items_are_assigned_by_session(experimenting, personalize: Stubber) -> None:
    session = subject_in("related-items", "holdout")

    status, body = get(related_handler, "/related", itemId="p1", sessionId=session, numResults="3")
    _, without_session = get(related_handler, "/related", itemId="p1", numResults="3")

    assert (status, body["source"]) == (200, "featured")
    assert [item["itemId"] for item in body["items"]] == ["p2", "p3", "p4"]
    assert body["experiment"] == {"name": "related-items-test", "variant": "holdout"}
    assert without_session["experiment"] is None
    personalize.add_response(
        "get_recommendations",
        {"itemList": [{"itemId": "p7"}], "recommendationId": "RID-3"},
        {"campaignArn": RELATED_CAMPAIGN, "numResults": 26, "itemId": "p1"},
    )
    treated = subject_in("related-items", "personalized")
    _, personalized = get(related_handler, "/related", itemId="p1", sessionId=treated)
    assert personalized["experiment"] == {"name": "related-items-test", "variant": "personalized"}


def test_a_ranking_holdout_keeps_the_input_order(experimenting, personalize: Stubber) -> None:
    holdout = subject_in("personalized-ranking", "holdout")
    treated = subject_in("personalized-ranking", "personalized")
    personalize.add_response(
        "get_personalized_ranking",
        {"personalizedRanking": [{"itemId": "p1"}, {"itemId": "p3"}], "recommendationId": "RID-4"},
        {"campaignArn": RANKING_CAMPAIGN, "userId": treated, "inputList": ["p3", "p1"]},
    )

    _, kept = invoke(
        rank_handler, rest_event("POST", "/rank", body={"itemIds": ["p3", "p1"]}, shopper=holdout)
    )
    _, ranked = invoke(
        rank_handler, rest_event("POST", "/rank", body={"itemIds": ["p3", "p1"]}, shopper=treated)
    )

    assert ([i["itemId"] for i in kept["items"]], kept["source"]) == (["p3", "p1"], "natural")
    assert kept["experiment"] == {"name": "personalized-ranking-test", "variant": "holdout"}
    assert ([i["itemId"] for i in ranked["items"]], ranked["recommendationId"]) == (["p1", "p3"], "RID-4")


def test_a_bad_experiments_document_leaves_answers_outside_any_experiment(
    configured: Callable[[dict[str, str]], None], personalize: Stubber, capsys, caplog
) -> None:
    configured({parameters.EXPERIMENTS: '{"experiments": [{"name": "x"}]}'})
    personalize.add_response(
        "get_recommendations",
        {"itemList": [{"itemId": "p9"}], "recommendationId": "RID-5"},
        {"campaignArn": USER_CAMPAIGN, "numResults": 25, "userId": "42"},
    )

    status, body = get(recommend_handler, "/recommendations", shopper="42")

    assert (status, body["source"], body["experiment"]) == (200, "personalize", None)
    assert any("ExperimentsRejected" in record for record in emf_records(capsys.readouterr().out))
    assert "experiments document rejected" in caplog.text
