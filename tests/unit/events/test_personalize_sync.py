"""personalize_sync: grouping, the 10-event limit, partial failures, throttling, an unconfigured tracker,
rejected events set aside alone."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from personalization.adapters.sinks.base import SinkQueues
from personalization.adapters.sinks.personalize import PersonalizeSink, personalize_event
from personalization.contracts import parameters
from personalization.contracts.api import mint_recommendation_id
from personalization.contracts.events import EventDetail
from personalization.settings import DEAD_LETTER_QUEUE_URL
from personalization.usecases.ports import ConfigUnavailableError, PersonalizationConfig
from tests.unit.events.conftest import (
    THROTTLED,
    TRACKER_ID,
    FakePersonalizeEvents,
    bus_message,
    client_error,
    detail,
    failed_ids,
    metric_total,
    set_aside,
    sqs_event,
)
from tests.unit.events.sink_harness import Write, messages_for, records_of, run_personalize_sync

pytestmark = pytest.mark.unit


@pytest.fixture
def tracker(ssm: Write) -> Write:
    ssm({parameters.EVENT_TRACKER_ID: TRACKER_ID})
    return ssm


def handle(messages: list[dict[str, Any]], personalize: FakePersonalizeEvents) -> dict[str, Any]:
    return run_personalize_sync(sqs_event(messages), personalize)


def three_groups() -> list[dict[str, Any]]:
    """12 events of (s1, u1), 3 anonymous events of s2, 4 events of (s1, u2), interleaved."""
    details = [detail(f"a{n}", session_id="s1", user_id="u1") for n in range(12)]
    details[3:3] = [detail(f"b{n}", session_id="s2", user_id=None) for n in range(3)]
    details[8:8] = [detail(f"c{n}", session_id="s1", user_id="u2") for n in range(4)]
    return details


def test_events_are_grouped_by_session_and_user_at_most_ten_per_call(tracker: Write) -> None:
    personalize = FakePersonalizeEvents()

    response = handle(messages_for(three_groups()), personalize)

    assert response == {"batchItemFailures": []}
    calls = [
        (r["sessionId"], r.get("userId"), [e["eventId"] for e in r["eventList"]])
        for r in personalize.requests("PutEvents")
    ]
    assert calls == [
        ("s1", "u1", [f"a{n}" for n in range(10)]),
        ("s1", "u1", ["a10", "a11"]),
        ("s2", None, ["b0", "b1", "b2"]),
        ("s1", "u2", ["c0", "c1", "c2", "c3"]),
    ]
    assert "userId" not in personalize.requests("PutEvents")[2]
    assert all(r["trackingId"] == TRACKER_ID for r in personalize.requests("PutEvents"))
    assert all(len(r["eventList"]) <= 10 for r in personalize.requests("PutEvents"))


def test_an_event_becomes_a_personalize_event(tracker: Write) -> None:
    personalize = FakePersonalizeEvents()
    one = detail(
        "e1",
        item_id="p00042",
        event_type="ProductAdded",
        recommendation_id="rid-7",
        properties={"quantity": 2, "price": 19.5, "gift": True},
        sent_at="2026-03-01T12:30:00.250Z",
    )

    handle(messages_for([one]), personalize)

    (request,) = personalize.requests("PutEvents")
    (event,) = request["eventList"]
    assert event == {
        "eventId": "e1",
        "eventType": "ProductAdded",
        "itemId": "p00042",
        "recommendationId": "rid-7",
        "sentAt": datetime.fromisoformat("2026-03-01T12:30:00.250+00:00"),
    }


def test_only_properties_that_are_schema_fields_are_forwarded_as_json_text() -> None:
    one = EventDetail.model_validate(
        detail("e1", item_id="p1", properties={"quantity": 2, "price": 19.5, "gift": True})
    )

    event = personalize_event(one, property_fields=frozenset({"quantity", "price", "gift"}))

    assert event["properties"] == '{"gift":true,"price":19.5,"quantity":2}'
    assert "properties" not in personalize_event(one, property_fields=frozenset({"discount"}))


def test_an_id_the_api_minted_is_not_passed_on_as_a_personalize_list_id() -> None:
    minted = mint_recommendation_id()
    one = EventDetail.model_validate(detail("e1", item_id="p1", recommendation_id=minted))

    event = personalize_event(one)

    assert "recommendationId" not in event
    assert event["itemId"] == "p1"


def test_a_failed_call_fails_only_its_own_records(tracker: Write, capsys: Any) -> None:
    personalize = FakePersonalizeEvents(failures={2: client_error("ResourceNotFoundException", 404)})
    details = three_groups()

    response = handle(messages_for(details), personalize)

    second_call = [e["eventId"] for e in personalize.requests("PutEvents")[1]["eventList"]]
    assert failed_ids(response) == {f"m-{event_id}" for event_id in second_call}
    assert len(personalize.requests("PutEvents")) == 4
    output = capsys.readouterr().out
    assert metric_total(output, "EventsFailed", reason="not-found") == len(second_call)
    assert metric_total(output, "EventsDelivered") == len(details) - len(second_call)
    assert metric_total(output, "PutEventsCalls") == 4


def test_a_throttled_call_fails_its_records_and_stops_the_batch(tracker: Write, capsys: Any) -> None:
    personalize = FakePersonalizeEvents(failures={1: THROTTLED})
    details = three_groups()

    response = handle(messages_for(details), personalize)

    assert failed_ids(response) == {f"m-{d['eventId']}" for d in details}
    assert len(personalize.requests("PutEvents")) == 1
    output = capsys.readouterr().out
    assert metric_total(output, "EventsFailed", reason="throttled") == 10
    assert metric_total(output, "EventsFailed", reason="skipped-after-failure") == len(details) - 10


def test_without_a_tracker_every_record_fails_and_a_metric_says_why(ssm: Write, capsys: Any) -> None:
    ssm({parameters.EVENT_TRACKER_ID: parameters.NOT_CONFIGURED})
    personalize = FakePersonalizeEvents()
    details = [detail(f"e{n}") for n in range(4)]

    response = handle(messages_for(details), personalize)

    assert failed_ids(response) == {f"m-e{n}" for n in range(4)}
    assert personalize.calls == []
    assert metric_total(capsys.readouterr().out, "SinkNotConfigured") == 4


def test_a_record_that_does_not_parse_is_set_aside_alone(
    tracker: Write, capsys: Any, caplog: pytest.LogCaptureFixture
) -> None:
    personalize = FakePersonalizeEvents()
    good = messages_for([detail("e1"), detail("e2")])
    no_event_id = bus_message({k: v for k, v in detail("e3").items() if k != "eventId"}, "m-bad")
    not_json = {"MessageId": "m-text", "ReceiptHandle": "rh", "Body": "not json"}

    response = handle([*good, no_event_id, not_json], personalize)

    assert response == {"batchItemFailures": []}
    assert [e["eventId"] for e in personalize.requests("PutEvents")[0]["eventList"]] == ["e1", "e2"]
    dead = set_aside(os.environ[DEAD_LETTER_QUEUE_URL])
    assert sorted((d["body"], d["attributes"]["messageId"]) for d in dead) == sorted(
        [(no_event_id["Body"], "m-bad"), ("not json", "m-text")]
    )
    assert {d["attributes"]["reason"] for d in dead} == {"malformed"}
    output = capsys.readouterr().out
    assert metric_total(output, "Rejected", reason="malformed") == 2
    assert metric_total(output, "EventsDelivered") == 2
    logged = [str(record.__dict__) for record in caplog.records]
    assert [line for line in logged if "m-bad" in line and "not a tracked bus event" in line]
    assert not [line for line in logged if "not json" in line or "p1" in line]


def test_only_the_event_personalize_refuses_is_set_aside_and_its_nine_neighbours_are_delivered(
    tracker: Write, capsys: Any, caplog: pytest.LogCaptureFixture
) -> None:
    details = [detail(f"e{n}") for n in range(10)]
    personalize = FakePersonalizeEvents(invalid_event_ids=frozenset({"e6"}))

    response = handle(messages_for(details), personalize)

    assert response == {"batchItemFailures": []}
    calls = [[e["eventId"] for e in r["eventList"]] for r in personalize.requests("PutEvents")]
    assert calls == [[f"e{n}" for n in range(10)], *([f"e{n}"] for n in range(10))]
    assert sorted(personalize.delivered_event_ids()) == sorted(f"e{n}" for n in range(10) if n != 6)
    (dead,) = set_aside(os.environ[DEAD_LETTER_QUEUE_URL])
    assert json.loads(dead["body"])["detail"]["eventId"] == "e6"
    assert dead["attributes"] == {"messageId": "m-e6", "eventId": "e6", "reason": "rejected"}
    output = capsys.readouterr().out
    assert metric_total(output, "Rejected", reason="rejected") == 1
    assert metric_total(output, "EventsDelivered") == 9
    assert metric_total(output, "PutEventsCalls") == 11
    (line,) = [record for record in caplog.records if "set aside" in record.getMessage()]
    assert (line.messageId, line.eventId, line.reason) == ("m-e6", "e6", "rejected")  # type: ignore[attr-defined]
    assert not [record for record in caplog.records if "p1" in str(record.__dict__)]


def test_a_request_botocore_refuses_is_a_rejection_and_does_not_stop_the_batch(
    tracker: Write, capsys: Any
) -> None:
    details = [detail("e1", recommendation_id=""), detail("e2"), detail("e3", session_id="s2")]
    personalize = FakePersonalizeEvents()

    response = handle(messages_for(details), personalize)

    assert response == {"batchItemFailures": []}
    assert sorted(personalize.delivered_event_ids()) == ["e2", "e3"]
    (dead,) = set_aside(os.environ[DEAD_LETTER_QUEUE_URL])
    assert dead["attributes"]["reason"] == "invalid-request"
    output = capsys.readouterr().out
    assert metric_total(output, "Rejected", reason="invalid-request") == 1
    assert metric_total(output, "EventsFailed") == 0


def test_a_redelivered_event_is_sent_once_and_both_records_are_acknowledged(tracker: Write) -> None:
    personalize = FakePersonalizeEvents()
    messages = [
        bus_message(detail("e1"), "m-1"),
        bus_message(detail("e1"), "m-2"),
        bus_message(detail("e2"), "m-3"),
    ]

    response = handle(messages, personalize)

    assert response == {"batchItemFailures": []}
    assert [e["eventId"] for e in personalize.requests("PutEvents")[0]["eventList"]] == ["e1", "e2"]


def _unavailable(last_known: PersonalizationConfig | None) -> Callable[[], PersonalizationConfig]:
    def load() -> PersonalizationConfig:
        error = ClientError({"Error": {"Code": "InternalError", "Message": "down"}}, "GetParametersByPath")
        raise ConfigUnavailableError(error, last_known)

    return load


def test_an_ssm_outage_uses_the_last_configuration_read_or_fails_the_records() -> None:
    records = records_of(messages_for([detail("e1")]))
    personalize = FakePersonalizeEvents()
    queues = SinkQueues(None, "unused", 0)

    never_read = PersonalizeSink(personalize, _unavailable(None), queues).deliver(records)
    read_before = PersonalizeSink(
        personalize, _unavailable(PersonalizationConfig(event_tracker_id="t")), queues
    ).deliver(records)

    assert never_read.failed == {"m-e1": "config-unavailable"}
    assert (read_before.delivered, read_before.failed) == (1, {})
