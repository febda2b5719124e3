"""Function workers as Lambda runs them: own environment, context, timeout, errors, concurrency."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import requests

from local.functions import (
    FunctionConfig,
    FunctionPool,
    FunctionStartError,
    InvocationError,
    InvocationTimeoutError,
)
from local.gateway import CorsPolicy, Gateway
from personalization.contracts.topology import FunctionSpec, Route
from personalization.settings import FunctionSettings

pytestmark = pytest.mark.integration

HANDLERS = "tests.integration.local_stack.handlers"
"""Test handlers, imported by their module path as Lambda imports `module.attribute`."""
ENVIRONMENT = {"ONLY_THIS": "yes", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
"""With LANG set, Python adds nothing (without it, locale coercion would add LC_CTYPE)."""


def spec_of(name: str, timeout_seconds: int = 3) -> FunctionSpec:
    return FunctionSpec(name, "test", timeout_seconds, FunctionSettings)


def pool_of(name: str, tmp_path: Path, timeout_seconds: int = 3, max_concurrency: int = 2) -> FunctionPool:
    spec = spec_of(name, timeout_seconds)
    return FunctionPool(
        FunctionConfig(
            spec,
            ENVIRONMENT,
            tmp_path / f"{name}.log",
            max_concurrency=max_concurrency,
            handler=f"{HANDLERS}.{name}.handler.lambda_handler",
        )
    )


@pytest.fixture
def echo(tmp_path: Path):
    pool = pool_of("echo", tmp_path)
    pool.start()
    yield pool
    pool.stop()


def test_the_handler_sees_only_its_environment_and_a_lambda_context(echo: FunctionPool) -> None:
    answer = echo.invoke({"hello": "world"}, request_id="request-1")

    assert answer["event"] == {"hello": "world"}
    assert answer["environment"] == ENVIRONMENT
    assert answer["functionName"] == "echo"
    assert answer["memory"] == 128
    assert answer["requestId"] == "request-1"
    assert answer["arn"].endswith(":function:echo")
    assert 0 < answer["remainingMs"] <= 3000


def test_a_warm_instance_serves_the_next_invocation(echo: FunctionPool) -> None:
    first = echo.invoke({})["pid"]
    second = echo.invoke({})["pid"]

    assert first == second
    assert echo.size == 1


def test_a_handler_error_is_a_function_error_and_the_instance_stays(echo: FunctionPool) -> None:
    pid = echo.invoke({})["pid"]

    with pytest.raises(InvocationError) as raised:
        echo.invoke({"raise": "boom"})

    assert raised.value.error_type == "ValueError"
    assert echo.invoke({})["pid"] == pid


def test_an_invocation_over_the_timeout_ends_its_instance(tmp_path: Path) -> None:
    pool = pool_of("sleepy", tmp_path, timeout_seconds=1)
    pool.start()
    try:
        with pytest.raises(InvocationTimeoutError, match=r"timed out after 1\.00 seconds"):
            pool.invoke({"queryStringParameters": {"sleep": "5"}})
        assert pool.size == 0
        assert pool.invoke({"queryStringParameters": {}})["statusCode"] == 200
    finally:
        pool.stop()


def test_a_runtime_that_exits_is_a_function_error_and_is_replaced(tmp_path: Path) -> None:
    pool = pool_of("crashing", tmp_path)
    pool.start()
    try:
        with pytest.raises(InvocationError) as raised:
            pool.invoke({})
        assert raised.value.error_type == "Runtime.ExitError"
        assert pool.size == 0
    finally:
        pool.stop()


def test_an_import_error_stops_the_start_and_names_the_log(tmp_path: Path) -> None:
    pool = pool_of("broken", tmp_path)

    with pytest.raises(FunctionStartError, match=r"broken\.log"):
        pool.start()

    assert "missing setting: EXAMPLE" in (tmp_path / "broken.log").read_text()


def test_concurrent_invocations_get_their_own_instances_up_to_the_limit(tmp_path: Path) -> None:
    pool = pool_of("sleepy", tmp_path, max_concurrency=2)
    pool.start()
    answers: list[str] = []
    try:
        threads = [
            threading.Thread(
                target=lambda: answers.append(
                    pool.invoke({"queryStringParameters": {"sleep": "0.5"}})["body"]
                )
            )
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        pool.stop()

    assert len(answers) == 3
    assert len(set(answers)) == 2


def test_the_gateway_answers_502_when_the_function_times_out(tmp_path: Path) -> None:
    pool = pool_of("sleepy", tmp_path, timeout_seconds=1)
    pool.start()
    gateway = Gateway([Route("GET", "/slow", spec_of("sleepy"))], lambda _name, event: pool.invoke(event))
    gateway.cors = CorsPolicy(("http://127.0.0.1:8080",))
    gateway.start()
    try:
        slow = requests.get(f"{gateway.url}/slow", params={"sleep": "3"}, timeout=10)
        fast = requests.get(f"{gateway.url}/slow", timeout=10)
    finally:
        gateway.stop()
        pool.stop()

    assert slow.status_code == 502
    assert slow.json() == {"message": "Internal server error"}
    assert fast.status_code == 200


def test_the_gateway_builds_the_rest_proxy_event(echo: FunctionPool) -> None:
    gateway = Gateway(
        [Route("POST", "/echo", spec_of("echo"))], lambda _name, event: _as_proxy_response(echo.invoke(event))
    )
    gateway.cors = CorsPolicy(("http://127.0.0.1:8080",))
    gateway.start()
    try:
        response = requests.post(
            f"{gateway.url}/echo?a=1&a=2&b=",
            data=b"\xff\xfe binary",
            headers={"X-Twice": "one", "Content-Type": "application/octet-stream"},
            timeout=10,
        )
    finally:
        gateway.stop()

    assert response.status_code == 200
    event = response.json()
    assert event["httpMethod"] == "POST"
    assert event["path"] == event["resource"] == "/echo"
    assert event["queryStringParameters"] == {"a": "2", "b": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    assert event["headers"]["X-Twice"] == "one"
    assert event["multiValueHeaders"]["X-Twice"] == ["one"]
    assert event["isBase64Encoded"] is True
    assert event["body"] == "//4gYmluYXJ5"
    context = event["requestContext"]
    assert context["stage"] == "v1"
    assert context["path"] == "/v1/echo"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == response.headers["x-amzn-RequestId"]


def test_the_gateway_answers_502_for_a_malformed_proxy_response(echo: FunctionPool) -> None:
    gateway = Gateway([Route("GET", "/echo", spec_of("echo"))], lambda _name, event: echo.invoke(event))
    gateway.cors = CorsPolicy(("http://127.0.0.1:8080",))
    gateway.start()
    try:
        response = requests.get(f"{gateway.url}/echo", timeout=10)
    finally:
        gateway.stop()

    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


def _as_proxy_response(answer: dict) -> dict:
    """The echo handler's event as the body of a proxy response."""
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(answer["event"]),
    }
