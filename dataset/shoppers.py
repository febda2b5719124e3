"""The shoppers: demographics and exactly one persona each, balanced over the four personas."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dataset.config import PERSONAS
from dataset.vocabulary import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES

AGE_MEAN = 38.0
AGE_SPREAD = 13.0
AGE_RANGE = (18, 80)


@dataclass(frozen=True)
class Shoppers:
    ids: list[str]
    usernames: list[str]
    names: list[str]
    age: np.ndarray
    gender: np.ndarray
    """"M" or "F"."""
    persona: np.ndarray
    """Index into PERSONAS."""

    def __len__(self) -> int:
        return len(self.ids)


def build_shoppers(count: int, rng: np.random.Generator) -> Shoppers:
    gender = np.where(rng.random(count) < 0.5, "F", "M")
    first_pick = rng.random(count).tolist()
    last_pick = rng.integers(len(LAST_NAMES), size=count).tolist()
    names = []
    for g, first, last in zip(gender.tolist(), first_pick, last_pick, strict=True):
        first_names = FEMALE_FIRST_NAMES if g == "F" else MALE_FIRST_NAMES
        names.append(f"{first_names[int(first * len(first_names))]} {LAST_NAMES[last]}")
    age = np.clip(np.rint(rng.normal(AGE_MEAN, AGE_SPREAD, count)), *AGE_RANGE).astype(np.int64)
    return Shoppers(
        ids=[str(number) for number in range(1, count + 1)],
        usernames=_unique_usernames(names),
        names=names,
        age=age,
        gender=gender,
        persona=rng.permutation(np.arange(count) % len(PERSONAS)),
    )


def _unique_usernames(names: list[str]) -> list[str]:
    """`first.last`, with a number appended from the second shopper of that name on."""
    seen: dict[str, int] = {}
    usernames = []
    for name in names:
        base = name.lower().replace(" ", ".")
        seen[base] = seen.get(base, 0) + 1
        usernames.append(base if seen[base] == 1 else f"{base}{seen[base]}")
    return usernames
