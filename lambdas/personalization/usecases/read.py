"""The three read use cases as plain functions: no API Gateway in sight.

Each answers from Amazon Personalize when it is configured and healthy, and otherwise
with the documented fallback (featured items, or the input order for ranking), a
`Fallback` metric with the reason, and a warning log line.

Every answer carries a `recommendationId` (Personalize's, or one minted here) and, for a shopper
enrolled in the use case's experiment, its `experiment`: the variant the shopper's id (the
session id for anonymous related items) hashes to decides the source, a holdout answers as the
use case does without personalization, and each such answer counts one `Exposures`. Anonymous
shoppers are not enrolled where their answer cannot be personal (user recommendations, ranking).
A personalize variant that falls back keeps its experiment: the comparison is by assignment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from personalization.contracts.api import (
    RankRequest,
    RecommendationsResponse,
    Source,
    mint_recommendation_id,
)
from personalization.contracts.experiments import ExperimentRef, Variant
from personalization.contracts.filters import FILTERS, FilterDefinition, filter_values
from personalization.contracts.metrics import MetricName
from personalization.observability import (
    count_with_dimension,
    logger,
    record_exposure,
    record_fallback,
    record_served,
)
from personalization.usecases.errors import BadRequestError, Problem
from personalization.usecases.ports import (
    ConfigSource,
    ConfigUnavailableError,
    PersonalizationConfig,
    PersonalizeUnavailableError,
    RecommendationsRuntime,
    ScoredItemId,
)

USER_PERSONALIZATION = "user-personalization"
RELATED_ITEMS = "related-items"
PERSONALIZED_RANKING = "personalized-ranking"


@dataclass(frozen=True)
class ReadDependencies:
    config: ConfigSource
    personalize: RecommendationsRuntime


@dataclass(frozen=True)
class Enrolment:
    """The variant a subject is in, if the use case runs an experiment (else both None)."""

    variant: Variant | None = None
    experiment: ExperimentRef | None = None

    @property
    def holdout(self) -> bool:
        return self.variant is not None and self.variant.source != "personalize"

    def arn(self, configured: str | None) -> str | None:
        """The ARN to answer from: the variant's own, else the configured one."""
        return (self.variant.arn if self.variant else None) or configured


NOT_ENROLLED = Enrolment()


def enrol(config: PersonalizationConfig, use_case: str, subject: str | None) -> Enrolment:
    experiment = config.experiments.for_use_case(use_case)
    if experiment is None or subject is None:
        return NOT_ENROLLED
    variant = experiment.assign(subject)
    return Enrolment(variant, ExperimentRef(name=experiment.name, variant=variant.name))


def recommend_for_user(
    deps: ReadDependencies,
    user_id: str | None,
    num_results: int,
    filter_name: str | None = None,
    filter_value: str | None = None,
) -> RecommendationsResponse:
    """GET /recommendations: featured items for anonymous shoppers; `user_id` comes from the token."""
    definition = FILTERS[filter_name] if filter_name else None
    if definition and definition.placeholder and not filter_value:
        raise BadRequestError(
            f"filter {definition.name!r} needs a value",
            [Problem(field="filterValue", problem=f"required with filter {definition.name}")],
        )
    config, config_problem = _current_config(deps)
    if user_id is None:
        return _featured(config, num_results, source="featured", recipe=USER_PERSONALIZATION)
    enrolment = enrol(config, USER_PERSONALIZATION, user_id)
    answer = _recommendations(
        deps,
        config,
        config_problem,
        enrolment,
        user_id=user_id,
        num_results=num_results,
        definition=definition,
        filter_value=filter_value,
    )
    return _exposed(answer, enrolment)


def related_items(
    deps: ReadDependencies,
    item_id: str,
    user_id: str | None,
    num_results: int,
    session_id: str | None = None,
) -> RecommendationsResponse:
    """GET /related: items similar to `item_id`, never the item itself; anonymous shoppers are
    enrolled in an experiment by their `session_id`."""
    config, config_problem = _current_config(deps)
    enrolment = enrol(config, RELATED_ITEMS, user_id or session_id)
    answer = _related(
        deps, config, config_problem, enrolment, item_id=item_id, user_id=user_id, num_results=num_results
    )
    return _exposed(answer, enrolment)


def rank_items(deps: ReadDependencies, request: RankRequest, user_id: str | None) -> RecommendationsResponse:
    """POST /rank: the input ids, each exactly once, best first for a known shopper."""
    if user_id is None:
        record_served("natural")
        return _in_input_order(request.itemIds, source="natural")
    config, config_problem = _current_config(deps)
    enrolment = enrol(config, PERSONALIZED_RANKING, user_id)
    return _exposed(
        _ranking(deps, config, config_problem, enrolment, request=request, user_id=user_id), enrolment
    )


def _recommendations(
    deps: ReadDependencies,
    config: PersonalizationConfig,
    config_problem: str | None,
    enrolment: Enrolment,
    *,
    user_id: str,
    num_results: int,
    definition: FilterDefinition | None,
    filter_value: str | None,
) -> RecommendationsResponse:
    if enrolment.holdout:
        return _featured(config, num_results, source="featured", recipe=USER_PERSONALIZATION)
    arn = enrolment.arn(config.user_personalization_arn)
    if arn is None:
        return _fallback(config, config_problem or "unconfigured", num_results, recipe=USER_PERSONALIZATION)
    filter_arn = None
    if definition is not None:
        filter_arn = config.filter_arns.get(definition.name)
        if filter_arn is None:
            raise BadRequestError(
                f"filter {definition.name!r} is not configured in this deployment",
                [Problem(field="filter", problem="not configured")],
            )
    try:
        personalized = deps.personalize.recommendations(
            arn,
            num_results=num_results,
            user_id=user_id,
            filter_arn=filter_arn,
            filter_values=filter_values(definition, filter_value) if definition else None,
        )
    except PersonalizeUnavailableError as error:
        return _fallback(config, error.reason, num_results, recipe=USER_PERSONALIZATION, detail=str(error))
    return _personalized(
        personalized.items, personalized.recommendation_id, num_results, USER_PERSONALIZATION
    )


def _related(
    deps: ReadDependencies,
    config: PersonalizationConfig,
    config_problem: str | None,
    enrolment: Enrolment,
    *,
    item_id: str,
    user_id: str | None,
    num_results: int,
) -> RecommendationsResponse:
    if enrolment.holdout:
        return _featured(config, num_results, source="featured", recipe=RELATED_ITEMS, exclude=[item_id])
    arn = enrolment.arn(config.related_items_arn)
    if arn is None:
        return _fallback(
            config, config_problem or "unconfigured", num_results, recipe=RELATED_ITEMS, exclude=[item_id]
        )
    try:
        related = deps.personalize.recommendations(
            arn, num_results=min(num_results + 1, 500), item_id=item_id, user_id=user_id
        )
    except PersonalizeUnavailableError as error:
        return _fallback(
            config, error.reason, num_results, recipe=RELATED_ITEMS, exclude=[item_id], detail=str(error)
        )
    items = [item for item in related.items if item.item_id != item_id]
    return _personalized(items, related.recommendation_id, num_results, RELATED_ITEMS)


def _ranking(
    deps: ReadDependencies,
    config: PersonalizationConfig,
    config_problem: str | None,
    enrolment: Enrolment,
    *,
    request: RankRequest,
    user_id: str,
) -> RecommendationsResponse:
    if enrolment.holdout:
        record_served("natural")
        return _in_input_order(request.itemIds, source="natural")
    arn = enrolment.arn(config.personalized_ranking_arn)
    if arn is None:
        return _ranking_fallback(request.itemIds, config_problem or "unconfigured")
    try:
        ranked = deps.personalize.ranking(arn, user_id=user_id, item_ids=request.itemIds)
    except PersonalizeUnavailableError as error:
        return _ranking_fallback(request.itemIds, error.reason, detail=str(error))
    record_served("personalize")
    return _answer(
        _complete_ranking(ranked.items, request.itemIds),
        "personalize",
        PERSONALIZED_RANKING,
        ranked.recommendation_id,
    )


def _current_config(deps: ReadDependencies) -> tuple[PersonalizationConfig, str | None]:
    """The configuration, or the last one read when SSM fails (with the reason to report)."""
    try:
        return deps.config.load(), None
    except ConfigUnavailableError as error:
        logger.warning("SSM configuration unavailable", extra={"error": str(error)})
        count_with_dimension(MetricName.CONFIG_UNAVAILABLE, "cached", "yes" if error.last_known else "no")
        return error.last_known or PersonalizationConfig(), "config-unavailable"


def _exposed(answer: RecommendationsResponse, enrolment: Enrolment) -> RecommendationsResponse:
    """The answer with the enrolment's experiment, counted as an exposure of its variant."""
    if enrolment.experiment is None:
        return answer
    record_exposure(enrolment.experiment.name, enrolment.experiment.variant)
    answer.experiment = enrolment.experiment  # the answer was built for this request: no copy needed
    return answer


Item = dict[str, str | float | None]
"""An item of an answer before it is a `ScoredItem`."""


def _answer(
    items: list[Item], source: Source, recipe: str, recommendation_id: str | None = None
) -> RecommendationsResponse:
    """The answer, its items validated with it in one pass of pydantic's core: cheaper than building
    each `ScoredItem` in Python (even unvalidated, `model_construct` costs about 10 µs an item)."""
    return RecommendationsResponse.model_validate(
        {
            "items": items,
            "recommendationId": recommendation_id or mint_recommendation_id(),
            "source": source,
            "recipe": recipe,
        }
    )


def _item(item_id: str, score: float | None = None) -> Item:
    return {"itemId": item_id, "score": score}


def _personalized(
    items: Iterable[ScoredItemId], recommendation_id: str | None, num_results: int, recipe: str
) -> RecommendationsResponse:
    first_seen: dict[str, ScoredItemId] = {}
    for item in items:
        first_seen.setdefault(item.item_id, item)
    ordered = list(first_seen.values())[:num_results]
    record_served("personalize")
    return _answer(
        [_item(item.item_id, item.score) for item in ordered], "personalize", recipe, recommendation_id
    )


def _featured(
    config: PersonalizationConfig,
    num_results: int,
    *,
    source: Literal["featured", "fallback"],
    recipe: str,
    exclude: Sequence[str] = (),
) -> RecommendationsResponse:
    item_ids = [item_id for item_id in config.featured_item_ids if item_id not in exclude][:num_results]
    record_served(source)
    return _answer([_item(item_id) for item_id in item_ids], source, recipe)


def _fallback(
    config: PersonalizationConfig,
    reason: str,
    num_results: int,
    *,
    recipe: str,
    exclude: Sequence[str] = (),
    detail: str = "",
) -> RecommendationsResponse:
    record_fallback(reason)
    logger.warning(
        "serving featured items instead of Personalize",
        extra={"reason": reason, "recipe": recipe, "detail": detail},
    )
    return _featured(config, num_results, source="fallback", recipe=recipe, exclude=exclude)


def _ranking_fallback(item_ids: Sequence[str], reason: str, detail: str = "") -> RecommendationsResponse:
    record_fallback(reason)
    record_served("fallback")
    logger.warning(
        "ranking in input order instead of Personalize", extra={"reason": reason, "detail": detail}
    )
    return _in_input_order(item_ids, source="fallback")


def _in_input_order(
    item_ids: Sequence[str], *, source: Literal["natural", "fallback"]
) -> RecommendationsResponse:
    return _answer([_item(item_id) for item_id in item_ids], source, PERSONALIZED_RANKING)


def _complete_ranking(ranked: Iterable[ScoredItemId], item_ids: Sequence[str]) -> list[Item]:
    """Personalize's order, limited to the input ids once each, then any input id it left out."""
    wanted = set(item_ids)
    seen: set[str] = set()
    result: list[Item] = []
    for item in ranked:
        if item.item_id in wanted and item.item_id not in seen:
            seen.add(item.item_id)
            result.append(_item(item.item_id, item.score))
    result.extend(_item(item_id) for item_id in item_ids if item_id not in seen)
    return result
