"""The local bus and queues on one loopback port, speaking the services' own wire protocols.

A request is routed by its `X-Amz-Target`: `AWSEvents.<Operation>` to the local EventBridge,
`AmazonSQS.<Operation>` to the local SQS. Anything else (SSM, or any other service a client sends
here) is forwarded unchanged to the moto server given as `forward_url`, so one endpoint URL serves
every local AWS service: the AWS CLI's `--endpoint-url` and the SDKs' `AWS_ENDPOINT_URL` work as
before. `GET /_bus/stats` shows every queue's depth and the bus's and each rule's delivery counters.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import re
import socketserver
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local.bus.events import EventBridge
from local.bus.protocol import JSON_1_0, JSON_1_1, Answer, ServiceError
from local.bus.queues import Queues

logger = logging.getLogger("local.bus.server")

Operation = Callable[[dict[str, Any]], dict[str, Any]]
EVENTS_PREFIX = "AWSEvents."
SQS_PREFIX = "AmazonSQS."
MAX_BODY_BYTES = 4 * 1024 * 1024
FORWARD_TIMEOUT_SECONDS = 30.0


def snake_case(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


class LocalServices:
    """The local EventBridge and SQS behind one `handle(target, body)`."""

    def __init__(self, base_url: str, account: str, region: str, archive_dir: Path) -> None:
        self.queues = Queues(base_url, account, region)
        self.events = EventBridge(self.queues, archive_dir)

    def operation(self, target: str) -> tuple[Operation, str] | None:
        for prefix, model, content_type in (
            (EVENTS_PREFIX, self.events, JSON_1_1),
            (SQS_PREFIX, self.queues, JSON_1_0),
        ):
            if target.startswith(prefix):
                name = target[len(prefix) :]
                method = (
                    getattr(model, snake_case(name), None) if name.isalnum() and name[:1].isupper() else None
                )
                if method is None:
                    return _unknown(name), content_type
                return method, content_type
        return None

    def handle(self, target: str, body: bytes) -> Answer | None:
        """The answer to a JSON-protocol request, or None when the target is not ours."""
        found = self.operation(target)
        if found is None:
            return None
        method, content_type = found
        request_id = str(uuid.uuid4())
        headers = [("Content-Type", content_type), ("x-amzn-RequestId", request_id)]
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            return _error(
                ServiceError("SerializationException", "the request body is not a JSON object"), headers
            )
        try:
            answer = method(request)
        except ServiceError as error:
            return _error(error, headers)
        except Exception as error:
            logger.exception("%s failed", target)
            return _error(
                ServiceError("InternalFailure", str(error), status=500, sender_fault=False), headers
            )
        return Answer(200, json.dumps(answer, separators=(",", ":")).encode(), headers)

    def stats(self) -> dict[str, Any]:
        return {"queues": self.queues.depths(), "bus": self.events.stats()}

    def close(self) -> None:
        self.events.close()


def _unknown(name: str) -> Operation:
    def refuse(_: dict[str, Any]) -> dict[str, Any]:
        raise ServiceError("UnknownOperationException", f"the local bus and queues do not implement {name}")

    return refuse


def _error(error: ServiceError, headers: list[tuple[str, str]]) -> Answer:
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    extra = []
    if error.query_code:
        extra.append(
            ("x-amzn-query-error", f"{error.query_code};{'Sender' if error.sender_fault else 'Receiver'}")
        )
    return Answer(error.status, body, [*headers, *extra])


class _ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class BusServer:
    """Binds at construction; `start()` serves on a daemon thread until `stop()`."""

    def __init__(
        self,
        archive_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        account: str = "123456789012",
        forward_url: str | None = None,
    ) -> None:
        self._server = _ThreadingServer((host, port), _handler_class(self))
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self.services = LocalServices(self.url, account, region, archive_dir)
        self.forward_url = forward_url
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="bus-server", daemon=True
        )
        self._forward = threading.local()

    def start(self) -> BusServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self.services.close()

    def __enter__(self) -> BusServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def forward(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        """The request sent on to the moto server, over a kept-alive connection per thread."""
        if not self.forward_url:
            error = ServiceError("UnknownOperationException", "no service behind the local bus answers this")
            return _error(error, [("Content-Type", JSON_1_1)])
        address = urlsplit(self.forward_url)
        for attempt in (1, 2):
            connection: http.client.HTTPConnection | None = getattr(self._forward, "connection", None)
            if connection is None:
                connection = http.client.HTTPConnection(
                    address.hostname or "127.0.0.1", address.port, timeout=FORWARD_TIMEOUT_SECONDS
                )
                self._forward.connection = connection
            try:
                connection.request(method, path, body=body, headers=dict(headers))
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                self._forward.connection = None
                if attempt == 2:
                    raise
                continue
            skip = {"content-length", "transfer-encoding", "connection", "server", "date"}
            return Answer(
                response.status, payload, [(k, v) for k, v in response.getheaders() if k.lower() not in skip]
            )
        raise AssertionError("unreachable")


def _legacy_query_action(path: str, body: bytes) -> str | None:
    """The `Action` of a query-protocol request (form body or query string), if any."""
    form = parse_qs(urlsplit(path).query)
    if not form and body[:7] == b"Action=":
        form = parse_qs(body.decode("utf-8", "replace"))
    actions = form.get("Action")
    return actions[0] if actions else None


REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    413: "Payload Too Large",
    500: "Internal Server Error",
}
MAX_HEADER_LINES = 100


def _handler_class(server: BusServer) -> type[socketserver.StreamRequestHandler]:
    """A lean HTTP/1.1 handler: kept-alive connections, a Content-Length body, one write per answer.

    `http.server` parses every request's headers with the email package and writes the status
    line, the headers and the body in separate sends; at a few hundred calls a second that was
    most of the bus's own work."""

    class Handler(socketserver.StreamRequestHandler):
        disable_nagle_algorithm = True

        def handle(self) -> None:
            with contextlib.suppress(OSError, ValueError):
                while self._one_request():
                    pass

        def _one_request(self) -> bool:
            line = self.rfile.readline(65537)
            if not line:
                return False
            try:
                method, path, version = line.decode("latin-1").split()
            except ValueError:
                self._write(Answer(400, b'{"message":"malformed request line"}', []), close=True)
                return False
            headers: list[tuple[str, str]] = []
            for _ in range(MAX_HEADER_LINES):
                raw = self.rfile.readline(65537)
                if raw in (b"\r\n", b"\n", b""):
                    break
                name, _, value = raw.decode("latin-1").partition(":")
                headers.append((name.strip(), value.strip()))
            lookup = {name.lower(): value for name, value in headers}
            length = int(lookup.get("content-length") or 0)
            if length > MAX_BODY_BYTES or "transfer-encoding" in lookup:
                self._write(
                    Answer(413, b'{"__type":"RequestEntityTooLarge","message":"body too large"}', []),
                    close=True,
                )
                return False
            body = self.rfile.read(length) if length else b""
            keep_alive = lookup.get("connection", "").lower() != "close" and version == "HTTP/1.1"
            self._write(self._answer(method, path, headers, lookup, body), close=not keep_alive)
            return keep_alive

        def _answer(
            self, method: str, path: str, headers: list[tuple[str, str]], lookup: dict[str, str], body: bytes
        ) -> Answer:
            if method == "GET" and path.startswith("/_bus/stats"):
                return Answer(
                    200, json.dumps(server.services.stats()).encode(), [("Content-Type", "application/json")]
                )
            target = lookup.get("x-amz-target", "")
            services = server.services
            answer = services.handle(target, body) if target else None
            if answer is not None:
                return answer
            action = _legacy_query_action(path, body)
            if action is not None and hasattr(services.queues, snake_case(action)):
                message = {
                    "__type": "InvalidAction",
                    "message": "the local SQS speaks SQS's JSON protocol; use a current SDK or CLI",
                }
                return Answer(400, json.dumps(message).encode(), [("Content-Type", JSON_1_0)])
            return server.forward(method, path, headers, body)

        def _write(self, answer: Answer, *, close: bool = False) -> None:
            lines = [f"HTTP/1.1 {answer.status} {REASONS.get(answer.status, 'Status')}"]
            lines += [f"{key}: {value}" for key, value in answer.headers]
            lines.append(f"Content-Length: {len(answer.body)}")
            if close:
                lines.append("Connection: close")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            with contextlib.suppress(OSError):
                self.wfile.write(head + answer.body)

    return Handler
