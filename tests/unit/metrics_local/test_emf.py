"""EMF extraction as CloudWatch Logs does it: dimension sets, units, several metrics, list values,
and malformed records ignored with one rate-limited warning each."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from local.metrics.emf import MAX_DIMENSIONS, MAX_METRICS, EmfExtractor, MetricDatum, parse_record

pytestmark = pytest.mark.unit

TIMESTAMP = 1_796_115_026_110


def record(directives: list[dict[str, Any]], **members: Any) -> str:
    return json.dumps({"_aws": {"Timestamp": TIMESTAMP, "CloudWatchMetrics": directives}, **members})


def directive(
    metrics: list[dict[str, Any]], dimensions: list[list[str]], namespace: str = "RetailPersonalization"
) -> dict[str, Any]:
    return {"Namespace": namespace, "Dimensions": dimensions, "Metrics": metrics}


def test_a_powertools_record_is_one_metric_with_its_dimensions_and_unit() -> None:
    line = (
        '{"_aws":{"Timestamp":1796115026110,"CloudWatchMetrics":[{"Namespace":"RetailPersonalization",'
        '"Dimensions":[["service","source"]],"Metrics":[{"Name":"RecommendationsServed","Unit":"Count"}]}]},'
        '"service":"recommend","source":"featured","RecommendationsServed":[1.0]}'
    )
    assert parse_record(line) == [
        MetricDatum(
            "RetailPersonalization",
            "RecommendationsServed",
            (("service", "recommend"), ("source", "featured")),
            (1.0,),
            TIMESTAMP,
            "Count",
            60,
        )
    ]


def test_every_metric_is_published_with_every_dimension_set() -> None:
    line = record(
        [
            directive(
                [
                    {"Name": "Latency", "Unit": "Milliseconds", "StorageResolution": 1},
                    {"Name": "Hits"},
                ],
                [["service"], ["service", "reason"], []],
            )
        ],
        service="rank",
        reason="timeout",
        Latency=[12.5, 30, 7],
        Hits=2,
    )
    datums = parse_record(line)
    assert {(d.name, d.dimensions) for d in datums} == {
        (name, dims)
        for name in ("Latency", "Hits")
        for dims in ((("service", "rank"),), (("service", "rank"), ("reason", "timeout")), ())
    }
    latency = next(d for d in datums if d.name == "Latency")
    assert (latency.values, latency.unit, latency.storage_resolution) == (
        (12.5, 30.0, 7.0),
        "Milliseconds",
        1,
    )
    hits = next(d for d in datums if d.name == "Hits")
    assert (hits.values, hits.unit, hits.storage_resolution) == ((2.0,), "None", 60)


def test_several_directives_in_one_line_each_keep_their_namespace() -> None:
    line = record(
        [directive([{"Name": "A"}], [["k"]], "One"), directive([{"Name": "B"}], [["k"]], "Two")],
        k="v",
        A=1,
        B=2,
    )
    assert [(d.namespace, d.name, d.values) for d in parse_record(line)] == [
        ("One", "A", (1.0,)),
        ("Two", "B", (2.0,)),
    ]


def test_the_experiment_metrics_have_exactly_their_two_dimensions() -> None:
    line = record(
        [directive([{"Name": "Exposures", "Unit": "Count"}], [["experiment", "variant"]])],
        experiment="home",
        variant="personalized",
        Exposures=[1.0],
    )
    [datum] = parse_record(line)
    assert datum.dimensions == (("experiment", "home"), ("variant", "personalized"))


@pytest.mark.parametrize("line", ["plain text", '{"level":"INFO","message":"no metrics here"}', "[1, 2]", ""])
def test_ordinary_log_lines_are_not_records(line: str) -> None:
    assert parse_record(line) == []


MALFORMED = {
    "not JSON": '{"_aws": {"Timestamp": 1,',
    "_aws not an object": json.dumps({"_aws": []}),
    "no timestamp": json.dumps({"_aws": {"CloudWatchMetrics": []}}),
    "no directives": json.dumps({"_aws": {"Timestamp": TIMESTAMP}}),
    "no namespace": record([{"Dimensions": [], "Metrics": [{"Name": "M"}]}], M=1),
    "no metrics": record([{"Namespace": "N", "Dimensions": []}]),
    "absent dimension": record([directive([{"Name": "M"}], [["service"]])], M=1),
    "numeric dimension": record([directive([{"Name": "M"}], [["service"]])], service=3, M=1),
    "absent metric": record([directive([{"Name": "M"}], [])]),
    "text value": record([directive([{"Name": "M"}], [])], M="1"),
    "boolean value": record([directive([{"Name": "M"}], [])], M=True),
    "list with text": record([directive([{"Name": "M"}], [])], M=[1, "x"]),
    "empty list": record([directive([{"Name": "M"}], [])], M=[]),
    "unknown unit": record([directive([{"Name": "M", "Unit": "Parsecs"}], [])], M=1),
    "bad resolution": record([directive([{"Name": "M", "StorageResolution": 5}], [])], M=1),
    "too many dimensions": record(
        [directive([{"Name": "M"}], [[f"d{i}" for i in range(MAX_DIMENSIONS + 1)]])],
        M=1,
        **{f"d{i}": "x" for i in range(MAX_DIMENSIONS + 1)},
    ),
    "too many metrics": record(
        [directive([{"Name": f"m{i}"} for i in range(MAX_METRICS + 1)], [])],
        **{f"m{i}": 1 for i in range(MAX_METRICS + 1)},
    ),
}


@pytest.mark.parametrize("line", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_record_is_ignored_with_one_warning(line: str, caplog: pytest.LogCaptureFixture) -> None:
    extractor = EmfExtractor("recommend")
    with caplog.at_level(logging.WARNING, logger="local.metrics.emf"):
        assert extractor.extract(line) == []
    assert len(caplog.records) == 1
    assert "recommend: EMF record ignored" in caplog.records[0].getMessage()


def test_thirty_dimensions_and_a_hundred_metrics_are_allowed() -> None:
    keys = [f"d{i}" for i in range(MAX_DIMENSIONS)]
    line = record(
        [directive([{"Name": f"m{i}"} for i in range(MAX_METRICS)], [keys])],
        **dict.fromkeys(keys, "x"),
        **{f"m{i}": i for i in range(MAX_METRICS)},
    )
    assert len(parse_record(line)) == MAX_METRICS


def test_a_flood_of_malformed_records_logs_one_warning_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    extractor = EmfExtractor("track_event", interval_seconds=60)
    good = record([directive([{"Name": "M"}], [])], M=1)
    with caplog.at_level(logging.WARNING, logger="local.metrics.emf"):
        extracted = extractor.extract_all([MALFORMED["not JSON"]] * 500 + [good])
    assert [d.name for d in extracted] == ["M"]
    assert len(caplog.records) == 1
    assert extractor.rejected.total == 500
    assert extractor.rejected.suppressed == 499


def test_the_warning_after_the_interval_says_how_many_were_left_unsaid(
    caplog: pytest.LogCaptureFixture,
) -> None:
    extractor = EmfExtractor("rank", interval_seconds=0)
    extractor.rejected.interval_seconds = 3600
    with caplog.at_level(logging.WARNING, logger="local.metrics.emf"):
        extractor.extract(MALFORMED["not JSON"])
        extractor.extract(MALFORMED["not JSON"])
        extractor.rejected.interval_seconds = 0
        extractor.extract(MALFORMED["absent metric"])
    assert len(caplog.records) == 2
    assert "(1 more since the last warning)" in caplog.records[1].getMessage()


def test_a_record_nested_too_deep_is_ignored(caplog: pytest.LogCaptureFixture) -> None:
    line = '{"_aws": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with caplog.at_level(logging.WARNING, logger="local.metrics.emf"):
        assert EmfExtractor("rank").extract(line) == []
    assert len(caplog.records) == 1
