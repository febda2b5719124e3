"""The personalization configuration, read from SSM Parameter Store.

One GetParametersByPath call under the prefix (Powertools Parameters), cached for a
TTL. A missing or empty parameter, or `NONE`, means "not configured". When SSM fails,
the last configuration read successfully is still offered to the caller, so the
featured list survives an SSM outage.
"""

from __future__ import annotations

from functools import cache
from typing import cast

from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from personalization.adapters.aws import get_client
from personalization.settings import read_settings
from personalization.usecases.ports import ConfigUnavailableError, PersonalizationConfig


class ConfigReader:
    """The configuration source of the functions (`ConfigSource`): SSM, through Powertools' cache."""

    def __init__(self, provider: SSMProvider, prefix: str, ttl_seconds: int) -> None:
        self._provider = provider
        self._prefix = prefix
        self._ttl_seconds = ttl_seconds
        self._last_known: PersonalizationConfig | None = None

    def load(self) -> PersonalizationConfig:
        try:
            values = cast(
                dict[str, str],
                self._provider.get_multiple(self._prefix, max_age=self._ttl_seconds, recursive=True),
            )
        except (BotoCoreError, ClientError, GetParameterError) as error:
            raise ConfigUnavailableError(error, self._last_known) from error
        self._last_known = PersonalizationConfig.from_parameters(values)
        return self._last_known


@cache
def config_reader() -> ConfigReader:
    settings = read_settings()
    provider = SSMProvider(boto3_client=get_client("ssm"))
    return ConfigReader(provider, settings.parameter_prefix, settings.config_ttl_seconds)
