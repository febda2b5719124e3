"""AWS clients, created lazily on first use with explicit timeouts and retries.

Nothing is created at import time, so tests can inject clients (`set_client`) and the
standard AWS_ENDPOINT_URL_* variables are honoured when the client is first built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config


@dataclass(frozen=True)
class ClientLimits:
    connect_timeout: float
    """Seconds."""
    read_timeout: float
    """Seconds."""
    attempts: int
    """Total attempts, the first included (botocore's standard retry mode between them)."""


# The read path keeps SSM to one attempt: its own fallback knows the request budget (Personalize's
# runtime limits come from the read settings, see `personalization.wiring`). The write path allows
# one retry of a throttled or failed call: track_event answers within API Gateway's limit, and a
# sink that sees a call fail reports its records for SQS to redeliver rather than waiting longer.
CLIENT_LIMITS: dict[str, ClientLimits] = {
    "ssm": ClientLimits(0.15, 0.3, 1),
    "personalize-events": ClientLimits(1.0, 2.0, 2),
    "pinpoint": ClientLimits(1.0, 2.0, 2),
    "events": ClientLimits(0.5, 1.0, 2),
}

_clients: dict[str, Any] = {}


def client_config(limits: ClientLimits) -> Config:
    return Config(
        connect_timeout=limits.connect_timeout,
        read_timeout=limits.read_timeout,
        retries={"total_max_attempts": limits.attempts, "mode": "standard"},
    )


def get_client(service: str, limits: ClientLimits | None = None) -> Any:
    """The process-wide client of a service, built on first use with `limits` (or the service's own)."""
    if service not in _clients:
        config = client_config(limits or CLIENT_LIMITS[service])
        _clients[service] = boto3.session.Session().client(service, config=config)  # type: ignore[call-overload]
    return _clients[service]


def set_client(service: str, client: Any) -> None:
    """Replace a service's client (tests, the local stack)."""
    _clients[service] = client


def built_clients() -> dict[str, Any]:
    """The clients built (or set) so far, by service."""
    return dict(_clients)


def reset_clients() -> None:
    _clients.clear()
