"""The local API under load: every route of the API through the whole local stack.

`python -m bench.bench_local_api [--connections 8] [--seconds 15]` starts `python -m local.demo`
(default dataset, free ports) in its own process, then drives each route in turn at a fixed
concurrency with `wrk` (Debian: `apt-get install -y wrk`), or with a Python load generator when
wrk is missing, one route per use case: `GET /me/recommendations` and `POST /me/rank` signed in
(the demo account's ID token, emulating shopper 1), `GET /related` and, last (its events keep the
sinks busy afterwards), `POST /events` anonymous. Each route gets a warm-up, then the measured run;
reported: requests per second, p50/p99 latency and errors (non-2xx answers, socket errors and
timeouts), which must be zero.

The requests of a route are built once in Python (REQUESTS_PER_ROUTE of them, cycled): wrk
gets them as a Lua table, the Python generator sends the same list.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from bench.report import RESULTS_DIR, Goal, Section, percentile, table
from bench.stack_probe import DeliveryLog
from dataset.loader import load_item_ids
from local.cognito import demo_id_token
from local.data import DataFolder
from local.launcher import DemoProcess, launch

BENCH_SHOPPER = "1"
"""The dataset shopper the demo account emulates for the signed-in routes."""
REQUESTS_PER_ROUTE = 1000
RANK_LIST_SIZE = 25
"""A page of search results or of a category, as the storefront ranks it."""
EVENTS_PER_POST = 2
"""A shopper's flush of a quiet second (the storefront sends what happened within its 1 s flush
interval; the event pipeline benchmark sends bursts of 5)."""
EVENTS_RPS_GOAL = 150.0
EVENTS_P99_GOAL_MS = 150.0
LAG_P99_GOAL_SECONDS = 2.0
"""POST /events at 8 connections (docs/architecture.md §9): throughput, latency, and the delivery lag
of those events to the emulated Personalize while the route is under that load."""
LAG_WAIT_SECONDS = 60.0
EVENTS_ROUTE = "POST /events"
SESSION_PREFIX = "load-session-"
WARM_UP_SECONDS = 3
REQUEST_TIMEOUT_SECONDS = 10
"""A slower answer counts as an error. wrk's default, 2 s, would count slow 2xx answers as errors;
API Gateway itself waits up to 29 s."""
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str | None = None


@dataclass(frozen=True)
class RouteLoad:
    """One route under load: its requests, the label the report gives it, and headers of every request."""

    label: str
    requests: tuple[Request, ...]
    headers: tuple[tuple[str, str], ...] = ()

    def request_headers(self, request: Request) -> dict[str, str]:
        return {**(JSON_HEADERS if request.body is not None else {}), **dict(self.headers)}


@dataclass(frozen=True)
class LoadResult:
    route: str
    tool: str
    connections: int
    seconds: float
    requests: int
    errors: int
    """Non-2xx answers plus socket errors and timeouts."""
    rps: float
    p50_ms: float
    p99_ms: float
    started_at: float = 0.0
    """time.time() when the measured run began."""


def route_loads(items: Sequence[str], id_token: str = "") -> list[RouteLoad]:
    """One route per use case: signed in with `id_token` (recommendations, ranking), anonymous (related
    items of catalog items; events of anonymous sessions)."""

    def item(n: int) -> str:
        return items[n % len(items)]

    def events_body(n: int) -> str:
        return json.dumps(
            {
                "sessionId": f"{SESSION_PREFIX}{n}",
                "events": [
                    {"eventType": "ProductViewed", "itemId": item(n * EVENTS_PER_POST + k)}
                    for k in range(EVENTS_PER_POST)
                ],
            }
        )

    def rank_body(n: int) -> str:
        return json.dumps({"itemIds": [item(n + k) for k in range(RANK_LIST_SIZE)]})

    signed_in = (("Authorization", id_token),)
    numbers = range(REQUESTS_PER_ROUTE)
    return [
        RouteLoad(
            "GET /me/recommendations",
            tuple(Request("GET", "/me/recommendations?numResults=25") for _ in numbers),
            signed_in,
        ),
        RouteLoad("GET /related", tuple(Request("GET", f"/related?itemId={item(n)}") for n in numbers)),
        RouteLoad(
            "POST /me/rank", tuple(Request("POST", "/me/rank", rank_body(n)) for n in numbers), signed_in
        ),
        RouteLoad("POST /events", tuple(Request("POST", "/events", events_body(n)) for n in numbers)),
    ]


def catalog_items(data_dir: Path) -> list[str]:
    """The item ids of the dataset in the demo's data folder `data_dir`."""
    return load_item_ids(DataFolder(data_dir).dataset)


def lua_string(text: str) -> str:
    """A Lua long-bracket string literal, of a level whose brackets do not occur in the text (Lua 5.1
    also refuses a nested opening bracket)."""
    level = 0
    while f"]{'=' * level}]" in text or f"[{'=' * level}[" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def wrk_script(load: RouteLoad, base_path: str = "") -> str:
    """Lua for wrk: the route's requests pre-formatted, sent in turn (paths under the API's base path)."""
    lines = ["local requests = {}"]
    for request in load.requests:
        pairs = load.request_headers(request).items()
        headers = "{" + ", ".join(f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in pairs) + "}"
        body = "nil" if request.body is None else lua_string(request.body)
        lines.append(
            f"requests[#requests + 1] = wrk.format({lua_string(request.method)}, "
            f"{lua_string(base_path + request.path)}, {headers}, {body})"
        )
    lines += [
        "local counter = 0",
        "request = function()",
        "  counter = counter % #requests + 1",
        "  return requests[counter]",
        "end",
    ]
    return "\n".join(lines) + "\n"


def run_wrk(url: str, load: RouteLoad, connections: int, seconds: int) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(load, urlsplit(url).path.rstrip("/")))
    try:
        threads = min(2, connections)
        output = subprocess.run(
            [
                *("wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"),
                *(f"--timeout={REQUEST_TIMEOUT_SECONDS}s", "--latency", "-s", script.name, url),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink()
    return parse_wrk(output, load.label, connections, seconds)


def parse_wrk(output: str, route: str, connections: int, seconds: float) -> LoadResult:
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
        route=route,
        tool="wrk",
        connections=connections,
        seconds=seconds,
        requests=int(number(r"(\d+) requests in")),
        errors=errors,
        rps=number(r"Requests/sec:\s+([\d.]+)"),
        p50_ms=latency_ms("50"),
        p99_ms=latency_ms("99"),
    )


def run_python(url: str, load: RouteLoad, connections: int, seconds: int) -> LoadResult:
    """One thread per kept-alive connection; for machines without wrk."""
    address = urlsplit(url)
    base_path = address.path.rstrip("/")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def drive(offset: int) -> None:
        connection = http.client.HTTPConnection(
            address.hostname or "127.0.0.1", address.port, timeout=REQUEST_TIMEOUT_SECONDS
        )
        count = offset
        while time.monotonic() < deadline:
            request = load.requests[count % len(load.requests)]
            count += connections
            started = time.perf_counter()
            try:
                headers = load.request_headers(request)
                path = base_path + request.path
                connection.request(request.method, path, body=request.body, headers=headers)
                response = connection.getresponse()
                response.read()
                failed = not 200 <= response.status < 300
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
        route=load.label,
        tool="python",
        connections=connections,
        seconds=elapsed,
        requests=len(latencies),
        errors=errors[0],
        rps=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
    )


LoadTool = Callable[[str, RouteLoad, int, int], LoadResult]


@dataclass(frozen=True)
class EventLag:
    """Delivery lag to the emulated Personalize of the events POST /events took during its run."""

    expected: int
    delivered: int
    p50_s: float
    p99_s: float


def measure(connections: int, seconds: int, data_dir: Path) -> tuple[list[LoadResult], EventLag | None]:
    load_tool: LoadTool = run_wrk if shutil.which("wrk") else run_python
    demo = launch(data_dir, "--api-port=0", "--storefront-port=0")
    results = []
    lag = None
    try:
        url = demo.info["apiUrl"]
        token = demo_id_token(demo.info["cognito"], shopper_id=BENCH_SHOPPER)
        for load in route_loads(catalog_items(data_dir), token):
            load_tool(url, load, connections, WARM_UP_SECONDS)
            started_at = time.time()
            result = load_tool(url, load, connections, seconds)
            results.append(replace(result, started_at=started_at))
        events = results[-1]
        lag = event_lag(
            demo.info["emulatorUrl"], events.started_at, EVENTS_PER_POST * (events.requests - events.errors)
        )
    finally:
        stop(demo)
    return results, lag


def event_lag(emulator_url: str, started_at: float, expected: int) -> EventLag | None:
    """Wait (at most LAG_WAIT_SECONDS) for the measured run's events to reach the emulated Personalize.
    The events carry no sentAt, so track_event stamps each with the moment it took it (just before
    its 202): the lag runs from there to the emulator's arrival."""
    deliveries = DeliveryLog(emulator_url, SESSION_PREFIX, since=started_at - 1)
    deadline = time.monotonic() + LAG_WAIT_SECONDS
    while True:
        deliveries.read()
        lags = deliveries.lags(sent_from=started_at)
        if len(lags) >= expected or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    if not lags:
        return None
    return EventLag(expected, len(lags), percentile(lags, 50), percentile(lags, 99))


def stop(demo: DemoProcess) -> None:
    """Stop the demo; one that outlasts the launcher's stop timeout has been killed by it, and the
    figures measured before still stand."""
    try:
        demo.stop()
    except subprocess.TimeoutExpired:
        print("[bench] the local demo did not stop in time and was killed", file=sys.stderr)


def section(results: list[LoadResult], lag: EventLag | None = None) -> Section:
    first = results[0]
    events = next((r for r in results if r.route == EVENTS_ROUTE), None)
    goals = [Goal(f"local API errors, {r.route}", float(r.errors), 0, unit=" errors") for r in results]
    if events is not None:
        goals += [
            Goal(
                f"{EVENTS_ROUTE} requests/s, {events.connections} connections",
                events.rps,
                EVENTS_RPS_GOAL,
                unit="/s",
                at_most=False,
            ),
            Goal(f"{EVENTS_ROUTE} p99", events.p99_ms, EVENTS_P99_GOAL_MS, unit=" ms"),
        ]
    lag_lines = []
    if lag is not None:
        goals.append(
            Goal(
                f"{EVENTS_ROUTE} delivery lag to Personalize p99, under that load",
                lag.p99_s,
                LAG_P99_GOAL_SECONDS,
                unit=" s",
            )
        )
        lag_lines.append(
            f"Delivery lag of the {EVENTS_ROUTE} run's events to the emulated Personalize (from the moment "
            f"track_event took each event to its arrival): p50 {lag.p50_s:.2f} s, p99 {lag.p99_s:.2f} s, "
            f"{lag.delivered} of {lag.expected} events delivered within {LAG_WAIT_SECONDS:.0f} s "
            "of the run's end."
        )
    return Section(
        title="Local API under load (every route through the local stack)",
        body=[
            f"{first.tool}, {first.connections} connections for {first.seconds:.0f} s per route, each after "
            f"a {WARM_UP_SECONDS} s warm-up; signed-in shoppers, 25 results, {RANK_LIST_SIZE} items to rank, "
            f"{EVENTS_PER_POST} events per POST /events (every other session anonymous), default dataset; "
            f"an answer slower than {REQUEST_TIMEOUT_SECONDS} s counts as an error. Gateway, functions, moto "
            "and the emulator share this machine's cores with the load tool.",
            table(
                ["route", "requests/s", "requests", "errors", "p50 ms", "p99 ms"],
                [[r.route, r.rps, r.requests, r.errors, r.p50_ms, r.p99_ms] for r in results],
            ),
            *lag_lines,
        ],
        figures={
            **{result.route: vars(result) for result in results},
            "event_lag": None if lag is None else vars(lag),
        },
        goals=goals,
    )


def run(quick: bool) -> Section:
    """For `python -m bench`."""
    return section(*measure(connections=8, seconds=5 if quick else 15, data_dir=RESULTS_DIR / "local-api"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--data", type=Path, default=RESULTS_DIR / "local-api")
    arguments = parser.parse_args()
    results, lag = measure(arguments.connections, arguments.seconds, arguments.data)
    for result in results:
        print(
            f"{result.route} ({result.tool}): {result.rps:.0f} requests/s over {result.requests} requests "
            f"({result.connections} connections, {result.seconds:.0f} s), {result.errors} errors, "
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
        )
    for goal in section(results, lag).goals:
        print(goal.describe())


if __name__ == "__main__":
    main()
