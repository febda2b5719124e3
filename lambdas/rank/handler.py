"""POST /rank: a category or search result list, reordered for a signed-in shopper."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from personalization.contracts.api import RankRequest, RecommendationsResponse
from personalization.http.resolver import build_resolver, route_responses
from personalization.observability import logger, metrics, tracer
from personalization.settings import read_settings
from personalization.usecases.read import rank_items
from personalization.wiring import read_dependencies

app = build_resolver(read_settings)


@app.post(
    "/rank",
    summary="Personalized order of a list of products",
    tags=["read"],
    responses=route_responses(
        200,
        "Exactly the input ids, each once, in the personalized order",
        RecommendationsResponse,
        json_body=True,
    ),
)
@tracer.capture_method
def post_rank(request: Annotated[RankRequest, Body(embed=False)]) -> RecommendationsResponse:
    return rank_items(read_dependencies(), request)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
