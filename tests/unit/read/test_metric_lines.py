"""The EMF lines of our metric helpers are the lines Powertools' single_metric writes."""

from __future__ import annotations

import json
import re

import pytest
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.base import SingleMetric

from personalization.observability import count_for_variant, count_with_dimension, metrics

pytestmark = pytest.mark.unit


def lines(output: str) -> list[str]:
    """The EMF lines, byte for byte but for their timestamp."""
    return [re.sub(r'"Timestamp":\d+', '"Timestamp":0', line) for line in output.splitlines()]


def test_a_count_with_a_dimension_is_powertools_single_metric(capsys: pytest.CaptureFixture[str]) -> None:
    count_with_dimension("RecommendationsServed", "source", "personalize", 3)
    ours = capsys.readouterr().out
    with single_metric(
        name="RecommendationsServed", unit=MetricUnit.Count, value=3, namespace=metrics.namespace
    ) as metric:
        metric.add_dimension(name="service", value=metrics.service or "unknown")
        metric.add_dimension(name="source", value="personalize")
    theirs = capsys.readouterr().out

    assert lines(ours) == lines(theirs)
    assert len(lines(ours)) == 1


def test_a_variant_count_has_no_service_dimension(capsys: pytest.CaptureFixture[str]) -> None:
    count_for_variant("Exposures", "home-recs", "holdout")
    ours = capsys.readouterr().out
    metric = SingleMetric(namespace=metrics.namespace, service="")
    metric.add_metric(name="Exposures", unit=MetricUnit.Count, value=1)
    metric.add_dimension(name="experiment", value="home-recs")
    metric.add_dimension(name="variant", value="holdout")
    print(json.dumps(metric.serialize_metric_set(), separators=(",", ":")))
    theirs = capsys.readouterr().out

    assert lines(ours) == lines(theirs)
    assert '"service"' not in ours
