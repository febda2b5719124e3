"""The Personalize and Pinpoint resources the emulator serves, with deterministic names.

Everything lives in the twin's account (`local.ACCOUNT_ID`) of the configured region, so the local
stack can write the same SSM parameters a real deployment would (`ssm_parameters`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from experiments.documents import demo_document
from local import ACCOUNT_ID
from personalization.contracts import parameters
from personalization.contracts.filters import FILTERS, FilterDefinition

NAME_PREFIX = "retail"
_ID_NAMESPACE = uuid.UUID("5f1c8a0e-8d7e-4c56-9b8e-2f1b6c1d0a11")


class RecipeKind(StrEnum):
    USER_PERSONALIZATION = "user-personalization"
    RELATED_ITEMS = "related-items"
    PERSONALIZED_RANKING = "personalized-ranking"


RECOMMENDER_USE_CASES = {
    RecipeKind.USER_PERSONALIZATION: "recommended-for-you",
    RecipeKind.RELATED_ITEMS: "customers-who-viewed-x-also-viewed",
}
"""The ECOMMERCE domain has no ranking use case: ranking is served by a campaign only."""

DATASET_TYPES = ("USERS", "ITEMS", "INTERACTIONS")


def personalize_arn(region: str, resource: str) -> str:
    return f"arn:aws:personalize:{region}:{ACCOUNT_ID}:{resource}"


def _stable_id(region: str, name: str) -> uuid.UUID:
    return uuid.uuid5(_ID_NAMESPACE, f"{region}/{name}")


@dataclass(frozen=True)
class EmulatedResources:
    region: str
    campaigns: dict[str, RecipeKind]
    recommenders: dict[str, RecipeKind]
    filters: dict[str, FilterDefinition]
    datasets: dict[str, str]
    """Dataset type (USERS, ITEMS, INTERACTIONS) -> dataset ARN, for PutUsers/PutItems."""
    tracking_id: str
    pinpoint_application_id: str

    def kind_of(self, arn: str) -> RecipeKind | None:
        return self.campaigns.get(arn) or self.recommenders.get(arn)

    def campaign_arn(self, kind: RecipeKind) -> str:
        return next(arn for arn, campaign_kind in self.campaigns.items() if campaign_kind is kind)

    def recommender_arn(self, kind: RecipeKind) -> str:
        return next(arn for arn, recommender_kind in self.recommenders.items() if recommender_kind is kind)

    def filter_arn(self, name: str) -> str:
        return next(arn for arn, definition in self.filters.items() if definition.name == name)

    def ssm_parameters(
        self, featured_item_ids: Sequence[str] = (), *, prefer_recommenders: bool = False
    ) -> dict[str, str]:
        """Values keyed by the relative names of `personalization.contracts.parameters`; the featured
        list is comma-joined (a StringList) and `NONE` when empty."""

        def serving(kind: RecipeKind) -> str:
            has_recommender = kind in self.recommenders.values()
            return (
                self.recommender_arn(kind)
                if prefer_recommenders and has_recommender
                else self.campaign_arn(kind)
            )

        values = {
            parameters.USER_PERSONALIZATION_ARN: serving(RecipeKind.USER_PERSONALIZATION),
            parameters.RELATED_ITEMS_ARN: serving(RecipeKind.RELATED_ITEMS),
            parameters.PERSONALIZED_RANKING_ARN: self.campaign_arn(RecipeKind.PERSONALIZED_RANKING),
            parameters.EVENT_TRACKER_ID: self.tracking_id,
            parameters.PINPOINT_APPLICATION_ID: self.pinpoint_application_id,
            parameters.FEATURED_ITEM_IDS: ",".join(featured_item_ids) or parameters.NOT_CONFIGURED,
            parameters.EXPERIMENTS: demo_document().model_dump_json(exclude_none=True),
        }
        values.update({parameters.filter_parameter(name): self.filter_arn(name) for name in FILTERS})
        return values

    def describe(self) -> dict[str, object]:
        """A JSON-ready summary, served on the admin path."""
        return {
            "region": self.region,
            "accountId": ACCOUNT_ID,
            "campaigns": {arn: kind.value for arn, kind in self.campaigns.items()},
            "recommenders": {arn: kind.value for arn, kind in self.recommenders.items()},
            "filters": {arn: definition.name for arn, definition in self.filters.items()},
            "datasets": self.datasets,
            "trackingId": self.tracking_id,
            "pinpointApplicationId": self.pinpoint_application_id,
        }


def default_resources(region: str) -> EmulatedResources:
    return EmulatedResources(
        region=region,
        campaigns={
            personalize_arn(region, f"campaign/{NAME_PREFIX}-{kind.value}"): kind for kind in RecipeKind
        },
        recommenders={
            personalize_arn(region, f"recommender/{NAME_PREFIX}-{use_case}"): kind
            for kind, use_case in RECOMMENDER_USE_CASES.items()
        },
        filters={personalize_arn(region, f"filter/{NAME_PREFIX}-{name}"): FILTERS[name] for name in FILTERS},
        datasets={
            dataset_type: personalize_arn(region, f"dataset/{NAME_PREFIX}-personalization/{dataset_type}")
            for dataset_type in DATASET_TYPES
        },
        tracking_id=str(_stable_id(region, "event-tracker")),
        pinpoint_application_id=_stable_id(region, "pinpoint-application").hex,
    )
