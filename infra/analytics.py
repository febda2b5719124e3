"""The analytics sink: every storefront event, through Amazon Data Firehose, to S3; Glue and Athena over it.

Amazon Pinpoint closed to new customers on 2025-05-20 and reached end of support on 2026-10-30;
AWS's migration guidance sends event collection to Kinesis and Data Firehose. This construct is
the sink every deployment has (`pinpoint_sync` stays, optional). docs/analytics.md.

- **Rule** `all-events-to-analytics` (`ANALYTICS_STREAM.rule`, pattern from the contracts' rule
  table) on the bus. Its target is the delivery stream with input path `$.detail`, so each record
  is exactly the bus detail; a retry policy (maximum event age, retry attempts from the spec) and
  a dead-letter queue (SQS, encrypted, 14 days) for what EventBridge cannot put into the stream.
  The rule's role may call `firehose:PutRecord` and `PutRecordBatch` on this stream only.
- **Stream** (DirectPut, server-side encrypted with an AWS owned key) writing to the data bucket
  under `analytics/event_date=!{timestamp:yyyy-MM-dd}/`, a newline after each record
  (`AppendDelimiterToRecord`), GZIP, records it fails to process under `analytics-errors/`. Buffering 5 MiB /
  300 s (`ANALYTICS_STREAM`): fewer, larger objects (S3 requests and Athena's per-file cost), and
  analytics can wait five minutes. Objects are encrypted by the bucket's default SSE-S3.
- **Partitioning by date only**, with Firehose's timestamp prefix, not dynamic partitioning:
  dynamic partitioning is billed per GB on top of ingestion, needs a buffer of at least 64 MiB,
  and partitioning by event type too would split each day's few objects eight ways (small
  files) while the queries filter by day and read every type anyway. The day is the UTC date
  Firehose received the records, which is within seconds of `sentAt` in normal operation.
- **Glue** database and table (OpenX JSON SerDe, columns of `analytics.schema`), with partition
  projection on `event_date` (type date, from `PROJECTION_START` to NOW): Athena computes the
  partitions, so no crawler runs and no partition is ever added.
- **Athena** workgroup with its result location (the data bucket under `athena-results/`,
  SSE-S3), a cutoff of 10 GiB scanned per query (at most about $0.05 a query at $5 per TB) and
  its configuration enforced, so no client can lift the cutoff or write results elsewhere; the
  named queries of `analytics.queries`, rendered for Athena.
- **Lifecycle** on the bucket: analytics objects expire after 400 days (a year and a season to
  compare with), records under the error prefix after 30, query results after 7.
- **Alarms and widgets**: delivery freshness, failed deliveries to S3, messages in the target's
  DLQ, and EventBridge's failed invocations of the rule are part of the operations dashboard's
  definition (`infra.dashboard.analytics_alarms`, `analytics_widgets`), rendered by
  `infra.observability` with this construct's stream, rule, bus and dead-letter queue.
"""

from __future__ import annotations

import jsii
from aws_cdk import ArnFormat, Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_events as events
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from analytics.dialect import Athena
from analytics.layout import firehose_error_prefix, firehose_prefix
from analytics.queries import QUERIES
from analytics.schema import (
    COLUMNS,
    PARTITION,
    PROJECTION_START,
    TABLE_NAME,
    database_name,
    workgroup_name,
)
from infra.buckets import logical_id
from infra.events import DLQ_IS_THE_END, DLQ_RETENTION, event_pattern
from infra.nag import acknowledge
from personalization.contracts.topology import ANALYTICS_STREAM, DeliveryStreamSpec

ATHENA_RESULTS_PREFIX = "athena-results/"
BYTES_SCANNED_CUTOFF = 10 * 1024**3
"""10 GiB per query: months of this store's gzip JSON, and at most about $0.05 a query."""
ANALYTICS_RETENTION = Duration.days(400)
ERRORS_RETENTION = Duration.days(30)
RESULTS_RETENTION = Duration.days(7)
ERROR_LOG_RETENTION = logs.RetentionDays.ONE_MONTH
ATHENA_ENGINE = "Athena engine version 3"

RULE_TARGET_DLQ_NOT_REDRIVEN = (
    "The dead-letter queue of the rule's Firehose target: EventBridge sends it what it could not put into "
    "the stream after its retry policy. It is the end of the line; an alarm fires on any message and an "
    "operator replays the events from the bus archive to the analytics rule."
)
WRITES_UNDER_ITS_PREFIXES = (
    "Firehose writes objects with generated names under its data and error prefixes: object actions "
    "(PutObject, AbortMultipartUpload, GetObject) on those two prefixes of the one data bucket only."
)


@jsii.implements(events.IRuleTarget)
class _DeliveryStreamTarget:
    """A Firehose target with a retry policy and a DLQ: `targets.FirehoseDeliveryStream` takes neither."""

    def __init__(
        self,
        stream: firehose.CfnDeliveryStream,
        role: iam.IRole,
        dead_letter_queue: sqs.IQueue,
        spec: DeliveryStreamSpec,
    ) -> None:
        self._stream = stream
        self._role = role
        self._dead_letter_queue = dead_letter_queue
        self._spec = spec

    def bind(self, _rule: object, _id: str | None = None) -> events.RuleTargetConfig:
        return events.RuleTargetConfig(
            arn=self._stream.attr_arn,
            role=self._role,
            input=events.RuleTargetInput.from_event_path("$.detail"),
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self._dead_letter_queue.queue_arn),
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_event_age_in_seconds=self._spec.target_max_event_age_seconds,
                maximum_retry_attempts=self._spec.target_retry_attempts,
            ),
            target_resource=self._stream,
        )


class Analytics(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stack_name: str,
        bus: events.IEventBus,
        bucket: s3.Bucket,
        spec: DeliveryStreamSpec = ANALYTICS_STREAM,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self._bucket = bucket
        self.database_name = database_name(stack_name)
        self._add_lifecycle_rules(bucket)
        self.stream = self._delivery_stream(f"{stack_name}-{spec.name}")
        self.dead_letter_queue = sqs.Queue(
            self,
            "TargetDeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        acknowledge(self.dead_letter_queue, "AwsSolutions-SQS3", RULE_TARGET_DLQ_NOT_REDRIVEN)
        acknowledge(self.dead_letter_queue, "Serverless-SQSRedrivePolicy", DLQ_IS_THE_END)
        self.rule = self._rule(bus)
        self.table = self._glue_table()
        self.workgroup = self._workgroup(workgroup_name(stack_name))
        self.named_queries = self._named_queries()
        self.event_bus_name = bus.event_bus_name

    @property
    def stream_name(self) -> str:
        return self.stream.ref

    def _add_lifecycle_rules(self, bucket: s3.Bucket) -> None:
        spec = self.spec
        for rule_id, prefix, expiration in (
            ("AnalyticsEvents", spec.prefix, ANALYTICS_RETENTION),
            ("AnalyticsErrors", spec.error_prefix, ERRORS_RETENTION),
            ("AthenaResults", ATHENA_RESULTS_PREFIX, RESULTS_RETENTION),
        ):
            bucket.add_lifecycle_rule(
                id=rule_id,
                prefix=prefix,
                expiration=expiration,
                abort_incomplete_multipart_upload_after=Duration.days(1),
            )

    def _delivery_stream(self, name: str) -> firehose.CfnDeliveryStream:
        spec, bucket = self.spec, self._bucket
        log_group = logs.LogGroup(
            self, "DeliveryErrors", retention=ERROR_LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        log_stream = log_group.add_stream("S3Delivery")
        role = iam.Role(
            self,
            "StreamRole",
            assumed_by=iam.ServicePrincipal(
                "firehose.amazonaws.com", conditions={"StringEquals": {"sts:ExternalId": Aws.ACCOUNT_ID}}
            ),
            description=f"Assumed by the delivery stream {name} to write to the data bucket",
        )
        object_arns = [
            bucket.arn_for_objects(f"{spec.prefix}*"),
            bucket.arn_for_objects(f"{spec.error_prefix}*"),
        ]
        policy = iam.Policy(
            self,
            "StreamPolicy",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                    resources=[bucket.bucket_arn],
                ),
                iam.PolicyStatement(
                    actions=["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"], resources=object_arns
                ),
                iam.PolicyStatement(
                    actions=["logs:PutLogEvents"],
                    resources=[
                        Stack.of(self).format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name=f"{log_group.log_group_name}:log-stream:{log_stream.log_stream_name}",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    ],
                ),
            ],
        )
        for prefix in (spec.prefix, spec.error_prefix):
            acknowledge(
                policy,
                f"AwsSolutions-IAM5[Resource::<{logical_id(bucket)}.Arn>/{prefix}*]",
                WRITES_UNDER_ITS_PREFIXES,
            )
        stream = firehose.CfnDeliveryStream(
            self,
            "Stream",
            delivery_stream_name=name,
            delivery_stream_type="DirectPut",
            delivery_stream_encryption_configuration_input=(
                firehose.CfnDeliveryStream.DeliveryStreamEncryptionConfigurationInputProperty(
                    key_type="AWS_OWNED_CMK"
                )
            ),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=bucket.bucket_arn,
                role_arn=role.role_arn,
                prefix=firehose_prefix(spec),
                error_output_prefix=firehose_error_prefix(spec),
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    interval_in_seconds=spec.buffer_seconds, size_in_m_bs=spec.buffer_mib
                ),
                compression_format="GZIP",
                encryption_configuration=firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
                    no_encryption_config="NoEncryption"
                ),
                processing_configuration=firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
                    enabled=True,
                    processors=[firehose.CfnDeliveryStream.ProcessorProperty(type="AppendDelimiterToRecord")],
                ),
                cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                    enabled=True,
                    log_group_name=log_group.log_group_name,
                    log_stream_name=log_stream.log_stream_name,
                ),
                s3_backup_mode="Disabled",
            ),
        )
        # Firehose checks its role when the stream is created: the policy must be in place first.
        stream.node.add_dependency(policy)
        return stream

    def _rule(self, bus: events.IEventBus) -> events.Rule:
        spec = self.spec
        role = iam.Role(
            self,
            "RuleTargetRole",
            assumed_by=iam.ServicePrincipal(
                "events.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description=f"Assumed by EventBridge to put the {spec.rule.name} events into the delivery stream",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["firehose:PutRecord", "firehose:PutRecordBatch"], resources=[self.stream.attr_arn]
            )
        )
        rule = events.Rule(
            self,
            "Rule",
            event_bus=bus,
            description=f"{spec.rule.name}: to the {spec.name} delivery stream (Firehose to S3)",
            event_pattern=event_pattern(spec.rule.pattern),
            targets=[_DeliveryStreamTarget(self.stream, role, self.dead_letter_queue, spec)],
        )
        self.dead_letter_queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid="RuleTargetDeadLetters",
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.dead_letter_queue.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": rule.rule_arn}},
            )
        )
        return rule

    def _glue_table(self) -> glue.CfnTable:
        spec, bucket = self.spec, self._bucket
        database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name, description="Storefront events delivered by the analytics stream"
            ),
        )
        location = f"s3://{bucket.bucket_name}/{spec.prefix}"
        key = PARTITION.name
        table = glue.CfnTable(
            self,
            "Table",
            catalog_id=Aws.ACCOUNT_ID,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=TABLE_NAME,
                description="One row per bus event detail (docs/analytics.md); gzip JSON lines",
                table_type="EXTERNAL_TABLE",
                parameters={
                    "EXTERNAL": "TRUE",
                    "classification": "json",
                    "compressionType": "gzip",
                    "projection.enabled": "true",
                    f"projection.{key}.type": "date",
                    f"projection.{key}.format": "yyyy-MM-dd",
                    f"projection.{key}.range": f"{PROJECTION_START.isoformat()},NOW",
                    f"projection.{key}.interval": "1",
                    f"projection.{key}.interval.unit": "DAYS",
                    "storage.location.template": f"{location}{key}=${{{key}}}/",
                },
                partition_keys=[
                    glue.CfnTable.ColumnProperty(name=key, type=PARTITION.type, comment=PARTITION.comment)
                ],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    input_format="org.apache.hadoop.mapred.TextInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    compressed=True,
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.openx.data.jsonserde.JsonSerDe",
                        # JSON keys are matched to the (lowercase) column names case-insensitively.
                        parameters={"case.insensitive": "TRUE"},
                    ),
                    columns=[
                        glue.CfnTable.ColumnProperty(
                            name=column.name.lower(), type=column.type, comment=column.comment
                        )
                        for column in COLUMNS
                    ],
                ),
            ),
        )
        table.node.add_dependency(database)
        return table

    def _workgroup(self, name: str) -> athena.CfnWorkGroup:
        return athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=name,
            description="Queries over the analytics events (named queries of the analytics package)",
            state="ENABLED",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                bytes_scanned_cutoff_per_query=BYTES_SCANNED_CUTOFF,
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                requester_pays_enabled=False,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version=ATHENA_ENGINE
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self._bucket.bucket_name}/{ATHENA_RESULTS_PREFIX}",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                    expected_bucket_owner=Aws.ACCOUNT_ID,
                ),
            ),
        )

    def _named_queries(self) -> list[athena.CfnNamedQuery]:
        dialect = Athena(database=self.database_name)
        created = []
        for query in QUERIES:
            named = athena.CfnNamedQuery(
                self,
                f"Query{''.join(part.capitalize() for part in query.name.split('-'))}",
                name=query.name,
                description=query.description,
                database=self.database_name,
                query_string=dialect.render(query.sql),
                work_group=self.workgroup.ref,
            )
            named.node.add_dependency(self.table)
            created.append(named)
        return created
