/** Category, Featured and search result lists: natural order for visitors, ranked for a signed-in shopper. */

import { append, h } from "../dom.js";
import { rankForShopper, trackShown } from "../personalization.js";
import { emptyState, notice, pageHeading, personalizedBadge, productGrid, skeletonGrid } from "../ui.js";

const PAGE_SIZE = 24;

export async function renderCategory(shop, route, view) {
  const category = shop.data.category(route.params.id);
  if (!category) {
    view.append(pageHeading("Category not found"), emptyState(`There is no category “${route.params.id}”.`));
    return;
  }
  const items = shop.data.itemsInCategory(category.id);
  await renderListing(shop, view, {
    title: category.name,
    intro: `${items.length} products in ${category.styles?.length ?? "several"} styles.`,
    items,
    context: "category",
    kind: category.id,
  });
}

export async function renderFeatured(shop, _route, view) {
  const items = shop.data.featuredItems();
  await renderListing(shop, view, {
    title: "Featured",
    intro: "Hand-picked products from every department.",
    items,
    context: "category",
    kind: "featured",
    markFeatured: false,
  });
}

export async function renderSearch(shop, route, view) {
  const query = route.query.get("q")?.trim() ?? "";
  if (!query) {
    view.append(pageHeading("Search"), emptyState("Type what you are looking for in the search box above."));
    return;
  }
  const items = shop.data.search(query);
  await renderListing(shop, view, {
    title: `Results for “${query}”`,
    intro: `${items.length} ${items.length === 1 ? "product" : "products"} found.`,
    items,
    context: "search",
    kind: "search",
  });
}

async function renderListing(shop, view, { title, intro = null, items, context, kind, markFeatured = true }) {
  const status = h("div", { class: "listing-status" });
  append(view, [pageHeading(title), intro ? h("p", { class: "page-intro", text: intro }) : null, status]);
  view.dataset.listing = kind;
  if (items.length === 0) {
    view.append(emptyState("No products match. Try another word, or browse a category.", h("a", { href: "#/featured", text: "See featured products" })));
    return;
  }
  const loading = skeletonGrid(Math.min(items.length, 8));
  view.append(loading);
  const ranked = await rankForShopper(shop, items, context);
  status.append(orderStatus(shop, ranked));
  loading.replaceWith(pagedGrid(ranked, markFeatured));
  trackShown(shop, ranked, Math.min(ranked.items.length, PAGE_SIZE));
}

function orderStatus(shop, ranked) {
  if (ranked.notice) return notice(ranked.notice);
  if (ranked.source === "personalize") {
    return h("p", { class: "order-note" }, personalizedBadge(), ` Ordered for ${shop.firstName()} by personalized ranking.`);
  }
  if (shop.identity.signedIn) return h("p", { class: "order-note", text: "Shown in our usual order." });
  return h(
    "p",
    { class: "order-note" },
    "Shown in our usual order. ",
    h("a", { href: "#/signin?next=%23%2Fprofile", text: "Sign in and emulate a shopper" }),
    " to see this list ranked for them.",
  );
}

function pagedGrid(ranked, markFeatured) {
  const wrapper = h("div", { class: "paged-grid" });
  const grid = productGrid(ranked.items.slice(0, PAGE_SIZE), {
    attribution: ranked.attribution,
    orderSource: ranked.source,
    markFeatured,
  });
  wrapper.append(grid);
  if (ranked.items.length > PAGE_SIZE) {
    const more = h("button", { type: "button", class: "button button-secondary", dataset: { testid: "show-more" } });
    const update = () => {
      const left = ranked.items.length - grid.children.length;
      more.textContent = `Show more (${left} left)`;
      more.hidden = left === 0;
    };
    more.addEventListener("click", () => {
      const next = productGrid(ranked.items.slice(grid.children.length, grid.children.length + PAGE_SIZE), {
        attribution: ranked.attribution,
        markFeatured,
      });
      grid.append(...next.children);
      update();
    });
    update();
    wrapper.append(h("div", { class: "show-more" }, more));
  }
  return wrapper;
}
