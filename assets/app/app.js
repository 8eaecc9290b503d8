// Glean's Mini App: a list and a map of deals near the customer, a deal
// page with Buy, the order with its pickup code, and "My orders". Screens
// are a stack: Telegram's BackButton pops it, its MainButton buys.
// <body data-screen="…" data-ready> tells tests (and CSS) what is shown.

import { api, buy, newKey, ApiError } from "./api.js";
import { h, dealRow, orderRow, orderStatus, qr } from "./views.js";
import { drawMap } from "./map.js";
import { T, setTexts, guessLang, loadEmbedded } from "./i18n.js";

const tg = (window.Telegram && window.Telegram.WebApp) || null;
const view = document.getElementById("view");
const state = {
  me: null,
  near: null, // a live location, when the device gave one
  filter: { when: "", q: "" },
  list: null, // the last DealList
  stack: [], // screens: {name, ...}
  mainHandler: null,
  poll: null,
};

// --- Telegram ---------------------------------------------------------------

function applyTheme() {
  const root = document.documentElement;
  const params = (tg && tg.themeParams) || {};
  for (const [key, value] of Object.entries(params)) {
    root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
  }
  const dark = tg && tg.colorScheme ? tg.colorScheme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.scheme = dark ? "dark" : "light";
}

function mainButton(text, handler) {
  const mb = tg && tg.MainButton;
  if (!mb) return false;
  if (state.mainHandler) mb.offClick(state.mainHandler);
  state.mainHandler = null;
  if (!text) {
    mb.hide();
    return true;
  }
  state.mainHandler = handler;
  mb.setText(text);
  mb.onClick(handler);
  mb.enable && mb.enable();
  mb.show();
  return true;
}

function openLink(url) {
  if (tg && tg.openLink) tg.openLink(url);
  else window.open(url, "_blank", "noopener");
}

function confirmBox(message) {
  return new Promise((resolve) => {
    if (tg && tg.showConfirm) tg.showConfirm(message, (ok) => resolve(!!ok));
    else resolve(window.confirm(message));
  });
}

function haptic(kind) {
  try {
    tg && tg.HapticFeedback && tg.HapticFeedback.notificationOccurred(kind);
  } catch (e) {
    /* older clients */
  }
}

function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 4000);
}

// --- location ---------------------------------------------------------------

// Telegram's LocationManager, else the browser's geolocation, else null
// (the server then uses the last location shared with the bot).
function locate() {
  return new Promise((resolve) => {
    const done = (lat, lng) => resolve(Number.isFinite(lat) && Number.isFinite(lng) ? { lat, lng } : null);
    const browser = () => {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        (p) => done(p.coords.latitude, p.coords.longitude),
        () => resolve(null),
        { timeout: 8000, maximumAge: 600000 },
      );
    };
    const lm = tg && tg.LocationManager;
    if (!lm || (tg.isVersionAtLeast && !tg.isVersionAtLeast("8.0"))) return browser();
    const ask = () => {
      if (!lm.isLocationAvailable) return browser();
      lm.getLocation((d) => (d ? done(d.latitude, d.longitude) : browser()));
    };
    lm.isInited ? ask() : lm.init(ask);
  });
}

// --- navigation -------------------------------------------------------------

function show(name, ...content) {
  clearInterval(state.poll);
  state.poll = null;
  document.body.dataset.screen = name;
  delete document.body.dataset.ready;
  view.replaceChildren(...content);
  window.scrollTo(0, 0);
  const back = tg && tg.BackButton;
  if (back) state.stack.length > 1 ? back.show() : back.hide();
  if (name !== "deal") mainButton(null);
}

function ready() {
  document.body.dataset.ready = "1";
}

function push(screen) {
  state.stack.push(screen);
  render();
}

function back() {
  if (state.stack.length > 1) state.stack.pop();
  render();
}

function reset(screen) {
  state.stack = [screen];
  render();
}

function render() {
  const top = state.stack[state.stack.length - 1];
  const screens = { list: listScreen, map: mapScreen, deal: dealScreen, order: orderScreen, orders: ordersScreen };
  screens[top.name](top).catch((e) => {
    // A screen that couldn't open (a deal gone, the network down) leaves
    // the one under it on display.
    if (state.stack.length > 1 && e.status !== 401) {
      state.stack.pop();
      const back = tg && tg.BackButton;
      if (back) state.stack.length > 1 ? back.show() : back.hide();
    }
    fail(e);
  });
}

async function fail(e) {
  if (e instanceof ApiError && e.status === 401) {
    // Forged, stale or missing initData: nothing works until reopened. The
    // words in the language Telegram reports (the server's message is in
    // it already).
    mainButton(null);
    if (!state.me) {
      try {
        const words = await api("/texts?lang=" + encodeURIComponent(guessLang()));
        setTexts(words.lang, words.texts);
      } catch (ignored) {
        /* keep the page's own */
      }
    }
    show(
      "unauthorized",
      h("div", { class: "notice" }, h("div", { class: "big" }, "🔒"), h("h1", {}, T("reopen")), h("p", {}, e.message)),
    );
    ready();
    return;
  }
  toast(e.message || String(e));
  if (!view.querySelector(".row, .card, .deal, #map")) {
    show("error", h("div", { class: "notice" }, h("p", {}, e.message || String(e)), h("button", { class: "btn", onclick: render }, T("try-again"))));
    ready();
  }
}

// --- list and map -----------------------------------------------------------

async function loadDeals() {
  const q = new URLSearchParams();
  if (state.near) q.set("near", state.near.lat.toFixed(6) + "," + state.near.lng.toFixed(6));
  if (state.filter.when) q.set("when", state.filter.when);
  if (state.filter.q.trim()) q.set("q", state.filter.q.trim());
  state.list = await api("/deals" + (q.toString() ? "?" + q : ""));
  return state.list;
}

function header(active) {
  const chips = [
    ["", T("when-any")],
    ["now", T("when-now")],
    ["today", T("when-today")],
    ["tomorrow", T("when-tomorrow")],
  ].map(([value, label]) =>
    h(
      "button",
      {
        class: "chip" + (state.filter.when === value ? " on" : ""),
        "data-when": value || "any",
        "aria-pressed": state.filter.when === value ? "true" : "false",
        onclick: () => {
          state.filter.when = value;
          render();
        },
      },
      label,
    ),
  );
  const search = h("input", {
    type: "search",
    id: "search",
    placeholder: T("search-placeholder"),
    value: state.filter.q,
    enterkeyhint: "search",
    "aria-label": T("search-label"),
  });
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.filter.q = search.value;
      render();
    }, 400);
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      clearTimeout(timer);
      state.filter.q = search.value;
      search.blur();
      render();
    }
  });
  return h(
    "header",
    { class: "top" },
    h(
      "div",
      { class: "tabs", role: "tablist" },
      h("button", { class: "tab" + (active === "list" ? " on" : ""), id: "tab-list", onclick: () => reset({ name: "list" }) }, T("tab-list")),
      h("button", { class: "tab" + (active === "map" ? " on" : ""), id: "tab-map", onclick: () => reset({ name: "map" }) }, T("tab-map")),
      h("button", { class: "tab", id: "tab-orders", onclick: () => push({ name: "orders" }) }, T("tab-orders")),
    ),
    search,
    h("div", { class: "chips" }, chips),
  );
}

function rankedNote(list) {
  return list.ranked_by === "nearest" ? T("ranked-nearest") : T("ranked-popular");
}

async function listScreen() {
  const list = await loadDeals();
  const rows = list.items.map((d) => dealRow(d, openDeal));
  show(
    "list",
    header("list"),
    h("p", { class: "hint note" }, rankedNote(list)),
    rows.length ? h("div", { class: "rows" }, rows) : h("p", { class: "empty" }, emptyText()),
  );
  if (!performance.getEntriesByName("glean:first-list").length) performance.mark("glean:first-list");
  ready();
}

function emptyText() {
  return state.filter.when || state.filter.q.trim() ? T("empty-filtered") : T("empty");
}

async function mapScreen() {
  const list = await loadDeals();
  const box = h("div", { id: "map", role: "application", "aria-label": T("map-label") });
  show("map", header("map"), box);
  try {
    await drawMap(box, list.items, list.near, openDeal);
  } catch (e) {
    box.replaceChildren(h("p", { class: "empty" }, T("map-failed")));
  }
  ready();
}

function openDeal(id) {
  push({ name: "deal", id });
}

// --- a deal -----------------------------------------------------------------

async function dealScreen(screen) {
  const page = await api("/deals/" + screen.id);
  const o = page.offer;
  const buyable = o.status === "active" && o.remaining > 0;
  const items = o.items.filter((i) => i.remaining > 0);
  let chosen = screen.item && items.find((i) => i.id === screen.item) ? screen.item : items.length ? items[0].id : null;
  let qty = screen.qty || 1;
  const maxFor = (id) => {
    const i = o.items.find((x) => x.id === id);
    return Math.max(1, Math.min(i ? i.remaining : 1, page.max_units_per_order, 10));
  };
  const qtyLabel = h("output", { id: "qty" }, String(qty));
  const summary = h("div", { class: "hint" });
  const refresh = () => {
    qty = Math.min(qty, maxFor(chosen));
    qtyLabel.textContent = String(qty);
    const item = o.items.find((i) => i.id === chosen);
    summary.textContent = item ? qty + " × " + item.deal_price.display : "";
    screen.item = chosen;
    screen.qty = qty;
    if (buyable && chosen) {
      const label = T("reserve-qty", { qty, price: item ? item.deal_price.display : "" });
      buyButton.textContent = label;
      mainButton(label, doBuy);
    }
  };
  const itemList = o.items.map((i) =>
    h(
      "label",
      { class: "item" + (i.remaining > 0 ? "" : " out") },
      h("input", {
        type: "radio",
        name: "item",
        value: i.id,
        checked: i.id === chosen,
        disabled: i.remaining === 0 || !buyable,
        onchange: () => {
          chosen = i.id;
          refresh();
        },
      }),
      h(
        "span",
        { class: "item-body" },
        h("span", { class: "title" }, i.name),
        h("span", { class: "hint" }, i.unit + " · " + i.remaining_display),
        i.next_drop ? h("span", { class: "hint drop" }, T("next-drop", { price: i.next_drop.price.display, at: i.next_drop.at_local })) : null,
      ),
      h(
        "span",
        { class: "item-price" },
        h("b", {}, i.deal_price.display),
        i.original_price.amount_minor > i.deal_price.amount_minor ? h("s", {}, i.original_price.display) : null,
      ),
    ),
  );
  const stepper = h(
    "div",
    { class: "stepper" },
    h("button", { class: "btn secondary", "aria-label": T("one-less"), onclick: () => ((qty = Math.max(1, qty - 1)), refresh()) }, "−"),
    qtyLabel,
    h("button", { class: "btn secondary", id: "more", "aria-label": T("one-more"), onclick: () => ((qty = Math.min(maxFor(chosen), qty + 1)), refresh()) }, "+"),
  );
  const followBtn = h("button", { class: "btn secondary", id: "follow" }, T(page.following ? "unfollow" : "follow", { name: o.business.name }));
  followBtn.addEventListener("click", async () => {
    try {
      const f = await api("/businesses/" + o.business.id + "/follow", { method: page.following ? "DELETE" : "PUT" });
      page.following = f.following;
      followBtn.textContent = T(f.following ? "unfollow" : "follow", { name: f.name });
      toast(T(f.following ? "followed" : "unfollowed", { name: f.name }));
    } catch (e) {
      fail(e);
    }
  });
  const buyButton = h("button", { class: "btn wide", id: "buy", onclick: () => doBuy() }, T("reserve"));
  let key = null; // one key per Buy, kept for its retries
  let busy = false;
  async function doBuy() {
    if (busy || !chosen) return;
    busy = true;
    key = key || newKey();
    tg && tg.MainButton && tg.MainButton.showProgress && tg.MainButton.showProgress();
    buyButton.disabled = true;
    try {
      const result = await buy(o.id, chosen, qty, key);
      key = null;
      haptic("success");
      state.stack.pop();
      push({ name: "order", id: result.order.id, order: result.order, fresh: true });
      if (result.order.pay_url && result.outcome !== "again") openLink(result.order.pay_url);
    } catch (e) {
      // A refusal is final for this key; a new press makes a new request.
      if (e.status !== 0) key = null;
      haptic("error");
      toast(e.message);
      if (e.status === 401) fail(e);
    } finally {
      busy = false;
      buyButton.disabled = false;
      tg && tg.MainButton && tg.MainButton.hideProgress && tg.MainButton.hideProgress();
    }
  }
  const photo = o.photo_url
    ? h("img", { class: "photo", src: o.photo_url, alt: o.title })
    : h("div", { class: "photo none", "aria-hidden": "true" }, "🥡");
  const away = o.distance_display;
  show(
    "deal",
    h(
      "article",
      { class: "deal", "data-offer": o.id },
      photo,
      h("h1", {}, o.title),
      h("div", { class: "hint" }, o.business.name, away ? " · " + away : ""),
      o.description ? h("p", {}, o.description) : null,
      h("div", { class: "card" }, h("div", {}, "🕒 " + o.pickup.display), h("div", { class: "hint" }, "📍 " + o.venue.name + ", " + o.venue.address), h("button", { class: "linkish link", id: "open-map", onclick: () => openLink(page.map_url) }, T("open-in-maps"))),
      h("h2", {}, T("whats-in-it")),
      h("div", { class: "items" }, itemList),
      buyable
        ? h("div", { class: "buy" }, h("span", {}, T("how-many")), stepper, summary)
        : h("p", { class: "notice-inline" }, o.unavailable || ""),
      buyable && !(tg && tg.MainButton && tg.initData) ? buyButton : null,
      followBtn,
    ),
  );
  if (buyable) refresh();
  else mainButton(null);
  ready();
}

// --- orders -----------------------------------------------------------------

function orderBody(order) {
  const stands = !!order.pickup_code;
  const parts = [
    h("h1", {}, T("order-title", { id: order.id })),
    h("div", {}, orderStatus(order)),
    h("div", { class: "hint" }, order.title + " · " + order.shop),
  ];
  if (stands) {
    parts.push(
      h("div", { class: "ticket" }, h("div", { class: "hint" }, T("show-at-pickup")), h("div", { class: "code", id: "pickup-code" }, order.pickup_code), order.pickup_qr_svg ? qr(order.pickup_qr_svg) : null),
    );
  } else if (order.status === "reserved") {
    parts.push(
      h(
        "div",
        { class: "card" },
        h("p", {}, order.pay_by_display ? T("pay-to-confirm-by", { time: order.pay_by_display }) : T("pay-to-confirm")),
        order.pay_url ? h("button", { class: "btn wide", id: "pay", onclick: () => openLink(order.pay_url) }, T("pay", { total: order.total.display })) : null,
      ),
    );
  }
  parts.push(
    h("div", { class: "card" }, h("div", {}, "🕒 " + order.pickup), h("div", { class: "hint" }, "📍 " + order.address)),
    h("div", { class: "card lines" }, order.lines.map((l) => h("div", {}, l.quantity + " × " + l.item + " · " + l.unit_price.display)), h("div", {}, h("b", {}, T("total", { total: order.total.display })))),
  );
  if (order.cancellable) parts.push(h("button", { class: "btn secondary danger wide", id: "cancel", onclick: () => cancelOrder(order) }, order.status === "reserved" ? T("cancel-reservation") : T("cancel-order")));
  return parts;
}

async function orderScreen(screen) {
  const order = screen.order || (await api("/orders/" + screen.id));
  screen.order = null; // fetch fresh next time this screen is shown
  show("order", h("section", { class: "order", "data-order": order.id }, orderBody(order)));
  if (screen.fresh && order.pickup_code) toast(T("reserved-toast", { code: order.pickup_code }));
  screen.fresh = false;
  ready();
  if (order.status === "reserved") {
    // Waiting for Stripe: look again until the payment is in.
    state.poll = setInterval(async () => {
      try {
        const now = await api("/orders/" + order.id);
        if (now.status !== "reserved") render();
      } catch (e) {
        /* try again on the next tick */
      }
    }, 4000);
  }
}

async function ordersScreen() {
  const list = await api("/orders");
  show(
    "orders",
    h("h1", {}, T("my-orders")),
    list.items.length
      ? h("div", { class: "rows" }, list.items.map((o) => orderRow(o, (id) => push({ name: "order", id }), cancelOrder)))
      : h("p", { class: "empty" }, T("no-orders")),
  );
  ready();
}

async function cancelOrder(order) {
  const question = order.refund_on_cancel
    ? T("cancel-question-refund", { id: order.id, amount: order.refund_on_cancel.display })
    : T("cancel-question", { id: order.id });
  if (!(await confirmBox(question))) return;
  try {
    const after = await api("/orders/" + order.id + "/cancel", { method: "POST" });
    toast(T("order-is", { id: after.id, status: after.status_label }));
    render();
  } catch (e) {
    fail(e);
  }
}

// --- start ------------------------------------------------------------------

async function start() {
  loadEmbedded();
  applyTheme();
  if (tg) {
    tg.ready && tg.ready();
    tg.expand && tg.expand();
    tg.onEvent && tg.onEvent("themeChanged", applyTheme);
    tg.BackButton && tg.BackButton.onClick(back);
  }
  try {
    state.me = await api("/me");
    setTexts(state.me.lang, state.me.texts);
  } catch (e) {
    return fail(e);
  }
  const params = new URLSearchParams(location.search);
  const offer = state.me.start_offer || Number(params.get("offer")) || null;
  const first = params.get("view") === "map" ? { name: "map" } : { name: "list" };
  // The list comes at once; a live location, when it arrives soon enough,
  // ranks it nearest first (later, it re-ranks the list on screen).
  let settled = false;
  const located = locate().then((at) => {
    if (!at) return;
    state.near = at;
    if (settled && ["list", "map"].includes(document.body.dataset.screen)) render();
  });
  await Promise.race([located, new Promise((r) => setTimeout(r, 1200))]);
  settled = true;
  state.stack = [first];
  if (offer) state.stack.push({ name: "deal", id: offer });
  render();
}

start();
