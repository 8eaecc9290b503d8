//! The Mini App in a real browser: headless Chromium opens `/app` with a
//! stub `window.Telegram.WebApp` whose `initData` is signed with the test
//! bot's token (served in place of telegram.org's script, from a stub
//! server on 127.0.0.1 that also serves the map tiles), sees the seeded
//! deals, opens one, reserves (pay at pickup) and sees the pickup code;
//! then a forged `initData` and its 401; light and dark themes; 360 px
//! wide; a German customer sees it all in German. Screenshots of every screen go to `<target>/miniapp-screenshots/`.
//!
//! Without chromium and chromedriver the test says it skipped and why;
//! under `CI=true` it fails instead.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use crate::api::offer_with_photo;
use crate::support::app::TestApp;
use crate::support::browser::{self, Browser};
use crate::support::db::Backend;
use crate::support::fixtures::*;
use crate::support::miniapp::{init_data, init_data_in};

/// Where the stub LocationManager says the customer is (Alexanderplatz).
const HERE: (f64, f64) = (52.5219, 13.4132);
const WIDTH: u32 = 360;
/// Tiles loaded and faded in.
const TILES_SHOWN: &str = "document.querySelectorAll('.leaflet-tile-loaded').length > 0 && \
    [...document.querySelectorAll('.leaflet-tile-loaded')].every(t => getComputedStyle(t).opacity === '1')";

/// Telegram's own light and dark palettes.
fn theme(dark: bool) -> Value {
    if dark {
        json!({"bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499", "link_color": "#6ab3f3",
               "button_color": "#5288c1", "button_text_color": "#ffffff", "secondary_bg_color": "#232e3c",
               "header_bg_color": "#17212b", "accent_text_color": "#6ab2f2", "section_bg_color": "#17212b",
               "destructive_text_color": "#ec3942"})
    } else {
        json!({"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#999999", "link_color": "#2481cc",
               "button_color": "#2481cc", "button_text_color": "#ffffff", "secondary_bg_color": "#efeff3",
               "header_bg_color": "#ffffff", "accent_text_color": "#2481cc", "section_bg_color": "#ffffff",
               "destructive_text_color": "#ff3b30"})
    }
}

/// The stand-in for telegram-web-app.js: `Telegram.WebApp` with signed
/// `initData`, a theme, a LocationManager at HERE, and a MainButton drawn
/// as Telegram draws it (a bar at the bottom) so it can be tapped and seen.
fn telegram_stub(init_data: &str, dark: bool, lang: &str) -> String {
    let params = theme(dark);
    format!(
        r#"(function () {{
  const themeParams = {params};
  const main = {{
    text: "", isVisible: false, isActive: true, handlers: [],
    draw() {{
      if (!document.body) return document.addEventListener("DOMContentLoaded", () => this.draw(), {{ once: true }});
      let el = document.getElementById("tg-main-button");
      if (!el) {{
        el = document.createElement("button");
        el.id = "tg-main-button";
        el.style.cssText = "position:fixed;left:0;right:0;bottom:0;height:56px;border:0;z-index:3000;font:600 16px sans-serif;"
          + "background:" + themeParams.button_color + ";color:" + themeParams.button_text_color;
        el.onclick = () => this.handlers.slice().forEach((h) => h());
        document.body.append(el);
      }}
      el.textContent = this.text;
      el.style.display = this.isVisible ? "block" : "none";
    }},
    setText(t) {{ this.text = t; this.draw(); return this; }},
    show() {{ this.isVisible = true; this.draw(); return this; }},
    hide() {{ this.isVisible = false; this.draw(); return this; }},
    onClick(f) {{ this.handlers.push(f); return this; }},
    offClick(f) {{ this.handlers = this.handlers.filter((h) => h !== f); return this; }},
    enable() {{ return this; }}, disable() {{ return this; }},
    showProgress() {{ return this; }}, hideProgress() {{ return this; }}, setParams() {{ return this; }},
  }};
  const back = {{
    isVisible: false, handlers: [],
    show() {{ this.isVisible = true; }}, hide() {{ this.isVisible = false; }},
    onClick(f) {{ this.handlers.push(f); }}, offClick(f) {{ this.handlers = this.handlers.filter((h) => h !== f); }},
    press() {{ this.handlers.slice().forEach((h) => h()); }},
  }};
  window.__opened = [];
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
  window.Telegram = {{ WebApp: {{
    initData: {init:?}, initDataUnsafe: {{ user: {{ language_code: {lang:?} }} }}, version: "8.0", platform: "tdesktop",
    colorScheme: {scheme:?}, themeParams, isExpanded: true,
    ready() {{}}, expand() {{}}, close() {{}}, onEvent() {{}}, offEvent() {{}},
    isVersionAtLeast(v) {{ return parseFloat(v) <= 8.0; }},
    openLink(u) {{ window.__opened.push(u); }},
    showConfirm(m, cb) {{ window.__confirmed = m; setTimeout(() => cb(true), 0); }},
    showAlert(m, cb) {{ cb && cb(); }},
    HapticFeedback: {{ notificationOccurred() {{}}, impactOccurred() {{}} }},
    MainButton: main, BackButton: back,
    LocationManager: {{
      isInited: false, isLocationAvailable: false,
      init(cb) {{ this.isInited = true; this.isLocationAvailable = true; cb && cb(); }},
      getLocation(cb) {{ cb({{ latitude: {lat}, longitude: {lng} }}); }},
    }},
  }} }};
}})();"#,
        init = init_data,
        lang = lang,
        scheme = if dark { "dark" } else { "light" },
        lat = HERE.0,
        lng = HERE.1,
    )
}

/// What the stub server serves and counts.
#[derive(Clone, Default)]
struct Stubs {
    script: Arc<Mutex<String>>,
    tile: Arc<Vec<u8>>,
    tiles_served: Arc<AtomicUsize>,
    tiles_blocked: Arc<AtomicBool>,
}

/// A 256×256 PNG tile: a light grid, so a map with tiles looks like one.
fn tile_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(256, 256, |x, y| {
        if x % 64 == 0 || y % 64 == 0 { image::Rgb([200, 210, 200]) } else { image::Rgb([236, 240, 232]) }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn stub_server(stubs: Stubs) -> String {
    async fn script(State(s): State<Stubs>) -> impl IntoResponse {
        let body = s.script.lock().unwrap().clone();
        ([(header::CONTENT_TYPE, "text/javascript"), (header::CACHE_CONTROL, "no-store")], body)
    }
    async fn tile(State(s): State<Stubs>) -> axum::response::Response {
        if s.tiles_blocked.load(Ordering::SeqCst) {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        s.tiles_served.fetch_add(1, Ordering::SeqCst);
        ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "no-store")], s.tile.to_vec()).into_response()
    }
    let router = Router::new()
        .route("/js/telegram-web-app.js", get(script))
        .route("/tiles/{z}/{x}/{y}", get(tile))
        .with_state(stubs);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// Bytes of our HTML, JS and CSS the page fetched so far (resource timing).
async fn page_weight(b: &Browser, app_base: &str) -> (u64, Vec<String>) {
    let entries = b
        .exec(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))\
             .map(e => ({name: e.name, size: e.encodedBodySize}));",
            vec![],
        )
        .await;
    let mut total = 0;
    let mut names = Vec::new();
    for e in entries.as_array().unwrap() {
        let name = e["name"].as_str().unwrap_or_default();
        let ours = name.starts_with(app_base)
            && (name.ends_with("/app") || name.ends_with(".js") || name.ends_with(".css") || name.contains("/app?"));
        if ours {
            total += e["size"].as_u64().unwrap_or(0);
            names.push(name.trim_start_matches(app_base).to_string());
        }
    }
    (total, names)
}

async fn body_background(b: &Browser) -> String {
    b.exec("return getComputedStyle(document.body).backgroundColor", vec![]).await.as_str().unwrap().to_string()
}

async fn fits_the_width(b: &Browser, screen: &str) {
    let wide = b.exec("return document.documentElement.scrollWidth", vec![]).await.as_u64().unwrap();
    assert!(wide <= u64::from(WIDTH), "the {screen} screen is {wide} px wide on a {WIDTH} px phone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mini_app_in_headless_chromium() {
    let (chromium, chromedriver) = match browser::find() {
        Ok(found) => found,
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => panic!("the browser test can't run: {why}"),
        Err(why) => {
            eprintln!("the_mini_app_in_headless_chromium: skipped: {why}");
            return;
        }
    };
    let stubs = Stubs { tile: Arc::new(tile_png()), ..Stubs::default() };
    let stub_base = stub_server(stubs.clone()).await;
    let js = format!("{stub_base}/js/telegram-web-app.js");
    let tiles = format!("{stub_base}/tiles/{{z}}/{{x}}/{{y}}.png");
    let app =
        TestApp::spawn_with(Backend::Sqlite, &[("TELEGRAM_WEB_APP_JS", js.as_str()), ("MAP_TILE_URL", tiles.as_str())])
            .await
            .expect("sqlite");
    let store = app.store();
    // Three deals near the customer: one with a photo and two items.
    let (photo_deal, _) = offer_with_photo(store).await;
    let a = shop_with_offer(store, 3001, "Kiezbäcker", (52.5250, 13.4090), 4, 150).await;
    let b_ = shop_with_offer(store, 3002, "Café Mitte", (52.5170, 13.3880), 2, 300).await;
    let titles = [photo_deal.title.clone(), a.title.clone(), b_.title.clone()];
    let token = app.tg.token().to_string();
    let signed =
        |dark: bool| telegram_stub(&init_data(&token, 7001, "Mia", chrono::Utc::now().timestamp(), None), dark, "en");

    let shots = browser::target_dir().join("miniapp-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let b = Browser::start(&chromium, &chromedriver, WIDTH, 740, 2.0).await;
    let page = format!("{}/app", app.base_url);

    // Nothing leaves the machine: telegram.org and the tile servers don't resolve.
    b.goto(&format!("{stub_base}/js/telegram-web-app.js")).await;
    for url in ["https://telegram.org/js/telegram-web-app.js", "https://tile.openstreetmap.org/1/1/1.png"] {
        let reached = b
            .exec_async(&format!(
                "const done = arguments[arguments.length - 1]; \
                 fetch({url:?}, {{mode: 'no-cors'}}).then(() => done('reached'), () => done('blocked'));"
            ))
            .await;
        assert_eq!(reached, "blocked", "{url} must not be reachable from the test browser");
    }

    // --- light ---------------------------------------------------------------
    *stubs.script.lock().unwrap() = signed(false);
    let opened = Instant::now();
    b.goto(&page).await;
    b.wait_screen("list").await;
    let to_list = opened.elapsed();
    let first_list_ms = b
        .exec("return performance.getEntriesByName('glean:first-list')[0].startTime", vec![])
        .await
        .as_f64()
        .expect("the app's mark of its first list");
    let rows = b.exec("return [...document.querySelectorAll('.row .title')].map(e => e.textContent)", vec![]).await;
    let rows: Vec<String> = serde_json::from_value(rows).unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    for t in &titles {
        assert!(rows.contains(t), "{t} not in {rows:?}");
    }
    // Nearest first from the LocationManager's location, with distances.
    let note = b.exec("return document.querySelector('.note').textContent", vec![]).await;
    assert_eq!(note, "Nearest first");
    let first_row = b.exec("return document.querySelector('.row').innerText", vec![]).await;
    assert!(first_row.as_str().unwrap().contains(" m") || first_row.as_str().unwrap().contains("km"), "{first_row}");
    assert_eq!(body_background(&b).await, "rgb(239, 239, 243)");
    fits_the_width(&b, "list").await;
    b.screenshot(&shots.join("list-light.png")).await;
    let (without_leaflet, files) = page_weight(&b, &app.base_url).await;

    // Filters: a word, then back to everything.
    b.exec("delete document.body.dataset.ready", vec![]).await;
    b.type_into("#search", "kiez\n").await;
    b.wait_for("document.body.dataset.ready === '1' && document.querySelectorAll('.row').length === 1", "search").await;
    b.exec("delete document.body.dataset.ready", vec![]).await;
    b.exec("const s = document.querySelector('#search'); s.value = ''; s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));", vec![]).await;
    b.wait_for("document.body.dataset.ready === '1' && document.querySelectorAll('.row').length === 3", "all deals")
        .await;
    b.tap_and_wait("[data-when=now]", "list").await;
    assert_eq!(b.exec("return document.querySelectorAll('.row').length", vec![]).await, 0, "nothing is picked up now");
    b.tap_and_wait("[data-when=any]", "list").await;

    // The map, with the stub's tiles; a marker opens its deal.
    b.tap_and_wait("#tab-map", "map").await;
    b.wait_for(TILES_SHOWN, "map tiles").await;
    b.wait_for("document.querySelectorAll('path.leaflet-interactive').length === 4", "3 deals and you").await;
    assert!(stubs.tiles_served.load(Ordering::SeqCst) > 0);
    let attribution = b.exec("return document.querySelector('.leaflet-control-attribution').textContent", vec![]).await;
    assert!(attribution.as_str().unwrap().contains("OpenStreetMap"), "{attribution}");
    fits_the_width(&b, "map").await;
    b.screenshot(&shots.join("map-light.png")).await;
    let (with_leaflet, _) = page_weight(&b, &app.base_url).await;
    b.exec(
        "delete document.body.dataset.ready; document.querySelector('path.leaflet-interactive')\
         .dispatchEvent(new MouseEvent('click', {bubbles: true}));",
        vec![],
    )
    .await;
    b.wait_screen("deal").await;
    let shown = b.exec("return document.querySelector('.deal h1').textContent", vec![]).await;
    assert!(titles.iter().any(|t| shown == t.as_str()), "{shown}");
    // Back (Telegram's BackButton) to the map, then the deal with the photo from the list.
    b.exec("delete document.body.dataset.ready; Telegram.WebApp.BackButton.press()", vec![]).await;
    b.wait_screen("map").await;
    b.tap_and_wait("#tab-list", "list").await;
    b.tap_and_wait(&format!(".row[data-offer='{}']", photo_deal.id), "deal").await;
    b.wait_for(
        "document.querySelector('.deal img.photo') && document.querySelector('.deal img.photo').complete",
        "the photo",
    )
    .await;
    assert_eq!(b.exec("return Telegram.WebApp.BackButton.isVisible", vec![]).await, true);
    fits_the_width(&b, "deal").await;

    // Reserve two croissants (pay at pickup: no Stripe here) with the MainButton.
    let croissant = photo_deal.items.iter().find(|i| i.name == "Croissant").unwrap();
    b.exec(&format!("document.querySelector('input[name=item][value=\"{}\"]').click()", croissant.id), vec![]).await;
    b.exec("document.querySelector('#more').click()", vec![]).await;
    let label = b.exec("return document.querySelector('#tg-main-button').textContent", vec![]).await;
    assert_eq!(label, "Reserve 2 × €0.90");
    b.screenshot(&shots.join("deal-light.png")).await;
    b.tap_and_wait("#tg-main-button", "order").await;
    let code = b.exec("return document.querySelector('#pickup-code').textContent", vec![]).await;
    let orders = store.purchases_of_customer(7001, 5).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(code, orders[0].pickup_code.to_string());
    assert_eq!(orders[0].lines[0].quantity, 2);
    assert_eq!(
        store.offer(photo_deal.id).await.unwrap().items.iter().find(|i| i.id == croissant.id).unwrap().remaining(),
        4
    );
    assert_eq!(b.exec("return !!document.querySelector('.qr svg')", vec![]).await, true, "a QR code");
    fits_the_width(&b, "order").await;
    b.screenshot(&shots.join("order-light.png")).await;

    // Back to the list (the deal's screen was replaced by its order), then
    // My orders, with Cancel.
    b.exec("delete document.body.dataset.ready; Telegram.WebApp.BackButton.press()", vec![]).await;
    b.wait_screen("list").await;
    b.tap_and_wait("#tab-orders", "orders").await;
    b.screenshot(&shots.join("orders-light.png")).await;

    let violations = b.exec("return window.__csp", vec![]).await;
    assert_eq!(violations, json!([]), "the page's Content-Security-Policy blocked something");

    // A map whose tiles are blocked still shows every deal.
    stubs.tiles_blocked.store(true, Ordering::SeqCst);
    b.goto(&format!("{page}?view=map")).await;
    b.wait_screen("map").await;
    b.wait_for("document.querySelectorAll('path.leaflet-interactive').length === 4", "markers without tiles").await;
    b.screenshot(&shots.join("map-tiles-blocked-light.png")).await;
    stubs.tiles_blocked.store(false, Ordering::SeqCst);

    // A forged initData: a clear message, nothing else.
    let forged = init_data("123:not-our-bot", 7001, "Mia", chrono::Utc::now().timestamp(), None);
    *stubs.script.lock().unwrap() = telegram_stub(&forged, false, "en");
    b.goto(&page).await;
    b.wait_screen("unauthorized").await;
    let text = b.exec("return document.body.innerText", vec![]).await;
    assert!(text.as_str().unwrap().contains("Please reopen Glean"), "{text}");
    assert!(text.as_str().unwrap().contains("couldn't confirm it's you"), "{text}");
    b.screenshot(&shots.join("unauthorized-light.png")).await;

    // --- dark ----------------------------------------------------------------
    *stubs.script.lock().unwrap() = signed(true);
    b.goto(&page).await;
    b.wait_screen("list").await;
    assert_eq!(body_background(&b).await, "rgb(35, 46, 60)");
    b.screenshot(&shots.join("list-dark.png")).await;
    b.tap_and_wait("#tab-map", "map").await;
    b.wait_for(TILES_SHOWN, "map tiles").await;
    b.screenshot(&shots.join("map-dark.png")).await;
    b.tap_and_wait("#tab-list", "list").await;
    b.tap_and_wait(&format!(".row[data-offer='{}']", photo_deal.id), "deal").await;
    b.wait_for("document.querySelector('.deal img.photo').complete", "the photo").await;
    b.screenshot(&shots.join("deal-dark.png")).await;
    b.exec("delete document.body.dataset.ready; Telegram.WebApp.BackButton.press()", vec![]).await;
    b.wait_screen("list").await;
    b.tap_and_wait("#tab-orders", "orders").await;
    b.screenshot(&shots.join("orders-dark.png")).await;
    b.tap_and_wait(".order-row .linkish", "order").await;
    assert_eq!(b.exec("return document.querySelector('#pickup-code').textContent", vec![]).await, code);
    b.screenshot(&shots.join("order-dark.png")).await;

    // Cancel from the order, confirmed as in /orders.
    b.tap_and_wait("#cancel", "order").await;
    b.wait_for("document.querySelector('.status-cancelled')", "cancelled").await;
    let asked = b.exec("return window.__confirmed", vec![]).await;
    assert_eq!(asked, format!("Cancel order #{}?", orders[0].id));
    assert_eq!(store.purchase(orders[0].id).await.unwrap().status.as_str(), "cancelled");

    // --- German ----------------------------------------------------------------
    let lena = init_data_in("de", &token, 7002, "Lena", chrono::Utc::now().timestamp(), None);
    *stubs.script.lock().unwrap() = telegram_stub(&lena, false, "de");
    b.goto(&page).await;
    b.wait_screen("list").await;
    assert_eq!(b.exec("return document.documentElement.lang", vec![]).await, "de");
    assert_eq!(b.exec("return document.querySelector('#tab-list').textContent", vec![]).await, "☰ Liste");
    assert_eq!(
        b.exec("return document.querySelector('#tab-orders').textContent", vec![]).await,
        "🧾 Meine Bestellungen"
    );
    assert_eq!(b.exec("return document.querySelector('.note').textContent", vec![]).await, "Die nächsten zuerst");
    assert_eq!(b.exec("return document.querySelector('[data-when=now]').textContent", vec![]).await, "Jetzt abholen");
    let first_row = b.exec("return document.querySelector('.row').innerText", vec![]).await;
    assert!(first_row.as_str().unwrap().contains("Einheit"), "{first_row}");
    fits_the_width(&b, "list (German)").await;
    b.screenshot(&shots.join("list-de.png")).await;
    b.tap_and_wait(&format!(".row[data-offer='{}']", photo_deal.id), "deal").await;
    let label = b.exec("return document.querySelector('#tg-main-button').textContent", vec![]).await;
    assert!(label.as_str().unwrap().ends_with("\u{a0}€ reservieren"), "{label}");
    let text = b.exec("return document.body.innerText", vec![]).await;
    assert!(text.as_str().unwrap().contains("Wie viele?"), "{text}");
    fits_the_width(&b, "deal (German)").await;
    b.screenshot(&shots.join("deal-de.png")).await;
    // A forged initData in German: the 401 screen in the language Telegram reports.
    let forged = init_data_in("de", "123:not-our-bot", 7002, "Lena", chrono::Utc::now().timestamp(), None);
    *stubs.script.lock().unwrap() = telegram_stub(&forged, false, "de");
    b.goto(&page).await;
    b.wait_screen("unauthorized").await;
    let text = b.exec("return document.body.innerText", vec![]).await;
    assert!(text.as_str().unwrap().contains("Bitte öffne Glean erneut"), "{text}");
    assert!(text.as_str().unwrap().contains("Wir konnten nicht bestätigen"), "{text}");
    b.screenshot(&shots.join("unauthorized-de.png")).await;
    b.quit().await;

    eprintln!(
        "miniapp: first list {first_list_ms:.0} ms after navigation ({} ms until the test saw it); \
         HTML+JS+CSS {without_leaflet} bytes without Leaflet ({}), {with_leaflet} bytes with it; screenshots in {}",
        to_list.as_millis(),
        files.join(" "),
        shots.display()
    );
}
