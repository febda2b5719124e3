"""What the generator can be asked for, and the fixed vocabulary of personas and event types."""

from __future__ import annotations

from dataclasses import dataclass

from dataset.catalog import max_items
from dataset.errors import DatasetError
from dataset.vocabulary import CATEGORIES

GENERATOR_VERSION = 1

CATEGORY_IDS: tuple[str, ...] = tuple(category.id for category in CATEGORIES)
PERSONAS: tuple[tuple[str, str], ...] = (
    ("apparel", "housewares"),
    ("footwear", "outdoors"),
    ("electronics", "beauty"),
    ("jewelry", "accessories"),
)
PERSONA_NAMES: tuple[str, ...] = tuple("_".join(pair) for pair in PERSONAS)

EVENT_TYPES: tuple[str, ...] = (
    "ProductSearched",
    "ProductViewed",
    "ProductAdded",
    "ProductRemoved",
    "ProductQuantityUpdated",
    "CartViewed",
    "CheckoutStarted",
    "OrderCompleted",
)
TRAINING_EVENT_TYPE = "ProductViewed"

MAX_FEATURED = 100
STYLE_COUNT = sum(len(category.styles) for category in CATEGORIES)
DEFAULT_END_TIME = 1_793_491_200
"""2026-11-01T00:00:00Z: the end of the history window, fixed so that a seed always gives the same bytes."""


@dataclass(frozen=True)
class GeneratorConfig:
    seed: int = 42
    users: int = 5_000
    items: int = 2_000
    interactions: int = 500_000
    days: int = 90
    end_time: int = DEFAULT_END_TIME
    exploration_share: float = 0.04
    """Share of browsing sessions spent in a category outside the shopper's persona."""
    featured: int = 16

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise DatasetError("invalid generator settings: " + "; ".join(problems))

    def _problems(self) -> list[str]:
        problems = []
        if self.seed < 0:
            problems.append(f"seed must be 0 or more, got {self.seed}")
        if self.users < 1:
            problems.append(f"users must be at least 1, got {self.users}")
        if self.items < STYLE_COUNT:
            problems.append(f"items must be at least {STYLE_COUNT} (one per style), got {self.items}")
        if self.items > max_items():
            problems.append(f"items must be at most {max_items()} so that product names stay unique")
        if self.interactions < max(self.users, 1):
            problems.append(
                f"interactions must be at least the number of users ({self.users}), got {self.interactions}"
            )
        if self.days < 1:
            problems.append(f"days must be at least 1, got {self.days}")
        if self.end_time <= self.days * 86_400:
            problems.append(
                f"end_time must be an epoch second later than {self.days} days, got {self.end_time}"
            )
        if not 0.0 <= self.exploration_share <= 0.5:
            problems.append(f"exploration_share must be between 0 and 0.5, got {self.exploration_share}")
        most_featured = min(MAX_FEATURED, len(CATEGORY_IDS) * (self.items // len(CATEGORY_IDS)))
        if not 0 <= self.featured <= most_featured:
            problems.append(f"featured must be between 0 and {most_featured}, got {self.featured}")
        return problems
