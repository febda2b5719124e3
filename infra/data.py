"""The data bucket (dataset CSVs for the Personalize imports) and the role Personalize assumes.

Provisioning uploads the dataset here and passes the role to the import jobs. The
bucket is encrypted, TLS-only and private; Personalize reads it through both the
role and the bucket policy (Personalize requires the bucket policy as well).
"""

from __future__ import annotations

from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

PERSONALIZE = "personalize.amazonaws.com"
READ_ACTIONS = ("s3:GetObject", "s3:ListBucket")


class DatasetStorage(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        same_account = {"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="PersonalizeReadsDatasets",
                principals=[iam.ServicePrincipal(PERSONALIZE)],
                actions=list(READ_ACTIONS),
                resources=[self.bucket.bucket_arn, self.bucket.arn_for_objects("*")],
                conditions=same_account,
            )
        )
        self.personalize_role = iam.Role(
            self,
            "PersonalizeRole",
            assumed_by=iam.ServicePrincipal(PERSONALIZE, conditions=same_account),
            description="Assumed by Amazon Personalize to read the dataset files for import jobs",
        )
        self.personalize_role.add_to_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn])
        )
        self.personalize_role.add_to_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[self.bucket.arn_for_objects("*")])
        )
