"""The soak's bookkeeping: requests and deliveries per minute, queue trends, the stack's memory."""

from __future__ import annotations

import json
import os

import pytest

from bench.bench_soak import EVENTS_PER_POST, Answered, Sample, events_body, growth_trend, per_minute
from bench.stack_probe import DeliveryLog, descendants, memory_bytes, queue_urls

pytestmark = pytest.mark.unit


def test_a_soak_request_carries_its_events_and_never_a_user() -> None:
    bodies = [json.loads(events_body(n, ["a", "b", "c"])) for n in range(2)]

    assert [len(body["events"]) for body in bodies] == [EVENTS_PER_POST] * 2
    assert ["userId" in body for body in bodies] == [False, False]
    assert all(body["sessionId"].startswith("soak-") for body in bodies)


def test_each_minute_counts_its_own_requests_lags_and_samples() -> None:
    start = 1000.0
    answered = [
        Answered(start + 1, 0.010, True),
        Answered(start + 2, 0.030, False),
        Answered(start + 61, 0.020, True),
    ]
    samples = [
        Sample(start + 10, 100 * 2**20, {"q": 5, "q DLQ": 9}),
        Sample(start + 70, 110 * 2**20, {"q": 1}),
    ]
    deliveries = DeliveryLog("http://unused", "soak-")
    deliveries.arrivals = {"e1": (start + 1, start + 1.5), "e2": (start + 61, start + 63)}

    first, second = per_minute(answered, samples, deliveries, start, 2)

    assert (first.requests, first.errors, first.p99_ms, first.lag_p99_s) == (2, 1, 30.0, 0.5)
    assert (second.requests, second.lag_p50_s, second.memory_mib, second.queued_max) == (1, 2.0, 110.0, 1)
    assert first.queued_max == 5, "dead-letter queues are not the sinks' backlog"


def test_a_queue_whose_depth_climbs_shows_a_positive_trend() -> None:
    samples = [Sample(float(t), 0, {"growing": t * 10, "steady": 3}) for t in range(0, 100, 10)]

    trend = growth_trend(samples, 0.0)

    assert trend["growing"] == pytest.approx(900)
    assert trend["steady"] == pytest.approx(0)


def test_the_memory_of_a_process_tree_includes_the_process_itself() -> None:
    assert os.getpid() in descendants(os.getpid())
    assert memory_bytes(os.getpid()) > 1_000_000


def test_the_probed_queues_are_those_the_stack_describes() -> None:
    info = {"queues": {"personalize_sync": {"url": "u", "dlqUrl": "d"}}, "analytics": {"queueUrl": "a"}}

    assert queue_urls(info) == {"personalize_sync": "u", "personalize_sync DLQ": "d", "analytics": "a"}
