"""The read API's request and answer shapes (docs/architecture.md §4); the events' are in `events`."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from personalization.contracts.experiments import ExperimentRef
from personalization.contracts.limits import MAX_RANK_ITEMS, Identifier

Source = Literal["personalize", "featured", "fallback", "natural"]


class ScoredItem(BaseModel):
    itemId: str
    score: float | None = None


MINTED_ID_PREFIX = "api-"
"""Ids the API mints for answers Amazon Personalize did not give (featured, natural, fallback,
holdout); the Personalize sink does not pass them on as Personalize's own list ids."""


def mint_recommendation_id() -> str:
    """A fresh answer id: `api-` and 32 hex digits, 36 characters (PutEvents takes at most 40)."""
    return f"{MINTED_ID_PREFIX}{uuid.uuid4().hex}"


def is_minted(recommendation_id: str) -> bool:
    return recommendation_id.startswith(MINTED_ID_PREFIX)


class RecommendationsResponse(BaseModel):
    """Items for a use case, where they came from, and what to echo on the events that follow."""

    items: list[ScoredItem]
    recommendationId: str = Field(
        description="Personalize's id of the list, or one the API minted: echo it on the events that follow."
    )
    source: Source
    recipe: str
    experiment: ExperimentRef | None = Field(
        default=None, description="The experiment and variant that chose this answer; null outside one."
    )


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
