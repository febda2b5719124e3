"""Running a named query in a workgroup: start, poll with backoff and a timeout, read every page."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from analytics.athena import AthenaQueryError, AthenaRunner
from analytics.dialect import Athena
from analytics.queries import TOP_ITEMS

pytestmark = pytest.mark.unit

DATABASE = "retail_personalization_analytics"
WORKGROUP = "RetailPersonalization-analytics"
QUERY_ID = "11111111-2222-3333-4444-555555555555"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def status(state: str, reason: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"QueryExecution": {"QueryExecutionId": QUERY_ID, "Status": {"State": state}}}
    if reason:
        answer["QueryExecution"]["Status"]["StateChangeReason"] = reason
    return answer


def row(*values: str | None) -> dict[str, Any]:
    return {"Data": [{} if value is None else {"VarCharValue": value} for value in values]}


COLUMN_INFO = [
    {"Name": "item_id", "Type": "varchar"},
    {"Name": "views", "Type": "bigint"},
    {"Name": "units_ordered", "Type": "double"},
]


@pytest.fixture
def athena() -> Any:
    return boto3.client("athena", region_name="us-east-1")


def runner(client: Any, time: FakeTime, timeout: float = 60.0) -> AthenaRunner:
    return AthenaRunner(
        client, WORKGROUP, DATABASE, timeout_seconds=timeout, sleep=time.sleep, clock=time.clock
    )


def test_a_query_is_started_in_the_workgroup_polled_and_read_page_by_page(athena: Any) -> None:
    time = FakeTime()
    with Stubber(athena) as stub:
        stub.add_response(
            "start_query_execution",
            {"QueryExecutionId": QUERY_ID},
            {
                "QueryString": Athena(database=DATABASE).render(TOP_ITEMS.sql),
                "WorkGroup": WORKGROUP,
                "QueryExecutionContext": {"Database": DATABASE},
            },
        )
        for state in ("QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"):
            stub.add_response("get_query_execution", status(state), {"QueryExecutionId": QUERY_ID})
        stub.add_response(
            "get_query_results",
            {
                "ResultSet": {
                    "Rows": [row("item_id", "views", "units_ordered"), row("p1", "2", "3.0")],
                    "ResultSetMetadata": {"ColumnInfo": COLUMN_INFO},
                },
                "NextToken": "page-2",
            },
            {"QueryExecutionId": QUERY_ID},
        )
        stub.add_response(
            "get_query_results",
            {
                "ResultSet": {
                    "Rows": [row("p2", "1", None)],
                    "ResultSetMetadata": {"ColumnInfo": COLUMN_INFO},
                }
            },
            {"QueryExecutionId": QUERY_ID, "NextToken": "page-2"},
        )

        result = runner(athena, time).run(TOP_ITEMS)

        stub.assert_no_pending_responses()
    assert result.columns == ("item_id", "views", "units_ordered")
    assert result.rows == (("p1", 2, 3.0), ("p2", 1, None)), (
        "typed back from the column types; the header is no row"
    )
    assert time.sleeps == [0.25, 0.5, 1.0], "backoff between polls"


def test_a_failed_query_raises_with_athenas_reason(athena: Any) -> None:
    with Stubber(athena) as stub:
        stub.add_response("start_query_execution", {"QueryExecutionId": QUERY_ID}, ANY_START)
        stub.add_response(
            "get_query_execution",
            status("FAILED", "Query exhausted resources: bytes scanned limit was exceeded"),
            {"QueryExecutionId": QUERY_ID},
        )
        with pytest.raises(AthenaQueryError, match="bytes scanned limit"):
            runner(athena, FakeTime()).run(TOP_ITEMS)


def test_a_query_past_the_timeout_is_stopped(athena: Any) -> None:
    time = FakeTime()
    with Stubber(athena) as stub:
        stub.add_response("start_query_execution", {"QueryExecutionId": QUERY_ID}, ANY_START)
        for _ in range(5):
            stub.add_response("get_query_execution", status("RUNNING"), {"QueryExecutionId": QUERY_ID})
        stub.add_response("stop_query_execution", {}, {"QueryExecutionId": QUERY_ID})
        with pytest.raises(AthenaQueryError, match="stopped it"):
            runner(athena, time, timeout=5.0).run(TOP_ITEMS)
        stub.assert_no_pending_responses()
    assert time.now <= 5.0


ANY_START = {"QueryString": ANY, "WorkGroup": WORKGROUP, "QueryExecutionContext": {"Database": DATABASE}}
