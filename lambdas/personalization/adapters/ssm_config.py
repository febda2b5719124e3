"""The personalization configuration, read from SSM Parameter Store.

One GetParametersByPath call under the prefix (Powertools Parameters), cached for a
TTL. A missing or empty parameter, or `NONE`, means "not configured". When SSM fails,
the last configuration read successfully is still offered to the caller, so the
featured list survives an SSM outage. An experiments document that is not valid is
rejected (an error log line naming the problems, an `ExperimentsRejected` metric) and the
last valid one stays in force.
"""

from __future__ import annotations

from functools import cache
from typing import cast

from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from personalization.adapters.aws import get_client
from personalization.contracts import parameters
from personalization.contracts.experiments import NO_EXPERIMENTS, ExperimentsDocument
from personalization.contracts.metrics import MetricName
from personalization.observability import count_with_dimension, logger
from personalization.settings import read_settings
from personalization.usecases.ports import ConfigUnavailableError, PersonalizationConfig, configured_value


class ConfigReader:
    """The configuration source of the functions (`ConfigSource`): SSM, through Powertools' cache."""

    def __init__(self, provider: SSMProvider, prefix: str, ttl_seconds: int) -> None:
        self._provider = provider
        self._prefix = prefix
        self._ttl_seconds = ttl_seconds
        self._last_known: PersonalizationConfig | None = None
        self._last_values: object = None
        """The values `_last_known` was built from: Powertools' cache answers the same dict until the
        TTL ends, so a warm request reuses the configuration instead of rebuilding it."""
        self._experiments_text: str | None = None
        self._experiments = NO_EXPERIMENTS

    def load(self) -> PersonalizationConfig:
        try:
            values = cast(
                dict[str, str],
                self._provider.get_multiple(self._prefix, max_age=self._ttl_seconds, recursive=True),
            )
        except (BotoCoreError, ClientError, GetParameterError) as error:
            raise ConfigUnavailableError(error, self._last_known) from error
        if values is self._last_values and self._last_known is not None:
            return self._last_known
        experiments = self._read_experiments(configured_value(values, parameters.EXPERIMENTS))
        self._last_known = PersonalizationConfig.from_parameters(values, experiments)
        self._last_values = values
        return self._last_known

    def refresh(self) -> None:
        """Read SSM again at the next `load` (after a SnapStart restore); the last-known stays."""
        self._provider.clear_cache()

    def _read_experiments(self, text: str | None) -> ExperimentsDocument:
        """The document of `text`, parsed once per change; a bad one keeps the last valid one."""
        if text == self._experiments_text:
            return self._experiments
        self._experiments_text = text
        if text is None:
            self._experiments = NO_EXPERIMENTS
            return self._experiments
        try:
            self._experiments = ExperimentsDocument.model_validate_json(text)
        except ValidationError as error:
            problems = [
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_input=False)
            ]
            logger.error(
                "experiments document rejected; the last valid one stays in force",
                extra={"problems": problems[:10], "inForce": [e.name for e in self._experiments.experiments]},
            )
            count_with_dimension(MetricName.EXPERIMENTS_REJECTED, "parameter", parameters.EXPERIMENTS)
        return self._experiments


@cache
def config_reader() -> ConfigReader:
    settings = read_settings()
    provider = SSMProvider(boto3_client=get_client("ssm"))
    return ConfigReader(provider, settings.parameter_prefix, settings.config_ttl_seconds)
