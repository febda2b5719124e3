"""Settings every test shares: a function environment, no real AWS, no network for unit tests."""

from __future__ import annotations

import os

import pytest
from pytest_socket import disable_socket, enable_socket

pytest_plugins = ["tests.stack_fixture"]
"""`local_stack`, one local stack per session for the integration and browser tests."""

TEST_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "tests",
    "POWERTOOLS_METRICS_NAMESPACE": "RetailPersonalization",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_DEV": "0",
    "PARAMETER_PREFIX": "/retail-personalization",
    "EVENT_BUS_NAME": "retail-personalization-events",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
os.environ.update(TEST_ENVIRONMENT)
for variable in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[variable]

KINDS = ("unit", "infra", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kinds = [kind for kind in KINDS if item.get_closest_marker(kind)]
        if len(kinds) != 1:
            raise pytest.UsageError(f"{item.nodeid} must be marked with exactly one of {KINDS}, has {kinds}")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("unit"):
        disable_socket(allow_unix_socket=True)
    else:
        enable_socket()
