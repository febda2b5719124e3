"""The dataset's items and interactions (read by the dataset loader) as index arrays.

Only the items and interactions CSVs are needed: items give the catalog and the attributes
filters test (`Items.CATEGORY_L1`, ...), interactions give the histories.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

import dataset
from dataset.loader import CATEGORY_L1, ITEM_ID, load_interaction_codes, load_item_columns


class DatasetError(dataset.DatasetError, ValueError):
    """The dataset folder does not follow the file contract (what the dataset loader reported)."""


@contextmanager
def _contract() -> Iterator[None]:
    try:
        yield
    except DatasetError:
        raise
    except dataset.DatasetError as error:
        raise DatasetError(str(error)) from error


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


def load_catalog(data_dir: Path) -> Catalog:
    with _contract():
        columns = load_item_columns(data_dir, (ITEM_ID, CATEGORY_L1))
    item_ids = columns.pop(ITEM_ID)
    category_names = tuple(sorted(set(columns[CATEGORY_L1])))
    category_position = {name: code for code, name in enumerate(category_names)}
    return Catalog(
        item_ids=item_ids,
        index={item_id: position for position, item_id in enumerate(item_ids)},
        attributes={name: np.array(values, dtype=np.str_) for name, values in columns.items()},
        category_codes=np.array([category_position[c] for c in columns[CATEGORY_L1]], dtype=np.int32),
        category_names=category_names,
    )


def load_training_data(data_dir: str | Path) -> TrainingData:
    """Items and interactions of a dataset folder; interactions with unknown items are dropped.

    Rows are streamed into compact arrays, so memory stays proportional to the arrays, not the file.
    """
    folder = Path(data_dir)
    catalog = load_catalog(folder)
    with _contract():
        interactions = load_interaction_codes(folder, catalog.index)
    order = np.argsort(interactions.timestamps, kind="stable")
    return TrainingData(
        catalog=catalog,
        user_ids=interactions.user_ids,
        user_codes=interactions.user_codes[order],
        item_codes=interactions.item_codes[order],
        event_codes=interactions.event_codes[order],
        timestamps=interactions.timestamps[order],
        event_types=interactions.event_types,
    )
