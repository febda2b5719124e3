"""SSM parameters created as NONE, the experiments document of `-c experimentsFile`; the data
bucket and the role Personalize assumes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk.assertions import Capture, Match, Template

from experiments.documents import DEMO_DOCUMENT_PATH
from infra.app import build_app
from infra.settings import STANDARD_PARAMETER_MAX_BYTES
from personalization.contracts.parameters import (
    DEFAULT_PREFIX,
    EXPERIMENTS,
    NOT_CONFIGURED,
    STRING_LIST_PARAMETERS,
    all_parameters,
    full_name,
)
from tests.infra.cfn import get_att, join, ref

pytestmark = pytest.mark.infra

ARN = "arn:aws:personalize:us-east-1:123456789012:campaign/"


def large_document() -> dict[str, object]:
    """Valid, but more than 4 KB as compact JSON: three use cases, ten variants each, each an ARN."""
    use_cases = {
        "user-personalization": "featured",
        "related-items": "featured",
        "personalized-ranking": "natural",
    }
    return {
        "experiments": [
            {
                "name": f"{use_case}-experiment",
                "useCase": use_case,
                "variants": [
                    {"name": f"holdout-{holdout}", "weight": 10, "source": holdout},
                    *(
                        {
                            "name": f"campaign-{n}",
                            "weight": 10,
                            "source": "personalize",
                            "arn": f"{ARN}c{n:036d}",
                        }
                        for n in range(9)
                    ),
                ],
            }
            for use_case, holdout in use_cases.items()
        ]
    }


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


def test_experiments_parameter_holds_the_deployed_document_as_compact_json(
    template: Template, hosted_template: Template
) -> None:
    name = full_name(DEFAULT_PREFIX, EXPERIMENTS)
    template.has_resource_properties("AWS::SSM::Parameter", {"Name": name, "Value": NOT_CONFIGURED})
    value = Capture()
    hosted_template.has_resource_properties(
        "AWS::SSM::Parameter", {"Name": name, "Type": "String", "Value": value, "Tier": Match.absent()}
    )
    text = value.as_string()
    assert json.loads(text) == json.loads(DEMO_DOCUMENT_PATH.read_text())
    assert text == json.dumps(json.loads(text), separators=(",", ":"))
    for relative_name in all_parameters():
        if relative_name != EXPERIMENTS:
            hosted_template.resource_properties_count_is(
                "AWS::SSM::Parameter",
                {"Name": full_name(DEFAULT_PREFIX, relative_name), "Value": NOT_CONFIGURED},
                1,
            )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not a valid experiments document: document: Invalid JSON"),
        (
            '{"experiments": [{"name": "x", "useCase": "related-items", "variants": '
            '[{"name": "a", "weight": 1, "source": "featured"}]}]}',
            "experiments.0.variants: List should have at least 2 items",
        ),
        ('{"experiments": [], "extra": 1}', "extra: Extra inputs are not permitted"),
        (
            json.dumps(large_document()),
            f"SSM parameter (standard tier) holds at most {STANDARD_PARAMETER_MAX_BYTES}",
        ),
        (None, "cannot be read (No such file or directory)"),
    ],
    ids=["json", "variants", "extra", "too-large", "missing"],
)
def test_a_bad_experiments_file_fails_the_synth_naming_the_file_and_the_problem(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    path = tmp_path / "experiments.json"
    if content is not None:
        path.write_text(content)
    app = App(context={"experimentsFile": str(path)}, outdir=str(tmp_path / "cdk.out"))
    with pytest.raises(ValueError, match="invalid CDK context: context 'experimentsFile'") as raised:
        build_app(app)
    assert f"{path}: " in str(raised.value)
    assert problem in str(raised.value)


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
