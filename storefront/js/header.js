/** The header: category navigation with "Featured", search, cart count and the profile menu. */

import { h } from "./dom.js";
import { MAX_PROPERTY_TEXT } from "./limits.js";
import { initials, personaLabel } from "./ui.js";

export class Header {
  constructor(shop) {
    this.shop = shop;
    this.root = document.querySelector(".site-header");
    this.buildNavigation();
    this.root.querySelector("[data-testid=search-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      this.search(new FormData(event.target).get("q")?.toString().trim() ?? "");
    });
    this.menu = this.root.querySelector("[data-testid=profile-menu]");
    this.root.querySelector("[data-testid=menu-signout]").addEventListener("click", () => {
      this.menu.open = false;
      shop.signOut();
    });
    if (!shop.identity.accountsEnabled) {
      for (const testid of ["menu-signin", "menu-signup"]) this.root.querySelector(`[data-testid=${testid}]`).hidden = true;
    }
    this.menu.addEventListener("click", (event) => {
      if (event.target.closest("a")) this.menu.open = false;
    });
    this.menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.menu.open) {
        this.menu.open = false;
        this.menu.querySelector("summary").focus();
      }
    });
    document.querySelector("[data-testid=session-id]").textContent = shop.identity.sessionId;
  }

  buildNavigation() {
    const entries = [
      { href: "#/featured", label: "Featured", testid: "nav-featured", key: "featured" },
      ...this.shop.data.categories.map((category) => ({
        href: `#/category/${category.id}`,
        label: category.name,
        testid: `nav-category-${category.id}`,
        key: `category:${category.id}`,
      })),
    ];
    this.navLinks = entries.map((entry) =>
      h("a", { href: entry.href, dataset: { testid: entry.testid, key: entry.key }, text: entry.label }),
    );
    this.root.querySelector("[data-testid=category-nav]").replaceChildren(...this.navLinks.map((link) => h("li", {}, link)));
  }

  /** A search is the shopper's action: it fires ProductSearched, then shows the results. */
  search(query) {
    if (!query) return;
    const resultCount = this.shop.data.search(query).length;
    this.shop.tracker.track("ProductSearched", { properties: { query: query.slice(0, MAX_PROPERTY_TEXT), resultCount } });
    this.shop.navigate(`#/search?q=${encodeURIComponent(query)}`);
  }

  update(route) {
    const activeKey = route?.name === "category" ? `category:${route.params.id}` : route?.name;
    for (const link of this.navLinks) {
      if (link.dataset.key === activeKey) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const searchInput = this.root.querySelector("[data-testid=search-input]");
    if (route?.name === "search") searchInput.value = route.query.get("q") ?? "";
    const count = this.shop.cart.count;
    const countBadge = this.root.querySelector("[data-testid=cart-count]");
    countBadge.textContent = String(count);
    countBadge.setAttribute("aria-label", `${count} ${count === 1 ? "item" : "items"} in cart`);
    this.updateProfile();
  }

  /** The account in the header: the emulated shopper's name, or the account's email; "Guest" when signed out. */
  updateProfile() {
    const identity = this.shop.identity;
    const user = this.shop.currentUser();
    const name = this.shop.displayName();
    this.root.querySelector("[data-testid=profile-name]").textContent = name ?? "Guest";
    this.root.querySelector("[data-avatar]").textContent = name ? initials(name) : "?";
    let status = "Browsing anonymously";
    if (identity.signedIn) {
      status = user ? `${identity.email} · shopping as ${user.name}: ${personaLabel(user)}` : `Signed in as ${identity.email}`;
    }
    this.root.querySelector("[data-testid=profile-status]").textContent = status;
    this.root.querySelector("[data-testid=menu-signout]").hidden = !identity.signedIn;
    for (const testid of ["menu-signin", "menu-signup"]) {
      this.root.querySelector(`[data-testid=${testid}]`).hidden = identity.signedIn || !identity.accountsEnabled;
    }
    this.menu.classList.toggle("signed-in", identity.signedIn);
    this.menu.dataset.account = identity.email ?? "";
  }
}
