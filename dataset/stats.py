"""The figures that show a dataset is right: event mix, persona share of views, activity spread."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dataset.config import CATEGORY_IDS, EVENT_TYPES, PERSONA_NAMES, PERSONAS, TRAINING_EVENT_TYPE
from dataset.model import Dataset


@dataclass(frozen=True)
class Spread:
    minimum: int
    median: float
    maximum: int

    @classmethod
    def of(cls, counts: np.ndarray) -> Spread:
        if len(counts) == 0:
            return cls(0, 0.0, 0)
        return cls(int(counts.min()), float(np.median(counts)), int(counts.max()))

    def __str__(self) -> str:
        return f"min {self.minimum}, median {self.median:g}, max {self.maximum}"


@dataclass(frozen=True)
class DatasetStats:
    users: int
    items: int
    interactions: int
    event_types: dict[str, int]
    users_per_persona: dict[str, int]
    persona_view_share: dict[str, float]
    """Per persona, the share of its users' ProductViewed events on items of the persona's categories."""
    per_user: Spread
    per_item: Spread


def compute_stats(dataset: Dataset) -> DatasetStats:
    interactions = dataset.interactions
    item_category = np.array([CATEGORY_IDS.index(item.category) for item in dataset.items], dtype=np.int64)
    user_persona = np.array([PERSONA_NAMES.index(user.persona) for user in dataset.users], dtype=np.int64)
    persona_categories = np.zeros((len(PERSONA_NAMES), len(CATEGORY_IDS)), dtype=bool)
    for index, pair in enumerate(PERSONAS):
        persona_categories[index, [CATEGORY_IDS.index(category) for category in pair]] = True

    views = interactions.of_type(TRAINING_EVENT_TYPE)
    view_persona = user_persona[views.user]
    inside = persona_categories[view_persona, item_category[views.item]]
    views_per_persona = np.bincount(view_persona, minlength=len(PERSONA_NAMES))
    inside_per_persona = np.bincount(view_persona, weights=inside, minlength=len(PERSONA_NAMES))
    type_counts = np.bincount(interactions.event_type, minlength=len(EVENT_TYPES))
    return DatasetStats(
        users=len(dataset.users),
        items=len(dataset.items),
        interactions=len(interactions),
        event_types={name: int(count) for name, count in zip(EVENT_TYPES, type_counts, strict=True)},
        users_per_persona={
            name: int(count)
            for name, count in zip(
                PERSONA_NAMES, np.bincount(user_persona, minlength=len(PERSONA_NAMES)), strict=True
            )
        },
        persona_view_share={
            name: float(inside_per_persona[index] / views_per_persona[index])
            if views_per_persona[index]
            else 0.0
            for index, name in enumerate(PERSONA_NAMES)
        },
        per_user=Spread.of(np.bincount(interactions.user, minlength=len(dataset.users))),
        per_item=Spread.of(np.bincount(interactions.item, minlength=len(dataset.items))),
    )


def format_stats(stats: DatasetStats) -> str:
    lines = [
        f"users {stats.users}, items {stats.items}, interactions {stats.interactions}",
        "",
        "event types:",
    ]
    lines += [
        f"  {name:<24}{count:>10}  {count / max(stats.interactions, 1):6.1%}"
        for name, count in stats.event_types.items()
    ]
    lines += ["", "persona: users, share of ProductViewed inside the persona's categories"]
    lines += [
        f"  {name:<24}{stats.users_per_persona[name]:>10}  {share:6.1%}"
        for name, share in stats.persona_view_share.items()
    ]
    lines += ["", f"interactions per user: {stats.per_user}", f"interactions per item: {stats.per_item}"]
    return "\n".join(lines)
