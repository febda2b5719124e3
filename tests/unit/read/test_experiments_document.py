"""The experiments document: validated once, assignment stable and close to the weights."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from pydantic import ValidationError

from personalization.contracts.experiments import ExperimentsDocument

pytestmark = pytest.mark.unit

HOLDOUT_50_50 = {
    "experiments": [
        {
            "name": "home-recs",
            "useCase": "user-personalization",
            "variants": [
                {"name": "personalized", "weight": 1, "source": "personalize"},
                {"name": "holdout", "weight": 1, "source": "featured"},
            ],
        }
    ]
}


def document(**changes: Any) -> dict[str, Any]:
    experiment = {**HOLDOUT_50_50["experiments"][0], **changes}
    return {"experiments": [experiment]}


def test_assignment_is_stable_per_shopper_and_differs_between_experiments() -> None:
    experiment = ExperimentsDocument.model_validate(HOLDOUT_50_50).experiments[0]
    renamed = ExperimentsDocument.model_validate(document(name="other")).experiments[0]

    first = [experiment.assign(f"user-{n}").name for n in range(200)]
    again = [experiment.assign(f"user-{n}").name for n in range(200)]
    other = [renamed.assign(f"user-{n}").name for n in range(200)]

    assert first == again
    assert first != other


@pytest.mark.parametrize("weights", [(1, 1), (9, 1), (70, 20, 10)])
def test_assignment_over_ten_thousand_ids_is_close_to_the_weights(weights: tuple[int, ...]) -> None:
    sources = ["personalize"] * (len(weights) - 1) + ["featured"]
    variants = [
        {"name": f"v{i}", "weight": w, "source": s}
        for i, (w, s) in enumerate(zip(weights, sources, strict=True))
    ]
    experiment = ExperimentsDocument.model_validate(document(variants=variants)).experiments[0]

    counts = Counter(experiment.assign(f"shopper-{n}").name for n in range(10_000))

    for i, weight in enumerate(weights):
        expected = 10_000 * weight / sum(weights)
        assert abs(counts[f"v{i}"] - expected) < 0.05 * 10_000, (counts, expected)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"variants": [{"name": "only", "weight": 1, "source": "personalize"}]}, "at least 2"),
        (
            {
                "variants": [
                    {"name": "a", "weight": 1, "source": "personalize"},
                    {"name": "a", "weight": 1, "source": "featured"},
                ]
            },
            "repeated: a",
        ),
        (
            {
                "variants": [
                    {"name": "a", "weight": 0, "source": "personalize"},
                    {"name": "b", "weight": 1, "source": "featured"},
                ]
            },
            "greater than or equal to 1",
        ),
        (
            {
                "variants": [
                    {"name": "a", "weight": 1, "source": "personalize"},
                    {"name": "b", "weight": 1, "source": "natural"},
                ]
            },
            "not natural",
        ),
        (
            {
                "variants": [
                    {
                        "name": "a",
                        "weight": 1,
                        "source": "featured",
                        "arn": "arn:aws:personalize:us-east-1:123456789012:campaign/c",
                    },
                    {"name": "b", "weight": 1, "source": "personalize"},
                ]
            },
            "source personalize only",
        ),
        ({"useCase": "checkout"}, "useCase"),
        ({"surprise": True}, "Extra inputs"),
    ],
)
def test_a_bad_document_is_refused_with_the_problem(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        ExperimentsDocument.model_validate_json(json.dumps(document(**changes)))


def test_two_experiments_on_one_use_case_are_refused() -> None:
    twice = {
        "experiments": [HOLDOUT_50_50["experiments"][0], {**HOLDOUT_50_50["experiments"][0], "name": "b"}]
    }

    with pytest.raises(ValidationError, match="use cases must be unique"):
        ExperimentsDocument.model_validate(twice)


def test_ranking_experiments_hold_out_the_natural_order() -> None:
    ranking = document(
        useCase="personalized-ranking",
        variants=[
            {"name": "ranked", "weight": 1, "source": "personalize"},
            {"name": "natural", "weight": 1, "source": "natural"},
        ],
    )

    parsed = ExperimentsDocument.model_validate(ranking)

    assert parsed.for_use_case("personalized-ranking") is not None
    assert parsed.for_use_case("related-items") is None
