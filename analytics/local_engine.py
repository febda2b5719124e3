"""The named queries with DuckDB over the files the local delivery stream writes (`local.firehose`)."""

from __future__ import annotations

from pathlib import Path

from analytics.dialect import DEFAULT_LOOKBACK_DAYS, DuckDB
from analytics.queries import NamedQuery
from analytics.result import QueryResult, plain


class NoDataError(RuntimeError):
    """No analytics object exists under the folder yet."""


def run_local(query: NamedQuery, data_dir: Path, lookback_days: int = DEFAULT_LOOKBACK_DAYS) -> QueryResult:
    """`query` over `<data_dir>/analytics/event_date=*/*.gz`, in an in-memory DuckDB on UTC (so that
    `current_date` is Athena's)."""
    import duckdb

    dialect = DuckDB(lookback_days=lookback_days, data_dir=data_dir)
    sql = dialect.render(query.sql)
    if not any(data_dir.glob(dialect.files_pattern)):
        raise NoDataError(
            f"no analytics files under {data_dir / 'analytics'} yet: the local delivery stream writes "
            "them within its buffer interval after events arrive"
        )
    with duckdb.connect(":memory:") as connection:
        connection.execute("SET TimeZone = 'UTC'")
        cursor = connection.execute(sql)
        columns = tuple(column[0] for column in cursor.description or ())
        rows = tuple(tuple(plain(value) for value in row) for row in cursor.fetchall())
    return QueryResult(columns, rows)
