//! Your data, through the real bot: `/privacy`'s export checked against the
//! database (in the middle of a dialogue), deletion leaving no trace of the
//! person in any column of any table while the shop's sales stay, refusals
//! while orders are open, deleting twice, a business owner's deletion, "Forget
//! my location", the retention rules of the jobs, the admins'
//! `/privacy_request`, and logs at debug free of phones, texts and places.

use std::process::Stdio;

use chrono::Duration;
use glean::domain::{BusinessStatus, Coordinates, OfferStatus, PurchaseStatus};
use glean::store::{Purchase, StoredAlert, StoredQuiet};
use glean_fakes::telegram::{BotMessage, FakeUser};
use serde_json::Value;

use crate::support::app::{ADMIN_ID, TestApp, eventually, said};
use crate::support::db::Backend;
use crate::support::fixtures::shop_with_offer;
use crate::support::shop::{buy, compose_offer_finish, compose_offer_start, order_id};

const SHOP: (f64, f64) = (48.1351, 11.5820);
/// Where the customer is: digits that appear nowhere else.
const HOME: (f64, f64) = (48.140321, 11.560987);
const PHONE: &str = "+4915123456789";

/// The document the bot sent last, parsed as JSON.
fn document_json(app: &TestApp, m: &BotMessage) -> Value {
    let file_id = m.raw["document"]["file_id"].as_str().unwrap_or_else(|| panic!("no document in {}", m.raw));
    let bytes = app.tg.file_bytes(file_id).expect("the uploaded file");
    serde_json::from_slice(&bytes).expect("the export is JSON")
}

async fn export(app: &TestApp, user: &FakeUser) -> Value {
    user.press("📦 Download my data");
    let doc = user.reply_matching(|m| !m.raw["document"].is_null()).await;
    assert!(doc.text.contains("Everything Glean holds about you"), "{}", doc.text);
    document_json(app, &doc)
}

/// A customer with a shared location, an order, a follow, a nearby alert and
/// quiet hours.
async fn customer_with_history(app: &TestApp, id: i64, name: &str, shop_owner: i64) -> (FakeUser, i64, i64) {
    let offer = shop_with_offer(app.store(), shop_owner, &format!("Shop {shop_owner}"), SHOP, 10, 250).await;
    let customer = app.user(id, name);
    customer.set_username(&format!("{}_secret", name.to_lowercase()));
    customer.send("/start");
    said(&customer, "Welcome").await;
    customer.send_location(HOME.0, HOME.1);
    said(&customer, "I saved your location").await;
    said(&customer, "Deals near you").await;
    let confirmed = buy(&customer, &offer, "2").await;
    assert!(confirmed.text.contains("confirmed!"), "{}", confirmed.text);
    let order = order_id(&confirmed.text);
    let now = app.clock.now();
    let store = app.store();
    store.follow(id, offer.business_id, now).await.unwrap();
    let alert = StoredAlert {
        customer_tg_id: id,
        location: Coordinates::new(HOME.0, HOME.1).unwrap(),
        radius_m: 3000,
        keywords: "bread, vegan".into(),
    };
    store.set_alert(&alert, now).await.unwrap();
    let quiet = StoredQuiet { timezone: Some("Europe/Berlin".into()), quiet: Some((22 * 60, 7 * 60)) };
    store.set_quiet(id, &quiet, now).await.unwrap();
    (customer, order, offer.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_holds_what_the_database_holds_sqlite() {
    the_export_holds_what_the_database_holds(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_holds_what_the_database_holds_postgres() {
    the_export_holds_what_the_database_holds(Backend::Postgres).await;
}

async fn the_export_holds_what_the_database_holds(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (customer, order, _) = customer_with_history(&app, 3101, "Petra", 3100).await;

    // In the middle of a dialogue.
    customer.send("/register");
    said(&customer, "What's its name?").await;
    customer.send("/privacy");
    let overview = said(&customer, "Your data").await;
    assert!(overview.text.contains("30 days after"), "{}", overview.text);
    assert!(overview.text.contains("after 2 days"), "{}", overview.text);
    assert_eq!(overview.button_labels(), vec!["📦 Download my data", "📍 Forget my location", "🗑 Delete my data"]);
    let json = export(&app, &customer).await;

    let store = app.store();
    assert_eq!(json["format"], "glean-personal-data/1");
    assert_eq!(json["telegram_id"], 3101);
    let profile = &json["profile"];
    assert_eq!(profile["first_name"], "Petra");
    assert_eq!(profile["username"], "petra_secret");
    assert_eq!(profile["last_location"]["latitude"].as_f64(), Some(HOME.0));
    assert_eq!(profile["last_location"]["longitude"].as_f64(), Some(HOME.1));
    let quiet = store.quiet(3101).await.unwrap();
    let (from, to) = quiet.quiet.unwrap();
    assert_eq!(profile["quiet_hours"], serde_json::json!([from, to]));
    assert_eq!(profile["timezone"].as_str(), quiet.timezone.as_deref());

    let purchases: Vec<Purchase> = store.purchases_of_customer(3101, 100).await.unwrap();
    let orders = json["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), purchases.len());
    for (o, p) in orders.iter().zip(&purchases) {
        assert_eq!(o["id"].as_i64(), Some(p.id));
        assert_eq!(o["status"].as_str(), Some(p.status.as_str()));
        assert_eq!(o["total"].as_i64(), Some(p.total.minor()));
        assert_eq!(o["currency"].as_str(), Some(p.total.currency().code()));
        assert_eq!(o["pickup_code"].as_str(), Some(p.pickup_code.as_str()));
        let lines = o["lines"].as_array().unwrap();
        assert_eq!(lines.len(), p.lines.len());
        for (l, pl) in lines.iter().zip(&p.lines) {
            assert_eq!(l["item_id"].as_i64(), Some(pl.item_id));
            assert_eq!(l["quantity"].as_i64(), Some(i64::from(pl.quantity)));
            assert_eq!(l["unit_price"].as_i64(), Some(pl.unit_price.minor()));
        }
    }
    assert_eq!(orders[0]["id"].as_i64(), Some(order));

    let follows: Vec<i64> =
        json["follows"].as_array().unwrap().iter().map(|f| f["business_id"].as_i64().unwrap()).collect();
    let followed: Vec<i64> =
        store.followed_businesses(3101, app.clock.now()).await.unwrap().iter().map(|f| f.business_id).collect();
    assert_eq!(follows, followed);
    assert!(!follows.is_empty());

    let alert = store.alert(3101).await.unwrap().expect("an alert");
    let a = &json["nearby_alert"];
    assert_eq!(a["radius_m"].as_u64(), Some(u64::from(alert.radius_m)));
    assert_eq!(a["keywords"].as_str(), Some(alert.keywords.as_str()));
    assert_eq!(a["latitude"].as_f64(), Some(alert.location.lat()));

    // The dialogue it was made in, and the audit of the order.
    assert!(json["dialogue"].to_string().contains("\"register\""), "{}", json["dialogue"]);
    let audit = json["audit"].as_array().unwrap();
    assert!(
        audit.iter().any(|e| e["target_kind"] == "purchase" && e["target_id"].as_i64() == Some(order)),
        "{audit:?}"
    );
    assert!(!json["stored_updates"].as_array().unwrap().is_empty());
    assert!(json["businesses"].as_array().unwrap().is_empty(), "a customer owns no business");

    // The export was audited, and the dialogue goes on where it was.
    let trail = store.audit_trail("user", 3101).await.unwrap();
    assert!(trail.iter().any(|e| e.action == "export_personal_data" && e.actor == "user:3101"), "{trail:?}");
    customer.send("Petra's Pantry");
    said(&customer, "contact phone number").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletion_leaves_no_trace_and_keeps_the_sales_sqlite() {
    deletion_leaves_no_trace_and_keeps_the_sales(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletion_leaves_no_trace_and_keeps_the_sales_postgres() {
    deletion_leaves_no_trace_and_keeps_the_sales(Backend::Postgres).await;
}

/// An order as the shop's accounts see it: id, status, total and lines.
type Sale = (i64, PurchaseStatus, i64, Vec<(i64, u32, i64)>);

/// What a shop's sales look like, with the customer left out.
fn sales(orders: &[Purchase]) -> Vec<Sale> {
    orders
        .iter()
        .map(|p| {
            let lines = p.lines.iter().map(|l| (l.item_id, l.quantity, l.unit_price.minor())).collect();
            (p.id, p.status, p.total.minor(), lines)
        })
        .collect()
}

async fn deletion_leaves_no_trace_and_keeps_the_sales(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let owner = app.user(3200, "Owner");
    let (customer, order, offer) = customer_with_history(&app, 3201, "Zeynep", 3200).await;
    // A phone number, in a dialogue's state and in the stored updates.
    customer.send("/register");
    said(&customer, "What's its name?").await;
    customer.send("Zeynep's Kitchen");
    said(&customer, "contact phone number").await;
    customer.send_contact(PHONE);
    said(&customer, "Where do customers pick up?").await;
    let needles = ["Zeynep", "zeynep_secret", PHONE, "15123456789", "48.140321", "11.560987"];
    for needle in needles {
        assert!(!app.db.columns_containing(needle).await.is_empty(), "{needle} is stored before the deletion");
    }

    // An open order: refused, with what to do; nothing changes.
    customer.send("/privacy");
    said(&customer, "Your data").await;
    customer.press("🗑 Delete my data");
    let refused = said(&customer, "open orders").await;
    assert!(refused.text.contains(&format!("#{order}")) && refused.text.contains("/orders"), "{}", refused.text);
    assert!(app.store().user(3201).await.unwrap().is_some());

    // Collected: now it can go.
    let code = app.store().purchase(order).await.unwrap().pickup_code;
    owner.send(&format!("/pickup {code}"));
    said(&owner, "picked up").await;
    let before = sales(&app.store().purchases_of_offer(offer, &[]).await.unwrap());

    customer.send("/privacy");
    said(&customer, "Your data").await;
    customer.press("🗑 Delete my data");
    let question = said(&customer, "Delete your data?").await;
    customer.press("Yes, delete my data");
    let last = said(&customer, "Your data is deleted").await;
    assert!(last.text.contains("Kept: 1 order") && last.text.contains("Accounting law"), "{}", last.text);
    // Whatever the senders were doing settles.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    for needle in needles {
        let found = app.db.columns_containing(needle).await;
        assert!(found.is_empty(), "{needle} is still in {found:?}");
    }
    let store = app.store();
    assert!(store.user(3201).await.unwrap().is_none());
    assert!(store.purchases_of_customer(3201, 100).await.unwrap().is_empty());
    assert!(store.alert(3201).await.unwrap().is_none());
    assert!(store.followed_businesses(3201, app.clock.now()).await.unwrap().is_empty());
    assert!(store.dialogue(3201).await.unwrap().is_none());
    assert!(store.personal_data(3201).await.unwrap().is_empty());
    // The shop's sales are exactly what they were, under an anonymous id.
    let after = app.store().purchases_of_offer(offer, &[]).await.unwrap();
    assert_eq!(sales(&after), before);
    assert!(after.iter().all(|p| p.customer_tg_id < 0), "{after:?}");
    let anon = after[0].customer_tg_id;
    let trail = store.audit_trail("user", anon).await.unwrap();
    assert!(trail.iter().any(|e| e.action == "erase_personal_data"), "{trail:?}");

    // Deleting twice is harmless: the old button says there's nothing left.
    customer.press_data(question.message_id, "1:P:D");
    said(&customer, "nothing of yours left to delete").await;
    assert_eq!(sales(&app.store().purchases_of_offer(offer, &[]).await.unwrap()), before);
    // "Keep" on a stale confirmation changes nothing either.
    customer.press_data(question.message_id, "1:P:k");
    said(&customer, "Nothing was deleted").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_on_their_way_and_a_shops_open_orders_block_deletion() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let owner = app.user(3300, "Olga");
    let (customer, order, offer) = customer_with_history(&app, 3301, "Rita", 3300).await;

    // The shop has an open order: its owner is told, nothing changes.
    owner.send("/privacy");
    let overview = said(&owner, "Your data").await;
    assert!(overview.text.contains("Your business"), "{}", overview.text);
    owner.press("🗑 Delete my data");
    let refused = said(&owner, "has open orders").await;
    assert!(refused.text.contains(&format!("#{order}")), "{}", refused.text);
    assert_eq!(app.store().offer(offer).await.unwrap().status, OfferStatus::Active);

    // A refund on its way blocks the customer.
    let ctx = app.side_ctx().await;
    app.db.execute(&format!("UPDATE purchases SET status = 'refund_pending' WHERE id = {order}")).await;
    customer.send("/privacy");
    said(&customer, "Your data").await;
    customer.press("🗑 Delete my data");
    said(&customer, "refund is still on its way").await;
    assert!(app.store().user(3301).await.unwrap().is_some());

    // Once the order is over, the owner can go: the offer is withdrawn
    // first, the business kept (suspended, phone erased, owner anonymous).
    app.db.execute(&format!("UPDATE purchases SET status = 'refunded' WHERE id = {order}")).await;
    let business = app.store().offer(offer).await.unwrap().business_id;

    // An owner's export holds the business's records, its customers unnamed.
    let me = glean::store::Actor::User(3300);
    let export = glean::actions::privacy::export(&ctx, 3300, &me).await.unwrap().expect("the owner's data");
    let json: Value = serde_json::from_slice(&export.json).unwrap();
    let b = &json["businesses"][0];
    assert_eq!((b["id"].as_i64(), b["phone"].as_str()), (Some(business), Some("+49307654321")));
    assert_eq!(b["offers"][0]["id"].as_i64(), Some(offer));
    assert_eq!(b["venues"].as_array().map(Vec::len), Some(1));
    assert_eq!(b["orders"][0]["id"].as_i64(), Some(order));
    assert!(!b["orders"].to_string().contains("3301"), "customers are not named: {}", b["orders"]);

    let erased = glean::actions::privacy::erase(&ctx, 3300, &me).await.unwrap();
    let glean::store::Erasure::Done(e) = erased else { panic!("refused: {erased:?}") };
    assert!(e.found && e.businesses_kept == 1, "{e:?}");
    assert_eq!(app.store().offer(offer).await.unwrap().status, OfferStatus::Withdrawn);
    let b = app.store().business(business).await.unwrap();
    assert_eq!((b.status, b.phone.as_str()), (BusinessStatus::Suspended, ""));
    assert!(b.owner_tg_id < 0);
    assert!(app.store().businesses_of_owner(3300).await.unwrap().is_empty());
    let trail = app.store().audit_trail("offer", offer).await.unwrap();
    assert!(trail.iter().any(|t| t.action == "withdraw"), "{trail:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgetting_the_location_and_retention() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let ctx = app.side_ctx().await;
    let customer = app.user(3401, "Lena");
    customer.send_location(HOME.0, HOME.1);
    said(&customer, "I saved your location").await;
    said(&customer, "No deals right now").await;

    // "Forget my location", twice.
    customer.send("/privacy");
    let overview = said(&customer, "Your data").await;
    assert!(overview.text.contains("I have a location you shared"), "{}", overview.text);
    customer.press("📍 Forget my location");
    said(&customer, "I forgot your location").await;
    assert!(app.store().user(3401).await.unwrap().unwrap().location.is_none());
    customer.press_data(overview.message_id, "1:P:f");
    said(&customer, "I don't have a location of yours").await;

    // Shared again, used by /deals 29 days later, kept 30 days after that use.
    customer.send_location(HOME.0, HOME.1);
    said(&customer, "I saved your location").await;
    said(&customer, "No deals right now").await;
    app.clock.advance(Duration::days(29));
    glean::jobs::retention(&ctx, app.clock.now()).await;
    customer.send("/deals");
    said(&customer, "No deals right now").await;
    app.clock.advance(Duration::days(29));
    glean::jobs::retention(&ctx, app.clock.now()).await;
    assert!(app.store().user(3401).await.unwrap().unwrap().location.is_some(), "used 29 days ago: kept");
    // Setting up a first nearby alert offers it ("Keep my place"): a use too.
    customer.send("/alerts");
    said(&customer, "Deal alerts").await;
    customer.press("🔔 Turn on nearby alerts");
    let place = said(&customer, "Which place").await;
    let keyboard = place.reply_keyboard.clone().unwrap_or_default().concat();
    assert!(keyboard.iter().any(|b| b.contains("Keep my place")), "{keyboard:?}");
    customer.send("/cancel");
    said(&customer, "Cancelled").await;
    app.clock.advance(Duration::days(2));
    glean::jobs::retention(&ctx, app.clock.now()).await;
    assert!(app.store().user(3401).await.unwrap().unwrap().location.is_some(), "used 2 days ago: kept");
    app.clock.advance(Duration::days(29));
    glean::jobs::retention(&ctx, app.clock.now()).await;
    assert!(app.store().user(3401).await.unwrap().unwrap().location.is_none(), "unused for 31 days: dropped");
    glean::jobs::retention(&ctx, app.clock.now()).await;

    // A dialogue left for 30 days is over; raw updates go after 2 days.
    customer.send("/register");
    said(&customer, "What's its name?").await;
    let stored = app.store().personal_data(3401).await.unwrap().stored_updates.len();
    assert!(stored > 0);
    app.clock.advance(Duration::days(3));
    glean::jobs::retention(&ctx, app.clock.now()).await;
    assert!(app.store().dialogue(3401).await.unwrap().is_some(), "3 days: the dialogue stays");
    let left = app.store().personal_data(3401).await.unwrap().stored_updates.len();
    assert!(left <= 1, "handled updates older than 2 days are gone (the newest stays): {left} of {stored}");
    app.clock.advance(Duration::days(28));
    glean::jobs::retention(&ctx, app.clock.now()).await;
    assert!(app.store().dialogue(3401).await.unwrap().is_none(), "31 days: the dialogue is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_export_and_delete_on_request() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let admin = app.admin();
    let (customer, _, offer) = customer_with_history(&app, 3501, "Mira", 3500).await;
    let code = app.store().purchases_of_customer(3501, 1).await.unwrap()[0].pickup_code.clone();
    app.user(3500, "Owner").send(&format!("/pickup {code}"));
    said(&app.user(3500, "Owner"), "picked up").await;

    // Not an admin; bad input.
    customer.send("/privacy_request 3501 export");
    said(&customer, "for Glean's admins only").await;
    for bad in
        ["/privacy_request", "/privacy_request abc export", "/privacy_request 3501", "/privacy_request 3501 burn"]
    {
        admin.send(bad);
        said(&admin, "Usage: /privacy_request").await;
    }
    admin.send("/privacy_request 777777 export");
    said(&admin, "holds no data about user 777777").await;

    // Mira is also a charity's contact and shared a deal card into a group.
    app.db
        .execute(
            "INSERT INTO charities (name, area, token_hash, tg_id, lat, lng, invited_by, created_at, registered_at) \
             VALUES ('Tafel Nord', 'Nord', 'h', 3501, 48.15, 11.55, 9001, 0, 0)",
        )
        .await;
    app.db
        .execute(&format!(
            "INSERT INTO shared_cards (inline_message_id, offer_id, shared_by, photo, shown, next_at, created_at) \
             VALUES ('im-1', {offer}, 3501, FALSE, 'active', 0, 0)"
        ))
        .await;

    admin.send("/privacy_request 3501 export");
    let doc = admin.reply_matching(|m| !m.raw["document"].is_null()).await;
    assert!(doc.text.contains("user 3501"), "{}", doc.text);
    let json = document_json(&app, &doc);
    assert_eq!(json["profile"]["first_name"], "Mira");
    assert_eq!(json["charity"]["name"], "Tafel Nord");
    assert_eq!(json["shared_cards"][0]["offer_id"].as_i64(), Some(offer));
    let trail = app.store().audit_trail("user", 3501).await.unwrap();
    assert!(trail.iter().any(|e| e.action == "export_personal_data" && e.actor == format!("admin:{ADMIN_ID}")));

    admin.send("/privacy_request 3501 delete");
    said(&admin, "User 3501's data is deleted").await;
    said(&customer, "Your data is deleted").await;
    assert!(app.store().user(3501).await.unwrap().is_none());
    let left = app.store().personal_data(3501).await.unwrap();
    assert!(left.charity.is_none() && left.shared_cards.is_empty(), "{left:?}");
    assert!(app.db.columns_containing("48.15").await.is_empty(), "the charity no longer collects there");
    let anon = app.store().purchases_of_offer(offer, &[]).await.unwrap()[0].customer_tg_id;
    let trail = app.store().audit_trail("user", anon).await.unwrap();
    assert!(
        trail.iter().any(|e| e.action == "erase_personal_data" && e.actor == format!("admin:{ADMIN_ID}")),
        "{trail:?}"
    );
    assert!(app.store().audit_trail("user", 3501).await.unwrap().is_empty(), "the audit names them no more");
    admin.send("/privacy_request 3501 delete");
    said(&admin, "nothing left to delete for user 3501").await;
}

/// A whole story with every log at debug (the `glean` binary, its stderr
/// kept): a business registers with its phone and location, posts a deal;
/// a customer shares a location, buys, writes to the bot and exports their
/// data. No phone number, typed text or location appears in the logs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_at_debug_hold_no_phones_texts_or_places() {
    let Some(mut app) = TestApp::spawn(Backend::Sqlite).await else { return };
    app.stop().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("glean.log");
    let file = std::fs::File::create(&path).unwrap();
    let mut process = app.start_process_with_logs(&[("LOG_LEVEL", "debug")], Stdio::from(file)).await;

    let owner = app.user(3601, "Konstantin");
    owner.set_username("konstantin_private");
    owner.send("/register");
    said(&owner, "What's its name?").await;
    owner.send("Zuckerwerk Quietstreet");
    said(&owner, "contact phone number").await;
    owner.send_contact("+49 171 9876543");
    said(&owner, "Where do customers pick up?").await;
    owner.send("Geheimgasse 17, 80331 München");
    said(&owner, "Send the pickup location").await;
    owner.send_location(48.137154, 11.576124);
    said(&owner, "Which time zone").await;
    owner.press("Europe/Berlin");
    said(&owner, "Which currency").await;
    owner.press("EUR");
    said(&owner, "waiting for verification").await;
    let business = app.store().businesses_of_owner(3601).await.unwrap()[0].id;
    app.admin().send(&format!("/verify {business}"));
    said(&owner, "is verified!").await;
    compose_offer_start(&owner, "Crumbly xylophone loaves").await;
    compose_offer_finish(&owner).await;
    owner.press("✅ Publish");
    said(&owner, "is live").await;

    let customer = app.user(3602, "Wilhelmina");
    customer.send_location(48.140321, 11.560987);
    said(&customer, "Deals near you").await;
    customer.send("please call me on my secret line quixotic");
    said(&customer, "I didn't get that").await;
    let offer = app
        .store()
        .offers(&glean::store::OfferFilter { business_id: Some(business), statuses: vec![], limit: 5 })
        .await
        .unwrap();
    let confirmed = buy(&customer, &offer[0], "1").await;
    assert!(confirmed.text.contains("confirmed!"), "{}", confirmed.text);
    customer.send("/privacy");
    said(&customer, "Your data").await;
    export(&app, &customer).await;
    eventually("the owner hears of the order", || async {
        owner.messages().iter().any(|m| m.text.contains("New order"))
    })
    .await;
    process.kill();

    let logs = std::fs::read_to_string(&path).unwrap();
    assert!(logs.contains("DEBUG"), "the logs ran at debug: {} bytes", logs.len());
    for secret in [
        "9876543",
        "171 98",
        "Zuckerwerk",
        "Quietstreet",
        "Geheimgasse",
        "xylophone",
        "quixotic",
        "secret line",
        "48.137",
        "11.576",
        "48.140",
        "11.560",
        "Konstantin",
        "konstantin_private",
        "Wilhelmina",
    ] {
        if let Some(at) = logs.find(secret) {
            let start = logs[..at].rfind('\n').map_or(0, |n| n + 1);
            let line = logs[start..].lines().next().unwrap_or_default();
            panic!("{secret:?} is in the logs: {line}");
        }
    }
}
