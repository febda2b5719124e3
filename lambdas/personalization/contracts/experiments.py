"""The experiments document (`{prefix}/experiments`, JSON) and the stable assignment of a variant.

Per use case at most one experiment: named variants with integer weights, each a source of
answers (`personalize`, optionally with another campaign or recommender ARN, or the use case's
holdout: `featured` for recommendations and related items, `natural` for ranking). A shopper's
variant is a stable hash of the experiment's name and the shopper id (the session id when
anonymous), so the same shopper sees the same variant in every function and after cold starts.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

UseCase = Literal["user-personalization", "related-items", "personalized-ranking"]
"""The read use cases, by the recipe name their answers carry."""
VariantSource = Literal["personalize", "featured", "natural"]
HOLDOUT_SOURCES: dict[str, str] = {
    "user-personalization": "featured",
    "related-items": "featured",
    "personalized-ranking": "natural",
}
"""What a use case answers without personalization: its holdout."""

MAX_EXPERIMENTS = 10
MAX_VARIANTS = 10
MAX_WEIGHT = 10_000
PERSONALIZE_ARN_PATTERN = (
    r"^arn:aws[a-z-]*:personalize:[a-z0-9-]+:\d{12}:(campaign|recommender)/[A-Za-z0-9_.-]+$"
)

Name = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


class Variant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    weight: int = Field(ge=1, le=MAX_WEIGHT)
    source: VariantSource
    arn: Annotated[str, StringConstraints(pattern=PERSONALIZE_ARN_PATTERN)] | None = Field(
        default=None,
        description="Another campaign or recommender than the configured one (personalize only).",
    )

    @model_validator(mode="after")
    def _arn_only_for_personalize(self) -> Variant:
        if self.arn is not None and self.source != "personalize":
            raise ValueError(f"variant {self.name}: an arn goes with source personalize only")
        return self


def _unique_variant_names(variants: list[Variant]) -> list[Variant]:
    repeated = sorted(name for name, count in Counter(v.name for v in variants).items() if count > 1)
    if repeated:
        raise ValueError(f"variant names must be unique; repeated: {', '.join(repeated)}")
    return variants


class Experiment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    useCase: UseCase
    variants: Annotated[
        list[Variant], Field(min_length=2, max_length=MAX_VARIANTS), AfterValidator(_unique_variant_names)
    ]

    @model_validator(mode="after")
    def _sources_fit_the_use_case(self) -> Experiment:
        allowed = {"personalize", HOLDOUT_SOURCES[self.useCase]}
        wrong = sorted({v.source for v in self.variants} - allowed)
        if wrong:
            raise ValueError(
                f"experiment {self.name}: {self.useCase} variants are personalize or "
                f"{HOLDOUT_SOURCES[self.useCase]}, not {', '.join(wrong)}"
            )
        return self

    @property
    def total_weight(self) -> int:
        return sum(variant.weight for variant in self.variants)

    def assign(self, subject: str) -> Variant:
        """The subject's variant: the hash of (experiment, subject) picks a point on the weights."""
        digest = hashlib.sha256(f"{self.name}\x00{subject}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") % self.total_weight
        for variant in self.variants:
            if point < variant.weight:
                return variant
            point -= variant.weight
        raise AssertionError("the point lies within the total weight")


def _one_experiment_per_use_case(experiments: list[Experiment]) -> list[Experiment]:
    for key, label in ((lambda e: e.name, "names"), (lambda e: e.useCase, "use cases")):
        repeated = sorted(value for value, count in Counter(map(key, experiments)).items() if count > 1)
        if repeated:
            raise ValueError(f"experiment {label} must be unique; repeated: {', '.join(repeated)}")
    return experiments


class ExperimentsDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    experiments: Annotated[
        list[Experiment], Field(max_length=MAX_EXPERIMENTS), AfterValidator(_one_experiment_per_use_case)
    ] = []

    def for_use_case(self, use_case: str) -> Experiment | None:
        return next((e for e in self.experiments if e.useCase == use_case), None)


class ExperimentRef(BaseModel):
    """An answer's experiment and variant, echoed by the storefront on the events that follow."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    variant: Name


NO_EXPERIMENTS = ExperimentsDocument()
