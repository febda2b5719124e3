"""The personalization configuration, read from SSM Parameter Store.

One GetParametersByPath call under the prefix, cached for a TTL (`ParametersByPath`, the part
of Powertools' SSMProvider the functions use: Powertools' parameters package imports boto3 and
its AppConfig, DynamoDB and Secrets Manager providers, which no function here uses).
A missing or empty parameter, or `NONE`, means "not configured". When SSM fails,
the last configuration read successfully is still offered to the caller, so the
featured list survives an SSM outage. An experiments document that is not valid is
rejected (an error log line naming the problems, an `ExperimentsRejected` metric) and the
last valid one stays in force.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any, Protocol, cast

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from personalization.adapters.aws import get_client
from personalization.contracts import parameters
from personalization.contracts.experiments import NO_EXPERIMENTS, ExperimentsDocument
from personalization.contracts.metrics import MetricName
from personalization.observability import count_with_dimension, logger
from personalization.settings import read_settings
from personalization.usecases.ports import ConfigUnavailableError, PersonalizationConfig, configured_value


class ParametersProvider(Protocol):
    """What the reader needs of a parameters provider (ours, or Powertools' SSMProvider)."""

    def get_multiple(self, path: str, *, max_age: int, recursive: bool) -> Any: ...

    def clear_cache(self) -> None: ...


class ParametersByPath:
    """GetParametersByPath under a path, every page, names relative to the path, kept `max_age`
    seconds: the same dict is answered until then (as Powertools' cache does)."""

    def __init__(self, client: Any, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._clock = clock
        self._cache: dict[tuple[str, bool], tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()

    def get_multiple(self, path: str, *, max_age: int, recursive: bool) -> dict[str, str]:
        key = (path, recursive)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and self._clock() < cached[0]:
                return cached[1]
        values: dict[str, str] = {}
        pages = self._client.get_paginator("get_parameters_by_path").paginate(
            Path=path, Recursive=recursive, WithDecryption=False
        )
        for page in pages:
            for parameter in page.get("Parameters", []):
                name = parameter["Name"]
                values[(name[len(path) :] if name.startswith(path) else name).lstrip("/")] = parameter[
                    "Value"
                ]
        with self._lock:
            self._cache[key] = (self._clock() + max_age, values)
        return values

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()


def _unavailable_errors() -> tuple[type[Exception], ...]:
    """What a failed read raises: botocore's errors, and Powertools' GetParameterError when a
    Powertools provider is in use (its module is loaded then; it is not imported for ours)."""
    powertools = sys.modules.get("aws_lambda_powertools.utilities.parameters.exceptions")
    extra: tuple[type[Exception], ...] = (powertools.GetParameterError,) if powertools else ()
    return (BotoCoreError, ClientError, *extra)


class ConfigReader:
    """The configuration source of the functions (`ConfigSource`): SSM, through a TTL cache."""

    def __init__(self, provider: ParametersProvider, prefix: str, ttl_seconds: int) -> None:
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
        except _unavailable_errors() as error:
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
    provider = ParametersByPath(get_client("ssm"))
    return ConfigReader(provider, settings.parameter_prefix, settings.config_ttl_seconds)
