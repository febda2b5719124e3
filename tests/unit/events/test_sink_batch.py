"""What both sinks share: metrics once per outcome, a failing dead-letter queue, backoff by receive
count, the retry horizon, the sink settings."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from personalization.adapters.sinks import base
from personalization.adapters.sinks.base import (
    RETRY_HORIZON_SECONDS,
    SinkQueues,
    backoff_seconds,
)
from personalization.adapters.sinks.personalize import PersonalizeSink
from personalization.contracts import parameters
from personalization.contracts.topology import SINKS, Access
from personalization.settings import (
    DEAD_LETTER_QUEUE_URL,
    RETRY_BACKOFF_MAX_SECONDS,
    SettingsError,
    SinkSettings,
)
from personalization.usecases.ports import PersonalizationConfig
from tests.unit.events.conftest import (
    REGION,
    TRACKER_ID,
    FakePersonalizeEvents,
    bus_message,
    client_error,
    detail,
    emf_metrics,
    failed_ids,
    metric_total,
    set_aside,
    sqs_event,
)
from tests.unit.events.sink_harness import Write, messages_for, run_personalize_sync

pytestmark = pytest.mark.unit
QUEUE_ARN = f"arn:aws:sqs:{REGION}:123456789012:retail-personalize-sync"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/123456789012/retail-personalize-sync"


def handle(messages: list[dict[str, Any]], personalize: FakePersonalizeEvents) -> dict[str, Any]:
    return run_personalize_sync(sqs_event(messages, QUEUE_ARN), personalize)


def emitted(output: str) -> Counter[tuple[str, str | None]]:
    """How often each metric (name, reason dimension) appears in the EMF output."""
    return Counter(
        (metric["Name"], record.get("reason"))
        for record in emf_metrics(output)
        for directive in record["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]
    )


def test_each_outcome_is_counted_once_after_the_whole_batch(ssm: Write, capsys: Any) -> None:
    ssm({parameters.EVENT_TRACKER_ID: TRACKER_ID})
    personalize = FakePersonalizeEvents(
        failures={2: client_error("ResourceNotFoundException", 404)}, invalid_event_ids=frozenset({"e4"})
    )
    details = [
        detail("e1", session_id="s1"),
        detail("e2", session_id="s2"),
        detail("e3", session_id="s3"),
        detail("e4", session_id="s3"),
        detail("e5", session_id="s4", recommendation_id=""),
        detail("e6", session_id="s5"),
    ]
    not_json = {"MessageId": "m-text", "ReceiptHandle": "rh", "Body": "not json"}

    response = handle([*messages_for(details), not_json], personalize)

    assert failed_ids(response) == {"m-e2"}
    assert sorted(personalize.delivered_event_ids()) == ["e1", "e3", "e6"]
    output = capsys.readouterr().out
    assert set(emitted(output).values()) == {1}
    assert set(emitted(output)) == {
        ("EventsDelivered", None),
        ("PutEventsCalls", None),
        ("EventsFailed", "not-found"),
        ("Rejected", "rejected"),
        ("Rejected", "invalid-request"),
        ("Rejected", "malformed"),
    }
    assert metric_total(output, "EventsDelivered") == 3
    assert metric_total(output, "PutEventsCalls") == 7
    assert sorted(d["attributes"]["messageId"] for d in set_aside(os.environ[DEAD_LETTER_QUEUE_URL])) == [
        "m-e4",
        "m-e5",
        "m-text",
    ]


def test_a_record_whose_dead_letter_send_fails_is_failed_instead(
    ssm: Write, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ssm({parameters.EVENT_TRACKER_ID: TRACKER_ID})
    monkeypatch.setenv(DEAD_LETTER_QUEUE_URL, f"https://sqs.{REGION}.amazonaws.com/123456789012/missing")
    personalize = FakePersonalizeEvents(invalid_event_ids=frozenset({"e2"}))
    details = [detail("e1"), detail("e2")]
    not_json = {"MessageId": "m-text", "ReceiptHandle": "rh", "Body": "not json"}

    response = handle([*messages_for(details), not_json], personalize)

    assert failed_ids(response) == {"m-e2", "m-text"}
    assert personalize.delivered_event_ids() == ["e1"]
    output = capsys.readouterr().out
    assert metric_total(output, "Rejected") == 0
    assert metric_total(output, "EventsFailed", reason="rejected") == 1
    assert metric_total(output, "EventsFailed", reason="malformed") == 1


def test_failed_records_are_hidden_for_a_backoff_that_grows_with_their_receive_count() -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    stubber = Stubber(sqs)
    counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 40]
    expected = [30, 120, 480, 1920, 7680, 30720, 43200, 43200, 43200, 43200, 43200]
    messages = [
        {**bus_message(detail(f"e{n}"), f"m-{n}"), "Attributes": {"ApproximateReceiveCount": str(count)}}
        for n, count in enumerate(counts)
    ]
    for start in (0, 10):
        stubber.add_response(
            "change_message_visibility_batch",
            {"Successful": [], "Failed": []},
            {
                "QueueUrl": QUEUE_URL,
                "Entries": [
                    {"Id": str(index), "ReceiptHandle": f"rh-m-{n}", "VisibilityTimeout": expected[n]}
                    for index, n in enumerate(range(start, min(start + 10, len(counts))))
                ],
            },
        )
    sink = PersonalizeSink(FakePersonalizeEvents(), PersonalizationConfig, SinkQueues(sqs, "unused", 43_200))

    with stubber:
        response = sink.handle(sqs_event(messages, QUEUE_ARN))

    stubber.assert_no_pending_responses()
    assert failed_ids(response) == {f"m-{n}" for n in range(len(counts))}


def test_a_failed_record_stays_hidden_in_the_queue_until_its_backoff_ends(moto_aws: None) -> None:
    sqs: Any = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="retail-personalize-sync", Attributes={"VisibilityTimeout": "0"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody=bus_message(detail("e1"), "m")["Body"])
    received = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])
    not_configured = PersonalizationConfig()

    def deliver(longest: int) -> None:
        queues = SinkQueues(sqs, "unused", longest)
        PersonalizeSink(FakePersonalizeEvents(), lambda: not_configured, queues).handle(
            sqs_event(received["Messages"], QUEUE_ARN)
        )

    deliver(longest=43_200)
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None
    deliver(longest=0)
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1


def test_a_backoff_that_cannot_be_applied_leaves_the_record_failed(capsys: Any) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    stubber = Stubber(sqs)
    stubber.add_client_error("change_message_visibility_batch", "AWS.SimpleQueueService.NonExistentQueue")
    sink = PersonalizeSink(FakePersonalizeEvents(), PersonalizationConfig, SinkQueues(sqs, "unused", 43_200))

    with stubber:
        response = sink.handle(sqs_event([bus_message(detail("e1"), "m-1")], QUEUE_ARN))

    assert failed_ids(response) == {"m-1"}


@pytest.mark.parametrize("sink", SINKS, ids=lambda sink: sink.function.name)
def test_the_retry_horizon_is_the_backoffs_of_the_queues_receives(sink: Any) -> None:
    backoffs = [backoff_seconds(count) for count in range(1, sink.max_receive_count + 1)]

    assert backoffs == [30, 120, 480, 1920, 7680]
    assert sum(backoffs) == RETRY_HORIZON_SECONDS == 2 * 3600 + 50 * 60 + 30
    assert "2 h 50 min 30 s" in (base.__doc__ or "")


def test_the_longest_backoff_is_sqs_maximum_or_the_settings() -> None:
    assert backoff_seconds(10**6) == 43_200
    assert backoff_seconds(3, longest=60) == 60
    assert backoff_seconds(0) == backoff_seconds(1) == 30


@pytest.mark.parametrize("sink", SINKS, ids=lambda sink: sink.function.name)
def test_every_sink_function_names_its_dead_letter_queue_and_may_send_to_it(sink: Any) -> None:
    assert sink.function.settings_model is SinkSettings
    assert Access.DEAD_LETTER_QUEUE in sink.function.access


def test_the_sink_settings_render_and_read_back() -> None:
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/retail-personalize-sync-dlq"
    settings = SinkSettings.for_function(
        "personalize_sync", DEAD_LETTER_QUEUE_URL=url, RETRY_BACKOFF_MAX_SECONDS="5"
    )

    assert settings.dead_letter_queue == url
    assert settings.retry_backoff_max_seconds == 5
    assert SinkSettings.from_environment(settings.to_environment()) == settings
    assert DEAD_LETTER_QUEUE_URL not in SinkSettings.for_function("personalize_sync").to_environment()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        (DEAD_LETTER_QUEUE_URL, "not a url"),
        (DEAD_LETTER_QUEUE_URL, "https://sqs.us-east-1.amazonaws.com/12/q"),
        (RETRY_BACKOFF_MAX_SECONDS, "43201"),
        (RETRY_BACKOFF_MAX_SECONDS, "-1"),
    ],
)
def test_invalid_sink_settings_fail_fast(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        SinkSettings.for_function("personalize_sync", **{variable: value})


def test_a_sink_without_a_dead_letter_queue_fails_the_invocation_clearly(
    ssm: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DEAD_LETTER_QUEUE_URL)

    with pytest.raises(SettingsError, match=DEAD_LETTER_QUEUE_URL):
        handle([bus_message(detail("e1"), "m-1")], FakePersonalizeEvents())
