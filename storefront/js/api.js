/**
 * The personalization API client (docs/architecture.md §4). Every call has a timeout, so a slow or
 * failing API turns into an `ApiError` the views answer with a fallback, never an endless wait.
 */

export class ApiError extends Error {
  constructor(message, { status = null, body = null, reason = "error" } = {}) {
    super(message);
    this.status = status;
    this.body = body;
    this.reason = reason;
  }
}

const MAX_LOGGED_CALLS = 50;

export class ApiClient {
  constructor({ baseUrl, timeoutMs }) {
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
    /** The most recent calls, newest last (a hook for tests and for curious demo audiences). */
    this.calls = [];
  }

  getRecommendations({ userId, numResults = 12 }) {
    return this.request("GET", "recommendations", { query: { userId, numResults } });
  }

  getRelated({ itemId, userId, numResults = 8 }) {
    return this.request("GET", "related", { query: { itemId, userId, numResults } });
  }

  rank({ userId, itemIds, context }) {
    return this.request("POST", "rank", { body: { userId, itemIds, context } });
  }

  postEvents(batch) {
    return this.request("POST", "events", { body: batch });
  }

  url(path, query = {}) {
    const url = new URL(path, this.baseUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url.href;
  }

  async request(method, path, { query, body } = {}) {
    const url = this.url(path, query);
    const call = { method, path: `/${path}`, url, body: body ?? null, status: null, outcome: "pending" };
    this.record(call);
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await fetch(url, {
        method,
        signal: controller.signal,
        headers: body === undefined ? undefined : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        // A POST in flight when the shopper leaves the page still reaches the API.
        keepalive: body !== undefined,
      });
      call.status = response.status;
      const payload = await response.json().catch(() => null);
      if (!response.ok) {
        call.outcome = "http-error";
        throw new ApiError(`${method} /${path} answered HTTP ${response.status}`, {
          status: response.status,
          body: payload,
          reason: "http",
        });
      }
      call.outcome = "ok";
      return payload;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const timedOut = controller.signal.aborted;
      call.outcome = timedOut ? "timeout" : "network-error";
      throw new ApiError(
        timedOut ? `${method} /${path} took longer than ${this.timeoutMs} ms` : `${method} /${path} failed: ${error.message}`,
        { reason: timedOut ? "timeout" : "network" },
      );
    } finally {
      clearTimeout(timer);
      call.durationMs = Math.round(performance.now() - started);
    }
  }

  record(call) {
    this.calls.push(call);
    if (this.calls.length > MAX_LOGGED_CALLS) this.calls.shift();
  }
}
