"""The one way this stack makes a bucket: encrypted, TLS only, no public access, kept on destroy."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge


def private_bucket(scope: Construct, construct_id: str, *, why_no_access_logs: str) -> s3.Bucket:
    """`why_no_access_logs`: the reason this bucket keeps no server access logs (AwsSolutions-S1)."""
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
    acknowledge(bucket, "AwsSolutions-S1", why_no_access_logs)
    return bucket


def logical_id(bucket: s3.Bucket) -> str:
    """The bucket's logical id, as cdk-nag spells it in a finding on a grant to the bucket."""
    resource = bucket.node.default_child
    assert isinstance(resource, s3.CfnBucket), f"{bucket.node.path} has no CfnBucket"
    return Stack.of(bucket).get_logical_id(resource)
