"""Synthetic retail dataset: the catalog, shoppers with personas, and their interaction history.

`generate(out_dir, config)` writes the Amazon Personalize datasets (CSV and Avro schemas) and the
storefront files; `load(dir)` reads a generated dataset back for the emulator and the tests.
"""

from dataset.config import (
    CATEGORY_IDS,
    EVENT_TYPES,
    GENERATOR_VERSION,
    PERSONA_NAMES,
    PERSONAS,
    TRAINING_EVENT_TYPE,
    GeneratorConfig,
)
from dataset.errors import DatasetError
from dataset.loader import load
from dataset.model import Dataset, Interactions, Item, Manifest, User
from dataset.writer import generate

__all__ = [
    "CATEGORY_IDS",
    "EVENT_TYPES",
    "GENERATOR_VERSION",
    "PERSONAS",
    "PERSONA_NAMES",
    "TRAINING_EVENT_TYPE",
    "Dataset",
    "DatasetError",
    "GeneratorConfig",
    "Interactions",
    "Item",
    "Manifest",
    "User",
    "generate",
    "load",
]
