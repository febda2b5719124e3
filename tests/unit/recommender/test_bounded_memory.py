"""The emulator's live state keeps a stated maximum: least recently used goes first."""

from __future__ import annotations

import pytest

from local.emulator.pinpoint import PinpointService
from local.emulator.sinks import EventLog
from local.recommender import Recommender, TrainingData
from local.recommender.history import LiveEvent, UserHistories
from local.recommender.model import ModelConfig

pytestmark = pytest.mark.unit


def view(item_code: int) -> LiveEvent:
    return LiveEvent(item_code=item_code, event_type="ProductViewed")


def test_live_histories_forget_the_least_recently_active_first(training_data: TrainingData) -> None:
    histories = UserHistories(training_data, live_capacity=5, max_histories=3)
    for user in ("a", "b", "c"):
        histories.append(user_id=user, session_id=f"s-{user}", event=view(1))
    histories.append(user_id="a", session_id="s-a", event=view(2))
    histories.append(user_id="d", session_id="s-d", event=view(3))

    assert histories.live_histories == 3
    assert histories.recent_items("b", "ProductViewed", 10).tolist() == []
    assert histories.recent_items("c", "ProductViewed", 10).tolist() == [1]
    assert histories.recent_items("a", "ProductViewed", 2).tolist() == [1, 2]
    assert histories.recent_items("d", "ProductViewed", 1).tolist() == [3]


def test_each_live_history_keeps_its_last_events(training_data: TrainingData) -> None:
    histories = UserHistories(training_data, live_capacity=3, max_histories=10)
    for code in range(10):
        histories.append(user_id="shopper", session_id="s", event=view(code))

    assert histories.recent_items("shopper", "ProductViewed", 100).tolist() == [7, 8, 9]


def test_a_recommender_under_many_sessions_keeps_at_most_its_maximum(training_data: TrainingData) -> None:
    recommender = Recommender(training_data, ModelConfig(live_histories=50))
    item = recommender.catalog.item_ids[0]
    for n in range(500):
        recommender.record_event(user_id=None, session_id=f"s{n}", event_type="ProductViewed", item_id=item)

    assert recommender.live_histories == 50


def test_the_event_log_keeps_the_last_records_of_each_sink() -> None:
    log = EventLog(max_records=3)
    log.add("personalize-events", [{"n": n} for n in range(5)])
    log.add("pinpoint-events", [{"n": 0}])

    assert log.records("personalize-events") == [{"n": 2}, {"n": 3}, {"n": 4}]
    assert log.records("pinpoint-events") == [{"n": 0}]


def test_pinpoint_endpoints_forget_the_least_recently_updated_first() -> None:
    service = PinpointService("app", EventLog(), max_endpoints=2)
    for endpoint in ("e1", "e2"):
        service.update_endpoint("app", endpoint, {"Attributes": {"n": [endpoint]}})
    service.update_endpoint("app", "e1", {"Address": "x"})
    service.update_endpoint("app", "e3", {"Attributes": {"n": ["e3"]}})

    assert set(service._endpoints) == {"e1", "e3"}
    assert service._endpoints["e1"] == {"Attributes": {"n": ["e1"]}, "Address": "x"}
