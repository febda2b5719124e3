"""The analytics table: its columns (the bus `detail` fields), its partition and the deployment's names.

One definition for the Glue table (`infra.analytics`) and for DuckDB's reading of the local files
(`analytics.dialect`), so both engines see the same columns with the same types.

Columns are the fields of `EventDetail` (personalization.contracts.events); `experiment` is a
struct `{name, variant}`, null for events outside an experiment (and in records written before
the detail carried it). `properties` is a `map<string,string>`: the storefront's
values are flat strings, numbers and booleans, and both engines read a number or boolean into a
string map value as its JSON text (`2`, `9.5`, `true`); queries cast where they need a number.
`sentAt` stays the detail's text (UTC, milliseconds, `Z`): the dialects parse it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from personalization.contracts.topology import ANALYTICS_STREAM


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    """Hive type, as Glue and Athena spell it."""
    comment: str


COLUMNS: tuple[Column, ...] = (
    Column("eventId", "string", "unique per event; a redelivery or client retry repeats it"),
    Column("eventType", "string", "the bus detail-type, e.g. ProductViewed"),
    Column("sessionId", "string", "the browser session"),
    Column("userId", "string", "null for anonymous shoppers"),
    Column("itemId", "string", "null for events without an item (searches, cart views)"),
    Column("sentAt", "string", "ISO-8601 UTC with milliseconds and Z, when the shopper acted"),
    Column("recommendationId", "string", "the recommendation list the item was shown in, if any"),
    Column(
        "experiment",
        "struct<name:string,variant:string>",
        "the experiment and variant of the answer the event follows from; null outside one",
    ),
    Column("properties", "map<string,string>", "the event's flat properties, values as text"),
)
PARTITION = Column(ANALYTICS_STREAM.partition_key, "string", "UTC day Firehose received the records")
"""A string partition projected as dates `yyyy-MM-dd`: Athena computes the partitions, no crawler runs."""

PROJECTION_START = date(2026, 11, 1)
"""First day of the projected range: no data exists before the stream does. The range ends at NOW."""
TABLE_NAME = "events"


def database_name(stack_name: str) -> str:
    """The Glue database of a stack: `RetailPersonalization` -> `retail_personalization_analytics`.

    Lowercase with underscores, as Athena wants database names."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", stack_name)
    return re.sub(r"[^a-z0-9_]+", "_", words.lower()).strip("_") + "_analytics"


def workgroup_name(stack_name: str) -> str:
    return f"{stack_name}-analytics"


def stack_of_workgroup(workgroup: str) -> str | None:
    """The stack name of a workgroup named by `workgroup_name`, else None."""
    suffix = "-analytics"
    return workgroup[: -len(suffix)] if workgroup.endswith(suffix) and len(workgroup) > len(suffix) else None
