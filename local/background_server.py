"""An HTTP server on loopback, bound at once and served on a daemon thread until stopped.

Its handlers (`BoundedRequestHandler`) read a request only within bounds: a body is framed by
one Content-Length of at most `max_body_bytes` (no Transfer-Encoding), and a request must
arrive whole, head and body, within REQUEST_SECONDS of its first byte, so neither a broken
framing nor a slow client holds a thread. A refused request is answered with a 4xx JSON body
`{"message", "errors": [{"field", "problem"}]}` and its connection closed.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from personalization.contracts.limits import MAX_BODY_BYTES

IDLE_SECONDS = 60.0
"""How long a kept-alive connection may wait for its next request."""
REQUEST_SECONDS = 5.0
"""How long a request may take to arrive, head and body, once its first byte has."""
LINGER_SECONDS = 0.5
LINGER_BYTES = 1024 * 1024
"""After refusing a request, what is still read and dropped so the client sees the answer, not a reset."""


class BackgroundServer:
    """Binds host:port at construction (so a busy port fails early) and serves from `start`."""

    def __init__(self, name: str, handler_class: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadingHTTPServer((host, port), handler_class)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()


@dataclass(frozen=True)
class Refusal:
    """Why a request is answered without being served."""

    status: int
    message: str
    field: str
    problem: str

    def payload(self) -> dict[str, Any]:
        return {"message": self.message, "errors": [{"field": self.field, "problem": self.problem}]}


class RefusedError(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


class _DeadlineReader(io.RawIOBase):
    """The connection's bytes: idle between requests, then REQUEST_SECONDS for the whole request."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._deadline: float | None = None
        self.expired = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._deadline is None:
            self._connection.settimeout(IDLE_SECONDS)
        else:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                self.expired = True
                raise TimeoutError("the request did not arrive in time")
            self._connection.settimeout(remaining)
        try:
            count = self._connection.recv_into(buffer)
        except TimeoutError:
            self.expired = self._deadline is not None
            raise
        if count and self._deadline is None:
            self._deadline = time.monotonic() + REQUEST_SECONDS
        return count

    def request_read(self) -> None:
        self._deadline = None
        self._connection.settimeout(IDLE_SECONDS)


class BoundedRequestHandler(BaseHTTPRequestHandler):
    """Reads each request's body (into `body`) before it is dispatched, within the bounds above."""

    protocol_version = "HTTP/1.1"
    max_body_bytes = MAX_BODY_BYTES
    body = b""
    command = requestline = ""
    """Until a request line is parsed (a refusal may come first)."""
    request_version = protocol_version

    def setup(self) -> None:
        super().setup()
        self._reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except ConnectionError:
            self.close_connection = True
        if self._reader.expired:
            self._reader.expired = False
            self._refuse(
                Refusal(
                    HTTPStatus.REQUEST_TIMEOUT,
                    f"the request did not arrive within {REQUEST_SECONDS:g} s",
                    "request",
                    "too slow",
                )
            )

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        try:
            length = self._body_length()
            self.body = self.rfile.read(length) if length else b""
        except RefusedError as refused:
            self._refuse(refused.refusal)
            return False
        if len(self.body) < length:
            raise ConnectionResetError("the client closed the connection within the body")
        self._reader.request_read()
        return True

    def handle_expect_100(self) -> bool:
        """No 100 Continue for a body that is refused: the refusal is the answer."""
        try:
            self._body_length()
        except RefusedError:
            return True
        return super().handle_expect_100()

    def send_response_only(self, code: int, message: str | None = None) -> None:
        """Always a status line and headers, also to a request line of HTTP/0.9 or none at all."""
        if self.request_version == "HTTP/0.9":
            self.request_version = self.protocol_version
        super().send_response_only(code, message)

    def _body_length(self) -> int:
        """The body's Content-Length, once the request's framing passes."""
        if self.request_version == "HTTP/0.9":
            raise RefusedError(
                Refusal(HTTPStatus.BAD_REQUEST, "HTTP/0.9 is not served", "request", "unsupported")
            )
        if "Transfer-Encoding" in self.headers:
            raise RefusedError(
                Refusal(
                    HTTPStatus.LENGTH_REQUIRED,
                    "send the body with a Content-Length",
                    "Transfer-Encoding",
                    "not supported",
                )
            )
        lengths = {value.strip() for value in self.headers.get_all("Content-Length", [])}
        if len(lengths) > 1 or not all(value.isascii() and value.isdigit() for value in lengths):
            raise RefusedError(
                Refusal(
                    HTTPStatus.BAD_REQUEST,
                    "invalid request framing",
                    "Content-Length",
                    "must be one non-negative integer",
                )
            )
        length = int(lengths.pop()) if lengths else 0
        if length > self.max_body_bytes:
            raise RefusedError(
                Refusal(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"request body is over {self.max_body_bytes} bytes",
                    "body",
                    "too large",
                )
            )
        return length

    def _refuse(self, refusal: Refusal) -> None:
        self.close_connection = True
        try:
            self.send_refusal(refusal)
            self.wfile.flush()
            self._linger()
        except OSError:
            pass

    def send_refusal(self, refusal: Refusal) -> None:
        """Write the answer to a refused request (JSON); a server may add its own headers."""
        body = json.dumps(refusal.payload()).encode()
        self.send_response(refusal.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _linger(self) -> None:
        """Drop what the client still sends for a while, so it reads the answer before the close."""
        self.connection.shutdown(socket.SHUT_WR)
        self.connection.settimeout(LINGER_SECONDS)
        deadline, dropped = time.monotonic() + LINGER_SECONDS, 0
        while dropped < LINGER_BYTES and time.monotonic() < deadline:
            chunk = self.connection.recv(65536)
            if not chunk:
                return
            dropped += len(chunk)
