"""Reads the dataset CSVs (the agreed file contract) into index arrays.

Only `items.csv` and `interactions.csv` are needed: items give the catalog and the
attributes filters test (`Items.CATEGORY_L1`, ...), interactions give the histories.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

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


def _read_rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[list[str]]]:
    if not path.is_file():
        raise DatasetError(f"missing dataset file {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or any(column not in header for column in required):
            raise DatasetError(f"{path} must have the columns {', '.join(required)}; found {header}")
        return header, list(reader)


def load_catalog(data_dir: Path) -> Catalog:
    header, rows = _read_rows(data_dir / ITEMS_FILE, (ITEM_ID_COLUMN, CATEGORY_COLUMN))
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


def _codes(values: list[str]) -> tuple[tuple[str, ...], npt.NDArray[np.int32]]:
    """Distinct values in first-seen order, and each value's code."""
    positions: dict[str, int] = {}
    codes = np.fromiter((positions.setdefault(value, len(positions)) for value in values), dtype=np.int32)
    return tuple(positions), codes


def load_training_data(data_dir: str | Path) -> TrainingData:
    """Items and interactions of a dataset folder; interactions with unknown items are dropped."""
    folder = Path(data_dir)
    catalog = load_catalog(folder)
    header, rows = _read_rows(
        folder / INTERACTIONS_FILE, ("USER_ID", ITEM_ID_COLUMN, "EVENT_TYPE", "TIMESTAMP")
    )
    user_at, item_at, type_at, time_at = (
        header.index(name) for name in ("USER_ID", ITEM_ID_COLUMN, "EVENT_TYPE", "TIMESTAMP")
    )
    known = [row for row in rows if row[item_at] in catalog.index]
    user_ids, user_codes = _codes([row[user_at] for row in known])
    event_types, event_codes = _codes([row[type_at] for row in known])
    item_codes = np.fromiter((catalog.index[row[item_at]] for row in known), dtype=np.int32, count=len(known))
    timestamps = np.fromiter((int(row[time_at]) for row in known), dtype=np.int64, count=len(known))
    order = np.argsort(timestamps, kind="stable")
    return TrainingData(
        catalog=catalog,
        user_ids=user_ids,
        user_codes=user_codes[order],
        item_codes=item_codes[order],
        event_codes=event_codes[order].astype(np.int16),
        timestamps=timestamps[order],
        event_types=event_types,
    )
