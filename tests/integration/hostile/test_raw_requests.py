"""A fixed corpus of hostile requests against the local gateway over a raw socket.

Each gets a complete HTTP response with a 4xx and a JSON error body (`message`, and `errors` of
`field`/`problem` where the answer has them), never a 5xx, a reset or a hang; the gateway serves
a plain request right after each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import requests

from local.background_server import REQUEST_SECONDS
from personalization.contracts.limits import MAX_BODY_BYTES
from tests.integration.hostile.raw_http import exchange
from tests.stack_fixture import LocalStackHandle

pytestmark = pytest.mark.integration


def request(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    all_headers = {"Host": "127.0.0.1", **(headers or {})}
    if body and not {"content-length", "transfer-encoding"} & {name.lower() for name in all_headers}:
        all_headers["Content-Length"] = str(len(body))
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items())
    return head.encode("latin-1") + b"\r\n" + body


JSON_TYPE = {"Content-Type": "application/json"}
TEXT_TYPE = {"Content-Type": "text/plain;charset=UTF-8"}


def events(properties: str) -> bytes:
    return (
        b'{"sessionId": "hostile", "events": [{"eventType": "CartViewed", "properties": {"p": '
        + properties.encode()
        + b"}}]}"
    )


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@dataclass(frozen=True)
class Case:
    chunks: tuple[bytes, ...]
    status: int
    pause_seconds: float = 0.0


def case(raw: bytes, status: int) -> Case:
    return Case((raw,), status)


CORPUS: dict[str, Case] = {
    # Methods without an integration: API Gateway's 403, in JSON.
    "TRACE": case(request("TRACE", "/events"), 403),
    "PROPFIND": case(request("PROPFIND", "/recommendations"), 403),
    "CONNECT": case(request("CONNECT", "127.0.0.1:443"), 403),
    "M-SEARCH *": case(request("M-SEARCH", "*"), 403),
    "an arbitrary token": case(request("XYZZY", "/rank"), 403),
    "HEAD of a GET route": case(request("HEAD", "/related?itemId=1"), 403),
    "a NUL in the path": case(request("GET", "/events%00"), 403),
    "a path outside the routes": case(request("GET", "/../../etc/passwd"), 403),
    # Framing.
    "a negative Content-Length": case(request("POST", "/events", {"Content-Length": "-1", **JSON_TYPE}), 400),
    "a Content-Length that is no number": case(request("POST", "/events", {"Content-Length": "abc"}), 400),
    "a Content-Length with a sign": case(request("POST", "/rank", {"Content-Length": "+2"}, b"{}"), 400),
    "a hex Content-Length": case(request("POST", "/rank", {"Content-Length": "0x2"}, b"{}"), 400),
    "two Content-Lengths": case(
        b"POST /rank HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400
    ),
    "a Content-Length over 64 KiB, no body sent": case(
        request("POST", "/events", {"Content-Length": str(10**12), **JSON_TYPE}), 413
    ),
    "a body over 64 KiB": case(request("POST", "/events", TEXT_TYPE, b"x" * (MAX_BODY_BYTES + 1)), 413),
    "a body over 64 KiB with Expect: 100-continue": case(
        request("POST", "/rank", {"Expect": "100-continue", **JSON_TYPE}, b" " * (MAX_BODY_BYTES * 2)), 413
    ),
    "a GET with a body over 64 KiB": case(request("GET", "/recommendations", {}, b"x" * 70_000), 413),
    "a chunked body with no end": case(
        request("POST", "/events", {"Transfer-Encoding": "chunked", **JSON_TYPE}, b"5\r\nhello\r\n"), 411
    ),
    "a complete chunked body": case(
        request("POST", "/rank", {"Transfer-Encoding": "chunked", **JSON_TYPE}, b"2\r\n{}\r\n0\r\n\r\n"), 411
    ),
    "chunked and a Content-Length": case(
        request("POST", "/rank", {"Transfer-Encoding": "chunked", "Content-Length": "2", **JSON_TYPE}, b"{}"),
        411,
    ),
    "a body shorter than its Content-Length": Case(
        (request("POST", "/events", {"Content-Length": "100", **JSON_TYPE}), b"{"), 408
    ),
    "a head sent a byte a second": Case(
        tuple(bytes([b]) for b in b"GET /recommendations HTTP/1.1\r\nHost: x\r\nX-Slow: yes"), 408, 1.0
    ),
    # The request line and headers.
    "garbage for a request line": case(b"\x00\x01\x02 \xff\r\n\r\n", 400),
    "an unknown HTTP version": case(b"GET /recommendations HTTP/9.9\r\nHost: x\r\n\r\n", 400),
    "a request line over 64 KiB": case(request("GET", "/recommendations?userId=" + "u" * 70_000), 414),
    "101 headers": case(request("GET", "/recommendations", {f"X-H{n}": "v" for n in range(101)}), 431),
    "a header line over 64 KiB": case(request("GET", "/recommendations", {"X-Big": "v" * 70_000}), 431),
    # Bodies the functions cannot read.
    "JSON 5000 levels deep to /events": case(
        request("POST", "/events", JSON_TYPE, b'{"sessionId": "s", "events": ' + deep(5000) + b"}"), 400
    ),
    "JSON 5000 levels deep to /rank": case(
        request("POST", "/rank", JSON_TYPE, b'{"itemIds": ' + deep(5000) + b"}"), 400
    ),
    "JSON 5000 levels deep as text/plain": case(
        request("POST", "/events", TEXT_TYPE, b'{"sessionId": "s", "events": ' + deep(5000) + b"}"), 400
    ),
    "JSON 40 levels deep": case(request("POST", "/rank", JSON_TYPE, b'{"itemIds": ' + deep(40) + b"}"), 400),
    "a 400-digit integer property": case(request("POST", "/events", JSON_TYPE, events("1" + "0" * 399)), 400),
    "a 5000-digit integer property": case(request("POST", "/events", TEXT_TYPE, events("9" * 5000)), 400),
    "an integer just over 2^53": case(request("POST", "/events", JSON_TYPE, events(str(2**53 + 1))), 400),
    "1e400": case(request("POST", "/events", JSON_TYPE, events("1e400")), 400),
    "NaN": case(request("POST", "/events", TEXT_TYPE, events("NaN")), 400),
    "a lone surrogate": case(request("POST", "/events", JSON_TYPE, events('"\\ud800"')), 400),
    "a lone surrogate as a key": case(request("POST", "/rank", JSON_TYPE, b'{"\\udfff": 1}'), 400),
    "bytes that are not UTF-8, as JSON": case(
        request("POST", "/rank", JSON_TYPE, b'{"itemIds": ["\xff"]}'), 400
    ),
    "bytes that are not UTF-8, as text/plain": case(
        request("POST", "/events", TEXT_TYPE, b'{"sessionId": "\xff\xfe", "events": []}'), 400
    ),
    "UTF-16 JSON": case(request("POST", "/rank", JSON_TYPE, '{"itemIds": ["a"]}'.encode("utf-16")), 400),
    "an empty JSON body": case(request("POST", "/events", {"Content-Length": "0", **JSON_TYPE}), 400),
    "a JSON array": case(request("POST", "/rank", JSON_TYPE, b'["a"]'), 400),
    "XML": case(request("POST", "/rank", {"Content-Type": "application/xml"}, b"<itemIds/>"), 415),
    "a form body": case(
        request(
            "POST", "/rank", {"Content-Type": "application/x-www-form-urlencoded"}, b"itemIds=a&itemIds=b"
        ),
        415,
    ),
    "a multipart body": case(
        request(
            "POST",
            "/events",
            {"Content-Type": "multipart/form-data; boundary=x"},
            b'--x\r\nContent-Disposition: form-data; name="sessionId"\r\n\r\ns\r\n--x--\r\n',
        ),
        415,
    ),
    "a multipart body with no boundary": case(
        request("POST", "/events", {"Content-Type": "multipart/form-data"}, b"--x--\r\n"), 415
    ),
    # Query strings.
    "a 400-digit numResults": case(request("GET", "/recommendations?numResults=" + "9" * 400), 400),
    "a numResults of 1e3": case(request("GET", "/recommendations?numResults=1e3"), 400),
    "an encoded surrogate in userId": case(request("GET", "/recommendations?userId=%ED%A0%80"), 400),
    "bad percent-encoding in itemId": case(request("GET", "/related?itemId=%ZZ%"), 400),
    "a NUL in itemId": case(request("GET", "/related?itemId=a%00b"), 400),
    "an unknown filter": case(request("GET", "/recommendations?userId=1&filter=%7B%7D"), 400),
}


@pytest.fixture(scope="module")
def api_url(local_stack: LocalStackHandle) -> str:
    return local_stack.api_url


@pytest.mark.parametrize("name", list(CORPUS))
def test_a_hostile_request_gets_a_4xx_in_json_and_the_gateway_serves_on(api_url: str, name: str) -> None:
    hostile = CORPUS[name]

    response = exchange(api_url, hostile.chunks, pause_seconds=hostile.pause_seconds)

    assert response.status == hostile.status, response.body[:300]
    assert response.headers["content-type"].startswith("application/json")
    if not hostile.chunks[0].startswith(b"HEAD "):
        body = json.loads(response.body)
        assert isinstance(body["message"], str)
        for error in body.get("errors", []):
            assert set(error) == {"field", "problem"}
    assert response.seconds < REQUEST_SECONDS + 5
    assert requests.get(f"{api_url}/recommendations", timeout=10).status_code == 200
