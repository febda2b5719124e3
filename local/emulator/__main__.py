"""`python -m local.emulator --data DIR --port N`: serve until interrupted (Ctrl-C or SIGTERM)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import threading
from pathlib import Path
from types import FrameType


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.emulator", description=__doc__)
    parser.add_argument(
        "--data", required=True, type=Path, help="a dataset folder written by `python -m dataset generate`"
    )
    parser.add_argument("--port", type=int, default=4580, help="TCP port on the host (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from local.emulator.server import EmulatorServer

    stopping = threading.Event()

    def request_stop(_signal: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    emulator = EmulatorServer(arguments.data, arguments.host, arguments.port, region=arguments.region)
    with emulator:
        logging.info("emulator on %s (trained in %.2f s)", emulator.url, emulator.training_seconds)
        print(json.dumps({"url": emulator.url, "ssmParameters": emulator.ssm_parameters()}), flush=True)
        stopping.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
