"""The SSM configuration reader: one GetParametersByPath, TTL cache, NONE, SSM outages."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import boto3
import pytest
from aws_lambda_powertools.utilities.parameters import SSMProvider
from botocore.stub import Stubber

from personalization.adapters.ssm_config import ConfigReader, ParametersProvider
from personalization.contracts import parameters
from personalization.usecases.ports import ConfigUnavailableError, PersonalizationConfig
from recommend.handler import lambda_handler
from tests.unit.read.conftest import CONFIGURED, EXCLUDE_PURCHASED, FEATURED, PREFIX, USER_CAMPAIGN, get

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_ssm import SSMClient

pytestmark = pytest.mark.unit


def powertools_provider(client: BaseClient) -> ParametersProvider:
    """Powertools' SSMProvider over an SSM client (a Stubber's is typed as a bare BaseClient)."""
    return SSMProvider(boto3_client=cast("SSMClient", client))


def counting_reader(ttl_seconds: int = 60) -> tuple[ConfigReader, list[str]]:
    client = boto3.client("ssm", region_name="us-east-1")
    calls: list[str] = []
    client.meta.events.register("before-call.ssm.*", lambda model, **_: calls.append(model.name))
    return ConfigReader(powertools_provider(client), PREFIX, ttl_seconds), calls


def test_all_parameters_are_read_in_one_call(configured) -> None:
    reader, calls = counting_reader()

    config = reader.load()

    assert calls == ["GetParametersByPath"]
    assert config.user_personalization_arn == USER_CAMPAIGN
    assert config.pinpoint_application_id is None
    assert config.filter_arns["exclude-purchased"] == EXCLUDE_PURCHASED
    assert config.featured_item_ids == tuple(FEATURED)


def test_second_read_within_the_ttl_makes_no_ssm_request(configured) -> None:
    reader, calls = counting_reader(ttl_seconds=60)

    reader.load()
    reader.load()

    assert calls == ["GetParametersByPath"]


def test_handler_reads_ssm_once_for_two_requests(configured, personalize: Stubber) -> None:
    from personalization.adapters.aws import get_client

    calls: list[str] = []
    get_client("ssm").meta.events.register("before-call.ssm.*", lambda model, **_: calls.append(model.name))

    get(lambda_handler, "/recommendations")
    get(lambda_handler, "/recommendations")

    assert calls == ["GetParametersByPath"]


@pytest.mark.parametrize("empty", ["NONE", " ", "none-but-not-NONE"])
def test_none_and_blank_values_mean_not_configured(empty: str) -> None:
    config = PersonalizationConfig.from_parameters({parameters.USER_PERSONALIZATION_ARN: empty})

    expected = None if empty.strip() in ("", "NONE") else empty
    assert config.user_personalization_arn == expected


def test_featured_list_is_trimmed_and_deduplicated() -> None:
    config = PersonalizationConfig.from_parameters({parameters.FEATURED_ITEM_IDS: " p1, p2,,p1 ,p3"})

    assert config.featured_item_ids == ("p1", "p2", "p3")


def failing_ssm_client() -> Stubber:
    client = boto3.client("ssm", region_name="us-east-1")
    return Stubber(client)


def test_ssm_failure_without_a_previous_read_is_reported() -> None:
    stubber = failing_ssm_client()
    stubber.add_client_error("get_parameters_by_path", "InternalServerError", http_status_code=500)
    reader = ConfigReader(powertools_provider(stubber.client), PREFIX, 60)

    with stubber, pytest.raises(ConfigUnavailableError) as raised:
        reader.load()

    assert raised.value.last_known is None


def test_ssm_failure_after_a_read_offers_the_last_known_configuration() -> None:
    stubber = failing_ssm_client()
    stubber.add_response(
        "get_parameters_by_path",
        {"Parameters": [{"Name": f"{PREFIX}/{parameters.FEATURED_ITEM_IDS}", "Value": "p1,p2"}]},
    )
    stubber.add_client_error("get_parameters_by_path", "ThrottlingException", http_status_code=400)
    provider = powertools_provider(stubber.client)
    reader = ConfigReader(provider, PREFIX, ttl_seconds=60)

    with stubber:
        reader.load()
        provider.clear_cache()  # as when the TTL has run out
        with pytest.raises(ConfigUnavailableError) as raised:
            reader.load()

    assert raised.value.last_known is not None
    assert raised.value.last_known.featured_item_ids == ("p1", "p2")


def test_ssm_outage_serves_fallback_from_the_last_known_featured_list(
    ssm, personalize: Stubber, capsys
) -> None:
    from personalization.adapters import aws

    stubber = failing_ssm_client()
    stubber.add_client_error("get_parameters_by_path", "InternalServerError", http_status_code=500)
    aws.set_client("ssm", stubber.client)

    with stubber:
        status, body = get(lambda_handler, "/recommendations", shopper="42")

    assert (status, body["source"], body["items"]) == (200, "fallback", [])
    assert '"reason":"config-unavailable"' in capsys.readouterr().out


def test_configured_values_are_everything_the_stack_creates() -> None:
    assert set(CONFIGURED) == set(parameters.all_parameters())


EXPERIMENT = (
    '{"experiments": [{"name": "home-recs", "useCase": "user-personalization", "variants": ['
    '{"name": "personalized", "weight": 1, "source": "personalize"},'
    '{"name": "holdout", "weight": 1, "source": "featured"}]}]}'
)


def test_the_experiments_document_is_read_with_the_rest(configured) -> None:
    configured({parameters.EXPERIMENTS: EXPERIMENT})
    reader, calls = counting_reader(ttl_seconds=1)

    experiments = reader.load().experiments

    assert calls == ["GetParametersByPath"]
    assert [e.name for e in experiments.experiments] == ["home-recs"]


def test_a_bad_experiments_document_keeps_the_last_valid_one_with_a_log_and_a_metric(
    configured, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    configured({parameters.EXPERIMENTS: EXPERIMENT})
    reader, _ = counting_reader(ttl_seconds=1)
    reader.load()
    capsys.readouterr()
    configured({parameters.EXPERIMENTS: EXPERIMENT.replace('"weight": 1', '"weight": -1', 1)})
    reader._provider.clear_cache()

    config = reader.load()
    output = capsys.readouterr().out

    assert [e.name for e in config.experiments.experiments] == ["home-recs"]
    assert config.user_personalization_arn == USER_CAMPAIGN
    (rejection,) = [r for r in caplog.records if "experiments document rejected" in r.getMessage()]
    assert rejection.levelname == "ERROR"
    assert vars(rejection)["problems"] == [
        "experiments.0.variants.0.weight: Input should be greater than or equal to 1"
    ]
    assert '"ExperimentsRejected":[1.0]' in output


def test_no_experiments_parameter_means_no_experiments(configured) -> None:
    reader, _ = counting_reader()

    assert reader.load().experiments.experiments == []
