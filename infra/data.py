"""The data bucket (dataset CSVs for the Personalize imports) and the role Personalize assumes.

Provisioning uploads the dataset here and passes the role to the import jobs. The
bucket is encrypted, TLS-only and private; Personalize reads it through both the
role and the bucket policy (Personalize requires the bucket policy as well).
"""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.buckets import logical_id, private_bucket
from infra.nag import acknowledge

PERSONALIZE = "personalize.amazonaws.com"
READ_ACTIONS = ("s3:GetObject", "s3:ListBucket")


class DatasetStorage(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            why_no_access_logs="Holds only the dataset files provisioning uploads for the Personalize "
            "imports; object access is audited with CloudTrail data events where needed; a log bucket "
            "would need this exception itself.",
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
        acknowledge(
            self.personalize_role,
            f"AwsSolutions-IAM5[Resource::<{logical_id(self.bucket)}.Arn>/*]",
            "Personalize import jobs read the dataset objects provisioning uploads: s3:GetObject on the "
            "objects of this one bucket, read-only.",
        )
