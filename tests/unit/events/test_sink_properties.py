"""Generated SQS batches through each sink: poison records are set aside, transient failures come
back, and nothing is lost.

A batch holds 1-100 records: valid events, the same event in several records, bodies that do not
parse, events the fake service refuses for good and events it fails transiently. For every batch:
delivered (acknowledged) + set aside + failed is the whole batch, each part disjoint; an
acknowledged record's event was taken by the service, and each event at most once; what is set
aside is exactly what does not parse or is refused (for Personalize, as long as no transient
failure stopped the batch first); a transiently failed record is in `batchItemFailures` (for
Pinpoint, whose answers are per event, exactly those), with the backoff of its receive count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalization.adapters.sinks.base import MALFORMED, Sink, SinkQueues, backoff_seconds
from personalization.adapters.sinks.personalize import PersonalizeSink
from personalization.adapters.sinks.pinpoint import PinpointSink
from personalization.observability import logger, metrics
from personalization.usecases.ports import PersonalizationConfig
from tests.unit.events.conftest import bus_message, client_error, detail, failed_ids, sqs_event

pytestmark = pytest.mark.unit

EXAMPLES = 300
VALID, POISON, TRANSIENT = "valid", "poison", "transient"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:sink"
UNPARSABLE_BODIES = (
    "not json",
    "{}",
    bus_message({"eventType": "ProductViewed"}, "x")["Body"],
    bus_message({**detail("x"), "eventType": "Teleported"}, "x")["Body"],
)


@dataclass(frozen=True)
class Event:
    event_id: str
    kind: str
    session_id: str
    user_id: str


@dataclass(frozen=True)
class Batch:
    events: list[Event]
    records: list[tuple[str, Event | None]]
    """(message id, the record's event, or None for a body that does not parse)."""
    receive_counts: dict[str, int]
    event: dict[str, Any]

    def ids(self, *kinds: str) -> set[str]:
        return {message_id for message_id, event in self.records if event is not None and event.kind in kinds}

    @property
    def unparsable(self) -> set[str]:
        return {message_id for message_id, event in self.records if event is None}


@st.composite
def batches(draw: st.DrawFn) -> Batch:
    size = draw(st.integers(1, 100))
    kinds = st.sampled_from((VALID, VALID, VALID, POISON, TRANSIENT))
    events = [
        Event(f"e{n}", kind, f"s{session}", f"u{session % 3}")
        for n, (kind, session) in enumerate(
            draw(st.lists(st.tuples(kinds, st.integers(0, 5)), min_size=1, max_size=size))
        )
    ]
    choices = [*events, *UNPARSABLE_BODIES]
    chosen = draw(st.lists(st.integers(0, len(choices) - 1), min_size=size, max_size=size))
    counts = draw(st.lists(st.integers(1, 6), min_size=size, max_size=size))
    records: list[tuple[str, Event | None]] = []
    messages = []
    receive_counts = {}
    for n, (index, receive_count) in enumerate(zip(chosen, counts, strict=True)):
        message_id, choice = f"m{n}", choices[index]
        if isinstance(choice, Event):
            event_detail = detail(choice.event_id, session_id=choice.session_id, user_id=choice.user_id)
            message = bus_message(event_detail, message_id)
        else:
            message = {"MessageId": message_id, "ReceiptHandle": f"rh-{message_id}", "Body": choice}
        message["Attributes"] = {"ApproximateReceiveCount": str(receive_count)}
        records.append((message_id, choice if isinstance(choice, Event) else None))
        receive_counts[message_id] = receive_count
        messages.append(message)
    return Batch(events, records, receive_counts, sqs_event(messages, QUEUE_ARN))


@pytest.fixture(autouse=True, scope="module")
def _quiet_logger() -> Iterator[None]:
    """Only errors are logged: the sinks' warnings (one per record set aside) would dominate the run time."""
    level = logger.log_level
    logger.setLevel("ERROR")
    yield
    logger.setLevel(level)


@dataclass
class FakeQueues:
    """The sink's SQS client: what it sends to the dead-letter queue and which visibilities it sets."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    visibility: list[dict[str, Any]] = field(default_factory=list)

    def send_message(self, **request: Any) -> dict[str, Any]:
        self.sent.append(request)
        return {"MessageId": "dlq"}

    def change_message_visibility_batch(self, **request: Any) -> dict[str, Any]:
        assert request["QueueUrl"] == "https://sqs.us-east-1.amazonaws.com/123456789012/sink"
        assert len(request["Entries"]) <= 10
        self.visibility.extend(request["Entries"])
        return {"Successful": [{"Id": entry["Id"]} for entry in request["Entries"]], "Failed": []}


class FakeService:
    def __init__(self, events: list[Event]) -> None:
        self.kinds = {event.event_id: event.kind for event in events}
        self.accepted: Counter[str] = Counter()
        self.transient_failures = 0


class FakePersonalize(FakeService):
    """A call holding a transient event fails with a 500, else one holding a poison event is invalid."""

    def put_events(self, **request: Any) -> dict[str, Any]:
        kinds = {self.kinds[event["eventId"]] for event in request["eventList"]}
        if TRANSIENT in kinds:
            self.transient_failures += 1
            raise client_error("InternalFailure", 500)
        if POISON in kinds:
            raise client_error("InvalidInputException", 400)
        self.accepted.update(event["eventId"] for event in request["eventList"])
        return {}


class FakePinpoint(FakeService):
    """Answers each event: 400 for a poison one, 500 for a transient one, 202 for the others."""

    STATUS = {VALID: 202, POISON: 400, TRANSIENT: 500}

    def update_endpoint(self, **request: Any) -> dict[str, Any]:
        return {"MessageBody": {"Message": "Accepted"}}

    def put_events(self, **request: Any) -> dict[str, Any]:
        results = {}
        for endpoint, item in request["EventsRequest"]["BatchItem"].items():
            statuses = {event_id: self.STATUS[self.kinds[event_id]] for event_id in item["Events"]}
            self.accepted.update(event_id for event_id, status in statuses.items() if status == 202)
            results[endpoint] = {
                "EndpointItemResponse": {"StatusCode": 202},
                "EventsItemResponse": {
                    event_id: {"StatusCode": status} for event_id, status in statuses.items()
                },
            }
        return {"EventsResponse": {"Results": results}}


def run(sink_type: type[Sink], service: FakeService, config: PersonalizationConfig, batch: Batch) -> Any:
    queues = FakeQueues()
    sink = sink_type(
        service, lambda: config, SinkQueues(queues, "https://sqs.us-east-1.amazonaws.com/1/dlq", 43_200)
    )
    try:
        failed = failed_ids(sink.handle(batch.event))
    finally:
        metrics.clear_metrics()
    return failed, queues


def check_nothing_is_lost(
    batch: Batch, service: FakeService, failed: set[str], queues: FakeQueues
) -> set[str]:
    """The properties both sinks share; returns the message ids set aside."""
    set_aside = [message["MessageAttributes"]["messageId"]["StringValue"] for message in queues.sent]
    aside = set(set_aside)
    everything = {message_id for message_id, _ in batch.records}
    acknowledged = everything - failed - aside
    events = dict(batch.records)
    assert len(set_aside) == len(aside), "a record is set aside once"
    assert not failed & aside
    assert failed | aside <= everything
    assert all(count == 1 for count in service.accepted.values()), "an event is delivered once"
    assert all(service.kinds[event_id] == VALID for event_id in service.accepted)
    for message_id in acknowledged:
        event = events[message_id]
        assert event is not None, f"{message_id} does not parse, yet it was acknowledged"
        assert event.event_id in service.accepted, f"{message_id} acknowledged, not delivered"
    for message_id in failed | aside:
        event = events[message_id]
        assert event is None or event.event_id not in service.accepted, (
            f"{message_id} delivered, yet not acknowledged"
        )
    assert batch.unparsable <= aside
    assert aside <= batch.unparsable | batch.ids(POISON)
    assert batch.ids(TRANSIENT) <= failed
    bodies = {message["MessageId"]: message["Body"] for message in map(_message, batch.event["Records"])}
    for message in queues.sent:
        message_id = message["MessageAttributes"]["messageId"]["StringValue"]
        reason = message["MessageAttributes"]["reason"]["StringValue"]
        assert message["MessageBody"] == bodies[message_id]
        assert reason == (MALFORMED if message_id in batch.unparsable else "rejected")
    backoffs = {entry["ReceiptHandle"]: entry["VisibilityTimeout"] for entry in queues.visibility}
    assert len(backoffs) == len(queues.visibility) == len(failed)
    assert backoffs == {
        f"rh-{message_id}": backoff_seconds(batch.receive_counts[message_id]) for message_id in failed
    }
    return aside


def _message(record: dict[str, Any]) -> dict[str, Any]:
    return {"MessageId": record["messageId"], "Body": record["body"]}


@settings(max_examples=EXAMPLES, deadline=None)
@given(batches())
def test_personalize_sync_sets_aside_exactly_the_poison_records_and_loses_nothing(batch: Batch) -> None:
    service = FakePersonalize(batch.events)

    failed, queues = run(PersonalizeSink, service, PersonalizationConfig(event_tracker_id="t"), batch)

    aside = check_nothing_is_lost(batch, service, failed, queues)
    if service.transient_failures == 0:
        assert aside == batch.unparsable | batch.ids(POISON)
        assert failed == set()
    else:
        assert failed >= batch.ids(TRANSIENT)


@settings(max_examples=EXAMPLES, deadline=None)
@given(batches())
def test_pinpoint_sync_sets_aside_exactly_the_poison_records_and_fails_exactly_the_transient_ones(
    batch: Batch,
) -> None:
    service = FakePinpoint(batch.events)

    failed, queues = run(PinpointSink, service, PersonalizationConfig(pinpoint_application_id="app"), batch)

    aside = check_nothing_is_lost(batch, service, failed, queues)
    assert aside == batch.unparsable | batch.ids(POISON)
    assert failed == batch.ids(TRANSIENT)
