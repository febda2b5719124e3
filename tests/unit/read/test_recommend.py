"""GET /recommendations through real API Gateway proxy events."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from personalization.adapters import aws
from personalization.contracts import parameters
from personalization.contracts.api import is_minted
from recommend.handler import lambda_handler
from tests.unit.read.conftest import (
    EXCLUDE_PURCHASED,
    FEATURED,
    INCLUDE_CATEGORY,
    USER_CAMPAIGN,
    USER_RECOMMENDER,
    fallback_reasons,
    get,
    invoke,
    warning_reasons,
)

pytestmark = pytest.mark.unit

PERSONALIZE_ITEMS = [{"itemId": "p9", "score": 0.5}, {"itemId": "p8", "score": 0.3}]


def test_signed_in_shopper_gets_campaign_recommendations(configured, personalize: Stubber) -> None:
    personalize.add_response(
        "get_recommendations",
        {"itemList": PERSONALIZE_ITEMS, "recommendationId": "rid-1"},
        {"campaignArn": USER_CAMPAIGN, "numResults": 25, "userId": "42"},
    )

    status, body = get(lambda_handler, "/recommendations", shopper="42")

    assert status == 200
    assert body == {
        "items": [{"itemId": "p9", "score": 0.5}, {"itemId": "p8", "score": 0.3}],
        "recommendationId": "rid-1",
        "source": "personalize",
        "recipe": "user-personalization",
        "experiment": None,
    }


def test_recommender_arn_is_sent_as_recommender_arn(configured, personalize: Stubber) -> None:
    configured({parameters.USER_PERSONALIZATION_ARN: USER_RECOMMENDER})
    personalize.add_response(
        "get_recommendations",
        {"itemList": PERSONALIZE_ITEMS, "recommendationId": "rid-2"},
        {"recommenderArn": USER_RECOMMENDER, "numResults": 5, "userId": "42"},
    )

    status, body = get(lambda_handler, "/recommendations", shopper="42", numResults="5")

    assert status == 200
    assert body["source"] == "personalize"


def test_anonymous_shopper_gets_featured_items_without_calling_personalize(
    configured, personalize: Stubber
) -> None:
    status, body = get(lambda_handler, "/recommendations", numResults="3")

    assert status == 200
    assert body["source"] == "featured"
    assert [item["itemId"] for item in body["items"]] == FEATURED[:3]


def test_duplicate_items_from_personalize_are_served_once(configured, personalize: Stubber) -> None:
    personalize.add_response(
        "get_recommendations",
        {"itemList": [*PERSONALIZE_ITEMS, {"itemId": "p9", "score": 0.1}]},
        {"campaignArn": USER_CAMPAIGN, "numResults": 25, "userId": "42"},
    )

    _, body = get(lambda_handler, "/recommendations", shopper="42")

    assert [item["itemId"] for item in body["items"]] == ["p9", "p8"]


def test_exclude_purchased_filter_sends_its_arn(configured, personalize: Stubber) -> None:
    personalize.add_response(
        "get_recommendations",
        {"itemList": PERSONALIZE_ITEMS},
        {"campaignArn": USER_CAMPAIGN, "numResults": 25, "userId": "42", "filterArn": EXCLUDE_PURCHASED},
    )

    status, _ = get(lambda_handler, "/recommendations", shopper="42", filter="exclude-purchased")

    assert status == 200


def test_include_category_filter_sends_the_quoted_value(configured, personalize: Stubber) -> None:
    personalize.add_response(
        "get_recommendations",
        {"itemList": PERSONALIZE_ITEMS},
        {
            "campaignArn": USER_CAMPAIGN,
            "numResults": 25,
            "userId": "42",
            "filterArn": INCLUDE_CATEGORY,
            "filterValues": {"CATEGORY": '"footwear"'},
        },
    )

    status, _ = get(
        lambda_handler, "/recommendations", shopper="42", filter="include-category", filterValue="footwear"
    )

    assert status == 200


def test_filter_that_needs_a_value_without_one_is_rejected(configured, personalize: Stubber) -> None:
    status, body = get(lambda_handler, "/recommendations", shopper="42", filter="include-category")

    assert status == 400
    assert body["errors"] == [{"field": "filterValue", "problem": "required with filter include-category"}]


def test_known_filter_not_configured_in_this_deployment_is_rejected(configured, personalize: Stubber) -> None:
    configured({parameters.filter_parameter("exclude-purchased"): "NONE"})

    status, body = get(lambda_handler, "/recommendations", shopper="42", filter="exclude-purchased")

    assert status == 400
    assert body["errors"] == [{"field": "filter", "problem": "not configured"}]


@pytest.mark.parametrize(
    ("error_code", "http_status", "reason"),
    [
        ("ThrottlingException", 400, "throttled"),
        ("InternalServerError", 500, "service-error"),
        ("ResourceNotFoundException", 404, "not-found"),
    ],
)
def test_personalize_errors_serve_featured_items_with_metric_and_warning(
    configured,
    personalize: Stubber,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    error_code,
    http_status,
    reason,
) -> None:
    retried = reason in ("throttled", "service-error")
    for _ in range(2 if retried else 1):
        personalize.add_client_error("get_recommendations", error_code, http_status_code=http_status)

    status, body = get(lambda_handler, "/recommendations", shopper="42", numResults="2")

    assert status == 200
    assert body["source"] == "fallback"
    assert [item["itemId"] for item in body["items"]] == FEATURED[:2]
    assert fallback_reasons(capsys.readouterr().out) == [reason]
    assert warning_reasons(caplog) == [reason]


def test_one_throttled_attempt_is_retried(configured, personalize: Stubber) -> None:
    personalize.add_client_error("get_recommendations", "ThrottlingException", http_status_code=400)
    personalize.add_response("get_recommendations", {"itemList": PERSONALIZE_ITEMS})

    _, body = get(lambda_handler, "/recommendations", shopper="42")

    assert body["source"] == "personalize"


class HangingPersonalize:
    """Stands in for a client whose read timed out."""

    calls = 0

    def get_recommendations(self, **_: object) -> dict[str, object]:
        self.calls += 1
        raise ReadTimeoutError(endpoint_url="https://personalize-runtime.us-east-1.amazonaws.com")


def test_read_timeout_serves_featured_items_without_retry(configured, capsys) -> None:
    hanging = HangingPersonalize()
    aws.set_client("personalize-runtime", hanging)

    status, body = get(lambda_handler, "/recommendations", shopper="42")

    assert (status, body["source"]) == (200, "fallback")
    assert hanging.calls == 1
    assert fallback_reasons(capsys.readouterr().out) == ["timeout"]


def test_unconfigured_campaign_serves_featured_items(ssm, personalize: Stubber, capsys) -> None:
    ssm({parameters.USER_PERSONALIZATION_ARN: "NONE", parameters.FEATURED_ITEM_IDS: "p1,p2"})

    status, body = get(lambda_handler, "/recommendations", shopper="42")

    assert (status, body["source"]) == (200, "fallback")
    assert [item["itemId"] for item in body["items"]] == ["p1", "p2"]
    assert fallback_reasons(capsys.readouterr().out) == ["unconfigured"]


def test_missing_parameters_mean_not_configured(ssm, personalize: Stubber, capsys) -> None:
    status, body = get(lambda_handler, "/recommendations", shopper="42")

    assert (status, body["items"], body["source"], body["experiment"]) == (200, [], "fallback", None)
    assert is_minted(body["recommendationId"])
    assert fallback_reasons(capsys.readouterr().out) == ["unconfigured"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"numResults": "0"}, "numResults"),
        ({"numResults": "101"}, "numResults"),
        ({"numResults": "ten"}, "numResults"),
        ({"filter": "everything"}, "filter"),
        ({"filter": "include-category", "filterValue": "x;y"}, "filterValue"),
    ],
)
def test_bad_query_parameters_are_400_with_the_field(
    configured, personalize: Stubber, query: dict[str, str], field: str
) -> None:
    status, body = get(lambda_handler, "/recommendations", **query)

    assert status == 400
    assert body["message"] == "invalid request"
    assert [error["field"] for error in body["errors"]] == [field]


@pytest.mark.parametrize("user_id", ["42", "", "x" * 257, "<script>"])
@pytest.mark.parametrize("shopper", [None, "7"])
def test_a_user_id_in_the_query_is_400_on_either_route(
    configured, personalize: Stubber, user_id: str, shopper: str | None
) -> None:
    status, body = get(lambda_handler, "/recommendations", shopper=shopper, userId=user_id)

    assert status == 400
    assert [error["field"] for error in body["errors"]] == ["userId"]


def test_the_anonymous_route_serves_featured_items_even_with_claims(configured, personalize: Stubber) -> None:
    from tests.apigw import rest_event, shopper_claims

    event = rest_event("GET", "/recommendations")
    event["requestContext"]["authorizer"] = {"claims": shopper_claims("42")}
    status, body = invoke(lambda_handler, event)

    assert (status, body["source"]) == (200, "featured")


def test_a_signed_in_route_without_claims_is_401(configured, personalize: Stubber) -> None:
    from tests.apigw import rest_event

    status, body = invoke(lambda_handler, rest_event("GET", "/me/recommendations"))

    assert (status, body["message"]) == (401, "Unauthorized")


def test_the_emulated_shopper_of_the_token_is_the_one_personalize_sees(
    configured, personalize: Stubber
) -> None:
    from tests.apigw import rest_event, shopper_claims

    personalize.add_response(
        "get_recommendations",
        {"itemList": [{"itemId": "p9"}], "recommendationId": "r"},
        {"campaignArn": USER_CAMPAIGN, "numResults": 25, "userId": "1234"},
    )
    claims = shopper_claims("0b7d6c1e-0000-4000-8000-000000000001", **{"custom:shopper_id": "1234"})
    status, body = invoke(lambda_handler, rest_event("GET", "/me/recommendations", claims=claims))

    assert (status, body["source"]) == (200, "personalize")


def test_cors_headers_name_the_storefront_origin(configured: Callable[..., None]) -> None:
    from tests.apigw import FakeLambdaContext, rest_event

    response = lambda_handler(rest_event("GET", "/recommendations"), FakeLambdaContext())

    assert response["multiValueHeaders"]["Access-Control-Allow-Origin"] == ["http://127.0.0.1:8080"]
