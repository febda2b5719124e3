"""`python -m bench [--quick] [--only NAME ...]`: run the benchmarks, print one report, write it
to bench/results/ (report.md, report.json, PNG plots).

Every benchmark becomes one section of the report; one that cannot run is reported as not
measured, with the reason, and the others still run. Goals that are not met are shown as
NOT MET and do not fail the command; a benchmark that could not run does (exit 1).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.report import RESULTS_DIR, Goal, Report, Section, table
from repository import REPOSITORY_ROOT as REPOSITORY

DATASET_DIR_NAME = "dataset"


@dataclass
class Context:
    quick: bool
    results: Path
    sections: dict[str, Section]

    @property
    def dataset_dir(self) -> Path:
        """The default-scale dataset, generated once per run for the benchmarks that need it."""
        directory = self.results / DATASET_DIR_NAME
        if not (directory / "manifest.json").exists():
            import dataset

            dataset.generate(directory, dataset.GeneratorConfig())
        return directory


def handlers(context: Context) -> Section:
    from bench import bench_handlers

    return bench_handlers.run(context.quick)


def cold_start(context: Context) -> Section:
    from bench import bench_cold_start

    return bench_cold_start.run(context.quick)


def cost(context: Context) -> Section:
    from bench import bench_cost, bench_handlers

    measured = context.sections.get("handlers")
    if measured is None or measured.error:
        return Section.failed("Cost", "needs the handler timings, which were not measured")
    return bench_cost.run(measured.figures[bench_handlers.GOAL_CLIENT], context.quick)


def dataset_generation(context: Context) -> Section:
    module = importlib.import_module("bench.bench_dataset")
    section: Section = module.run(repeats=1 if context.quick else 3, include_10x=not context.quick)
    return section


def recommender(context: Context) -> Section:
    """bench_recommender is a command that writes its figures as JSON; its targets become goals."""
    module = importlib.import_module("bench.bench_recommender")
    output = context.results / "recommender.json"
    command = [sys.executable, "-m", "bench.bench_recommender", "--data", str(context.dataset_dir)]
    command += ["--json", str(output), *(["--skip-10x"] if context.quick else [])]
    completed = subprocess.run(
        command, cwd=REPOSITORY, capture_output=True, text=True, timeout=600, check=False
    )
    if not output.exists():
        return Section.failed("Recommender", f"bench.bench_recommender failed: {completed.stderr[-1500:]}")
    scales: dict[str, dict[str, float]] = json.loads(output.read_text(encoding="utf-8"))
    targets: dict[str, tuple[str, float]] = getattr(module, "TARGETS", {})
    names = sorted({name for figures in scales.values() for name in figures})
    return Section(
        title="Recommender (training, memory, answer times, quality figures)",
        body=[
            "From `python -m bench.bench_recommender` on the default dataset"
            + ("" if "10x" in scales else " (10x scale skipped in --quick)")
            + "; times on this machine.",
            table(
                ["figure", *scales], [(name, *(scales[s].get(name, "") for s in scales)) for name in names]
            ),
        ],
        figures=scales,
        goals=[
            Goal(name, scales["1x"][name], bound, unit="", at_most=operator == "<")
            for name, (operator, bound) in targets.items()
            if name in scales.get("1x", {})
        ],
    )


def quality(context: Context) -> Section:
    from bench import bench_quality

    return bench_quality.run(context.dataset_dir)


def local_api(context: Context) -> Section:
    return _external("bench.bench_local_api", "Local API under load", context)


def pipeline(context: Context) -> Section:
    return _external("bench.bench_pipeline", "Event pipeline", context)


def soak(context: Context) -> Section:
    return _external("bench.bench_soak", "Soak", context)


def _external(module_name: str, title: str, context: Context) -> Section:
    """A benchmark module exposing `run(quick=...)` that returns a Section or a dict of figures."""
    module = importlib.import_module(module_name)
    run: Callable[..., Any] = module.run
    result = run(quick=context.quick) if "quick" in inspect.signature(run).parameters else run()
    if isinstance(result, Section):
        return result
    if isinstance(result, dict):
        return Section(title=title, body=[table(["figure", "value"], list(result.items()))], figures=result)
    raise TypeError(f"{module_name}.run returned {type(result).__name__}, expected a Section or a dict")


BENCHMARKS: dict[str, Callable[[Context], Section]] = {
    "handlers": handlers,
    "cold-start": cold_start,
    "cost": cost,
    "dataset": dataset_generation,
    "recommender": recommender,
    "quality": quality,
    "local-api": local_api,
    "pipeline": pipeline,
    "soak": soak,
}


def run_one(name: str, context: Context) -> Section:
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        section = BENCHMARKS[name](context)
    except ModuleNotFoundError as error:
        section = Section.failed(name, f"module {error.name} is not available")
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        section = Section.failed(name, f"{type(error).__name__}: {error}")
    section.seconds = time.perf_counter() - started
    print(f"[bench] {name}: {section.seconds:.0f} s", file=sys.stderr, flush=True)
    return section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, default scale only")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these benchmarks")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="where to write the report")
    arguments = parser.parse_args(argv)
    context = Context(quick=arguments.quick, results=arguments.out, sections={})
    context.results.mkdir(parents=True, exist_ok=True)
    for name in arguments.only or list(BENCHMARKS):
        context.sections[name] = run_one(name, context)
    report = Report(sections=list(context.sections.values()), quick=arguments.quick)
    files = report.write(context.results)
    print(report.to_markdown([path for path in files if path.suffix == ".png"]))
    print("written: " + ", ".join(str(path) for path in files), file=sys.stderr)
    return 1 if any(section.error for section in report.sections) else 0


if __name__ == "__main__":
    raise SystemExit(main())
