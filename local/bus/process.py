"""The local bus and queues in a process of their own (`python -m local.bus`), tied to the stack's
lifetime as every child of `local.child` is: its ready line names its URL."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from local import ACCOUNT_ID
from local.child import ChildProcess, announce, stop_requested

READY_TIMEOUT_SECONDS = 60.0


class BusProcess:
    """`start()` launches the child and waits until it serves; `stop()` ends it."""

    def __init__(self, archive_dir: Path, log_path: Path, region: str) -> None:
        self._command = [
            sys.executable,
            "-m",
            "local.bus",
            f"--archive-dir={archive_dir}",
            f"--region={region}",
        ]
        self._log_path = log_path
        self._child: ChildProcess | None = None
        self.url = ""

    def start(self, forward_url: str | None = None, timeout_seconds: float = READY_TIMEOUT_SECONDS) -> None:
        """Launch the child, which forwards every other service to `forward_url`; wait until it serves."""
        command = [*self._command, *([f"--forward={forward_url}"] if forward_url else [])]
        self._child = ChildProcess("local bus", command, self._log_path)
        self._child.start()
        self.url = self._child.wait_ready(timeout_seconds)["url"]

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()


def serve(archive_dir: Path, region: str, host: str, port: int, forward_url: str | None) -> None:
    from local.bus.server import BusServer

    stopping = stop_requested()
    with BusServer(
        archive_dir, host=host, port=port, region=region, account=ACCOUNT_ID, forward_url=forward_url
    ) as bus:
        announce({"url": bus.url}, f"local bus and queues on {bus.url}, forwarding the rest to {forward_url}")
        stopping.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local.bus", description="The local EventBridge and SQS.")
    parser.add_argument("--archive-dir", type=Path, required=True, help="where the bus archives' events go")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--forward", default=None, help="the moto server for every other service (SSM)")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    serve(arguments.archive_dir, arguments.region, arguments.host, arguments.port, arguments.forward)
