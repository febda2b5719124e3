"""The interaction history: browsing sessions that follow each shopper's tastes, all in numpy.

Where the signal comes from:
- persona: a session browses one style. Most sessions pick one of the shopper's four favourite styles
  (two in each persona category, weighted per shopper), the others another style of the persona, and
  `exploration_share` of them a style outside it;
- item to item: a session stays mostly inside one affinity group (a handful of products of a style),
  usually the shopper's preferred group for that style, so products viewed together are related;
- sequence: the next product a shopper views is, most of the time, in the group of their last views.
Some sessions end with a cart: `ProductAdded` for the last viewed product, then cart and checkout
events for it (an order, an abandoned cart or a removal); some start with `ProductSearched`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dataset.catalog import Catalog
from dataset.config import CATEGORY_IDS, EVENT_TYPES, PERSONAS, GeneratorConfig
from dataset.model import Interactions as History
from dataset.shoppers import Shoppers

SESSION_MEAN_EVENTS = 8.0
MIN_EVENTS_PER_USER = 3
ACTIVITY_SIGMA = 0.8
"""Spread (lognormal sigma) of the number of events per shopper."""
FAVOURITE_SESSION_SHARE = 0.85
"""Of the sessions inside the persona, the share that browse a favourite style."""
PREFERRED_GROUP_SHARE = 0.8
"""Of the sessions on a favourite style, the share that browse the shopper's preferred group of it."""
IN_GROUP_EVENT_SHARE = 0.85
"""Of a session's events, the share on products of its affinity group; the rest are on its style."""
REPEAT_VIEW_RESAMPLES = 2
"""Times an immediately repeated view is drawn again, so sessions move from product to product."""
SEARCH_SESSION_SHARE = 0.2
DWELL_MEDIAN_SECONDS = 35.0
DWELL_SIGMA = 0.8
DWELL_BOUNDS_SECONDS = (5, 1_800)

_CODE = {event_type: code for code, event_type in enumerate(EVENT_TYPES)}
VIEWED = _CODE["ProductViewed"]
SEARCHED = _CODE["ProductSearched"]
CART_ENDINGS: tuple[tuple[float, tuple[int, ...]], ...] = tuple(
    (share, tuple(_CODE[name] for name in names))
    for share, names in (
        (0.10, ("ProductAdded", "CartViewed", "CheckoutStarted", "OrderCompleted")),
        (0.03, ("ProductAdded", "ProductQuantityUpdated", "CartViewed", "CheckoutStarted", "OrderCompleted")),
        (0.06, ("ProductAdded", "CartViewed")),
        (0.03, ("ProductAdded", "CartViewed", "ProductRemoved")),
    )
)
"""Share of sessions ending with each sequence of cart events, all for the session's last viewed product."""


@dataclass(frozen=True)
class _Sessions:
    """Events in shopper-then-time order, cut into sessions."""

    event_user: np.ndarray
    event_session: np.ndarray
    start: np.ndarray
    """Index of each session's first event."""
    length: np.ndarray
    user: np.ndarray


@dataclass(frozen=True)
class _Tastes:
    """Per shopper: persona, favourite styles, preferred affinity group of each, how often each is browsed."""

    persona: np.ndarray
    persona_categories: np.ndarray

    styles: np.ndarray
    groups: np.ndarray
    cumulative_weights: np.ndarray


def simulate_history(
    config: GeneratorConfig, catalog: Catalog, shoppers: Shoppers, rng: np.random.Generator
) -> History:
    sessions = _cut_sessions(config.interactions, len(shoppers), rng)
    tastes = _tastes(catalog, shoppers, rng)
    session_group = _session_groups(sessions, tastes, catalog, config.exploration_share, rng)
    item = _browse(sessions, session_group, catalog, rng)
    event_type = _add_searches_and_carts(sessions, item, rng)
    timestamp = _timestamps(sessions, len(shoppers), config, rng)
    order = np.argsort(timestamp, kind="stable")
    return History(
        user=sessions.event_user[order].astype(np.int32),
        item=item[order].astype(np.int32),
        event_type=event_type[order],
        timestamp=timestamp[order],
    )


def _cut_sessions(total: int, users: int, rng: np.random.Generator) -> _Sessions:
    base = min(MIN_EVENTS_PER_USER, total // users)
    activity = rng.lognormal(0.0, ACTIVITY_SIGMA, users)
    counts = base + rng.multinomial(total - base * users, activity / activity.sum())
    event_user = np.repeat(np.arange(users), counts)
    new_session = rng.random(total) < 1.0 / SESSION_MEAN_EVENTS
    new_session[np.concatenate(([0], np.cumsum(counts)[:-1]))] = True
    start = np.flatnonzero(new_session)
    return _Sessions(
        event_user=event_user,
        event_session=np.cumsum(new_session) - 1,
        start=start,
        length=np.diff(np.append(start, total)),
        user=event_user[start],
    )


def _persona_categories() -> np.ndarray:
    return np.array([[CATEGORY_IDS.index(category) for category in pair] for pair in PERSONAS])


def _padded(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """A ragged table as a matrix padded with -1, and each row's length."""
    counts = np.array([len(row) for row in rows])
    matrix = np.full((len(rows), counts.max()), -1, dtype=np.int64)
    for index, row in enumerate(rows):
        matrix[index, : len(row)] = row
    return matrix, counts


def _pick(table: tuple[np.ndarray, np.ndarray], rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniformly drawn entry of each of `rows` of a padded table."""
    matrix, counts = table
    column = (rng.random(rows.shape) * counts[rows]).astype(np.int64)
    return matrix[rows, column]


def _compatible_tables(
    catalog: Catalog,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Styles per (category, shopper gender) and groups per (style, shopper gender) that suit the shopper.

    Row `2 * category + gender` (gender 0 = F, 1 = M); a row with nothing suitable lists everything.
    """
    genders = ("F", "M")
    style_count = len(catalog.styles.vocabulary)
    groups_of_style = [np.flatnonzero(catalog.group_style == style) for style in range(style_count)]
    group_rows: list[list[int]] = []
    suitable_styles: list[set[int]] = [set(), set()]
    for style, groups in enumerate(groups_of_style):
        for gender_code, gender in enumerate(genders):
            suitable_groups = groups[np.isin(catalog.group_gender[groups], (gender, "U"))]
            if len(suitable_groups):
                suitable_styles[gender_code].add(style)
            group_rows.append((suitable_groups if len(suitable_groups) else groups).tolist())
    style_rows: list[list[int]] = []
    for category in range(len(CATEGORY_IDS)):
        first = int(catalog.styles.category_first[category])
        styles = list(range(first, first + int(catalog.styles.category_count[category])))
        for gender_code in range(len(genders)):
            suitable = [style for style in styles if style in suitable_styles[gender_code]]
            style_rows.append(suitable or styles)
    return _padded(style_rows), _padded(group_rows)


def _tastes(catalog: Catalog, shoppers: Shoppers, rng: np.random.Generator) -> _Tastes:
    """Two distinct favourite styles in each persona category, suited to the shopper's gender."""
    persona_categories = _persona_categories()[shoppers.persona]
    style_table, group_table = _compatible_tables(catalog)
    gender_code = (shoppers.gender == "M").astype(np.int64)
    columns = []
    for slot in range(persona_categories.shape[1]):
        rows = 2 * persona_categories[:, slot] + gender_code
        matrix, counts = style_table
        available = counts[rows]
        first = (rng.random(len(rows)) * available).astype(np.int64)
        offset = 1 + (rng.random(len(rows)) * np.maximum(available - 1, 1)).astype(np.int64)
        second = np.where(available > 1, (first + offset) % available, first)
        columns += [matrix[rows, first], matrix[rows, second]]
    styles = np.stack(columns, axis=1)
    groups = _pick(group_table, 2 * styles + gender_code[:, None], rng)
    weights = rng.dirichlet(np.ones(styles.shape[1]), size=len(shoppers))
    return _Tastes(
        persona=shoppers.persona,
        persona_categories=persona_categories,
        styles=styles,
        groups=groups,
        cumulative_weights=np.cumsum(weights, axis=1),
    )


def _random_group(style: np.ndarray, catalog: Catalog, rng: np.random.Generator) -> np.ndarray:
    offset = (rng.random(len(style)) * catalog.style_group_count[style]).astype(np.int64)
    return catalog.style_first_group[style] + offset


def _random_style(category: np.ndarray, catalog: Catalog, rng: np.random.Generator) -> np.ndarray:
    offset = (rng.random(len(category)) * catalog.styles.category_count[category]).astype(np.int64)
    return catalog.styles.category_first[category] + offset


def _session_groups(
    sessions: _Sessions,
    tastes: _Tastes,
    catalog: Catalog,
    exploration_share: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """The affinity group each session browses."""
    user = sessions.user
    count = len(user)
    explore = rng.random(count) < exploration_share
    favourite = ~explore & (rng.random(count) < FAVOURITE_SESSION_SHARE)

    draw = rng.random(count)[:, None] > tastes.cumulative_weights[user]
    slot = np.minimum(draw.sum(axis=1), tastes.styles.shape[1] - 1)
    favourite_style = tastes.styles[user, slot]
    favourite_group = np.where(
        rng.random(count) < PREFERRED_GROUP_SHARE,
        tastes.groups[user, slot],
        _random_group(favourite_style, catalog, rng),
    )

    persona_categories = tastes.persona_categories
    persona_category = persona_categories[user, rng.integers(persona_categories.shape[1], size=count)]
    persona_group = _random_group(_random_style(persona_category, catalog, rng), catalog, rng)

    outside = np.array(
        [[c for c in range(len(CATEGORY_IDS)) if c not in pair] for pair in _persona_categories()]
    )
    outside_category = outside[tastes.persona[user], rng.integers(outside.shape[1], size=count)]
    outside_group = _random_group(_random_style(outside_category, catalog, rng), catalog, rng)

    return np.select([explore, favourite], [outside_group, favourite_group], persona_group)


def _run_sampler(run: np.ndarray, weight: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """For items sorted by `run` (group or style), draws items of given runs in proportion to `weight`.

    An item's key is `2 * run + its cumulative weight share in the run`, in (2 run, 2 run + 1]; a draw
    `2 * run + u` with u in [0, 1) finds its item by bisection and stays in its run even when rounded.
    """
    key = 2.0 * run + _within_run_cdf(run, weight)

    def draw(runs: np.ndarray, position: np.ndarray) -> np.ndarray:
        return np.searchsorted(key, 2.0 * runs + position)

    return draw


def _within_run_cdf(run: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """For items sorted by `run`, the cumulative weight share within their run (exactly 1.0 at its end)."""
    cumulative = np.cumsum(weight)
    last = np.flatnonzero(np.append(run[1:] != run[:-1], True))
    before = np.concatenate(([0.0], cumulative[last[:-1]]))
    total = cumulative[last] - before
    run_number = np.searchsorted(last, np.arange(len(run)))
    cdf = (cumulative - before[run_number]) / total[run_number]
    cdf[last] = 1.0
    return cdf


def _browse(
    sessions: _Sessions, session_group: np.ndarray, catalog: Catalog, rng: np.random.Generator
) -> np.ndarray:
    """The product of every event: mostly from the session's group, otherwise from its style."""
    from_group = _run_sampler(catalog.group, catalog.popularity)
    from_style = _run_sampler(catalog.style, catalog.popularity)
    event_group = session_group[sessions.event_session]
    event_style = catalog.group_style[event_group]

    def draw(size: int, group: np.ndarray, style: np.ndarray) -> np.ndarray:
        position = rng.random(size)
        in_group = rng.random(size) < IN_GROUP_EVENT_SHARE
        return np.where(in_group, from_group(group, position), from_style(style, position))

    item = draw(len(event_group), event_group, event_style)
    for _ in range(REPEAT_VIEW_RESAMPLES):
        repeated = (
            np.flatnonzero(
                (item[1:] == item[:-1]) & (sessions.event_session[1:] == sessions.event_session[:-1])
            )
            + 1
        )
        item[repeated] = draw(len(repeated), event_group[repeated], event_style[repeated])
    return item


def _add_searches_and_carts(sessions: _Sessions, item: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Event types; turns the last events of some sessions into cart events (changes `item` in place)."""
    event_type = np.full(len(item), VIEWED, dtype=np.int8)
    shares = np.array([share for share, _ in CART_ENDINGS])
    ending = np.searchsorted(np.cumsum(shares), rng.random(len(sessions.start)), side="right")
    cart_length = np.zeros(len(sessions.start), dtype=np.int64)
    for index, (_, codes) in enumerate(CART_ENDINGS):
        chosen = (ending == index) & (sessions.length > len(codes))
        end = sessions.start[chosen] + sessions.length[chosen]
        last_view = item[end - len(codes) - 1]
        for position, code in enumerate(codes):
            event_type[end - len(codes) + position] = code
            item[end - len(codes) + position] = last_view
        cart_length[chosen] = len(codes)
    searched = (rng.random(len(sessions.start)) < SEARCH_SESSION_SHARE) & (sessions.length - cart_length >= 2)
    first = sessions.start[searched]
    event_type[first] = SEARCHED
    item[first] = item[first + 1]
    return event_type


def _timestamps(
    sessions: _Sessions, users: int, config: GeneratorConfig, rng: np.random.Generator
) -> np.ndarray:
    """Epoch seconds, strictly increasing within a shopper; sessions spread evenly over the window."""
    events = len(sessions.event_user)
    dwell = np.clip(
        DWELL_BOUNDS_SECONDS[0] + rng.lognormal(np.log(DWELL_MEDIAN_SECONDS), DWELL_SIGMA, events),
        *DWELL_BOUNDS_SECONDS,
    ).astype(np.int64)
    elapsed = np.cumsum(dwell) - dwell
    offset_in_session = elapsed - elapsed[sessions.start][sessions.event_session]
    duration = np.add.reduceat(dwell, sessions.start)

    window = config.days * 86_400
    busy = np.bincount(sessions.user, weights=duration, minlength=users)
    gap = rng.exponential(size=len(sessions.start))
    gap_total = np.bincount(sessions.user, weights=gap, minlength=users) + rng.exponential(size=users)
    scale = np.maximum(window - busy, 0) / gap_total
    step = np.floor(gap * scale[sessions.user]).astype(np.int64) + duration
    reached = np.cumsum(step)
    first_session = np.flatnonzero(np.diff(sessions.user, prepend=-1))
    before_user = (reached - step)[first_session]
    session_start = reached - before_user[sessions.user] - duration + (config.end_time - window)
    return session_start[sessions.event_session] + offset_in_session
