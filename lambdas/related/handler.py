"""GET /related and GET /me/related: products related to the one a shopper is looking at, signed in or not."""

from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from personalization.contracts.api import RecommendationsResponse
from personalization.contracts.limits import DEFAULT_NUM_RESULTS, MAX_NUM_RESULTS, Identifier
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
from personalization.usecases.read import related_items
from personalization.wiring import read_dependencies

app = build_resolver(read_settings)


RESPONSES = route_responses(200, "Related items, never the item itself", RecommendationsResponse)


@app.get("/related", summary="Products related to a product", tags=["read"], responses=RESPONSES)
@app.get(
    "/me/related",
    summary="Products related to a product, for the signed-in shopper",
    tags=["read", "signed-in"],
    responses=signed_in_responses(RESPONSES),
    security=SIGNED_IN_SECURITY,
)
@tracer.capture_method
def get_related(
    item_id: Annotated[Identifier, Query(alias="itemId", description="The product shown")],
    num_results: Annotated[
        int, Query(alias="numResults", ge=1, le=MAX_NUM_RESULTS, description="How many items")
    ] = DEFAULT_NUM_RESULTS,
    session_id: Annotated[
        Identifier | None,
        Query(
            alias="sessionId",
            description="The browser session: assigns an anonymous shopper to a variant of an experiment",
        ),
    ] = None,
) -> RecommendationsResponse:
    shopper = request_shopper(app.current_event.raw_event, read_settings())
    return related_items(read_dependencies(), item_id, shopper, num_results, session_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
