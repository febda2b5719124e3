"""GET /recommendations: personalized items for a shopper, featured items for everyone else."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from personalization.contracts.api import RecommendationsResponse
from personalization.contracts.filters import FilterName
from personalization.contracts.limits import DEFAULT_NUM_RESULTS, MAX_NUM_RESULTS, Identifier
from personalization.http.resolver import build_resolver, route_responses
from personalization.observability import logger, metrics, tracer
from personalization.settings import read_settings
from personalization.usecases.read import recommend_for_user
from personalization.wiring import read_dependencies

app = build_resolver(read_settings)


@app.get(
    "/recommendations",
    summary="Recommendations for a shopper",
    tags=["read"],
    responses=route_responses(200, "Items for the shopper, and their source", RecommendationsResponse),
)
@tracer.capture_method
def get_recommendations(
    user_id: Annotated[Identifier | None, Query(alias="userId", description="Signed-in shopper")] = None,
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
    return recommend_for_user(read_dependencies(), user_id, num_results, filter_name, filter_value)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
