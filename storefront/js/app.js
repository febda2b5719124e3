/** Start-up: read config.json and the dataset, wire the services, the header and the router. */

import { ApiClient } from "./api.js";
import { Cart } from "./cart.js";
import { DataError, loadShopData } from "./catalog.js";
import { ConfigError, loadConfig } from "./config.js";
import { h } from "./dom.js";
import { EventTracker } from "./events.js";
import { Header } from "./header.js";
import { Identity } from "./identity.js";
import { isRouteHash, resolve } from "./router.js";

const SHOP_NAME = "Northwind Goods";

class Shop {
  constructor({ config, data }) {
    this.config = config;
    this.data = data;
    this.identity = new Identity({ accounts: config.cognito, profileEmulation: config.profileEmulation });
    this.api = new ApiClient({ baseUrl: config.apiBaseUrl, timeoutMs: config.apiTimeoutMs, identity: this.identity });
    this.tracker = new EventTracker({
      api: this.api,
      identity: this.identity,
      flushIntervalMs: config.eventFlushIntervalMs,
    });
    // Events tracked under one account (or none) leave before the account changes.
    this.identity.beforeChange = () => this.tracker.flush();
    this.cart = new Cart({ data, tracker: this.tracker, sessionId: this.identity.sessionId });
    this.lastOrder = null;
    this.main = document.getElementById("main");
    this.route = null;
  }

  /** The dataset shopper the signed-in account emulates, or null. */
  currentUser() {
    const shopperId = this.identity.emulatedShopperId;
    return shopperId === null ? null : (this.data.user(shopperId) ?? null);
  }

  /** The name the shop greets a signed-in shopper by: the emulated shopper's, else the account's email. */
  displayName() {
    if (!this.identity.signedIn) return null;
    return this.currentUser()?.name ?? this.identity.email ?? "Shopper";
  }

  firstName() {
    const user = this.currentUser();
    return user ? user.name.split(" ")[0] : (this.identity.email?.split("@")[0] ?? "you");
  }

  async signOut() {
    await this.identity.signOut();
    this.navigate("#/");
  }

  /** Go to a route; going to the current one renders it again (fresh recommendations). */
  navigate(hash) {
    if (location.hash === hash) this.render();
    else location.hash = hash;
  }

  async render() {
    const route = resolve(location.hash);
    this.route = route;
    const view = h("div", { class: "view", dataset: { route: route.name, state: "loading" } });
    this.main.replaceChildren(view);
    document.title = `${route.title(route, this)} · ${SHOP_NAME}`;
    this.header.update(route);
    window.scrollTo(0, 0);
    try {
      await route.render(this, route, view);
    } catch (error) {
      console.error(error);
      view.append(h("p", { class: "notice notice-error", role: "alert", text: "Something went wrong on this page." }));
    }
    view.dataset.state = "ready";
  }

  focusTestId(testid) {
    this.main.querySelector(`[data-testid="${testid}"]`)?.focus();
  }

  start() {
    this.header = new Header(this);
    this.tracker.installPageHideFlush();
    let signedIn = this.identity.signedIn;
    this.identity.onChange(() => {
      this.header.update(this.route);
      // Signed out by an expired or revoked session: show the page as a visitor sees it.
      if (signedIn && !this.identity.signedIn && this.route?.name !== "signin") this.render();
      signedIn = this.identity.signedIn;
    });
    this.cart.onChange(() => this.header.update(this.route));
    window.addEventListener("hashchange", () => {
      if (isRouteHash(location.hash)) this.render().then(() => this.focusHeading());
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.route?.name === "home" && this.identity.signedIn) this.render();
    });
    exposeTestHooks(this);
    return this.render();
  }

  focusHeading() {
    this.main.querySelector("h1")?.focus({ preventScroll: true });
  }
}

/** Small read-only hooks for browser tests and for demoing what the shop sends. */
function exposeTestHooks(shop) {
  window.__shop = Object.freeze({
    sessionId: shop.identity.sessionId,
    get signedIn() {
      return shop.identity.signedIn;
    },
    get email() {
      return shop.identity.email;
    },
    /** The dataset shopper the account emulates (null: none, or signed out). */
    get shopperId() {
      return shop.identity.emulatedShopperId;
    },
    get lastApiCalls() {
      return shop.api.calls.map((call) => ({ ...call }));
    },
    get sentEvents() {
      return shop.tracker.sent.map((event) => ({ ...event }));
    },
    get queuedEvents() {
      return shop.tracker.queue.map((entry) => ({ ...entry.event }));
    },
    flushEvents: () => shop.tracker.flush(),
  });
}

const CONFIG_HELP = () =>
  h(
    "p",
    {},
    "Put a ",
    h("code", { text: "config.json" }),
    " next to index.html, like ",
    h("a", { href: "config.example.json", text: "config.example.json" }),
    ", with the API base URL. ",
    h("code", { text: "make demo" }),
    " writes one for the local stack; the CDK hosting construct writes one at deploy.",
  );

const DATA_HELP = () =>
  h("p", { text: "The dataset files (catalog.json, users.json, featured.json) must be served under the config's dataBaseUrl." });

function startupProblem(error) {
  if (error instanceof ConfigError) return { testid: "config-error", title: "This shop is not configured yet", help: CONFIG_HELP };
  if (error instanceof DataError) return { testid: "data-error", title: "The product catalog could not be loaded", help: DATA_HELP };
  return { testid: "startup-error", title: "The shop could not start", help: () => null };
}

function showStartupError(error) {
  const problem = startupProblem(error);
  document.getElementById("main").replaceChildren(
    h(
      "section",
      { class: "startup-error", role: "alert", dataset: { testid: problem.testid } },
      h("h1", { text: problem.title }),
      h("p", { text: error.message }),
      problem.help(),
    ),
  );
  document.body.dataset.startup = "failed";
}

async function main() {
  document.querySelector("[data-skip-link]").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });
  try {
    const config = await loadConfig();
    const data = await loadShopData(config.dataBaseUrl);
    await new Shop({ config, data }).start();
    document.body.dataset.startup = "done";
  } catch (error) {
    console.error(error);
    showStartupError(error);
  }
}

main();
