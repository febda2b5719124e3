"""The demo's data folder: the generated dataset (cached) and one log file per part."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import dataset
from dataset import GeneratorConfig

MANIFEST = "manifest.json"
ENDPOINTS = "endpoints.json"


@dataclass(frozen=True)
class DataFolder:
    root: Path

    @property
    def dataset(self) -> Path:
        return self.root / "dataset"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def endpoints(self) -> Path:
        """`endpoints.json`: where every part of the running stack answers (removed at stop)."""
        return self.root / ENDPOINTS

    def log(self, part: str) -> Path:
        return self.logs / f"{part}.log"


def dataset_is_current(folder: Path, config: GeneratorConfig) -> bool:
    """True when `folder` holds a dataset of this generator version made with these settings."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    wanted = {
        "version": dataset.GENERATOR_VERSION,
        "seed": config.seed,
        "users": config.users,
        "items": config.items,
        "interactions": config.interactions,
    }
    return isinstance(manifest, dict) and all(manifest.get(key) == value for key, value in wanted.items())


def ensure_dataset(folder: Path, config: GeneratorConfig) -> bool:
    """Generate the dataset unless the folder already holds it; True when it was generated."""
    if dataset_is_current(folder, config):
        return False
    dataset.generate(folder, config)
    return True
