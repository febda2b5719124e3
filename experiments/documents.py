"""Experiments documents kept in the repository: the demo's, which `make demo` starts with."""

from __future__ import annotations

from pathlib import Path

from personalization.contracts.experiments import ExperimentsDocument

DEMO_DOCUMENT_PATH = Path(__file__).with_name("demo.json")
"""User recommendations, personalized against a featured holdout, 50/50."""


def read_document(path: Path) -> ExperimentsDocument:
    """An experiments document from a JSON file, validated (pydantic's error names the problem)."""
    return ExperimentsDocument.model_validate_json(path.read_bytes())


def demo_document() -> ExperimentsDocument:
    return read_document(DEMO_DOCUMENT_PATH)
