"""The dataset folder, checked before anything is created (formats: the dataset generator's contract;
the files are found and parsed by the dataset loader, `dataset.loader`)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from personalization.contracts.filters import FILTERS
from provision.settings import ArgumentError

MIN_TRAINING_INTERACTIONS = 1000
"""Amazon Personalize trains on at least 1000 interactions (after filtering by event type)."""


@dataclass(frozen=True)
class DatasetKind:
    key: str
    """File stem and the dataset's short name: users, items, interactions."""
    dataset_type: str
    """Personalize datasetType."""
    required_fields: tuple[str, ...]


DATASET_KINDS: tuple[DatasetKind, ...] = (
    DatasetKind("users", "Users", ("USER_ID",)),
    DatasetKind("items", "Items", ("ITEM_ID",)),
    DatasetKind("interactions", "Interactions", ("USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE")),
)
_FILTER_FIELD = re.compile(r"\b(Users|Items|Interactions)\.([A-Z_][A-Z0-9_]*)")


@dataclass(frozen=True)
class DatasetFile:
    kind: DatasetKind
    path: Path
    schema: str
    """The Avro schema, as the JSON text CreateSchema takes."""
    digest: str
    """sha256 of the CSV bytes: uploads and import jobs are named after it."""
    rows: int


@dataclass(frozen=True)
class Dataset:
    root: Path
    files: tuple[DatasetFile, ...]
    featured_item_ids: tuple[str, ...]

    def file(self, key: str) -> DatasetFile:
        return next(f for f in self.files if f.kind.key == key)


def load_dataset(root: Path, training_event_type: str) -> Dataset:
    """Check the folder against its own schemas and the filters; raise ArgumentError listing every problem."""
    if not root.is_dir():
        raise ArgumentError(f"dataset folder {root} not found: run `python -m dataset generate --out {root}`")
    problems: list[str] = []
    files = []
    item_ids: set[str] = set()
    for kind in DATASET_KINDS:
        checked = _check_file(root, kind, training_event_type, problems)
        if checked is not None:
            files.append(checked[0])
            if kind.key == "items":
                item_ids = checked[1]
    featured = _featured_item_ids(root, item_ids, problems)
    problems.extend(_filter_problems(files))
    if problems:
        raise ArgumentError(f"dataset {root} does not match its schemas:\n  - " + "\n  - ".join(problems))
    return Dataset(root, tuple(files), featured)


def _check_file(
    root: Path, kind: DatasetKind, training_event_type: str, problems: list[str]
) -> tuple[DatasetFile, set[str]] | None:
    # Imported here, not at the top: the dataset package brings numpy (a quarter of a second to
    # import), which `down` and `status`, with no dataset to check, do not need.
    from dataset import loader

    csv_path = loader.table_path(root, kind.key)
    schema_path = loader.schema_path(root, kind.key)
    missing = [str(p) for p in (csv_path, schema_path) if not p.is_file()]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
        return None
    schema_text = schema_path.read_text(encoding="utf-8")
    fields = _schema_fields(schema_path, schema_text, problems)
    if fields is None:
        return None
    absent = [name for name in kind.required_fields if name not in fields]
    if absent:
        problems.append(f"{schema_path.name} for {kind.key} lacks required field(s) {', '.join(absent)}")
    table = loader.read_raw_table(root, kind.key)
    header = table.header
    if set(header) != set(fields) or len(header) != len(fields):
        problems.append(
            f"{csv_path.name} header {header} does not match schemas/{kind.key}.json fields {list(fields)}"
        )
        return None
    rows, training_rows, width_errors = 0, 0, 0
    item_ids: set[str] = set()
    event_column = header.index("EVENT_TYPE") if "EVENT_TYPE" in header else None
    item_column = header.index("ITEM_ID") if kind.key == "items" else None
    for row in table.rows:
        rows += 1
        if len(row) != len(header):
            width_errors += 1
            continue
        if item_column is not None:
            item_ids.add(row[item_column])
        if event_column is not None and row[event_column] == training_event_type:
            training_rows += 1
    if width_errors:
        problems.append(f"{csv_path.name}: {width_errors} row(s) do not have {len(header)} columns")
    if rows == 0:
        problems.append(f"{csv_path.name} has no rows")
    if kind.key == "interactions" and training_rows < MIN_TRAINING_INTERACTIONS:
        problems.append(
            f"{csv_path.name} has {training_rows} {training_event_type} events; "
            f"training needs at least {MIN_TRAINING_INTERACTIONS}"
        )
    digest = hashlib.sha256(table.content).hexdigest()
    return DatasetFile(kind, table.path, schema_text, digest, rows), item_ids


def _schema_fields(path: Path, text: str, problems: list[str]) -> tuple[str, ...] | None:
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(f"{path} is not JSON: {error}")
        return None
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(schema, dict) or schema.get("type") != "record" or not isinstance(fields, list):
        problems.append(f"{path} is not an Avro record schema with a fields list")
        return None
    names = [f.get("name") if isinstance(f, dict) else None for f in fields]
    valid = [n for n in names if isinstance(n, str) and n]
    if not valid or len(valid) != len(names):
        problems.append(f"{path} has a field without a name")
        return None
    return tuple(valid)


def _featured_item_ids(root: Path, item_ids: set[str], problems: list[str]) -> tuple[str, ...]:
    from dataset import loader

    path = root / loader.FEATURED_JSON
    if not path.is_file():
        problems.append(f"missing {path}")
        return ()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        problems.append(f"{path} is not JSON: {error}")
        return ()
    ids = document.get("itemIds") if isinstance(document, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) and i and "," not in i for i in ids):
        problems.append(f'{path} must be {{"itemIds": [...]}} with non-empty ids without commas')
        return ()
    unknown = [i for i in ids if item_ids and i not in item_ids]
    if unknown:
        problems.append(
            f"{path.name} names item(s) missing from {loader.ITEMS_CSV}: {', '.join(unknown[:5])}"
        )
    return tuple(ids)


def _filter_problems(files: list[DatasetFile]) -> list[str]:
    """Each field a filter expression uses must exist in its dataset's schema."""
    fields_by_type = {
        f.kind.dataset_type: {field["name"] for field in json.loads(f.schema)["fields"]} for f in files
    }
    return [
        f"filter {definition.name} uses {dataset_type}.{name}, absent from the {dataset_type.lower()} schema"
        for definition in FILTERS.values()
        for dataset_type, name in _FILTER_FIELD.findall(definition.expression)
        if dataset_type in fields_by_type and name not in fields_by_type[dataset_type]
    ]
