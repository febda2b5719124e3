"""The one error the package raises for bad input."""

from __future__ import annotations


class DatasetError(Exception):
    """Bad input to the generator or the loader; the message says what to change."""
