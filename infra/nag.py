"""cdk-nag findings this design accepts: each on the construct it concerns, with its reason.

The packs (AwsSolutions, Serverless) run on every synth (infra.app); any finding not
acknowledged here fails the synth. cdk-nag v3 acknowledges one finding per id, so
wildcard resources are named exactly as the finding reports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, DefaultStackSynthesizer, Validations
from aws_cdk import aws_sns as sns
from constructs import IConstruct

from personalization.contracts.topology import FUNCTIONS, Access

if TYPE_CHECKING:
    from infra.stack import RetailPersonalizationStack

XRAY_WILDCARD = (
    "AwsSolutions-IAM5[Resource::*]",
    "X-Ray PutTraceSegments and PutTelemetryRecords (active tracing) support no resource-level permissions.",
)
NOT_ASYNC = (
    "Serverless-LambdaDLQ",
    "Invoked synchronously by API Gateway or by an SQS event source mapping, never asynchronously: an "
    "asynchronous-invocation DLQ would stay empty. Failed SQS records go to the queue's dead-letter queue.",
)
SQS_FAILURES_TO_REDRIVE = (
    "Serverless-LambdaEventSourceMappingDestination",
    "On-failure destinations exist for stream and Kafka sources only; an SQS record that fails "
    "maxReceiveCount times moves to the queue's dead-letter queue (redrive policy).",
)
PUBLIC_API = (
    "The storefront API is public by design (DESIGN section 4): anonymous shoppers call it. "
    "Stage throttling and request validation limit abuse; no shopper credentials exist to check."
)
RESOURCE_CREATED_LATER = (
    "{what} are created by provisioning after deployment and read from SSM at run time, so their ARNs "
    "are unknown here; the grant is one action on this resource type in this account and region only."
)


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    Validations.of(construct).acknowledge(Acknowledgment(id=finding, reason=reason))


def acknowledge_findings(stack: RetailPersonalizationStack) -> None:
    _functions(stack)
    _api(stack)
    _events(stack)
    _data(stack)
    _observability(stack)
    if stack.hosting is not None:
        _hosting(stack)


PERSONALIZE_RUNTIME = RESOURCE_CREATED_LATER.format(what="Personalize campaigns, recommenders and filters")
TYPE_WILDCARDS: dict[Access, tuple[tuple[str, str, str], ...]] = {
    Access.PERSONALIZE_RECOMMENDATIONS: (
        ("personalize", "campaign", PERSONALIZE_RUNTIME),
        ("personalize", "recommender", PERSONALIZE_RUNTIME),
        ("personalize", "filter", PERSONALIZE_RUNTIME),
    ),
    Access.PERSONALIZE_RANKING: (
        ("personalize", "campaign", PERSONALIZE_RUNTIME),
        ("personalize", "filter", PERSONALIZE_RUNTIME),
    ),
    Access.PERSONALIZE_EVENTS: (
        ("personalize", "event-tracker", RESOURCE_CREATED_LATER.format(what="Personalize event trackers")),
    ),
    Access.PINPOINT: (
        ("mobiletargeting", "apps", RESOURCE_CREATED_LATER.format(what="Pinpoint applications")),
    ),
}
"""The resource-type wildcards each access needs (see permissions.ResourceArns.of_type)."""


def _type_wildcard(service: str, resource_type: str) -> str:
    return (
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:{service}:<AWS::Region>:<AWS::AccountId>:"
        f"{resource_type}/*]"
    )


def _functions(stack: RetailPersonalizationStack) -> None:
    for spec in FUNCTIONS:
        name = spec.name
        function = stack.functions[spec]
        acknowledge(function, *NOT_ASYNC)
        if name in stack.events.sinks:
            acknowledge(function, *SQS_FAILURES_TO_REDRIVE)
        role = function.role
        assert role is not None, f"{name} has no role"
        acknowledge(role, *XRAY_WILDCARD)
        for access in spec.access:
            for service, resource_type, reason in TYPE_WILDCARDS.get(access, ()):
                acknowledge(role, _type_wildcard(service, resource_type), reason)


def _api(stack: RetailPersonalizationStack) -> None:
    stage = stack.api.api.deployment_stage
    acknowledge(
        stage,
        "AwsSolutions-APIG3",
        "Stage throttling bounds the load; a WAF web ACL (billed per month) is left to deployments "
        "that need it and can be associated with the stage without changing this stack.",
    )
    acknowledge(
        stage,
        "AwsSolutions-APIG6",
        "Every request is logged by the JSON access log, traced by X-Ray and logged by its function; "
        "execution logging would need the account-wide API Gateway CloudWatch role, which a stack "
        "should not take over.",
    )
    for method in stack.api.methods.values():
        acknowledge(method, "AwsSolutions-APIG4", PUBLIC_API)
        acknowledge(method, "AwsSolutions-COG4", PUBLIC_API)


def _events(stack: RetailPersonalizationStack) -> None:
    for sink in stack.events.sinks.values():
        acknowledge(
            sink.dead_letter_queue,
            "Serverless-SQSRedrivePolicy",
            "This is the dead-letter queue: the end of the line. An alarm fires when it holds a message; "
            "an operator inspects and redrives it to the sink's queue.",
        )


def _data(stack: RetailPersonalizationStack) -> None:
    acknowledge(
        stack.data.bucket,
        "AwsSolutions-S1",
        "Holds only the dataset files provisioning uploads for the Personalize imports; object access "
        "is audited with CloudTrail data events where needed; a log bucket would need this exception itself.",
    )
    bucket_arn = stack.get_logical_id(stack.data.bucket.node.default_child)  # type: ignore[arg-type]
    acknowledge(
        stack.data.personalize_role,
        f"AwsSolutions-IAM5[Resource::<{bucket_arn}.Arn>/*]",
        "Personalize import jobs read the dataset objects provisioning uploads: s3:GetObject on the objects "
        "of this one bucket, read-only.",
    )


def _observability(stack: RetailPersonalizationStack) -> None:
    topic = stack.observability.topic
    if topic is None:
        return
    for subscription in topic.node.children:
        if isinstance(subscription, sns.Subscription):
            acknowledge(
                subscription,
                "Serverless-SNSRedrivePolicy",
                "Email subscription for alarm notifications: SNS retries email delivery itself, and every "
                "alarm's state stays visible on the dashboard, so an undelivered email loses nothing.",
            )


def _hosting(stack: RetailPersonalizationStack) -> None:
    hosting = stack.hosting
    assert hosting is not None
    acknowledge(
        hosting.bucket,
        "AwsSolutions-S1",
        "Holds the public storefront files, read only by CloudFront (origin access control); "
        "the files are in the repository, so object access logs would record nothing worth keeping.",
    )
    distribution_findings = {
        "AwsSolutions-CFR1": "A public storefront serves shoppers in every country.",
        "AwsSolutions-CFR2": "The API behind the distribution is throttled per stage; a WAF web ACL "
        "(billed per month) is left to deployments that need it.",
        "AwsSolutions-CFR3": "CloudFront standard logs need an ACL-enabled log bucket; the API calls are "
        "logged by the API access log, and the static files need no access log.",
        "AwsSolutions-CFR4": "The distribution uses the default *.cloudfront.net certificate, whose TLS "
        "policy CloudFront fixes; a custom domain with an ACM certificate can require TLSv1.2_2021.",
    }
    for finding, reason in distribution_findings.items():
        acknowledge(hosting.distribution, finding, reason)
    _bucket_deployment_handler(stack)


def _bucket_deployment_handler(stack: RetailPersonalizationStack) -> None:
    """The Lambda function aws-cdk-lib's BucketDeployment brings (one per stack, outside our constructs)."""
    assert stack.hosting is not None
    handlers = [
        child for child in stack.node.children if child.node.id.startswith("Custom::CDKBucketDeployment")
    ]
    assert len(handlers) == 1, f"expected one BucketDeployment handler, found {len(handlers)}"
    qualifier = stack.synthesizer.bootstrap_qualifier or DefaultStackSynthesizer.DEFAULT_QUALIFIER
    bucket = stack.get_logical_id(stack.hosting.bucket.node.default_child)  # type: ignore[arg-type]
    reason = (
        "aws-cdk-lib's BucketDeployment custom resource, which runs only during deployment to copy the "
        "storefront files and invalidate the distribution; its runtime, role and policies are managed by "
        "aws-cdk-lib and scoped to the assets bucket and the storefront bucket."
    )
    findings = (
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "AwsSolutions-IAM5[Resource::*]",
        "AwsSolutions-IAM5[Action::s3:GetBucket*]",
        "AwsSolutions-IAM5[Action::s3:GetObject*]",
        "AwsSolutions-IAM5[Action::s3:List*]",
        "AwsSolutions-IAM5[Action::s3:Abort*]",
        "AwsSolutions-IAM5[Action::s3:DeleteObject*]",
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-{qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*]",
        f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/*]",
        "AwsSolutions-L1",
        "Serverless-LambdaDLQ",
        "Serverless-LambdaLatestVersion",
        "Serverless-LambdaTracing",
    )
    for finding in findings:
        acknowledge(handlers[0], finding, reason)
