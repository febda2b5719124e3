"""Least-privilege access: the IAM statement of each `Access` a function spec declares.

ARNs of resources created after deployment (Personalize campaigns, recommenders,
filters, event trackers; the Pinpoint application) are not known to the stack, so
those grants are scoped to the resource type under this account and region.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam

from personalization.contracts.topology import Access


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
