/**
 * The shopping cart, kept in localStorage. Every change fires its event; cart-wide steps
 * (view, checkout, order) fire one event per line, each with its itemId (docs/architecture.md §5).
 *
 * A line added from a product page the shopper reached through an API answer keeps that answer's
 * attribution (recommendationId and experiment, the first one the line got), and its events carry it,
 * up to the line's OrderCompleted, within the browser session it was added in: a cart found in
 * localStorage by a later session keeps its lines but not their attribution.
 */

import { attributionOf } from "./attribution.js";
import { randomId } from "./ids.js";

const CART_KEY = "shop.cart";
export const MAX_QUANTITY = 10;

export class Cart {
  constructor({ data, tracker, sessionId, store = localStorage }) {
    this.data = data;
    this.tracker = tracker;
    this.sessionId = sessionId;
    this.store = store;
    this.lines = this.load();
    this.listeners = new Set();
  }

  load() {
    try {
      const lines = JSON.parse(this.store.getItem(CART_KEY) ?? "[]");
      return lines
        .filter((line) => this.data.item(line.itemId) && line.quantity > 0)
        .map((line) => ({
          itemId: line.itemId,
          quantity: line.quantity,
          attribution: line.sessionId === this.sessionId ? attributionOf(line.attribution) : null,
          sessionId: this.sessionId,
        }));
    } catch {
      return [];
    }
  }

  save() {
    this.store.setItem(CART_KEY, JSON.stringify(this.lines));
    for (const listener of this.listeners) listener(this);
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  get count() {
    return this.lines.reduce((sum, line) => sum + line.quantity, 0);
  }

  get total() {
    return this.lines.reduce((sum, line) => sum + line.quantity * this.data.item(line.itemId).price, 0);
  }

  line(itemId) {
    return this.lines.find((line) => line.itemId === itemId);
  }

  /** Add from a product page; `attribution` is the answer the shopper reached it through, if any. */
  add(itemId, quantity = 1, attribution = null) {
    const line = this.line(itemId);
    if (line) {
      line.quantity = Math.min(line.quantity + quantity, MAX_QUANTITY);
      line.attribution ??= attributionOf(attribution);
    } else {
      const attributed = attributionOf(attribution);
      this.lines.push({ itemId, quantity: Math.min(quantity, MAX_QUANTITY), attribution: attributed, sessionId: this.sessionId });
    }
    this.track("ProductAdded", this.line(itemId), { quantity, price: this.data.item(itemId).price });
    this.save();
  }

  setQuantity(itemId, quantity) {
    const line = this.line(itemId);
    if (!line) return;
    if (quantity <= 0) {
      this.remove(itemId);
      return;
    }
    const previousQuantity = line.quantity;
    line.quantity = Math.min(quantity, MAX_QUANTITY);
    if (line.quantity === previousQuantity) return;
    this.track("ProductQuantityUpdated", line, { quantity: line.quantity, previousQuantity });
    this.save();
  }

  remove(itemId) {
    const line = this.line(itemId);
    if (!line) return;
    this.lines = this.lines.filter((other) => other !== line);
    this.track("ProductRemoved", line, { quantity: line.quantity });
    this.save();
  }

  viewed() {
    this.trackEachLine("CartViewed");
  }

  startCheckout() {
    this.trackEachLine("CheckoutStarted");
  }

  /** Complete the order (no payment in this demo): fire OrderCompleted per line, empty the cart. */
  completeOrder() {
    const order = { orderId: `order-${randomId()}`, lines: this.lines.map((line) => ({ ...line })), total: this.total };
    this.trackEachLine("OrderCompleted", { orderId: order.orderId });
    this.lines = [];
    this.save();
    return order;
  }

  trackEachLine(eventType, extra = {}) {
    for (const line of this.lines) {
      this.track(eventType, line, { quantity: line.quantity, price: this.data.item(line.itemId).price, ...extra });
    }
  }

  track(eventType, line, properties) {
    this.tracker.track(eventType, { itemId: line.itemId, ...line.attribution, properties });
  }
}
