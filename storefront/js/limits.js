/** Limits of the HTTP API (DESIGN section 4) that the storefront must respect. */

export const MAX_RANK_ITEMS = 500;
export const MAX_EVENTS_PER_REQUEST = 25;
