"""Fixtures for the read handlers: SSM in moto, Personalize runtime behind botocore's Stubber."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Literal

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from personalization.adapters import aws
from personalization.adapters.ssm_config import config_reader
from personalization.contracts import parameters
from personalization.wiring import read_dependencies
from tests.apigw import FakeLambdaContext, rest_event

PREFIX = "/retail-personalization"
ACCOUNT = "123456789012"
USER_CAMPAIGN = f"arn:aws:personalize:us-east-1:{ACCOUNT}:campaign/user-personalization"
USER_RECOMMENDER = f"arn:aws:personalize:us-east-1:{ACCOUNT}:recommender/recommended-for-you"
RELATED_CAMPAIGN = f"arn:aws:personalize:us-east-1:{ACCOUNT}:campaign/related-items"
RANKING_CAMPAIGN = f"arn:aws:personalize:us-east-1:{ACCOUNT}:campaign/personalized-ranking"
EXCLUDE_PURCHASED = f"arn:aws:personalize:us-east-1:{ACCOUNT}:filter/exclude-purchased"
INCLUDE_CATEGORY = f"arn:aws:personalize:us-east-1:{ACCOUNT}:filter/include-category"
FEATURED = ["p1", "p2", "p3", "p4", "p5"]

CONFIGURED = {
    parameters.USER_PERSONALIZATION_ARN: USER_CAMPAIGN,
    parameters.RELATED_ITEMS_ARN: RELATED_CAMPAIGN,
    parameters.PERSONALIZED_RANKING_ARN: RANKING_CAMPAIGN,
    parameters.EVENT_TRACKER_ID: "tracker-1",
    parameters.PINPOINT_APPLICATION_ID: "NONE",
    parameters.EXPERIMENTS: "NONE",
    parameters.filter_parameter("exclude-purchased"): EXCLUDE_PURCHASED,
    parameters.filter_parameter("include-category"): INCLUDE_CATEGORY,
    parameters.FEATURED_ITEM_IDS: ",".join(FEATURED),
}


def _reset_caches() -> None:
    aws.reset_clients()
    read_dependencies.cache_clear()
    config_reader.cache_clear()


@pytest.fixture
def ssm() -> Iterator[Callable[[dict[str, str]], None]]:
    """moto SSM; call the fixture with parameter values (relative names) to write them."""
    _reset_caches()
    with mock_aws():
        client = boto3.client("ssm", region_name="us-east-1")

        def write(values: dict[str, str]) -> None:
            for name, value in values.items():
                kind: Literal["StringList", "String"] = (
                    "StringList" if name == parameters.FEATURED_ITEM_IDS else "String"
                )
                client.put_parameter(
                    Name=parameters.full_name(PREFIX, name), Value=value, Type=kind, Overwrite=True
                )

        yield write
    _reset_caches()


@pytest.fixture
def configured(ssm: Callable[[dict[str, str]], None]) -> Callable[[dict[str, str]], None]:
    ssm(CONFIGURED)
    return ssm


@pytest.fixture
def personalize() -> Iterator[Stubber]:
    """A real personalize-runtime client whose responses the test scripts; unexpected calls fail."""
    client = boto3.client("personalize-runtime", region_name="us-east-1")
    aws.set_client("personalize-runtime", client)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def invoke(handler: Callable[..., dict[str, Any]], event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def get(
    handler: Callable[..., dict[str, Any]], path: str, shopper: str | None = None, **query: str
) -> tuple[int, dict[str, Any]]:
    """GET `path`; with `shopper`, its /me route signed in as that shopper."""
    return invoke(handler, rest_event("GET", path, query=query, shopper=shopper))


def emf_records(output: str) -> list[dict[str, Any]]:
    """The CloudWatch EMF metric records among the captured stdout lines."""
    records = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            records.append(json.loads(line))
    return records


def fallback_reasons(output: str) -> list[str]:
    return [record["reason"] for record in emf_records(output) if "Fallback" in record]


def warning_reasons(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The `reason` of each warning the functions logged."""
    return [getattr(record, "reason", "") for record in caplog.records if record.levelname == "WARNING"]
