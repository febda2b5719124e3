"""The storefront's static host: `storefront/` plus the files a deployment would add next to it.

`config.json` points the page at the API and at the twin's user pool (moto's Cognito endpoint, and
USER_PASSWORD_AUTH: see `local.cognito`), and `data/` serves the dataset's catalog, users and
featured list, so the storefront reads the same files it reads from S3 in the cloud. Requests are
read within the bounds of `BoundedRequestHandler` (no unbounded body, no slow client held forever).
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
from repository import STOREFRONT_DIR

logger = logging.getLogger("local.storefront")

STOREFRONT_ROOT = STOREFRONT_DIR
DATA_FILES = ("catalog.json", "users.json", "featured.json")
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

    def __init__(self, *args: Any, generated: Mapping[str, bytes], **kwargs: Any) -> None:
        self.generated = generated
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        content = self.generated.get(urlsplit(self.path).path)
        if content is None:
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
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
        handler = partial(StorefrontRequestHandler, directory=str(root), generated=self.generated)
        super().__init__("storefront", handler, host, port)

    def configure(self, cognito: Mapping[str, str], profile_emulation: bool) -> None:
        """Adds the user pool to config.json (known once moto runs; before `start`)."""
        config = storefront_config(self.api_url, cognito, profile_emulation)
        self.generated["/config.json"] = json.dumps(config).encode()
