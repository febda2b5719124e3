"""SSM parameter names (docs/architecture.md §6): the one place that spells them.

The CDK stack creates them, provisioning fills them in, the local stack seeds them,
and the handlers read them back with one GetParametersByPath call under the prefix.
"""

from __future__ import annotations

from personalization.contracts.filters import FILTERS

DEFAULT_PREFIX = "/retail-personalization"
NOT_CONFIGURED = "NONE"

USER_PERSONALIZATION_ARN = "personalize/user-personalization-arn"
RELATED_ITEMS_ARN = "personalize/related-items-arn"
PERSONALIZED_RANKING_ARN = "personalize/personalized-ranking-arn"
EVENT_TRACKER_ID = "personalize/event-tracker-id"
FILTERS_FOLDER = "personalize/filters"
PINPOINT_APPLICATION_ID = "pinpoint/application-id"
FEATURED_ITEM_IDS = "catalog/featured-item-ids"
EXPERIMENTS = "experiments"
"""JSON, the running experiments (`personalization.contracts.experiments`); `NONE`: none."""


STRING_PARAMETERS = (
    USER_PERSONALIZATION_ARN,
    RELATED_ITEMS_ARN,
    PERSONALIZED_RANKING_ARN,
    EVENT_TRACKER_ID,
    PINPOINT_APPLICATION_ID,
    EXPERIMENTS,
)
STRING_LIST_PARAMETERS = (FEATURED_ITEM_IDS,)


def filter_parameter(filter_name: str) -> str:
    """Relative name of the parameter that holds a filter's ARN."""
    return f"{FILTERS_FOLDER}/{filter_name}-arn"


def all_parameters() -> tuple[str, ...]:
    """Every parameter a deployment creates (relative names), string lists last."""
    return (
        *STRING_PARAMETERS,
        *(filter_parameter(name) for name in FILTERS),
        *STRING_LIST_PARAMETERS,
    )


def full_name(prefix: str, relative_name: str) -> str:
    return f"{prefix.rstrip('/')}/{relative_name}"
