"""SSM parameters created as NONE; the data bucket and the role Personalize assumes."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Capture, Match, Template

from personalization.contracts.parameters import (
    DEFAULT_PREFIX,
    NOT_CONFIGURED,
    STRING_LIST_PARAMETERS,
    all_parameters,
    full_name,
)
from tests.infra.cfn import get_att, join, ref

pytestmark = pytest.mark.infra


def test_every_parameter_exists_as_not_configured(template: Template) -> None:
    template.resource_count_is("AWS::SSM::Parameter", len(all_parameters()))
    for relative_name in all_parameters():
        template.resource_properties_count_is(
            "AWS::SSM::Parameter",
            {
                "Name": full_name(DEFAULT_PREFIX, relative_name),
                "Value": NOT_CONFIGURED,
                "Type": "StringList" if relative_name in STRING_LIST_PARAMETERS else "String",
            },
            1,
        )
    template.has_output("ParameterPrefix", {"Value": DEFAULT_PREFIX})


def test_data_bucket_is_private_encrypted_and_tls_only(template: Template) -> None:
    template.resource_count_is("AWS::S3::Bucket", 1)
    bucket_id = template.get_resource_id("AWS::S3::Bucket")
    template.has_resource(
        "AWS::S3::Bucket",
        {
            "Properties": {
                "PublicAccessBlockConfiguration": Match.object_equals(
                    {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    }
                ),
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                    ]
                },
            },
            "DeletionPolicy": "Retain",
        },
    )
    template.resource_count_is("AWS::S3::BucketPolicy", 1)
    bucket_and_objects = [get_att(bucket_id, "Arn"), join(get_att(bucket_id, "Arn"), "/*")]
    for statement in (
        {
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": bucket_and_objects,
        },
        {
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Condition": {"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}},
            "Effect": "Allow",
            "Principal": {"Service": "personalize.amazonaws.com"},
            "Resource": bucket_and_objects,
            "Sid": "PersonalizeReadsDatasets",
        },
    ):
        template.has_resource_properties(
            "AWS::S3::BucketPolicy",
            {
                "Bucket": ref(bucket_id),
                "PolicyDocument": {"Statement": Match.array_with([Match.object_equals(statement)])},
            },
        )
    template.has_output("DataBucketName", {"Value": ref(bucket_id)})


def test_personalize_role_reads_only_the_data_bucket(template: Template) -> None:
    bucket_id = template.get_resource_id("AWS::S3::Bucket")
    role = Capture()
    template.has_output("PersonalizeRoleArn", {"Value": {"Fn::GetAtt": [role, "Arn"]}})
    role_id = role.as_string()
    template.template_matches(
        {
            "Resources": {
                role_id: {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {
                            "Statement": [
                                Match.object_equals(
                                    {
                                        "Action": "sts:AssumeRole",
                                        "Condition": {
                                            "StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}
                                        },
                                        "Effect": "Allow",
                                        "Principal": {"Service": "personalize.amazonaws.com"},
                                    }
                                )
                            ]
                        }
                    },
                }
            }
        }
    )
    template.resource_properties_count_is("AWS::IAM::Policy", {"Roles": Match.array_with([ref(role_id)])}, 1)
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [ref(role_id)],
            "PolicyDocument": {
                "Statement": [
                    Match.object_equals(
                        {"Action": "s3:ListBucket", "Effect": "Allow", "Resource": get_att(bucket_id, "Arn")}
                    ),
                    Match.object_equals(
                        {
                            "Action": "s3:GetObject",
                            "Effect": "Allow",
                            "Resource": join(get_att(bucket_id, "Arn"), "/*"),
                        }
                    ),
                ]
            },
        },
    )
