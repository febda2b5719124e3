"""The one mapping from exceptions to HTTP errors, for every API function.

Bad input of any kind is a 400 (413 for a body over the limit, 415 for a body that is
not JSON) with `{"message": ..., "errors": [{"field": ..., "problem": ...}]}`; a dependency that cannot
do the work now is a 503 the client may retry; anything unexpected is a 500 whose body
says nothing about the internals.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from personalization.http.json_body import InvalidJsonBodyError, PayloadTooLargeError
from personalization.http.models import ErrorResponse, FieldProblem
from personalization.identity import NotSignedInError
from personalization.observability import logger
from personalization.usecases.errors import BadRequestError, ServiceUnavailableError

RETRY_AFTER_SECONDS = 1


def error_response(status: HTTPStatus, message: str, problems: Sequence[FieldProblem] = ()) -> Response:
    body = ErrorResponse(message=message, errors=list(problems))
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json()
    )


def _field_name(location: Sequence[Any]) -> str:
    """`("query", "numResults")` -> `numResults`; `("body", "itemIds", 3)` -> `itemIds[3]`."""
    name = ""
    for part in location[1:] if location and location[0] in ("query", "body", "path", "header") else location:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def _problem(error: dict[str, Any]) -> str:
    if error["type"] == "json_invalid":
        return "body is not valid JSON"
    if error["type"] == "missing":
        return "required"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    message = str(error.get("msg") or error["type"])
    return message.removeprefix("Value error, ")


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response:
        problems = [
            FieldProblem(
                field="body" if e["type"] == "json_invalid" else _field_name(e["loc"]), problem=_problem(e)
            )
            for e in error.errors()
        ]
        logger.info("rejected invalid request", extra={"problems": [p.model_dump() for p in problems]})
        return error_response(HTTPStatus.BAD_REQUEST, "invalid request", problems)

    @app.exception_handler(BadRequestError)
    def bad_request(error: BadRequestError) -> Response:
        logger.info("rejected bad request", extra={"reason": str(error)})
        problems = [FieldProblem(field=p.field, problem=p.problem) for p in error.problems]
        return error_response(HTTPStatus.BAD_REQUEST, str(error), problems)

    @app.exception_handler(NotSignedInError)
    def not_signed_in(error: NotSignedInError) -> Response:
        # API Gateway's authorizer answers a missing or invalid token before the function runs; this is
        # the function's own guard for a /me route reached without claims (the authorizer is missing).
        logger.warning("signed-in route without verified claims", extra={"reason": str(error)})
        return error_response(HTTPStatus.UNAUTHORIZED, "Unauthorized")

    @app.exception_handler(InvalidJsonBodyError)
    def invalid_json(error: InvalidJsonBodyError) -> Response:
        logger.info("rejected unreadable body", extra={"reason": str(error)})
        return error_response(
            HTTPStatus.BAD_REQUEST, "invalid request", [FieldProblem(field="body", problem=str(error))]
        )

    @app.exception_handler(PayloadTooLargeError)
    def too_large(error: PayloadTooLargeError) -> Response:
        logger.info("rejected large body")
        return error_response(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, str(error), [FieldProblem(field="body", problem="too large")]
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_content_type(_: RequestUnsupportedContentType) -> Response:
        logger.info("rejected unsupported content type")
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON (Content-Type: application/json)",
            [FieldProblem(field="Content-Type", problem="unsupported")],
        )

    @app.exception_handler(ServiceUnavailableError)
    def unavailable(error: ServiceUnavailableError) -> Response:
        logger.warning("answered service unavailable", extra={"reason": str(error)})
        body = error.body or ErrorResponse(message=str(error))
        return Response(
            status_code=HTTPStatus.SERVICE_UNAVAILABLE,
            content_type=content_types.APPLICATION_JSON,
            body=body.model_dump_json(),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.not_found
    def not_found(_: NotFoundError) -> Response:
        return error_response(HTTPStatus.NOT_FOUND, "no such route")

    @app.exception_handler(Exception)
    def unexpected(_: Exception) -> Response:
        logger.exception("unexpected error")
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error")
