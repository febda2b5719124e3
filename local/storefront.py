"""The storefront's static host: `storefront/` plus the files a deployment would add next to it.

`config.json` points the page at the API and at the twin's user pool (moto's Cognito endpoint, and
USER_PASSWORD_AUTH: see `local.cognito`), and `data/` serves the dataset's catalog, users and
featured list, so the storefront reads the same files it reads from S3 in the cloud. Requests are
read within the bounds of `BoundedRequestHandler` (no unbounded body, no slow client held forever).

The host also serves the twin's operations page (`local.ops`), which the cloud's storefront does not
have: `/ops/` (the page, from local/ops/page/), `/ops/vendor/` (uPlot, from node_modules: `make
node`) and `/ops/data` (a snapshot of every widget and alarm of the stack's dashboard definition,
from the local CloudWatch; 503 until the stack has configured it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from local.background_server import BackgroundServer, BoundedRequestHandler
from local.ops.service import OpsService
from repository import REPOSITORY_ROOT, STOREFRONT_DIR

logger = logging.getLogger("local.storefront")

STOREFRONT_ROOT = STOREFRONT_DIR
DATA_FILES = ("catalog.json", "users.json", "featured.json")
OPS_PAGE_DIR = Path(__file__).resolve().parent / "ops" / "page"
OPS_PAGE_FILES = {"": "index.html", "index.html": "index.html", "ops.js": "ops.js", "ops.css": "ops.css"}
UPLOT_DIR = REPOSITORY_ROOT / "node_modules" / "uplot" / "dist"
UPLOT_FILES = ("uPlot.iife.min.js", "uPlot.min.css")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}


def storefront_config(
    api_url: str, cognito: Mapping[str, str] | None = None, profile_emulation: bool = True
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "apiBaseUrl": api_url,
        "dataBaseUrl": "data/",
        "profileEmulation": profile_emulation,
    }
    if cognito is not None:
        config["cognito"] = dict(cognito)
    return config


class StorefrontRequestHandler(BoundedRequestHandler, SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}

    def __init__(
        self, *args: Any, generated: Mapping[str, bytes], ops: Mapping[str, OpsService], **kwargs: Any
    ) -> None:
        self.generated = generated
        self.ops = ops
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/ops" or path.startswith("/ops/"):
            self._ops(path)
            return
        content = self.generated.get(path)
        if content is None:
            super().do_GET()
            return
        self._send(200, "application/json", content)

    def _ops(self, path: str) -> None:
        if path == "/ops":
            self.send_response(301)
            self.send_header("Location", "/ops/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        name = path.removeprefix("/ops/")
        if name == "data":
            service = self.ops.get("service")
            if service is None:
                self._send(503, "application/json", b'{"message": "the operations page is not configured"}')
                return
            try:
                snapshot = service.snapshot()
            except Exception:  # the local CloudWatch may be stopping
                logger.exception("the operations snapshot failed")
                self._send(503, "application/json", b'{"message": "the local CloudWatch did not answer"}')
                return
            self._send(200, "application/json", json.dumps(snapshot).encode())
            return
        if name in OPS_PAGE_FILES:
            file = OPS_PAGE_DIR / OPS_PAGE_FILES[name]
        elif name.startswith("vendor/") and name.removeprefix("vendor/") in UPLOT_FILES:
            file = UPLOT_DIR / name.removeprefix("vendor/")
        else:
            self.send_error(404)
            return
        if not file.is_file():
            self.send_error(404, f"{file.name} is missing (make node installs uPlot)")
            return
        self._send(200, CONTENT_TYPES[file.suffix], file.read_bytes())

    def _send(self, status: int, content_type: str, content: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)


class StorefrontServer(BackgroundServer):
    def __init__(
        self,
        api_url: str,
        dataset_dir: Path,
        root: Path = STOREFRONT_ROOT,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_url = api_url
        self.generated = {"/config.json": json.dumps(storefront_config(api_url)).encode()}
        for name in DATA_FILES:
            self.generated[f"/data/{name}"] = (dataset_dir / name).read_bytes()
        self.ops: dict[str, OpsService] = {}
        """`service`: the operations page's source, once `configure_ops` has run."""
        handler = partial(
            StorefrontRequestHandler, directory=str(root), generated=self.generated, ops=self.ops
        )
        super().__init__("storefront", handler, host, port)

    def configure(self, cognito: Mapping[str, str], profile_emulation: bool) -> None:
        """Adds the user pool to config.json (known once moto runs; before `start`)."""
        config = storefront_config(self.api_url, cognito, profile_emulation)
        self.generated["/config.json"] = json.dumps(config).encode()

    def configure_ops(self, service: OpsService) -> None:
        """Serves `/ops/data` from `service` (the local CloudWatch is known once moto runs)."""
        self.ops["service"] = service
