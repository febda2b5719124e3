"""The Personalize/Pinpoint emulator in a process of its own (`python -m local.emulator_process
--data DIR`), tied to the stack's lifetime as every child of `local.child` is: its ready line names
its URL and the SSM parameter values (the ARNs of what it trained)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from local.child import ChildProcess, announce, stop_requested

READY_TIMEOUT_SECONDS = 120.0


class EmulatorProcess:
    """`start()` launches the child (it trains the recommender), `wait_ready()` waits until it serves."""

    def __init__(self, dataset_dir: Path, log_path: Path, region: str) -> None:
        command = [
            sys.executable,
            "-m",
            "local.emulator_process",
            f"--data={dataset_dir}",
            f"--region={region}",
        ]
        self._child = ChildProcess("emulator", command, log_path)
        self.url = ""
        self.ssm_parameters: dict[str, str] = {}

    def start(self) -> None:
        self._child.start()

    def wait_ready(self, timeout_seconds: float = READY_TIMEOUT_SECONDS) -> None:
        ready = self._child.wait_ready(timeout_seconds)
        self.url = ready["url"]
        self.ssm_parameters = ready["ssmParameters"]

    def stop(self) -> None:
        self._child.stop()


def serve(data_dir: Path, region: str) -> None:
    from local.emulator.server import EmulatorServer

    stopping = stop_requested()
    with EmulatorServer(data_dir, region=region) as emulator:
        announce(
            {"url": emulator.url, "ssmParameters": emulator.ssm_parameters()},
            f"emulator on {emulator.url}, trained in {emulator.training_seconds:.2f} s",
        )
        stopping.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m local.emulator_process", description="The local Personalize and Pinpoint emulator."
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--region", required=True)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    serve(arguments.data, arguments.region)


if __name__ == "__main__":
    main()
