"""POST /me/rank: a list of products, reordered for the signed-in shopper; POST /rank: as given."""

from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from personalization.contracts.api import RankRequest, RecommendationsResponse
from personalization.http.params import Body
from personalization.http.resolver import (
    SIGNED_IN_SECURITY,
    build_resolver,
    route_responses,
    signed_in_responses,
)
from personalization.identity import request_shopper
from personalization.observability import logger, metrics, tracer
from personalization.settings import read_settings
from personalization.usecases.read import rank_items
from personalization.wiring import read_dependencies

app = build_resolver(read_settings)


RESPONSES = route_responses(
    200,
    "Exactly the input ids, each once, in the personalized order",
    RecommendationsResponse,
    json_body=True,
)


@app.post(
    "/rank",
    summary="A list of products in its natural order (source natural), for an anonymous shopper",
    tags=["read"],
    responses=RESPONSES,
)
@app.post(
    "/me/rank",
    summary="Personalized order of a list of products, for the signed-in shopper",
    tags=["read", "signed-in"],
    responses=signed_in_responses(RESPONSES),
    security=SIGNED_IN_SECURITY,
)
@tracer.capture_method
def post_rank(request: Annotated[RankRequest, Body(embed=False)]) -> RecommendationsResponse:
    shopper = request_shopper(app.current_event.raw_event, read_settings())
    return rank_items(read_dependencies(), request, shopper)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
