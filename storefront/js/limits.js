/** Limits of the HTTP API that the storefront must respect (tests/unit/test_storefront_limits.py keeps them equal to the API). */

export const MAX_RANK_ITEMS = 500;
export const MAX_EVENTS_PER_REQUEST = 25;
/** Longest string value of an event property (Amazon Pinpoint's attribute limit). */
export const MAX_PROPERTY_TEXT = 200;
