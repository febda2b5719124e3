/** The dataset files the storefront reads (catalog.json, users.json, featured.json) and in-browser search. */

import { titleCase } from "./dom.js";

export class DataError extends Error {}

const MAX_SEARCH_RESULTS = 48;

async function fetchJson(baseUrl, name) {
  const url = new URL(name, baseUrl);
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DataError(`${name} could not be fetched from ${url} (${error.message}).`);
  }
  if (!response.ok) throw new DataError(`${name} could not be loaded from ${url} (HTTP ${response.status}).`);
  try {
    return await response.json();
  } catch {
    throw new DataError(`${name} at ${url} is not valid JSON.`);
  }
}

export async function loadShopData(dataBaseUrl) {
  const [catalog, users, featured] = await Promise.all(
    ["catalog.json", "users.json", "featured.json"].map((name) => fetchJson(dataBaseUrl, name)),
  );
  return new ShopData(catalog, users, featured);
}

function tokens(text) {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** A query word also matches its singular ("boots" finds "boot"). */
function wordVariants(word) {
  return word.length > 3 && word.endsWith("s") ? [word, word.slice(0, -1)] : [word];
}

export class ShopData {
  constructor(catalog, users, featured) {
    if (!Array.isArray(catalog?.items) || !Array.isArray(catalog?.categories)) {
      throw new DataError('catalog.json must hold "categories" and "items" lists.');
    }
    this.categories = catalog.categories.map((category) => ({
      ...category,
      name: category.name ?? titleCase(category.id),
    }));
    this.items = catalog.items;
    this.itemsById = new Map(this.items.map((item) => [item.id, item]));
    this.users = users;
    this.usersById = new Map(users.map((user) => [String(user.id), user]));
    this.featuredIds = (featured?.itemIds ?? []).filter((id) => this.itemsById.has(id));
    this.searchIndex = this.items.map((item) => ({
      item,
      name: tokens(item.name),
      labels: tokens(`${item.category} ${item.style}`),
      description: tokens(item.description ?? ""),
    }));
  }

  category(id) {
    return this.categories.find((category) => category.id === id);
  }

  item(id) {
    return this.itemsById.get(id);
  }

  /** Items for the given ids, in that order, skipping ids the catalog does not know. */
  itemsFor(ids) {
    return ids.map((id) => this.itemsById.get(id)).filter(Boolean);
  }

  itemsInCategory(categoryId) {
    return this.items.filter((item) => item.category === categoryId);
  }

  featuredItems() {
    return this.itemsFor(this.featuredIds);
  }

  user(id) {
    return this.usersById.get(String(id));
  }

  /** Items where every query word appears; name matches rank above category/style, then description. */
  search(query) {
    const words = tokens(query);
    if (words.length === 0) return [];
    const scored = [];
    for (const entry of this.searchIndex) {
      let score = 0;
      const allMatch = words.every((word) => {
        const variants = wordVariants(word);
        const hit = (list) => list.some((token) => variants.some((variant) => token.startsWith(variant)));
        const wordScore = (hit(entry.name) ? 3 : 0) + (hit(entry.labels) ? 2 : 0) + (hit(entry.description) ? 1 : 0);
        score += wordScore;
        return wordScore > 0;
      });
      if (allMatch) scored.push({ item: entry.item, score });
    }
    scored.sort((a, b) => b.score - a.score);
    return scored.slice(0, MAX_SEARCH_RESULTS).map((entry) => entry.item);
  }
}
