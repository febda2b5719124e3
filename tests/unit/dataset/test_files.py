"""The files a generated dataset holds follow the agreed contract, and the loader's readers read them.

The contract tests read the CSVs themselves, with the csv module, on purpose: they check the files
as Amazon Personalize imports them, not as the loader understands them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import fastavro
import numpy as np
import pytest

from dataset import CATEGORY_IDS, EVENT_TYPES, PERSONA_NAMES, PERSONAS, Dataset, DatasetError
from dataset.loader import (
    load_interaction_codes,
    load_item_columns,
    load_item_ids,
    read_manifest,
    read_raw_table,
    schema_path,
    table_path,
)
from dataset.schemas import ITEMS_SCHEMA, columns
from tests.unit.dataset.conftest import SMALL, read_csv

pytestmark = pytest.mark.unit

AVRO_TYPES: dict[str, Any] = {"string": str, "int": int, "long": int, "float": float}


@pytest.mark.parametrize("name", ["users", "items", "interactions"])
def test_every_csv_row_matches_its_avro_schema(small_dir: Path, name: str) -> None:
    schema = json.loads((small_dir / "schemas" / f"{name}.json").read_text())
    parsed = fastavro.parse_schema(schema)
    header, rows = read_csv(small_dir / f"{name}.csv")

    assert schema["namespace"] == "com.amazonaws.personalize.schema"
    assert schema["version"] == "1.0"
    assert header == [field["name"] for field in schema["fields"]]
    converters = [AVRO_TYPES[field["type"]] for field in schema["fields"]]
    for row in rows:
        record = {
            column: convert(value) for column, convert, value in zip(header, converters, row, strict=True)
        }
        assert fastavro.validation.validate(record, parsed, raise_errors=True)


def test_categorical_fields_are_marked(small_dir: Path) -> None:
    items = json.loads((small_dir / "schemas" / "items.json").read_text())
    categorical = {field["name"] for field in items["fields"] if field.get("categorical")}
    assert categorical == {"CATEGORY_L1", "CATEGORY_L2", "GENDER", "PROMOTED"}


def test_every_interaction_references_an_existing_user_and_item(small_dir: Path) -> None:
    user_ids = {row[0] for row in read_csv(small_dir / "users.csv")[1]}
    item_ids = {row[0] for row in read_csv(small_dir / "items.csv")[1]}
    _, interactions = read_csv(small_dir / "interactions.csv")

    assert len(interactions) == SMALL.interactions
    assert {row[0] for row in interactions} <= user_ids
    assert {row[1] for row in interactions} <= item_ids
    assert {row[2] for row in interactions} <= set(EVENT_TYPES)


def test_users_are_numbered_with_balanced_personas(small_dir: Path, small: Dataset) -> None:
    _, rows = read_csv(small_dir / "users.csv")

    assert [row[0] for row in rows] == [str(n) for n in range(1, SMALL.users + 1)]
    assert {row[2] for row in rows} == {"M", "F"}
    assert all(18 <= int(row[1]) <= 80 for row in rows)
    personas = Counter(user.persona for user in small.users)
    assert set(personas) == set(PERSONA_NAMES)
    assert max(personas.values()) - min(personas.values()) <= 1
    assert all(user.categories == PERSONAS[PERSONA_NAMES.index(user.persona)] for user in small.users)
    assert len({user.username for user in small.users}) == SMALL.users


def test_items_csv_agrees_with_the_catalog(small_dir: Path, small: Dataset) -> None:
    _, rows = read_csv(small_dir / "items.csv")
    by_id = {item.id: item for item in small.items}

    assert [row[0] for row in rows] == [f"p{n:05d}" for n in range(1, SMALL.items + 1)]
    for item_id, price, category, style, name, gender, promoted in rows:
        item = by_id[item_id]
        assert (float(price), category, style, name) == (item.price, item.category, item.style, item.name)
        assert gender == (item.gender or "U")
        assert promoted == ("Y" if item.featured else "N")
        assert item.image == f"{category}/{style}"


def test_catalog_names_are_unique_per_category_and_styles_are_listed(small: Dataset) -> None:
    categories = {category["id"]: category for category in small.catalog["categories"]}

    assert list(categories) == list(CATEGORY_IDS)
    for category_id in CATEGORY_IDS:
        members = [item for item in small.items if item.category == category_id]
        assert members, category_id
        assert len({item.name for item in members}) == len(members)
        assert {item.style for item in members} <= set(categories[category_id]["styles"])
    assert all(item.description.startswith(f"The {item.name} ") for item in small.items)
    assert {item.gender for item in small.items} <= {"M", "F", None}


def test_featured_items_are_spread_over_the_categories(small: Dataset) -> None:
    flagged = [item.id for item in small.items if item.featured]
    categories = Counter(item.category for item in small.items if item.featured)

    assert small.featured == flagged
    assert len(flagged) == SMALL.featured
    assert set(categories) == set(CATEGORY_IDS)
    assert max(categories.values()) - min(categories.values()) <= 1


def test_manifest_counts_what_the_files_hold(small: Dataset) -> None:
    manifest = small.manifest
    counts = Counter(EVENT_TYPES[code] for code in small.interactions.event_type.tolist())

    assert (manifest.seed, manifest.users, manifest.items) == (SMALL.seed, SMALL.users, SMALL.items)
    assert manifest.interactions == len(small.interactions) == SMALL.interactions
    assert manifest.event_types == {name: counts[name] for name in EVENT_TYPES}
    assert manifest.generated_at == "2026-11-01T00:00:00Z"
    assert manifest.end_time - manifest.start_time == SMALL.days * 86_400


def test_the_loaders_small_readers_agree_with_load(small_dir: Path, small: Dataset) -> None:
    interactions = load_interaction_codes(small_dir, small.item_position())

    assert read_manifest(small_dir) == small.manifest
    assert load_item_ids(small_dir) == [item.id for item in small.items]
    assert load_item_ids(small_dir, limit=3) == [item.id for item in small.items[:3]]
    items = load_item_columns(small_dir, ("ITEM_ID", "CATEGORY_L1"))
    assert list(items) == columns(ITEMS_SCHEMA)
    assert items["ITEM_ID"] == tuple(item.id for item in small.items)
    assert items["PRICE"] == tuple(f"{item.price:.2f}" for item in small.items)
    assert items["CATEGORY_L1"] == tuple(item.category for item in small.items)
    assert [interactions.user_ids[code] for code in interactions.user_codes.tolist()] == [
        small.users[user].id for user in small.interactions.user.tolist()
    ]
    assert [interactions.event_types[code] for code in interactions.event_codes.tolist()] == [
        EVENT_TYPES[code] for code in small.interactions.event_type.tolist()
    ]
    assert interactions.item_codes.tolist() == small.interactions.item.tolist()
    assert interactions.timestamps.tolist() == small.interactions.timestamp.tolist()
    assert [array.dtype for array in (interactions.user_codes, interactions.item_codes)] == [np.int32] * 2
    assert (interactions.event_codes.dtype, interactions.timestamps.dtype) == (np.int16, np.int64)


@pytest.mark.parametrize("name", ["users", "items", "interactions"])
def test_a_raw_table_is_the_csv_as_personalize_imports_it(small_dir: Path, name: str) -> None:
    table = read_raw_table(small_dir, name)
    header, rows = read_csv(small_dir / f"{name}.csv")

    assert table.path == table_path(small_dir, name) == small_dir / f"{name}.csv"
    assert schema_path(small_dir, name) == small_dir / "schemas" / f"{name}.json"
    assert table.content == table.path.read_bytes()
    assert table.header == header
    assert list(table.rows) == rows


def test_the_small_readers_report_a_missing_file_or_column(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"missing dataset file .*items\.csv"):
        load_item_ids(tmp_path)
    (tmp_path / "items.csv").write_text("NAME\nx\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="must have the columns ITEM_ID"):
        load_item_columns(tmp_path, ("ITEM_ID",))
    with pytest.raises(DatasetError, match=r"missing dataset file .*interactions\.csv"):
        load_interaction_codes(tmp_path, {})
    with pytest.raises(DatasetError, match="unknown dataset 'orders'"):
        table_path(tmp_path, "orders")
