/** Building blocks shared by the views: product cards and grids, notices, badges, page headings. */

import { attributionQuery } from "./attribution.js";
import { formatPrice, h, titleCase } from "./dom.js";
import { productImage } from "./images.js";

/** A product page's route; with the attribution of the answer it was shown in (`?rid=...&exp=name:variant`). */
export function productHref(itemId, attribution = null) {
  return `#/product/${encodeURIComponent(itemId)}${attributionQuery(attribution)}`;
}

export function productCard(item, { attribution = null, markFeatured = true } = {}) {
  return h(
    "li",
    { class: "product-card", dataset: { testid: "product-card", itemId: item.id, category: item.category } },
    h(
      "a",
      { class: "product-link", href: productHref(item.id, attribution), dataset: { testid: "product-link" } },
      productImage(item),
      h("span", { class: "product-meta", text: `${titleCase(item.category)} · ${item.style}` }),
      h("span", { class: "product-name", text: item.name }),
    ),
    h("span", { class: "product-price", text: formatPrice(item.price) }),
    markFeatured && item.featured ? h("span", { class: "tag tag-featured", text: "Featured" }) : null,
  );
}

/**
 * A grid of product cards; `orderSource` says where the order came from (for tests and styling).
 * Lists of featured products leave out the "Featured" tag that would sit on every card. The cards of an
 * API answer link with its `attribution`.
 */
export function productGrid(
  items,
  { attribution = null, orderSource = "natural", label = "Products", markFeatured = true } = {},
) {
  return h(
    "ul",
    { class: "product-grid", "aria-label": label, dataset: { testid: "product-list", orderSource } },
    items.map((item) => productCard(item, { attribution, markFeatured })),
  );
}

export function skeletonGrid(count = 8) {
  return h(
    "ul",
    { class: "product-grid skeleton", "aria-hidden": "true", dataset: { testid: "loading" } },
    Array.from({ length: count }, () => h("li", { class: "product-card" }, h("span", { class: "skeleton-block" }))),
  );
}

export function notice(text, { testid = "fallback-notice" } = {}) {
  return h("p", { class: "notice", role: "status", dataset: { testid } }, text);
}

export function personalizedBadge(text = "Personalized for you") {
  return h(
    "span",
    { class: "badge-personalized", dataset: { testid: "personalized-badge" } },
    h("span", { "aria-hidden": "true", text: "✦ " }),
    text,
  );
}

export function pageHeading(text, ...extra) {
  return h("div", { class: "page-heading" }, h("h1", { tabindex: "-1", text }), ...extra);
}

export function emptyState(text, action = null) {
  return h("div", { class: "empty-state", dataset: { testid: "empty-state" } }, h("p", { text }), action);
}

export function personaLabel(user) {
  return user.categories.map(titleCase).join(" & ");
}

export function initials(name) {
  return name
    .split(/\s+/)
    .map((part) => part[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
}
