"""Readable CloudFormation logical ids from the shared names."""

from __future__ import annotations

import re


def pascal_case(name: str) -> str:
    """`personalize_sync` -> `PersonalizeSync`; `catalog/featured-item-ids` -> `CatalogFeaturedItemIds`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)
