"""The emulator as an importable HTTP server (stdlib `ThreadingHTTPServer`, HTTP/1.1 keep-alive).

    with EmulatorServer("/path/to/dataset") as emulator:
        client = boto3.client("personalize-runtime", endpoint_url=emulator.url)

Personalize runtime, Personalize events and Pinpoint share the one port: their paths differ.
`stop()` closes kept-alive connections so that no request thread outlives the server.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from local.emulator.app import MAX_BODY_BYTES, EmulatorApp
from local.emulator.faults import Fault, FaultInjector
from local.emulator.personalize import PersonalizeService
from local.emulator.pinpoint import PinpointService
from local.emulator.resources import EmulatedResources, default_resources
from local.emulator.sinks import EventLog
from local.recommender import ModelConfig, Recommender, load_training_data

logger = logging.getLogger(__name__)

FEATURED_FILE = "featured.json"
DEFAULT_REGION = "us-east-1"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    """Headers and body go out in separate writes: without TCP_NODELAY a kept-alive client waits ~40 ms."""
    server: _TrackingServer

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length <= MAX_BODY_BYTES else None
        if body is None:
            self.close_connection = True
        response = self.server.app.handle(self.command, self.path, body)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


class _TrackingServer(ThreadingHTTPServer):
    """Keeps the open connections so `close_connections` can end idle keep-alive threads."""

    daemon_threads = False

    def __init__(self, address: tuple[str, int], app: EmulatorApp) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                logger.debug("connection already closed")


def read_featured_item_ids(data_dir: Path) -> list[str]:
    path = data_dir / FEATURED_FILE
    if not path.is_file():
        return []
    return [str(item_id) for item_id in json.loads(path.read_text(encoding="utf-8")).get("itemIds", [])]


class EmulatorServer:
    """Personalize runtime/events and Pinpoint on loopback; the recommender is trained at construction."""

    def __init__(
        self,
        data_dir: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        region: str = DEFAULT_REGION,
        config: ModelConfig | None = None,
        fault_seed: int | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.resources: EmulatedResources = default_resources(region)
        started = time.perf_counter()
        training_data = load_training_data(self.data_dir)
        self.recommender = Recommender(training_data, config)
        self.training_seconds = time.perf_counter() - started
        self.featured_item_ids = read_featured_item_ids(self.data_dir)
        self.faults = FaultInjector(fault_seed)
        self.events = EventLog()
        dataset_sizes = {
            "items": training_data.catalog.size,
            "users": len(training_data.user_ids),
            "interactions": training_data.size,
        }
        self._app = EmulatorApp(
            resources=self.resources,
            personalize=PersonalizeService(self.resources, self.recommender, self.events),
            pinpoint=PinpointService(self.resources.pinpoint_application_id, self.events),
            faults=self.faults,
            event_log=self.events,
            health=lambda: {
                "status": "ok",
                **dataset_sizes,
                "trainingSeconds": round(self.training_seconds, 3),
            },
            ssm_parameters=self.ssm_parameters,
        )
        self._address = (host, port)
        self._server: _TrackingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> EmulatorServer:
        if self._server is not None:
            raise RuntimeError("the emulator is already started")
        self._server = _TrackingServer(self._address, self._app)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()
        self._server, self._thread = None, None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def ssm_parameters(self, *, prefer_recommenders: bool = False) -> dict[str, str]:
        """SSM values keyed by the parameters' relative names, featured items included."""
        return self.resources.ssm_parameters(self.featured_item_ids, prefer_recommenders=prefer_recommenders)

    def set_fault(
        self, operation: str, *, throttle_rate: float = 0.0, error_rate: float = 0.0, latency_ms: float = 0.0
    ) -> None:
        """`operation` is `"<service>:<Operation>"` (see `faults.OPERATIONS`) or `"*"`."""
        self.faults.set(operation, Fault(throttle_rate, error_rate, latency_ms))

    def clear_faults(self) -> None:
        self.faults.clear()

    def recorded(self, sink: str) -> list[dict[str, Any]]:
        """What a sink received (see `sinks.SINKS`), oldest first."""
        return self.events.records(sink)

    def clear_recorded(self) -> None:
        self.events.clear()
