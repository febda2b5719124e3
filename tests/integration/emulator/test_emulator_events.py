"""Personalize events through boto3: PutEvents in real time, exclude-purchased, PutUsers/PutItems, limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError, ParamValidationError

from local.emulator import EmulatorServer
from tests.integration.emulator.emulator_helpers import error_of

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def event(item_id: str | None = None, event_type: str = "ProductViewed", **extra: Any) -> dict[str, Any]:
    return {"eventType": event_type, "sentAt": NOW, **({"itemId": item_id} if item_id else {}), **extra}


def items_of(emulator: EmulatorServer, category: str) -> list[str]:
    catalog = emulator.recommender.catalog
    return [item_id for item_id in catalog.item_ids if catalog.category_of(item_id) == category]


def top_categories(runtime: Any, campaign: str, emulator: EmulatorServer, user_id: str) -> list[str | None]:
    items = runtime.get_recommendations(campaignArn=campaign, userId=user_id, numResults=10)["itemList"]
    return [emulator.recommender.catalog.category_of(item["itemId"]) for item in items]


def test_put_events_reaches_the_sink(events: Any, tracking_id: str, emulator: EmulatorServer) -> None:
    events.put_events(
        trackingId=tracking_id,
        userId="7",
        sessionId="session-7",
        eventList=[
            event(
                "p00001", eventId="e-1", properties=json.dumps({"discount": "No"}), recommendationId="RID-1"
            ),
            event(None, "ProductSearched"),
        ],
    )

    recorded = emulator.recorded("personalize-events")
    assert [(r["eventType"], r["itemId"], r["userId"], r["sessionId"]) for r in recorded] == [
        ("ProductViewed", "p00001", "7", "session-7"),
        ("ProductSearched", None, "7", "session-7"),
    ]
    assert recorded[0]["eventId"] == "e-1"
    assert recorded[0]["properties"] == {"discount": "No"}
    assert recorded[0]["sentAt"] == "2026-11-29T12:00:00Z"
    assert recorded[1]["eventId"]


def test_events_move_the_next_recommendations_at_once(
    events: Any, runtime: Any, tracking_id: str, user_campaign: str, emulator: EmulatorServer
) -> None:
    user_id = "12"
    persona = next(
        user for user in json.loads((emulator.data_dir / "users.json").read_text()) if user["id"] == user_id
    )
    category = next(c for c in emulator.recommender.catalog.category_names if c not in persona["categories"])
    assert top_categories(runtime, user_campaign, emulator, user_id).count(category) < 5

    viewed = items_of(emulator, category)[:5]
    events.put_events(
        trackingId=tracking_id, userId=user_id, sessionId="s-12", eventList=[event(i) for i in viewed]
    )

    assert top_categories(runtime, user_campaign, emulator, user_id).count(category) >= 5


def test_exclude_purchased_follows_real_time_orders(
    events: Any, runtime: Any, tracking_id: str, user_campaign: str, ssm: dict[str, str]
) -> None:
    filtered = {
        "campaignArn": user_campaign,
        "userId": "21",
        "filterArn": ssm["personalize/filters/exclude-purchased-arn"],
    }
    top_item = runtime.get_recommendations(**filtered, numResults=1)["itemList"][0]["itemId"]

    events.put_events(
        trackingId=tracking_id, userId="21", sessionId="s-21", eventList=[event(top_item, "OrderCompleted")]
    )

    after = [item["itemId"] for item in runtime.get_recommendations(**filtered, numResults=50)["itemList"]]
    unfiltered = runtime.get_recommendations(campaignArn=user_campaign, userId="21", numResults=50)[
        "itemList"
    ]
    assert top_item not in after
    assert top_item in [item["itemId"] for item in unfiltered]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"eventList": [event("p00001")] * 11}, "length less than or equal to 10"),
        ({"trackingId": "not-the-tracker"}, "does not match an event tracker"),
        ({"eventList": [event("p00001", properties="x" * 1100)]}, "length less than or equal to 1024"),
        ({"eventList": [event("p00001", properties="[1, 2]")]}, "properties must be a JSON object"),
        ({"eventList": [event("p" * 257)]}, "length less than or equal to 256"),
        ({"eventList": [event("p00001", recommendationId="r" * 41)]}, "length less than or equal to 40"),
        (
            {"eventList": [event("p00001", impression=[f"p{i}" for i in range(26)])]},
            "less than or equal to 25",
        ),
        ({"sessionId": "s" * 257}, "length less than or equal to 256"),
    ],
)
def test_put_events_limits(
    events: Any, tracking_id: str, emulator: EmulatorServer, arguments: dict[str, Any], message: str
) -> None:
    request = {"trackingId": tracking_id, "sessionId": "s", "eventList": [event("p00001")], **arguments}
    with pytest.raises(ClientError) as raised:
        events.put_events(**request)

    status, code, got_message = error_of(raised)
    assert (status, code) == (400, "InvalidInputException")
    assert message in got_message
    assert emulator.recorded("personalize-events") == []


def test_an_empty_event_list_is_refused_by_botocore_and_by_the_server(
    events: Any, tracking_id: str, emulator: EmulatorServer
) -> None:
    with pytest.raises(ParamValidationError):
        events.put_events(trackingId=tracking_id, sessionId="s", eventList=[])
    response = requests.post(
        f"{emulator.url}/events",
        json={"trackingId": tracking_id, "sessionId": "s", "eventList": []},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidInputException"
    assert "length greater than or equal to 1" in response.json()["message"]


def test_put_users_and_put_items_are_recorded(events: Any, emulator: EmulatorServer) -> None:
    datasets = emulator.resources.datasets
    events.put_users(datasetArn=datasets["USERS"], users=[{"userId": "u-1", "properties": '{"age": "34"}'}])
    events.put_items(
        datasetArn=datasets["ITEMS"], items=[{"itemId": "p99999", "properties": '{"price": 9.5}'}]
    )

    assert emulator.recorded("personalize-users") == [{"userId": "u-1", "properties": {"age": "34"}}]
    assert emulator.recorded("personalize-items") == [{"itemId": "p99999", "properties": {"price": 9.5}}]


def test_put_users_errors(events: Any, emulator: EmulatorServer) -> None:
    with pytest.raises(ClientError) as unknown:
        events.put_users(datasetArn=emulator.resources.datasets["ITEMS"], users=[{"userId": "u-1"}])
    with pytest.raises(ClientError) as too_many:
        events.put_users(
            datasetArn=emulator.resources.datasets["USERS"], users=[{"userId": f"u-{i}"} for i in range(11)]
        )

    assert error_of(unknown)[:2] == (404, "ResourceNotFoundException")
    assert error_of(too_many)[:2] == (400, "InvalidInputException")
