"""Where Athena and DuckDB differ, rendered in one place; the queries' SQL is written once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analytics.dialect import Athena, DuckDB, RenderError, duckdb_type
from analytics.queries import QUERIES, NamedQuery
from analytics.schema import COLUMNS

pytestmark = pytest.mark.unit

ATHENA = Athena(database="retail_personalization_analytics")
DUCKDB = DuckDB(data_dir=Path("/data"))


@pytest.mark.parametrize(
    ("placeholder", "athena", "duckdb"),
    [
        (
            "{sent_day}",
            "CAST(from_iso8601_timestamp(sentAt) AS date)",
            "CAST(timezone('UTC', CAST(sentAt AS TIMESTAMPTZ)) AS DATE)",
        ),
        (
            "{since}",
            "date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')",
            "strftime(current_date - INTERVAL (30) DAY, '%Y-%m-%d')",
        ),
        ("{prop:quantity}", "element_at(properties, 'quantity')", "properties['quantity']"),
    ],
    ids=["date of sentAt", "first partition of the lookback", "map access"],
)
def test_each_difference_is_rendered_by_its_dialect(placeholder: str, athena: str, duckdb: str) -> None:
    assert ATHENA.render(placeholder) == athena
    assert DUCKDB.render(placeholder) == duckdb


def test_the_table_is_the_glue_table_in_athena_and_the_files_in_duckdb() -> None:
    assert (
        ATHENA.render("SELECT 1 FROM {table}") == 'SELECT 1 FROM "retail_personalization_analytics"."events"'
    )
    table = DUCKDB.render("{table}")
    assert table.startswith("read_json('/data/analytics/event_date=*/*.gz', format = 'newline_delimited'")
    assert "hive_partitioning = true" in table
    assert "hive_types = {'event_date': 'VARCHAR'}" in table
    for column in COLUMNS:
        assert f"'{column.name}': '{duckdb_type(column.type)}'" in table


def test_the_lookback_is_a_parameter() -> None:
    assert "INTERVAL '7' DAY" in Athena(lookback_days=7, database="d").render("{since}")
    assert "INTERVAL (7) DAY" in DuckDB(lookback_days=7).render("{since}")
    with pytest.raises(RenderError):
        Athena(lookback_days=0, database="d").render("{since}")


def test_hive_types_translate_to_duckdb() -> None:
    assert duckdb_type("string") == "VARCHAR"
    assert duckdb_type("struct<name:string,variant:string>") == "STRUCT(name VARCHAR, variant VARCHAR)"
    assert duckdb_type("map<string,string>") == "MAP(VARCHAR, VARCHAR)"
    assert (
        duckdb_type("map<string,struct<a:string,b:string>>") == "MAP(VARCHAR, STRUCT(a VARCHAR, b VARCHAR))"
    )
    with pytest.raises(ValueError, match="no DuckDB type"):
        duckdb_type("bigint")


@pytest.mark.parametrize(
    "sql",
    ["{tabel}", "{table:x}", "{prop}", "{prop:1x}", "{prop:a'b}", "SELECT '{'", "x }"],
)
def test_a_mistyped_placeholder_or_stray_brace_is_an_error(sql: str) -> None:
    for dialect in (ATHENA, DUCKDB):
        with pytest.raises(RenderError):
            dialect.render(sql)


def test_an_athena_database_name_is_checked() -> None:
    with pytest.raises(RenderError):
        Athena(database='x"; DROP').render("{table}")


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.name)
def test_every_query_renders_in_both_dialects_with_no_placeholder_left(query: NamedQuery) -> None:
    sql = query.sql
    athena, duckdb = ATHENA.render(sql), DUCKDB.render(sql)
    assert not re.search(r"\{[a-z_]+(:[A-Za-z0-9_]+)?\}", athena)
    assert "{" not in athena
    assert "read_json" not in athena
    assert "strftime" not in athena
    assert "from_iso8601" not in duckdb
    assert "element_at" not in duckdb
    assert "date_format" not in duckdb
    assert "event_date >= " in athena, "every query prunes partitions"
    # Outside the placeholders the text is the same for both engines.
    assert (
        _without_rendered(athena, ATHENA) == _without_rendered(duckdb, DUCKDB) == _without_placeholders(sql)
    )


def _without_placeholders(sql: str) -> str:
    return re.sub(r"\{[a-z_]+(:[A-Za-z0-9_]+)?\}", "<>", sql)


def _without_rendered(sql: str, dialect: Athena | DuckDB) -> str:
    for rendered in sorted(
        {
            dialect.table(),
            dialect.sent_day(),
            dialect.since(),
            *(dialect.property_value(n) for n in ("quantity", "useCase", "source")),
        },
        key=len,
        reverse=True,
    ):
        sql = sql.replace(rendered, "<>")
    return sql
