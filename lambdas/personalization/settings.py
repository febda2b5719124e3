"""Function settings, read from the environment once and validated, failing fast.

The same models render the environment that the CDK stack and the local stack give
each function (`to_environment`), so the variable names live in one place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from personalization.contracts.parameters import DEFAULT_PREFIX

METRICS_NAMESPACE = "RetailPersonalization"
DEFAULT_ALLOWED_ORIGINS = ("http://127.0.0.1:8080", "http://localhost:8080")
DEFAULT_EVENT_BUS_NAME = "retail-personalization-events"
"""The name both stacks give the bus, unless the deployment names another."""

ParameterPrefix = Annotated[str, Field(pattern=r"^(/[A-Za-z0-9_.-]+)+$", max_length=200)]


class SettingsError(RuntimeError):
    """The function's environment is incomplete or invalid: a deployment fault."""


class FunctionSettings(BaseModel):
    """Settings every function has."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    service_name: str = Field(alias="POWERTOOLS_SERVICE_NAME", min_length=1)
    metrics_namespace: str = Field(alias="POWERTOOLS_METRICS_NAMESPACE", min_length=1)
    parameter_prefix: ParameterPrefix = Field(alias="PARAMETER_PREFIX")
    log_level: str = Field(
        default="INFO", alias="POWERTOOLS_LOG_LEVEL", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$"
    )
    config_ttl_seconds: int = Field(default=60, alias="CONFIG_TTL_SECONDS", ge=1, le=3600)
    allowed_origins_list: str = Field(
        default=",".join(DEFAULT_ALLOWED_ORIGINS),
        alias="ALLOWED_ORIGINS",
        pattern=r"^(\*|https?://[A-Za-z0-9.-]+(:\d+)?)(,https?://[A-Za-z0-9.-]+(:\d+)?)*$",
    )

    @property
    def allowed_origins(self) -> list[str]:
        """Origins allowed by CORS; `*` only where the deployer asks for it."""
        return self.allowed_origins_list.split(",")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Self:
        source = os.environ if environ is None else environ
        try:
            return cls.model_validate(dict(source))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            raise SettingsError(f"invalid function settings ({cls.__name__}): {problems}") from error

    @classmethod
    def for_function(cls, service_name: str, parameter_prefix: str = DEFAULT_PREFIX, **values: str) -> Self:
        """Settings of one deployed function, as the stack builds them."""
        return cls.from_environment(
            {
                "POWERTOOLS_SERVICE_NAME": service_name,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "PARAMETER_PREFIX": parameter_prefix,
                **values,
            }
        )

    def to_environment(self) -> dict[str, str]:
        """The environment variables that reproduce these settings."""
        return {key: _variable(value) for key, value in self.model_dump(by_alias=True).items()}


def _variable(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


class ApiSettings(FunctionSettings):
    """Settings every API function has: who a signed-in request's shopper is (docs/architecture.md §4)."""

    profile_emulation: bool = Field(default=True, alias="PROFILE_EMULATION")
    """On: the token's `custom:shopper_id` (a dataset shopper the account emulates) when set, else `sub`.
    Off: always `sub`, the account itself (a production deployment's choice)."""


class ReadSettings(ApiSettings):
    """Settings of the read-path functions (recommend, related, rank)."""

    personalize_connect_timeout: float = Field(default=0.25, alias="PERSONALIZE_CONNECT_TIMEOUT", gt=0, le=5)
    personalize_read_timeout: float = Field(default=0.5, alias="PERSONALIZE_READ_TIMEOUT", gt=0, le=10)
    personalize_budget_seconds: float = Field(default=1.0, alias="PERSONALIZE_BUDGET_SECONDS", gt=0, le=25)


@cache
def read_settings() -> ReadSettings:
    return ReadSettings.from_environment()


class EventSettings(ApiSettings):
    """Settings of track_event: the bus its events go to (the stack passes the bus it creates)."""

    event_bus_name: str = Field(
        alias="EVENT_BUS_NAME",
        min_length=1,
        max_length=256,
        pattern=r"^[A-Za-z0-9._/-]+$",
    )


@cache
def event_settings() -> EventSettings:
    return EventSettings.from_environment()


DEAD_LETTER_QUEUE_URL = "DEAD_LETTER_QUEUE_URL"
"""The variable naming a sink function's dead-letter queue; each stack adds it once the queue exists."""
RETRY_BACKOFF_MAX_SECONDS = "RETRY_BACKOFF_MAX_SECONDS"
SQS_MAX_VISIBILITY_SECONDS = 43_200
"""SQS's longest visibility timeout: 12 hours."""

QueueUrl = Annotated[str, Field(pattern=r"^https?://[A-Za-z0-9.:-]+/\d{12}/[A-Za-z0-9_-]{1,80}$")]


class SinkSettings(FunctionSettings):
    """Settings of the sink functions: the dead-letter queue that takes the records the service
    refuses for good, and the longest a failed record is hidden before its next attempt.

    The URL is optional in the model because the CDK stack creates the queue after the function
    (the environment is rendered without it); `dead_letter_queue` requires it at run time."""

    dead_letter_queue_url: QueueUrl | None = Field(default=None, alias=DEAD_LETTER_QUEUE_URL)
    retry_backoff_max_seconds: int = Field(
        default=SQS_MAX_VISIBILITY_SECONDS,
        alias=RETRY_BACKOFF_MAX_SECONDS,
        ge=0,
        le=SQS_MAX_VISIBILITY_SECONDS,
    )

    @property
    def dead_letter_queue(self) -> str:
        if self.dead_letter_queue_url is None:
            raise SettingsError(f"invalid function settings (SinkSettings): {DEAD_LETTER_QUEUE_URL}: missing")
        return self.dead_letter_queue_url

    def to_environment(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.model_dump(by_alias=True, exclude_none=True).items()}


@cache
def sink_settings() -> SinkSettings:
    return SinkSettings.from_environment()
