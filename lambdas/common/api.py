"""The API Gateway resolver every HTTP function uses: validation, CORS, size limit, errors."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from common.errors import limited_json_loads, register_error_handlers
from common.models import ErrorResponse
from common.settings import FunctionSettings

ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    400: {
        "description": "Invalid input: the problems, field by field",
        "content": {"application/json": {"model": ErrorResponse}},
    },
    413: {"description": "Body over 64 KiB", "content": {"application/json": {"model": ErrorResponse}}},
}


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
