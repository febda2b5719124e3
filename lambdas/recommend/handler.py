"""GET /me/recommendations: items for the signed-in shopper; GET /recommendations: featured items."""

from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from personalization.contracts.api import RecommendationsResponse
from personalization.contracts.filters import FilterName
from personalization.contracts.limits import DEFAULT_NUM_RESULTS, MAX_NUM_RESULTS
from personalization.http.params import Query
from personalization.http.resolver import (
    SIGNED_IN_SECURITY,
    build_resolver,
    route_responses,
    signed_in_responses,
)
from personalization.identity import request_shopper
from personalization.observability import logger, metrics, tracer
from personalization.settings import read_settings
from personalization.usecases.read import recommend_for_user
from personalization.wiring import read_dependencies

app = build_resolver(read_settings)


RESPONSES = route_responses(200, "Items for the shopper, and their source", RecommendationsResponse)


@app.get(
    "/recommendations",
    summary="Featured items for an anonymous shopper (source featured)",
    tags=["read"],
    responses=RESPONSES,
)
@app.get(
    "/me/recommendations",
    summary="Recommendations for the signed-in shopper (the shopper comes from the ID token)",
    tags=["read", "signed-in"],
    responses=signed_in_responses(RESPONSES),
    security=SIGNED_IN_SECURITY,
)
@tracer.capture_method
def get_recommendations(
    num_results: Annotated[
        int, Query(alias="numResults", ge=1, le=MAX_NUM_RESULTS, description="How many items")
    ] = DEFAULT_NUM_RESULTS,
    filter_name: Annotated[
        FilterName | None, Query(alias="filter", description="A configured filter")
    ] = None,
    filter_value: Annotated[
        str | None,
        Query(alias="filterValue", description="The filter's value, e.g. a category"),
        Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_ -]+$"),
    ] = None,
) -> RecommendationsResponse:
    shopper = request_shopper(app.current_event.raw_event, read_settings())
    return recommend_for_user(read_dependencies(), shopper, num_results, filter_name, filter_value)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
