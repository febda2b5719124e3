"""The API Gateway resolver every HTTP function uses: validation, CORS, size limit, errors."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from personalization.http.errors import limited_json_loads, register_error_handlers
from personalization.http.models import ErrorResponse
from personalization.settings import FunctionSettings

JSON_CONTENT_TYPE = "application/json"

ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    400: {
        "description": "Invalid input: the problems, field by field",
        "content": {"application/json": {"model": ErrorResponse}},
    },
    413: {"description": "Body over 64 KiB", "content": {"application/json": {"model": ErrorResponse}}},
    415: {"description": "Body not JSON", "content": {"application/json": {"model": ErrorResponse}}},
}


def treat_text_plain_as_json(event: dict[str, Any]) -> dict[str, Any]:
    """Read a `text/plain` body as JSON.

    A browser's `navigator.sendBeacon` posts across origins without a CORS preflight only
    with a CORS-safelisted content type, so the storefront flushes its last events as
    text/plain JSON when the page is hidden.
    """
    for key in ("headers", "multiValueHeaders"):
        headers = event.get(key) or {}
        for name, value in headers.items():
            values = value if isinstance(value, list) else [value]
            if name.lower() == "content-type" and all(
                str(v).lower().startswith("text/plain") for v in values
            ):
                headers[name] = (
                    [JSON_CONTENT_TYPE] * len(values) if isinstance(value, list) else JSON_CONTENT_TYPE
                )
    return event


def cors_config(allowed_origins: list[str]) -> CORSConfig:
    first, *others = allowed_origins
    return CORSConfig(allow_origin=first, extra_origins=others or None, max_age=600)


def build_resolver(settings: FunctionSettings) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(
        enable_validation=True,
        cors=cors_config(settings.allowed_origins),
        json_body_deserializer=limited_json_loads,
    )
    register_error_handlers(app)
    return app
