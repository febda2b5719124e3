"""Optional hosting: private bucket behind CloudFront (OAC), the API routes on the same origin."""

from __future__ import annotations

import json
from typing import Any

import pytest

from personalization.contracts.topology import ROUTES
from tests.infra.cfn import only, ref_id, resources, text
from tests.infra.conftest import Synthesis

pytestmark = pytest.mark.infra


def test_hosting_is_off_by_default(template: dict[str, Any]) -> None:
    assert not resources(template, "AWS::CloudFront::Distribution")
    assert "StorefrontUrl" not in template["Outputs"]


def test_storefront_bucket_is_reached_only_through_origin_access_control(
    hosted_template: dict[str, Any],
) -> None:
    _, oac = only(hosted_template, "AWS::CloudFront::OriginAccessControl")
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    _, distribution = only(hosted_template, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    s3_origin = next(origin for origin in config["Origins"] if "S3OriginConfig" in origin)
    assert s3_origin["OriginAccessControlId"]
    buckets = resources(hosted_template, "AWS::S3::Bucket")
    storefront_id = next(id_ for id_ in buckets if id_.startswith("Storefront"))
    assert buckets[storefront_id]["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    policies = [
        text(policy["Properties"]["PolicyDocument"]["Statement"])
        for policy in resources(hosted_template, "AWS::S3::BucketPolicy").values()
        if ref_id(policy["Properties"]["Bucket"]) == storefront_id
    ]
    (statements,) = policies
    allowed = [statement for statement in statements if statement["Effect"] == "Allow"]
    assert [statement["Principal"] for statement in allowed] == [{"Service": "cloudfront.amazonaws.com"}]


def test_api_routes_share_the_storefront_origin_uncached(hosted_template: dict[str, Any]) -> None:
    _, distribution = only(hosted_template, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    behaviors = {behavior["PathPattern"]: behavior for behavior in config["CacheBehaviors"]}
    assert set(behaviors) == {route.path for route in ROUTES}
    api_origin = next(origin for origin in config["Origins"] if "CustomOriginConfig" in origin)
    stage_id, _ = only(hosted_template, "AWS::ApiGateway::Stage")
    assert f"${{{stage_id}}}" in json.dumps(text(api_origin["OriginPath"]))
    for behavior in behaviors.values():
        assert behavior["TargetOriginId"] == api_origin["Id"]
        assert behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
        assert "POST" in behavior["AllowedMethods"]


def test_storefront_files_and_config_are_deployed(
    hosted_template: dict[str, Any], synthesis: Synthesis
) -> None:
    _, deployment = only(hosted_template, "Custom::CDKBucketDeployment")
    properties = deployment["Properties"]
    assert len(properties["SourceObjectKeys"]) == 2
    assert properties["Exclude"] == ["data/*"]
    assert properties["DistributionPaths"] == ["/*"]
    distribution_id, _ = only(hosted_template, "AWS::CloudFront::Distribution")
    url = f"https://${{{distribution_id}.DomainName}}/"
    assert text(hosted_template["Outputs"]["StorefrontUrl"]["Value"]) == url
    (markers,) = [markers for markers in text(properties["SourceMarkers"]) if markers]
    ((marker, value),) = markers.items()
    assert json.loads(value) == url
    config_asset = synthesis.outdir / f"asset.{properties['SourceObjectKeys'][1].removesuffix('.zip')}"
    deployed = (config_asset / "config.json").read_text().replace(marker, value)
    assert json.loads(deployed) == {"apiBaseUrl": url, "dataBaseUrl": "data/", "apiTimeoutMs": 2500}
