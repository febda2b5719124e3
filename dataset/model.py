"""What a generated dataset holds, as the loader returns it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dataset.config import EVENT_TYPES
from dataset.errors import DatasetError


@dataclass(frozen=True)
class Manifest:
    version: int
    seed: int
    users: int
    items: int
    interactions: int
    generated_at: str
    """ISO-8601 end of the history window: derived from the settings, not the wall clock."""
    start_time: int
    end_time: int
    exploration_share: float
    event_types: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "seed": self.seed,
            "users": self.users,
            "items": self.items,
            "interactions": self.interactions,
            "generatedAt": self.generated_at,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "explorationShare": self.exploration_share,
            "eventTypes": self.event_types,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        try:
            return cls(
                version=int(data["version"]),
                seed=int(data["seed"]),
                users=int(data["users"]),
                items=int(data["items"]),
                interactions=int(data["interactions"]),
                generated_at=str(data["generatedAt"]),
                start_time=int(data["startTime"]),
                end_time=int(data["endTime"]),
                exploration_share=float(data["explorationShare"]),
                event_types={str(k): int(v) for k, v in data["eventTypes"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise DatasetError(f"manifest.json is malformed: {error!r}") from error


@dataclass(frozen=True)
class User:
    id: str
    username: str
    name: str
    age: int
    gender: str
    persona: str
    categories: tuple[str, str]


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    category: str
    style: str
    price: float
    description: str
    gender: str | None
    """"M", "F", or None for unisex."""
    featured: bool
    image: str


@dataclass(frozen=True)
class Interactions:
    """The interaction history: parallel arrays in timestamp order, indexing `Dataset.users` and `.items`."""

    user: np.ndarray
    item: np.ndarray
    event_type: np.ndarray
    """Index into EVENT_TYPES."""
    timestamp: np.ndarray

    def __len__(self) -> int:
        return len(self.user)

    def of_type(self, event_type: str) -> Interactions:
        """Only the interactions of one event type, e.g. "ProductViewed" (what the models train on)."""
        if event_type not in EVENT_TYPES:
            raise DatasetError(f"unknown event type {event_type!r}; expected one of {', '.join(EVENT_TYPES)}")
        keep = self.event_type == EVENT_TYPES.index(event_type)
        return Interactions(self.user[keep], self.item[keep], self.event_type[keep], self.timestamp[keep])


@dataclass(frozen=True)
class Dataset:
    directory: Path
    manifest: Manifest
    users: list[User]
    items: list[Item]
    interactions: Interactions
    catalog: dict[str, Any]
    """catalog.json as the storefront reads it."""
    featured: list[str]

    def user_position(self) -> dict[str, int]:
        """User id to its index in `users` (and in `interactions.user`)."""
        return {user.id: index for index, user in enumerate(self.users)}

    def item_position(self) -> dict[str, int]:
        """Item id to its index in `items` (and in `interactions.item`)."""
        return {item.id: index for index, item in enumerate(self.items)}
