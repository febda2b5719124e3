"""The local bus and queues in a process of their own, tied to the stack's lifetime.

In its own process the bus's work does not compete for the GIL with the gateway and the event
source pollers of the demo process. The child (`python -m local.bus`) prints one JSON line (its
URL) once it serves, and exits when its stdin closes: when the parent stops it, and also when the
parent dies without a word, so no bus outlives a demo.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from local import ACCOUNT_ID
from local.launcher import read_line
from repository import REPOSITORY_ROOT

READY_TIMEOUT_SECONDS = 60.0
STOP_GRACE_SECONDS = 5.0


class BusStartError(RuntimeError):
    pass


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
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self, forward_url: str | None = None, timeout_seconds: float = READY_TIMEOUT_SECONDS) -> None:
        """Launch the child, which forwards every other service to `forward_url`; wait until it serves."""
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [*self._command, *([f"--forward={forward_url}"] if forward_url else [])]
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                cwd=REPOSITORY_ROOT,
                env=dict(os.environ),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )
        assert self._process.stdout is not None
        line = read_line(self._process.stdout, time.monotonic() + timeout_seconds)
        if not line:
            self.stop()
            raise BusStartError(f"the local bus did not start; see {self._log_path}")
        self.url = json.loads(line)["url"]

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def serve(archive_dir: Path, region: str, host: str, port: int, forward_url: str | None) -> None:
    from local.bus.server import BusServer

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signal, _frame: stopping.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_wait_for_eof, args=(sys.stdin.buffer, stopping), daemon=True).start()
    with BusServer(
        archive_dir, host=host, port=port, region=region, account=ACCOUNT_ID, forward_url=forward_url
    ) as bus:
        sys.stdout.write(json.dumps({"url": bus.url}) + "\n")
        sys.stdout.flush()
        print(f"local bus and queues on {bus.url}, forwarding the rest to {forward_url}", file=sys.stderr)
        stopping.wait()


def _wait_for_eof(stream: IO[bytes], stopping: threading.Event) -> None:
    while stream.read(4096):
        continue
    stopping.set()


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
