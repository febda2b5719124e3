"""AWS clients, created lazily on first use with explicit timeouts and retries.

Nothing is created at import time, so tests can inject clients (`set_client`) and the
standard AWS_ENDPOINT_URL_* variables are honoured when the client is first built.

The clients are botocore's, from one botocore session: boto3 adds resources and S3 transfers
the functions never use, and importing it (s3transfer, multiprocessing, its resource factory)
costs a cold start tens of milliseconds. A boto3 client is this same botocore client.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import botocore.session
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
_session: list[botocore.session.Session] = []
_lock = threading.Lock()


def client_config(limits: ClientLimits) -> Config:
    return Config(
        connect_timeout=limits.connect_timeout,
        read_timeout=limits.read_timeout,
        retries={"total_max_attempts": limits.attempts, "mode": "standard"},
    )


def get_client(service: str, limits: ClientLimits | None = None) -> Any:
    """The process-wide client of a service, built on first use with `limits` (or the service's own)."""
    client = _clients.get(service)
    if client is None:
        with _lock:  # the local twin serves requests on threads; a botocore session is not thread-safe
            client = _clients.get(service)
            if client is None:
                config = client_config(limits or CLIENT_LIMITS[service])
                client = _clients[service] = _botocore_session().create_client(service, config=config)
    return client


def _botocore_session() -> botocore.session.Session:
    """The process's botocore session (credentials, region and endpoints from the environment)."""
    if not _session:
        _session.append(botocore.session.get_session())
    return _session[0]


def set_client(service: str, client: Any) -> None:
    """Replace a service's client (tests, the local stack)."""
    _clients[service] = client


def built_clients() -> dict[str, Any]:
    """The clients built (or set) so far, by service."""
    return dict(_clients)


def reset_clients() -> None:
    """Forget the clients and the session (a test's new environment is read at the next client)."""
    with _lock:
        _clients.clear()
        _session.clear()
