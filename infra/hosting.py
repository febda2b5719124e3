"""Optional storefront hosting: a private S3 bucket behind CloudFront (origin access control).

The distribution also forwards the API's routes to the API stage (with every viewer header but
Host, so the /me/* routes get their `Authorization`; caching is off), so the storefront and the
API share one origin: the browser needs no CORS, and `config.json` (written at deploy time,
when the distribution's domain and the user pool are known) points the storefront at both.
The dataset files the storefront reads go under `data/` (see the README); deployments
of the storefront leave them in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import DefaultStackSynthesizer, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.buckets import logical_id, private_bucket
from infra.nag import acknowledge
from personalization.contracts.topology import Route
from repository import STOREFRONT_DIR

DATA_PREFIX = "data/"
API_TIMEOUT_MS = 2500
LOCAL_ONLY_FILES = ("config.json", "config.example.json")

DISTRIBUTION_FINDINGS = {
    "AwsSolutions-CFR1": "A public storefront serves shoppers in every country.",
    "AwsSolutions-CFR2": "The API behind the distribution is throttled per stage; a WAF web ACL "
    "(billed per month) is left to deployments that need it.",
    "AwsSolutions-CFR3": "CloudFront standard logs need an ACL-enabled log bucket; the API calls are "
    "logged by the API access log, and the static files need no access log.",
    "AwsSolutions-CFR4": "The distribution uses the default *.cloudfront.net certificate, whose TLS "
    "policy CloudFront fixes; a custom domain with an ACM certificate can require TLSv1.2_2021.",
}
BUCKET_DEPLOYMENT_HANDLER = (
    "aws-cdk-lib's BucketDeployment custom resource, which runs only during deployment to copy the "
    "storefront files and invalidate the distribution; its runtime, role and policies are managed by "
    "aws-cdk-lib and scoped to the assets bucket and the storefront bucket."
)


class StorefrontHosting(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: apigw.RestApi,
        routes: Sequence[Route],
        accounts: Mapping[str, str],
        profile_emulation: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            why_no_access_logs="Holds the public storefront files, read only by CloudFront (origin access "
            "control); the files are in the repository, so object access logs would record nothing worth "
            "keeping.",
        )
        api_behavior = cloudfront.BehaviorOptions(
            origin=origins.RestApiOrigin(api),
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Retail personalization storefront and API",
            default_root_object="index.html",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            ),
            additional_behaviors={route.path: api_behavior for route in routes},
        )
        for finding, reason in DISTRIBUTION_FINDINGS.items():
            acknowledge(self.distribution, finding, reason)
        self.url = f"https://{self.distribution.distribution_domain_name}/"
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Files",
            destination_bucket=self.bucket,
            sources=[
                s3deploy.Source.asset(str(STOREFRONT_DIR), exclude=list(LOCAL_ONLY_FILES)),
                s3deploy.Source.json_data(
                    "config.json",
                    {
                        "apiBaseUrl": self.url,
                        "dataBaseUrl": DATA_PREFIX,
                        "apiTimeoutMs": API_TIMEOUT_MS,
                        # The user pool the page signs in with (SRP at Cognito's regional endpoint).
                        "cognito": dict(accounts),
                        "profileEmulation": profile_emulation,
                    },
                ),
            ],
            exclude=[f"{DATA_PREFIX}*"],
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
        )
        self._acknowledge_deployment_handler()

    def _acknowledge_deployment_handler(self) -> None:
        """The Lambda function the BucketDeployment brings: aws-cdk-lib's singleton, created at stack
        level (outside this construct) with its service role as a child."""
        handler = self.deployment.handler_role.node.scope
        assert isinstance(handler, lambda_.Function), f"unexpected BucketDeployment handler {handler}"
        synthesizer = Stack.of(self).synthesizer
        qualifier = synthesizer.bootstrap_qualifier or DefaultStackSynthesizer.DEFAULT_QUALIFIER
        findings = (
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions-IAM5[Action::s3:GetBucket*]",
            "AwsSolutions-IAM5[Action::s3:GetObject*]",
            "AwsSolutions-IAM5[Action::s3:List*]",
            "AwsSolutions-IAM5[Action::s3:Abort*]",
            "AwsSolutions-IAM5[Action::s3:DeleteObject*]",
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-{qualifier}-assets-"
            "<AWS::AccountId>-<AWS::Region>/*]",
            f"AwsSolutions-IAM5[Resource::<{logical_id(self.bucket)}.Arn>/*]",
            "AwsSolutions-L1",
            "Serverless-LambdaDLQ",
            "Serverless-LambdaLatestVersion",
            "Serverless-LambdaTracing",
        )
        for finding in findings:
            acknowledge(handler, finding, BUCKET_DEPLOYMENT_HANDLER)
