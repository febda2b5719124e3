"""Deployment settings: every value that differs per deployment, read from CDK context.

Pass any of them as `npx cdk deploy -c key=value` (or in cdk.context.json); each has a
default so a plain `npx cdk synth` works. Values from `-c` arrive as strings and are
converted and validated here, failing with the context key in the message. A value naming a
file (`experimentsFile`) is read and validated here too, so a bad file fails the synth.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Self

from aws_cdk import aws_logs as logs
from constructs import Node
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from experiments.documents import read_document
from infra.deployment import DEFAULT_STAGE
from personalization.contracts.experiments import NO_EXPERIMENTS, ExperimentsDocument
from personalization.contracts.parameters import DEFAULT_PREFIX
from personalization.settings import DEFAULT_ALLOWED_ORIGINS, ParameterPrefix

DEFAULT_STACK_NAME = "RetailPersonalization"

RETENTION_DAYS: dict[int, logs.RetentionDays] = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
    2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}
"""The retention periods CloudWatch Logs accepts, in days."""

ORIGIN_PATTERN = r"^(\*|https?://[A-Za-z0-9.-]+(:\d+)?)$"

STANDARD_PARAMETER_MAX_BYTES = 4096
"""SSM: the value of a standard-tier parameter holds at most 4 KB."""


def _comma_separated(value: object) -> object:
    """`-c allowedOrigins=a,b` arrives as one string; cdk.context.json may hold a list."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _empty_as_none(value: object) -> object:
    return None if value == "" else value


class ExperimentsFile(BaseModel):
    """An experiments document deployed with the stack (`-c experimentsFile=path`): the file it
    was read from, the validated document and the parameter value it becomes (compact JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path
    document: ExperimentsDocument

    @property
    def parameter_value(self) -> str:
        return self.document.model_dump_json(exclude_none=True)

    @classmethod
    def read(cls, path: Path) -> Self:
        """The file's document, validated; a ValueError names the file and the problem."""
        try:
            document = read_document(path)
        except OSError as error:
            raise ValueError(f"{path}: cannot be read ({error.strerror or error})") from error
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in e['loc']) or 'document'}: {e['msg']}"
                for e in error.errors()
            )
            raise ValueError(f"{path}: not a valid experiments document: {problems}") from error
        experiments_file = cls(path=path, document=document)
        size = len(experiments_file.parameter_value.encode())
        if size > STANDARD_PARAMETER_MAX_BYTES:
            raise ValueError(
                f"{path}: the document is {size} bytes as compact JSON; the SSM parameter "
                f"(standard tier) holds at most {STANDARD_PARAMETER_MAX_BYTES}"
            )
        return experiments_file


def _experiments_file(value: object) -> object:
    """`-c experimentsFile=path` arrives as a path string: read and validate the file."""
    if value == "":
        return None
    if isinstance(value, str | Path):
        return ExperimentsFile.read(Path(value))
    return value


Origin = Annotated[str, Field(pattern=ORIGIN_PATTERN)]


class DeploymentSettings(BaseModel):
    """The CDK context values (the alias is the context key) with their defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    stack_name: str = Field(
        default=DEFAULT_STACK_NAME, alias="stackName", pattern=r"^[A-Za-z][A-Za-z0-9-]{0,63}$"
    )
    """CloudFormation stack name; also the prefix of the bus name and the dashboard name."""
    stage_name: str = Field(default=DEFAULT_STAGE, alias="stageName", pattern=r"^[A-Za-z0-9_]{1,64}$")
    """API Gateway stage, the last segment of ApiUrl."""
    parameter_prefix: ParameterPrefix = Field(default=DEFAULT_PREFIX, alias="parameterPrefix")
    """SSM path under which the configuration parameters live (docs/architecture.md §6)."""
    allowed_origins: Annotated[tuple[Origin, ...], BeforeValidator(_comma_separated)] = Field(
        default=DEFAULT_ALLOWED_ORIGINS, alias="allowedOrigins", min_length=1
    )
    """Storefront origins allowed by CORS, comma-separated; `*` only when asked for."""
    throttle_rate_limit: float = Field(default=50, alias="throttleRateLimit", gt=0, le=10_000)
    """Steady-state requests per second of each read method (and the stage's default)."""
    throttle_burst_limit: int = Field(default=100, alias="throttleBurstLimit", gt=0, le=5_000)
    """Burst bucket size of each read method (and the stage's default)."""
    events_throttle_rate_limit: float = Field(default=25, alias="eventsThrottleRateLimit", gt=0, le=10_000)
    """Steady-state requests per second of POST /events and of POST /me/events, each."""
    events_throttle_burst_limit: int = Field(default=50, alias="eventsThrottleBurstLimit", gt=0, le=5_000)
    """Burst bucket size of each events method."""
    profile_emulation: bool = Field(default=True, alias="profileEmulation")
    """A signed-in account may emulate a dataset shopper (`custom:shopper_id`); false in production:
    the app client cannot write the attribute and the functions use the token's `sub` only."""
    user_pool_deletion_protection: bool = Field(default=True, alias="userPoolDeletionProtection")
    """The user pool refuses deletion and is retained by `cdk destroy`; false deletes it with the stack."""
    waf: bool = Field(default=False, alias="waf")
    """A WAFv2 web ACL on the stage: per-IP rate rule, AWS common and known-bad-inputs rule groups."""
    waf_rate_limit: int = Field(default=1000, alias="wafRateLimit", ge=10, le=2_000_000_000)
    """Requests one IP may send in 5 minutes before the web ACL blocks it (with `waf`)."""
    log_retention_days: int = Field(default=30, alias="logRetentionDays")
    """Retention of the function log groups and of the API access log group."""
    archive_retention_days: int = Field(default=30, alias="archiveRetentionDays", ge=0, le=3650)
    """How long the event bus archive keeps events for replay; 0 keeps them indefinitely."""
    alarm_email: Annotated[str | None, BeforeValidator(_empty_as_none)] = Field(
        default=None, alias="alarmEmail", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )
    """When set, alarms notify this address through an SNS topic (confirm the subscription email)."""
    hosting: bool = Field(default=False, alias="hosting")
    """Host the storefront on S3 + CloudFront, with config.json pointing at this API."""
    read_latency_p99_ms: int = Field(default=1500, alias="readLatencyP99Ms", ge=100, le=30_000)
    """Alarm threshold for the p99 duration of the read functions."""
    fallback_ratio_percent: float = Field(default=20, alias="fallbackRatioPercent", gt=0, le=100)
    """Alarm threshold: share of Personalize-backed requests answered from the fallback (15 min)."""
    log_level: str = Field(default="INFO", alias="logLevel", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    """Powertools log level of every function."""
    experiments_file: Annotated[ExperimentsFile | None, BeforeValidator(_experiments_file)] = Field(
        default=None, alias="experimentsFile"
    )
    """A JSON experiments document (path relative to the working folder, the repository's when
    `npx cdk` runs): the `{prefix}/experiments` parameter's value and the dashboard's per-variant
    graphs. Without it the parameter stays `NONE` (no experiments)."""

    @field_validator("log_retention_days")
    @classmethod
    def _known_retention(cls, days: int) -> int:
        if days not in RETENTION_DAYS:
            raise ValueError(f"must be one of {sorted(RETENTION_DAYS)}")
        return days

    @property
    def log_retention(self) -> logs.RetentionDays:
        return RETENTION_DAYS[self.log_retention_days]

    @property
    def experiments(self) -> ExperimentsDocument:
        """The deployed experiments document (none without `experimentsFile`)."""
        return NO_EXPERIMENTS if self.experiments_file is None else self.experiments_file.document

    @classmethod
    def context_keys(cls) -> tuple[str, ...]:
        return tuple(field.alias or name for name, field in cls.model_fields.items())

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Self:
        """Settings from context values keyed by context key; absent keys take the default."""
        present = {key: value for key, value in values.items() if value is not None}
        try:
            return cls.model_validate(present)
        except ValidationError as error:
            problems = "; ".join(
                f"context '{'.'.join(str(part) for part in e['loc'])}': {e['msg']}" for e in error.errors()
            )
            raise ValueError(f"invalid CDK context: {problems}") from error

    @classmethod
    def from_context(cls, node: Node) -> Self:
        return cls.from_mapping({key: node.try_get_context(key) for key in cls.context_keys()})
