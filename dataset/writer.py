"""`generate`: builds a dataset and writes it atomically (a temporary folder renamed into place)."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from dataset.catalog import Catalog, build_catalog
from dataset.config import (
    CATEGORY_IDS,
    EVENT_TYPES,
    GENERATOR_VERSION,
    PERSONA_NAMES,
    PERSONAS,
    GeneratorConfig,
)
from dataset.errors import DatasetError
from dataset.history import History, simulate_history
from dataset.model import Manifest
from dataset.schemas import SCHEMAS, columns
from dataset.shoppers import Shoppers, build_shoppers
from dataset.vocabulary import CATEGORIES

Progress = Callable[[str], None]
MANIFEST_FILE = "manifest.json"
CSV_CHUNK_ROWS = 250_000


def generate(out_dir: Path, config: GeneratorConfig, progress: Progress | None = None) -> Manifest:
    """Generate the dataset `config` describes into `out_dir`, replacing a dataset already there."""
    report = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    _check_destination(out_dir)
    catalog_rng, shoppers_rng, history_rng = (
        np.random.default_rng(seed) for seed in np.random.SeedSequence(config.seed).spawn(3)
    )
    report(f"catalog: {config.items} items")
    catalog = build_catalog(config.items, config.featured, catalog_rng)
    report(f"shoppers: {config.users} users")
    shoppers = build_shoppers(config.users, shoppers_rng)
    report(f"history: {config.interactions} interactions")
    history = simulate_history(config, catalog, shoppers, history_rng)
    manifest = _manifest(config, history)
    report(f"writing {out_dir}")
    with _staging(out_dir) as staging:
        _write_dataset(staging, catalog, shoppers, history, manifest)
    return manifest


def _manifest(config: GeneratorConfig, history: History) -> Manifest:
    counts = np.bincount(history.event_type, minlength=len(EVENT_TYPES))
    return Manifest(
        version=GENERATOR_VERSION,
        seed=config.seed,
        users=config.users,
        items=config.items,
        interactions=len(history),
        generated_at=datetime.fromtimestamp(config.end_time, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        start_time=config.end_time - config.days * 86_400,
        end_time=config.end_time,
        exploration_share=config.exploration_share,
        event_types={name: int(count) for name, count in zip(EVENT_TYPES, counts, strict=True)},
    )


def _check_destination(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise DatasetError(f"{out_dir} is a file; the output must be a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MANIFEST_FILE).is_file():
        raise DatasetError(
            f"{out_dir} is not empty and holds no generated dataset; choose a new or empty folder"
        )
    ancestor = out_dir.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise DatasetError(f"{ancestor} is a file; the output must be a folder")


@contextmanager
def _staging(out_dir: Path) -> Iterator[Path]:
    """A temporary folder next to `out_dir` that becomes `out_dir` when the block succeeds."""
    parent = out_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=parent))
    except OSError as error:
        raise DatasetError(f"cannot write to {parent}: {error.strerror or error}") from error
    try:
        yield staging
        _move_into_place(staging, out_dir)
    except OSError as error:
        raise DatasetError(f"cannot write the dataset to {out_dir}: {error.strerror or error}") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    previous = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.absolute().parent)
    )
    try:
        out_dir.rename(previous / "dataset")
        try:
            staging.rename(out_dir)
        except OSError:
            (previous / "dataset").rename(out_dir)
            raise
    finally:
        shutil.rmtree(previous, ignore_errors=True)


def _write_dataset(
    folder: Path, catalog: Catalog, shoppers: Shoppers, history: History, manifest: Manifest
) -> None:
    (folder / "schemas").mkdir()
    for name, schema in SCHEMAS.items():
        _write_json(folder / "schemas" / f"{name}.json", schema, indent=2)
    _write_csv(folder / "users.csv", columns(SCHEMAS["users"]), _user_rows(shoppers))
    _write_csv(folder / "items.csv", columns(SCHEMAS["items"]), _item_rows(catalog))
    _write_interactions(folder / "interactions.csv", catalog, shoppers, history)
    _write_json(folder / "catalog.json", _catalog_document(catalog))
    _write_json(folder / "users.json", _users_document(shoppers))
    _write_json(
        folder / "featured.json", {"itemIds": [catalog.ids[i] for i in np.flatnonzero(catalog.featured)]}, 2
    )
    _write_json(folder / MANIFEST_FILE, manifest.to_json(), indent=2)


def _write_json(path: Path, document: Any, indent: int | None = None) -> None:
    separators = None if indent else (",", ":")
    path.write_text(
        json.dumps(document, indent=indent, separators=separators, ensure_ascii=False) + "\n", "utf-8"
    )


def _write_csv(path: Path, header: list[str], rows: Iterator[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _user_rows(shoppers: Shoppers) -> Iterator[list[Any]]:
    for user_id, age, gender in zip(
        shoppers.ids, shoppers.age.tolist(), shoppers.gender.tolist(), strict=True
    ):
        yield [user_id, age, gender]


def _item_rows(catalog: Catalog) -> Iterator[list[Any]]:
    for index, item_id in enumerate(catalog.ids):
        style = catalog.styles.vocabulary[catalog.style[index]]
        yield [
            item_id,
            f"{catalog.price[index]:.2f}",
            CATEGORY_IDS[catalog.category[index]],
            style.name,
            catalog.names[index],
            str(catalog.gender[index]),
            "Y" if catalog.featured[index] else "N",
        ]


def _write_interactions(path: Path, catalog: Catalog, shoppers: Shoppers, history: History) -> None:
    """The largest file by far: written in chunks, with lookups and joins that run in C."""
    header = ",".join(columns(SCHEMAS["interactions"]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        for start in range(0, len(history), CSV_CHUNK_ROWS):
            chunk = slice(start, start + CSV_CHUNK_ROWS)
            rows = zip(
                map(shoppers.ids.__getitem__, history.user[chunk].tolist()),
                map(catalog.ids.__getitem__, history.item[chunk].tolist()),
                map(EVENT_TYPES.__getitem__, history.event_type[chunk].tolist()),
                map(str, history.timestamp[chunk].tolist()),
                strict=True,
            )
            handle.write("\n".join(map(",".join, rows)) + "\n")


def _catalog_document(catalog: Catalog) -> dict[str, Any]:
    categories = [
        {"id": category.id, "name": category.name, "styles": [style.name for style in category.styles]}
        for category in CATEGORIES
    ]
    gender_value = {"M": "M", "F": "F", "U": None}
    items = []
    for index, item_id in enumerate(catalog.ids):
        category = CATEGORY_IDS[catalog.category[index]]
        style = catalog.styles.vocabulary[catalog.style[index]].name
        items.append(
            {
                "id": item_id,
                "name": catalog.names[index],
                "category": category,
                "style": style,
                "price": float(catalog.price[index]),
                "description": catalog.descriptions[index],
                "gender": gender_value[str(catalog.gender[index])],
                "featured": bool(catalog.featured[index]),
                "image": f"{category}/{style}",
            }
        )
    return {"categories": categories, "items": items}


def _users_document(shoppers: Shoppers) -> list[dict[str, Any]]:
    return [
        {
            "id": shoppers.ids[index],
            "username": shoppers.usernames[index],
            "name": shoppers.names[index],
            "age": int(shoppers.age[index]),
            "gender": str(shoppers.gender[index]),
            "persona": PERSONA_NAMES[persona],
            "categories": list(PERSONAS[persona]),
        }
        for index, persona in enumerate(shoppers.persona.tolist())
    ]
