"""The analytics sink in the synthesized stack: rule, target, stream, bucket, Glue, Athena, IAM, alarms."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from analytics.dialect import Athena
from analytics.layout import firehose_error_prefix, firehose_prefix
from analytics.queries import QUERIES
from analytics.schema import COLUMNS, PARTITION, PROJECTION_START, TABLE_NAME, database_name, workgroup_name
from infra.analytics import ATHENA_RESULTS_PREFIX, BYTES_SCANNED_CUTOFF
from personalization.contracts.events import EVENT_TYPES, EventDetail
from personalization.contracts.rules import ALL_EVENTS_TO_ANALYTICS, RULES
from personalization.contracts.topology import ANALYTICS_STREAM, DLQ_RETENTION_DAYS
from tests.infra.conftest import DEFAULT_STACK, Synthesis

pytestmark = pytest.mark.infra

SPEC = ANALYTICS_STREAM


@pytest.fixture(scope="module")
def stack(synthesis: Synthesis) -> Template:
    return Template.from_json(synthesis.template(DEFAULT_STACK))


def only(template: Template, resource_type: str, properties: Any = None) -> tuple[str, dict[str, Any]]:
    found = template.find_resources(resource_type, {"Properties": properties} if properties else None)
    assert len(found) == 1, f"expected one {resource_type} matching, found {sorted(found)}"
    logical_id, resource = next(iter(found.items()))
    return logical_id, dict(resource)


def get_att(logical_id: str, attribute: str = "Arn") -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, attribute]}


def data_bucket_id(template: Template) -> str:
    outputs = template.find_outputs("DataBucketName")
    return str(outputs["DataBucketName"]["Value"]["Ref"])


def analytics_rule(template: Template) -> tuple[str, dict[str, Any]]:
    return only(
        template,
        "AWS::Events::Rule",
        {"Description": Match.string_like_regexp(f"^{re.escape(ALL_EVENTS_TO_ANALYTICS.name)}:")},
    )


def stream(template: Template) -> tuple[str, dict[str, Any]]:
    return only(template, "AWS::KinesisFirehose::DeliveryStream")


def policy_of_role(template: Template, role_id: str) -> list[dict[str, Any]]:
    (policy,) = template.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role_id}]}}
    ).values()
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_the_analytics_rule_is_in_the_contracts_rule_table() -> None:
    assert ALL_EVENTS_TO_ANALYTICS in RULES
    assert SPEC.rule is ALL_EVENTS_TO_ANALYTICS
    assert ALL_EVENTS_TO_ANALYTICS.pattern == {
        "source": ["retail.storefront"],
        "detail-type": list(EVENT_TYPES),
    }


def test_rule_pattern_equals_the_contracts_and_targets_the_stream_with_the_detail(stack: Template) -> None:
    bus_id, _ = only(stack, "AWS::Events::EventBus")
    stream_id, _ = stream(stack)
    _, rule = analytics_rule(stack)
    properties = rule["Properties"]
    assert properties["EventPattern"] == ALL_EVENTS_TO_ANALYTICS.pattern
    assert properties["EventBusName"] == {"Ref": bus_id}
    assert properties["State"] == "ENABLED"
    (target,) = properties["Targets"]
    assert target["Arn"] == get_att(stream_id)
    assert target["InputPath"] == "$.detail"
    assert "InputTransformer" not in target
    assert "Input" not in target


def test_rule_target_retries_then_sends_to_an_encrypted_14_day_dlq(stack: Template) -> None:
    rule_id, rule = analytics_rule(stack)
    (target,) = rule["Properties"]["Targets"]
    assert target["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": SPEC.target_max_event_age_seconds,
        "MaximumRetryAttempts": SPEC.target_retry_attempts,
    }
    dlq_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    dlq = stack.to_json()["Resources"][dlq_id]
    assert dlq["Type"] == "AWS::SQS::Queue"
    assert dlq["Properties"]["SqsManagedSseEnabled"] is True
    assert dlq["Properties"]["MessageRetentionPeriod"] == DLQ_RETENTION_DAYS * 24 * 3600 == 14 * 24 * 3600
    stack.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": dlq_id}],
            "PolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                    ),
                    {
                        "Sid": "RuleTargetDeadLetters",
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": get_att(dlq_id),
                        "Condition": {"ArnEquals": {"aws:SourceArn": get_att(rule_id)}},
                    },
                ]
            },
        },
    )


def test_stream_writes_gzip_lines_under_the_date_prefix_of_the_data_bucket(stack: Template) -> None:
    bucket_id = data_bucket_id(stack)
    _, resource = stream(stack)
    properties = resource["Properties"]
    assert properties["DeliveryStreamType"] == "DirectPut"
    assert properties["DeliveryStreamEncryptionConfigurationInput"] == {"KeyType": "AWS_OWNED_CMK"}
    destination = properties["ExtendedS3DestinationConfiguration"]
    assert destination["BucketARN"] == get_att(bucket_id)
    assert destination["Prefix"] == firehose_prefix() == "analytics/event_date=!{timestamp:yyyy-MM-dd}/"
    assert destination["ErrorOutputPrefix"] == firehose_error_prefix()
    assert destination["ErrorOutputPrefix"].startswith(SPEC.error_prefix)
    assert "!{firehose:error-output-type}" in destination["ErrorOutputPrefix"]
    assert not destination["ErrorOutputPrefix"].startswith(SPEC.prefix), "errors stay out of the table"
    assert destination["CompressionFormat"] == "GZIP"
    assert destination["BufferingHints"] == {"IntervalInSeconds": 300, "SizeInMBs": 5}
    assert (SPEC.buffer_seconds, SPEC.buffer_mib) == (300, 5)
    assert destination["ProcessingConfiguration"] == {
        "Enabled": True,
        "Processors": [{"Type": "AppendDelimiterToRecord"}],
    }
    assert "DynamicPartitioningConfiguration" not in destination
    # The objects are encrypted by the bucket's default encryption (SSE-S3), not a KMS key of the stream.
    assert destination["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}
    bucket = stack.to_json()["Resources"][bucket_id]["Properties"]
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert destination["CloudWatchLoggingOptions"]["Enabled"] is True


def test_bucket_lifecycle_expires_each_prefix(stack: Template) -> None:
    bucket = stack.to_json()["Resources"][data_bucket_id(stack)]["Properties"]
    rules = {rule["Prefix"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert {prefix: rule["ExpirationInDays"] for prefix, rule in rules.items()} == {
        "analytics/": 400,
        "analytics-errors/": 30,
        ATHENA_RESULTS_PREFIX: 7,
    }
    assert all(rule["Status"] == "Enabled" for rule in rules.values())


def test_glue_table_has_the_detail_fields_and_projects_the_date_partition(stack: Template) -> None:
    bucket_id = data_bucket_id(stack)
    database = database_name(DEFAULT_STACK)
    assert database == "retail_personalization_analytics"
    _, db = only(stack, "AWS::Glue::Database")
    assert db["Properties"]["DatabaseInput"]["Name"] == database
    _, table = only(stack, "AWS::Glue::Table")
    assert table["Properties"]["DatabaseName"] == database
    table_input = table["Properties"]["TableInput"]
    assert table_input["Name"] == TABLE_NAME
    descriptor = table_input["StorageDescriptor"]
    columns = {column["Name"]: column["Type"] for column in descriptor["Columns"]}
    detail_fields = {name.lower() for name in EventDetail.model_fields}
    assert detail_fields <= set(columns), "every field of the bus detail is a column"
    assert set(columns) - detail_fields <= {"experiment"}
    assert list(columns) == [column.name.lower() for column in COLUMNS]
    assert columns["experiment"] == "struct<name:string,variant:string>"
    assert columns["properties"] == "map<string,string>"
    assert all(columns[name] == "string" for name in detail_fields - {"properties", "experiment"})
    assert descriptor["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert descriptor["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    location = {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/analytics/"]]}
    assert descriptor["Location"] == location
    assert table_input["PartitionKeys"] == [
        {"Name": "event_date", "Type": "string", "Comment": PARTITION.comment}
    ]
    parameters = table_input["Parameters"]
    assert {key: value for key, value in parameters.items() if key.startswith("projection.")} == {
        "projection.enabled": "true",
        "projection.event_date.type": "date",
        "projection.event_date.format": "yyyy-MM-dd",
        "projection.event_date.range": f"{PROJECTION_START.isoformat()},NOW",
        "projection.event_date.interval": "1",
        "projection.event_date.interval.unit": "DAYS",
    }
    assert parameters["storage.location.template"] == {
        "Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/analytics/event_date=${event_date}/"]]
    }
    assert not stack.find_resources("AWS::Glue::Crawler")


def test_workgroup_enforces_its_results_location_encryption_and_scan_cutoff(stack: Template) -> None:
    bucket_id = data_bucket_id(stack)
    _, workgroup = only(stack, "AWS::Athena::WorkGroup")
    properties = workgroup["Properties"]
    assert properties["Name"] == workgroup_name(DEFAULT_STACK)
    configuration = properties["WorkGroupConfiguration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] == BYTES_SCANNED_CUTOFF == 10 * 1024**3
    results = configuration["ResultConfiguration"]
    assert results["OutputLocation"] == {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/athena-results/"]]}
    assert results["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}


def test_named_queries_hold_the_sql_of_the_analytics_package(stack: Template) -> None:
    workgroup_id, _ = only(stack, "AWS::Athena::WorkGroup")
    database = database_name(DEFAULT_STACK)
    saved = {
        resource["Properties"]["Name"]: resource["Properties"]
        for resource in stack.find_resources("AWS::Athena::NamedQuery").values()
    }
    assert set(saved) == {query.name for query in QUERIES}
    for query in QUERIES:
        properties = saved[query.name]
        assert properties["QueryString"] == Athena(database=database).render(query.sql)
        assert properties["Database"] == database
        assert properties["WorkGroup"] == {"Ref": workgroup_id}
        assert properties["Description"] == query.description


def test_rule_role_may_only_put_records_into_the_stream(stack: Template) -> None:
    stream_id, _ = stream(stack)
    _, rule = analytics_rule(stack)
    (target,) = rule["Properties"]["Targets"]
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    role = stack.to_json()["Resources"][role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
        }
    ]
    assert policy_of_role(stack, role_id) == [
        {
            "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
            "Effect": "Allow",
            "Resource": get_att(stream_id),
        }
    ]


def test_stream_role_writes_only_under_its_prefixes_of_the_data_bucket(stack: Template) -> None:
    bucket_id = data_bucket_id(stack)
    _, resource = stream(stack)
    role_id = resource["Properties"]["ExtendedS3DestinationConfiguration"]["RoleARN"]["Fn::GetAtt"][0]
    role = stack.to_json()["Resources"][role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "AWS::AccountId"}}},
            "Effect": "Allow",
            "Principal": {"Service": "firehose.amazonaws.com"},
        }
    ]
    statements = policy_of_role(stack, role_id)
    bucket_arn = get_att(bucket_id)

    def under(prefix: str) -> dict[str, Any]:
        return {"Fn::Join": ["", [bucket_arn, f"/{prefix}*"]]}

    assert statements[:2] == [
        {
            "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            "Effect": "Allow",
            "Resource": bucket_arn,
        },
        {
            "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": [under(SPEC.error_prefix), under(SPEC.prefix)],  # CDK sorts them
        },
    ]
    (logs,) = statements[2:]
    assert logs["Action"] == "logs:PutLogEvents"
    assert ":log-group:" in json.dumps(logs["Resource"])
    assert ":log-stream:" in json.dumps(logs["Resource"])


def test_no_analytics_policy_grants_a_wildcard_action(stack: Template) -> None:
    resources = stack.to_json()["Resources"]
    analytics_roles = [
        logical_id
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Role" and logical_id.startswith("Analytics")
    ]
    assert len(analytics_roles) == 2
    for role_id in analytics_roles:
        for statement in policy_of_role(stack, role_id):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in action for action in actions), statement
            assert statement["Resource"] != "*"


def alarm_on(stack: Template, metric_name: str) -> dict[str, Any]:
    (alarm,) = stack.find_resources(
        "AWS::CloudWatch::Alarm", {"Properties": {"MetricName": metric_name}}
    ).values()
    properties: dict[str, Any] = alarm["Properties"]
    return properties


def test_alarms_on_freshness_failed_deliveries_dead_letters_and_failed_invocations(stack: Template) -> None:
    stream_id, _ = stream(stack)
    rule_id, rule = analytics_rule(stack)
    freshness = alarm_on(stack, "DeliveryToS3.DataFreshness")
    assert freshness["Namespace"] == "AWS/Firehose"
    assert freshness["Dimensions"] == [{"Name": "DeliveryStreamName", "Value": {"Ref": stream_id}}]
    assert (freshness["Threshold"], freshness["ComparisonOperator"]) == (900, "GreaterThanThreshold")
    success = alarm_on(stack, "DeliveryToS3.Success")
    assert (success["Threshold"], success["ComparisonOperator"]) == (1, "LessThanThreshold")
    failed = alarm_on(stack, "FailedInvocations")
    assert failed["Namespace"] == "AWS/Events"
    assert {dimension["Name"]: dimension["Value"] for dimension in failed["Dimensions"]} == {
        "EventBusName": {"Ref": rule["Properties"]["EventBusName"]["Ref"]},
        "RuleName": {"Ref": rule_id},
    }
    (target,) = rule["Properties"]["Targets"]
    dlq_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    stack.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": get_att(dlq_id, "QueueName")}],
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        },
    )
    for alarm in (freshness, success, failed):
        assert alarm["TreatMissingData"] == "notBreaching"


def test_dashboard_shows_the_stream_and_outputs_name_the_workgroup(stack: Template) -> None:
    (dashboard,) = stack.find_resources("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in (
        "DeliveryToS3.DataFreshness",
        "DeliveryToS3.Success",
        "IncomingRecords",
        "FailedInvocations",
    ):
        assert metric in body
    workgroup_id, _ = only(stack, "AWS::Athena::WorkGroup")
    assert stack.find_outputs("AnalyticsWorkGroup")["AnalyticsWorkGroup"]["Value"] == {"Ref": workgroup_id}
    assert stack.find_outputs("AnalyticsDatabase")["AnalyticsDatabase"]["Value"] == database_name(
        DEFAULT_STACK
    )
