"""Responses and errors in the services' rest-json wire shapes.

Personalize errors carry the code in the `x-amzn-ErrorType` header and `{"message": ...}` in
the body; Pinpoint errors carry `{"Message": ..., "RequestID": ...}`. botocore reads the code
from the header, so boto3 raises the modelled exception classes for both.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

JSON_CONTENT_TYPE = "application/json"


class ErrorStyle(Enum):
    PERSONALIZE = "personalize"
    PINPOINT = "pinpoint"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def new_request_id() -> str:
    return str(uuid.uuid4())


def json_response(status: int, payload: Any, request_id: str | None = None) -> Response:
    return Response(
        status,
        json.dumps(payload, separators=(",", ":")).encode("utf-8"),
        {"Content-Type": JSON_CONTENT_TYPE, "x-amzn-RequestId": request_id or new_request_id()},
    )


class ServiceError(Exception):
    """An error the emulated service returns to the client."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self, style: ErrorStyle, request_id: str) -> Response:
        body: dict[str, str] = (
            {"Message": self.message, "RequestID": request_id}
            if style is ErrorStyle.PINPOINT
            else {"message": self.message}
        )
        response = json_response(self.status, body, request_id)
        response.headers["x-amzn-ErrorType"] = self.code
        return response


def invalid_input(message: str) -> ServiceError:
    return ServiceError(400, "InvalidInputException", message)


def resource_not_found(message: str) -> ServiceError:
    return ServiceError(404, "ResourceNotFoundException", message)


def bad_request(message: str) -> ServiceError:
    return ServiceError(400, "BadRequestException", message)


def not_found(message: str) -> ServiceError:
    return ServiceError(404, "NotFoundException", message)


THROTTLING = {
    ErrorStyle.PERSONALIZE: ServiceError(400, "ThrottlingException", "Rate exceeded"),
    ErrorStyle.PINPOINT: ServiceError(429, "TooManyRequestsException", "Too many requests"),
}
SERVER_ERRORS = {
    ErrorStyle.PERSONALIZE: ServiceError(500, "InternalFailure", "The request processing has failed"),
    ErrorStyle.PINPOINT: ServiceError(500, "InternalServerErrorException", "Internal server error"),
}
