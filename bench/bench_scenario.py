"""The scenario both handler benchmarks share: SSM values, requests, canned Personalize answers.

The configuration runs the demo's experiment (user recommendations, personalized against a
featured holdout, 50/50; `experiments/demo.json`), and the shopper is in its personalized
variant: our recommend handler enrols the shopper, answers from Personalize with the experiment
and counts an `Exposures`, as it does in the demo. The bare handlers run no experiment.

Standard library only, so a cold-start probe that imports it adds nothing to what it measures.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ACCOUNT = "123456789012"
PREFIX = "/retail-personalization"
USER_ID = "user-43"
"""In the personalized variant of `EXPERIMENTS` (a unit test checks it)."""
ITEM_ID = "item-0001"
RANK_LIST_SIZE = 100
NUM_RESULTS = 25

EXPERIMENT_NAME = "user-recs-vs-featured"
EXPERIMENTS = json.dumps(
    {
        "experiments": [
            {
                "name": EXPERIMENT_NAME,
                "useCase": "user-personalization",
                "variants": [
                    {"name": "personalized", "weight": 50, "source": "personalize"},
                    {"name": "featured-holdout", "weight": 50, "source": "featured"},
                ],
            }
        ]
    }
)
"""The demo's experiments document (`experiments/demo.json`, a unit test keeps them equal)."""

CAMPAIGN_ARN = f"arn:aws:personalize:us-east-1:{ACCOUNT}:campaign/"
SSM_VALUES = {
    "personalize/user-personalization-arn": CAMPAIGN_ARN + "user-personalization",
    "personalize/related-items-arn": CAMPAIGN_ARN + "related-items",
    "personalize/personalized-ranking-arn": CAMPAIGN_ARN + "personalized-ranking",
    "personalize/event-tracker-id": "tracker-1",
    "pinpoint/application-id": "NONE",
    "catalog/featured-item-ids": ",".join(f"item-{n:04d}" for n in range(1, 26)),
    "experiments": EXPERIMENTS,
}

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def function_environment(function: str) -> dict[str, str]:
    """The environment the stack gives a read function, plus a region and dummy credentials."""
    from personalization.settings import ReadSettings

    return {
        **ReadSettings.for_function(function, PREFIX).to_environment(),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }


def _item_ids(count: int, start: int = 100) -> list[str]:
    return [f"item-{n:04d}" for n in range(start, start + count)]


class FakePersonalizeRuntime:
    """Answers GetRecommendations and GetPersonalizedRanking at once, from canned lists."""

    def __init__(self) -> None:
        self.calls = 0

    def get_recommendations(self, **request: Any) -> dict[str, Any]:
        self.calls += 1
        items = _item_ids(request["numResults"])
        return {
            "itemList": [
                {"itemId": item, "score": round(1 / (rank + 2), 4)} for rank, item in enumerate(items)
            ],
            "recommendationId": "RID-bench",
        }

    def get_personalized_ranking(self, **request: Any) -> dict[str, Any]:
        self.calls += 1
        ranked = list(reversed(request["inputList"]))
        return {
            "personalizedRanking": [
                {"itemId": item, "score": round(1 / (rank + 2), 4)} for rank, item in enumerate(ranked)
            ],
            "recommendationId": "RID-bench",
        }


@dataclass(frozen=True)
class RouteCase:
    function: str
    method: str
    path: str
    operation: str
    """The Personalize runtime call the handler makes, and the parts of it that shape the answer."""
    answer_shape: dict[str, Any]
    query: dict[str, str] | None = None
    body: dict[str, Any] | None = None
    experiment: dict[str, str] | None = None
    """What our answer carries as its `experiment` (the bare handler's answer has no such key)."""

    def canned_answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = getattr(FakePersonalizeRuntime(), self.operation)(**self.answer_shape)
        return answer

    def event(self) -> dict[str, Any]:
        from tests.apigw import rest_event

        return rest_event(self.method, self.path, query=self.query, body=self.body, shopper=USER_ID)


RANK_LIST = _item_ids(RANK_LIST_SIZE)
ROUTE_CASES = (
    RouteCase(
        "recommend",
        "GET",
        "/recommendations",
        "get_recommendations",
        {"numResults": NUM_RESULTS},
        query={"numResults": str(NUM_RESULTS)},
        experiment={"name": EXPERIMENT_NAME, "variant": "personalized"},
    ),
    RouteCase(
        "related",
        "GET",
        "/related",
        "get_recommendations",
        {"numResults": NUM_RESULTS + 1},
        query={"itemId": ITEM_ID},
    ),
    RouteCase(
        "rank",
        "POST",
        "/rank",
        "get_personalized_ranking",
        {"inputList": RANK_LIST},
        body={"itemIds": RANK_LIST},
    ),
)


def same_answer(case: RouteCase, ours: dict[str, Any], bare: dict[str, Any]) -> bool:
    """Our answer is the bare one, served from Personalize, with the case's experiment besides."""
    mine = dict(ours)
    experiment = mine.pop("experiment", None)
    return mine.get("source") == "personalize" and mine == bare and experiment == case.experiment


def route_case(function: str) -> RouteCase:
    for case in ROUTE_CASES:
        if case.function == function:
            return case
    raise KeyError(f"no benchmark case for function {function!r}")


def project_handler(function: str) -> Handler:
    module = importlib.import_module(f"{function}.handler")
    handler: Handler = module.lambda_handler
    return handler
