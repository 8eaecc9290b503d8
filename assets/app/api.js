// The app's API client: every call carries `Authorization: tma <initData>`,
// and every error arrives in the server's one shape, {error: {code, message}}.
// Accept-Language names the language Telegram reports, so an error before
// signing in (a 401) comes in it; once signed in, the server speaks the
// customer's own language.

import { T, guessLang } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = "GET", body } = {}) {
  const tg = window.Telegram && window.Telegram.WebApp;
  const headers = { Authorization: "tma " + ((tg && tg.initData) || ""), "Accept-Language": guessLang() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch("app/api" + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "offline", T("offline"));
  }
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    const err = (data && data.error) || {};
    // Messages the server words for everyone (too many requests, its own
    // failures) come from the page's texts in the customer's language.
    const own = err.code === "rate_limited" ? T("rate-limited") : err.code === "internal" ? T("internal") : null;
    throw new ApiError(response.status, err.code || "internal", own || err.message || T("offline"));
  }
  return data;
}

// A Buy with the page's idempotency key: made once per press, sent again
// as is on a retry, so the server answers a retried Buy with the first order.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function buy(offerId, itemId, quantity, key) {
  const body = { offer_id: offerId, item_id: itemId, quantity, key };
  for (let attempt = 0; ; attempt++) {
    try {
      return await api("/purchases", { method: "POST", body });
    } catch (e) {
      // Only a request that may not have arrived is sent again.
      if (e.status !== 0 || attempt >= 2) throw e;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }
}
