"""The Avro schemas Amazon Personalize expects; the CSV headers are derived from them."""

from __future__ import annotations

from typing import Any

SCHEMA_NAMESPACE = "com.amazonaws.personalize.schema"


def _record(name: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": SCHEMA_NAMESPACE, "fields": fields, "version": "1.0"}


def _categorical(name: str) -> dict[str, Any]:
    return {"name": name, "type": "string", "categorical": True}


USERS_SCHEMA = _record(
    "Users",
    [{"name": "USER_ID", "type": "string"}, {"name": "AGE", "type": "int"}, _categorical("GENDER")],
)
ITEMS_SCHEMA = _record(
    "Items",
    [
        {"name": "ITEM_ID", "type": "string"},
        {"name": "PRICE", "type": "float"},
        _categorical("CATEGORY_L1"),
        _categorical("CATEGORY_L2"),
        {"name": "PRODUCT_NAME", "type": "string"},
        _categorical("GENDER"),
        _categorical("PROMOTED"),
    ],
)
INTERACTIONS_SCHEMA = _record(
    "Interactions",
    [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "EVENT_TYPE", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
    ],
)

SCHEMAS: dict[str, dict[str, Any]] = {
    "users": USERS_SCHEMA,
    "items": ITEMS_SCHEMA,
    "interactions": INTERACTIONS_SCHEMA,
}
"""Dataset name (also the CSV and schema file stem) to its schema."""


def columns(schema: dict[str, Any]) -> list[str]:
    return [field["name"] for field in schema["fields"]]
