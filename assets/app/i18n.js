// The page's words. It has none of its own: the server sends them in the
// customer's language (embedded in the page for the language the browser
// asks for, then `texts` of /app/api/me, or /app/api/texts?lang= when
// signing in failed), with prices, times, distances and "3 left" already
// formatted. `{name}` in a text is filled from `vars` as is.

let texts = {};

export function setTexts(lang, map) {
  texts = map || {};
  document.documentElement.lang = lang || "en";
  if (texts.title) document.title = texts.title;
}

export function T(id, vars = {}) {
  const s = texts[id];
  if (s === undefined) return id;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

// The language Telegram reports for the user (unsigned, so only to pick
// words before signing in), else the browser's.
export function guessLang() {
  const tg = window.Telegram && window.Telegram.WebApp;
  const user = tg && tg.initDataUnsafe && tg.initDataUnsafe.user;
  return (user && user.language_code) || navigator.language || "en";
}

// The words the server put into the page.
export function loadEmbedded() {
  const el = document.getElementById("texts");
  try {
    const data = JSON.parse(el.textContent);
    setTexts(data.lang, data.texts);
  } catch (e) {
    /* keep what we have */
  }
}
