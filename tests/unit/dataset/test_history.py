"""The interaction history carries the signal the recommenders are trained on, in plausible sessions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from dataset import EVENT_TYPES, Dataset, GeneratorConfig, generate, load
from dataset.history import _run_sampler
from dataset.stats import compute_stats
from tests.unit.dataset.conftest import SMALL

pytestmark = pytest.mark.unit

SESSION_GAP_SECONDS = 1_800


def _codes(*names: str) -> list[int]:
    return [EVENT_TYPES.index(name) for name in names]


def test_timestamps_are_sorted_inside_the_window_and_increase_per_user(small: Dataset) -> None:
    interactions = small.interactions
    order = np.lexsort((interactions.timestamp, interactions.user))
    same_user = interactions.user[order][1:] == interactions.user[order][:-1]

    assert np.all(np.diff(interactions.timestamp) >= 0)
    assert interactions.timestamp.min() >= small.manifest.start_time
    assert interactions.timestamp.max() <= small.manifest.end_time
    assert np.all(np.diff(interactions.timestamp[order])[same_user] > 0)


def test_every_user_has_history_and_the_activity_varies(small: Dataset) -> None:
    per_user = np.bincount(small.interactions.user, minlength=len(small.users))

    assert per_user.min() >= 1
    assert per_user.max() > 3 * np.median(per_user)


def test_the_event_mix_is_mostly_views_with_every_storefront_event(small: Dataset) -> None:
    counts = np.bincount(small.interactions.event_type, minlength=len(EVENT_TYPES))
    viewed, added, completed = (
        counts[code] for code in _codes("ProductViewed", "ProductAdded", "OrderCompleted")
    )

    assert np.all(counts > 0)
    assert viewed / counts.sum() >= 0.8
    assert added >= completed > 0


def test_orders_follow_an_add_to_cart_of_the_same_item_by_the_same_user(small: Dataset) -> None:
    interactions = small.interactions
    added, completed, viewed = _codes("ProductAdded", "OrderCompleted", "ProductViewed")
    first_seen: dict[tuple[int, int, int], int] = {}
    for user, item, code, timestamp in zip(
        interactions.user.tolist(),
        interactions.item.tolist(),
        interactions.event_type.tolist(),
        interactions.timestamp.tolist(),
        strict=True,
    ):
        first_seen.setdefault((user, item, code), timestamp)
    orders = [key for key in first_seen if key[2] == completed]

    assert orders
    for user, item, _ in orders:
        assert (
            first_seen[(user, item, viewed)]
            < first_seen[(user, item, added)]
            < first_seen[(user, item, completed)]
        )


def test_views_stay_inside_the_persona_at_default_settings(small: Dataset) -> None:
    shares = compute_stats(small).persona_view_share

    assert SMALL.exploration_share == GeneratorConfig().exploration_share
    assert min(shares.values()) >= 0.85


@pytest.mark.parametrize(("exploration_share", "low", "high"), [(0.0, 1.0, 1.0), (0.4, 0.5, 0.75)])
def test_exploration_share_sets_how_much_browsing_leaves_the_persona(
    tmp_path: Path, exploration_share: float, low: float, high: float
) -> None:
    generate(tmp_path / "dataset", replace(SMALL, exploration_share=exploration_share))
    shares = compute_stats(load(tmp_path / "dataset")).persona_view_share

    assert low <= min(shares.values())
    assert max(shares.values()) <= high


def _consecutive_views(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Item pairs (before, after) of views that follow each other within a session of one user."""
    views = dataset.interactions.of_type("ProductViewed")
    order = np.lexsort((views.timestamp, views.user))
    user, item, timestamp = views.user[order], views.item[order], views.timestamp[order]
    same_session = (user[1:] == user[:-1]) & (np.diff(timestamp) < SESSION_GAP_SECONDS)
    return item[:-1][same_session], item[1:][same_session]


def test_consecutive_views_in_a_session_stay_on_one_style(small: Dataset) -> None:
    """Item-to-item signal: what a shopper views next is related to what they just viewed."""
    before, after = _consecutive_views(small)
    style = np.array([f"{entry.category}/{entry.style}" for entry in small.items])

    assert len(before) > SMALL.interactions / 2
    assert (style[before] == style[after]).mean() >= 0.95


def test_sessions_move_from_product_to_product(tmp_path: Path) -> None:
    generate(tmp_path / "dataset", replace(SMALL, items=1_000))
    before, after = _consecutive_views(load(tmp_path / "dataset"))

    assert (before == after).mean() <= 0.05


def test_each_user_returns_to_a_few_favourite_styles(small: Dataset) -> None:
    views = small.interactions.of_type("ProductViewed")
    style = np.array([f"{entry.category}/{entry.style}" for entry in small.items])
    top_shares = []
    for user in range(len(small.users)):
        styles = style[views.item[views.user == user]]
        if len(styles) >= 20:
            _, counts = np.unique(styles, return_counts=True)
            top_shares.append(np.sort(counts)[::-1][:4].sum() / len(styles))

    assert top_shares
    assert np.median(top_shares) >= 0.7


def test_weighted_draws_stay_inside_the_requested_run_at_its_edges() -> None:
    draw = _run_sampler(np.array([0, 0, 1, 1, 1]), np.array([1.0, 3.0, 1.0, 1.0, 2.0]))
    just_below_one = np.nextafter(1.0, 0.0)

    assert draw(np.array([1, 0, 0, 1, 1]), np.array([0.0, just_below_one, 0.3, 0.3, 0.6])).tolist() == [
        2,
        1,
        1,
        3,
        4,
    ]
