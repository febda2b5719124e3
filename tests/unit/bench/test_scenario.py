"""bench_scenario: the handler benchmarks run the demo's experiment, with a shopper it personalizes."""

from __future__ import annotations

import json

import pytest

from bench.bench_scenario import EXPERIMENTS, ROUTE_CASES, USER_ID, same_answer
from personalization.contracts.experiments import ExperimentsDocument
from repository import REPOSITORY_ROOT

pytestmark = pytest.mark.unit


def test_the_experiments_are_the_demos() -> None:
    demo = json.loads((REPOSITORY_ROOT / "experiments" / "demo.json").read_text(encoding="utf-8"))

    assert json.loads(EXPERIMENTS) == demo


def test_the_shopper_is_in_the_personalized_variant_of_each_case_that_runs_an_experiment() -> None:
    document = ExperimentsDocument.model_validate_json(EXPERIMENTS)
    recipes = {
        "recommend": "user-personalization",
        "related": "related-items",
        "rank": "personalized-ranking",
    }

    for case in ROUTE_CASES:
        experiment = document.for_use_case(recipes[case.function])
        expected = None if experiment is None else {"name": experiment.name, "variant": "personalized"}
        assert case.experiment == expected
        if experiment is not None:
            assert experiment.assign(USER_ID).name == "personalized"
            assert experiment.assign(USER_ID).source == "personalize"


def test_same_answer_needs_the_experiment_and_personalize() -> None:
    (case, *_) = ROUTE_CASES
    bare = {"items": [{"itemId": "a", "score": 0.5}], "recommendationId": "r", "source": "personalize"}

    assert same_answer(case, {**bare, "experiment": case.experiment}, bare)
    assert not same_answer(case, {**bare, "experiment": None}, bare)
    assert not same_answer(
        case, {**bare, "source": "featured", "experiment": case.experiment}, {**bare, "source": "featured"}
    )
