"""Optional hosting: private bucket behind CloudFront (OAC), the API routes on the same origin."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Capture, Match, Template

from personalization.contracts.topology import ROUTES
from tests.infra.cfn import get_att, join, ref
from tests.infra.conftest import Synthesis

pytestmark = pytest.mark.infra

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def storefront_bucket_id(template: Template) -> str:
    bucket = Capture()
    template.has_output("StorefrontBucketName", {"Value": {"Ref": bucket}})
    return bucket.as_string()


def test_hosting_is_off_by_default(template: Template) -> None:
    template.resource_count_is("AWS::CloudFront::Distribution", 0)
    assert not template.find_outputs("StorefrontUrl")


def test_storefront_bucket_is_reached_only_through_origin_access_control(hosted_template: Template) -> None:
    template = hosted_template
    template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    oac_id = template.get_resource_id(
        "AWS::CloudFront::OriginAccessControl",
        {"Properties": {"OriginAccessControlConfig": {"SigningBehavior": "always"}}},
    )
    template.resource_count_is("AWS::CloudFront::Distribution", 1)
    bucket_id = storefront_bucket_id(template)
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": {
                "DefaultRootObject": "index.html",
                "DefaultCacheBehavior": {"ViewerProtocolPolicy": "redirect-to-https"},
                "Origins": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "DomainName": get_att(bucket_id, "RegionalDomainName"),
                                "S3OriginConfig": Match.any_value(),
                                "OriginAccessControlId": get_att(oac_id, "Id"),
                            }
                        )
                    ]
                ),
            }
        },
    )
    template.template_matches(
        {
            "Resources": {
                bucket_id: {"Properties": {"PublicAccessBlockConfiguration": {"BlockPublicPolicy": True}}}
            }
        }
    )
    template.resource_properties_count_is("AWS::S3::BucketPolicy", {"Bucket": ref(bucket_id)}, 1)
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": ref(bucket_id),
            "PolicyDocument": {
                "Statement": [
                    {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                    {
                        "Effect": "Allow",
                        "Principal": Match.object_equals({"Service": "cloudfront.amazonaws.com"}),
                    },
                ]
            },
        },
    )


def test_api_routes_share_the_storefront_origin_uncached(hosted_template: Template) -> None:
    template = hosted_template
    stage_id = template.get_resource_id("AWS::ApiGateway::Stage")
    api_origin = Capture()
    stage_url = {"Fn::Join": ["", Match.array_with([ref(stage_id)])]}
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": {
                "Origins": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Id": api_origin,
                                "CustomOriginConfig": Match.any_value(),
                                "OriginPath": join("/", {"Fn::Select": [3, {"Fn::Split": ["/", stage_url]}]}),
                            }
                        )
                    ]
                )
            }
        },
    )
    behaviors = [
        {
            "PathPattern": route.path,
            "TargetOriginId": api_origin.as_string(),
            "CachePolicyId": CACHING_DISABLED,
            "AllowedMethods": Match.array_with(["POST"]),
        }
        for route in ROUTES
    ]
    template.has_resource_properties(
        "AWS::CloudFront::Distribution", {"DistributionConfig": {"CacheBehaviors": behaviors}}
    )


def test_storefront_files_and_config_are_deployed(hosted_template: Template, synthesis: Synthesis) -> None:
    template = hosted_template
    template.resource_count_is("Custom::CDKBucketDeployment", 1)
    distribution_id = template.get_resource_id("AWS::CloudFront::Distribution")
    url = join("https://", get_att(distribution_id, "DomainName"), "/")
    template.has_output("StorefrontUrl", {"Value": url})
    keys = Capture()
    markers = Capture()
    template.has_resource_properties(
        "Custom::CDKBucketDeployment",
        {
            "SourceObjectKeys": keys,
            "SourceMarkers": [Match.object_equals({}), markers],
            "Exclude": ["data/*"],
            "DistributionPaths": ["/*"],
        },
    )
    assert len(keys.as_array()) == 2
    pool_id = template.get_resource_id("AWS::Cognito::UserPool")
    client_id = template.get_resource_id("AWS::Cognito::UserPoolClient")
    # Each deploy-time value stands in config.json as a marker the deployment replaces; name them.
    readable = {
        json.dumps(join('"https://', get_att(distribution_id, "DomainName"), '/"')): "URL",
        json.dumps(join('"', ref("AWS::Region"), '"')): "REGION",
        json.dumps(join('"', ref(pool_id), '"')): "POOL",
        json.dumps(join('"', ref(client_id), '"')): "CLIENT",
    }
    config_asset = synthesis.outdir / f"asset.{keys.as_array()[1].removesuffix('.zip')}"
    deployed = (config_asset / "config.json").read_text()
    for marker, value in markers.as_object().items():
        deployed = deployed.replace(marker, json.dumps(readable[json.dumps(value)]))
    assert json.loads(deployed) == {
        "apiBaseUrl": "URL",
        "dataBaseUrl": "data/",
        "apiTimeoutMs": 2500,
        "cognito": {"region": "REGION", "userPoolId": "POOL", "clientId": "CLIENT"},
        "profileEmulation": True,
    }
