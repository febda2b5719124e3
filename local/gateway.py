"""The local API Gateway: a REST API with Lambda proxy integrations, from the shared route table.

Each request becomes an API Gateway REST proxy event (payload v1) and is handed to the
route's function; the function's proxy response is written back. What API Gateway answers
by itself is answered here as `infra.api` configures it: CORS preflight (the mock OPTIONS
method of `defaultCorsPreflightOptions`), the request validator's 400 for a POST body that
is not a JSON object, 403 "Missing Authentication Token" for a path or method without a
route (every method, listed or not, reaches the route table), 502 "Internal server error" when
the function fails, times out (Lambda ends it and API Gateway sees a function error) or returns a
malformed response. A request is read within the bounds of `BoundedRequestHandler`: a body over
the functions' 64 KiB is a 413 before it is read, broken framing a 400, chunked bodies a 411, a
request that does not arrive within its time a 408, each with a JSON error body.

A signed-in route (`Route.signed_in`, the /me/* family) runs the Cognito user-pool authorizer first
(`local.authorizer`, the checks API Gateway makes): without a valid ID token in `Authorization` the
answer is 401 `{"message":"Unauthorized"}` and no function runs; with one, the token's claims reach
the function in `requestContext.authorizer.claims`, as strings.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra.deployment import (
    BAD_REQUEST_BODY,
    CORS_ALLOWED_HEADERS,
    CORS_MAX_AGE_SECONDS,
    DEFAULT_STAGE,
    METHODS_WITH_BODY,
)
from local.authorizer import CognitoAuthorizer, UnauthorizedError, claims_summary, verify
from local.background_server import BackgroundServer, BoundedRequestHandler, Refusal
from local.functions import InvocationError
from local.metrics.figures import LocalMetrics
from personalization.contracts.topology import Route

logger = logging.getLogger("local.gateway")

API_ID = "local"
JSON = "application/json"
ERROR_TYPES = {
    HTTPStatus.BAD_REQUEST: "BadRequestException",
    HTTPStatus.REQUEST_TIMEOUT: "RequestTimeoutException",
    HTTPStatus.LENGTH_REQUIRED: "LengthRequiredException",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "RequestTooLongException",
}

Invoke = Callable[[str, dict[str, Any]], Any]
"""Calls a function by name with an event and returns its result, or raises InvocationError."""


@dataclass(frozen=True)
class CorsPolicy:
    allowed_origins: tuple[str, ...]
    allow_headers: tuple[str, ...] = CORS_ALLOWED_HEADERS
    max_age_seconds: int = CORS_MAX_AGE_SECONDS

    def allow_origin(self, origin: str | None) -> str:
        """The origin to echo: the request's when allowed, else the first one (as the CDK template does)."""
        if "*" in self.allowed_origins:
            return "*"
        if origin in self.allowed_origins:
            return origin
        return self.allowed_origins[0]


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class RouteTable:
    def __init__(self, routes: Iterable[Route]) -> None:
        self._functions: dict[str, dict[str, str]] = {}
        self._signed_in: set[tuple[str, str]] = set()
        for route in routes:
            self._functions.setdefault(route.path, {})[route.method] = route.function.name
            if route.signed_in:
                self._signed_in.add((route.method, route.path))

    def function(self, method: str, path: str) -> str | None:
        return self._functions.get(path, {}).get(method)

    def is_signed_in(self, method: str, path: str) -> bool:
        """Behind the Cognito authorizer."""
        return (method, path) in self._signed_in

    def has_path(self, path: str) -> bool:
        return path in self._functions

    @property
    def all_methods(self) -> list[str]:
        """What the preflight allows on every resource (the stack's `allow_methods`)."""
        return sorted({method for methods in self._functions.values() for method in methods})


def api_error(
    status: int, message: str, error_type: str, request_id: str, body: dict[str, Any] | None = None
) -> GatewayResponse:
    """A response API Gateway generates itself (a "gateway response")."""
    return GatewayResponse(
        status,
        [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", error_type),
        ],
        json.dumps(body or {"message": message}).encode(),
    )


def is_json_object_body(method: str, headers: Sequence[tuple[str, str]], body: bytes) -> bool:
    """The request validator's check: a JSON body of a POST/PUT/PATCH must be a JSON object.

    A body nested too deep to parse here is left to the function, whose parser bounds the depth.
    """
    if method not in METHODS_WITH_BODY:
        return True
    content_type = next((value for key, value in headers if key.lower() == "content-type"), JSON)
    if content_type.split(";")[0].strip().lower() != JSON:
        return True
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False
    except RecursionError:
        return True


def proxy_event(
    method: str,
    raw_path: str,
    *,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    source_ip: str,
    request_id: str,
    claims: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The REST API proxy event (payload v1) for one request; `claims` of a verified token go to
    `requestContext.authorizer.claims`."""
    url = urlsplit(raw_path)
    path = url.path
    query_pairs = parse_qsl(url.query, keep_blank_values=True)
    multi_query: dict[str, list[str]] = {}
    for key, value in query_pairs:
        multi_query.setdefault(key, []).append(value)
    multi_headers: dict[str, list[str]] = {}
    for key, value in headers:
        multi_headers.setdefault(key, []).append(value)
    text, is_base64 = _event_body(body)
    now = time.time()
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {key: values[-1] for key, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {key: values[-1] for key, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": API_ID,
            "resourcePath": path,
            "httpMethod": method,
            "extendedRequestId": request_id,
            "requestTime": formatdate(now, usegmt=True),
            "path": f"/{DEFAULT_STAGE}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": DEFAULT_STAGE,
            "domainPrefix": API_ID,
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {"sourceIp": source_ip, "userAgent": multi_headers.get("User-Agent", [None])[-1]},
            "domainName": multi_headers.get("Host", ["127.0.0.1"])[-1],
            "apiId": API_ID,
            **({"authorizer": {"claims": dict(claims)}} if claims is not None else {}),
        },
        "body": text,
        "isBase64Encoded": is_base64,
    }


def _event_body(body: bytes) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def proxy_response(result: Any, request_id: str) -> GatewayResponse:
    """The HTTP response for a function's proxy result; 502 when the result is malformed."""
    if not isinstance(result, Mapping) or not isinstance(result.get("statusCode"), int):
        raise MalformedResponseError("the result has no integer statusCode")
    headers: list[tuple[str, str]] = []
    for key, value in (result.get("headers") or {}).items():
        headers.append((str(key), str(value)))
    single_names = {key.lower() for key, _ in headers}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        if str(key).lower() not in single_names:
            headers.extend((str(key), str(value)) for value in values)
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise MalformedResponseError("the body is not a string")
    try:
        payload = base64.b64decode(body, validate=True) if result.get("isBase64Encoded") else body.encode()
    except binascii.Error as error:
        raise MalformedResponseError(f"the body is not base64: {error}") from error
    names = {key.lower() for key, _ in headers}
    if "content-type" not in names:
        headers.append(("Content-Type", "application/json"))
    headers.append(("x-amzn-RequestId", request_id))
    return GatewayResponse(result["statusCode"], headers, payload)


class MalformedResponseError(ValueError):
    pass


class Gateway(BackgroundServer):
    """Serves the route table on host:port until `stop`."""

    def __init__(
        self,
        routes: Iterable[Route],
        invoke: Invoke,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """Binds the port at once; serves from `start`."""
        self.routes = RouteTable(routes)
        self.invoke = invoke
        self.cors = CorsPolicy(())
        """The storefront's origins: set before `start`, once the storefront host has its port."""
        self.authorizer: CognitoAuthorizer | None = None
        """The user pool's authorizer of the signed-in routes, set before `start` (without one: 401)."""
        self.metrics: LocalMetrics | None = None
        """Where each request's Count, 4XXError, 5XXError and Latency go (`local.metrics`)."""
        super().__init__("gateway", _handler_class(self), host, port)

    def handle(
        self, method: str, raw_path: str, headers: Sequence[tuple[str, str]], body: bytes, source_ip: str
    ) -> GatewayResponse:
        request_id = str(uuid.uuid4())
        path = urlsplit(raw_path).path
        if method == "OPTIONS" and self.routes.has_path(path):
            return self._preflight(headers, request_id)
        function = self.routes.function(method, path)
        if function is None:
            return api_error(
                403, "Missing Authentication Token", "MissingAuthenticationTokenException", request_id
            )
        claims = None
        if self.routes.is_signed_in(method, path):
            try:
                claims = verify(self.authorizer, headers)
            except UnauthorizedError as error:
                logger.info("401 for %s %s: %s", method, path, error)
                return self._unauthorized(headers, request_id)
            logger.debug("authorized %s %s for %s", method, path, claims_summary(claims))
        if not is_json_object_body(method, headers, body):
            return api_error(400, "", "BadRequestException", request_id, BAD_REQUEST_BODY)
        event = proxy_event(
            method,
            raw_path,
            headers=headers,
            body=body,
            source_ip=source_ip,
            request_id=request_id,
            claims=claims,
        )
        try:
            return proxy_response(self.invoke(function, event), request_id)
        except InvocationError as error:
            logger.warning("function %s failed for %s %s: %s (see its log)", function, method, path, error)
        except MalformedResponseError as error:
            logger.warning("malformed Lambda proxy response from %s: %s", function, error)
        return api_error(502, "Internal server error", "InternalServerErrorException", request_id)

    def _unauthorized(self, headers: Sequence[tuple[str, str]], request_id: str) -> GatewayResponse:
        """The UNAUTHORIZED gateway response, with the CORS origin the stack adds to it (so the page can
        read the 401 and refresh its token)."""
        response = api_error(401, "Unauthorized", "UnauthorizedException", request_id)
        origin = next((value for key, value in headers if key.lower() == "origin"), None)
        response.headers.append(("Access-Control-Allow-Origin", self.cors.allow_origin(origin)))
        return response

    def _preflight(self, headers: Sequence[tuple[str, str]], request_id: str) -> GatewayResponse:
        origin = next((value for key, value in headers if key.lower() == "origin"), None)
        response_headers = [
            ("Access-Control-Allow-Headers", ",".join(self.cors.allow_headers)),
            ("Access-Control-Allow-Origin", self.cors.allow_origin(origin)),
            ("Access-Control-Allow-Methods", ",".join(self.routes.all_methods)),
            ("Access-Control-Max-Age", str(self.cors.max_age_seconds)),
            ("x-amzn-RequestId", request_id),
        ]
        if len(self.cors.allowed_origins) > 1:
            response_headers.append(("Vary", "Origin"))
        return GatewayResponse(204, response_headers, b"")


def _handler_class(gateway: Gateway) -> type[BoundedRequestHandler]:
    class GatewayRequestHandler(BoundedRequestHandler):
        server_version = "local-apigateway"
        disable_nagle_algorithm = True

        def __getattr__(self, name: str) -> Any:
            """Every method, TRACE or PROPFIND too, reaches the route table (403 without a route)."""
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def _serve(self) -> None:
            started = time.monotonic()
            response = gateway.handle(
                self.command, self.path, list(self.headers.items()), self.body, self.client_address[0]
            )
            if gateway.metrics is not None:
                gateway.metrics.api_request(response.status, (time.monotonic() - started) * 1000)
            self._write(response)

        def _write(self, response: GatewayResponse) -> None:
            self.send_response(response.status)
            for key, value in response.headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def send_refusal(self, refusal: Refusal) -> None:
            error_type = ERROR_TYPES.get(HTTPStatus(refusal.status), "BadRequestException")
            response = api_error(
                refusal.status, refusal.message, error_type, str(uuid.uuid4()), refusal.payload()
            )
            self._write(
                GatewayResponse(response.status, [*response.headers, ("Connection", "close")], response.body)
            )

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """The server's own refusals (a broken request line or header, 414, 431) in JSON too."""
            self.close_connection = True
            status = code if 400 <= code < 500 else HTTPStatus.BAD_REQUEST
            self.send_refusal(Refusal(status, message or HTTPStatus(status).phrase, "request", "malformed"))

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug(format, *args)

    return GatewayRequestHandler
