"""POST /events (a session's actions) and POST /me/events (the signed-in shopper's), onto the event bus."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from personalization.adapters.event_bus import event_publisher
from personalization.contracts.events import (
    EventsNotAcceptedResponse,
    TrackEventsRequest,
    TrackEventsResponse,
)
from personalization.http.resolver import (
    SIGNED_IN_SECURITY,
    build_resolver,
    route_responses,
    signed_in_responses,
    treat_text_plain_as_json,
)
from personalization.identity import request_shopper
from personalization.observability import logger, metrics, tracer
from personalization.settings import event_settings
from personalization.usecases.tracking import track_events

app = build_resolver(event_settings)

RESPONSES = route_responses(
    202,
    "Every event is on the event bus",
    TrackEventsResponse,
    json_body=True,
    extra={
        503: {
            "description": "Some events are not on the bus; send those again with the same eventIds",
            "content": {"application/json": {"model": EventsNotAcceptedResponse}},
        }
    },
)


@app.post("/events", summary="Record an anonymous session's events", tags=["events"], responses=RESPONSES)
@app.post(
    "/me/events",
    summary="Record the signed-in shopper's events",
    tags=["events", "signed-in"],
    responses=signed_in_responses(RESPONSES),
    security=SIGNED_IN_SECURITY,
)
@tracer.capture_method
def post_events(request: Annotated[TrackEventsRequest, Body(embed=False)]) -> Response[TrackEventsResponse]:
    shopper = request_shopper(app.current_event.raw_event, event_settings())
    accepted = track_events(event_publisher(), request, shopper)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(treat_text_plain_as_json(event), context)
