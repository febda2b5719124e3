"""Cold start: a fresh interpreter imports a read handler and serves its first request.

Each run is a new process (`bench.bench_cold_probe`); the figure is the wall time from
launching the process to the first answer being ready, so it includes interpreter start-up
like a Lambda cold start does. The bare handler runs the same way; the runs alternate.
Bytecode is compiled once by a warm-up run into bench/results/pycache (a Lambda package
built with pip ships compiled bytecode too), so no run pays for compiling.
`python -X importtime` then shows where the import time of our handler goes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from bench.bench_scenario import ROUTE_CASES, function_environment, route_case
from bench.report import RESULTS_DIR, Goal, Section, Timing, milliseconds, ratio, table
from repository import REPOSITORY_ROOT as REPOSITORY

GOAL_RATIO = 1.5
SIDES = ("ours", "bare")
TOP_IMPORTS = 10


@dataclass(frozen=True)
class ProbeRun:
    process_seconds: float
    import_seconds: float
    first_request_seconds: float


def probe_environment(function: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment.update(function_environment(function))
    environment["PYTHONPYCACHEPREFIX"] = str(RESULTS_DIR / "pycache")
    environment["PYTHONWARNINGS"] = "ignore"
    return environment


def probe(function: str, side: str, flags: tuple[str, ...] = ()) -> tuple[ProbeRun, str]:
    """One cold start; returns its timings and the probe's stderr (where -X importtime writes)."""
    command = [sys.executable, *flags, "-m", "bench.bench_cold_probe", function, side]
    launched = time.time()
    completed = subprocess.run(
        command,
        env=probe_environment(function),
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"cold-start probe {function}/{side} failed: {completed.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    expected_experiment = route_case(function).experiment if side == "ours" else None
    if (
        result["status"] != 200
        or result["source"] != "personalize"
        or result["experiment"] != expected_experiment
    ):
        raise RuntimeError(f"cold-start probe {function}/{side} answered {result}")
    run = ProbeRun(
        process_seconds=result["served_at"] - launched,
        import_seconds=result["import_seconds"],
        first_request_seconds=result["first_request_seconds"],
    )
    return run, completed.stderr


def import_costs(stderr: str) -> dict[str, float]:
    """Seconds of import time by top-level package, from `-X importtime` output (self times summed)."""
    totals: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        totals[name.split(".")[0]] += int(self_us) / 1e6
    return dict(sorted(totals.items(), key=lambda entry: -entry[1]))


@dataclass(frozen=True)
class ColdStart:
    function: str
    ours: Timing
    bare: Timing
    ours_import: Timing
    ours_first_request: Timing
    bare_import: Timing
    bare_first_request: Timing

    @property
    def median_ratio(self) -> float:
        return ratio(self.ours.median, self.bare.median)


def measure(runs: int) -> list[ColdStart]:
    functions = [case.function for case in ROUTE_CASES]
    for function in functions:
        for side in SIDES:
            probe(function, side)
    samples: dict[tuple[str, str], list[ProbeRun]] = defaultdict(list)
    for _ in range(runs):
        for function in functions:
            for side in SIDES:
                samples[function, side].append(probe(function, side)[0])

    def timing(function: str, side: str, attribute: str) -> Timing:
        return Timing.of([getattr(run, attribute) for run in samples[function, side]])

    return [
        ColdStart(
            function,
            ours=timing(function, "ours", "process_seconds"),
            bare=timing(function, "bare", "process_seconds"),
            ours_import=timing(function, "ours", "import_seconds"),
            ours_first_request=timing(function, "ours", "first_request_seconds"),
            bare_import=timing(function, "bare", "import_seconds"),
            bare_first_request=timing(function, "bare", "first_request_seconds"),
        )
        for function in functions
    ]


def run(quick: bool) -> Section:
    runs = 3 if quick else 9
    starts = measure(runs)
    ours_imports = import_costs(probe("recommend", "ours", ("-X", "importtime"))[1])
    bare_imports = import_costs(probe("recommend", "bare", ("-X", "importtime"))[1])
    rows = [
        (
            start.function,
            milliseconds(start.ours.median),
            milliseconds(start.bare.median),
            start.median_ratio,
            milliseconds(start.ours_import.median),
            milliseconds(start.bare_import.median),
            milliseconds(start.ours_first_request.median),
            milliseconds(start.bare_first_request.median),
        )
        for start in starts
    ]
    top = list(ours_imports.items())[:TOP_IMPORTS]
    return Section(
        title="Cold start",
        body=[
            f"A fresh interpreter imports the handler and serves one request (SSM and Personalize "
            f"runtime are real botocore clients answered by botocore's Stubber, built by the same code on "
            f"both sides; the bare handler imports boto3 itself, ours only botocore). "
            f"Median of {runs} runs per side, alternating; wall time from process launch "
            f"to the first answer, in ms on a {os.cpu_count()}-core machine, bytecode precompiled.",
            table(
                [
                    "function",
                    "ours",
                    "bare",
                    "ratio",
                    "ours import",
                    "bare import",
                    "ours 1st request",
                    "bare 1st request",
                ],
                rows,
            ),
            "Largest import costs of the recommend handler (`python -X importtime`, self time summed "
            f"by top-level package; all packages: {milliseconds(sum(ours_imports.values())):.0f} ms, "
            f"bare handler: {milliseconds(sum(bare_imports.values())):.0f} ms):",
            table(
                ["package", "ours ms", "bare ms"],
                [(name, milliseconds(cost), milliseconds(bare_imports.get(name, 0.0))) for name, cost in top],
            ),
        ],
        figures={
            "runs": runs,
            **{
                start.function: {
                    "ours": start.ours,
                    "bare": start.bare,
                    "median_ratio": start.median_ratio,
                    "ours_import": start.ours_import,
                    "bare_import": start.bare_import,
                    "ours_first_request": start.ours_first_request,
                    "bare_first_request": start.bare_first_request,
                }
                for start in starts
            },
            "import_seconds_by_package": {"ours": ours_imports, "bare": bare_imports},
        },
        goals=[Goal(f"cold start, {start.function}", start.median_ratio, GOAL_RATIO) for start in starts],
    )
