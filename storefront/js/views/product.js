/** Product detail: the product, add to cart, and related products for every shopper. */

import { attributionFromQuery } from "../attribution.js";
import { MAX_QUANTITY } from "../cart.js";
import { formatPrice, h, titleCase } from "../dom.js";
import { productImage } from "../images.js";
import { relatedTo, trackShown } from "../personalization.js";
import { emptyState, notice, pageHeading, productGrid, skeletonGrid } from "../ui.js";

const GENDER_LABELS = { M: "Men", F: "Women" };

export async function renderProduct(shop, route, view) {
  const item = shop.data.item(route.params.id);
  if (!item) {
    view.append(pageHeading("Product not found"), emptyState(`There is no product “${route.params.id}”.`));
    return;
  }
  // The answer the shopper clicked this product in (the link's ?rid=&exp=), if any.
  const attribution = attributionFromQuery(route.query);
  shop.tracker.track("ProductViewed", { itemId: item.id, ...attribution, properties: { category: item.category } });
  view.append(breadcrumbs(shop, item), productDetail(shop, item, attribution));
  await relatedSection(shop, view, item);
}

function breadcrumbs(shop, item) {
  const category = shop.data.category(item.category);
  return h(
    "nav",
    { class: "breadcrumbs", "aria-label": "Breadcrumb" },
    h(
      "ol",
      {},
      h("li", {}, h("a", { href: "#/", text: "Home" })),
      h("li", {}, h("a", { href: `#/category/${item.category}`, text: category?.name ?? titleCase(item.category) })),
      h("li", { "aria-current": "page", text: item.name }),
    ),
  );
}

function productDetail(shop, item, attribution) {
  const quantity = h(
    "select",
    { id: "quantity", name: "quantity", dataset: { testid: "quantity-input" } },
    Array.from({ length: MAX_QUANTITY }, (_, index) => h("option", { value: index + 1, text: index + 1 })),
  );
  const status = h("p", { class: "add-status", role: "status", dataset: { testid: "add-status" } });
  const form = h(
    "form",
    {
      class: "add-to-cart",
      onSubmit: (event) => {
        event.preventDefault();
        const count = Number(quantity.value);
        shop.cart.add(item.id, count, attribution);
        status.replaceChildren(`Added ${count} to your cart. `, h("a", { href: "#/cart", text: "View cart" }));
      },
    },
    h("label", { for: "quantity", text: "Quantity" }),
    quantity,
    h("button", { type: "submit", class: "button", dataset: { testid: "add-to-cart" }, text: "Add to cart" }),
  );
  const facts = [titleCase(item.category), titleCase(item.style), GENDER_LABELS[item.gender] ?? "Unisex"];
  return h(
    "article",
    { class: "product-detail", dataset: { testid: "product-detail", itemId: item.id } },
    h("div", { class: "product-detail-image" }, productImage(item, { className: "detail-image" })),
    h(
      "div",
      { class: "product-detail-body" },
      h("h1", { tabindex: "-1", dataset: { testid: "product-name" }, text: item.name }),
      h("p", { class: "product-facts", text: facts.join(" · ") }),
      h("p", { class: "product-detail-price", dataset: { testid: "product-price" }, text: formatPrice(item.price) }),
      item.featured ? h("span", { class: "tag tag-featured", text: "Featured" }) : null,
      h("p", { class: "product-description", text: item.description ?? "" }),
      form,
      status,
    ),
  );
}

async function relatedSection(shop, view, item) {
  const section = h(
    "section",
    { class: "shelf", dataset: { testid: "related-products" }, "aria-labelledby": "related-title", "aria-busy": "true" },
    h("div", { class: "shelf-heading" }, h("h2", { id: "related-title", text: "Related products" })),
    skeletonGrid(4),
  );
  view.append(section);
  const answer = await relatedTo(shop, item.id);
  section.dataset.source = answer.source;
  section.removeAttribute("aria-busy");
  const heading = section.querySelector(".shelf-heading");
  if (answer.notice) heading.after(notice(answer.notice));
  else heading.append(h("span", { class: "shelf-caption", text: "Shoppers who viewed this also viewed" }));
  section.querySelector("[data-testid=loading]").replaceWith(
    productGrid(answer.items, { attribution: answer.attribution, orderSource: answer.source, label: "Related products" }),
  );
  trackShown(shop, answer, answer.items.length);
}
