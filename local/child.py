"""A server of the local stack in a process of its own, tied to the stack's lifetime.

In its own process a part's work (the bus's routing, the recommender's) does not compete for the
GIL with the gateway and the event source pollers of the demo process. The child prints one JSON
line once it serves (`announce`), and exits when its stdin closes (`stop_requested`): when the
parent stops it, and also when the parent dies without a word, so no child outlives a demo.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from local.launcher import read_line
from repository import REPOSITORY_ROOT

STOP_GRACE_SECONDS = 5.0


class ChildStartError(RuntimeError):
    pass


class ChildProcess:
    """Parent side: `start()` launches `command`, `wait_ready()` returns its ready line, `stop()` ends it."""

    def __init__(self, name: str, command: Sequence[str], log_path: Path) -> None:
        self.name = name
        self._command = list(command)
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Launch the child (its stderr goes to the log); `wait_ready` returns once it serves."""
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self._command,
                cwd=REPOSITORY_ROOT,
                env=dict(os.environ),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )

    def wait_ready(self, timeout_seconds: float) -> dict[str, Any]:
        """The child's ready line; ChildStartError (and the child stopped) when none comes in time."""
        if self._process is None or self._process.stdout is None:
            raise ChildStartError(f"the {self.name} is not started")
        line = read_line(self._process.stdout, time.monotonic() + timeout_seconds)
        if not line:
            self.stop()
            raise ChildStartError(
                f"the {self.name} did not start within {timeout_seconds:g} s; see {self._log_path}"
            )
        ready: dict[str, Any] = json.loads(line)
        return ready

    def stop(self) -> int | None:
        """Close the child's stdin (its signal to stop), wait a grace period, then kill it: its exit
        code (None when it was not running)."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        return process.returncode


def stop_requested() -> threading.Event:
    """Child side: an event set on SIGTERM or when stdin closes. Ctrl-C is the parent's to handle."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signal, _frame: stopping.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_wait_for_eof, args=(sys.stdin.buffer, stopping), daemon=True).start()
    return stopping


def announce(ready: Mapping[str, Any], message: str) -> None:
    """Child side: the one JSON line the parent waits for on stdout, and `message` for the log."""
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    print(message, file=sys.stderr)


def _wait_for_eof(stream: IO[bytes], stopping: threading.Event) -> None:
    while stream.read(4096):
        continue
    stopping.set()
