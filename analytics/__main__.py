"""`python -m analytics`: the named queries over the analytics data, locally or in a deployment.

  python -m analytics list
  python -m analytics sql NAME [--athena-database DB]         the SQL as an engine runs it
  python -m analytics query NAME [--local [DATA_DIR] | --workgroup W [--database DB] [--region R]]
                                 [--days N] [--json] [--timeout S]

`--local` (the default) runs DuckDB over DATA_DIR/analytics/ (default: the demo's data folder,
.demo-data/); `--workgroup` runs the query in a deployment's Athena workgroup (output
`AnalyticsWorkGroup` of the stack; the database defaults to the one of the workgroup's stack).
Exit codes: 0 answered, 1 the query failed or there is no data yet, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.athena import AthenaQueryError
from analytics.dialect import DEFAULT_LOOKBACK_DAYS, Athena, DuckDB
from analytics.local_engine import NoDataError
from analytics.queries import QUERIES, named
from analytics.result import as_json, as_table
from analytics.source import SourceUsageError, add_source_arguments, run_query
from repository import DEFAULT_DATA_DIR

EXIT_FAILED = 1
EXIT_USAGE = 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m analytics",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the named queries and what they count")
    names = [query.name for query in QUERIES]

    sql = commands.add_parser("sql", help="print a query's SQL as DuckDB or Athena runs it")
    sql.add_argument("name", choices=names)
    sql.add_argument("--athena-database", help="render for Athena with this Glue database (default: DuckDB)")
    sql.add_argument("--local", type=Path, default=DEFAULT_DATA_DIR, help="the data folder DuckDB reads")
    sql.add_argument("--days", type=int, default=DEFAULT_LOOKBACK_DAYS, help="lookback in days (30)")

    query = commands.add_parser("query", help="run a named query and print its answer")
    query.add_argument("name", choices=names)
    add_source_arguments(query)
    query.add_argument("--days", type=int, default=DEFAULT_LOOKBACK_DAYS, help="lookback in days (30)")
    query.add_argument("--json", action="store_true", help="print the rows as a JSON array of objects")
    return root


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if arguments.command == "list":
        for query in QUERIES:
            print(f"{query.name}\n  {query.description}")
            if query.notes:
                print("\n".join(f"  {line}" if line else "" for line in query.notes.strip().splitlines()))
        return 0
    if arguments.days < 1:
        print("--days must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if arguments.command == "sql":
        chosen = named(arguments.name)
        dialect = (
            Athena(lookback_days=arguments.days, database=arguments.athena_database)
            if arguments.athena_database
            else DuckDB(lookback_days=arguments.days, data_dir=arguments.local.resolve())
        )
        print(dialect.render(chosen.sql))
        return 0
    try:
        result = run_query(arguments, named(arguments.name), arguments.days)
    except (NoDataError, AthenaQueryError) as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    except SourceUsageError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    print(as_json(result) if arguments.json else as_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
