"""Shoppers by their variant in the demo's experiment (user recommendations, personalized against a
featured holdout): tests that need a personalized answer pick a shopper of the personalized variant."""

from __future__ import annotations

from collections.abc import Iterable

from experiments.documents import demo_document

USER_RECOMMENDATIONS = demo_document().for_use_case("user-personalization")
DATASET_SHOPPERS = tuple(str(n) for n in range(1, 200))
"""The first dataset shopper ids (the dataset numbers its shoppers from 1)."""


def in_variant(variant: str, shopper_ids: Iterable[str]) -> list[str]:
    assert USER_RECOMMENDATIONS is not None, "the demo document runs a user-recommendations experiment"
    return [shopper for shopper in shopper_ids if USER_RECOMMENDATIONS.assign(shopper).name == variant]


def personalized_shopper(shopper_ids: Iterable[str] = DATASET_SHOPPERS) -> str:
    """The first of the ids whose user recommendations come from Personalize in the demo."""
    return in_variant("personalized", shopper_ids)[0]


def holdout_shopper(shopper_ids: Iterable[str] = DATASET_SHOPPERS) -> str:
    return in_variant("featured-holdout", shopper_ids)[0]
