"""Handler overhead: each read handler against the bare hand-written one, in one process.

Both sides get the same API Gateway event, read the same SSM parameters (moto), and call
the same fake Personalize runtime client, which answers at once with canned responses:
what is left is the work of the handler itself. Invocations alternate between the two
sides in blocks, so drift on the machine affects both alike.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.bench_scenario import (
    PREFIX,
    ROUTE_CASES,
    SSM_VALUES,
    FakePersonalizeRuntime,
    Handler,
    RouteCase,
    function_environment,
    project_handler,
)
from bench.report import Goal, Section, Timing, milliseconds, ratio, table

GOAL_RATIO = 1.5


def bare_handler(function: str) -> Handler:
    from bench.bench_bare_handlers import HANDLERS

    return HANDLERS[function]


def response_body(response: dict[str, Any]) -> dict[str, Any]:
    if response.get("statusCode") != 200:
        raise RuntimeError(f"handler answered {response.get('statusCode')}: {response.get('body')}")
    body: dict[str, Any] = json.loads(response["body"])
    return body


def check_same_answer(case: RouteCase, ours: Handler, bare: Handler, context: Any) -> None:
    """Both sides must do the same work: same status, same items, served from Personalize."""
    our_body, bare_body = (
        response_body(ours(case.event(), context)),
        response_body(bare(case.event(), context)),
    )
    if our_body.get("source") != "personalize" or our_body != bare_body:
        raise RuntimeError(f"{case.function}: the handlers disagree: {our_body} != {bare_body}")


def time_invocations(handler: Handler, event: dict[str, Any], context: Any, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        handler(event, context)
        samples.append(time.perf_counter() - start)
    return samples


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null: the handlers still format and write their EMF metrics
    and log lines (Powertools writes both to stdout), the terminal just does not show them."""
    sys.stdout.flush()
    saved = os.dup(1)
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(sink, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(sink)


@dataclass(frozen=True)
class Comparison:
    function: str
    ours: Timing
    bare: Timing

    @property
    def median_ratio(self) -> float:
        return ratio(self.ours.median, self.bare.median)

    @property
    def p99_ratio(self) -> float:
        return ratio(self.ours.p99, self.bare.p99)


def compare(case: RouteCase, rounds: int, block: int, context: Any) -> Comparison:
    ours, bare = project_handler(case.function), bare_handler(case.function)
    check_same_answer(case, ours, bare, context)
    event = case.event()
    samples: dict[str, list[float]] = {"ours": [], "bare": []}
    time_invocations(ours, event, context, block)
    time_invocations(bare, event, context, block)
    for _ in range(rounds):
        gc.collect()
        samples["ours"].extend(time_invocations(ours, event, context, block))
        gc.collect()
        samples["bare"].extend(time_invocations(bare, event, context, block))
    return Comparison(case.function, Timing.of(samples["ours"]), Timing.of(samples["bare"]))


@contextlib.contextmanager
def stubbed_aws(personalize: FakePersonalizeRuntime) -> Iterator[None]:
    """moto SSM holding the campaign ARNs; the fake Personalize client given to both sides."""
    import boto3
    from moto import mock_aws

    from bench.bench_bare_handlers import use_clients
    from common import aws
    from common.config import config_reader
    from common.recommendations import read_dependencies

    with mock_aws():
        ssm = boto3.client("ssm", region_name="us-east-1")
        for name, value in SSM_VALUES.items():
            if name == "catalog/featured-item-ids":
                ssm.put_parameter(Name=f"{PREFIX}/{name}", Value=value, Type="StringList", Overwrite=True)
            else:
                ssm.put_parameter(Name=f"{PREFIX}/{name}", Value=value, Type="String", Overwrite=True)
        aws.reset_clients()
        read_dependencies.cache_clear()
        config_reader.cache_clear()
        aws.set_client("personalize-runtime", personalize)
        use_clients(ssm, personalize)
        yield
        aws.reset_clients()


def measure(quick: bool) -> list[Comparison]:
    os.environ.update(function_environment("bench"))
    rounds, block = (6, 50) if quick else (30, 100)
    from tests.apigw import FakeLambdaContext

    context = FakeLambdaContext()
    with (
        warnings.catch_warnings(),
        stubbed_aws(FakePersonalizeRuntime()),
        quiet_stdout(),
    ):
        warnings.simplefilter("ignore")
        return [compare(case, rounds, block, context) for case in ROUTE_CASES]


def run(quick: bool) -> Section:
    comparisons = measure(quick)
    rows = [
        (
            c.function,
            milliseconds(c.ours.median),
            milliseconds(c.bare.median),
            c.median_ratio,
            milliseconds(c.ours.p99),
            milliseconds(c.bare.p99),
            c.p99_ratio,
        )
        for c in comparisons
    ]
    section = Section(
        title="Handler overhead (warm, in-process)",
        body=[
            "Each read handler invoked in-process with an API Gateway REST event, against a bare "
            "hand-written handler making the same Personalize call with the same fake client, which "
            "answers at once (so the ratio is the handler's own work, without any network wait); SSM "
            f"from moto. {comparisons[0].ours.count} invocations per side, in alternating blocks. Times "
            f"in ms on a {os.cpu_count()}-core machine; X-Ray tracing off (outside Lambda), EMF metrics "
            "written to /dev/null.",
            table(
                ["function", "ours p50", "bare p50", "p50 ratio", "ours p99", "bare p99", "p99 ratio"],
                rows,
            ),
        ],
        figures={
            c.function: {
                "ours": c.ours,
                "bare": c.bare,
                "median_ratio": c.median_ratio,
                "p99_ratio": c.p99_ratio,
            }
            for c in comparisons
        },
        goals=[Goal(f"handler overhead p50, {c.function}", c.median_ratio, GOAL_RATIO) for c in comparisons],
    )
    section.plot = lambda directory: plot_overhead(comparisons, directory)
    return section


def plot_overhead(comparisons: list[Comparison], directory: Any) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    positions = np.arange(len(comparisons))
    width = 0.2
    figure, axis = plt.subplots(figsize=(7, 4))
    series = [
        ("ours p50", [c.ours.median for c in comparisons], 0),
        ("bare p50", [c.bare.median for c in comparisons], 1),
        ("ours p99", [c.ours.p99 for c in comparisons], 2),
        ("bare p99", [c.bare.p99 for c in comparisons], 3),
    ]
    for label, values, offset in series:
        axis.bar(positions + (offset - 1.5) * width, [milliseconds(v) for v in values], width, label=label)
    axis.set_xticks(positions, [c.function for c in comparisons])
    axis.set_ylabel("ms per invocation (warm, 2-core machine)")
    axis.set_title("Read handlers vs bare handlers, same Personalize stub")
    axis.legend()
    figure.tight_layout()
    path = directory / "handler_overhead.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
