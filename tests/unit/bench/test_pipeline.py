"""bench_pipeline: the sink metrics it reads from the functions' EMF log lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.bench_pipeline import emf_totals, queue_settings
from personalization.contracts.topology import SINKS

pytestmark = pytest.mark.unit


def emf_line(metrics: dict[str, float | list[float]]) -> str:
    return json.dumps(
        {
            "_aws": {
                "Timestamp": 1,
                "CloudWatchMetrics": [
                    {
                        "Namespace": "RetailPersonalization",
                        "Dimensions": [["service"]],
                        "Metrics": [{"Name": name, "Unit": "Count"} for name in metrics],
                    }
                ],
            },
            "service": "personalize_sync",
            **metrics,
        }
    )


def test_totals_sum_every_metric_line_after_the_offset(tmp_path: Path) -> None:
    log = tmp_path / "personalize_sync.log"
    earlier = emf_line({"PutEventsCalls": 99.0, "EventsDelivered": 990.0}) + "\n"
    log.write_text(
        earlier
        + emf_line({"PutEventsCalls": 2.0, "EventsDelivered": [10.0]})
        + "\n"
        + '{"level": "INFO", "message": "not a metric"}\n'
        + emf_line({"PutEventsCalls": [1.0, 1.0], "EventsDelivered": 7.0})
        + "\n",
        encoding="utf-8",
    )

    totals = emf_totals(log, offset=len(earlier.encode()))

    assert dict(totals) == {"PutEventsCalls": 4.0, "EventsDelivered": 17.0}


def test_a_function_that_wrote_nothing_has_no_totals(tmp_path: Path) -> None:
    assert dict(emf_totals(tmp_path / "missing.log", offset=0)) == {}


def test_the_report_states_each_sink_queue_batch_and_window() -> None:
    described = queue_settings()

    for sink in SINKS:
        window = sink.batching_window_seconds
        assert f"{sink.function.name} batch {sink.batch_size}, window {window} s" in described
