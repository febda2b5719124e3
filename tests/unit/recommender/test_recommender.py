"""Properties of the recommender on a small generated dataset."""

from __future__ import annotations

import threading
from collections.abc import Container
from pathlib import Path

import numpy as np
import pytest

from dataset.loader import read_manifest
from local.recommender import Recommender, TrainingData, load_training_data
from local.recommender.data import DatasetError

pytestmark = pytest.mark.unit


def category_share(recommender: Recommender, item_ids: list[str], categories: Container[str | None]) -> float:
    return float(np.mean([recommender.catalog.category_of(item_id) in categories for item_id in item_ids]))


def ids(items: list) -> list[str]:
    return [item.item_id for item in items]


def test_loads_every_interaction_of_the_dataset(small_dataset: Path, training_data: TrainingData) -> None:
    manifest = read_manifest(small_dataset)

    assert training_data.size == manifest.interactions
    assert training_data.catalog.size == manifest.items
    assert np.all(np.diff(training_data.timestamps) >= 0)


def test_interactions_with_items_missing_from_the_catalog_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("ITEM_ID,CATEGORY_L1\np1,footwear\n", encoding="utf-8")
    (tmp_path / "interactions.csv").write_text(
        "USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\n1,p1,ProductViewed,20\n1,gone,ProductViewed,10\n",
        encoding="utf-8",
    )

    data = load_training_data(tmp_path)

    assert data.size == 1
    assert data.user_ids == ("1",)


def test_a_missing_file_or_column_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"missing dataset file .*items\.csv"):
        load_training_data(tmp_path)
    (tmp_path / "items.csv").write_text("ITEM_ID,NAME\np1,x\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="CATEGORY_L1"):
        load_training_data(tmp_path)
    (tmp_path / "items.csv").write_text("ITEM_ID,CATEGORY_L1\np1,footwear\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing dataset file .*interactions\.csv") as raised:
        load_training_data(tmp_path)
    assert isinstance(raised.value, DatasetError)


def test_history_users_get_mostly_their_persona_categories(
    recommender: Recommender, training_data: TrainingData, personas: dict[str, set[str]]
) -> None:
    shares = [
        category_share(recommender, ids(recommender.recommend(user, 25)), personas[user])
        for user in training_data.user_ids
    ]

    assert np.mean(shares) >= 0.9


def test_recommendations_are_ordered_by_score_and_respect_the_count(recommender: Recommender) -> None:
    items = recommender.recommend("1", 30)

    assert len(items) == 30
    assert len(set(ids(items))) == 30
    assert [item.score for item in items] == sorted((item.score for item in items), reverse=True)
    assert 0 < sum(item.score for item in items) <= 1.0 + 1e-6


def test_an_unknown_user_gets_the_most_viewed_items(
    recommender: Recommender, training_data: TrainingData
) -> None:
    viewed = training_data.item_codes[
        training_data.event_codes == training_data.event_types.index("ProductViewed")
    ]
    views = np.bincount(viewed, minlength=training_data.catalog.size)

    top = recommender.recommend("never-seen", 10)

    top_views = [views[recommender.catalog.index[item_id]] for item_id in ids(top)]
    assert top_views == sorted(views, reverse=True)[:10]


def test_related_items_share_the_category_and_exclude_the_item(recommender: Recommender) -> None:
    catalog = recommender.catalog
    shares = []
    for item_id in catalog.item_ids:
        related = ids(recommender.related(item_id, 10))
        assert item_id not in related
        assert len(related) == 10
        shares.append(category_share(recommender, related, {catalog.category_of(item_id)}))

    assert np.mean(shares) >= 0.8


def test_an_unknown_item_gets_popular_items(recommender: Recommender) -> None:
    assert ids(recommender.related("no-such-item", 5)) == ids(recommender.recommend("never-seen", 5))


def test_five_views_in_a_new_category_take_half_the_top_ten(
    recommender: Recommender, training_data: TrainingData, personas: dict[str, set[str]]
) -> None:
    user = training_data.user_ids[0]
    category = sorted(set(recommender.catalog.category_names) - personas[user])[0]
    before = ids(recommender.recommend(user, 10))
    viewed = [
        item for item in recommender.catalog.item_ids if recommender.catalog.category_of(item) == category
    ][:5]

    for item_id in viewed:
        recommender.record_event(user_id=user, session_id="s-1", event_type="ProductViewed", item_id=item_id)

    assert category_share(recommender, before, {category}) < 0.5
    assert category_share(recommender, ids(recommender.recommend(user, 10)), {category}) >= 0.5


def test_anonymous_session_events_follow_the_shopper_who_signs_in(recommender: Recommender) -> None:
    catalog = recommender.catalog
    outdoors = [item for item in catalog.item_ids if catalog.category_of(item) == "outdoors"][:5]
    for item_id in outdoors:
        recommender.record_event(
            user_id=None, session_id="anon-1", event_type="ProductViewed", item_id=item_id
        )
    assert category_share(recommender, ids(recommender.recommend("new-user", 10)), {"outdoors"}) < 0.5

    recommender.record_event(
        user_id="new-user", session_id="anon-1", event_type="ProductViewed", item_id=outdoors[0]
    )

    assert category_share(recommender, ids(recommender.recommend("new-user", 10)), {"outdoors"}) >= 0.5


def test_events_without_a_known_item_do_not_change_the_recommendations(recommender: Recommender) -> None:
    before = ids(recommender.recommend("1", 10))

    recommender.record_event(user_id="1", session_id="s", event_type="ProductSearched", item_id=None)
    recommender.record_event(
        user_id="1", session_id="s", event_type="ProductViewed", item_id="not-in-catalog"
    )

    assert ids(recommender.recommend("1", 10)) == before


def test_ranking_returns_exactly_the_input_with_unknown_items_last(
    recommender: Recommender, personas: dict[str, set[str]]
) -> None:
    catalog = recommender.catalog
    inside = [item for item in catalog.item_ids if catalog.category_of(item) in personas["1"]][:5]
    outside = [item for item in catalog.item_ids if catalog.category_of(item) not in personas["1"]][:5]
    input_list = [*outside, "unknown-b", *inside, "unknown-a"]

    ranked = recommender.rank("1", input_list)

    assert sorted(ids(ranked)) == sorted(input_list)
    assert ids(ranked)[-2:] == ["unknown-b", "unknown-a"]
    assert set(ids(ranked)[:5]) == set(inside)
    assert sum(item.score for item in ranked) == pytest.approx(1.0, abs=1e-5)


def test_allowed_mask_limits_the_candidates(recommender: Recommender) -> None:
    allowed = np.zeros(recommender.catalog.size, dtype=bool)
    allowed[[3, 7, 11]] = True

    items = recommender.recommend("1", 25, allowed)

    assert sorted(recommender.catalog.index[item_id] for item_id in ids(items)) == [3, 7, 11]


def test_items_with_event_types_combines_training_and_live_events(
    recommender: Recommender, training_data: TrainingData
) -> None:
    order_code = training_data.event_types.index("OrderCompleted")
    buyer_code = int(training_data.user_codes[training_data.event_codes == order_code][0])
    buyer = training_data.user_ids[buyer_code]
    trained = set(
        training_data.item_codes[
            (training_data.user_codes == buyer_code) & (training_data.event_codes == order_code)
        ]
    )
    new_purchase = next(code for code in range(recommender.catalog.size) if code not in trained)

    recommender.record_event(
        user_id=buyer,
        session_id="s",
        event_type="OrderCompleted",
        item_id=recommender.catalog.item_ids[new_purchase],
    )

    assert set(recommender.items_with_event_types(buyer, frozenset({"OrderCompleted"}))) == {
        *trained,
        new_purchase,
    }


def test_concurrent_events_are_all_kept(recommender: Recommender) -> None:
    items = recommender.catalog.item_ids[:40]

    def send(start: int) -> None:
        for item_id in items[start : start + 10]:
            recommender.record_event(
                user_id="busy", session_id="s", event_type="ProductAdded", item_id=item_id
            )

    threads = [threading.Thread(target=send, args=(start,)) for start in range(0, 40, 10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(recommender.items_with_event_types("busy", frozenset({"ProductAdded"}))) == 40
