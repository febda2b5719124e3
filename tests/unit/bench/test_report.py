"""The benchmark report's statistics, goals and output files, and the small formulas of the benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.bench_cold_start import import_costs
from bench.bench_cost import lambda_cost, lambda_duration_ms
from bench.bench_quality import Scores, ndcg_of_position
from bench.report import Goal, Report, Section, Timing, percentile, ratio, table

pytestmark = pytest.mark.unit


def test_percentile_is_a_measured_value_by_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]

    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 99) == 99.0
    assert percentile(samples, 100) == 100.0
    assert percentile([3.0, 1.0, 2.0], 99) == 3.0


@pytest.mark.parametrize("rank", [0, -1, 101])
def test_percentile_rejects_ranks_outside_0_to_100(rank: float) -> None:
    with pytest.raises(ValueError, match="percentile rank"):
        percentile([1.0], rank)


def test_timing_summarises_samples_and_refuses_none() -> None:
    timing = Timing.of([0.004, 0.001, 0.002, 0.003])

    assert (timing.count, timing.median, timing.p99, timing.minimum) == (4, 0.0025, 0.004, 0.001)
    with pytest.raises(ValueError, match="empty"):
        Timing.of([])


def test_ratio_needs_a_positive_reference() -> None:
    assert ratio(3.0, 2.0) == 1.5
    with pytest.raises(ValueError, match="positive"):
        ratio(1.0, 0.0)


def test_goal_is_met_at_its_limit_in_either_direction() -> None:
    assert Goal("overhead", 1.5, 1.5).met
    assert not Goal("overhead", 1.51, 1.5).met
    assert Goal("quality", 2.0, 2.0, at_most=False).met
    assert not Goal("quality", 1.9, 2.0, at_most=False).met
    assert Goal("overhead", 2.0, 1.5).describe().startswith("NOT MET")


def test_table_renders_markdown_with_short_numbers() -> None:
    rendered = table(["name", "value"], [("a", 0.123456), ("b", 12345.6), ("c", 7)])

    assert rendered.splitlines() == [
        "| name | value |",
        "|---|---|",
        "| a | 0.123 |",
        "| b | 12,346 |",
        "| c | 7 |",
    ]


def test_report_writes_markdown_json_and_plots(tmp_path: Path) -> None:
    def plot(directory: Path) -> Path:
        path = directory / "chart.png"
        path.write_bytes(b"png")
        return path

    measured = Section(
        title="Measured",
        body=["text"],
        figures={"timing": Timing.of([0.1, 0.2])},
        goals=[Goal("speed", 1.2, 1.5)],
        plot=plot,
    )
    report = Report(sections=[measured, Section.failed("Missing", "module x is not available")], quick=True)

    files = report.write(tmp_path)

    assert sorted(path.name for path in files) == ["chart.png", "report.json", "report.md"]
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "MET      speed: 1.2x (goal ≤ 1.5x)" in markdown
    assert "Not measured: module x is not available" in markdown
    assert "![chart](chart.png)" in markdown
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["goals"] == [
        {"name": "speed", "figure": 1.2, "limit": 1.5, "unit": "x", "at_most": True, "met": True}
    ]
    assert data["sections"]["Measured"]["figures"]["timing"]["median"] == pytest.approx(0.15)
    assert data["sections"]["Missing"]["error"] == "module x is not available"


def test_ndcg_and_hit_rate_of_held_out_items() -> None:
    scores = Scores()
    scores.add(["a", "b", "c"], "a")
    scores.add(["a", "b", "c"], "c")
    scores.add(["a", "b", "c"], "z")

    assert ndcg_of_position(None) == 0.0
    assert ndcg_of_position(0) == 1.0
    assert scores.hit_rate == pytest.approx(2 / 3)
    assert scores.ndcg == pytest.approx((1.0 + 0.5) / 3)


def test_import_costs_sum_self_time_by_top_level_package() -> None:
    stderr = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:       100 |        100 |   pydantic.fields",
            "import time:       300 |        400 | pydantic",
            "import time:        50 |         50 | json",
            "something else on stderr",
        ]
    )

    assert import_costs(stderr) == {"pydantic": pytest.approx(0.0004), "json": pytest.approx(0.00005)}


def test_lambda_cost_bills_whole_milliseconds_on_the_memory_configured() -> None:
    one_ms_at_1_gb = 0.20 / 1e6 + 0.001 * 0.0000133334

    assert lambda_cost(0.2, 1024) == pytest.approx(one_ms_at_1_gb)
    assert lambda_cost(1.0, 1024) == pytest.approx(one_ms_at_1_gb)
    assert lambda_duration_ms(0.001, 1769) == pytest.approx(1.0)
    assert lambda_duration_ms(0.001, 512, waiting_ms=30) == pytest.approx(1769 / 512 + 30)
