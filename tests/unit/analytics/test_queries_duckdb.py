"""The named queries with DuckDB on a small folder of analytics objects, and the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analytics.__main__ import main
from analytics.dialect import Athena
from analytics.local_engine import NoDataError, run_local
from analytics.queries import (
    EVENTS_BY_TYPE_PER_DAY,
    EXPERIMENT_OUTCOMES,
    QUERIES,
    RECOMMENDATION_CLICK_THROUGH,
    TOP_ITEMS,
)
from analytics.result import QueryResult
from tests.unit.analytics.conftest import as_dict, days_ago, detail, write_object

pytestmark = pytest.mark.unit

TODAY = days_ago(0)
YESTERDAY = days_ago(1)
LONG_AGO = days_ago(45)


def event(event_id: str, event_type: str, when: Any, **fields: Any) -> dict[str, Any]:
    return as_dict(detail(event_id, event_type, sentAt=when, **fields))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two days in the lookback and one before it; one record delivered twice (at least once)."""
    yesterday = [
        event("v1", "ProductViewed", YESTERDAY, itemId="p1", sessionId="s1"),
        event("v2", "ProductViewed", YESTERDAY, itemId="p1", sessionId="s2", recommendationId="RID-1"),
        event(
            "a1",
            "ProductAdded",
            YESTERDAY,
            itemId="p1",
            sessionId="s2",
            properties={"quantity": 3, "price": 9.5},
        ),
        event("o1", "OrderCompleted", YESTERDAY, itemId="p1", sessionId="s2", properties={"quantity": 3}),
    ]
    today = [
        event(
            "v3",
            "ProductViewed",
            TODAY,
            itemId="p2",
            sessionId="s3",
            recommendationId="RID-2",
            properties={"useCase": "related-items"},
        ),
        event("v4", "ProductViewed", TODAY, itemId="p2", sessionId="s3"),
        event("q1", "ProductSearched", TODAY, itemId=None, sessionId="s3", properties={"query": "socks"}),
        event("o2", "OrderCompleted", TODAY, itemId="p2", sessionId="s3", properties={}),
    ]
    experiment = {"name": "ranking-v2", "variant": "treatment"}
    in_experiment = [
        {
            **event("x1", "ProductViewed", TODAY, itemId="p3", recommendationId="RID-3"),
            "experiment": experiment,
        },
        {**event("x2", "ProductViewed", TODAY, itemId="p3"), "experiment": experiment},
    ]
    write_object(tmp_path, yesterday, YESTERDAY)
    write_object(tmp_path, today, TODAY)
    write_object(tmp_path, [today[0], *in_experiment], TODAY)  # v3 again: a redelivery
    write_object(tmp_path, [event("old", "ProductViewed", LONG_AGO, itemId="p9")], LONG_AGO)
    return tmp_path


def rows(result: QueryResult) -> list[dict[str, Any]]:
    return result.records()


def test_events_by_type_per_day_counts_each_event_once_within_the_lookback(folder: Path) -> None:
    result = run_local(EVENTS_BY_TYPE_PER_DAY, folder)
    assert result.columns == ("event_day", "event_type", "events", "sessions")
    assert rows(result) == [
        {
            "event_day": YESTERDAY.date().isoformat(),
            "event_type": "OrderCompleted",
            "events": 1,
            "sessions": 1,
        },
        {"event_day": YESTERDAY.date().isoformat(), "event_type": "ProductAdded", "events": 1, "sessions": 1},
        {
            "event_day": YESTERDAY.date().isoformat(),
            "event_type": "ProductViewed",
            "events": 2,
            "sessions": 2,
        },
        {"event_day": TODAY.date().isoformat(), "event_type": "OrderCompleted", "events": 1, "sessions": 1},
        {"event_day": TODAY.date().isoformat(), "event_type": "ProductSearched", "events": 1, "sessions": 1},
        {"event_day": TODAY.date().isoformat(), "event_type": "ProductViewed", "events": 4, "sessions": 2},
    ]


def test_a_longer_lookback_reaches_older_partitions(folder: Path) -> None:
    days = {row["event_day"] for row in rows(run_local(EVENTS_BY_TYPE_PER_DAY, folder, lookback_days=60))}
    assert LONG_AGO.date().isoformat() in days


def test_click_through_is_attributed_views_over_views_per_variant(folder: Path) -> None:
    assert rows(run_local(RECOMMENDATION_CLICK_THROUGH, folder)) == [
        {
            "use_case": "related-items",
            "experiment": "(none)",
            "variant": "(none)",
            "attributed_views": 1,
            "views": 4,
            "click_through": 0.25,
        },
        {
            "use_case": "unrecorded",
            "experiment": "(none)",
            "variant": "(none)",
            "attributed_views": 1,
            "views": 4,
            "click_through": 0.25,
        },
        {
            "use_case": "unrecorded",
            "experiment": "ranking-v2",
            "variant": "treatment",
            "attributed_views": 1,
            "views": 2,
            "click_through": 0.5,
        },
    ]


def test_top_items_rank_orders_then_adds_then_views_with_units(folder: Path) -> None:
    assert rows(run_local(TOP_ITEMS, folder)) == [
        {"item_id": "p1", "views": 2, "adds": 1, "orders": 1, "units_ordered": 3.0},
        {"item_id": "p2", "views": 2, "adds": 0, "orders": 1, "units_ordered": 1.0},
        {"item_id": "p3", "views": 2, "adds": 0, "orders": 0, "units_ordered": 0.0},
    ]


def test_an_empty_folder_says_there_is_no_data_yet(tmp_path: Path) -> None:
    with pytest.raises(NoDataError, match="no analytics files"):
        run_local(TOP_ITEMS, tmp_path)


def test_cli_lists_the_queries_with_what_they_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for query in QUERIES:
        assert query.name in out
        assert query.description in out
    assert "attributed views / views" in out


def test_cli_prints_a_table_and_json(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "top-items", "--local", str(folder)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["item_id", "views", "adds", "orders", "units_ordered"]
    assert table[2].split() == ["p1", "2", "1", "1", "3"]
    assert table[-1] == "(3 rows)"

    assert main(["query", "top-items", "--local", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0] == {
        "item_id": "p1",
        "views": 2,
        "adds": 1,
        "orders": 1,
        "units_ordered": 3.0,
    }


def test_cli_exits_1_without_data_and_2_on_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "top-items", "--local", str(tmp_path)]) == 1
    assert "no analytics files" in capsys.readouterr().err
    assert main(["query", "top-items", "--local", str(tmp_path), "--days", "0"]) == 2
    assert main(["query", "top-items", "--workgroup", "not-ours"]) == 2
    assert "--database" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["query", "no-such-query"])
    assert exit_.value.code == 2


def test_cli_prints_the_sql_for_either_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "top-items", "--athena-database", "retail_personalization_analytics"]) == 0
    assert '"retail_personalization_analytics"."events"' in capsys.readouterr().out
    assert main(["sql", "top-items", "--local", "/data"]) == 0
    assert "read_json('/data/analytics/" in capsys.readouterr().out


def test_experiment_outcomes_render_for_athena() -> None:
    sql = Athena(database="retail_personalization_analytics").render(EXPERIMENT_OUTCOMES.sql)
    assert sql.count('FROM "retail_personalization_analytics"."events"') == 2
    assert "element_at(properties, 'source')" in sql
    assert sql.count("event_date >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')") == 2
    assert "properties['" not in sql
    assert "read_json" not in sql


def test_experiment_outcomes_join_outcomes_within_the_variant(folder: Path) -> None:
    """The fixture's experiment has views but no RecommendationsShown: no exposure, no row."""
    assert rows(run_local(EXPERIMENT_OUTCOMES, folder)) == []
