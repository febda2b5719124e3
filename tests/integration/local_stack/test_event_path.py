"""The event path end to end: POST /events -> bus -> rule -> queue -> sink -> emulator; and its failures."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from personalization.contracts.topology import SINKS
from tests.polling import eventually
from tests.stack_fixture import LocalStackHandle
from tests.tokens import signed_in
from tests.variants import in_variant, personalized_shopper

pytestmark = pytest.mark.integration

TIMEOUT = 10
DELIVERY_TIMEOUT_SECONDS = 15.0
"""How long a test waits for an outcome of the event path. Tests do not assert wall-clock times:
how fast recommendations follow the shopper (the real-time demo's 2 s) is a figure of
`bench.bench_pipeline`, printed by `make bench`."""


@pytest.fixture
def emulator(local_stack: LocalStackHandle) -> Iterator[LocalStackHandle]:
    """The stack with the emulator's faults and received events cleared before and after."""
    local_stack.clear_faults()
    local_stack.clear_received()
    yield local_stack
    local_stack.clear_faults()


@pytest.fixture(scope="module")
def catalog(local_stack: LocalStackHandle) -> dict[str, Any]:
    return json.loads((local_stack.dataset_dir / "catalog.json").read_text())


@pytest.fixture(scope="module")
def users(local_stack: LocalStackHandle) -> list[dict[str, Any]]:
    return json.loads((local_stack.dataset_dir / "users.json").read_text())


def recommended_categories(stack: LocalStackHandle, user_id: str, categories: dict[str, str]) -> list[str]:
    response = requests.get(
        f"{stack.api_url}/me/recommendations",
        params={"numResults": "10"},
        headers=signed_in(stack.info["cognito"], user_id),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json()["source"] == "personalize"
    return [categories[item["itemId"]] for item in response.json()["items"]]


def post_events(stack: LocalStackHandle, body: dict[str, Any], shopper_id: str | None = None) -> None:
    """POST /events, or POST /me/events signed in as `shopper_id`."""
    if shopper_id is None:
        response = requests.post(f"{stack.api_url}/events", json=body, timeout=TIMEOUT)
    else:
        headers = signed_in(stack.info["cognito"], shopper_id)
        response = requests.post(f"{stack.api_url}/me/events", json=body, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 202, response.text


def test_recommendations_follow_a_newly_viewed_category(
    emulator: LocalStackHandle, catalog: dict[str, Any], users: list[dict[str, Any]]
) -> None:
    categories = {item["id"]: item["category"] for item in catalog["items"]}
    # A shopper no other test shops as (they take the first ids), in the personalized variant.
    in_personalized_variant = set(in_variant("personalized", (user["id"] for user in users)))
    shopper = next(user for user in reversed(users) if user["id"] in in_personalized_variant)
    new_category = next(c["id"] for c in catalog["categories"] if c["id"] not in shopper["categories"])
    before = recommended_categories(emulator, shopper["id"], categories)
    viewed = [item["id"] for item in catalog["items"] if item["category"] == new_category][:5]
    session = f"session-{uuid.uuid4()}"

    post_events(
        emulator,
        {
            "sessionId": session,
            "events": [{"eventType": "ProductViewed", "itemId": item_id} for item_id in viewed],
        },
        shopper["id"],
    )

    def shifted() -> list[str] | None:
        now = recommended_categories(emulator, shopper["id"], categories)
        return now if now.count(new_category) > before.count(new_category) else None

    after = eventually(shifted, timeout=DELIVERY_TIMEOUT_SECONDS)
    assert after.count(new_category) > before.count(new_category)
    # Records of earlier tests' sessions may still arrive (retried after their faults): ours by session.
    delivered = [r for r in emulator.received("personalize-events") if r["sessionId"] == session]
    assert {record["itemId"] for record in delivered} >= set(viewed)


def test_signed_in_events_reach_pinpoint(emulator: LocalStackHandle, catalog: dict[str, Any]) -> None:
    pinpoint_sink = next(sink for sink in SINKS if sink.function.name == "pinpoint_sync")
    post_events(
        emulator,
        {
            "sessionId": "pinpoint-session",
            "events": [
                {"eventType": "CartViewed"},
                {"eventType": "ProductViewed", "itemId": catalog["items"][0]["id"]},
            ],
        },
        "7",
    )

    eventually(
        lambda: len(emulator.received("pinpoint-events")) >= 2,
        timeout=pinpoint_sink.batching_window_seconds + 10,
    )

    assert emulator.received("pinpoint-endpoints")
    # Held by its event source for the 5 s window, no record was handed out again meanwhile until it
    # counted as a dead letter (no test faults Pinpoint: its DLQ stays empty).
    assert emulator.messages_in(emulator.queue(pinpoint_sink.function.name)["dlqUrl"]) == 0


def test_recommendations_fall_back_to_featured_when_personalize_fails(
    emulator: LocalStackHandle, local_stack: LocalStackHandle
) -> None:
    featured = json.loads((local_stack.dataset_dir / "featured.json").read_text())["itemIds"]
    emulator.set_fault("personalize-runtime:GetRecommendations", error_rate=1.0)

    response = requests.get(
        f"{local_stack.api_url}/me/recommendations",
        params={"numResults": "5"},
        headers=signed_in(local_stack.info["cognito"], personalized_shopper()),
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.json()["source"] == "fallback"
    assert [item["itemId"] for item in response.json()["items"]] == featured[:5]


def test_ranking_falls_back_to_input_order_when_personalize_is_slow(
    emulator: LocalStackHandle, catalog: dict[str, Any]
) -> None:
    item_ids = [item["id"] for item in catalog["items"][:10]]
    emulator.set_fault("personalize-runtime:GetPersonalizedRanking", latency_ms=2500)

    response = requests.post(
        f"{emulator.api_url}/me/rank",
        json={"itemIds": item_ids},
        headers=signed_in(emulator.info["cognito"], "1"),
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.json()["source"] == "fallback"
    assert [item["itemId"] for item in response.json()["items"]] == item_ids


def test_a_record_the_sink_cannot_deliver_is_redelivered_then_lands_in_the_dlq(
    emulator: LocalStackHandle, catalog: dict[str, Any]
) -> None:
    sink = next(sink for sink in SINKS if sink.function.name == "personalize_sync")
    queues = emulator.queue("personalize_sync")
    sqs = emulator.client("sqs")
    emulator.set_fault("personalize-events:PutEvents", error_rate=1.0)
    event_id = f"doomed-{uuid.uuid4()}"

    post_events(
        emulator,
        {
            "sessionId": "dlq-session",
            "events": [
                {"eventType": "ProductViewed", "itemId": catalog["items"][2]["id"], "eventId": event_id}
            ],
        },
    )

    def dead_letters() -> list[dict[str, Any]]:
        response = sqs.receive_message(
            QueueUrl=queues["dlqUrl"], AttributeNames=["All"], MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        return [
            m for m in response.get("Messages", []) if json.loads(m["Body"])["detail"]["eventId"] == event_id
        ]

    # Each receive waits out the 1 s visibility timeout of the test stack, then the redrive moves it.
    [message] = eventually(dead_letters, timeout=sink.max_receive_count * 4 + 10)
    assert int(message["Attributes"]["ApproximateReceiveCount"]) >= sink.max_receive_count
    assert emulator.received("personalize-events") == []
    sqs.delete_message(QueueUrl=queues["dlqUrl"], ReceiptHandle=message["ReceiptHandle"])
