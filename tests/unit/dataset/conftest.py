"""A small generated dataset shared by the dataset tests (200 users, 100 items, 5,000 interactions)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dataset import Dataset, GeneratorConfig, generate, load

SMALL = GeneratorConfig(users=200, items=100, interactions=5_000)


@pytest.fixture(scope="package")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small") / "dataset"
    generate(folder, SMALL)
    return folder


@pytest.fixture(scope="package")
def small(small_dir: Path) -> Dataset:
    return load(small_dir)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]
