"""Every Lambda function, built by one helper from its FunctionSpec.

All functions share the `lambdas/` code asset (copied as is: no Docker, no build
step; the runtime dependencies come from the Powertools layer and the runtime's
boto3) and the public Powertools layer, resolved at deploy time from its SSM
parameter so synth needs no credentials and no version is hard-coded.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from types import MappingProxyType

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.deployment import MEMORY_MB, SNAPSTART, SNAPSTART_ALIAS
from infra.nag import acknowledge
from infra.naming import pascal_case
from infra.permissions import ResourceArns, grant
from infra.settings import DeploymentSettings
from personalization.contracts.topology import FunctionSpec
from repository import LAMBDAS_DIR

RUNTIME = lambda_.Runtime.PYTHON_3_13
"""The functions' Python: the one `make test` also runs the unit and infra tests on (the Makefile's
LAMBDA_PYTHON_VERSION; a test keeps the two equal)."""
ARCHITECTURE = lambda_.Architecture.ARM_64
POWERTOOLS_VERSION = version("aws-lambda-powertools")
"""The Powertools release the tests run with (the venv is built from uv.lock): the layer is that one."""
POWERTOOLS_LAYER_PARAMETER = f"/aws/service/powertools/python/arm64/{RUNTIME.name}/{POWERTOOLS_VERSION}"
"""The layer's public parameter for one release (`.../{python}/{version}`), never `latest`."""

ASSET_EXCLUDES = (
    "**/__pycache__",
    "**/*.pyc",
    "**/tests",
    "**/test_*.py",
    "**/.mypy_cache",
    "**/.ruff_cache",
    "**/.pytest_cache",
    "**/*.md",
)

XRAY_WILDCARD = (
    "AwsSolutions-IAM5[Resource::*]",
    "X-Ray PutTraceSegments and PutTelemetryRecords (active tracing) support no resource-level permissions.",
)
TESTED_RUNTIME_REASON = (
    "Python 3.13, not the newest runtime: the functions run the Python version the test suite also runs "
    "on (make test runs the unit and infra tests on it); a newer one is adopted with its test run."
)
TESTED_RUNTIME_FINDINGS = ("AwsSolutions-L1", "Serverless-LambdaLatestVersion")
NOT_ASYNC = (
    "Serverless-LambdaDLQ",
    "Invoked synchronously by API Gateway or by an SQS event source mapping, never asynchronously: an "
    "asynchronous-invocation DLQ would stay empty. Failed SQS records go to the queue's dead-letter queue.",
)


class Functions(Construct):
    """The functions of the system, looked up by their FunctionSpec, each with its own role and log group.

    The spec's name serves only for construct ids and descriptions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        deployment_values: Mapping[str, str],
    ) -> None:
        """`deployment_values`: environment values known only at deployment (e.g. EVENT_BUS_NAME);
        each function receives those its settings model declares."""
        super().__init__(scope, construct_id)
        self._settings = settings
        self._deployment_values = dict(deployment_values)
        self._code = lambda_.Code.from_asset(str(LAMBDAS_DIR), exclude=list(ASSET_EXCLUDES))
        self._layer = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "PowertoolsLayer",
            ssm.StringParameter.value_for_string_parameter(self, POWERTOOLS_LAYER_PARAMETER),
        )
        self._functions: dict[FunctionSpec, lambda_.Function] = {}
        self._aliases: dict[FunctionSpec, lambda_.Alias] = {}

    def add(self, spec: FunctionSpec) -> lambda_.Function:
        if spec in self._functions:
            raise ValueError(f"function {spec.name!r} was added already")
        scope = Construct(self, pascal_case(spec.name))
        role = iam.Role(
            scope,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{spec.name}: least-privilege execution role",
        )
        log_group = logs.LogGroup(
            scope, "Logs", retention=self._settings.log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            scope,
            "Function",
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=self._code,
            layers=[self._layer],
            memory_size=MEMORY_MB[spec],
            timeout=Duration.seconds(spec.timeout_seconds),
            environment=self.environment_of(spec),
            tracing=lambda_.Tracing.ACTIVE,
            role=role,
            log_group=log_group,
            # SnapStart on published versions; a replaced version is deleted, so no stale snapshot
            # keeps its cache charge (a Python snapshot is cached as long as its version exists).
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if spec in SNAPSTART else None,
            current_version_options=(
                lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY) if spec in SNAPSTART else None
            ),
        )
        if spec in SNAPSTART:
            # The alias follows the version each deployment publishes (its snapshot is taken then).
            self._aliases[spec] = lambda_.Alias(
                scope, "Live", alias_name=SNAPSTART_ALIAS, version=function.current_version
            )
            Annotations.of(function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish",
                "Published: every deployment publishes current_version, and the API invokes its alias.",
            )
        acknowledge(function, *NOT_ASYNC)
        for finding in TESTED_RUNTIME_FINDINGS:
            acknowledge(function, finding, TESTED_RUNTIME_REASON)
        acknowledge(role, *XRAY_WILDCARD)
        self._functions[spec] = function
        return function

    def invocable(self, spec: FunctionSpec) -> lambda_.IFunction:
        """What callers invoke: the `live` alias of a SnapStart function (a snapshot is only used
        through a published version), otherwise the function itself."""
        return self._aliases.get(spec) or self[spec]

    def grant(self, spec: FunctionSpec, arns: ResourceArns) -> None:
        """Grants the function's role the AWS access its spec declares, and nothing else."""
        role = self[spec].role
        assert role is not None, f"{spec.name} has no role"
        grant(role, spec.access, arns)

    def environment_of(self, spec: FunctionSpec) -> dict[str, str]:
        return spec.environment(self._settings.parameter_prefix, self._deployment_values)

    @property
    def by_spec(self) -> Mapping[FunctionSpec, lambda_.Function]:
        """Every function added, by its spec, in the order added (read-only)."""
        return MappingProxyType(self._functions)

    def __getitem__(self, spec: FunctionSpec) -> lambda_.Function:
        try:
            return self._functions[spec]
        except KeyError:
            known = sorted(known.name for known in self._functions)
            raise KeyError(f"function {spec.name!r} was not added; known: {known}") from None
