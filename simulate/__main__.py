"""`python -m simulate` (`make simulate ARGS=...`): simulated shoppers against the local stack, then
the experiment report.

Shops at the `make demo` whose endpoints.json is in the data folder, or, when none answers, starts
one in the background (free ports) and stops it at the end. Shoppers drawn from the dataset's
personas sign in as their dataset shopper, browse the home page, categories and product pages
through the API, click, add and order by a click model that favours their persona, and send the
events the storefront sends. Then it waits for the analytics store to show them, prints the report
of `python -m experiments report` and writes its plot.

  --data DIR        DEMO_DATA_DIR   the demo's data folder (.demo-data/ in the repository)
  --shoppers N                      simulated shoppers (distinct dataset shoppers)
  --pages N                         pages each shopper opens
  --concurrency N                   shoppers at a time
  --seed N                          the same seed gives the same shoppers, pages and events
  --run-id ID                       the run's ids (sessions, events): fresh unless given
  --plot PATH                       the report's PNG (default DATA_DIR/simulate/experiments.png)
  --no-start                        fail when no stack runs instead of starting one

Exit codes: 0 simulated and reported; 1 the run failed (events refused or lost, no shopper could
sign in, the analytics store did not show the events in time); 2 bad arguments; 3 no local stack
could be reached or started; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from analytics.dialect import DEFAULT_LOOKBACK_DAYS
from dataset import DatasetError
from experiments.plot import write_plot
from experiments.report import Report, as_json, as_table, build_report, p_text, percent
from repository import DEFAULT_DATA_DIR
from simulate.outcomes import OutcomesTimeoutError, counts_by_variant, store_rows, wait_for_store
from simulate.population import draw_shoppers, load_population
from simulate.run import RunConfig, RunResult, run_shoppers
from simulate.stack import BackgroundStack, StackEndpoints, StackUnavailableError, connect, start_background

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_STACK = 3
EXIT_INTERRUPTED = 130

DEFAULT_SHOPPERS = 160
DEFAULT_PAGES = 12
DEFAULT_CONCURRENCY = 4
DEFAULT_SEED = 7
DEFAULT_ANALYTICS_TIMEOUT = 90.0
RUN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")

logger = logging.getLogger("simulate")


def parser() -> argparse.ArgumentParser:
    lines = (__doc__ or "").splitlines()
    root = argparse.ArgumentParser(
        prog="python -m simulate",
        description=lines[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(lines[2:]),
    )
    data = os.environ.get("DEMO_DATA_DIR", str(DEFAULT_DATA_DIR))
    root.add_argument("--data", type=Path, default=Path(data), help="the demo's data folder")
    root.add_argument("--shoppers", type=int, default=DEFAULT_SHOPPERS, help=f"default {DEFAULT_SHOPPERS}")
    root.add_argument(
        "--pages", type=int, default=DEFAULT_PAGES, help=f"per shopper, default {DEFAULT_PAGES}"
    )
    root.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help=f"default {DEFAULT_CONCURRENCY}"
    )
    root.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
    root.add_argument("--run-id", help="letters, digits, '_', '.', '-' (at most 32); default: fresh")
    root.add_argument(
        "--plot", type=Path, help="the report's PNG (default DATA_DIR/simulate/experiments.png)"
    )
    root.add_argument("--no-plot", action="store_true", help="write no PNG")
    root.add_argument("--no-start", action="store_true", help="fail when no local stack runs")
    root.add_argument(
        "--analytics-timeout",
        type=float,
        default=DEFAULT_ANALYTICS_TIMEOUT,
        help=f"seconds to wait for the analytics store (default {DEFAULT_ANALYTICS_TIMEOUT:g})",
    )
    root.add_argument("--days", type=int, default=DEFAULT_LOOKBACK_DAYS, help="the report's lookback in days")
    root.add_argument("--json", action="store_true", help="print the run and the report as JSON")
    root.add_argument("--no-progress", action="store_true", help="no progress bar")
    return root


def parse(argv: list[str] | None) -> argparse.Namespace:
    root = parser()
    arguments = root.parse_args(argv)
    for name, least in (("shoppers", 1), ("pages", 1), ("concurrency", 1), ("seed", 0), ("days", 1)):
        if getattr(arguments, name) < least:
            root.error(f"--{name} must be at least {least}")
    if arguments.concurrency > 32:
        root.error("--concurrency must be at most 32 (the local stack runs on this machine)")
    if arguments.analytics_timeout <= 0:
        root.error("--analytics-timeout must be more than 0")
    if arguments.run_id is None:
        arguments.run_id = secrets.token_hex(4)
    elif not RUN_ID.fullmatch(arguments.run_id):
        root.error("--run-id must be 1-32 letters, digits, '_', '.' or '-'")
    arguments.data = arguments.data.resolve()
    return arguments


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def log_file(data_dir: Path) -> Iterator[Path]:
    """The simulator's log (the shoppers' warnings) goes to a file, not through the progress bar."""
    path = data_dir / "logs" / "simulate.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        handler.close()


def find_stack(data_dir: Path, may_start: bool) -> tuple[StackEndpoints, BackgroundStack | None]:
    try:
        return connect(data_dir), None
    except StackUnavailableError as error:
        if not may_start:
            raise
        say(f"No local stack answers ({error}).")
    say(f"Starting one in the background in {data_dir} (stopped at the end)...")
    started = time.monotonic()
    endpoints, background = start_background(data_dir)
    say(f"  up in {time.monotonic() - started:.1f} s: API {endpoints.api_url}")
    return endpoints, background


@contextmanager
def progress_bar(total: int, enabled: bool) -> Iterator[Callable[[], None]]:
    """`advance()` once per page; rich's bar on stderr (thread-safe), or nothing."""
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("pages"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task("pages", total=total)
        yield lambda: progress.advance(task)


def run_summary(result: RunResult, shoppers: int, pages: int) -> dict[str, Any]:
    tally = result.tally
    return {
        "shoppers": shoppers,
        "pagesPerShopper": pages,
        "seconds": round(result.seconds, 1),
        "requests": result.requests.requests,
        "failedRequests": result.requests.failures,
        "pages": dict(sorted(tally.pages.items())),
        "pageFailures": tally.page_failures,
        "events": dict(sorted(tally.events.items())),
        "rejectedEvents": tally.rejected,
        "lostEvents": tally.lost,
        "eventRetries": tally.retries,
        "failedShoppers": tally.failed_shoppers,
        "variants": tally.rows(),
    }


def summary_text(summary: dict[str, Any], run_report: Report) -> str:
    pages = ", ".join(f"{count} {kind}" for kind, count in summary["pages"].items())
    events = ", ".join(f"{count} {kind}" for kind, count in summary["events"].items())
    lines = [
        f"Simulated {summary['shoppers']} shoppers x {summary['pagesPerShopper']} pages in "
        f"{summary['seconds']:.1f} s: {summary['requests']} API requests "
        f"({summary['failedRequests']} failed)",
        f"  pages: {pages or 'none'} ({summary['pageFailures']} unanswered)",
        f"  events accepted: {events or 'none'} (refused {summary['rejectedEvents']}, "
        f"lost {summary['lostEvents']}, retries {summary['eventRetries']})",
    ]
    for experiment in run_report.experiments:
        for stats in experiment.variants:
            counts = stats.counts
            versus = (
                "" if stats.is_holdout else f", p {p_text(stats.ctr_vs_holdout.p_value)} against the holdout"
            )
            lines.append(
                f"  this run, {experiment.name}/{counts.variant}: {counts.exposures} exposures, "
                f"CTR {percent(stats.ctr.value)}, conversion {percent(stats.conversion.value)}{versus}"
            )
    if summary["failedShoppers"]:
        lines.append(f"  shoppers who could not sign in: {len(summary['failedShoppers'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    arguments = parse(argv)
    started = time.monotonic()
    on_main_thread = threading.current_thread() is threading.main_thread()
    # SIGTERM stops the run as Ctrl-C does, so that a stack this run started is stopped too.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler) if on_main_thread else None
    try:
        return _main(arguments, started)
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _main(arguments: argparse.Namespace, started: float) -> int:
    with log_file(arguments.data) as log_path:
        background: BackgroundStack | None = None
        try:
            try:
                stack, background = find_stack(arguments.data, may_start=not arguments.no_start)
            except StackUnavailableError as error:
                say(f"Cannot reach a local stack: {error}")
                say("Start it with `make demo` (or run without --no-start to have one started for the run).")
                return EXIT_NO_STACK
            return simulate(arguments, stack, started, log_path)
        except KeyboardInterrupt:
            say("Interrupted.")
            return EXIT_INTERRUPTED
        finally:
            if background is not None:
                say("Stopping the local stack this run started...")
                background.stop()


def simulate(arguments: argparse.Namespace, stack: StackEndpoints, started: float, log_path: Path) -> int:
    if not stack.profile_emulation:
        say(
            "The local stack runs without profile emulation (--no-profile-emulation): an account cannot "
            "shop as a dataset shopper, so there is nothing to simulate. Restart `make demo` without it."
        )
        return EXIT_NO_STACK
    try:
        population = load_population(stack.dataset_dir)
        shoppers = draw_shoppers(population.users, arguments.shoppers, arguments.seed)
    except DatasetError as error:
        say(f"Cannot read the stack's dataset: {error}")
        return EXIT_NO_STACK
    except ValueError as error:
        say(f"{error}")
        return EXIT_USAGE
    baseline = counts_by_variant(store_rows(stack.data_dir, arguments.days))
    config = RunConfig(
        seed=arguments.seed, pages=arguments.pages, concurrency=arguments.concurrency, run_id=arguments.run_id
    )
    say(
        f"{len(shoppers)} shoppers x {arguments.pages} pages against {stack.api_url} "
        f"(seed {arguments.seed}, run {arguments.run_id}, {arguments.concurrency} at a time; log {log_path})"
    )
    with progress_bar(len(shoppers) * arguments.pages, not arguments.no_progress) as advance:
        result = run_shoppers(shoppers, config, population.catalog, stack, advance)
    if result.interrupted:
        raise KeyboardInterrupt
    summary = run_summary(result, len(shoppers), arguments.pages)
    run_report = build_report(summary["variants"])
    say(summary_text(summary, run_report))
    failed = result.tally.rejected + result.tally.lost > 0 or len(result.tally.failed_shoppers) == len(
        shoppers
    )
    say("Waiting for the analytics store to show the run's events...")
    try:
        arrived = wait_for_store(
            stack.data_dir,
            baseline,
            counts_by_variant(summary["variants"]),
            arguments.analytics_timeout,
            lookback_days=arguments.days,
        )
    except OutcomesTimeoutError as error:
        say(str(error))
        return EXIT_FAILED
    report = build_report(arrived.rows, lookback_days=arguments.days)
    say(f"  in {arrived.seconds:.1f} s; {time.monotonic() - started:.1f} s in all.")
    if arguments.json:
        print(json.dumps({"run": summary, "report": json.loads(as_json(report))}, indent=2))
    else:
        print(as_table(report) if report.experiments else "No experiment exposures in the analytics store.")
    if not arguments.no_plot and report.experiments:
        path = write_plot(report, arguments.plot or stack.data_dir / "simulate" / "experiments.png")
        say(f"Plot: {path}")
    if failed:
        say(f"Some of the run failed (refused or lost events, or no shopper signed in): see {log_path}.")
        return EXIT_FAILED
    if not report.experiments:
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
