/** Hash routes (`#/product/p00001`), so the shop works from any static host without rewrites. */

import { renderSignIn, renderSignUp } from "./views/account.js";
import { renderCart, renderCheckout, renderOrder } from "./views/cart.js";
import { renderHome } from "./views/home.js";
import { renderCategory, renderFeatured, renderSearch } from "./views/listing.js";
import { renderProduct } from "./views/product.js";
import { renderProfile } from "./views/profile.js";

const ROUTES = [
  { name: "home", pattern: /^\/$/, render: renderHome, title: () => "Home" },
  { name: "featured", pattern: /^\/featured$/, render: renderFeatured, title: () => "Featured" },
  { name: "category", pattern: /^\/category\/(?<id>[\w-]+)$/, render: renderCategory, title: (r, shop) => shop.data.category(r.params.id)?.name ?? "Category" },
  { name: "search", pattern: /^\/search$/, render: renderSearch, title: (r) => `Search: ${r.query.get("q") ?? ""}` },
  { name: "product", pattern: /^\/product\/(?<id>[\w.:@-]+)$/, render: renderProduct, title: (r, shop) => shop.data.item(r.params.id)?.name ?? "Product" },
  { name: "cart", pattern: /^\/cart$/, render: renderCart, title: () => "Cart" },
  { name: "checkout", pattern: /^\/checkout$/, render: renderCheckout, title: () => "Checkout" },
  { name: "order", pattern: /^\/order\/(?<id>[\w.:@-]+)$/, render: renderOrder, title: () => "Order completed" },
  { name: "profile", pattern: /^\/profile$/, render: renderProfile, title: () => "Profile" },
  { name: "signin", pattern: /^\/signin$/, render: renderSignIn, title: () => "Sign in" },
  { name: "signup", pattern: /^\/signup$/, render: renderSignUp, title: () => "Create an account" },
];

const NOT_FOUND = {
  name: "not-found",
  render: (_shop, _route, view) => {
    const heading = document.createElement("h1");
    heading.tabIndex = -1;
    heading.textContent = "Page not found";
    const back = document.createElement("a");
    back.href = "#/";
    back.textContent = "Back to the shop";
    view.append(heading, back);
  },
  title: () => "Not found",
};

/** Hashes that are not routes (`#main` from the skip link) are not navigation. */
export function isRouteHash(hash) {
  return hash === "" || hash === "#" || hash.startsWith("#/");
}

export function resolve(hash) {
  const [path, queryString = ""] = (hash.replace(/^#/, "") || "/").split("?");
  const query = new URLSearchParams(queryString);
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (match) return { ...route, path, query, params: { ...match.groups } };
  }
  return { ...NOT_FOUND, path, query, params: {} };
}
