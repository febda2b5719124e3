"""AWS clients, created lazily on first use with explicit timeouts and retries.

Nothing is created at import time, so tests can inject clients (`set_client`) and the
standard AWS_ENDPOINT_URL_* variables are honoured when the client is first built.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

# Each service: (connect timeout s, read timeout s, total attempts). The read path keeps
# Personalize and SSM to one attempt each: its own retry logic knows the request budget.
# The write path allows one retry of a throttled or failed call (standard mode backoff):
# track_event answers within API Gateway's limit, and a sink that sees a call fail reports
# its records for SQS to redeliver rather than waiting longer.
CLIENT_LIMITS: dict[str, tuple[float, float, int]] = {
    "ssm": (0.15, 0.3, 1),
    "personalize-runtime": (0.25, 0.5, 1),
    "personalize-events": (1.0, 2.0, 2),
    "pinpoint": (1.0, 2.0, 2),
    "events": (0.5, 1.0, 2),
}

_clients: dict[str, Any] = {}


def client_config(service: str) -> Config:
    connect_timeout, read_timeout, attempts = CLIENT_LIMITS[service]
    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"total_max_attempts": attempts, "mode": "standard"},
    )


def get_client(service: str) -> Any:
    """The process-wide client of a service, built on first use."""
    if service not in _clients:
        _clients[service] = boto3.session.Session().client(service, config=client_config(service))  # type: ignore[call-overload]
    return _clients[service]


def set_client(service: str, client: Any) -> None:
    """Replace a service's client (tests, the local stack)."""
    _clients[service] = client


def reset_clients() -> None:
    _clients.clear()
