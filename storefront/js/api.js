/**
 * The personalization API client (docs/architecture.md §4). Every call has a timeout, so a slow or
 * failing API turns into an `ApiError` the views answer with a fallback, never an endless wait.
 *
 * Two families of routes: anonymous (`/recommendations`, `/related`, `/rank`, `/events`) and, for a
 * signed-in account, `/me/...` with the Cognito ID token in `Authorization`. No call names a user:
 * the API takes the shopper from the token. A 401 refreshes the token once and retries.
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
  constructor({ baseUrl, timeoutMs, identity }) {
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
    this.identity = identity;
    /** The most recent calls, newest last (a hook for tests and for curious demo audiences). */
    this.calls = [];
  }

  getRecommendations({ numResults = 12 } = {}) {
    return this.call("GET", "recommendations", { query: { numResults } });
  }

  /** With the browser session, which assigns an anonymous shopper to a variant of a related-items experiment. */
  getRelated({ itemId, numResults = 8, sessionId = this.identity.sessionId }) {
    return this.call("GET", "related", { query: { itemId, numResults, sessionId } });
  }

  rank({ itemIds, context }) {
    return this.call("POST", "rank", { body: { itemIds, context } });
  }

  /** A batch of events; `signedIn` says which family it was tracked under (the anonymous one otherwise). */
  postEvents(batch, { signedIn = false } = {}) {
    return this.call("POST", "events", { body: batch, signedIn });
  }

  /**
   * Hands a batch to the browser to deliver after the page is gone: `sendBeacon` for an anonymous
   * batch; a keepalive `fetch` with the token for a signed-in one (a beacon cannot set headers).
   * False when the browser refused it.
   */
  sendOnExit(path, body, { signedIn = false } = {}) {
    const token = signedIn ? this.identity.currentIdToken() : null;
    if (token) {
      const url = this.url(`me/${path}`);
      fetch(url, {
        method: "POST",
        keepalive: true,
        headers: { "Content-Type": "application/json", Authorization: token },
        body: JSON.stringify(body),
      }).catch(() => {});
      this.record({ method: "POST", path: `/me/${path}`, url, body, status: null, outcome: "keepalive", signedIn: true });
      return true;
    }
    if (typeof navigator.sendBeacon !== "function") return false;
    // A string body goes out as text/plain: a CORS-simple request, which a beacon can make cross-origin.
    return navigator.sendBeacon(this.url(path), JSON.stringify(body));
  }

  /** Signed in (or `signedIn` for events tracked signed in): the /me route with the token, else the anonymous one. */
  async call(method, path, { query, body, signedIn = this.identity.signedIn } = {}) {
    let token = signedIn ? await this.identity.idToken() : null;
    if (!token) return this.request(method, path, { query, body });
    try {
      return await this.request(method, `me/${path}`, { query, body, token });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      await this.identity.rejected(token);
      token = await this.identity.idToken();
      if (!token) throw error;
      return this.request(method, `me/${path}`, { query, body, token });
    }
  }

  url(path, query = {}) {
    const url = new URL(path, this.baseUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url.href;
  }

  async request(method, path, { query, body, token = null } = {}) {
    const url = this.url(path, query);
    const call = { method, path: `/${path}`, url, body: body ?? null, status: null, outcome: "pending", signedIn: token !== null };
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = token;
    this.record(call);
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await fetch(url, {
        method,
        signal: controller.signal,
        headers,
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
