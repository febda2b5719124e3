"""The named queries: SQL written once with the placeholders of `analytics.dialect`.

The CDK stack saves each, rendered for Athena, as a named query of the analytics workgroup;
`python -m analytics query NAME` runs the same text with DuckDB over the local files or in a
deployment's workgroup. Delivery is at least once, so a record may be there twice (a redelivery,
a client retry after a 503 carries the same `eventId`): every count is of distinct `eventId`s.
Every query reads the partitions of the lookback only (`event_date >= {since}`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    """One line, shown by `python -m analytics list` and saved with the Athena named query."""
    sql: str
    notes: str = ""
    """What exactly is counted, where the name alone does not say it (shown by `list`)."""


EVENTS_BY_TYPE_PER_DAY = NamedQuery(
    name="events-by-type-per-day",
    description="Events and sessions per day (UTC, from sentAt) and event type, over the lookback",
    sql="""\
SELECT
  {sent_day} AS event_day,
  eventType AS event_type,
  count(DISTINCT eventId) AS events,
  count(DISTINCT sessionId) AS sessions
FROM {table}
WHERE event_date >= {since}
GROUP BY 1, 2
ORDER BY 1, 2
""",
)

CLICK_THROUGH_NOTES = """What counts, given what the bus detail holds today:

- a *view* is a `ProductViewed` event (each `eventId` once) in the lookback;
- an *attributed view* is a view that carries a `recommendationId`: the storefront sends the id of
  the recommendation list (user recommendations, related products, personalized ranking) the
  shopper opened the product from;
- this is not clicks over exposures (`experiment-outcomes` counts those):
  `click_through = attributed views / views`, the share of views that recommendations brought;
- *use case*: the detail has no field for it. It is the view's `useCase` property (the API
  answer's `recipe`: `user-personalization`, `related-items`, `personalized-ranking`) when the
  storefront sends one, else `unrecorded`;
- *experiment* and *variant*: the detail's `experiment` struct, `(none)` where it is null; views
  and attributed views are counted within the same variant, so variants compare directly.
"""

RECOMMENDATION_CLICK_THROUGH = NamedQuery(
    name="recommendation-click-through",
    description=(
        "Share of product views that came from a recommendation list (attributed views / views), "
        "by use case, experiment and variant"
    ),
    notes=CLICK_THROUGH_NOTES,
    sql="""\
WITH viewed AS (
  SELECT DISTINCT
    eventId,
    recommendationId IS NOT NULL AS attributed,
    CASE WHEN recommendationId IS NULL THEN NULL ELSE coalesce({prop:useCase}, 'unrecorded') END AS use_case,
    coalesce(experiment.name, '(none)') AS experiment,
    coalesce(experiment.variant, '(none)') AS variant
  FROM {table}
  WHERE event_date >= {since} AND eventType = 'ProductViewed'
),
totals AS (
  SELECT experiment, variant, count(*) AS views
  FROM viewed
  GROUP BY 1, 2
)
SELECT
  v.use_case,
  v.experiment,
  v.variant,
  count(*) AS attributed_views,
  t.views,
  round(CAST(count(*) AS double) / t.views, 4) AS click_through
FROM viewed AS v
JOIN totals AS t ON t.experiment = v.experiment AND t.variant = v.variant
WHERE v.attributed
GROUP BY v.use_case, v.experiment, v.variant, t.views
ORDER BY v.experiment, v.variant, v.use_case
""",
)

TOP_ITEMS = NamedQuery(
    name="top-items",
    description="The 20 items most ordered, then added to cart, then viewed, with units ordered",
    sql="""\
WITH item_events AS (
  SELECT DISTINCT
    eventId,
    eventType,
    itemId,
    TRY_CAST({prop:quantity} AS double) AS quantity
  FROM {table}
  WHERE event_date >= {since} AND itemId IS NOT NULL
    AND eventType IN ('ProductViewed', 'ProductAdded', 'OrderCompleted')
)
SELECT
  itemId AS item_id,
  count(CASE WHEN eventType = 'ProductViewed' THEN 1 END) AS views,
  count(CASE WHEN eventType = 'ProductAdded' THEN 1 END) AS adds,
  count(CASE WHEN eventType = 'OrderCompleted' THEN 1 END) AS orders,
  coalesce(sum(CASE WHEN eventType = 'OrderCompleted' THEN coalesce(quantity, 1) END), 0) AS units_ordered
FROM item_events
GROUP BY itemId
ORDER BY orders DESC, adds DESC, views DESC, item_id
LIMIT 20
""",
)

EXPERIMENT_OUTCOMES_NOTES = """What counts, per experiment and variant (the events' `experiment` struct):

- an *exposure* is an answer shown: a distinct `recommendationId` of the `RecommendationsShown`
  events of the variant (each `eventId` once; a list shown twice is one exposure, `shown_events`
  counts both). Its `source` property is the answer's source: `personalize`, `fallback` (Personalize
  failed; the answer keeps its variant, intent to treat), `featured` or `natural` (a holdout);
- a *click*, *add* or *order* is a `ProductViewed`, `ProductAdded` or `OrderCompleted` event (each
  `eventId` once) carrying an exposure's `recommendationId` and the same experiment and variant; an
  event whose experiment or variant differs from its exposure's counts for neither;
- `clicked_exposures`, `added_exposures`, `ordered_exposures`: exposures with at least one such
  event; `click_events`, `add_events`, `order_events`: the events themselves.
  Click-through = clicked exposures / exposures, conversion = ordered exposures / exposures
  (`python -m experiments report` adds intervals, lift over the holdout and p-values).
"""

EXPERIMENT_OUTCOMES = NamedQuery(
    name="experiment-outcomes",
    description=(
        "Per experiment and variant: exposures (answers shown) by source, and the exposures "
        "clicked, added to cart and ordered from"
    ),
    notes=EXPERIMENT_OUTCOMES_NOTES,
    sql="""\
WITH shown AS (
  SELECT DISTINCT
    eventId,
    recommendationId,
    experiment.name AS experiment,
    experiment.variant AS variant,
    coalesce({prop:source}, 'unrecorded') AS answer_source
  FROM {table}
  WHERE event_date >= {since} AND eventType = 'RecommendationsShown'
    AND recommendationId IS NOT NULL AND experiment.name IS NOT NULL AND experiment.variant IS NOT NULL
),
exposures AS (
  SELECT experiment, variant, recommendationId, min(answer_source) AS answer_source, count(*) AS shown_events
  FROM shown
  GROUP BY experiment, variant, recommendationId
),
outcomes AS (
  SELECT DISTINCT
    eventId,
    eventType,
    recommendationId,
    experiment.name AS experiment,
    experiment.variant AS variant
  FROM {table}
  WHERE event_date >= {since} AND eventType IN ('ProductViewed', 'ProductAdded', 'OrderCompleted')
    AND recommendationId IS NOT NULL AND experiment.name IS NOT NULL AND experiment.variant IS NOT NULL
),
per_exposure AS (
  SELECT
    e.experiment,
    e.variant,
    e.recommendationId,
    e.answer_source,
    e.shown_events,
    count(CASE WHEN o.eventType = 'ProductViewed' THEN 1 END) AS click_events,
    count(CASE WHEN o.eventType = 'ProductAdded' THEN 1 END) AS add_events,
    count(CASE WHEN o.eventType = 'OrderCompleted' THEN 1 END) AS order_events
  FROM exposures AS e
  LEFT JOIN outcomes AS o
    ON o.recommendationId = e.recommendationId AND o.experiment = e.experiment AND o.variant = e.variant
  GROUP BY e.experiment, e.variant, e.recommendationId, e.answer_source, e.shown_events
)
SELECT
  experiment,
  variant,
  count(*) AS exposures,
  sum(shown_events) AS shown_events,
  count(CASE WHEN answer_source = 'personalize' THEN 1 END) AS personalize_exposures,
  count(CASE WHEN answer_source = 'fallback' THEN 1 END) AS fallback_exposures,
  count(CASE WHEN answer_source = 'featured' THEN 1 END) AS featured_exposures,
  count(CASE WHEN answer_source = 'natural' THEN 1 END) AS natural_exposures,
  count(CASE WHEN click_events > 0 THEN 1 END) AS clicked_exposures,
  sum(click_events) AS click_events,
  count(CASE WHEN add_events > 0 THEN 1 END) AS added_exposures,
  sum(add_events) AS add_events,
  count(CASE WHEN order_events > 0 THEN 1 END) AS ordered_exposures,
  sum(order_events) AS order_events
FROM per_exposure
GROUP BY experiment, variant
ORDER BY experiment, variant
""",
)

QUERIES: tuple[NamedQuery, ...] = (
    EVENTS_BY_TYPE_PER_DAY,
    RECOMMENDATION_CLICK_THROUGH,
    TOP_ITEMS,
    EXPERIMENT_OUTCOMES,
)


def named(name: str) -> NamedQuery:
    for query in QUERIES:
        if query.name == name:
            return query
    raise KeyError(f"no query {name!r}; one of: {', '.join(query.name for query in QUERIES)}")
