"""The ports of the use cases: what they need from the outside, as small Protocols, and the data
that crosses them. Adapters (`personalization.adapters`) implement them; tests hand in fakes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from personalization.contracts import parameters
from personalization.contracts.experiments import NO_EXPERIMENTS, ExperimentsDocument

if TYPE_CHECKING:
    # Only the event path needs the event schema; the read functions do not import it at all.
    from personalization.contracts.events import EventDetail, NotAcceptedEvent


@dataclass(frozen=True)
class PersonalizationConfig:
    user_personalization_arn: str | None = None
    related_items_arn: str | None = None
    personalized_ranking_arn: str | None = None
    event_tracker_id: str | None = None
    pinpoint_application_id: str | None = None
    filter_arns: Mapping[str, str] = field(default_factory=dict)
    featured_item_ids: tuple[str, ...] = ()
    experiments: ExperimentsDocument = NO_EXPERIMENTS
    """The running experiments; the reader keeps the last valid document when a new one is not."""

    @classmethod
    def from_parameters(
        cls, values: Mapping[str, str], experiments: ExperimentsDocument = NO_EXPERIMENTS
    ) -> PersonalizationConfig:
        """Build from parameter values keyed by their name relative to the prefix; the experiments
        document is parsed by the reader (`experiments_text`), which decides what a bad one means."""

        def configured(name: str) -> str | None:
            return configured_value(values, name)

        featured = configured(parameters.FEATURED_ITEM_IDS) or ""
        return cls(
            user_personalization_arn=configured(parameters.USER_PERSONALIZATION_ARN),
            related_items_arn=configured(parameters.RELATED_ITEMS_ARN),
            personalized_ranking_arn=configured(parameters.PERSONALIZED_RANKING_ARN),
            event_tracker_id=configured(parameters.EVENT_TRACKER_ID),
            pinpoint_application_id=configured(parameters.PINPOINT_APPLICATION_ID),
            filter_arns={
                name: arn
                for name in _filter_names(values)
                if (arn := configured(parameters.filter_parameter(name)))
            },
            featured_item_ids=tuple(dict.fromkeys(i.strip() for i in featured.split(",") if i.strip())),
            experiments=experiments,
        )


def configured_value(values: Mapping[str, str], name: str) -> str | None:
    """A parameter's value; None when missing, empty or `NONE` (not configured)."""
    value = (values.get(name) or "").strip()
    return None if value in ("", parameters.NOT_CONFIGURED) else value


def _filter_names(values: Mapping[str, str]) -> list[str]:
    folder = f"{parameters.FILTERS_FOLDER}/"
    return [
        key[len(folder) : -len("-arn")] for key in values if key.startswith(folder) and key.endswith("-arn")
    ]


class ConfigUnavailableError(Exception):
    """The configuration could not be read; `last_known` is the last configuration read, if any."""

    def __init__(self, cause: Exception, last_known: PersonalizationConfig | None) -> None:
        super().__init__(f"SSM configuration unavailable: {cause}")
        self.last_known = last_known


class ConfigSource(Protocol):
    def load(self) -> PersonalizationConfig:
        """The current configuration; raises ConfigUnavailableError when it cannot be read."""
        ...


class PersonalizeUnavailableError(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@dataclass(frozen=True)
class ScoredItemId:
    item_id: str
    score: float | None


@dataclass(frozen=True)
class PersonalizeAnswer:
    items: list[ScoredItemId]
    recommendation_id: str | None


class RecommendationsRuntime(Protocol):
    """Amazon Personalize's runtime: raises PersonalizeUnavailableError with the fallback reason."""

    def recommendations(
        self,
        arn: str,
        *,
        num_results: int,
        user_id: str | None = None,
        item_id: str | None = None,
        filter_arn: str | None = None,
        filter_values: dict[str, str] | None = None,
    ) -> PersonalizeAnswer: ...

    def ranking(self, arn: str, *, user_id: str, item_ids: Sequence[str]) -> PersonalizeAnswer: ...


@dataclass
class PutOutcome:
    accepted: list[EventDetail] = field(default_factory=list)
    not_accepted: list[NotAcceptedEvent] = field(default_factory=list)


class EventPublisher(Protocol):
    def put(self, details: Sequence[EventDetail]) -> PutOutcome:
        """Put the details on the bus; the outcome says which were accepted, and why the rest were not."""
        ...
