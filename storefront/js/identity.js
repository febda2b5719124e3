/**
 * Who is shopping (docs/architecture.md §4): a session id that is new for every browser session, and
 * the signed-in Cognito account, if any.
 *
 * - The session id (sessionStorage) is the same before and after sign-in, so Personalize ties the
 *   anonymous session's events to the shopper.
 * - The account's tokens live in sessionStorage only (gone with the tab, never in localStorage); the
 *   ID token is refreshed five minutes before it expires, and when the API answers 401.
 * - With profile emulation (config.json `profileEmulation`), the account's `custom:shopper_id` links it
 *   to one of the dataset's shoppers: the API then personalizes for that shopper.
 */

import { CognitoClient, tokenClaims } from "./cognito.js";
import { randomId } from "./ids.js";

const SESSION_KEY = "shop.sessionId";
const ACCOUNT_KEY = "shop.account";
const LEGACY_USER_KEY = "shop.userId";
/** Refresh this long before the ID token expires (and treat it as expired this close to the end). */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const SHOPPER_ID_ATTRIBUTE = "custom:shopper_id";

export class Identity {
  constructor({ accounts = null, profileEmulation = false, store = sessionStorage, legacyStore = localStorage } = {}) {
    this.store = store;
    this.cognito = accounts ? new CognitoClient(accounts) : null;
    this.profileEmulation = Boolean(profileEmulation && accounts);
    this.sessionId = store.getItem(SESSION_KEY) ?? randomId();
    store.setItem(SESSION_KEY, this.sessionId);
    // The shopper id this shop kept in localStorage before accounts existed means nothing now.
    legacyStore?.removeItem(LEGACY_USER_KEY);
    this.listeners = new Set();
    /** Called (and awaited) before the account changes: the event tracker sends what it holds. */
    this.beforeChange = async () => {};
    this.refreshTimer = null;
    this.refreshing = null;
    this.account = this.load();
    if (this.account) this.scheduleRefresh();
  }

  get accountsEnabled() {
    return this.cognito !== null;
  }

  get signedIn() {
    return this.account !== null;
  }

  get email() {
    return this.account?.email ?? null;
  }

  /** The dataset shopper this account emulates, or null. */
  get emulatedShopperId() {
    return this.profileEmulation ? (this.account?.shopperId ?? null) : null;
  }

  load() {
    try {
      const account = JSON.parse(this.store.getItem(ACCOUNT_KEY) ?? "null");
      if (!account?.idToken || !account?.refreshToken) return null;
      return account;
    } catch {
      return null;
    }
  }

  save(account) {
    this.account = account;
    if (account) this.store.setItem(ACCOUNT_KEY, JSON.stringify(account));
    else this.store.removeItem(ACCOUNT_KEY);
    this.scheduleRefresh();
    this.notify();
  }

  fromTokens(tokens, refreshToken = tokens.refreshToken) {
    const claims = tokenClaims(tokens.idToken);
    const shopperId = claims[SHOPPER_ID_ATTRIBUTE];
    return {
      email: claims.email ?? this.account?.email ?? null,
      sub: claims.sub,
      shopperId: typeof shopperId === "string" && shopperId !== "" ? shopperId : null,
      idToken: tokens.idToken,
      accessToken: tokens.accessToken,
      refreshToken,
      expiresAt: claims.exp * 1000,
    };
  }

  requireAccounts() {
    if (!this.cognito) throw new Error("Sign-in is not configured for this shop (config.json has no cognito).");
    return this.cognito;
  }

  /** Creates the account; `confirmed` is false when Cognito sent a code to the email. */
  async signUp(email, password) {
    const answer = await this.requireAccounts().signUp(email, password);
    return { confirmed: Boolean(answer.UserConfirmed), destination: answer.CodeDeliveryDetails?.Destination ?? null };
  }

  confirmSignUp(email, code) {
    return this.requireAccounts().confirmSignUp(email, code);
  }

  resendCode(email) {
    return this.requireAccounts().resendConfirmationCode(email);
  }

  async signIn(email, password) {
    const tokens = await this.requireAccounts().signIn(email, password);
    await this.beforeChange();
    this.save(this.fromTokens(tokens));
  }

  /** Sends what is queued, forgets the tokens, and revokes the account's refresh tokens at Cognito. */
  async signOut() {
    const account = this.account;
    if (!account) return;
    await this.beforeChange();
    this.save(null);
    try {
      await this.cognito?.globalSignOut(account.accessToken);
    } catch (error) {
      console.warn("the sign-in service did not confirm the sign-out", error.message);
    }
  }

  /** Link the account to a dataset shopper (null: shop as the account itself), then refresh the token. */
  async emulate(shopperId) {
    if (!this.profileEmulation) throw new Error("Profile emulation is off in this deployment.");
    const cognito = this.requireAccounts();
    const account = await this.freshAccount();
    if (!account) throw new Error("You are signed out. Sign in again.");
    await this.beforeChange();
    await cognito.updateAttributes(account.accessToken, { [SHOPPER_ID_ATTRIBUTE]: shopperId ?? "" });
    await this.refresh({ force: true });
    if (!this.account) throw new Error("You are signed out. Sign in again.");
  }

  /** An ID token valid for at least the margin, refreshed when needed; null when signed out. */
  async idToken() {
    return (await this.freshAccount())?.idToken ?? null;
  }

  /** The ID token as it is now, if not expired (for a keepalive request while the page is hidden). */
  currentIdToken() {
    return this.account && this.account.expiresAt > Date.now() ? this.account.idToken : null;
  }

  async freshAccount() {
    if (!this.account) return null;
    if (this.account.expiresAt - REFRESH_MARGIN_MS > Date.now()) return this.account;
    await this.refresh();
    return this.account;
  }

  /** New tokens from the refresh token; a refused refresh (revoked, expired) signs out here. */
  refresh({ force = false } = {}) {
    if (!this.account) return Promise.resolve();
    if (this.refreshing) return this.refreshing;
    if (!force && this.account.expiresAt - REFRESH_MARGIN_MS > Date.now()) return Promise.resolve();
    const account = this.account;
    this.refreshing = this.requireAccounts()
      .refresh(account.refreshToken)
      .then((tokens) => {
        if (this.account === account) this.save(this.fromTokens(tokens, account.refreshToken));
      })
      .catch((error) => {
        if (error.type === "NetworkError") return;
        console.warn("the session could not be refreshed; signing out", error.message);
        if (this.account === account) this.save(null);
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** The API answered 401 to a signed-in call: refresh once; a second refusal signs out. */
  async rejected(idToken) {
    if (!this.account || this.account.idToken !== idToken) return;
    await this.refresh({ force: true });
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    if (!this.account) return;
    const delay = Math.max(this.account.expiresAt - REFRESH_MARGIN_MS - Date.now(), 0);
    this.refreshTimer = setTimeout(() => this.refresh(), Math.min(delay, 2 ** 31 - 1));
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  notify() {
    for (const listener of this.listeners) listener(this);
  }
}
