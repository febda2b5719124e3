"""`python -m local.demo` as a child process, for tests and benchmarks.

The demo runs in a process of its own, as a user runs it, so its gateway does not share a
GIL with the load generator or the test code; `--json` makes it print where its parts are.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from repository import REPOSITORY_ROOT

START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 30.0
CONSOLE_LOG = "console.log"


class DemoStartError(RuntimeError):
    pass


@dataclass
class DemoProcess:
    process: subprocess.Popen[bytes]
    info: dict[str, Any]
    """What `LocalStack.describe()` returns: apiUrl, storefrontUrl, motoUrl, emulatorUrl, queues..."""

    def stop(self) -> int:
        """Ctrl-C, then wait: the exit code."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if self.process.stdout is not None:
                self.process.stdout.close()


def launch(data_dir: Path, *arguments: str) -> DemoProcess:
    """Start `python -m local.demo --json --data DIR ARGUMENTS` and wait until it serves."""
    data_dir.mkdir(parents=True, exist_ok=True)
    console = data_dir / CONSOLE_LOG
    command = [sys.executable, "-m", "local.demo", "--json", "--data", str(data_dir), *arguments]
    with console.open("ab") as errors:
        process = subprocess.Popen(
            command,
            cwd=REPOSITORY_ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            env={key: value for key, value in os.environ.items() if not key.startswith("DEMO_")},
        )
    assert process.stdout is not None
    line = read_line(process.stdout, time.monotonic() + START_TIMEOUT_SECONDS)
    if not line:
        process.kill()
        process.wait()
        process.stdout.close()
        raise DemoStartError(f"the demo did not start: {console.read_text(errors='replace')[-3000:]}")
    return DemoProcess(process, json.loads(line))


def read_line(stream: IO[bytes], deadline: float) -> bytes:
    """One line from a child's stdout, or b"" when it closes or the deadline passes first."""
    line = bytearray()
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([stream], [], [], remaining)[0]:
            return b""
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            return b""
        line += chunk
    return bytes(line)
