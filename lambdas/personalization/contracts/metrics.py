"""Names of the custom metrics, shared by the functions and the CDK dashboard and alarms."""

from enum import StrEnum


class MetricName(StrEnum):
    """The custom metrics (namespace RetailPersonalization); the dashboard and alarms use these names."""

    RECOMMENDATIONS_SERVED = "RecommendationsServed"
    FALLBACK = "Fallback"
    CONFIG_UNAVAILABLE = "ConfigUnavailable"
    EVENTS_ACCEPTED = "EventsAccepted"
    EVENTS_REJECTED = "EventsRejected"
    EVENTS_DELIVERED = "EventsDelivered"
    EVENTS_FAILED = "EventsFailed"
    REJECTED = "Rejected"
    """Sink records set aside in the dead-letter queue, by reason: the service refuses them for good."""
    PUT_EVENTS_CALLS = "PutEventsCalls"
    SINK_NOT_CONFIGURED = "SinkNotConfigured"
    SKIPPED = "Skipped"
    EXPERIMENTS_REJECTED = "ExperimentsRejected"
    EXPOSURES = "Exposures"
    """Answers served to a shopper enrolled in an experiment; dimensions experiment and variant."""
    CLICKS = "Clicks"
    """Product views attributed to an experiment's answer (by its recommendationId)."""
    ADDS = "Adds"
    ORDERS = "Orders"
