"""The local stack to shop at: a running `make demo` found through `<data dir>/endpoints.json`, or
one started in the background (`local.launcher`, as the tests and benchmarks start it) and stopped
at the end.

`endpoints.json` names the API and the storefront; the user pool's endpoint is where the storefront
finds it, in its `config.json` (`cognito.endpoint`). Everything must be on loopback: the simulator
sends traffic to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from local.data import DataFolder
from local.launcher import DemoProcess, DemoStartError, launch

logger = logging.getLogger("simulate.stack")

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PROBE_TIMEOUT_SECONDS = 3.0


class StackUnavailableError(RuntimeError):
    """No local stack answers, and none could be started (or starting one was not allowed)."""


@dataclass(frozen=True)
class StackEndpoints:
    api_url: str
    storefront_url: str
    cognito_endpoint: str
    client_id: str
    profile_emulation: bool
    data_dir: Path

    @property
    def dataset_dir(self) -> Path:
        return DataFolder(self.data_dir).dataset


def require_loopback(url: str, what: str) -> str:
    host = urlsplit(url).hostname
    if host not in LOOPBACK_HOSTS:
        raise StackUnavailableError(f"the {what} is at {url}, not on this machine's loopback: not simulating")
    return url


def read_endpoints(data_dir: Path) -> dict[str, Any] | None:
    """endpoints.json of a running stack, or None when there is none (or it cannot be read)."""
    try:
        endpoints = json.loads(DataFolder(data_dir).endpoints.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return endpoints if isinstance(endpoints, dict) else None


def connect(data_dir: Path, session: requests.Session | None = None) -> StackEndpoints:
    """The stack whose endpoints.json is in `data_dir`, checked to answer; StackUnavailableError else."""
    endpoints = read_endpoints(data_dir)
    if endpoints is None:
        raise StackUnavailableError(f"no {DataFolder(data_dir).endpoints} (is `make demo` running?)")
    http = session or requests.Session()
    try:
        api = require_loopback(str(endpoints["api"]), "API")
        storefront = require_loopback(str(endpoints["storefront"]), "storefront")
    except KeyError as error:
        raise StackUnavailableError(f"{DataFolder(data_dir).endpoints} has no {error.args[0]!r}") from error
    try:
        http.get(
            f"{api}/recommendations", params={"numResults": 1}, timeout=PROBE_TIMEOUT_SECONDS
        ).raise_for_status()
        config = http.get(f"{storefront}/config.json", timeout=PROBE_TIMEOUT_SECONDS)
        config.raise_for_status()
        cognito = config.json()["cognito"]
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        raise StackUnavailableError(
            f"the stack named in {DataFolder(data_dir).endpoints} does not answer ({error})"
        ) from error
    return StackEndpoints(
        api_url=api,
        storefront_url=storefront,
        cognito_endpoint=require_loopback(str(cognito["endpoint"]), "user pool"),
        client_id=str(cognito["clientId"]),
        profile_emulation=bool(config.json().get("profileEmulation", False)),
        data_dir=data_dir,
    )


@dataclass
class BackgroundStack:
    """A `python -m local.demo` this run started (on free ports), to stop at the end."""

    demo: DemoProcess

    def stop(self) -> int:
        return self.demo.stop()


def start_background(data_dir: Path) -> tuple[StackEndpoints, BackgroundStack]:
    """Starts the demo in `data_dir` on free ports and answers where it is; StackUnavailableError when
    it does not come up (its console log says why)."""
    try:
        demo = launch(data_dir, "--api-port=0", "--storefront-port=0")
    except (DemoStartError, OSError) as error:
        raise StackUnavailableError(f"could not start the local stack: {error}") from error
    background = BackgroundStack(demo)
    try:
        endpoints = connect(data_dir)
    except StackUnavailableError:
        background.stop()
        raise
    return endpoints, background
