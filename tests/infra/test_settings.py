"""Context values: defaults, conversion of `-c key=value` strings, clear errors."""

from __future__ import annotations

import pytest
from aws_cdk import App

from experiments.documents import DEMO_DOCUMENT_PATH, demo_document
from infra.settings import DeploymentSettings
from personalization.contracts.experiments import NO_EXPERIMENTS
from personalization.contracts.parameters import DEFAULT_PREFIX
from personalization.settings import DEFAULT_ALLOWED_ORIGINS

pytestmark = pytest.mark.infra


def test_defaults() -> None:
    settings = DeploymentSettings.from_mapping({})
    assert settings.stack_name == "RetailPersonalization"
    assert settings.stage_name == "v1"
    assert settings.parameter_prefix == DEFAULT_PREFIX
    assert settings.allowed_origins == DEFAULT_ALLOWED_ORIGINS
    assert (settings.throttle_rate_limit, settings.throttle_burst_limit) == (50, 100)
    assert (settings.log_retention_days, settings.archive_retention_days) == (30, 30)
    assert settings.alarm_email is None
    assert settings.hosting is False
    assert settings.experiments_file is None
    assert settings.experiments == NO_EXPERIMENTS


def test_values_from_the_command_line_are_converted() -> None:
    app = App(
        context={
            "allowedOrigins": "https://shop.example.com, https://d1.cloudfront.net",
            "throttleRateLimit": "200",
            "throttleBurstLimit": "400",
            "logRetentionDays": "90",
            "archiveRetentionDays": "0",
            "hosting": "true",
            "alarmEmail": "ops@example.com",
            "parameterPrefix": "/shop/prod",
        }
    )
    settings = DeploymentSettings.from_context(app.node)
    assert settings.allowed_origins == ("https://shop.example.com", "https://d1.cloudfront.net")
    assert (settings.throttle_rate_limit, settings.throttle_burst_limit) == (200, 400)
    assert settings.log_retention_days == 90
    assert settings.archive_retention_days == 0
    assert settings.hosting is True
    assert settings.alarm_email == "ops@example.com"
    assert settings.parameter_prefix == "/shop/prod"


def test_experiments_file_is_read_and_validated() -> None:
    app = App(context={"experimentsFile": str(DEMO_DOCUMENT_PATH)})
    settings = DeploymentSettings.from_context(app.node)
    assert settings.experiments_file is not None
    assert settings.experiments_file.path == DEMO_DOCUMENT_PATH
    assert settings.experiments == demo_document()
    assert DeploymentSettings.from_mapping({"experimentsFile": ""}).experiments == NO_EXPERIMENTS


def test_empty_alarm_email_means_none() -> None:
    assert DeploymentSettings.from_mapping({"alarmEmail": ""}).alarm_email is None


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("logRetentionDays", "10", "must be one of"),
        ("allowedOrigins", "shop.example.com", "allowedOrigins"),
        ("throttleRateLimit", "-1", "greater than 0"),
        ("parameterPrefix", "no-leading-slash", "parameterPrefix"),
        ("alarmEmail", "not-an-address", "alarmEmail"),
        ("stageName", "has space", "stageName"),
        ("unknownKey", "1", "unknownKey"),
    ],
)
def test_invalid_values_name_the_context_key(key: str, value: str, problem: str) -> None:
    with pytest.raises(ValueError, match="invalid CDK context") as raised:
        DeploymentSettings.from_mapping({key: value})
    assert key in str(raised.value)
    assert problem in str(raised.value)
