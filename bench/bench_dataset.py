"""Dataset generator benchmark: wall time and peak memory of `python -m dataset generate` at the
default scale (5,000 users, 2,000 items, 500,000 interactions) and at 10x, and whether the same
seed gives the same bytes.

    .venv/bin/python -m bench.bench_dataset [--repeats N] [--skip-10x]

Each run is its own process, timed from start to exit (interpreter start included), so the figure
is what a person typing the command waits. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report import Goal, Section, table
from repository import REPOSITORY_ROOT as REPOSITORY

DEFAULT_SCALE = {"users": 5_000, "items": 2_000, "interactions": 500_000}
SEED = 42
DEFAULT_SECONDS_GOAL = 20.0
LINEARITY_GOAL = 12.0
"""The 10x run may take at most this many times the default run."""


@dataclass(frozen=True)
class Measurement:
    factor: int
    interactions: int
    seconds: list[float]
    peak_rss_mib: float
    megabytes_written: float
    identical_runs: bool

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds)

    @property
    def interactions_per_second(self) -> float:
        return self.interactions / self.median_seconds


def _generate(out: Path, factor: int) -> tuple[float, float]:
    """One generation in a fresh process: its wall time and its peak resident memory in MiB."""
    sizes = [f"--{name}={value * factor}" for name, value in DEFAULT_SCALE.items()]
    command = [sys.executable, "-m", "dataset", "generate", f"--out={out}", f"--seed={SEED}", *sizes]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPOSITORY, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def measure(factor: int, repeats: int, scratch: Path) -> Measurement:
    seconds: list[float] = []
    peaks: list[float] = []
    digests: set[str] = set()
    for run in range(repeats):
        out = scratch / f"x{factor}-{run}"
        elapsed, peak = _generate(out, factor)
        seconds.append(elapsed)
        peaks.append(peak)
        digests.add(_digest(out))
    size = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    return Measurement(
        factor=factor,
        interactions=DEFAULT_SCALE["interactions"] * factor,
        seconds=seconds,
        peak_rss_mib=max(peaks),
        megabytes_written=size / 1e6,
        identical_runs=len(digests) == 1,
    )


def goals(measurements: list[Measurement]) -> list[Goal]:
    default = measurements[0]
    found = [
        Goal("generation at default scale", default.median_seconds, DEFAULT_SECONDS_GOAL, unit=" s"),
        Goal(
            "same seed, same bytes",
            float(all(m.identical_runs for m in measurements)),
            1.0,
            "",
            at_most=False,
        ),
    ]
    if len(measurements) > 1:
        ratio = measurements[1].median_seconds / default.median_seconds
        found.append(Goal("10x time / default time", ratio, LINEARITY_GOAL))
    return found


def run(repeats: int = 3, include_10x: bool = True) -> Section:
    """The benchmark as a report section (`bench.report`)."""
    with tempfile.TemporaryDirectory(prefix="bench-dataset-") as scratch:
        measurements = [measure(1, repeats, Path(scratch))]
        if include_10x:
            measurements.append(measure(10, max(1, repeats // 2), Path(scratch)))
    rows = [
        [
            f"{m.factor}x",
            f"{m.interactions:,}",
            f"{m.median_seconds:.2f}",
            " / ".join(f"{s:.2f}" for s in m.seconds),
            f"{m.interactions_per_second:,.0f}",
            f"{m.peak_rss_mib:.0f}",
            f"{m.megabytes_written:.0f}",
            "yes" if m.identical_runs else "NO",
        ]
        for m in measurements
    ]
    headers = [
        "scale",
        "interactions",
        "median s",
        "runs s",
        "interactions/s",
        "peak MiB",
        "MB written",
        "same bytes",
    ]
    return Section(
        title="Dataset generation",
        body=[table(headers, rows)],
        figures={f"{m.factor}x": m.__dict__ | {"median_seconds": m.median_seconds} for m in measurements},
        goals=goals(measurements),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_dataset", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="runs at the default scale (10x runs half)")
    parser.add_argument("--skip-10x", action="store_true", help="only the default scale")
    arguments = parser.parse_args(argv)
    section = run(arguments.repeats, include_10x=not arguments.skip_10x)
    print(f"## {section.title}\n")
    print("\n\n".join(section.body))
    print()
    for goal in section.goals:
        print(goal.describe())
    return 0 if all(goal.met for goal in section.goals) else 1


if __name__ == "__main__":
    sys.exit(main())
