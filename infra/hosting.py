"""Optional storefront hosting: a private S3 bucket behind CloudFront (origin access control).

The distribution also forwards the API's routes to the API stage, so the storefront and
the API share one origin: the browser needs no CORS, and `config.json` (written at
deploy time, when the distribution's domain is known) points the storefront at it.
The dataset files the storefront reads go under `data/` (see the README); deployments
of the storefront leave them in place.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.buckets import private_bucket
from personalization.contracts.topology import Route
from repository import STOREFRONT_DIR

DATA_PREFIX = "data/"
API_TIMEOUT_MS = 2500
LOCAL_ONLY_FILES = ("config.json", "config.example.json")


class StorefrontHosting(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, api: apigw.RestApi, routes: Sequence[Route]
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(self, "Bucket")
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
        self.url = f"https://{self.distribution.distribution_domain_name}/"
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Files",
            destination_bucket=self.bucket,
            sources=[
                s3deploy.Source.asset(str(STOREFRONT_DIR), exclude=list(LOCAL_ONLY_FILES)),
                s3deploy.Source.json_data(
                    "config.json",
                    {"apiBaseUrl": self.url, "dataBaseUrl": DATA_PREFIX, "apiTimeoutMs": API_TIMEOUT_MS},
                ),
            ],
            exclude=[f"{DATA_PREFIX}*"],
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
        )
