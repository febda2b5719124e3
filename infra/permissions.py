"""Least-privilege access of each function: what it may call, on which resources.

ARNs of resources created after deployment (Personalize campaigns, recommenders,
filters, event trackers; the Pinpoint application) are not known to the stack, so
those grants are scoped to the resource type under this account and region.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam


class Access(enum.Enum):
    CONFIG = "read the configuration parameters under the prefix"
    PERSONALIZE_RECOMMENDATIONS = "GetRecommendations on campaigns, recommenders and filters"
    PERSONALIZE_RANKING = "GetPersonalizedRanking on campaigns and filters"
    PERSONALIZE_EVENTS = "PutEvents to Personalize event trackers"
    PUBLISH_EVENTS = "PutEvents to the stack's event bus"
    PINPOINT = "PutEvents and UpdateEndpoint on Pinpoint applications"


FUNCTION_ACCESS: Mapping[str, frozenset[Access]] = {
    "recommend": frozenset({Access.CONFIG, Access.PERSONALIZE_RECOMMENDATIONS}),
    "related": frozenset({Access.CONFIG, Access.PERSONALIZE_RECOMMENDATIONS}),
    "rank": frozenset({Access.CONFIG, Access.PERSONALIZE_RANKING}),
    "track_event": frozenset({Access.PUBLISH_EVENTS}),
    "personalize_sync": frozenset({Access.CONFIG, Access.PERSONALIZE_EVENTS}),
    "pinpoint_sync": frozenset({Access.CONFIG, Access.PINPOINT}),
}
"""The AWS APIs each function calls (besides logs, X-Ray and its own queue)."""


def access_of(function_name: str) -> frozenset[Access]:
    try:
        return FUNCTION_ACCESS[function_name]
    except KeyError:
        raise KeyError(
            f"function {function_name!r} has no entry in infra.permissions.FUNCTION_ACCESS; "
            "state the AWS APIs it calls there"
        ) from None


class ResourceArns:
    """ARNs the grants point at, all under the stack's account and region."""

    def __init__(self, stack: Stack, parameter_prefix: str, bus: events.IEventBus) -> None:
        self._stack = stack
        self.parameter_path = stack.format_arn(
            service="ssm", resource="parameter", resource_name=parameter_prefix.strip("/")
        )
        self.bus = bus.event_bus_arn

    def of_type(self, service: str, resource_type: str) -> str:
        """Every resource of one type, e.g. `arn:aws:personalize:{region}:{account}:campaign/*`."""
        return self._stack.format_arn(
            service=service,
            resource=resource_type,
            resource_name="*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )


def statements(access: Iterable[Access], arns: ResourceArns) -> list[iam.PolicyStatement]:
    return [_statement(item, arns) for item in sorted(access, key=lambda item: item.name)]


def _statement(access: Access, arns: ResourceArns) -> iam.PolicyStatement:
    personalize = {kind: arns.of_type("personalize", kind) for kind in ("campaign", "recommender", "filter")}
    match access:
        case Access.CONFIG:
            return _allow(["ssm:GetParametersByPath"], [arns.parameter_path])
        case Access.PERSONALIZE_RECOMMENDATIONS:
            return _allow(["personalize:GetRecommendations"], list(personalize.values()))
        case Access.PERSONALIZE_RANKING:
            return _allow(
                ["personalize:GetPersonalizedRanking"], [personalize["campaign"], personalize["filter"]]
            )
        case Access.PERSONALIZE_EVENTS:
            return _allow(["personalize:PutEvents"], [arns.of_type("personalize", "event-tracker")])
        case Access.PUBLISH_EVENTS:
            return _allow(["events:PutEvents"], [arns.bus])
        case Access.PINPOINT:
            return _allow(
                ["mobiletargeting:PutEvents", "mobiletargeting:UpdateEndpoint"],
                [arns.of_type("mobiletargeting", "apps")],
            )


def _allow(actions: list[str], resources: list[str]) -> iam.PolicyStatement:
    return iam.PolicyStatement(effect=iam.Effect.ALLOW, actions=actions, resources=resources)
