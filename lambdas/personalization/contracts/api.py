"""The read API's request and answer shapes (docs/architecture.md §4); the events' are in `events`."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from personalization.contracts.limits import MAX_RANK_ITEMS, Identifier

Source = Literal["personalize", "featured", "fallback", "natural"]


class ScoredItem(BaseModel):
    itemId: str
    score: float | None = None


class RecommendationsResponse(BaseModel):
    """Items for a use case, and where they came from."""

    items: list[ScoredItem]
    recommendationId: str | None = None
    source: Source
    recipe: str


def _unique(item_ids: list[str]) -> list[str]:
    duplicates = sorted(item_id for item_id, count in Counter(item_ids).items() if count > 1)
    if duplicates:
        raise ValueError(f"itemIds must be unique; repeated: {', '.join(duplicates[:5])}")
    return item_ids


class RankRequest(BaseModel):
    """POST /rank body: JSON of at most 64 KiB, nested at most 32 levels."""

    model_config = ConfigDict(extra="forbid")

    itemIds: Annotated[
        list[Identifier],
        Field(min_length=1, max_length=MAX_RANK_ITEMS, json_schema_extra={"uniqueItems": True}),
        AfterValidator(_unique),
    ]
    context: Literal["category", "search"] | None = None
