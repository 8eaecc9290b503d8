//! The Mini App's API against the real app: `initData` checked as Telegram
//! specifies (401s in the shared shape), browsing, following, buying with
//! the page's idempotency key, orders and cancelling through the same
//! actions as the bot, a purchase in the app racing one in the bot for the
//! last unit, and the bot's buttons that open the app.

use serde_json::{Value, json};

use crate::api::Contract;
use crate::support::app::{TestApp, eventually};
use crate::support::db::Backend;
use crate::support::fixtures::*;
use crate::support::miniapp::{AppCustomer, init_data};
use crate::support::shop::all_to_quantity;

/// Alexanderplatz, Berlin: where the customer stands.
const HERE: &str = "52.5219,13.4132";

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = crate::support::app::TestApp::spawn(crate::support::db::Backend::Sqlite).await.expect("sqlite");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = crate::support::app::TestApp::spawn(crate::support::db::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

both_backends!(browse_follow_buy_and_cancel_in_the_app, the_app_and_the_bot_race_for_the_last_unit);

fn check(contract: &Contract, method: &str, template: &str, status: u16, body: &Value) {
    let errors = contract.errors_of(method, template, status, body);
    assert!(errors.is_empty(), "{method} {template} {status} breaks the contract:\n{}\n{body:#}", errors.join("\n"));
}

fn unauthorized(status: u16, body: &Value) -> String {
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");
    body["error"]["message"].as_str().expect("a message").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_forged_and_stale_init_data_get_401() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let contract = Contract::fetch(&app).await;
    let now = chrono::Utc::now().timestamp();
    let token = app.tg.token().to_string();

    // No header at all.
    let res = reqwest::get(format!("{}/app/api/me", app.base_url)).await.unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert!(unauthorized(status, &body).contains("from the Glean bot"), "{body}");
    check(&contract, "get", "/app/api/me", status, &body);

    let cases = [
        ("empty", String::new(), "from the Glean bot"),
        ("another bot's token", init_data("42:another-bot", 7001, "Mia", now, None), "couldn't confirm"),
        (
            "a user id changed",
            init_data(&token, 7001, "Mia", now, None).replace("%3A7001", "%3A7002"),
            "couldn't confirm",
        ),
        ("two hours old", init_data(&token, 7001, "Mia", now - 7200, None), "open too long"),
        ("garbage", "%%%".to_string(), "damaged"),
    ];
    for (what, data, says) in cases {
        let customer = AppCustomer::with_init_data(&app, data);
        for path in ["/me", "/deals", "/orders"] {
            let (status, body) = customer.get(path).await;
            let message = unauthorized(status, &body);
            assert!(message.contains(says), "{what} {path}: {message}");
            check(&contract, "get", &format!("/app/api{path}"), status, &body);
        }
        let (status, body) = customer.buy(1, 1, 1, "abcdefgh-1").await;
        assert_eq!(status, 401, "{what}: a Buy without a valid user: {body}");
    }
    assert!(app.store().purchases_of_customer(7001, 10).await.unwrap().is_empty());
    assert!(app.store().purchases_of_customer(7002, 10).await.unwrap().is_empty());

    // The same customer, signed properly and recently.
    let ok = AppCustomer::new(&app, 7001, "Mia");
    let (status, me) = ok.get("/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["user_id"], 7001);
    check(&contract, "get", "/app/api/me", status, &me);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_data_may_be_as_old_as_the_setting_allows() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("MINIAPP_AUTH_MAX_AGE", "86400")]).await.expect("sqlite");
    let day_old = chrono::Utc::now().timestamp() - 86_000;
    let customer = AppCustomer::with_init_data(&app, init_data(app.tg.token(), 7001, "Mia", day_old, None));
    assert_eq!(customer.get("/me").await.0, 200);
    let older = AppCustomer::with_init_data(&app, init_data(app.tg.token(), 7001, "Mia", day_old - 1000, None));
    assert_eq!(older.get("/me").await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_customer_has_the_bots_rate_limit() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("USER_RATE_PER_SEC", "0.01"), ("USER_RATE_BURST", "3")])
        .await
        .expect("sqlite");
    let mia = AppCustomer::new(&app, 7001, "Mia");
    let noa = AppCustomer::new(&app, 7002, "Noa");
    for _ in 0..3 {
        assert_eq!(mia.get("/me").await.0, 200);
    }
    let (status, body) = mia.get("/me").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another customer is unaffected.
    assert_eq!(noa.get("/me").await.0, 200);
}

async fn browse_follow_buy_and_cancel_in_the_app(app: TestApp) {
    let store = app.store();
    let contract = Contract::fetch(&app).await;
    // 1.3 km from HERE, and one in Potsdam, 27 km away.
    let near = shop_with_offer(store, 3001, "Kiezbäcker", (52.5290, 13.4010), 3, 150).await;
    let far = shop_with_offer(store, 3002, "Potsdamer Brot", (52.3906, 13.0645), 5, 150).await;
    let now = chrono::Utc::now().timestamp();
    let customer = AppCustomer::with_init_data(
        &app,
        init_data(app.tg.token(), 7001, "Mia", now, Some(&format!("offer_{}", near.id))),
    );

    // A startapp link's deal arrives as start_param inside initData.
    let (status, me) = customer.get("/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["start_offer"], near.id);
    check(&contract, "get", "/app/api/me", status, &me);
    assert_eq!(store.user(7001).await.unwrap().expect("remembered").first_name, "Mia");

    // Nearest first, with distances.
    let (status, list) = customer.get(&format!("/deals?near={HERE}")).await;
    assert_eq!(status, 200, "{list}");
    check(&contract, "get", "/app/api/deals", status, &list);
    assert_eq!(list["ranked_by"], "nearest");
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [near.id, far.id]);
    let d = list["items"][0]["distance_m"].as_u64().unwrap();
    assert!((1000..1600).contains(&d), "{d}");
    // Without a location and none shared with the bot: by popularity.
    let (_, popular) = customer.get("/deals").await;
    assert_eq!(popular["ranked_by"], "popular");
    assert_eq!(popular["items"].as_array().unwrap().len(), 2);
    // The location shared with the bot is used when the page has none.
    let at = glean::domain::Coordinates::new(52.3906, 13.0645).unwrap();
    store.set_user_location(7001, at, now_utc()).await.unwrap();
    let (_, saved) = customer.get("/deals").await;
    assert_eq!(saved["ranked_by"], "nearest");
    assert_eq!(saved["items"][0]["id"], far.id);
    // Filters: words, and pickup times (both deals are picked up in 4 h).
    let (_, kiez) = customer.get(&format!("/deals?near={HERE}&q=kiez%20bag")).await;
    assert_eq!(kiez["items"].as_array().unwrap().len(), 1, "{kiez}");
    assert_eq!(kiez["items"][0]["id"], near.id);
    let (_, none) = customer.get(&format!("/deals?near={HERE}&q=croissant")).await;
    assert!(none["items"].as_array().unwrap().is_empty());
    let (_, open_now) = customer.get("/deals?when=now").await;
    assert!(open_now["items"].as_array().unwrap().is_empty(), "{open_now}");
    let (_, today) = customer.get("/deals?when=today").await;
    let (_, tomorrow) = customer.get("/deals?when=tomorrow").await;
    let found = today["items"].as_array().unwrap().len() + tomorrow["items"].as_array().unwrap().len();
    assert!(found >= 2, "today: {today}\ntomorrow: {tomorrow}");
    let (status, bad) = customer.get("/deals?when=yesterday").await;
    assert_eq!((status, bad["error"]["parameter"].as_str()), (400, Some("when")));
    check(&contract, "get", "/app/api/deals", status, &bad);

    // The deal page, and following its shop.
    let (status, page) = customer.get(&format!("/deals/{}", near.id)).await;
    assert_eq!(status, 200, "{page}");
    check(&contract, "get", "/app/api/deals/{id}", status, &page);
    assert_eq!(page["following"], false);
    assert!(page["map_url"].as_str().unwrap().starts_with("https://www.openstreetmap.org/?mlat=52.529"));
    let (status, f) = customer.call("PUT", &format!("/businesses/{}/follow", near.business_id), None).await;
    assert_eq!((status, &f["following"]), (200, &json!(true)), "{f}");
    check(&contract, "put", "/app/api/businesses/{id}/follow", status, &f);
    assert!(store.is_following(7001, near.business_id).await.unwrap());
    assert_eq!(customer.get(&format!("/deals/{}", near.id)).await.1["following"], true);
    let (status, f) = customer.call("DELETE", &format!("/businesses/{}/follow", near.business_id), None).await;
    assert_eq!((status, &f["following"]), (200, &json!(false)), "{f}");
    assert!(!store.is_following(7001, near.business_id).await.unwrap());
    assert_eq!(customer.call("PUT", "/businesses/999999/follow", None).await.0, 404);
    assert_eq!(customer.get("/deals/999999").await.0, 404);

    // Buy two (pay at pickup: no Stripe here).
    let item = near.items[0].id;
    let (status, bought) = customer.buy(near.id, item, 2, "page-key-0001").await;
    assert_eq!(status, 200, "{bought}");
    check(&contract, "post", "/app/api/purchases", status, &bought);
    assert_eq!(bought["outcome"], "confirmed");
    let order = &bought["order"];
    let id = order["id"].as_i64().unwrap();
    assert_eq!(order["status"], "confirmed");
    let code = order["pickup_code"].as_str().expect("a pickup code").to_string();
    assert!(order["pickup_qr_svg"].as_str().unwrap().contains("<svg"), "{order}");
    assert_eq!(store.offer(near.id).await.unwrap().remaining(), 1);
    // The same request again (a retry, a double tap): the first answer, no
    // second reservation.
    let (status, again) = customer.buy(near.id, item, 2, "page-key-0001").await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["outcome"], "again");
    assert_eq!(again["order"]["id"], id);
    assert_eq!(again["order"]["pickup_code"], code.as_str());
    assert_eq!(store.offer(near.id).await.unwrap().remaining(), 1);
    assert_eq!(store.purchases_of_customer(7001, 10).await.unwrap().len(), 1);
    // A new Buy asking for more than is left is refused and changes nothing.
    let (status, refused) = customer.buy(near.id, item, 2, "page-key-0002").await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("sold_out")), "{refused}");
    check(&contract, "post", "/app/api/purchases", status, &refused);
    // Bad input is named.
    for (body, parameter) in [
        (json!({"offer_id": near.id, "item_id": item, "quantity": 1, "key": "short"}), "key"),
        (json!({"offer_id": near.id, "item_id": item, "quantity": 0, "key": "page-key-0003"}), "quantity"),
        (json!({"offer_id": near.id, "quantity": 1, "key": "page-key-0003"}), "body"),
    ] {
        let (status, e) = customer.call("POST", "/purchases", Some(body)).await;
        assert_eq!((status, e["error"]["parameter"].as_str()), (400, Some(parameter)), "{e}");
    }
    assert_eq!(store.offer(near.id).await.unwrap().remaining(), 1);

    // My orders, and another customer can't see or cancel it.
    let (status, orders) = customer.get("/orders").await;
    assert_eq!(status, 200);
    check(&contract, "get", "/app/api/orders", status, &orders);
    assert_eq!(orders["items"][0]["id"], id);
    assert_eq!(orders["items"][0]["cancellable"], true);
    let other = AppCustomer::new(&app, 7002, "Noa");
    assert_eq!(other.get(&format!("/orders/{id}")).await.0, 404);
    assert_eq!(other.call("POST", &format!("/orders/{id}/cancel"), None).await.0, 404);
    assert_eq!(store.purchase(id).await.unwrap().status.as_str(), "confirmed");

    // Cancel, as in /orders; cancelling again answers the same.
    let (status, cancelled) = customer.call("POST", &format!("/orders/{id}/cancel"), None).await;
    assert_eq!(status, 200, "{cancelled}");
    check(&contract, "post", "/app/api/orders/{id}/cancel", status, &cancelled);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellable"], false);
    assert!(cancelled.get("pickup_code").is_none());
    let (status, twice) = customer.call("POST", &format!("/orders/{id}/cancel"), None).await;
    assert_eq!((status, &twice["status"]), (200, &json!("cancelled")), "{twice}");
    assert_eq!(store.offer(near.id).await.unwrap().remaining(), 3);
    // Audited as the bot's cancellations are.
    let audit = store.audit_trail("purchase", id).await.unwrap();
    assert!(audit.iter().any(|a| a.after.as_deref() == Some("cancelled")), "{audit:?}");
}

fn now_utc() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// One unit left; a customer in the bot and one in the app press at the
/// same moment. Exactly one gets it, whichever comes first.
async fn the_app_and_the_bot_race_for_the_last_unit(app: TestApp) {
    let store = app.store();
    for round in 0..3i64 {
        let offer =
            shop_with_offer(store, 3100 + round, &format!("Last Loaf {round}"), (52.5290, 13.4010), 1, 150).await;
        let in_bot = app.user(8100 + round, "Bo");
        let in_app = AppCustomer::new(&app, 8200 + round, "Ada");
        all_to_quantity(std::slice::from_ref(&in_bot), &offer).await;
        // Both at once; the app's request starts a little later each round,
        // so either side may come first (who wins isn't asserted).
        let key = format!("race-key-{round:04}");
        let app_side = async {
            tokio::time::sleep(std::time::Duration::from_millis(30 * round as u64)).await;
            in_app.buy(offer.id, offer.items[0].id, 1, &key).await
        };
        let bot_side = async {
            in_bot.press("1");
            in_bot.reply_matching(|m| m.edited && !m.text.contains("How many?")).await
        };
        let ((status, body), answer) = tokio::join!(app_side, bot_side);
        let bot_won = answer.text.contains("confirmed!");
        assert!(
            bot_won || answer.text.contains("not enough left") || answer.text.contains("sold out"),
            "bot: {}",
            answer.text
        );
        let app_won = status == 200;
        assert!(app_won || (status == 409 && body["error"]["code"] == "sold_out"), "app: {status} {body}");
        assert!(bot_won != app_won, "round {round}: exactly one wins (bot {bot_won}, app {app_won})");
        let offer = store.offer(offer.id).await.unwrap();
        assert_eq!(offer.remaining(), 0);
        assert_eq!(offer.items[0].reserved + offer.items[0].sold, 1, "one unit, taken once");
        let bought = store.purchases_of_customer(8100 + round, 5).await.unwrap().len()
            + store.purchases_of_customer(8200 + round, 5).await.unwrap().len();
        assert_eq!(bought, 1);
    }
}

/// With an https PUBLIC_BASE_URL the bot offers the app: the menu button,
/// 🗺 Map under /deals and Open in app on cards. The existing /start
/// offer_<id> link still opens the card in chat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_opens_the_app_when_its_url_is_https() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("PUBLIC_BASE_URL", "https://glean.example/")]).await.unwrap();
    let offer = shop_with_offer(app.store(), 3001, "Kiezbäcker", (52.5290, 13.4010), 3, 150).await;
    eventually("the menu button is set", || async { app.tg.menu_button(None).is_some() }).await;
    let menu = app.tg.menu_button(None).unwrap();
    assert_eq!(menu["type"], "web_app", "{menu}");
    assert_eq!(menu["web_app"]["url"], "https://glean.example/app");

    let customer = app.user(7001, "Mia");
    customer.send("/deals");
    let list = customer.reply_matching(|m| m.text.contains("Kiezbäcker")).await;
    let map = list.inline_buttons.iter().flatten().find(|b| b.text == "🗺 Map").expect("a Map button");
    assert_eq!(map.web_app_url.as_deref(), Some("https://glean.example/app?view=map"));

    customer.send(&format!("/start offer_{}", offer.id));
    let card = customer.reply_matching(|m| m.text.contains(&offer.title)).await;
    assert!(card.button_labels().contains(&"🛒 Buy"), "{:?}", card.button_labels());
    let open = card.inline_buttons.iter().flatten().find(|b| b.text == "📱 Open in app").expect("Open in app");
    assert_eq!(open.web_app_url.as_deref(), Some(format!("https://glean.example/app?offer={}", offer.id).as_str()));
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
}

/// Telegram opens Mini Apps from https pages only: without such a
/// PUBLIC_BASE_URL the buttons are left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_https_the_bot_leaves_the_app_buttons_out() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("PUBLIC_BASE_URL", "http://glean.example/")]).await.unwrap();
    let offer = shop_with_offer(app.store(), 3001, "Kiezbäcker", (52.5290, 13.4010), 3, 150).await;
    let customer = app.user(7001, "Mia");
    customer.send("/deals");
    let list = customer.reply_matching(|m| m.text.contains("Kiezbäcker")).await;
    assert!(list.inline_buttons.iter().flatten().all(|b| b.web_app_url.is_none()), "{:?}", list.button_labels());
    customer.send(&format!("/start offer_{}", offer.id));
    let card = customer.reply_matching(|m| m.text.contains(&offer.title)).await;
    assert!(card.inline_buttons.iter().flatten().all(|b| b.web_app_url.is_none()), "{:?}", card.button_labels());
    // The bot had set its commands by the time it answered; no menu button.
    assert!(!app.tg.my_commands().is_empty());
    assert!(app.tg.menu_button(None).is_none());
    assert!(app.tg.calls("setChatMenuButton").is_empty());
}

/// With Stripe: Buy reserves and gives the Checkout URL (the page opens it
/// with `openLink`); once Stripe says it's paid, the order shows its code.
/// A retried Buy returns the same reservation and the same session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buying_with_stripe_shows_the_code_once_paid() {
    let app = TestApp::spawn_with_stripe(Backend::Sqlite).await.expect("sqlite");
    let contract = Contract::fetch(&app).await;
    let offer = shop_with_offer(app.store(), 3001, "Kiezbäcker", (52.5290, 13.4010), 3, 150).await;
    let customer = AppCustomer::new(&app, 7001, "Mia");
    let (status, bought) = customer.buy(offer.id, offer.items[0].id, 1, "stripe-key-1").await;
    assert_eq!(status, 200, "{bought}");
    check(&contract, "post", "/app/api/purchases", status, &bought);
    assert_eq!(bought["outcome"], "awaiting_payment");
    let order = &bought["order"];
    assert_eq!(order["status"], "reserved");
    assert!(order["pay_url"].as_str().is_some_and(|u| u.starts_with("http")), "{order}");
    assert!(order["pay_by"].is_string());
    assert!(order.get("pickup_code").is_none(), "no code before payment: {order}");
    let id = order["id"].as_i64().unwrap();
    let (_, again) = customer.buy(offer.id, offer.items[0].id, 1, "stripe-key-1").await;
    // The open reservation is found first (as a second Buy in the bot finds it).
    assert!(matches!(again["outcome"].as_str(), Some("again" | "reopened")), "{again}");
    assert_eq!(again["order"]["id"], id);
    assert_eq!(again["order"]["pay_url"], order["pay_url"]);
    assert_eq!(app.fake_stripe().sessions().len(), 1, "one Checkout Session");

    let event = crate::support::shop::pay_at_stripe(&app, id);
    assert_eq!(app.deliver_stripe(&event).await, 200);
    let (status, paid) = customer.get(&format!("/orders/{id}")).await;
    assert_eq!(status, 200);
    check(&contract, "get", "/app/api/orders/{id}", status, &paid);
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["pickup_code"], app.store().purchase(id).await.unwrap().pickup_code.to_string().as_str());
    assert!(paid.get("pay_url").is_none());
    // Cancelling a paid order before the cutoff refunds it in full; the
    // page says how much before asking.
    assert_eq!(paid["refund_on_cancel"]["display"], "€1.50");
}

/// The page and its assets come from the binary: the settings filled in,
/// a Content-Security-Policy, and ETags so a reopened app fetches nothing
/// that didn't change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_its_assets_are_served_from_the_binary() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, &[("MAP_TILE_URL", "https://tiles.example/{z}/{x}/{y}.png?k=\"1\"")])
            .await
            .unwrap();
    let client = reqwest::Client::new();
    let res = client.get(format!("{}/app", app.base_url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self' https://telegram.org;"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<script src="https://telegram.org/js/telegram-web-app.js"></script>"#), "{html}");
    assert!(html.contains(r#"data-tiles="https://tiles.example/{z}/{x}/{y}.png?k=&quot;1&quot;""#), "{html}");
    assert!(html.contains("OpenStreetMap&lt;/a&gt; contributors"), "{html}");
    assert!(!html.contains("{{"), "a placeholder left: {html}");

    for (path, content_type) in [
        ("app.js", "text/javascript"),
        ("app.css", "text/css"),
        ("vendor/leaflet/leaflet.js", "text/javascript"),
        ("vendor/leaflet/LICENSE", "text/plain"),
    ] {
        let url = format!("{}/app/assets/{path}", app.base_url);
        let res = client.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with(content_type), "{path}");
        let tag = res.headers()["etag"].clone();
        assert!(!res.bytes().await.unwrap().is_empty());
        let again = client.get(&url).header("If-None-Match", tag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());
    }
    let license = client.get(format!("{}/app/assets/vendor/leaflet/LICENSE", app.base_url)).send().await.unwrap();
    assert!(license.text().await.unwrap().contains("Volodymyr Agafonkin"));
    let missing = client.get(format!("{}/app/assets/../Cargo.toml", app.base_url)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

/// The app speaks the customer's language: a German customer gets the
/// page's words, prices, amounts left, statuses and errors in German; a
/// Ukrainian one the Ukrainian plural forms; a /language choice wins over
/// Telegram's language; before signing in, `Accept-Language` decides.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_speaks_the_customers_language() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let store = app.store();
    let contract = Contract::fetch(&app).await;
    // 1.3 km from HERE: five bags at €3.50.
    let deal = shop_with_offer(store, 3001, "Kiezbäcker", (52.5290, 13.4010), 5, 350).await;
    let item = deal.items[0].id;

    let de = AppCustomer::speaking(&app, "de", 7001, "Lena");
    let (status, me) = de.get("/me").await;
    assert_eq!(status, 200, "{me}");
    check(&contract, "get", "/app/api/me", status, &me);
    assert_eq!(me["lang"], "de");
    assert_eq!(me["texts"]["tab-list"], "☰ Liste");
    assert_eq!(me["texts"]["my-orders"], "Meine Bestellungen");
    assert_eq!(me["texts"]["reserve-qty"], "{qty} × {price} reservieren");
    let (status, list) = de.get(&format!("/deals?near={HERE}")).await;
    assert_eq!(status, 200, "{list}");
    check(&contract, "get", "/app/api/deals", status, &list);
    let offer = &list["items"][0];
    assert_eq!(offer["items"][0]["deal_price"]["display"], "3,50\u{a0}€");
    assert_eq!(offer["items"][0]["deal_price"]["amount_minor"], 350);
    assert_eq!(offer["remaining_display"], "5 Einheiten übrig");
    assert_eq!(offer["distance_display"], "1,1 km");
    let (status, bad) = de.get("/deals?when=yesterday").await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["message"], "eines von now, today, tomorrow");
    let (status, missing) = de.get("/deals/999999").await;
    assert_eq!((status, missing["error"]["message"].as_str()), (404, Some("Dieses Angebot gibt es nicht mehr.")));

    let (status, bought) = de.buy(deal.id, item, 3, "lena-key-0001").await;
    assert_eq!(status, 200, "{bought}");
    check(&contract, "post", "/app/api/purchases", status, &bought);
    assert_eq!(bought["order"]["status_label"], "bestätigt, Zahlung bei Abholung");
    assert_eq!(bought["order"]["total"]["display"], "10,50\u{a0}€");
    assert_eq!(bought["order"]["lines"][0]["unit_price"]["display"], "3,50\u{a0}€");
    let (status, refused) = de.buy(deal.id, item, 3, "lena-key-0002").await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("sold_out")), "{refused}");
    assert_eq!(refused["error"]["message"], "Leider ist für diese Bestellung nicht mehr genug übrig.");

    // Ukrainian: 2 left is "few", 5 "many", 1 "one".
    let uk = AppCustomer::speaking(&app, "uk", 7002, "Оксана");
    let (_, me) = uk.get("/me").await;
    assert_eq!(me["lang"], "uk");
    assert_eq!(me["texts"]["reopen"], "Відкрийте Glean знову");
    let left = |list: &Value| list["items"][0]["remaining_display"].as_str().unwrap().to_string();
    let (_, list) = uk.get(&format!("/deals?near={HERE}")).await;
    assert_eq!(left(&list), "залишилося 2 одиниці");
    assert_eq!(list["items"][0]["items"][0]["deal_price"]["display"], "3,50\u{a0}€");
    let more = shop_with_offer(store, 3002, "Пекарня", (52.5290, 13.4010), 5, 120).await;
    let (_, page) = uk.get(&format!("/deals/{}", more.id)).await;
    assert_eq!(page["offer"]["remaining_display"], "залишилося 5 одиниць");
    assert_eq!(page["offer"]["items"][0]["remaining_display"], "залишилося 5 одиниць");
    let (status, _) = uk.buy(more.id, more.items[0].id, 4, "oksana-key-01").await;
    assert_eq!(status, 200);
    let (_, page) = uk.get(&format!("/deals/{}", more.id)).await;
    assert_eq!(page["offer"]["remaining_display"], "залишилася 1 одиниця");
    let (_, orders) = uk.get("/orders").await;
    assert_eq!(orders["items"][0]["status_label"], "підтверджене, оплата під час отримання");
    assert_eq!(orders["items"][0]["total"]["display"], "4,80\u{a0}€");

    // A /language choice wins over Telegram's language_code.
    let en = AppCustomer::new(&app, 7003, "Sam");
    assert_eq!(en.get("/me").await.1["lang"], "en");
    store.set_user_language(7003, "de", true).await.unwrap();
    let (_, me) = en.get("/me").await;
    assert_eq!(me["lang"], "de");
    assert_eq!(me["texts"]["tab-map"], "🗺 Karte");
    let (_, list) = en.get(&format!("/deals?near={HERE}")).await;
    assert_eq!(list["items"][0]["items"][0]["deal_price"]["display"], "3,50\u{a0}€");

    // Before signing in: Accept-Language, for the 401 and the page's words.
    let client = reqwest::Client::new();
    let res = client
        .get(format!("{}/app/api/me", app.base_url))
        .header("Accept-Language", "de-AT,de;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "Öffne diese Seite über den Glean-Bot in Telegram: Nur so wissen wir, wer du bist."
    );
    let (status, words) = AppCustomer::with_init_data(&app, String::new()).get("/texts?lang=uk").await;
    assert_eq!(status, 200, "{words}");
    check(&contract, "get", "/app/api/texts", status, &words);
    assert_eq!((words["lang"].as_str(), words["texts"]["try-again"].as_str()), (Some("uk"), Some("Спробувати ще раз")));
    let (_, fallback) = AppCustomer::with_init_data(&app, String::new()).get("/texts?lang=xx").await;
    assert_eq!(fallback["lang"], "en");
    assert_eq!(fallback["texts"]["reopen"], "Please reopen Glean");
    let html = client
        .get(format!("{}/app", app.base_url))
        .header("Accept-Language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="de">"#), "{html}");
    assert!(html.contains("Angebote werden geladen…"), "{html}");
    assert!(html.contains(r#""tab-list":"☰ Liste""#), "{html}");
}
