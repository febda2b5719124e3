"""Least-privilege access: the IAM statement of each `Access` a function spec declares.

ARNs of resources created after deployment (Personalize campaigns, recommenders,
filters, event trackers; the Pinpoint application) are not known to the stack, so
those grants are scoped to the resource type under this account and region; each such
wildcard is acknowledged to cdk-nag (AwsSolutions-IAM5) on the role it is granted to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import assert_never

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam

from infra.nag import acknowledge
from personalization.contracts.topology import Access

RESOURCE_CREATED_LATER = (
    "{what} are created by provisioning after deployment and read from SSM at run time, so their ARNs "
    "are unknown here; the grant is one action on this resource type in this account and region only."
)
PERSONALIZE_MODELS = RESOURCE_CREATED_LATER.format(what="Personalize campaigns, recommenders and filters")


@dataclass(frozen=True)
class TypeWildcard:
    """Every resource of one type in this account and region, e.g. `...:personalize:...:campaign/*`."""

    service: str
    resource_type: str
    reason: str
    """Why the grant cannot name the resources: the acknowledgment's reason."""

    @property
    def finding(self) -> str:
        """The AwsSolutions-IAM5 finding this wildcard raises, as cdk-nag spells it."""
        return (
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:{self.service}:<AWS::Region>:"
            f"<AWS::AccountId>:{self.resource_type}/*]"
        )


CAMPAIGNS = TypeWildcard("personalize", "campaign", PERSONALIZE_MODELS)
RECOMMENDERS = TypeWildcard("personalize", "recommender", PERSONALIZE_MODELS)
FILTERS = TypeWildcard("personalize", "filter", PERSONALIZE_MODELS)
EVENT_TRACKERS = TypeWildcard(
    "personalize", "event-tracker", RESOURCE_CREATED_LATER.format(what="Personalize event trackers")
)
PINPOINT_APPS = TypeWildcard(
    "mobiletargeting", "apps", RESOURCE_CREATED_LATER.format(what="Pinpoint applications")
)


class ResourceArns:
    """ARNs the grants point at, all under the stack's account and region."""

    def __init__(self, stack: Stack, parameter_prefix: str, bus: events.IEventBus) -> None:
        self._stack = stack
        self.parameter_path = stack.format_arn(
            service="ssm", resource="parameter", resource_name=parameter_prefix.strip("/")
        )
        self.bus = bus.event_bus_arn

    def of_type(self, wildcard: TypeWildcard) -> str:
        """Every resource of one type, e.g. `arn:aws:personalize:{region}:{account}:campaign/*`."""
        return self._stack.format_arn(
            service=wildcard.service,
            resource=wildcard.resource_type,
            resource_name="*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )


def grant(role: iam.IRole, access: Iterable[Access], arns: ResourceArns) -> None:
    """Adds the statement of each access to the role's policy and acknowledges, on the role, each
    resource-type wildcard a statement needs."""
    for item in sorted(access, key=lambda item: item.name):
        actions, named, wildcards = _grant_of(item, arns)
        if not actions:
            continue
        role.add_to_principal_policy(
            iam.PolicyStatement(
                effect=iam.Effect.ALLOW,
                actions=actions,
                resources=[*named, *(arns.of_type(wildcard) for wildcard in wildcards)],
            )
        )
        for wildcard in wildcards:
            acknowledge(role, wildcard.finding, wildcard.reason)


def _grant_of(access: Access, arns: ResourceArns) -> tuple[list[str], list[str], list[TypeWildcard]]:
    """The actions, the named resources and the resource-type wildcards of one access."""
    match access:
        case Access.CONFIG:
            return ["ssm:GetParametersByPath"], [arns.parameter_path], []
        case Access.PERSONALIZE_RECOMMENDATIONS:
            return ["personalize:GetRecommendations"], [], [CAMPAIGNS, RECOMMENDERS, FILTERS]
        case Access.PERSONALIZE_RANKING:
            return ["personalize:GetPersonalizedRanking"], [], [CAMPAIGNS, FILTERS]
        case Access.PERSONALIZE_EVENTS:
            return ["personalize:PutEvents"], [], [EVENT_TRACKERS]
        case Access.PUBLISH_EVENTS:
            return ["events:PutEvents"], [arns.bus], []
        case Access.PINPOINT:
            return ["mobiletargeting:PutEvents", "mobiletargeting:UpdateEndpoint"], [], [PINPOINT_APPS]
        case Access.DEAD_LETTER_QUEUE:
            return [], [], []  # the event fan-out grants it where it creates the queue (infra.events)
        case _:
            assert_never(access)
