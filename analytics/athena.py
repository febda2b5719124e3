"""The named queries in a deployment's Athena workgroup: start, poll with a timeout, read the pages.

The workgroup enforces its own result location, encryption and bytes-scanned cutoff, so a query
started here cannot override them. A query still running at the timeout is stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from analytics.dialect import DEFAULT_LOOKBACK_DAYS, Athena
from analytics.queries import NamedQuery
from analytics.result import QueryResult

RUNNING = frozenset({"QUEUED", "RUNNING"})
INTEGER_TYPES = frozenset({"tinyint", "smallint", "integer", "bigint"})
FLOAT_TYPES = frozenset({"float", "real", "double", "decimal"})


class AthenaQueryError(RuntimeError):
    """The query failed, was cancelled or ran past the timeout."""


@dataclass
class AthenaRunner:
    client: Any
    """A boto3 Athena client."""
    workgroup: str
    database: str
    timeout_seconds: float = 300.0
    first_poll_seconds: float = 0.25
    max_poll_seconds: float = 2.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def run(self, query: NamedQuery, lookback_days: int = DEFAULT_LOOKBACK_DAYS) -> QueryResult:
        sql = Athena(lookback_days=lookback_days, database=self.database).render(query.sql)
        return self.run_sql(sql)

    def run_sql(self, sql: str) -> QueryResult:
        query_id: str = self.client.start_query_execution(
            QueryString=sql,
            WorkGroup=self.workgroup,
            QueryExecutionContext={"Database": self.database},
        )["QueryExecutionId"]
        self._wait(query_id)
        return self._results(query_id)

    def _wait(self, query_id: str) -> None:
        deadline = self.clock() + self.timeout_seconds
        pause = self.first_poll_seconds
        while True:
            status = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return
            if state not in RUNNING:
                reason = status.get("StateChangeReason", "no reason given")
                raise AthenaQueryError(f"query {query_id} {state.lower()}: {reason}")
            if self.clock() + pause > deadline:
                self.client.stop_query_execution(QueryExecutionId=query_id)
                raise AthenaQueryError(
                    f"query {query_id} still {state.lower()} after {self.timeout_seconds:g} s; stopped it"
                )
            self.sleep(pause)
            pause = min(pause * 2, self.max_poll_seconds)

    def _results(self, query_id: str) -> QueryResult:
        columns: tuple[str, ...] = ()
        types: tuple[str, ...] = ()
        rows: list[tuple[Any, ...]] = []
        paginator = self.client.get_paginator("get_query_results")
        for page_number, page in enumerate(paginator.paginate(QueryExecutionId=query_id)):
            result_set = page["ResultSet"]
            page_rows = result_set.get("Rows", [])
            if page_number == 0:
                info = result_set["ResultSetMetadata"]["ColumnInfo"]
                columns = tuple(column["Name"] for column in info)
                types = tuple(column["Type"].lower() for column in info)
                page_rows = page_rows[1:]  # the first row of the first page is the header
            rows.extend(
                tuple(
                    _value(cell.get("VarCharValue"), kind)
                    for cell, kind in zip(row["Data"], types, strict=True)
                )
                for row in page_rows
            )
        return QueryResult(columns, tuple(rows))


def _value(text: str | None, kind: str) -> Any:
    """Athena answers every value as text: typed back from the column's type."""
    if text is None:
        return None
    if kind in INTEGER_TYPES:
        return int(text)
    if kind in FLOAT_TYPES or kind.startswith("decimal"):
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text
