"""`load`: reads a generated dataset folder back into arrays and records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from dataset.config import EVENT_TYPES
from dataset.errors import DatasetError
from dataset.model import Dataset, Interactions, Item, Manifest, User
from dataset.schemas import INTERACTIONS_SCHEMA, columns


def load(directory: Path | str) -> Dataset:
    """The dataset in `directory`, as written by `generate`; DatasetError says what is missing or wrong."""
    folder = Path(directory)
    if not folder.is_dir():
        raise DatasetError(f"{folder} is not a folder holding a generated dataset")
    manifest = Manifest.from_json(_read_json(folder / "manifest.json"))
    catalog = _read_json(folder / "catalog.json")
    try:
        users = [_user(record) for record in _read_json(folder / "users.json")]
        items = [_item(record) for record in catalog["items"]]
        featured = [str(item_id) for item_id in _read_json(folder / "featured.json")["itemIds"]]
    except (KeyError, TypeError, ValueError) as error:
        raise DatasetError(f"{folder} holds malformed JSON records: {error!r}") from error
    interactions = _read_interactions(folder / "interactions.csv", users, items)
    return Dataset(
        directory=folder,
        manifest=manifest,
        users=users,
        items=items,
        interactions=interactions,
        catalog=catalog,
        featured=featured,
    )


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
