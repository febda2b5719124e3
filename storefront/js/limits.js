/** Limits of the HTTP API that the storefront must respect (tests/unit/test_storefront_limits.py keeps them equal to the API). */

export const MAX_RANK_ITEMS = 500;
export const MAX_EVENTS_PER_REQUEST = 25;
/** Longest string value of an event property (Amazon Pinpoint's attribute limit). */
export const MAX_PROPERTY_TEXT = 200;
/** Longest recommendationId an event may carry (Amazon Personalize PutEvents' limit). */
export const MAX_RECOMMENDATION_ID_LENGTH = 40;
/** Longest name of an experiment or of one of its variants. */
export const MAX_EXPERIMENT_NAME_LENGTH = 40;

/** The API's identifiers (itemId, sessionId, recommendationId, ...): letters, digits and `_.:@-`. */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9_.:@-]+$/;
/** Names of experiments and variants: letters, digits, `_` and `-`. */
export const EXPERIMENT_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
