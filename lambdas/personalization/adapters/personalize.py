"""Amazon Personalize runtime calls with a time budget and classified failures.

The ARN decides the parameter: a campaign ARN is sent as `campaignArn`, a recommender
ARN as `recommenderArn`. Every failure becomes a `PersonalizeUnavailableError` whose
`reason` is the dimension of the Fallback metric.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from personalization.usecases.ports import PersonalizeAnswer, PersonalizeUnavailableError, ScoredItemId

_ARN = re.compile(
    r"^arn:aws[a-z-]*:personalize:[a-z0-9-]+:\d{12}:(?P<kind>campaign|recommender)/[A-Za-z0-9_.-]+$"
)
_THROTTLING_CODES = {"ThrottlingException", "TooManyRequestsException", "LimitExceededException"}
_RETRYABLE_REASONS = {"throttled", "service-error", "unreachable"}
RETRY_DELAY_SECONDS = 0.05
MAX_ATTEMPTS = 2


def resource_parameter(arn: str) -> dict[str, str]:
    """`{"campaignArn": arn}` or `{"recommenderArn": arn}`, from the ARN's resource type."""
    match = _ARN.match(arn)
    if match is None:
        raise PersonalizeUnavailableError("invalid-arn", f"not a campaign or recommender ARN: {arn}")
    return {f"{match['kind']}Arn": arn}


def classify(error: Exception) -> str:
    """The fallback reason for a failed call."""
    if isinstance(error, ReadTimeoutError | ConnectTimeoutError):
        return "timeout"
    if isinstance(error, EndpointConnectionError):
        return "unreachable"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _THROTTLING_CODES or status == 429:
            return "throttled"
        if code == "ResourceNotFoundException":
            return "not-found"
        if status >= 500:
            return "service-error"
        return "rejected"
    return "unreachable"


class PersonalizeRuntime:
    """GetRecommendations and GetPersonalizedRanking within a time budget.

    The client makes one attempt per call (see `personalization.adapters.aws`); a throttled, failed or
    unreachable attempt is retried once, when the budget still has room for a full attempt.
    """

    def __init__(
        self,
        client: Any,
        budget_seconds: float,
        attempt_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._budget_seconds = budget_seconds
        self._attempt_seconds = attempt_seconds
        self._clock = clock

    def recommendations(
        self,
        arn: str,
        *,
        num_results: int,
        user_id: str | None = None,
        item_id: str | None = None,
        filter_arn: str | None = None,
        filter_values: dict[str, str] | None = None,
    ) -> PersonalizeAnswer:
        request: dict[str, Any] = {**resource_parameter(arn), "numResults": num_results}
        if user_id is not None:
            request["userId"] = user_id
        if item_id is not None:
            request["itemId"] = item_id
        if filter_arn is not None:
            request["filterArn"] = filter_arn
        if filter_values:
            request["filterValues"] = filter_values
        response = self._call(self._client.get_recommendations, request)
        return PersonalizeAnswer(_scored(response.get("itemList", [])), response.get("recommendationId"))

    def ranking(self, arn: str, *, user_id: str, item_ids: Sequence[str]) -> PersonalizeAnswer:
        parameter = resource_parameter(arn)
        if "campaignArn" not in parameter:
            raise PersonalizeUnavailableError("invalid-arn", "personalized ranking needs a campaign ARN")
        request = {**parameter, "userId": user_id, "inputList": list(item_ids)}
        response = self._call(self._client.get_personalized_ranking, request)
        return PersonalizeAnswer(
            _scored(response.get("personalizedRanking", [])), response.get("recommendationId")
        )

    def _call(self, operation: Callable[..., dict[str, Any]], request: dict[str, Any]) -> dict[str, Any]:
        deadline = self._clock() + self._budget_seconds
        attempts_left = MAX_ATTEMPTS
        while True:
            attempts_left -= 1
            try:
                return operation(**request)
            except (BotoCoreError, ClientError) as error:
                reason = classify(error)
                retry_fits = self._clock() + RETRY_DELAY_SECONDS + self._attempt_seconds <= deadline
                if attempts_left == 0 or reason not in _RETRYABLE_REASONS or not retry_fits:
                    raise PersonalizeUnavailableError(reason, str(error)) from error
                time.sleep(RETRY_DELAY_SECONDS)


def _scored(entries: list[dict[str, Any]]) -> list[ScoredItemId]:
    return [ScoredItemId(entry["itemId"], entry.get("score")) for entry in entries if "itemId" in entry]
