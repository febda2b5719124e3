"""Event pipeline end to end through the local stack (local.stack.LocalStack).

Shopper sessions send bursts of events to POST /events, as the storefront does (it posts what a
shopper did at most once per `eventFlushIntervalMs`, 1 s), so one shopper's events arrive over a
few seconds while other shoppers' events arrive in between. The events
travel API -> track_event -> EventBridge (local.bus) -> rules -> SQS -> personalize_sync /
pinpoint_sync -> the emulator, whose admin endpoint lists what each sink received. Measured:
events per second end to end, the delay from the 202 answer to the event reaching each sink
(p50/p99, polled every POLL_SECONDS), and PutEvents calls per event for each sink, from the
`PutEventsCalls` and `EventsDelivered` metrics the sink functions write (EMF, in their logs).

First, on the quiet stack, the real-time demo: a dataset shopper (of the demo experiment's
personalized variant) views five products of a category their recommendations show little of, and
the figure is the time from sending that POST to the first GET /me/recommendations that shows more
of it (polled every REAL_TIME_POLL_SECONDS); the median of the trials is held to 2 s. The
integration test of the same path checks the outcome only (no wall-clock assertion in tests).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench.report import RESULTS_DIR, Goal, Section, Timing, table
from dataset.loader import load_item_ids

EVENTS_PER_POST = 5
POSTS_PER_SESSION = 4
POST_INTERVAL_SECONDS = 1.0
"""The storefront's default flush interval (storefront/js/config.js `eventFlushIntervalMs`)."""
CONCURRENCY = 8
"""Shoppers active at once: about 40 events/s offered, what this 2-core machine's stack sustains."""
ATTEMPTS = 5
POLL_SECONDS = 0.25
DELIVERY_TIMEOUT_SECONDS = 90.0
METRICS_TIMEOUT_SECONDS = 10.0
PERSONALIZE_CALLS_GOAL = 0.15
PINPOINT_CALLS_GOAL = 0.1
REAL_TIME_GOAL_SECONDS = 2.0
"""The real-time demo: recommendations follow a shopper's views within 2 s."""
REAL_TIME_POLL_SECONDS = 0.1
REAL_TIME_TIMEOUT_SECONDS = 15.0
VIEWS_PER_TRIAL = 5
SINK_LOGS = {"personalize": "personalize-events", "pinpoint": "pinpoint-events"}
SINK_FUNCTIONS = {"personalize": "personalize_sync", "pinpoint": "pinpoint_sync"}


@dataclass(frozen=True)
class SentEvent:
    event_id: str
    signed_in: bool
    acknowledged_at: float


def catalog_items(dataset_dir: Path, count: int) -> list[str]:
    return load_item_ids(dataset_dir, limit=count)


def send_session(api_url: str, session: int, items: list[str], id_token: str | None) -> list[SentEvent]:
    """One session's posts: signed in (POST /me/events with the account's ID token) when given a token."""
    """One shopper's bursts; every other session is signed in."""
    signed_in = id_token is not None
    headers = {"Authorization": id_token} if id_token else {}
    sent: list[SentEvent] = []
    with requests.Session() as http:
        for burst in range(POSTS_PER_SESSION):
            if burst:
                time.sleep(POST_INTERVAL_SECONDS)
            events = [
                {
                    "eventType": "ProductViewed",
                    "itemId": items[(session * 7 + burst * EVENTS_PER_POST + n) % len(items)],
                    "eventId": str(uuid.uuid4()),
                }
                for n in range(EVENTS_PER_POST)
            ]
            body: dict[str, Any] = {"sessionId": f"bench-session-{session}", "events": events}
            path = "me/events" if signed_in else "events"
            post_with_retries(http, f"{api_url}/{path}", body, headers)
            now = time.monotonic()
            sent.extend(SentEvent(event["eventId"], signed_in, now) for event in events)
    return sent


def post_with_retries(
    http: requests.Session, url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """As the storefront does: a 503 is sent again with the same eventIds."""
    for _ in range(ATTEMPTS):
        answer = http.post(url, json=body, headers=headers or {}, timeout=30)
        if answer.status_code == 202:
            return
        if answer.status_code != 503:
            break
    raise RuntimeError(f"POST /events answered {answer.status_code}: {answer.text[:300]}")


def delivered_ids(emulator_url: str) -> dict[str, set[str]]:
    records = requests.get(f"{emulator_url}/_emulator/events", timeout=10).json()
    return {sink: {record["eventId"] for record in records.get(log, [])} for sink, log in SINK_LOGS.items()}


class DeliveryWatcher:
    """Lists what the sinks received every POLL_SECONDS from a thread started before the first POST,
    so each event's arrival is noted while the sessions are still sending."""

    def __init__(self, emulator_url: str) -> None:
        self._emulator_url = emulator_url
        self._seen: dict[str, dict[str, float]] = {sink: {} for sink in SINK_LOGS}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delivery-watcher", daemon=True)

    def __enter__(self) -> DeliveryWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=DELIVERY_TIMEOUT_SECONDS)

    def _run(self) -> None:
        while not self._stopping.is_set():
            delivered = delivered_ids(self._emulator_url)
            now = time.monotonic()
            with self._lock:
                for sink, ids in delivered.items():
                    for event_id in ids:
                        self._seen[sink].setdefault(event_id, now)
            self._stopping.wait(POLL_SECONDS)

    def wait_for(self, sent: list[SentEvent]) -> dict[str, dict[str, float]]:
        """When each sent event was first listed at each sink (monotonic seconds)."""
        expected = {
            "personalize": {event.event_id for event in sent},
            "pinpoint": {event.event_id for event in sent if event.signed_in},
        }
        deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
        while True:
            with self._lock:
                seen = {
                    sink: {i: self._seen[sink][i] for i in ids & self._seen[sink].keys()}
                    for sink, ids in expected.items()
                }
            missing = {sink: len(ids) - len(seen[sink]) for sink, ids in expected.items()}
            if not any(missing.values()):
                return seen
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"events not delivered within {DELIVERY_TIMEOUT_SECONDS:.0f} s: {missing}")
            time.sleep(POLL_SECONDS)


def emf_totals(log_path: Path, offset: int) -> dict[str, float]:
    """Sum of each metric in the EMF lines a function wrote after `offset`."""
    totals: dict[str, float] = defaultdict(float)
    if not log_path.exists():
        return totals
    with log_path.open("rb") as log:
        log.seek(offset)
        for line in log.read().decode("utf-8", "replace").splitlines():
            if '"_aws"' not in line or not line.lstrip().startswith("{"):
                continue
            record = json.loads(line[line.index("{") :])
            for directive in record["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    value = record.get(metric["Name"], 0)
                    totals[metric["Name"]] += sum(value) if isinstance(value, list) else value
    return totals


def wait_for_metrics(
    logs: dict[str, Path], offsets: dict[str, int], delivered: dict[str, int]
) -> dict[str, dict[str, float]]:
    """The sinks' metric totals once they count every delivered event (a function writes its
    metrics after the emulator has answered its last call)."""
    deadline = time.monotonic() + METRICS_TIMEOUT_SECONDS
    while True:
        metrics = {sink: emf_totals(path, offsets[sink]) for sink, path in logs.items()}
        counted = all(metrics[sink].get("EventsDelivered", 0.0) >= count for sink, count in delivered.items())
        if counted or time.monotonic() > deadline:
            return metrics
        time.sleep(POLL_SECONDS)


def real_time_trials(stack: Any, trials: int) -> list[float]:
    """Seconds from a shopper's POST of views of a new category to recommendations showing more of it,
    one trial per shopper (each a dataset shopper of the personalized variant, with their own category)."""
    from tests.tokens import signed_in
    from tests.variants import in_variant

    dataset = stack.folder.dataset
    catalog = json.loads((dataset / "catalog.json").read_text(encoding="utf-8"))
    users = json.loads((dataset / "users.json").read_text(encoding="utf-8"))
    categories = {item["id"]: item["category"] for item in catalog["items"]}
    personalized = set(in_variant("personalized", (user["id"] for user in users)))
    shoppers = [user for user in users if user["id"] in personalized][:trials]
    cognito = stack.describe()["cognito"]
    api = stack.api_url
    seconds: list[float] = []
    with requests.Session() as http:
        for shopper in shoppers:
            headers = signed_in(cognito, shopper["id"])

            def count_of(category: str, headers: dict[str, str] = headers) -> int:
                answer = http.get(
                    f"{api}/me/recommendations", params={"numResults": "10"}, headers=headers, timeout=30
                )
                body = answer.json()
                if answer.status_code != 200 or body["source"] != "personalize":
                    raise RuntimeError(f"GET /me/recommendations answered {answer.status_code}: {body}")
                return [categories[item["itemId"]] for item in body["items"]].count(category)

            category = next(c["id"] for c in catalog["categories"] if c["id"] not in shopper["categories"])
            before = count_of(category)
            viewed = [item["id"] for item in catalog["items"] if item["category"] == category]
            events = [{"eventType": "ProductViewed", "itemId": item} for item in viewed[:VIEWS_PER_TRIAL]]
            body = {"sessionId": f"bench-real-time-{uuid.uuid4()}", "events": events}
            started = time.monotonic()
            post_with_retries(http, f"{api}/me/events", body, headers)
            while count_of(category) <= before:
                if time.monotonic() - started > REAL_TIME_TIMEOUT_SECONDS:
                    raise RuntimeError(
                        f"recommendations did not follow the views in {REAL_TIME_TIMEOUT_SECONDS} s"
                    )
                time.sleep(REAL_TIME_POLL_SECONDS)
            seconds.append(time.monotonic() - started)
    return seconds


def queue_settings() -> str:
    from personalization.contracts.topology import SINKS

    return "; ".join(
        f"{sink.function.name} batch {sink.batch_size}, window {sink.batching_window_seconds} s"
        for sink in SINKS
    )


def run(quick: bool) -> Section:
    from local.cognito import account_id_token
    from local.stack import LocalStack, StackOptions

    sessions = 16 if quick else 48
    stack = LocalStack(StackOptions(data_dir=RESULTS_DIR / "stack", api_port=0, storefront_port=0))
    stack.start()
    try:
        real_time = Timing.of(real_time_trials(stack, 3 if quick else 5))
        time.sleep(2 * POLL_SECONDS)  # the trials' sink metrics are written before the burst's offsets
        logs = {sink: stack.folder.log(function) for sink, function in SINK_FUNCTIONS.items()}
        offsets = {sink: path.stat().st_size if path.exists() else 0 for sink, path in logs.items()}
        requests.delete(f"{stack.emulator_url}/_emulator/events", timeout=10)
        items = catalog_items(stack.folder.dataset, 200)
        # Every other session signed in, each with an account of its own (its sub is the shopper).
        tokens = {
            n: account_id_token(stack.accounts, f"bench-user-{n}@example.com") for n in range(0, sessions, 2)
        }
        with DeliveryWatcher(stack.emulator_url) as watcher:
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                batches = pool.map(
                    lambda n: send_session(stack.api_url, n, items, tokens.get(n)), range(sessions)
                )
                sent = [event for batch in batches for event in batch]
            seen = watcher.wait_for(sent)
        metrics = wait_for_metrics(logs, offsets, {sink: len(ids) for sink, ids in seen.items()})
    finally:
        stack.stop()
    acknowledged = {event.event_id: event.acknowledged_at for event in sent}
    lags = {sink: Timing.of([at - acknowledged[i] for i, at in ids.items()]) for sink, ids in seen.items()}
    finished = max(max(ids.values()) for ids in seen.values())
    events_per_second = len(sent) / (finished - started)
    calls = {
        sink: metrics[sink].get("PutEventsCalls", 0.0) / max(metrics[sink].get("EventsDelivered", 0.0), 1.0)
        for sink in SINK_FUNCTIONS
    }
    return Section(
        title="Event pipeline (local stack)",
        body=[
            f"{sessions} sessions ({sessions // 2} signed in), each {POSTS_PER_SESSION} bursts of "
            f"{EVENTS_PER_POST} events to POST /events {POST_INTERVAL_SECONDS:g} s apart, {CONCURRENCY} "
            f"sessions at a time: {len(sent)} events "
            "through API, track_event, EventBridge and SQS (the local bus), the sink functions and the "
            "emulator, "
            f"on a {os.cpu_count()}-core machine. Lag: from the 202 answer to the event being listed by "
            f"the emulator (polled every {POLL_SECONDS * 1000:.0f} ms; it includes the queues' batching "
            f"windows). Queues: {queue_settings()}.",
            table(
                ["sink", "events", "PutEvents calls / event", "lag p50 s", "lag p99 s"],
                [
                    (sink, len(seen[sink]), calls[sink], lags[sink].median, lags[sink].p99)
                    for sink in SINK_FUNCTIONS
                ],
            ),
            f"End to end: **{events_per_second:.0f} events/s** (first POST to last event at its sinks).",
            f"Real-time demo (quiet stack, {real_time.count} shoppers): recommendations followed "
            f"{VIEWS_PER_TRIAL} views of a new category {real_time.median:.2f} s (median; slowest "
            f"{real_time.p99:.2f} s) after the POST was sent.",
            *[
                f"Not measured for {sink}: its function reported no PutEventsCalls for "
                f"{metrics[sink].get('EventsDelivered', 0):.0f} events delivered."
                for sink in SINK_FUNCTIONS
                if metrics[sink].get("PutEventsCalls", 0.0) == 0
            ],
        ],
        figures={
            "events": len(sent),
            "events_per_second": events_per_second,
            "calls_per_event": calls,
            "real_time_seconds": real_time,
            "lag_seconds": lags,
            "sink_metrics": metrics,
        },
        goals=[
            Goal(
                "real-time demo: views to recommendations, median",
                real_time.median,
                REAL_TIME_GOAL_SECONDS,
                unit=" s",
            ),
            *[
                Goal(f"{sink.capitalize()} PutEvents calls per event", calls[sink], limit, unit="")
                for sink, limit in (
                    ("personalize", PERSONALIZE_CALLS_GOAL),
                    ("pinpoint", PINPOINT_CALLS_GOAL),
                )
                if metrics[sink].get("PutEventsCalls", 0.0) > 0
            ],
        ],
    )
