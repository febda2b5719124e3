"""Reads a generated dataset folder: the one place that knows its file names, columns and formats.

`load(dir)` reads the whole dataset back into arrays and records. The small readers serve callers
that need one part only: `read_manifest`, `load_item_ids`, `load_item_columns` (items.csv as
columns), `load_interaction_codes` (interactions.csv streamed into code arrays) and `read_raw_table`
(a CSV's bytes and rows, as Amazon Personalize imports it). `table_path` and `schema_path` name the files.
"""

from __future__ import annotations

import csv
import io
import json
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from dataset.config import EVENT_TYPES
from dataset.errors import DatasetError
from dataset.model import Dataset, Interactions, Item, Manifest, User
from dataset.schemas import INTERACTIONS_SCHEMA, SCHEMAS, columns

USERS_CSV = "users.csv"
ITEMS_CSV = "items.csv"
INTERACTIONS_CSV = "interactions.csv"
SCHEMAS_FOLDER = "schemas"
MANIFEST_JSON = "manifest.json"
CATALOG_JSON = "catalog.json"
USERS_JSON = "users.json"
FEATURED_JSON = "featured.json"

ITEM_ID = "ITEM_ID"
CATEGORY_L1 = "CATEGORY_L1"
INTERACTION_COLUMNS: tuple[str, ...] = tuple(columns(INTERACTIONS_SCHEMA))
"""USER_ID, ITEM_ID, EVENT_TYPE, TIMESTAMP."""


def load(directory: Path | str) -> Dataset:
    """The dataset in `directory`, as written by `generate`; DatasetError says what is missing or wrong."""
    folder = Path(directory)
    if not folder.is_dir():
        raise DatasetError(f"{folder} is not a folder holding a generated dataset")
    manifest = read_manifest(folder)
    catalog = _read_json(folder / CATALOG_JSON)
    try:
        users = [_user(record) for record in _read_json(folder / USERS_JSON)]
        items = [_item(record) for record in catalog["items"]]
        featured = [str(item_id) for item_id in _read_json(folder / FEATURED_JSON)["itemIds"]]
    except (KeyError, TypeError, ValueError) as error:
        raise DatasetError(f"{folder} holds malformed JSON records: {error!r}") from error
    interactions = _read_interactions(folder / INTERACTIONS_CSV, users, items)
    return Dataset(
        directory=folder,
        manifest=manifest,
        users=users,
        items=items,
        interactions=interactions,
        catalog=catalog,
        featured=featured,
    )


def read_manifest(directory: Path | str) -> Manifest:
    """manifest.json of the dataset in `directory`: its settings and counts."""
    return Manifest.from_json(_read_json(Path(directory) / MANIFEST_JSON))


def table_path(directory: Path | str, name: str) -> Path:
    """The CSV of one Personalize dataset: `name` is "users", "items" or "interactions"."""
    return Path(directory) / f"{_table_name(name)}.csv"


def schema_path(directory: Path | str, name: str) -> Path:
    """The Avro schema (JSON) of one Personalize dataset: `name` is "users", "items" or "interactions"."""
    return Path(directory) / SCHEMAS_FOLDER / f"{_table_name(name)}.json"


def _table_name(name: str) -> str:
    if name not in SCHEMAS:
        raise DatasetError(f"unknown dataset {name!r}; expected one of {', '.join(SCHEMAS)}")
    return name


@dataclass(frozen=True)
class RawTable:
    """A dataset CSV as Amazon Personalize imports it: its bytes, its header, and its rows as text,
    streamed once from the bytes (no value converted, no row checked)."""

    path: Path
    content: bytes
    header: list[str]
    """Empty for an empty file."""
    rows: Iterator[list[str]]


def read_raw_table(directory: Path | str, name: str) -> RawTable:
    """The CSV of one Personalize dataset ("users", "items" or "interactions"), UTF-8; OSError when
    it cannot be read, UnicodeDecodeError when it is not UTF-8."""
    path = table_path(directory, name)
    content = path.read_bytes()
    reader = csv.reader(io.StringIO(content.decode("utf-8")))
    return RawTable(path=path, content=content, header=next(reader, []), rows=reader)


def load_item_ids(directory: Path | str, limit: int | None = None) -> list[str]:
    """The ITEM_IDs of items.csv in file order (the first `limit` of them when given)."""
    header, reader, handle = _open_rows(Path(directory) / ITEMS_CSV, (ITEM_ID,))
    position = header.index(ITEM_ID)
    with handle:
        rows = reader if limit is None else islice(reader, max(limit, 0))
        return [row[position] for row in rows]


def load_item_columns(directory: Path | str, required: Sequence[str] = ()) -> dict[str, tuple[str, ...]]:
    """items.csv as columns, in header order: column name to its values (text), one per item in file
    order. DatasetError when the file is missing or lacks one of the `required` columns."""
    header, reader, handle = _open_rows(Path(directory) / ITEMS_CSV, tuple(required))
    with handle:
        rows = list(reader)
    return {name: tuple(row[position] for row in rows) for position, name in enumerate(header)}


@dataclass(frozen=True)
class InteractionCodes:
    """interactions.csv as parallel arrays, in file order: users and event types are numbered in the
    order they first appear (`user_ids[user_codes[row]]` is the row's USER_ID), items by the caller's
    `item_position`."""

    user_ids: tuple[str, ...]
    event_types: tuple[str, ...]
    user_codes: npt.NDArray[np.int32]
    item_codes: npt.NDArray[np.int32]
    event_codes: npt.NDArray[np.int16]
    timestamps: npt.NDArray[np.int64]


def load_interaction_codes(directory: Path | str, item_position: Mapping[str, int]) -> InteractionCodes:
    """The interactions of the items in `item_position` (ITEM_ID to its code); rows naming another
    item are skipped. The columns may come in any order, and other columns may follow; DatasetError
    when the file is missing or lacks one of INTERACTION_COLUMNS.

    Rows are streamed into compact arrays, so memory stays proportional to the arrays, not the file.
    """
    header, reader, handle = _open_rows(Path(directory) / INTERACTIONS_CSV, INTERACTION_COLUMNS)
    user_at, item_at, type_at, time_at = (header.index(name) for name in INTERACTION_COLUMNS)
    users: dict[str, int] = {}
    event_types: dict[str, int] = {}
    user_codes, item_codes, event_codes = array("i"), array("i"), array("h")
    timestamps = array("q")
    position_of, user_code, event_code = item_position.get, users.setdefault, event_types.setdefault
    add_user, add_item = user_codes.append, item_codes.append
    add_event, add_time = event_codes.append, timestamps.append
    with handle:
        for row in reader:
            item_code = position_of(row[item_at])
            if item_code is None:
                continue
            add_user(user_code(row[user_at], len(users)))
            add_item(item_code)
            add_event(event_code(row[type_at], len(event_types)))
            add_time(int(row[time_at]))
    return InteractionCodes(
        user_ids=tuple(users),
        event_types=tuple(event_types),
        user_codes=np.frombuffer(user_codes, dtype=np.int32),
        item_codes=np.frombuffer(item_codes, dtype=np.int32),
        event_codes=np.frombuffer(event_codes, dtype=np.int16),
        timestamps=np.frombuffer(timestamps, dtype=np.int64),
    )


def _open_rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], Iterator[list[str]], TextIO]:
    if not path.is_file():
        raise DatasetError(f"missing dataset file {path}")
    handle = path.open(newline="", encoding="utf-8")
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None or any(column not in header for column in required):
        handle.close()
        raise DatasetError(f"{path} must have the columns {', '.join(required)}; found {header}")
    return header, reader, handle


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError as error:
        raise DatasetError(
            f"{path} is missing; generate the dataset with `python -m dataset generate`"
        ) from error
    except (OSError, ValueError) as error:
        raise DatasetError(f"cannot read {path}: {error}") from error


def _user(record: dict[str, Any]) -> User:
    first, second = record["categories"]
    return User(
        id=str(record["id"]),
        username=str(record["username"]),
        name=str(record["name"]),
        age=int(record["age"]),
        gender=str(record["gender"]),
        persona=str(record["persona"]),
        categories=(str(first), str(second)),
    )


def _item(record: dict[str, Any]) -> Item:
    return Item(
        id=str(record["id"]),
        name=str(record["name"]),
        category=str(record["category"]),
        style=str(record["style"]),
        price=float(record["price"]),
        description=str(record["description"]),
        gender=record["gender"],
        featured=bool(record["featured"]),
        image=str(record["image"]),
    )


def _read_interactions(path: Path, users: list[User], items: list[Item]) -> Interactions:
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror or error}") from error
    expected = ",".join(columns(INTERACTIONS_SCHEMA))
    if not lines or lines[0] != expected:
        raise DatasetError(f"{path} must start with the header {expected}")
    rows = [line.split(",") for line in lines[1:]]
    if any(len(row) != 4 for row in rows):
        bad = next(number for number, row in enumerate(rows, start=2) if len(row) != 4)
        raise DatasetError(f"{path} line {bad} does not have 4 columns")
    user_ids, item_ids, event_types, timestamps = zip(*rows, strict=True) if rows else ((), (), (), ())
    try:
        timestamp = np.array(timestamps, dtype=np.int64) if rows else np.zeros(0, dtype=np.int64)
    except ValueError as error:
        raise DatasetError(f"{path} holds a TIMESTAMP that is not an integer: {error}") from error
    return Interactions(
        user=_positions(user_ids, {user.id: index for index, user in enumerate(users)}, "USER_ID", path),
        item=_positions(item_ids, {item.id: index for index, item in enumerate(items)}, "ITEM_ID", path),
        event_type=_positions(
            event_types, {name: i for i, name in enumerate(EVENT_TYPES)}, "EVENT_TYPE", path
        ).astype(np.int8),
        timestamp=timestamp,
    )


def _positions(values: tuple[str, ...], position: dict[str, int], column: str, path: Path) -> np.ndarray:
    try:
        return np.fromiter(map(position.__getitem__, values), dtype=np.int32, count=len(values))
    except KeyError as error:
        raise DatasetError(
            f"{path} has {column} {error.args[0]!r}, which the dataset does not define"
        ) from error
