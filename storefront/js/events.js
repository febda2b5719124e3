/**
 * Shopper events (docs/architecture.md §5): queued as they happen, sent in small batches to
 * `POST /events` (anonymous: the session only) or `POST /me/events` (signed in: the token says who),
 * retried with backoff under the same eventIds (so the backend recognises a retry), and handed to the
 * browser when the page is hidden: `sendBeacon` when anonymous, a keepalive `fetch` with the token
 * when signed in (a beacon cannot set headers). An event leaves under the identity it was tracked with.
 * After a 503 only the events it names as not accepted (`notAccepted`) are sent again; the others are
 * on the bus.
 *
 * An event that follows from an API answer carries the answer's `recommendationId` and, in an experiment,
 * its `experiment` ({name, variant}; only ever with the id); `RecommendationsShown` is the answer itself
 * being shown (no itemId).
 */

import { ApiError } from "./api.js";
import { attributionOf } from "./attribution.js";
import { randomId } from "./ids.js";
import { MAX_EVENTS_PER_REQUEST } from "./limits.js";

export const EVENT_TYPES = Object.freeze([
  "ProductSearched",
  "ProductViewed",
  "ProductAdded",
  "ProductRemoved",
  "ProductQuantityUpdated",
  "CartViewed",
  "CheckoutStarted",
  "OrderCompleted",
  "RecommendationsShown",
]);

const MAX_BACKOFF_MS = 30_000;
const MAX_KEPT_SENT = 200;

/** A 4xx other than timeout/rate limit means the batch itself is wrong: retrying cannot help. */
function isRetryable(error) {
  return !(error instanceof ApiError && error.status !== null && error.status < 500 && ![408, 429].includes(error.status));
}

export class EventTracker {
  constructor({ api, identity, flushIntervalMs = 1000, maxBatch = 10, baseRetryMs = 1000 }) {
    this.api = api;
    this.identity = identity;
    this.flushIntervalMs = flushIntervalMs;
    this.maxBatch = Math.min(maxBatch, MAX_EVENTS_PER_REQUEST);
    this.baseRetryMs = baseRetryMs;
    this.queue = [];
    this.sent = [];
    this.rejected = [];
    this.failures = 0;
    this.timer = null;
    this.timerDueAt = 0;
    this.retryNotBefore = 0;
    this.sending = null;
  }

  /** Listen for the page being hidden or left, and hand what is queued to the browser. */
  installPageHideFlush(target = window, doc = document) {
    doc.addEventListener("visibilitychange", () => {
      if (doc.visibilityState === "hidden") this.beaconQueued();
    });
    target.addEventListener("pagehide", () => this.beaconQueued());
  }

  track(eventType, { itemId, recommendationId, experiment, properties } = {}) {
    if (!EVENT_TYPES.includes(eventType)) throw new Error(`unknown event type ${eventType}`);
    const event = { eventId: randomId(), eventType, sentAt: new Date().toISOString() };
    if (itemId) event.itemId = itemId;
    const attribution = attributionOf({ recommendationId, experiment });
    if (attribution) {
      event.recommendationId = attribution.recommendationId;
      if (attribution.experiment) event.experiment = attribution.experiment;
    }
    if (properties && Object.keys(properties).length > 0) event.properties = properties;
    this.queue.push({ sessionId: this.identity.sessionId, signedIn: this.identity.signedIn, event });
    this.schedule(this.queue.length >= this.maxBatch ? 0 : this.flushIntervalMs);
    return event;
  }

  /** Flush after `delayMs`, or later while a failed send is backing off; an earlier timer wins. */
  schedule(delayMs) {
    const dueAt = Math.max(Date.now() + delayMs, this.retryNotBefore);
    if (this.timer !== null && this.timerDueAt <= dueAt) return;
    this.cancelTimer();
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, dueAt - Date.now());
  }

  cancelTimer() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  /** Send every queued event now (batch after batch); resolves when the queue is empty or a send failed. */
  async flush() {
    if (this.sending) return this.sending;
    this.sending = this.sendBatches().finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  async sendBatches() {
    while (this.queue.length > 0) {
      const entries = this.nextBatch();
      try {
        await this.api.postEvents(toPayload(entries), { signedIn: entries[0].signedIn });
        this.markSent(entries, "fetch");
        this.failures = 0;
        this.retryNotBefore = 0;
      } catch (error) {
        if (!isRetryable(error)) {
          console.warn("events rejected by the API, not retried", error.body ?? error.message);
          this.rejected.push(...entries.map((entry) => entry.event));
          continue;
        }
        const resend = notAccepted(entries, error);
        this.markSent(entries.filter((entry) => !resend.includes(entry)), "fetch");
        if (resend.length === 0) continue;
        this.queue.unshift(...resend);
        this.failures += 1;
        const backoff = Math.min(this.baseRetryMs * 2 ** (this.failures - 1), MAX_BACKOFF_MS);
        this.retryNotBefore = Date.now() + backoff * (0.8 + Math.random() * 0.4);
        this.cancelTimer();
        this.schedule(0);
        return;
      }
    }
  }

  /** The oldest queued events that share one session and sign-in state, up to the batch size. */
  nextBatch() {
    const [first] = this.queue;
    const count = this.queue
      .slice(0, this.maxBatch)
      .findIndex((entry) => entry.sessionId !== first.sessionId || entry.signedIn !== first.signedIn);
    return this.queue.splice(0, count === -1 ? this.maxBatch : count);
  }

  beaconQueued() {
    while (this.queue.length > 0) {
      const entries = this.nextBatch();
      const { signedIn } = entries[0];
      if (!this.api.sendOnExit("events", toPayload(entries), { signedIn })) {
        this.queue.unshift(...entries);
        return;
      }
      this.markSent(entries, signedIn ? "keepalive" : "beacon");
    }
  }

  markSent(entries, via) {
    for (const entry of entries) this.sent.push({ ...entry.event, via });
    if (this.sent.length > MAX_KEPT_SENT) this.sent.splice(0, this.sent.length - MAX_KEPT_SENT);
  }
}

/** What to send again after a failed send: the events a 503 names as not accepted, else all of them. */
function notAccepted(entries, error) {
  const named = error instanceof ApiError && error.status === 503 ? error.body?.notAccepted : undefined;
  if (!Array.isArray(named)) return entries;
  const ids = new Set(named.map((event) => event.eventId));
  return entries.filter((entry) => ids.has(entry.event.eventId));
}

/** The request body: the session and the events; never a user (the API takes it from the token). */
function toPayload(entries) {
  return { sessionId: entries[0].sessionId, events: entries.map((entry) => entry.event) };
}
