"""Soak: POST /events at a fixed rate through the whole local stack for minutes, minute by minute.

`python -m bench.bench_soak [--minutes 10] [--rate 150]` starts `python -m local.demo` (default
dataset, free ports) in its own process and sends `POST /events` (EVENTS_PER_POST events, every
other session signed in, as `bench.bench_local_api`) at a fixed rate over CONNECTIONS kept-alive
connections, open loop: request n is due at start + n / rate whatever the answers before it did,
so a slow stack shows as latency, not as a lower offered rate. After a warm-up it reports, per
minute: requests per second answered, p50/p99 latency, errors, the delivery lag to the emulated
Personalize (p50/p99), the stack's memory (PSS of every process of the demo) and the messages in
its queues. Goals: the last minute's p99 within P99_DRIFT_GOAL of the first's, memory growing less
than MEMORY_GROWTH_GOAL, and no queue left growing (drained soon after the load stops, and no
upward trend while it runs). The plot goes to bench/results/soak.png (docs/bench-soak.png in the
README is a copy of one run's).
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from bench.report import RESULTS_DIR, Goal, Section, percentile, table
from bench.stack_probe import DeliveryLog, QueueProbe, cpu_count, memory_bytes
from dataset.loader import load_item_ids
from local.data import DataFolder
from local.launcher import DemoProcess, launch

CONNECTIONS = 16
"""Enough kept-alive connections that a request is sent when it is due even while others wait for
their answers (at 150/s one connection has 107 ms per request)."""
RATE = 150.0
"""Requests per second: the figure the local event path must sustain (docs/architecture.md §9)."""
EVENTS_PER_POST = 2
MINUTES = 10
WARM_UP_SECONDS = 30
SAMPLE_SECONDS = 10.0
DRAIN_SECONDS = 60.0
REQUEST_TIMEOUT_SECONDS = 10.0
P99_DRIFT_GOAL = 1.25
MEMORY_GROWTH_GOAL = 0.10
GROWTH_MESSAGES = 500
"""A queue 'grows' when the trend of its depth over the soak adds up to more than this many messages."""
SESSION_PREFIX = "soak-"


@dataclass(frozen=True)
class Answered:
    sent: float
    """time.time() when the request went out."""
    seconds: float
    ok: bool


def events_body(n: int, items: Sequence[str]) -> str:
    """Anonymous sessions' events (POST /events takes no user: a signed-in shopper posts /me/events)."""
    body: dict[str, Any] = {
        "sessionId": f"{SESSION_PREFIX}{n % 4000}",
        "events": [
            {"eventType": "ProductViewed", "itemId": items[(n * EVENTS_PER_POST + k) % len(items)]}
            for k in range(EVENTS_PER_POST)
        ],
    }
    return json.dumps(body)


class OpenLoopLoad:
    """CONNECTIONS threads; connection k sends requests k, k + CONNECTIONS, ... each when it is due."""

    def __init__(
        self, api_url: str, items: Sequence[str], rate: float, connections: int = CONNECTIONS
    ) -> None:
        address = urlsplit(api_url)
        self._host, self._port = address.hostname or "127.0.0.1", address.port
        self._path = address.path.rstrip("/") + "/events"
        self._items = items
        self._rate = rate
        self._connections = connections
        self.answered: list[Answered] = []
        self._lock = threading.Lock()

    def run(self, seconds: float) -> list[Answered]:
        start = time.monotonic() + 0.1
        wall_start = time.time() + 0.1
        total = int(seconds * self._rate)
        threads = [
            threading.Thread(target=self._drive, args=(k, start, wall_start, total), daemon=True)
            for k in range(self._connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.answered

    def _drive(self, offset: int, start: float, wall_start: float, total: int) -> None:
        connection = http.client.HTTPConnection(self._host, self._port, timeout=REQUEST_TIMEOUT_SECONDS)
        headers = {"Content-Type": "application/json"}
        for n in range(offset, total, self._connections):
            due = start + n / self._rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            sent = wall_start + (time.monotonic() - start)
            began = time.perf_counter()
            try:
                connection.request("POST", self._path, body=events_body(n, self._items), headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 202
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            answer = Answered(sent, time.perf_counter() - began, ok)
            with self._lock:
                self.answered.append(answer)
        connection.close()


@dataclass
class Sample:
    at: float
    memory: int
    depths: dict[str, int]


@dataclass
class Monitor:
    """Every SAMPLE_SECONDS: memory, queue depths, and the emulator's new arrivals."""

    demo: DemoProcess
    deliveries: DeliveryLog
    queues: QueueProbe
    samples: list[Sample] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> Sample:
        sample = Sample(time.time(), memory_bytes(self.demo.process.pid), self.queues.depths())
        self.samples.append(sample)
        self.deliveries.read()
        return sample

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="soak-monitor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.wait(SAMPLE_SECONDS):
            self.sample()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()


@dataclass(frozen=True)
class Minute:
    minute: int
    rps: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    lag_p50_s: float
    lag_p99_s: float
    memory_mib: float
    queued_max: int


def sink_depth(sample: Sample) -> int:
    return sum(depth for label, depth in sample.depths.items() if "DLQ" not in label)


def per_minute(
    answered: list[Answered], samples: list[Sample], deliveries: DeliveryLog, start: float, minutes: int
) -> list[Minute]:
    rows = []
    for minute in range(minutes):
        begin, end = start + 60 * minute, start + 60 * (minute + 1)
        inside = [a for a in answered if begin <= a.sent < end]
        latencies = [a.seconds for a in inside] or [float("nan")]
        lags = deliveries.lags(begin, end) or [float("nan")]
        window = [s for s in samples if begin <= s.at < end + SAMPLE_SECONDS / 2] or samples[-1:]
        rows.append(
            Minute(
                minute=minute + 1,
                rps=sum(a.ok for a in inside) / 60.0,
                requests=len(inside),
                errors=sum(not a.ok for a in inside),
                p50_ms=percentile(latencies, 50) * 1000,
                p99_ms=percentile(latencies, 99) * 1000,
                lag_p50_s=percentile(lags, 50),
                lag_p99_s=percentile(lags, 99),
                memory_mib=window[-1].memory / 2**20,
                queued_max=max(sink_depth(s) for s in window),
            )
        )
    return rows


def growth_trend(samples: list[Sample], start: float) -> dict[str, float]:
    """Per queue: the least-squares slope of its depth over the soak, times the soak's duration."""
    measured = [s for s in samples if s.at >= start]
    if len(measured) < 3:
        return {}
    times = np.array([s.at for s in measured])
    trend = {}
    for label in measured[0].depths:
        depths = np.array([s.depths.get(label, 0) for s in measured], dtype=float)
        slope = float(np.polyfit(times - times[0], depths, 1)[0])
        trend[label] = slope * float(times[-1] - times[0])
    return trend


@dataclass
class SoakResult:
    rate: float
    minutes: list[Minute]
    trend: dict[str, float]
    drained_seconds: float | None
    """How long the queues took to empty once the load stopped; None: not within DRAIN_SECONDS."""
    final_depths: dict[str, int]
    delivered: int
    sent_events: int


def drain(monitor: Monitor) -> tuple[float | None, dict[str, int]]:
    stopped = time.monotonic()
    while True:
        sample = monitor.sample()
        if sink_depth(sample) == 0:
            return time.monotonic() - stopped, sample.depths
        if time.monotonic() - stopped > DRAIN_SECONDS:
            return None, sample.depths
        time.sleep(1.0)


def measure(minutes: int, rate: float, data_dir: Path) -> SoakResult:
    demo = launch(data_dir, "--api-port=0", "--storefront-port=0")
    try:
        info = demo.info
        items = load_item_ids(DataFolder(data_dir).dataset)
        OpenLoopLoad(info["apiUrl"], items, rate).run(WARM_UP_SECONDS)
        start = time.time()
        monitor = Monitor(
            demo, DeliveryLog(info["emulatorUrl"], SESSION_PREFIX, since=start - 1), QueueProbe(info)
        )
        monitor.sample()
        monitor.start()
        answered = OpenLoopLoad(info["apiUrl"], items, rate).run(minutes * 60)
        monitor.stop()
        load_samples = list(monitor.samples)
        drained, final = drain(monitor)
        monitor.deliveries.read()
    finally:
        demo.stop()
    answered = [a for a in answered if a.sent >= start]
    return SoakResult(
        rate=rate,
        minutes=per_minute(answered, monitor.samples, monitor.deliveries, start, minutes),
        trend=growth_trend(load_samples, start + 60),
        drained_seconds=drained,
        final_depths=final,
        delivered=len(monitor.deliveries.lags(sent_from=start)),
        sent_events=sum(a.ok for a in answered) * EVENTS_PER_POST,
    )


def section(result: SoakResult) -> Section:
    first, last = result.minutes[0], result.minutes[-1]
    growing = {label: change for label, change in result.trend.items() if change > GROWTH_MESSAGES}
    queue_ok = result.drained_seconds is not None and not growing
    memory_growth = last.memory_mib / first.memory_mib - 1
    body = [
        f"POST /events at {result.rate:g} requests/s ({EVENTS_PER_POST} events each, every other session "
        f"signed in), open loop over {CONNECTIONS} connections, for {len(result.minutes)} minutes after a "
        f"{WARM_UP_SECONDS} s warm-up, through the whole local stack on a {cpu_count()}-core machine. Lag: "
        "the emulated Personalize's arrival minus the event's sentAt (stamped by track_event). Memory: PSS "
        "of every process of the stack. Queued: the most messages (visible and in flight) in the sinks' and "
        "the analytics queues at one time in the minute.",
        table(
            [
                "minute",
                "requests/s",
                "errors",
                "p50 ms",
                "p99 ms",
                "lag p50 s",
                "lag p99 s",
                "memory MiB",
                "queued",
            ],
            [
                (
                    m.minute,
                    m.rps,
                    m.errors,
                    m.p50_ms,
                    m.p99_ms,
                    m.lag_p50_s,
                    m.lag_p99_s,
                    m.memory_mib,
                    m.queued_max,
                )
                for m in result.minutes
            ],
        ),
        f"Delivered to Personalize: {result.delivered} of {result.sent_events} events accepted. "
        + "After the load "
        + (
            f"the queues were empty within {result.drained_seconds:.0f} s"
            if result.drained_seconds is not None
            else f"the queues still held {result.final_depths} after {DRAIN_SECONDS:.0f} s"
        )
        + "; the depth trend over the soak, per queue (messages): "
        + ", ".join(f"{label} {change:+.0f}" for label, change in result.trend.items())
        + ".",
    ]
    goals = [
        Goal("soak: last minute's p99 / first minute's", last.p99_ms / first.p99_ms, P99_DRIFT_GOAL),
        Goal(
            "soak: memory growth, first to last minute",
            memory_growth * 100,
            MEMORY_GROWTH_GOAL * 100,
            unit="%",
        ),
        Goal("soak: queues left growing", float(not queue_ok), 0, unit=""),
        Goal("soak: errors", float(sum(m.errors for m in result.minutes)), 0, unit=" errors"),
        Goal(
            "soak: requests/s answered, slowest minute",
            min(m.rps for m in result.minutes),
            result.rate * 0.98,
            unit="/s",
            at_most=False,
        ),
    ]
    figures = {
        "rate": result.rate,
        "minutes": [vars(m) for m in result.minutes],
        "trend": result.trend,
        "drained_seconds": result.drained_seconds,
        "delivered": result.delivered,
        "sent_events": result.sent_events,
    }
    soak = Section(title="Soak (POST /events at a fixed rate)", body=body, figures=figures, goals=goals)
    soak.plot = lambda directory: plot(result, directory)
    return soak


def plot(result: SoakResult, directory: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [m.minute for m in result.minutes]
    figure, axes = plt.subplots(2, 2, figsize=(10, 6), sharex=True)
    (rps, latency), (lag, memory) = axes
    rps.plot(minutes, [m.rps for m in result.minutes], marker="o")
    rps.axhline(result.rate, color="grey", linestyle=":", label=f"offered {result.rate:g}/s")
    rps.set_ylim(0, result.rate * 1.2)
    rps.set_title("POST /events answered per second")
    rps.legend(fontsize="small")
    latency.plot(minutes, [m.p50_ms for m in result.minutes], marker="o", label="p50")
    latency.plot(minutes, [m.p99_ms for m in result.minutes], marker="o", label="p99")
    latency.set_title("latency, ms")
    latency.set_ylim(bottom=0)
    latency.legend(fontsize="small")
    lag.plot(minutes, [m.lag_p50_s for m in result.minutes], marker="o", label="p50")
    lag.plot(minutes, [m.lag_p99_s for m in result.minutes], marker="o", label="p99")
    lag.set_title("delivery lag to Personalize, s")
    lag.set_ylim(bottom=0)
    lag.legend(fontsize="small")
    memory.plot(
        minutes, [m.memory_mib for m in result.minutes], marker="o", color="tab:green", label="memory MiB"
    )
    memory.set_ylim(bottom=0)
    memory.set_title("stack memory (PSS, MiB) and messages queued")
    queued = memory.twinx()
    queued.bar(
        minutes, [m.queued_max for m in result.minutes], alpha=0.3, color="tab:purple", label="queued (max)"
    )
    queued.set_ylim(bottom=0, top=max(100, max(m.queued_max for m in result.minutes) * 3))
    for axis in (lag, memory):
        axis.set_xlabel("minute")
    figure.suptitle(f"Local stack soak: POST /events at {result.rate:g}/s, {cpu_count()} cores")
    figure.tight_layout()
    path = directory / "soak.png"
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def run(quick: bool) -> Section:
    """For `python -m bench`: 10 minutes (2 with --quick)."""
    return section(measure(2 if quick else MINUTES, RATE, RESULTS_DIR / "soak"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=MINUTES)
    parser.add_argument("--rate", type=float, default=RATE)
    parser.add_argument("--data", type=Path, default=RESULTS_DIR / "soak")
    arguments = parser.parse_args()
    result = section(measure(arguments.minutes, arguments.rate, arguments.data))
    print("\n\n".join(result.body))
    for goal in result.goals:
        print(goal.describe())
    if result.plot is not None:
        print("plot:", result.plot(RESULTS_DIR))


if __name__ == "__main__":
    main()
