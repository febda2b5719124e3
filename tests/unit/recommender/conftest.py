from __future__ import annotations

import json
from pathlib import Path

import pytest

import dataset
from local.recommender import Recommender, TrainingData, load_training_data

SMALL = dataset.GeneratorConfig(seed=7, users=800, items=600, interactions=60_000)
"""The smallest scale at which related items are clearly category-coherent (about 3 items per style
below it, so co-occurrence spreads evenly over a persona's two categories)."""


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("recommender") / "dataset"
    dataset.generate(out_dir, SMALL)
    return out_dir


@pytest.fixture(scope="session")
def training_data(small_dataset: Path) -> TrainingData:
    return load_training_data(small_dataset)


@pytest.fixture
def recommender(training_data: TrainingData) -> Recommender:
    """A fresh model per test: real-time events change it."""
    return Recommender(training_data)


@pytest.fixture(scope="session")
def personas(small_dataset: Path) -> dict[str, set[str]]:
    users = json.loads((small_dataset / "users.json").read_text(encoding="utf-8"))
    return {user["id"]: set(user["categories"]) for user in users}
