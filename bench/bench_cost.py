"""Cost per million requests of each route, and per million events, in US dollars.

Durations come from this run's in-process timings (bench_handlers, and track_event measured
here the same way); memory from `personalization.contracts.topology`; unit prices from the table below, each
with its source and the date it was read. Lambda gives a function CPU in proportion to its
memory (one vCPU at 1,769 MB), so a duration measured on one full core here is scaled by
1,769 / memory. What cannot be measured on one machine (the network wait for Personalize,
the sink functions' PutEvents round trips) is an assumption, written down as such.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.report import Section, milliseconds, table

PRICES_READ_ON = "2026-11-29"


@dataclass(frozen=True)
class UnitPrice:
    name: str
    usd: float
    unit: str
    source: str
    verified: bool
    """False: from the provider's page as last known, not confirmed while writing this table."""


LAMBDA_ARM_GB_SECOND = UnitPrice(
    "Lambda duration, arm64 (first 7.5 B GB-s/month)",
    0.0000133334,
    "GB-second",
    "https://aws.amazon.com/lambda/pricing/ (us-east-1)",
    True,
)
LAMBDA_REQUEST = UnitPrice(
    "Lambda requests", 0.20 / 1e6, "request", "https://aws.amazon.com/lambda/pricing/", True
)
API_GATEWAY_REST_REQUEST = UnitPrice(
    "API Gateway REST API (first 333 M/month)",
    3.50 / 1e6,
    "request",
    "https://aws.amazon.com/api-gateway/pricing/ (AWS whitepaper table, us-east-1)",
    True,
)
EVENTBRIDGE_CUSTOM_EVENT = UnitPrice(
    "EventBridge custom event published (64 KB chunk)",
    1.00 / 1e6,
    "event",
    "https://aws.amazon.com/eventbridge/pricing/",
    True,
)
SQS_STANDARD_REQUEST = UnitPrice(
    "SQS standard queue request (64 KB chunk, after the 1 M free tier)",
    0.40 / 1e6,
    "request",
    "https://aws.amazon.com/sqs/pricing/",
    True,
)
PERSONALIZE_TPS_HOUR = UnitPrice(
    "Personalize real-time recommendations (first 20 K TPS-hours/month)",
    0.20,
    "TPS-hour",
    "https://aws.amazon.com/personalize/pricing/ (custom-recipe campaigns)",
    False,
)
PERSONALIZE_INGESTION_GB = UnitPrice(
    "Personalize data ingestion (PutEvents included)",
    0.05,
    "GB",
    "https://aws.amazon.com/personalize/pricing/",
    False,
)
PINPOINT_EVENT = UnitPrice(
    "Pinpoint events collected", 1.00 / 1e6, "event", "https://aws.amazon.com/pinpoint/pricing/", False
)
SNAPSTART_CACHE_GB_SECOND = UnitPrice(
    "Lambda SnapStart cache (Python, .NET), while a version is active",
    0.0000015046,
    "GB-second",
    "https://aws.amazon.com/lambda/pricing/ (us-east-1)",
    False,
)
SNAPSTART_RESTORE_GB = UnitPrice(
    "Lambda SnapStart restore", 0.0001397998, "GB restored", "https://aws.amazon.com/lambda/pricing/", False
)
PRICES = (
    LAMBDA_ARM_GB_SECOND,
    LAMBDA_REQUEST,
    API_GATEWAY_REST_REQUEST,
    EVENTBRIDGE_CUSTOM_EVENT,
    SQS_STANDARD_REQUEST,
    PERSONALIZE_TPS_HOUR,
    PERSONALIZE_INGESTION_GB,
    PINPOINT_EVENT,
    SNAPSTART_CACHE_GB_SECOND,
    SNAPSTART_RESTORE_GB,
)
SECONDS_PER_MONTH = 30 * 24 * 3600
DEMO_RESTORES_PER_DAY = 50
"""Cold starts a day per read function at the demo's traffic (a few shoppers an hour: about every
visit after a quiet spell starts a new instance); assumed."""

ONE_VCPU_MB = 1769
PERSONALIZE_WAIT_MS = 30.0
"""Assumption: one Personalize runtime round trip from Lambda in the same region."""
SINK_MS_PER_10_RECORDS = 40.0
"""Assumption: a sink function's time for each 10 records of its batch (one or two PutEvents round trips)."""
SQS_MESSAGES_PER_REQUEST = 10
"""ReceiveMessage and DeleteMessageBatch handle at most 10 messages: a batch of 100 takes 10 of each."""
EVENTS_PER_POST = 5
"""Assumption: the storefront sends events in bursts of about five per POST /events."""
EVENT_BYTES = 600
"""Size of one event as the sinks forward it (JSON detail, a few hundred bytes)."""
SIGNED_IN_SHARE = 0.5
"""Assumption: share of events from signed-in shoppers (the Pinpoint rule's events)."""
MILLION = 1_000_000


def lambda_cost(duration_ms: float, memory_mb: int) -> float:
    """One invocation: the request plus the duration billed in whole milliseconds."""
    billed_seconds = math.ceil(duration_ms) / 1000
    return LAMBDA_REQUEST.usd + billed_seconds * memory_mb / 1024 * LAMBDA_ARM_GB_SECOND.usd


def lambda_duration_ms(measured_seconds: float, memory_mb: int, waiting_ms: float = 0.0) -> float:
    """A duration measured on one full core, on a function with `memory_mb` of memory."""
    cpu_share = min(1.0, memory_mb / ONE_VCPU_MB)
    return milliseconds(measured_seconds) / cpu_share + waiting_ms


def personalize_request_cost() -> float:
    """One real-time request when the provisioned TPS is fully used (3,600 requests per TPS-hour)."""
    return PERSONALIZE_TPS_HOUR.usd / 3600


@dataclass(frozen=True)
class RouteCost:
    route: str
    duration_ms: float
    memory_mb: int
    api_gateway: float
    lambda_: float
    personalize: float

    @property
    def total(self) -> float:
        return self.api_gateway + self.lambda_ + self.personalize


def read_route_costs(handler_medians: dict[str, float]) -> list[RouteCost]:
    from infra.deployment import MEMORY_MB
    from personalization.contracts.topology import ROUTES

    costs = []
    for route in ROUTES:
        if route.function.name not in handler_medians:
            continue
        memory = MEMORY_MB[route.function]
        duration = lambda_duration_ms(handler_medians[route.function.name], memory, PERSONALIZE_WAIT_MS)
        costs.append(
            RouteCost(
                route=f"{route.method} {route.path}",
                duration_ms=duration,
                memory_mb=memory,
                api_gateway=API_GATEWAY_REST_REQUEST.usd * MILLION,
                lambda_=lambda_cost(duration, memory) * MILLION,
                personalize=personalize_request_cost() * MILLION,
            )
        )
    return costs


def event_cost_lines(track_event_seconds: float) -> list[tuple[str, float]]:
    """Dollars per million events, line by line, for bursts of EVENTS_PER_POST events."""
    from infra.deployment import MEMORY_MB
    from personalization.contracts.topology import PINPOINT_SYNC, SINKS, TRACK_EVENT

    track_memory = MEMORY_MB[TRACK_EVENT]
    track_ms = lambda_duration_ms(track_event_seconds, track_memory)
    posts = MILLION / EVENTS_PER_POST
    lines = [
        ("API Gateway (POST /events)", posts * API_GATEWAY_REST_REQUEST.usd),
        (
            f"track_event Lambda ({track_ms:.1f} ms, {track_memory} MB)",
            posts * lambda_cost(track_ms, track_memory),
        ),
        ("EventBridge custom events", MILLION * EVENTBRIDGE_CUSTOM_EVENT.usd),
    ]
    for sink in SINKS:
        share = SIGNED_IN_SHARE if sink.function is PINPOINT_SYNC else 1.0
        events = MILLION * share
        batches = events / sink.batch_size
        memory = MEMORY_MB[sink.function]
        requests_per_batch = math.ceil(sink.batch_size / SQS_MESSAGES_PER_REQUEST)
        sqs_requests = events + 2 * requests_per_batch * batches
        batch_ms = SINK_MS_PER_10_RECORDS * requests_per_batch
        lines.append(
            (
                f"SQS for {sink.function.name} (send; receive and delete, 10 messages per request)",
                sqs_requests * SQS_STANDARD_REQUEST.usd,
            )
        )
        lines.append(
            (
                f"{sink.function.name} Lambda (batches of {sink.batch_size}, {batch_ms:.0f} ms)",
                batches * lambda_cost(batch_ms, memory),
            )
        )
    lines.append(
        ("Personalize PutEvents ingestion", MILLION * EVENT_BYTES / 1e9 * PERSONALIZE_INGESTION_GB.usd)
    )
    lines.append(("Pinpoint events", MILLION * SIGNED_IN_SHARE * PINPOINT_EVENT.usd))
    return lines


class FakeEventBus:
    """An EventBridge client that accepts every entry at once."""

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "FailedEntryCount": 0,
            "Entries": [{"EventId": f"bench-{n}"} for n in range(len(Entries))],
        }


def measure_track_event(invocations: int) -> float:
    """Median seconds of one POST /events with EVENTS_PER_POST events, in-process, bus answering at once."""
    from bench.bench_handlers import quiet_stdout
    from bench.bench_scenario import PREFIX, project_handler
    from personalization.adapters import aws
    from personalization.contracts.topology import TRACK_EVENT
    from tests.apigw import FakeLambdaContext, rest_event

    os.environ.update(TRACK_EVENT.environment(PREFIX, {"EVENT_BUS_NAME": "bench-events"}))
    aws.set_client("events", FakeEventBus())
    handler: Callable[..., dict[str, Any]] = project_handler("track_event")
    body = {
        "sessionId": "bench-session",
        "events": [{"eventType": "ProductViewed", "itemId": f"item-{n:04d}"} for n in range(EVENTS_PER_POST)],
    }
    event, context = rest_event("POST", "/events", body=body, shopper="user-42"), FakeLambdaContext()
    samples = []
    with quiet_stdout():
        answer = handler(event, context)
        if answer["statusCode"] != 202:
            raise RuntimeError(f"track_event answered {answer['statusCode']}: {answer['body']}")
        for _ in range(invocations):
            started = time.perf_counter()
            handler(event, context)
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def snapstart_month(restores_per_day: float = DEMO_RESTORES_PER_DAY) -> dict[str, float]:
    """SnapStart's own charges a month for the read functions: one cached snapshot each (replaced
    versions are deleted), and the restores."""
    from infra.deployment import MEMORY_MB, SNAPSTART

    gigabytes = sum(MEMORY_MB[spec] / 1024 for spec in SNAPSTART)
    cache = gigabytes * SECONDS_PER_MONTH * SNAPSTART_CACHE_GB_SECOND.usd
    restores = gigabytes * restores_per_day * 30 * SNAPSTART_RESTORE_GB.usd
    return {"cache": cache, "restores": restores, "total": cache + restores}


def run(handler_figures: dict[str, Any], quick: bool) -> Section:
    medians = {name: figures["ours"].median for name, figures in handler_figures.items() if "ours" in figures}
    routes = read_route_costs(medians)
    track_seconds = measure_track_event(200 if quick else 2000)
    event_lines = event_cost_lines(track_seconds)
    event_total = sum(cost for _, cost in event_lines)
    return Section(
        title="Cost",
        body=[
            "US dollars, us-east-1, arm64, from this run's median durations on a "
            f"{os.cpu_count()}-core machine scaled to each function's CPU share (memory / {ONE_VCPU_MB} "
            "MB), billed per whole ms. "
            f"Assumptions: {PERSONALIZE_WAIT_MS:.0f} ms Personalize round trip per read; Personalize "
            "campaigns used at their provisioned TPS (3,600 requests per TPS-hour; an idle minimum TPS "
            f"costs more per request); {EVENTS_PER_POST} events per POST /events; {SIGNED_IN_SHARE:.0%} of "
            f"events from signed-in shoppers; full sink batches, {SINK_MS_PER_10_RECORDS:.0f} ms per 10 "
            "records; free tiers ignored.",
            "Per million requests:",
            table(
                ["route", "Lambda ms", "MB", "API Gateway", "Lambda", "Personalize", "total"],
                [
                    (c.route, c.duration_ms, c.memory_mb, c.api_gateway, c.lambda_, c.personalize, c.total)
                    for c in routes
                ],
            ),
            f"SnapStart on the three read functions, a month at the demo's traffic ({DEMO_RESTORES_PER_DAY} "
            "restores a day each, assumed): "
            + ", ".join(f"{k} ${v:.2f}" for k, v in snapstart_month().items())
            + " (the cache is charged whether or not the functions are called).",
            f"Per million events: **${event_total:.2f}**",
            table(["line", "USD"], [*event_lines, ("total", event_total)]),
            f"Unit prices (read {PRICES_READ_ON}; 'assumed' = the provider's page as last known, not "
            "confirmed while writing):",
            table(
                ["item", "USD", "per", "source"],
                [
                    (p.name, f"{p.usd:.10g}", p.unit, p.source + ("" if p.verified else " (assumed)"))
                    for p in PRICES
                ],
            ),
        ],
        figures={
            "per_million_requests": {c.route: round(c.total, 2) for c in routes},
            "per_million_events": round(event_total, 2),
            "track_event_median_seconds": track_seconds,
            "prices_read_on": PRICES_READ_ON,
            "snapstart_per_month": snapstart_month(),
        },
    )
