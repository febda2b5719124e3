"""Reads the dataset CSVs (the agreed file contract) into index arrays.

Only `items.csv` and `interactions.csv` are needed: items give the catalog and the
attributes filters test (`Items.CATEGORY_L1`, ...), interactions give the histories.
"""

from __future__ import annotations

import csv
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import numpy as np
import numpy.typing as npt

ITEMS_FILE = "items.csv"
INTERACTIONS_FILE = "interactions.csv"
ITEM_ID_COLUMN = "ITEM_ID"
CATEGORY_COLUMN = "CATEGORY_L1"


class DatasetError(ValueError):
    """The dataset folder does not follow the file contract."""


@dataclass(frozen=True)
class Catalog:
    """The items, in file order, with their categorical attributes (column name -> one value per item)."""

    item_ids: tuple[str, ...]
    index: dict[str, int]
    attributes: dict[str, npt.NDArray[np.str_]]
    category_codes: npt.NDArray[np.int32]
    category_names: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.item_ids)

    def category_of(self, item_id: str) -> str | None:
        position = self.index.get(item_id)
        return None if position is None else self.category_names[self.category_codes[position]]


@dataclass(frozen=True)
class TrainingData:
    """Interactions as parallel arrays, sorted by timestamp; `event_types` decodes `event_codes`."""

    catalog: Catalog
    user_ids: tuple[str, ...]
    user_codes: npt.NDArray[np.int32]
    item_codes: npt.NDArray[np.int32]
    event_codes: npt.NDArray[np.int16]
    timestamps: npt.NDArray[np.int64]
    event_types: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.item_codes)

    def without_last(self, event_type: str) -> tuple[TrainingData, npt.NDArray[np.intp]]:
        """A leave-last-out split: these interactions without each user's last `event_type`
        event, and the rows (in this data) of the events held out."""
        rows = np.flatnonzero(self.event_codes == self.event_types.index(event_type))
        newest_first = rows[::-1]
        _, first = np.unique(self.user_codes[newest_first], return_index=True)
        held_out = newest_first[first]
        keep = np.ones(self.size, dtype=bool)
        keep[held_out] = False
        training = replace(
            self,
            user_codes=self.user_codes[keep],
            item_codes=self.item_codes[keep],
            event_codes=self.event_codes[keep],
            timestamps=self.timestamps[keep],
        )
        return training, held_out


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


def load_catalog(data_dir: Path) -> Catalog:
    header, reader, handle = _open_rows(data_dir / ITEMS_FILE, (ITEM_ID_COLUMN, CATEGORY_COLUMN))
    with handle:
        rows = list(reader)
    columns = {name: tuple(row[position] for row in rows) for position, name in enumerate(header)}
    item_ids = columns.pop(ITEM_ID_COLUMN)
    category_names = tuple(sorted(set(columns[CATEGORY_COLUMN])))
    category_position = {name: code for code, name in enumerate(category_names)}
    return Catalog(
        item_ids=item_ids,
        index={item_id: position for position, item_id in enumerate(item_ids)},
        attributes={name: np.array(values, dtype=np.str_) for name, values in columns.items()},
        category_codes=np.array([category_position[c] for c in columns[CATEGORY_COLUMN]], dtype=np.int32),
        category_names=category_names,
    )


def load_training_data(data_dir: str | Path) -> TrainingData:
    """Items and interactions of a dataset folder; interactions with unknown items are dropped.

    Rows are streamed into compact arrays, so memory stays proportional to the arrays, not the file.
    """
    folder = Path(data_dir)
    catalog = load_catalog(folder)
    columns = ("USER_ID", ITEM_ID_COLUMN, "EVENT_TYPE", "TIMESTAMP")
    header, reader, handle = _open_rows(folder / INTERACTIONS_FILE, columns)
    user_at, item_at, type_at, time_at = (header.index(name) for name in columns)
    users: dict[str, int] = {}
    event_types: dict[str, int] = {}
    user_codes, item_codes, event_codes = array("i"), array("i"), array("h")
    timestamps = array("q")
    with handle:
        for row in reader:
            item_code = catalog.index.get(row[item_at])
            if item_code is None:
                continue
            user_codes.append(users.setdefault(row[user_at], len(users)))
            item_codes.append(item_code)
            event_codes.append(event_types.setdefault(row[type_at], len(event_types)))
            timestamps.append(int(row[time_at]))
    times = np.frombuffer(timestamps, dtype=np.int64)
    order = np.argsort(times, kind="stable")
    return TrainingData(
        catalog=catalog,
        user_ids=tuple(users),
        user_codes=np.frombuffer(user_codes, dtype=np.int32)[order],
        item_codes=np.frombuffer(item_codes, dtype=np.int32)[order],
        event_codes=np.frombuffer(event_codes, dtype=np.int16)[order],
        timestamps=times[order],
        event_types=tuple(event_types),
    )
