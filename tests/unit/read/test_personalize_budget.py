"""The Personalize time budget: at most one retry, and only when a full attempt still fits."""

from __future__ import annotations

from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from personalization.adapters import aws
from personalization.adapters.aws import CLIENT_LIMITS
from personalization.adapters.personalize import (
    MAX_ATTEMPTS,
    RETRY_DELAY_SECONDS,
    PersonalizeRuntime,
    PersonalizeUnavailableError,
    classify,
    resource_parameter,
)
from personalization.settings import ReadSettings, read_settings
from personalization.wiring import read_dependencies

pytestmark = pytest.mark.unit

CAMPAIGN = "arn:aws:personalize:us-east-1:123456789012:campaign/c"
# botocore-stubs want every ResponseMetadata key; these partial responses are all the code reads.
THROTTLED = ClientError(
    cast(Any, {"Error": {"Code": "ThrottlingException"}, "ResponseMetadata": {}}), "GetRecommendations"
)


class SlowThrottledClient:
    """Each call takes `seconds` on the fake clock, then is throttled."""

    def __init__(self, clock: list[float], seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.calls = 0

    def get_recommendations(self, **_: object) -> dict[str, object]:
        self.calls += 1
        self.clock[0] += self.seconds
        raise THROTTLED


def runtime(client: SlowThrottledClient, clock: list[float]) -> PersonalizeRuntime:
    return PersonalizeRuntime(client, budget_seconds=1.0, attempt_seconds=0.75, clock=lambda: clock[0])


def test_a_quick_failure_is_retried_once() -> None:
    clock = [0.0]
    client = SlowThrottledClient(clock, seconds=0.05)

    with pytest.raises(PersonalizeUnavailableError) as raised:
        runtime(client, clock).recommendations(CAMPAIGN, num_results=5, user_id="u")

    assert (client.calls, raised.value.reason) == (MAX_ATTEMPTS, "throttled")


def test_a_slow_failure_is_not_retried_past_the_budget() -> None:
    clock = [0.0]
    client = SlowThrottledClient(clock, seconds=0.3)

    with pytest.raises(PersonalizeUnavailableError):
        runtime(client, clock).recommendations(CAMPAIGN, num_results=5, user_id="u")

    assert client.calls == 1


def test_worst_case_read_request_stays_under_one_and_a_half_seconds() -> None:
    """SSM's one attempt plus Personalize's budget, with the configured timeouts."""
    settings = ReadSettings.for_function("recommend")
    ssm = CLIENT_LIMITS["ssm"]
    attempt = settings.personalize_connect_timeout + settings.personalize_read_timeout
    worst_personalize = min(settings.personalize_budget_seconds, MAX_ATTEMPTS * attempt + RETRY_DELAY_SECONDS)

    assert ssm.attempts * (ssm.connect_timeout + ssm.read_timeout) + worst_personalize < 1.5


def test_the_personalize_client_takes_its_timeouts_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """PERSONALIZE_READ_TIMEOUT changes the client's read timeout, not only the budget."""
    environment = ReadSettings.for_function("recommend", PERSONALIZE_READ_TIMEOUT="0.7").to_environment()
    for name, value in {**environment, "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    read_settings.cache_clear()
    read_dependencies.cache_clear()
    aws.reset_clients()
    try:
        runtime = read_dependencies().personalize
        config = aws.get_client("personalize-runtime").meta.config
    finally:
        read_settings.cache_clear()
        read_dependencies.cache_clear()
        aws.reset_clients()

    assert (config.connect_timeout, config.read_timeout) == (0.25, 0.7)
    assert config.retries["total_max_attempts"] == 1
    assert isinstance(runtime, PersonalizeRuntime)


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (CAMPAIGN, {"campaignArn": CAMPAIGN}),
        (
            "arn:aws:personalize:eu-west-1:123456789012:recommender/r-1",
            {"recommenderArn": "arn:aws:personalize:eu-west-1:123456789012:recommender/r-1"},
        ),
    ],
)
def test_the_arn_decides_the_parameter(arn: str, expected: dict[str, str]) -> None:
    assert resource_parameter(arn) == expected


@pytest.mark.parametrize("arn", ["", "arn:aws:personalize:us-east-1:123456789012:solution/s", "campaign/c"])
def test_other_arns_are_refused(arn: str) -> None:
    with pytest.raises(PersonalizeUnavailableError) as raised:
        resource_parameter(arn)

    assert raised.value.reason == "invalid-arn"


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        ("ThrottlingException", 400, "throttled"),
        ("Anything", 429, "throttled"),
        ("ResourceNotFoundException", 404, "not-found"),
        ("InternalFailure", 503, "service-error"),
        ("InvalidInputException", 400, "rejected"),
    ],
)
def test_client_errors_are_classified(code: str, status: int, reason: str) -> None:
    error = ClientError(
        cast(Any, {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}), "Op"
    )

    assert classify(error) == reason
