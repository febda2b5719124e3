/**
 * The three personalization use cases as the views need them. Each answer says where its
 * order came from (`source`); when the API fails or is slow the answer falls back to
 * featured products or natural order and carries a `notice` for the shopper.
 */

import { MAX_RANK_ITEMS } from "./limits.js";

const RANK_UNAVAILABLE = "Personal ordering is unavailable right now; showing products in their usual order.";

/** "Inspired by your shopping trends": GET /me/recommendations for the signed-in shopper (the token says who). */
export async function recommendationsFor(shop, numResults = 12) {
  const fallback = (notice) => ({ items: shop.data.featuredItems().slice(0, numResults), source: "fallback", notice });
  try {
    const answer = await shop.api.getRecommendations({ numResults });
    const items = shop.data.itemsFor(answer.items.map((entry) => entry.itemId));
    if (answer.source === "fallback" || items.length === 0) {
      return fallback("Personal recommendations are not available right now; here are our featured products.");
    }
    return { items, source: answer.source, recommendationId: answer.recommendationId ?? null };
  } catch {
    return fallback("Recommendations are unavailable right now; here are our featured products.");
  }
}

/** "Related products": GET /related, or /me/related when signed in, for every shopper. */
export async function relatedTo(shop, itemId, numResults = 8) {
  const fallback = (notice) => ({
    items: shop.data.featuredItems().filter((item) => item.id !== itemId).slice(0, numResults),
    source: "fallback",
    notice,
  });
  try {
    const answer = await shop.api.getRelated({ itemId, numResults });
    const items = shop.data.itemsFor(answer.items.map((entry) => entry.itemId)).filter((item) => item.id !== itemId);
    if (answer.source === "fallback" || items.length === 0) {
      return fallback("Related products are not available for this item yet; here are featured products.");
    }
    return { items, source: answer.source, recommendationId: answer.recommendationId ?? null };
  } catch {
    return fallback("Related products are unavailable right now; here are featured products.");
  }
}

/**
 * Personalized ranking (POST /me/rank) of a category, the Featured list or search results for a
 * signed-in shopper; natural order for anonymous visitors. Lists longer than the API limit are
 * ranked on their head and keep their tail in natural order.
 */
export async function rankForShopper(shop, items, context) {
  if (!shop.identity.signedIn || items.length < 2) return { items, source: "natural" };
  const head = items.slice(0, MAX_RANK_ITEMS);
  const tail = items.slice(MAX_RANK_ITEMS);
  try {
    const answer = await shop.api.rank({ itemIds: head.map((item) => item.id), context });
    const ranked = shop.data.itemsFor(answer.items.map((entry) => entry.itemId));
    if (answer.source !== "personalize" || ranked.length !== head.length) {
      return { items, source: answer.source ?? "natural", notice: RANK_UNAVAILABLE };
    }
    return { items: [...ranked, ...tail], source: "personalize", recommendationId: answer.recommendationId ?? null };
  } catch {
    return { items, source: "fallback", notice: RANK_UNAVAILABLE };
  }
}
