"""API Gateway REST (v1 payload) proxy events and a Lambda context, for handler tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 3000


TEST_POOL_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"


def shopper_claims(sub: str, **extra: str) -> dict[str, str]:
    """The claims API Gateway's Cognito authorizer passes for an ID token of account `sub` (strings)."""
    return {
        "sub": sub,
        "iss": TEST_POOL_ISSUER,
        "aud": "test-client",
        "token_use": "id",
        "email": f"{sub}@example.com",
        "email_verified": "true",
        "exp": "Tue Dec 01 09:00:00 UTC 2026",
        **extra,
    }


def rest_event(
    method: str,
    path: str,
    query: dict[str, str] | None = None,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    shopper: str | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A proxy event as API Gateway sends it; `raw_body` is sent as is (for malformed JSON).

    `shopper` makes it a signed-in request: the /me route of `path`, with the claims of an account
    whose `sub` is `shopper` (or the given `claims`) in `requestContext.authorizer`."""
    if shopper is not None or claims is not None:
        path = path if path.startswith("/me/") else f"/me{path}"
        claims = claims if claims is not None else shopper_claims(str(shopper))
    all_headers = {"Content-Type": "application/json", "Origin": "http://127.0.0.1:8080", **(headers or {})}
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {key: [value] for key, value in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {key: [value] for key, value in (query or {}).items()} or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "pytest"},
            "accountId": "123456789012",
            "apiId": "test",
            "domainName": "test.execute-api.us-east-1.amazonaws.com",
            "requestTimeEpoch": 0,
            "protocol": "HTTP/1.1",
            **({"authorizer": {"claims": claims}} if claims is not None else {}),
        },
        "body": text,
        "isBase64Encoded": False,
    }
