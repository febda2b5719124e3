"""The API Gateway resolver every HTTP function uses: validation, CORS, size limit, errors."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from personalization.contracts.limits import MAX_BODY_BYTES
from personalization.http.errors import register_error_handlers
from personalization.http.json_body import parse_json_body
from personalization.http.models import ErrorResponse
from personalization.settings import FunctionSettings

JSON_CONTENT_TYPE = "application/json"


def _json(description: str, model: type[BaseModel]) -> OpenAPIResponse:
    return {"description": description, "content": {JSON_CONTENT_TYPE: {"model": model}}}


def route_responses(
    status: int,
    description: str,
    model: type[BaseModel],
    *,
    json_body: bool = False,
    extra: Mapping[int, OpenAPIResponse] | None = None,
) -> dict[int, OpenAPIResponse]:
    """Every status a route answers, for openapi.json: its success, 400 and 413, 415 when it reads a
    JSON body, and `extra` (the 503 of POST /events)."""
    responses = {
        status: _json(description, model),
        400: _json("Invalid input: the problems, field by field", ErrorResponse),
        413: _json(f"Body over {MAX_BODY_BYTES // 1024} KiB", ErrorResponse),
    }
    if json_body:
        responses[415] = _json("Content-Type not JSON", ErrorResponse)
    return {**responses, **(extra or {})}


SIGNED_IN_SECURITY: list[dict[str, list[str]]] = [{"cognito": []}]
"""The /me routes' OpenAPI security: a Cognito ID token in `Authorization` (`http.openapi`)."""


def signed_in_responses(responses: Mapping[int, OpenAPIResponse]) -> dict[int, OpenAPIResponse]:
    """A signed-in route's statuses: the anonymous route's, and API Gateway's 401 for a missing or
    invalid token (answered before the function runs)."""
    return {**responses, 401: _json("No valid Cognito ID token in Authorization", ErrorResponse)}


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


def decode_base64_body(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """A base64 body (bytes the gateway could not pass as UTF-8 text) as text.

    Bytes that are not UTF-8 become lone surrogates, which the body parser refuses with a 400.
    """
    if not event.get("isBase64Encoded") or not event.get("body"):
        return event
    text = base64.b64decode(event["body"]).decode("utf-8", "surrogateescape")
    return {**event, "body": text, "isBase64Encoded": False}


class JsonBodyValidation(OpenAPIRequestValidationMiddleware):
    """Reads a body as JSON only, any other content type is a 415 (Powertools would also read
    form and multipart bodies)."""

    def _get_body(self, app: Any) -> Any:
        media_type = app.current_event.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in ("", JSON_CONTENT_TYPE):
            raise RequestUnsupportedContentType("Unsupported content type", errors=[])
        return self._parse_json_data(app)


class SettingsCORSConfig(CORSConfig):
    """CORS for the origins of the function's settings, read when the first request needs them.

    The handler module declares its routes at import; its settings (validated, failing with a
    clear message) are read on first use, so importing a handler needs no environment.
    """

    def __init__(self, settings: Callable[[], FunctionSettings]) -> None:
        super().__init__(max_age=600)
        self._settings = settings

    @property
    def _allowed_origins(self) -> list[str]:
        return self._settings().allowed_origins

    @_allowed_origins.setter
    def _allowed_origins(self, _: list[str]) -> None:
        """CORSConfig's constructor sets its own default list; the settings decide instead."""


class SettingsResolver(APIGatewayRestResolver):
    """Validates the function's settings before the first request is routed: a broken environment
    fails the invocation with the settings' own message (a function error, as a failed Lambda init),
    never a request answered with half a configuration."""

    def __init__(self, settings: Callable[[], FunctionSettings]) -> None:
        super().__init__(
            enable_validation=True,
            cors=SettingsCORSConfig(settings),
            json_body_deserializer=parse_json_body,
        )
        self._request_validation_middleware = JsonBodyValidation()
        self._settings = settings

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        self._settings()
        return super().resolve(decode_base64_body(event), context)


def build_resolver(settings: Callable[[], FunctionSettings]) -> APIGatewayRestResolver:
    app = SettingsResolver(settings)
    register_error_handlers(app)
    return app
