"""Where a command reads the analytics store: DuckDB over a local data folder, or a deployment's
Athena workgroup. The command-line options and their resolution, shared by `python -m analytics
query` and `python -m experiments report`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from analytics.athena import AthenaRunner
from analytics.local_engine import run_local
from analytics.queries import NamedQuery
from analytics.result import QueryResult
from analytics.schema import database_name, stack_of_workgroup
from repository import DEFAULT_DATA_DIR

DEFAULT_ATHENA_TIMEOUT_SECONDS = 300.0


class SourceUsageError(ValueError):
    """The options do not name one source (exit code 2)."""


def add_source_arguments(command: argparse.ArgumentParser) -> None:
    """`--local [DATA_DIR]` (the default) or `--workgroup W [--database DB] [--region R]`, `--timeout`."""
    where = command.add_mutually_exclusive_group()
    where.add_argument(
        "--local",
        type=Path,
        nargs="?",
        const=DEFAULT_DATA_DIR,
        default=None,
        metavar="DATA_DIR",
        help=f"DuckDB over DATA_DIR/analytics/ (default {DEFAULT_DATA_DIR})",
    )
    where.add_argument(
        "--workgroup", help="a deployment's Athena workgroup (stack output AnalyticsWorkGroup)"
    )
    command.add_argument("--database", help="the Glue database (default: the workgroup's stack's)")
    command.add_argument("--region", help="AWS region of the workgroup (default: the AWS configuration's)")
    command.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_ATHENA_TIMEOUT_SECONDS,
        help=f"seconds to wait for Athena ({DEFAULT_ATHENA_TIMEOUT_SECONDS:g})",
    )


def athena_runner(
    workgroup: str,
    *,
    database: str | None = None,
    region: str | None = None,
    timeout_seconds: float = DEFAULT_ATHENA_TIMEOUT_SECONDS,
    client: Any = None,
) -> AthenaRunner:
    """A runner for a deployment's workgroup; the database defaults to the one of the workgroup's stack."""
    if database is None:
        stack = stack_of_workgroup(workgroup)
        if stack is None:
            raise SourceUsageError(f"cannot tell the database of workgroup {workgroup!r}: give --database")
        database = database_name(stack)
    if client is None:
        import boto3

        client = boto3.client("athena", region_name=region)
    return AthenaRunner(client, workgroup, database, timeout_seconds=timeout_seconds)


def run_query(arguments: argparse.Namespace, query: NamedQuery, lookback_days: int) -> QueryResult:
    """Run `query` on the source the options of `add_source_arguments` name."""
    if arguments.workgroup is None:
        if arguments.database or arguments.region:
            raise SourceUsageError("--database and --region go with --workgroup")
        data_dir: Path = arguments.local if arguments.local is not None else DEFAULT_DATA_DIR
        return run_local(query, data_dir.resolve(), lookback_days)
    runner = athena_runner(
        arguments.workgroup,
        database=arguments.database,
        region=arguments.region,
        timeout_seconds=arguments.timeout,
    )
    return runner.run(query, lookback_days)
