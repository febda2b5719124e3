"""One HTTP exchange over a raw socket: bytes out as given, the response parsed by hand."""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    """Lower-case names; the last value of a repeated header."""
    body: bytes
    seconds: float


class NoResponseError(AssertionError):
    pass


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def exchange(
    url: str, chunks: Sequence[bytes], *, pause_seconds: float = 0.0, timeout: float = 15.0
) -> RawResponse:
    """Send `chunks` (pausing between them), then read one final response (interim 1xx skipped);
    fails on a close or a reset before a complete response, or after `timeout`."""
    started = time.monotonic()
    head_request = bool(chunks) and chunks[0].startswith(b"HEAD ")
    with socket.create_connection(address(url), timeout=timeout) as connection:
        try:
            for index, chunk in enumerate(chunks):
                if index and pause_seconds:
                    time.sleep(pause_seconds)
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking everything; read what it said
        received = b""
        while (response := _parse(received, time.monotonic() - started, head_request)) is None:
            try:
                chunk = connection.recv(65536)
            except TimeoutError as error:
                raise NoResponseError(f"no response within {timeout} s: {received[:200]!r}") from error
            except ConnectionResetError as error:
                raise NoResponseError(f"connection reset: {received[:200]!r}") from error
            if not chunk:
                raise NoResponseError(f"connection closed: {received[:200]!r}")
            received += chunk
        return response


def _parse(received: bytes, seconds: float, head_request: bool) -> RawResponse | None:
    head, separator, body = received.partition(b"\r\n\r\n")
    while separator and head.startswith(b"HTTP/1.1 1"):
        head, separator, body = body.partition(b"\r\n\r\n")
    if not separator:
        return None
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head_request else int(headers.get("content-length", "0"))
    if len(body) < length:
        return None
    return RawResponse(int(status_line.split()[1]), headers, body[:length], seconds)
