"""The Personalize/Pinpoint emulator in a process of its own, tied to the stack's lifetime.

In its own process the recommender's work does not compete with the gateway for the GIL.
The child (`python -m local.emulator_process --data DIR`) prints one JSON line (its URL and
the SSM parameter values) when it serves, and exits when its stdin closes: when the parent
stops it, and also when the parent dies without a word, so no emulator outlives a demo.
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
from typing import IO, Any

from local.launcher import read_line
from repository import REPOSITORY_ROOT

READY_TIMEOUT_SECONDS = 120.0
STOP_GRACE_SECONDS = 5.0


class EmulatorStartError(RuntimeError):
    pass


class EmulatorProcess:
    def __init__(self, dataset_dir: Path, log_path: Path, region: str) -> None:
        self._command = [
            sys.executable,
            "-m",
            "local.emulator_process",
            f"--data={dataset_dir}",
            f"--region={region}",
        ]
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.ssm_parameters: dict[str, str] = {}

    def start(self) -> None:
        """Start the child; `wait_ready` returns once it serves."""
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

    def wait_ready(self, timeout_seconds: float = READY_TIMEOUT_SECONDS) -> None:
        process = self._require_process()
        assert process.stdout is not None
        line = read_line(process.stdout, time.monotonic() + timeout_seconds)
        if not line:
            raise EmulatorStartError(f"the emulator did not start; see {self._log_path}")
        ready = json.loads(line)
        self.url = ready["url"]
        self.ssm_parameters = ready["ssmParameters"]

    def stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def _require_process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise EmulatorStartError("the emulator is not started")
        return self._process


def serve(data_dir: Path, region: str) -> None:
    from local.emulator.server import EmulatorServer

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signal, _frame: stopping.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_wait_for_eof, args=(sys.stdin.buffer, stopping), daemon=True).start()
    with EmulatorServer(data_dir, region=region) as emulator:
        ready: dict[str, Any] = {"url": emulator.url, "ssmParameters": emulator.ssm_parameters()}
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        print(f"emulator on {emulator.url}, trained in {emulator.training_seconds:.2f} s", file=sys.stderr)
        stopping.wait()


def _wait_for_eof(stream: IO[bytes], stopping: threading.Event) -> None:
    while stream.read(4096):
        continue
    stopping.set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--region", required=True)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    serve(arguments.data, arguments.region)


if __name__ == "__main__":
    main()
