"""Where Athena (Trino) and DuckDB differ, in one place: the placeholders of the named queries.

A query's SQL is written once with these placeholders; each dialect renders them:

- `{table}`: Athena `"<database>"."events"` (the Glue table); DuckDB `read_json(...)` over
  `<data>/analytics/event_date=*/*.gz` with hive partitioning and the table's columns;
- `{sent_day}` (the UTC date of `sentAt`): Athena `CAST(from_iso8601_timestamp(sentAt) AS date)`;
  DuckDB `CAST(timezone('UTC', CAST(sentAt AS TIMESTAMPTZ)) AS DATE)`;
- `{since}`: Athena `date_format(current_date - INTERVAL 'N' DAY, '%Y-%m-%d')`; DuckDB
  `strftime(current_date - INTERVAL (N) DAY, '%Y-%m-%d')` (its `current_date - INTERVAL` is a
  timestamp, and Trino wants the quoted count);
- `{prop:name}`: Athena `element_at(properties, 'name')` (null when absent; `properties['name']`
  would fail the query); DuckDB `properties['name']` (its `element_at` answers a list).

`{since}` is the first partition value of the lookback (N days, 30 by default) as text, compared
with the string partition `event_date`: in Athena that comparison is what prunes the projected
partitions. Everything else in the queries is SQL both engines read alike (explicit casts to
double before dividing: Trino divides integers as integers).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from analytics.layout import OBJECT_SUFFIX
from analytics.schema import COLUMNS, PARTITION, TABLE_NAME, Column
from personalization.contracts.topology import ANALYTICS_STREAM

DEFAULT_LOOKBACK_DAYS = 30
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([A-Za-z][A-Za-z0-9_]*))?\}")
PROPERTY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class RenderError(ValueError):
    pass


@dataclass(frozen=True)
class Dialect(ABC):
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    name: ClassVar[str] = ""

    def render(self, sql: str) -> str:
        """The query's SQL with every placeholder replaced; an unknown placeholder is an error."""

        def replace(match: re.Match[str]) -> str:
            placeholder, argument = match.group(1), match.group(2)
            if placeholder == "prop":
                if argument is None or not PROPERTY_NAME.match(argument):
                    raise RenderError("{prop:NAME} needs a property name")
                return self.property_value(argument)
            if argument is not None:
                raise RenderError(f"{{{placeholder}}} takes no argument")
            renderers = {"table": self.table, "sent_day": self.sent_day, "since": self.since}
            if placeholder not in renderers:
                raise RenderError(f"unknown placeholder {{{placeholder}}}")
            return renderers[placeholder]()

        if self.lookback_days < 1:
            raise RenderError("the lookback is at least one day")
        plain = PLACEHOLDER.sub("", sql)
        stray = re.search(r"[{}]", plain)
        if stray is not None:
            context = plain[max(0, stray.start() - 20) : stray.end() + 20]
            raise RenderError(f"a brace that is no placeholder, near: {context!r}")
        return PLACEHOLDER.sub(replace, sql)

    @abstractmethod
    def table(self) -> str: ...

    @abstractmethod
    def sent_day(self) -> str: ...

    @abstractmethod
    def since(self) -> str: ...

    @abstractmethod
    def property_value(self, name: str) -> str: ...


@dataclass(frozen=True)
class Athena(Dialect):
    database: str = ""
    name: ClassVar[str] = "athena"

    def table(self) -> str:
        if not re.fullmatch(r"[a-z0-9_]+", self.database):
            raise RenderError(f"not an Athena database name: {self.database!r}")
        return f'"{self.database}"."{TABLE_NAME}"'

    def sent_day(self) -> str:
        return "CAST(from_iso8601_timestamp(sentAt) AS date)"

    def since(self) -> str:
        return f"date_format(current_date - INTERVAL '{self.lookback_days}' DAY, '%Y-%m-%d')"

    def property_value(self, name: str) -> str:
        return f"element_at(properties, '{name}')"


def duckdb_type(hive_type: str) -> str:
    """A Hive column type of the schema in DuckDB's spelling: string, struct<...>, map<...,...>."""
    hive_type = hive_type.strip()
    if hive_type == "string":
        return "VARCHAR"
    if hive_type.startswith("struct<") and hive_type.endswith(">"):
        fields = [field.split(":", 1) for field in _split_top_level(hive_type[len("struct<") : -1])]
        return "STRUCT(" + ", ".join(f"{name.strip()} {duckdb_type(kind)}" for name, kind in fields) + ")"
    if hive_type.startswith("map<") and hive_type.endswith(">"):
        key, value = _split_top_level(hive_type[len("map<") : -1])
        return f"MAP({duckdb_type(key)}, {duckdb_type(value)})"
    raise ValueError(f"no DuckDB type for {hive_type!r}")


def _split_top_level(types: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for character in types:
        depth += {"<": 1, ">": -1}.get(character, 0)
        if character == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += character
    parts.append(current)
    return parts


@dataclass(frozen=True)
class DuckDB(Dialect):
    data_dir: Path = Path()
    """The folder holding `analytics/` (the local stack's data folder)."""
    name: ClassVar[str] = "duckdb"

    @property
    def files_pattern(self) -> str:
        """The objects' keys as a glob, relative to the data folder."""
        spec = ANALYTICS_STREAM
        return f"{spec.prefix}{spec.partition_key}=*/*{OBJECT_SUFFIX}"

    @property
    def files(self) -> str:
        return str(self.data_dir / self.files_pattern)

    def table(self) -> str:
        path = self.files.replace("'", "''")
        columns = ", ".join(f"'{column.name}': '{duckdb_type(column.type)}'" for column in COLUMNS)
        partition: Column = PARTITION
        return (
            f"read_json('{path}', format = 'newline_delimited', compression = 'gzip', "
            "hive_partitioning = true, "
            f"hive_types = {{'{partition.name}': '{duckdb_type(partition.type)}'}}, "
            f"columns = {{{columns}}})"
        )

    def sent_day(self) -> str:
        return "CAST(timezone('UTC', CAST(sentAt AS TIMESTAMPTZ)) AS DATE)"

    def since(self) -> str:
        return f"strftime(current_date - INTERVAL ({self.lookback_days}) DAY, '%Y-%m-%d')"

    def property_value(self, name: str) -> str:
        return f"properties['{name}']"
