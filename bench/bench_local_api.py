"""Throughput of the local API: GET /recommendations through the whole local stack.

`python -m bench.bench_local_api [--connections 8] [--seconds 15]` starts `python -m local.demo`
(default dataset, free ports) in its own process, warms it up, then drives
`GET /recommendations?userId=N` for signed-in shoppers at a fixed concurrency with `wrk`
(Debian: `apt-get install -y wrk`), or with a Python load generator when wrk is missing,
and reports requests per second, p50/p99 latency and errors. Goal: 200 requests/s, no error.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.report import RESULTS_DIR, Goal, Section, percentile, table
from local.launcher import launch

GOAL_RPS = 200.0
USERS = 5000
WARM_UP_SECONDS = 3
WRK_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/recommendations?numResults=25&userId=" .. (counter % {users} + 1))
end
"""


@dataclass(frozen=True)
class LoadResult:
    tool: str
    connections: int
    seconds: float
    requests: int
    errors: int
    """Non-2xx answers plus socket errors and timeouts."""
    rps: float
    p50_ms: float
    p99_ms: float


def run_wrk(url: str, connections: int, seconds: int) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(users=USERS))
    try:
        threads = min(2, connections)
        output = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink()
    return parse_wrk(output, connections, seconds)


def parse_wrk(output: str, connections: int, seconds: float) -> LoadResult:
    def number(pattern: str) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else 0.0

    def latency_ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if match is None:
            raise ValueError(f"no {label}% latency in the wrk output:\n{output}")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        return float(match.group(1)) * scale

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(number(r"Non-2xx or 3xx responses: (\d+)"))
    if socket_errors:
        errors += sum(int(value) for value in socket_errors.groups())
    return LoadResult(
        tool="wrk",
        connections=connections,
        seconds=seconds,
        requests=int(number(r"(\d+) requests in")),
        errors=errors,
        rps=number(r"Requests/sec:\s+([\d.]+)"),
        p50_ms=latency_ms("50"),
        p99_ms=latency_ms("99"),
    )


def run_python(url: str, connections: int, seconds: int) -> LoadResult:
    """One thread per kept-alive connection; for machines without wrk."""
    address = urlsplit(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def drive(offset: int) -> None:
        connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)
        count = offset
        while time.monotonic() < deadline:
            count += connections
            started = time.perf_counter()
            try:
                connection.request("GET", f"/recommendations?numResults=25&userId={count % USERS + 1}")
                response = connection.getresponse()
                response.read()
                failed = response.status != 200
            except OSError:
                connection.close()
                failed = True
            with lock:
                latencies.append(time.perf_counter() - started)
                errors[0] += failed
        connection.close()

    threads = [threading.Thread(target=drive, args=(index,)) for index in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return LoadResult(
        tool="python",
        connections=connections,
        seconds=elapsed,
        requests=len(latencies),
        errors=errors[0],
        rps=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
    )


def measure(connections: int, seconds: int, data_dir: Path) -> LoadResult:
    load = run_wrk if shutil.which("wrk") else run_python
    demo = launch(data_dir, "--api-port=0", "--storefront-port=0")
    try:
        url = demo.info["apiUrl"]
        load(url, connections, WARM_UP_SECONDS)
        return load(url, connections, seconds)
    finally:
        demo.stop()


def section(result: LoadResult) -> Section:
    return Section(
        title="Local API throughput (GET /recommendations through the local stack)",
        body=[
            f"{result.tool}, {result.connections} connections for {result.seconds:.0f} s, after a "
            f"{WARM_UP_SECONDS} s warm-up; signed-in shoppers, 25 results, default dataset.",
            table(
                ["requests/s", "requests", "errors", "p50 ms", "p99 ms"],
                [[result.rps, result.requests, result.errors, result.p50_ms, result.p99_ms]],
            ),
        ],
        figures=vars(result),
        goals=[
            Goal("local API requests/s", result.rps, GOAL_RPS, unit="req/s", at_most=False),
            Goal("local API errors", float(result.errors), 0, unit="errors"),
        ],
    )


def run(quick: bool) -> Section:
    """For `python -m bench`."""
    return section(measure(connections=8, seconds=5 if quick else 15, data_dir=RESULTS_DIR / "local-api"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--data", type=Path, default=RESULTS_DIR / "local-api")
    arguments = parser.parse_args()
    result = measure(arguments.connections, arguments.seconds, arguments.data)
    print(
        f"{result.tool}: {result.rps:.0f} requests/s over {result.requests} requests "
        f"({result.connections} connections, {result.seconds:.0f} s), {result.errors} errors, "
        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
    )
    for goal in section(result).goals:
        print(goal.describe())


if __name__ == "__main__":
    main()
