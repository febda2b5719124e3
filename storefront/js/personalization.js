/**
 * The three personalization use cases as the views need them. Each answer says where its
 * order came from (`source`); when the API fails or is slow the answer falls back to
 * featured products or natural order and carries a `notice` for the shopper.
 *
 * What the API answered keeps its `attribution` ({recommendationId, experiment}, attribution.js) and
 * its `recipe`, whatever its source (personalize, featured, natural, or the API's own fallback); a
 * list made up here because the API did not answer has neither (attribution null).
 */

import { attributionOf } from "./attribution.js";
import { MAX_RANK_ITEMS } from "./limits.js";

const RANK_UNAVAILABLE = "Personal ordering is unavailable right now; showing products in their usual order.";

/** What the views keep of an API answer besides its items. */
function answered(answer, items, notice = null) {
  return { items, source: answer.source, recipe: answer.recipe, attribution: attributionOf(answer), notice };
}

/** A list made up in the browser: the API did not answer (or answered nothing the catalog has). */
function madeUp(items, source, notice) {
  return { items, source, recipe: null, attribution: null, notice };
}

/** "Inspired by your shopping trends": GET /me/recommendations for the signed-in shopper (the token says who). */
export async function recommendationsFor(shop, numResults = 12) {
  const featured = () => shop.data.featuredItems().slice(0, numResults);
  const unavailable = "Personal recommendations are not available right now; here are our featured products.";
  try {
    const answer = await shop.api.getRecommendations({ numResults });
    const items = shop.data.itemsFor(answer.items.map((entry) => entry.itemId));
    if (items.length === 0) return madeUp(featured(), "fallback", unavailable);
    return answered(answer, items, answer.source === "fallback" ? unavailable : null);
  } catch {
    return madeUp(featured(), "fallback", "Recommendations are unavailable right now; here are our featured products.");
  }
}

/** "Related products": GET /related, or /me/related when signed in, for every shopper. */
export async function relatedTo(shop, itemId, numResults = 8) {
  const featured = () => shop.data.featuredItems().filter((item) => item.id !== itemId).slice(0, numResults);
  const unavailable = "Related products are not available for this item yet; here are featured products.";
  try {
    const answer = await shop.api.getRelated({ itemId, numResults });
    const items = shop.data.itemsFor(answer.items.map((entry) => entry.itemId)).filter((item) => item.id !== itemId);
    if (items.length === 0) return madeUp(featured(), "fallback", unavailable);
    return answered(answer, items, answer.source === "fallback" ? unavailable : null);
  } catch {
    return madeUp(featured(), "fallback", "Related products are unavailable right now; here are featured products.");
  }
}

/**
 * Personalized ranking (POST /me/rank) of a category, the Featured list or search results for a
 * signed-in shopper; natural order for anonymous visitors (no call, so no answer). Lists longer than
 * the API limit are ranked on their head and keep their tail in natural order.
 */
export async function rankForShopper(shop, items, context) {
  if (!shop.identity.signedIn || items.length < 2) return madeUp(items, "natural", null);
  const head = items.slice(0, MAX_RANK_ITEMS);
  const tail = items.slice(MAX_RANK_ITEMS);
  try {
    const answer = await shop.api.rank({ itemIds: head.map((item) => item.id), context });
    const ranked = shop.data.itemsFor(answer.items.map((entry) => entry.itemId));
    if (ranked.length !== head.length) return madeUp(items, "fallback", RANK_UNAVAILABLE);
    return answered(answer, [...ranked, ...tail], answer.source === "fallback" ? RANK_UNAVAILABLE : null);
  } catch {
    return madeUp(items, "fallback", RANK_UNAVAILABLE);
  }
}

/**
 * The one `RecommendationsShown` event of an answer the shopper sees: its recommendationId and
 * experiment, and {useCase, source, itemCount}; nothing for a list the API did not give.
 */
export function trackShown(shop, answer, itemCount) {
  if (!answer.attribution) return;
  shop.tracker.track("RecommendationsShown", {
    ...answer.attribution,
    properties: { useCase: answer.recipe, source: answer.source, itemCount },
  });
}
