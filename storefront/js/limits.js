/** Limits of the HTTP API (DESIGN section 4) that the storefront must respect. */

export const MAX_RANK_ITEMS = 500;
export const MAX_EVENTS_PER_REQUEST = 25;
/** Longest string value of an event property (Amazon Pinpoint's attribute limit). */
export const MAX_PROPERTY_TEXT = 200;
