/**
 * Who is shopping: a session id that is new for every browser session (sessionStorage), and the
 * emulated shopper linked to this browser (localStorage) until they sign out.
 */

import { randomId } from "./ids.js";

const SESSION_KEY = "shop.sessionId";
const USER_KEY = "shop.userId";

export class Identity {
  constructor({ sessionStore = sessionStorage, userStore = localStorage } = {}) {
    this.userStore = userStore;
    this.sessionId = sessionStore.getItem(SESSION_KEY) ?? randomId();
    sessionStore.setItem(SESSION_KEY, this.sessionId);
    this.listeners = new Set();
  }

  get userId() {
    return this.userStore.getItem(USER_KEY);
  }

  get signedIn() {
    return this.userId !== null;
  }

  signIn(userId) {
    this.userStore.setItem(USER_KEY, String(userId));
    this.notify();
  }

  signOut() {
    this.userStore.removeItem(USER_KEY);
    this.notify();
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  notify() {
    for (const listener of this.listeners) listener(this);
  }
}
