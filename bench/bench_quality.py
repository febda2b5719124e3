"""Offline quality of the local recommender on a held-out split, against simple baselines.

Split: each shopper's last ProductViewed event is held out; the recommender is trained on
the rest (the same split as bench_recommender's hit rate). Measured here:
- hit rate and NDCG at 10 of user recommendations, against the 10 most viewed items and
  against 10 random items;
- ranking quality of a category list: the held-out item's category (every item of it, in
  catalog order) ranked for the shopper, NDCG of the held-out item in the full list and hit
  rate in the first 10, against the natural (catalog) order and a random order.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.report import Goal, Section, table

CUTOFF = 10
SEED = 7
TRAINED_EVENT = "ProductViewed"


def ndcg_of_position(position: int | None) -> float:
    """NDCG of a single relevant item found at a 0-based position (0 when absent)."""
    return 0.0 if position is None else 1.0 / math.log2(position + 2)


def position_in(ranked: Sequence[str], item_id: str, cutoff: int | None = None) -> int | None:
    window = ranked if cutoff is None else ranked[:cutoff]
    for position, candidate in enumerate(window):
        if candidate == item_id:
            return position
    return None


@dataclass
class Scores:
    """Hit rate and NDCG of one method, accumulated over held-out events."""

    hits: int = 0
    ndcg_sum: float = 0.0
    count: int = 0

    def add(self, ranked: Sequence[str], item_id: str, cutoff: int | None = CUTOFF) -> None:
        position = position_in(ranked, item_id, cutoff)
        self.count += 1
        self.hits += position is not None and position < CUTOFF
        self.ndcg_sum += ndcg_of_position(position)

    @property
    def hit_rate(self) -> float:
        return self.hits / self.count if self.count else 0.0

    @property
    def ndcg(self) -> float:
        return self.ndcg_sum / self.count if self.count else 0.0


@dataclass(frozen=True)
class HeldOut:
    user_id: str
    item_id: str


def split_last_view(data: object) -> tuple[object, list[HeldOut]]:
    """Training data without each user's last trained event, and the events held out."""
    from local.recommender import TrainingData

    assert isinstance(data, TrainingData)
    training, held_rows = data.without_last(TRAINED_EVENT)
    held = [
        HeldOut(data.user_ids[data.user_codes[row]], data.catalog.item_ids[data.item_codes[row]])
        for row in held_rows
    ]
    return training, held


def most_viewed(training: object, count: int) -> list[str]:
    from local.recommender import TrainingData

    assert isinstance(training, TrainingData)
    views = training.item_codes[training.event_codes == training.event_types.index(TRAINED_EVENT)]
    order = np.argsort(-np.bincount(views, minlength=training.catalog.size), kind="stable")[:count]
    return [training.catalog.item_ids[i] for i in order]


@dataclass(frozen=True)
class QualityFigures:
    users: int
    items: int
    held_out: int
    train_seconds: float
    recommend: dict[str, Scores]
    ranking: dict[str, Scores]


def evaluate(data_dir: Path) -> QualityFigures:
    from local.recommender import Recommender, load_training_data

    data = load_training_data(data_dir)
    training, held = split_last_view(data)
    started = time.perf_counter()
    model = Recommender(training)  # type: ignore[arg-type]
    train_seconds = time.perf_counter() - started
    catalog = data.catalog
    rng = np.random.default_rng(SEED)
    popular = most_viewed(training, CUTOFF)
    category_lists: dict[str, list[str]] = {}
    for item_id in catalog.item_ids:
        category_lists.setdefault(catalog.category_of(item_id) or "", []).append(item_id)
    recommend = {"recommender": Scores(), "most popular": Scores(), "random": Scores()}
    ranking = {"recommender": Scores(), "natural order": Scores(), "random order": Scores()}
    item_ids: npt.NDArray[np.str_] = np.array(catalog.item_ids)
    for event in held:
        recommend["recommender"].add(
            [i.item_id for i in model.recommend(event.user_id, CUTOFF)], event.item_id
        )
        recommend["most popular"].add(popular, event.item_id)
        recommend["random"].add(rng.choice(item_ids, CUTOFF, replace=False).tolist(), event.item_id)
        category_list = category_lists[catalog.category_of(event.item_id) or ""]
        ranked = [i.item_id for i in model.rank(event.user_id, category_list)]
        ranking["recommender"].add(ranked, event.item_id, cutoff=None)
        ranking["natural order"].add(category_list, event.item_id, cutoff=None)
        ranking["random order"].add(rng.permutation(category_list).tolist(), event.item_id, cutoff=None)
    return QualityFigures(
        users=len(data.user_ids),
        items=catalog.size,
        held_out=len(held),
        train_seconds=train_seconds,
        recommend=recommend,
        ranking=ranking,
    )


def run(data_dir: Path) -> Section:
    figures = evaluate(data_dir)

    def rows(scores: dict[str, Scores]) -> list[tuple[str, float, float]]:
        return [(name, score.hit_rate, score.ndcg) for name, score in scores.items()]

    recommender, popular = figures.recommend["recommender"], figures.recommend["most popular"]
    ranked, natural = figures.ranking["recommender"], figures.ranking["natural order"]
    return Section(
        title="Quality: held-out split",
        body=[
            f"{figures.users} shoppers, {figures.items} items; each shopper's last product view held out "
            f"({figures.held_out} events), recommender trained on the rest in {figures.train_seconds:.1f} s.",
            "User recommendations, top 10:",
            table(["method", f"hit rate@{CUTOFF}", f"NDCG@{CUTOFF}"], rows(figures.recommend)),
            "Ranking a category list (every item of the held-out item's category) for the shopper: "
            f"hit rate in the first {CUTOFF} and NDCG of the held-out item over the whole list:",
            table(["order", f"hit rate@{CUTOFF}", "NDCG"], rows(figures.ranking)),
        ],
        figures={
            "users": figures.users,
            "items": figures.items,
            "held_out": figures.held_out,
            "recommend": {n: {"hit_rate": s.hit_rate, "ndcg": s.ndcg} for n, s in figures.recommend.items()},
            "ranking": {n: {"hit_rate": s.hit_rate, "ndcg": s.ndcg} for n, s in figures.ranking.items()},
        },
        goals=[
            Goal("NDCG@10 vs most popular", recommender.ndcg / max(popular.ndcg, 1e-9), 1.0, at_most=False),
            Goal(
                "category-list NDCG vs natural order",
                ranked.ndcg / max(natural.ndcg, 1e-9),
                1.0,
                at_most=False,
            ),
        ],
    )
