/** Home: featured products for visitors, "Inspired by your shopping trends" for a signed-in shopper. */

import { h } from "../dom.js";
import { productImage } from "../images.js";
import { recommendationsFor, trackShown } from "../personalization.js";
import { notice, personaLabel, personalizedBadge, productGrid, skeletonGrid } from "../ui.js";

export async function renderHome(shop, _route, view) {
  const signedIn = shop.identity.signedIn;
  view.append(hero(shop), categoryTiles(shop));
  if (signedIn) {
    await recommendationsSection(shop, view);
  } else {
    view.append(featuredSection(shop));
  }
}

function hero(shop) {
  const signedIn = shop.identity.signedIn;
  const user = shop.currentUser();
  const title = signedIn ? `Welcome back, ${shop.firstName()}` : "Everyday goods, picked for you";
  let text = "Browse freely, or sign in and emulate one of our shoppers to watch recommendations follow you around the shop.";
  if (user) text = `You are shopping as ${user.name}, a ${personaLabel(user)} fan. Everything you view shapes what we show next.`;
  else if (signedIn) text = "Everything you view shapes what we show next. Emulate one of our shoppers on your profile to start from their history.";
  return h(
    "section",
    { class: "hero", dataset: { testid: "hero" } },
    h("div", {}, h("h1", { tabindex: "-1", text: title }), h("p", { text })),
    h(
      "div",
      { class: "hero-actions" },
      h("a", { class: "button", href: "#/featured", text: "Shop featured" }),
      user ? null : h("a", { class: "button button-secondary", href: signedIn ? "#/profile" : "#/signin?next=%23%2Fprofile", text: "Emulate a shopper" }),
    ),
  );
}

function categoryTiles(shop) {
  return h(
    "section",
    { class: "category-tiles", "aria-label": "Shop by category" },
    h(
      "ul",
      {},
      shop.data.categories.map((category) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: `#/category/${category.id}`, dataset: { testid: "category-tile" } },
            productImage(
              { name: category.name, category: category.id, style: category.styles?.[0] ?? "" },
              { className: "tile-image" },
            ),
            h("span", { text: category.name }),
          ),
        ),
      ),
    ),
  );
}

function featuredSection(shop) {
  return h(
    "section",
    { class: "shelf", dataset: { testid: "home-featured" }, "aria-labelledby": "featured-title" },
    h(
      "div",
      { class: "shelf-heading" },
      h("h2", { id: "featured-title", text: "Featured products" }),
      h("a", { href: "#/signin?next=%23%2Fprofile", class: "shelf-hint", text: "Sign in for personal picks →" }),
    ),
    productGrid(shop.data.featuredItems(), { label: "Featured products", markFeatured: false }),
  );
}

async function recommendationsSection(shop, view) {
  const section = h(
    "section",
    { class: "shelf shelf-personal", dataset: { testid: "home-recommendations" }, "aria-labelledby": "recs-title", "aria-busy": "true" },
    h(
      "div",
      { class: "shelf-heading" },
      h("h2", { id: "recs-title", text: "Inspired by your shopping trends" }),
    ),
    skeletonGrid(8),
  );
  view.append(section);
  const answer = await recommendationsFor(shop);
  const heading = section.querySelector(".shelf-heading");
  if (answer.notice) {
    heading.after(notice(answer.notice));
  } else if (answer.source === "personalize") {
    heading.append(
      personalizedBadge(`Picked for ${shop.firstName()}`),
      h("span", { class: "shelf-caption", text: "From your history and what you view in this session." }),
    );
  } else if (answer.attribution?.experiment) {
    // A holdout: say so, or a person trying the demo reads featured items as recommendations that failed.
    const { name, variant } = answer.attribution.experiment;
    heading.append(
      h("span", {
        class: "shelf-caption",
        dataset: { testid: "holdout-note" },
        text: `Hand-picked products: ${shop.firstName()} is in the ${variant} of experiment ${name}, which measures what personalization earns. Emulate another shopper to see personal picks.`,
      }),
    );
  } else {
    heading.append(h("span", { class: "shelf-caption", text: "Hand-picked products from every department." }));
  }
  section.dataset.source = answer.source;
  section.removeAttribute("aria-busy");
  section.querySelector("[data-testid=loading]").replaceWith(
    productGrid(answer.items, {
      attribution: answer.attribution,
      orderSource: answer.source,
      label: "Recommended for you",
    }),
  );
  trackShown(shop, answer, answer.items.length);
}
