"""Item-to-item similarity from co-occurrence in users' histories, top-k neighbours per item.

Cosine of the item columns of the binary user x item matrix (like SIMS, no item metadata), computed
in blocks of items so the dense intermediate stays small at 10x scale, with a shrinkage term that
keeps items seen by a handful of users from getting extreme similarities. Each item also gets its
neighbour weights normalised to sum to 1, so that every event of a history carries the same mass
in the user model whatever the popularity of its item.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

BLOCK_ITEMS = 512


@dataclass(frozen=True)
class Neighbours:
    """Row i holds item i's neighbours, most similar first; unused slots have index -1 and similarity 0."""

    indices: npt.NDArray[np.int32]
    similarities: npt.NDArray[np.float32]
    weights: npt.NDArray[np.float32]
    """The similarities of each row divided by the row's sum."""


def user_item_matrix(
    user_codes: npt.NDArray[np.int32], item_codes: npt.NDArray[np.int32], users: int, items: int
) -> sparse.csr_matrix:
    """Binary users x items matrix: 1 where the user interacted with the item at least once."""
    matrix = sparse.csr_matrix(
        (np.ones(len(item_codes), dtype=np.float32), (user_codes, item_codes)), shape=(users, items)
    )
    matrix.data[:] = 1.0
    return matrix


def item_neighbours(matrix: sparse.csr_matrix, *, neighbours: int, shrinkage: float) -> Neighbours:
    items = matrix.shape[1]
    keep = min(neighbours, max(items - 1, 1))
    columns = matrix.tocsc()
    norms = np.sqrt(np.asarray(columns.multiply(columns).sum(axis=0), dtype=np.float32).ravel())
    indices = np.full((items, keep), -1, dtype=np.int32)
    similarities = np.zeros((items, keep), dtype=np.float32)
    for start in range(0, items, BLOCK_ITEMS):
        stop = min(start + BLOCK_ITEMS, items)
        block = (columns[:, start:stop].T @ matrix).toarray().astype(np.float32)
        block /= norms[start:stop, None] * norms[None, :] + shrinkage
        block[np.arange(stop - start), np.arange(start, stop)] = 0.0
        top = np.argpartition(-block, keep - 1, axis=1)[:, :keep]
        top_values = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-top_values, axis=1, kind="stable")
        ranked = np.take_along_axis(top, order, axis=1)
        ranked_values = np.take_along_axis(top_values, order, axis=1)
        present = ranked_values > 0
        indices[start:stop] = np.where(present, ranked, -1)
        similarities[start:stop] = np.where(present, ranked_values, 0.0)
    totals = similarities.sum(axis=1, keepdims=True)
    weights = np.divide(similarities, totals, out=np.zeros_like(similarities), where=totals > 0)
    return Neighbours(indices, similarities, weights)
