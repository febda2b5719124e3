"""The product catalog: items over the persona categories, grouped by style and affinity group.

Items are numbered in (category, style, affinity group) order, so every style and every group is a
contiguous run of items; the interaction simulator relies on that to sample items with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dataset.vocabulary import CATEGORIES, CategoryVocabulary, Style

AFFINITY_GROUP_SIZE = 8
"""About this many items form an affinity group: products shoppers tend to look at together."""
POPULARITY_SIGMA = 0.6
FEATURED_POOL_SHARE = 0.25
"""Featured items are drawn from this most popular share of their category."""


@dataclass(frozen=True)
class StyleTable:
    """Every style of the vocabulary, numbered globally in category order."""

    category: np.ndarray
    """Category index of each style."""
    vocabulary: tuple[Style, ...]
    category_first: np.ndarray
    """Index of each category's first style; a category's styles are contiguous."""
    category_count: np.ndarray

    @classmethod
    def build(cls) -> StyleTable:
        counts = np.array([len(category.styles) for category in CATEGORIES], dtype=np.int64)
        return cls(
            category=np.repeat(np.arange(len(CATEGORIES)), counts),
            vocabulary=tuple(style for category in CATEGORIES for style in category.styles),
            category_first=np.concatenate(([0], np.cumsum(counts)[:-1])),
            category_count=counts,
        )


@dataclass(frozen=True)
class Catalog:
    styles: StyleTable
    ids: list[str]
    names: list[str]
    descriptions: list[str]
    category: np.ndarray
    style: np.ndarray
    group: np.ndarray
    gender: np.ndarray
    """"M", "F" or "U" (unisex)."""
    price: np.ndarray
    popularity: np.ndarray
    """Relative weight of an item among the items of its group or style."""
    featured: np.ndarray
    group_style: np.ndarray
    group_gender: np.ndarray
    style_first_group: np.ndarray
    """Index of each style's first affinity group; a style's groups are contiguous."""
    style_group_count: np.ndarray


def name_capacity(category: CategoryVocabulary, style: Style) -> int:
    return len(category.brands) * len(category.adjectives) * len(style.nouns)


def max_items() -> int:
    """The largest catalog whose names are all unique within their category."""
    per_category = min(sum(name_capacity(c, s) for s in c.styles) for c in CATEGORIES)
    return per_category * len(CATEGORIES) * 9 // 10


def build_catalog(item_count: int, featured_count: int, rng: np.random.Generator) -> Catalog:
    styles = StyleTable.build()
    style_sizes = _items_per_style(item_count, styles)
    group_sizes, group_style = _affinity_groups(style_sizes)
    group_gender = _group_genders(group_style, styles)
    item_group = np.repeat(np.arange(len(group_sizes)), group_sizes)
    item_style = group_style[item_group]
    item_category = styles.category[item_style]
    names, descriptions = _names_and_descriptions(style_sizes, group_gender[item_group], styles, rng)
    popularity = rng.lognormal(0.0, POPULARITY_SIGMA, item_count)
    style_group_count = np.bincount(group_style, minlength=len(styles.vocabulary))
    width = max(5, len(str(item_count)))
    return Catalog(
        styles=styles,
        ids=[f"p{number:0{width}d}" for number in range(1, item_count + 1)],
        names=names,
        descriptions=descriptions,
        category=item_category,
        style=item_style,
        group=item_group,
        gender=group_gender[item_group],
        price=_prices(item_style, styles, rng),
        popularity=popularity,
        featured=_featured(featured_count, item_category, popularity, rng),
        group_style=group_style,
        group_gender=group_gender,
        style_first_group=np.concatenate(([0], np.cumsum(style_group_count)[:-1])),
        style_group_count=style_group_count,
    )


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """`total` split in proportion to `weights`, at least 1 each (largest remainders get the rest)."""
    base = np.ones(len(weights), dtype=np.int64)
    shares = (total - len(weights)) * weights / weights.sum()
    counts = base + np.floor(shares).astype(np.int64)
    remainder = total - counts.sum()
    order = np.argsort(-(shares - np.floor(shares)), kind="stable")
    counts[order[:remainder]] += 1
    return counts


def _items_per_style(item_count: int, styles: StyleTable) -> np.ndarray:
    per_category = _split(item_count, styles.category_count.astype(np.float64))
    sizes = []
    for index, category in enumerate(CATEGORIES):
        capacities = np.array([name_capacity(category, style) for style in category.styles], dtype=np.float64)
        sizes.append(_split(int(per_category[index]), capacities))
    return np.concatenate(sizes)


def _affinity_groups(style_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sizes of the affinity groups, each style's items split evenly, and the style of each group."""
    group_sizes: list[np.ndarray] = []
    group_style: list[np.ndarray] = []
    for style_index, size in enumerate(style_sizes.tolist()):
        groups = max(1, round(size / AFFINITY_GROUP_SIZE))
        group_sizes.append(_split(size, np.ones(groups)))
        group_style.append(np.full(groups, style_index))
    return np.concatenate(group_sizes), np.concatenate(group_style)


def _group_genders(group_style: np.ndarray, styles: StyleTable) -> np.ndarray:
    genders = []
    position_in_style = np.zeros(len(styles.vocabulary), dtype=np.int64)
    for style_index in group_style.tolist():
        cycle = styles.vocabulary[style_index].genders
        genders.append(cycle[position_in_style[style_index] % len(cycle)])
        position_in_style[style_index] += 1
    return np.array(genders)


def _names_and_descriptions(
    style_sizes: np.ndarray, item_gender: np.ndarray, styles: StyleTable, rng: np.random.Generator
) -> tuple[list[str], list[str]]:
    names: list[str] = []
    descriptions: list[str] = []
    style_first_item = np.concatenate(([0], np.cumsum(style_sizes)[:-1])).tolist()
    for style_index, size in enumerate(style_sizes.tolist()):
        category = CATEGORIES[int(styles.category[style_index])]
        style = styles.vocabulary[style_index]
        combinations = rng.choice(name_capacity(category, style), size=size, replace=False)
        brand, rest = np.divmod(combinations, len(category.adjectives) * len(style.nouns))
        adjective, noun = np.divmod(rest, len(style.nouns))
        material = rng.integers(len(style.materials), size=size)
        features = np.argsort(rng.random((size, len(style.features))), axis=1)[:, :2]
        use = rng.integers(len(category.uses), size=size)
        for k in range(size):
            name = f"{category.brands[brand[k]]} {category.adjectives[adjective[k]]} {style.nouns[noun[k]]}"
            first, second = (style.features[f] for f in features[k])
            names.append(name)
            descriptions.append(
                f"The {name} is made with {style.materials[material[k]]} and features {first} and {second}. "
                f"{category.uses[use[k]]}{_GENDER_NOTE[str(item_gender[style_first_item[style_index] + k])]}"
            )
    return names, descriptions


_GENDER_NOTE = {"M": " Cut for men.", "F": " Cut for women.", "U": ""}


def _prices(item_style: np.ndarray, styles: StyleTable, rng: np.random.Generator) -> np.ndarray:
    ranges = np.array([style.price_range for style in styles.vocabulary], dtype=np.float64)
    low, high = ranges[item_style, 0], ranges[item_style, 1]
    raw = low + (high - low) * rng.beta(2.0, 3.0, len(item_style))
    return (np.floor(raw) * 100 + 99) / 100


def _featured(
    count: int, item_category: np.ndarray, popularity: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """`count` featured items, spread round-robin over the categories, drawn among their popular items."""
    featured = np.zeros(len(item_category), dtype=bool)
    for category_index in range(len(CATEGORIES)):
        wanted = count // len(CATEGORIES) + int(category_index < count % len(CATEGORIES))
        members = np.flatnonzero(item_category == category_index)
        by_popularity = members[np.argsort(-popularity[members], kind="stable")]
        pool = by_popularity[: max(wanted, int(len(members) * FEATURED_POOL_SHARE))]
        featured[rng.choice(pool, size=wanted, replace=False)] = True
    return featured
