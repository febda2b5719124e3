"""Command line: `python -m dataset generate --out DIR ...` and `python -m dataset stats DIR`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dataset.config import GeneratorConfig
from dataset.errors import DatasetError
from dataset.loader import load
from dataset.stats import compute_stats, format_stats
from dataset.writer import Progress, generate

DEFAULTS = GeneratorConfig()


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "generate":
            return _generate(arguments)
        print(format_stats(compute_stats(load(arguments.directory))))
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dataset", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate_command = commands.add_parser("generate", help="generate a dataset into a folder")
    generate_command.add_argument(
        "--out", type=Path, required=True, help="output folder (replaced if it holds a dataset)"
    )
    generate_command.add_argument("--seed", type=int, default=DEFAULTS.seed, help=f"default {DEFAULTS.seed}")
    generate_command.add_argument(
        "--users", type=int, default=DEFAULTS.users, help=f"default {DEFAULTS.users}"
    )
    generate_command.add_argument(
        "--items", type=int, default=DEFAULTS.items, help=f"default {DEFAULTS.items}"
    )
    generate_command.add_argument(
        "--interactions", type=int, default=DEFAULTS.interactions, help=f"default {DEFAULTS.interactions}"
    )
    generate_command.add_argument("--days", type=int, default=DEFAULTS.days, help=f"default {DEFAULTS.days}")
    generate_command.add_argument(
        "--exploration-share",
        type=float,
        default=DEFAULTS.exploration_share,
        help=f"share of sessions outside the persona's categories, default {DEFAULTS.exploration_share}",
    )
    stats_command = commands.add_parser("stats", help="print the figures of a generated dataset")
    stats_command.add_argument("directory", type=Path)
    return parser


def _generate(arguments: argparse.Namespace) -> int:
    config = GeneratorConfig(
        seed=arguments.seed,
        users=arguments.users,
        items=arguments.items,
        interactions=arguments.interactions,
        days=arguments.days,
        exploration_share=arguments.exploration_share,
    )
    started = time.perf_counter()
    manifest = generate(arguments.out, config, progress=_terminal_progress(started))
    elapsed = time.perf_counter() - started
    print(
        f"{arguments.out}: {manifest.users} users, {manifest.items} items, "
        f"{manifest.interactions} interactions (seed {manifest.seed}) in {elapsed:.1f} s"
    )
    return 0


def _terminal_progress(started: float) -> Progress | None:
    """Progress lines on stderr, only when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def report(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.1f} s] {message}", file=sys.stderr, flush=True)

    return report


if __name__ == "__main__":
    sys.exit(main())
