"""The three models behind the emulated campaigns: related items, user recommendations, ranking.

- related items: the item's precomputed neighbours (see `similarity`), backfilled with popular
  items of the same category, then popular items overall;
- user recommendations: a recency-weighted sum of the normalised neighbour vectors of the
  user's last events (the newest event weighs 1, the one `recency_half_life` events older
  weighs 1/2), plus a popularity term small enough to only order what the history does not
  reach. The short half-life is what lets five new views take over the top of the list;
- personalized ranking: the same user scores over the given list, unknown items last.

Scores are normalised to sum to 1 over the candidates, like Personalize's softmax scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from local.recommender.data import Catalog, TrainingData
from local.recommender.history import NO_ITEM, LiveEvent, UserHistories
from local.recommender.similarity import item_neighbours, user_item_matrix

BACKFILL_WEIGHT = 1e-6
"""Weight of the popularity term: it breaks ties and fills the list, never outranks the history."""


@dataclass(frozen=True)
class ModelConfig:
    trained_event_type: str = "ProductViewed"
    neighbours: int = 100
    shrinkage: float = 5.0
    history_length: int = 50
    recency_half_life: float = 2.5
    live_events_per_user: int = 500
    live_histories: int = 50_000
    """Shoppers and sessions with a live history kept; the least recently active is forgotten first."""


@dataclass(frozen=True)
class ScoredItem:
    item_id: str
    score: float


class Recommender:
    """Trained once from a dataset; `record_event` updates the histories while it serves."""

    def __init__(self, data: TrainingData, config: ModelConfig | None = None) -> None:
        self.config = config or ModelConfig()
        self.catalog: Catalog = data.catalog
        trained = data.event_codes == self._event_code(data, self.config.trained_event_type)
        matrix = user_item_matrix(
            data.user_codes[trained], data.item_codes[trained], len(data.user_ids), data.catalog.size
        )
        views = np.bincount(data.item_codes[trained], minlength=data.catalog.size).astype(np.float64)
        self._popularity = views / max(views.max(initial=0.0), 1.0)
        self._neighbours = item_neighbours(
            matrix, neighbours=self.config.neighbours, shrinkage=self.config.shrinkage
        )
        self._histories = UserHistories(
            data, self.config.live_events_per_user, max_histories=self.config.live_histories
        )

    @property
    def live_histories(self) -> int:
        """Shoppers and sessions whose real-time events are kept (at most `config.live_histories`)."""
        return self._histories.live_histories

    @staticmethod
    def _event_code(data: TrainingData, event_type: str) -> int:
        return data.event_types.index(event_type) if event_type in data.event_types else -1

    def record_event(
        self, *, user_id: str | None, session_id: str, event_type: str, item_id: str | None
    ) -> None:
        item_code = NO_ITEM if item_id is None else self.catalog.index.get(item_id, NO_ITEM)
        self._histories.append(user_id=user_id, session_id=session_id, event=LiveEvent(item_code, event_type))

    def items_with_event_types(self, user_id: str, event_types: frozenset[str]) -> npt.NDArray[np.int32]:
        return self._histories.items_with_event_types(user_id, event_types)

    def user_scores(self, user_id: str) -> npt.NDArray[np.float64]:
        """Affinity of the user to every catalog item (popularity alone for a user without history)."""
        recent = self._histories.recent_items(
            user_id, self.config.trained_event_type, self.config.history_length
        )
        ages = np.arange(len(recent) - 1, -1, -1, dtype=np.float64)
        weights = np.power(0.5, ages / self.config.recency_half_life)
        neighbour_indices = self._neighbours.indices[recent]
        contributions = self._neighbours.weights[recent] * weights[:, None]
        present = neighbour_indices >= 0
        scores = np.bincount(
            neighbour_indices[present], weights=contributions[present], minlength=self.catalog.size
        )
        return scores + BACKFILL_WEIGHT * self._popularity

    def recommend(
        self, user_id: str, num_results: int, allowed: npt.NDArray[np.bool_] | None = None
    ) -> list[ScoredItem]:
        return self._top(self.user_scores(user_id), num_results, allowed)

    def related(
        self, item_id: str, num_results: int, allowed: npt.NDArray[np.bool_] | None = None
    ) -> list[ScoredItem]:
        """Most similar items; an item unknown to the catalog gets popular items."""
        position = self.catalog.index.get(item_id)
        scores = BACKFILL_WEIGHT * self._popularity
        if position is not None:
            same_category = self.catalog.category_codes == self.catalog.category_codes[position]
            scores = scores * (1.0 + same_category)
            row = self._neighbours.indices[position]
            present = row >= 0
            scores[row[present]] += self._neighbours.similarities[position][present]
            scores[position] = 0.0
            allowed = _without(allowed, position, self.catalog.size)
        return self._top(scores, num_results, allowed)

    def rank(self, user_id: str, item_ids: Sequence[str]) -> list[ScoredItem]:
        """The input items by descending affinity; items unknown to the catalog keep their order, last."""
        positions = [self.catalog.index.get(item_id) for item_id in item_ids]
        known = [
            (item_id, position)
            for item_id, position in zip(item_ids, positions, strict=True)
            if position is not None
        ]
        unknown = [item_id for item_id, position in zip(item_ids, positions, strict=True) if position is None]
        scores = self.user_scores(user_id)[[position for _, position in known]]
        order = np.argsort(-scores, kind="stable")
        total = float(scores.sum()) or 1.0
        ranked = [ScoredItem(known[i][0], _rounded(scores[i] / total)) for i in order]
        return ranked + [ScoredItem(item_id, 0.0) for item_id in unknown]

    def _top(
        self, scores: npt.NDArray[np.float64], num_results: int, allowed: npt.NDArray[np.bool_] | None
    ) -> list[ScoredItem]:
        candidates = scores if allowed is None else np.where(allowed, scores, -np.inf)
        count = min(num_results, int(np.count_nonzero(np.isfinite(candidates))))
        if count <= 0:
            return []
        top = np.argpartition(-candidates, count - 1)[:count]
        top = top[np.argsort(-candidates[top], kind="stable")]
        total = float(scores[np.isfinite(candidates)].sum()) or 1.0
        return [ScoredItem(self.catalog.item_ids[i], _rounded(scores[i] / total)) for i in top]


def _without(allowed: npt.NDArray[np.bool_] | None, position: int, size: int) -> npt.NDArray[np.bool_]:
    mask = np.ones(size, dtype=bool) if allowed is None else allowed.copy()
    mask[position] = False
    return mask


def _rounded(score: float) -> float:
    return round(float(score), 7)
