"""SSM parameters created as NONE; the data bucket and the role Personalize assumes."""

from __future__ import annotations

from typing import Any

import pytest

from personalization.contracts.parameters import (
    DEFAULT_PREFIX,
    NOT_CONFIGURED,
    STRING_LIST_PARAMETERS,
    all_parameters,
    full_name,
)
from tests.infra.cfn import only, ref_id, resources, text

pytestmark = pytest.mark.infra


def test_every_parameter_exists_as_not_configured(template: dict[str, Any]) -> None:
    created = {
        parameter["Properties"]["Name"]: parameter["Properties"]
        for parameter in resources(template, "AWS::SSM::Parameter").values()
    }
    assert set(created) == {full_name(DEFAULT_PREFIX, name) for name in all_parameters()}
    for relative_name in all_parameters():
        parameter = created[full_name(DEFAULT_PREFIX, relative_name)]
        assert parameter["Value"] == NOT_CONFIGURED
        assert parameter["Type"] == ("StringList" if relative_name in STRING_LIST_PARAMETERS else "String")
    assert template["Outputs"]["ParameterPrefix"]["Value"] == DEFAULT_PREFIX


def test_data_bucket_is_private_encrypted_and_tls_only(template: dict[str, Any]) -> None:
    bucket_id, bucket = only(template, "AWS::S3::Bucket")
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["DeletionPolicy"] == "Retain"
    _, policy = only(template, "AWS::S3::BucketPolicy")
    assert ref_id(policy["Properties"]["Bucket"]) == bucket_id
    statements = text(policy["Properties"]["PolicyDocument"]["Statement"])
    assert {
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": [f"${{{bucket_id}.Arn}}", f"${{{bucket_id}.Arn}}/*"],
    } in statements
    assert {
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Condition": {"StringEquals": {"aws:SourceAccount": "${AWS::AccountId}"}},
        "Effect": "Allow",
        "Principal": {"Service": "personalize.amazonaws.com"},
        "Resource": [f"${{{bucket_id}.Arn}}", f"${{{bucket_id}.Arn}}/*"],
        "Sid": "PersonalizeReadsDatasets",
    } in statements
    assert ref_id(template["Outputs"]["DataBucketName"]["Value"]) == bucket_id


def test_personalize_role_reads_only_the_data_bucket(template: dict[str, Any]) -> None:
    bucket_id, _ = only(template, "AWS::S3::Bucket")
    role_id = ref_id(template["Outputs"]["PersonalizeRoleArn"]["Value"])
    role = template["Resources"][role_id]["Properties"]
    assert text(role["AssumeRolePolicyDocument"]["Statement"]) == [
        {
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "${AWS::AccountId}"}},
            "Effect": "Allow",
            "Principal": {"Service": "personalize.amazonaws.com"},
        }
    ]
    (policy,) = [
        policy["Properties"]
        for policy in resources(template, "AWS::IAM::Policy").values()
        if [ref_id(role) for role in policy["Properties"]["Roles"]] == [role_id]
    ]
    assert text(policy["PolicyDocument"]["Statement"]) == [
        {"Action": "s3:ListBucket", "Effect": "Allow", "Resource": f"${{{bucket_id}.Arn}}"},
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": f"${{{bucket_id}.Arn}}/*"},
    ]
