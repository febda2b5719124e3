"""Handler overhead: each read handler against the bare hand-written one, in one process.

Both sides get the same API Gateway event, read the same SSM parameters (moto), and make the
same Personalize call on the same stubbed client. Two clients, two comparisons:

- botocore + Stubber (the goal): a real personalize-runtime client whose answers botocore's
  Stubber supplies, as a deployed function uses botocore; both sides pay botocore's request
  pipeline (parameter validation, serialisation, event hooks), no network.
- instant fake: a plain object answering at once, so what is left is the handler's own work
  alone (validation, routing, logging, metrics, fallback logic); shown for insight, no goal.

Invocations alternate between the two sides in blocks, so drift on the machine affects both alike.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
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
    same_answer,
)
from bench.report import Goal, Section, Timing, milliseconds, ratio, table

GOAL_RATIO = 1.5
PERSONALIZE_LATENCIES_SECONDS = (0.030, 0.100)
"""Realistic GetRecommendations / GetPersonalizedRanking round trips seen from a Lambda function in the
campaign's region: about 30 ms typical, 100 ms on a slow answer (the read path's client allows 0.5 s).
Assumed, not measured here: the stubbed client answers at once."""


def bare_handler(function: str) -> Handler:
    from bench.bench_bare_handlers import HANDLERS

    return HANDLERS[function]


def response_body(response: dict[str, Any]) -> dict[str, Any]:
    if response.get("statusCode") != 200:
        raise RuntimeError(f"handler answered {response.get('statusCode')}: {response.get('body')}")
    body: dict[str, Any] = json.loads(response["body"])
    return body


def check_same_answer(case: RouteCase, ours: Handler, bare: Handler, context: Any) -> None:
    """Both sides must do the same work: same status, same items, served from Personalize (ours
    within the experiment the case's shopper is enrolled in)."""
    our_body, bare_body = (
        response_body(ours(case.event(), context)),
        response_body(bare(case.event(), context)),
    )
    if not same_answer(case, our_body, bare_body):
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


PersonalizeFor = Callable[[RouteCase, int], Any]
"""The Personalize runtime client for a case, able to answer that many calls."""


def fake_personalize(case: RouteCase, calls: int) -> Any:
    return FakePersonalizeRuntime()


def stubbed_personalize(case: RouteCase, calls: int) -> Any:
    """A botocore personalize-runtime client with the case's canned answer queued `calls` times."""
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("personalize-runtime", region_name="us-east-1")
    stubber = Stubber(client)
    answer = case.canned_answer()
    for _ in range(calls):
        stubber.add_response(case.operation, answer)
    stubber.activate()
    return client


CLIENTS: dict[str, PersonalizeFor] = {"stubber": stubbed_personalize, "fake": fake_personalize}
CLIENT_LABELS = {"stubber": "botocore client + Stubber", "fake": "instant fake client"}
GOAL_CLIENT = "stubber"


def use_personalize(ssm: Any, personalize: Any) -> None:
    """Give both sides the same Personalize client (and the same SSM client)."""
    from bench.bench_bare_handlers import use_clients
    from personalization.adapters import aws
    from personalization.wiring import read_dependencies

    aws.set_client("personalize-runtime", personalize)
    read_dependencies.cache_clear()
    use_clients(ssm, personalize)


def compare(case: RouteCase, rounds: int, block: int, context: Any, personalize: Any, ssm: Any) -> Comparison:
    use_personalize(ssm, personalize)
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
def moto_ssm() -> Iterator[Any]:
    """moto SSM holding the campaign ARNs; yields its client."""
    import boto3
    from moto import mock_aws

    from personalization.adapters import aws
    from personalization.adapters.ssm_config import config_reader

    with mock_aws():
        ssm = boto3.client("ssm", region_name="us-east-1")
        for name, value in SSM_VALUES.items():
            if name == "catalog/featured-item-ids":
                ssm.put_parameter(Name=f"{PREFIX}/{name}", Value=value, Type="StringList", Overwrite=True)
            else:
                ssm.put_parameter(Name=f"{PREFIX}/{name}", Value=value, Type="String", Overwrite=True)
        aws.reset_clients()
        config_reader.cache_clear()
        aws.set_client("ssm", ssm)
        yield ssm
        aws.reset_clients()


def measure(quick: bool) -> dict[str, list[Comparison]]:
    """Per client kind, the comparison of each read handler."""
    os.environ.update(function_environment("bench"))
    rounds, block = (6, 50) if quick else (30, 100)
    calls = 2 * (rounds + 1) * block + 2
    from tests.apigw import FakeLambdaContext

    context = FakeLambdaContext()
    with warnings.catch_warnings(), moto_ssm() as ssm, quiet_stdout():
        warnings.simplefilter("ignore")
        return {
            kind: [compare(case, rounds, block, context, make(case, calls), ssm) for case in ROUTE_CASES]
            for kind, make in CLIENTS.items()
        }


def comparison_table(comparisons: list[Comparison]) -> str:
    return table(
        ["function", "ours p50", "bare p50", "p50 ratio", "ours p99", "bare p99", "p99 ratio"],
        [
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
        ],
    )


def run(quick: bool) -> Section:
    measured = measure(quick)
    goal_comparisons = measured[GOAL_CLIENT]
    body = [
        "Each read handler invoked in-process with an API Gateway REST event, against a bare "
        "hand-written handler making the same Personalize call with the same client; SSM from moto, "
        "running the demo's experiment (the recommend shopper is enrolled in its personalized variant: "
        "ours assigns the variant and counts an Exposures, the bare handler runs no experiment). "
        f"{goal_comparisons[0].ours.count} invocations per side, in alternating blocks. Times in ms on a "
        f"{os.cpu_count()}-core machine; X-Ray tracing off (outside Lambda), EMF metrics and logs written "
        "to /dev/null. The goal is judged with the botocore client whose answers botocore's Stubber "
        "supplies (the issue's 'same stubbed client': both sides pay botocore's request pipeline, as "
        "deployed functions do); the instant fake client isolates the handler's own work.",
    ]
    for kind, comparisons in measured.items():
        body += [f"{CLIENT_LABELS[kind]}:", comparison_table(comparisons)]
    shares = end_to_end(goal_comparisons)
    body += [
        "The same overhead within a request's end-to-end time, when Personalize answers in a realistic "
        f"time ({', '.join(f'{latency * 1000:.0f} ms' for latency in PERSONALIZE_LATENCIES_SECONDS)}; "
        "assumed, added to both sides' p50): the handler's own work as a share of the request, and ours "
        "against bare end to end.",
        table(
            [
                "function",
                *[
                    f"{kind} @ {latency * 1000:.0f} ms"
                    for latency in PERSONALIZE_LATENCIES_SECONDS
                    for kind in ("overhead share %", "end-to-end ratio")
                ],
            ],
            [
                (
                    function,
                    *[
                        value
                        for latency in PERSONALIZE_LATENCIES_SECONDS
                        for value in (row[latency]["share_percent"], row[latency]["ratio"])
                    ],
                )
                for function, row in shares.items()
            ],
        ),
    ]
    section = Section(
        title="Handler overhead (warm, in-process)",
        body=body,
        figures={
            kind: {
                c.function: {
                    "ours": c.ours,
                    "bare": c.bare,
                    "median_ratio": c.median_ratio,
                    "p99_ratio": c.p99_ratio,
                }
                for c in comparisons
            }
            for kind, comparisons in measured.items()
        }
        | {"end_to_end": {f: {f"{k * 1000:.0f}ms": v for k, v in row.items()} for f, row in shares.items()}},
        goals=[
            Goal(f"handler overhead p50, {c.function}", c.median_ratio, GOAL_RATIO) for c in goal_comparisons
        ],
    )
    section.plot = lambda directory: plot_overhead(measured, directory)
    return section


def end_to_end(comparisons: list[Comparison]) -> dict[str, dict[float, dict[str, float]]]:
    """Per function and Personalize latency: (ours - bare) / (ours + latency), and (ours + latency) /
    (bare + latency), from the p50s."""
    return {
        c.function: {
            latency: {
                "share_percent": 100 * (c.ours.median - c.bare.median) / (c.ours.median + latency),
                "ratio": (c.ours.median + latency) / (c.bare.median + latency),
            }
            for latency in PERSONALIZE_LATENCIES_SECONDS
        }
        for c in comparisons
    }


def plot_overhead(measured: dict[str, list[Comparison]], directory: Path) -> Path:
    """One panel per client: p50 and p99 of ours and bare for each read handler."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    width = 0.2
    figure, axes = plt.subplots(1, len(measured), figsize=(9, 3.6), sharey=True)
    for axis, (kind, comparisons) in zip(np.atleast_1d(axes), measured.items(), strict=True):
        positions = np.arange(len(comparisons))
        series = [
            ("ours p50", [c.ours.median for c in comparisons]),
            ("bare p50", [c.bare.median for c in comparisons]),
            ("ours p99", [c.ours.p99 for c in comparisons]),
            ("bare p99", [c.bare.p99 for c in comparisons]),
        ]
        for offset, (label, values) in enumerate(series):
            heights = [milliseconds(v) for v in values]
            axis.bar(positions + (offset - 1.5) * width, heights, width, label=label)
        axis.set_xticks(positions, [c.function for c in comparisons])
        axis.set_yscale("log")
        axis.set_title(CLIENT_LABELS[kind])
    axes_list = list(np.atleast_1d(axes))
    axes_list[0].set_ylabel("ms per invocation (log scale)")
    axes_list[-1].legend(fontsize="small")
    figure.suptitle(f"Read handlers vs bare handlers, same Personalize client (warm, {os.cpu_count()} cores)")
    figure.tight_layout()
    path = directory / "handler_overhead.png"
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
