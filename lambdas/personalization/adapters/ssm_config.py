"""The personalization configuration, read from SSM Parameter Store.

One GetParametersByPath call under the prefix (Powertools Parameters), cached for a
TTL. A missing or empty parameter, or `NONE`, means "not configured". When SSM fails,
the last configuration read successfully is still offered to the caller, so the
featured list survives an SSM outage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import cast

from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from personalization.adapters.aws import get_client
from personalization.contracts import parameters
from personalization.settings import read_settings


@dataclass(frozen=True)
class PersonalizationConfig:
    user_personalization_arn: str | None = None
    related_items_arn: str | None = None
    personalized_ranking_arn: str | None = None
    event_tracker_id: str | None = None
    pinpoint_application_id: str | None = None
    filter_arns: Mapping[str, str] = field(default_factory=dict)
    featured_item_ids: tuple[str, ...] = ()

    @classmethod
    def from_parameters(cls, values: Mapping[str, str]) -> PersonalizationConfig:
        """Build from parameter values keyed by their name relative to the prefix."""

        def configured(name: str) -> str | None:
            value = (values.get(name) or "").strip()
            return None if value in ("", parameters.NOT_CONFIGURED) else value

        featured = configured(parameters.FEATURED_ITEM_IDS) or ""
        return cls(
            user_personalization_arn=configured(parameters.USER_PERSONALIZATION_ARN),
            related_items_arn=configured(parameters.RELATED_ITEMS_ARN),
            personalized_ranking_arn=configured(parameters.PERSONALIZED_RANKING_ARN),
            event_tracker_id=configured(parameters.EVENT_TRACKER_ID),
            pinpoint_application_id=configured(parameters.PINPOINT_APPLICATION_ID),
            filter_arns={
                name: arn
                for name in _filter_names(values)
                if (arn := configured(parameters.filter_parameter(name)))
            },
            featured_item_ids=tuple(dict.fromkeys(i.strip() for i in featured.split(",") if i.strip())),
        )


def _filter_names(values: Mapping[str, str]) -> list[str]:
    folder = f"{parameters.FILTERS_FOLDER}/"
    return [
        key[len(folder) : -len("-arn")] for key in values if key.startswith(folder) and key.endswith("-arn")
    ]


class ConfigUnavailableError(Exception):
    """SSM could not be read; `last_known` is the last configuration read, if any."""

    def __init__(self, cause: Exception, last_known: PersonalizationConfig | None) -> None:
        super().__init__(f"SSM configuration unavailable: {cause}")
        self.last_known = last_known


class ConfigReader:
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
