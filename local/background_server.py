"""An HTTP server on loopback, bound at once and served on a daemon thread until stopped."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from typing import Any


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
