//! US3 through the real bot: a business pauses, resumes, edits price and
//! quantity, marks sold out, withdraws (refunding paid orders) and confirms
//! pickups by code; no-shows are recorded after the window.

use chrono::Duration;
use glean::domain::{OfferStatus, PurchaseStatus};
use glean_fakes::telegram::FakeUser;

use crate::support::app::{TestApp, eventually, said};
use crate::support::db::Backend;
use crate::support::fixtures::shop_with_offer;
use crate::support::shop::{buy, buy_and_pay, order_id};

const SHOP: i64 = 1102;
const AT: (f64, f64) = (52.5200, 13.4050);

async fn open_card(owner: &FakeUser) {
    owner.send("/myoffers");
    let list = said(owner, "Your offers").await;
    assert!(list.text.contains("Active"), "{}", list.text);
    owner.press("1");
    owner.reply_matching(|m| m.edited && m.button_labels().contains(&"🧾 Orders")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_manages_an_offer_sqlite() {
    manages_an_offer(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_manages_an_offer_postgres() {
    manages_an_offer(Backend::Postgres).await;
}

async fn manages_an_offer(backend: Backend) {
    let Some(app) = TestApp::spawn_with_stripe(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Mitte Bakery", AT, 5, 200).await;
    let owner = app.user(SHOP, "Baker");
    let (a, b, c) = (app.user(4001, "Anna"), app.user(4002, "Ben"), app.user(4003, "Cleo"));

    // Pause: a customer's Buy is refused and the card says so; resume: it works again.
    open_card(&owner).await;
    let press = owner.press("⏸ Pause");
    assert_eq!(owner.callback_answer(&press).await.text.as_deref(), Some("Now paused"));
    let card = owner.reply_matching(|m| m.edited && m.text.contains("· paused")).await;
    assert!(card.button_labels().contains(&"▶️ Resume"));
    a.send(&format!("/start offer_{}", offer.id));
    let shown = a.reply_matching(|m| m.text.contains("Mitte Bakery bag")).await;
    assert!(shown.text.contains("paused by the shop") && !shown.button_labels().contains(&"🛒 Buy"), "{}", shown.text);
    let forged = a.press_data(shown.message_id, &format!("1:b:{}", offer.id));
    assert_eq!(a.callback_answer(&forged).await.text.as_deref(), Some("This deal is paused by the shop right now."));
    assert_eq!(app.store().offer(offer.id).await.unwrap().items[0].reserved, 0);
    owner.press("▶️ Resume");
    owner.reply_matching(|m| m.edited && m.text.contains("· active")).await;
    let order_a = buy_and_pay(&app, &a, &offer, "1").await;

    // Edit price: new orders pay it, the old one keeps its own.
    owner.press("💶 Edit price");
    said(&owner, "New deal price").await;
    owner.send("abc");
    said(&owner, "doesn't look like a price").await;
    owner.send("6");
    said(&owner, "can't be higher than the original price").await;
    owner.send("1.50");
    said(&owner, "Saved").await;
    owner.reply_matching(|m| m.text.contains("€1.50 (usual €5.00)")).await;
    let order_b = buy_and_pay(&app, &b, &offer, "1").await;
    let pa = app.store().purchase(order_a).await.unwrap();
    let pb = app.store().purchase(order_b).await.unwrap();
    assert_eq!((pa.lines[0].unit_price.minor(), pa.total.minor()), (200, 200));
    assert_eq!((pb.lines[0].unit_price.minor(), pb.total.minor()), (150, 150));

    // Edit quantity: never below what's sold or reserved.
    owner.press("🔢 Edit quantity");
    said(&owner, "New quantity").await;
    owner.send("1");
    said(&owner, "2 units are already sold or reserved").await;
    owner.send("4");
    said(&owner, "Saved").await;
    let card = owner.reply_matching(|m| m.text.contains("left 2")).await;
    assert!(card.text.contains("sold 2"), "{}", card.text);

    // Mark sold out by hand: the customer's card says so, Buy is refused.
    owner.press("🚫 Mark sold out");
    owner.reply_matching(|m| m.edited && m.text.contains("· sold out")).await;
    c.send(&format!("/start offer_{}", offer.id));
    let shown = c.reply_matching(|m| m.text.contains("Mitte Bakery bag")).await;
    assert!(shown.text.contains("sold out") && !shown.button_labels().contains(&"🛒 Buy"), "{}", shown.text);
    owner.press("▶️ Resume");
    owner.reply_matching(|m| m.edited && m.text.contains("· active")).await;

    // Sold out by itself when the last units are reserved.
    let held = buy(&c, &offer, "2").await;
    assert!(held.text.contains("reserved for"), "{}", held.text);
    let order_c = order_id(&held.text);
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.sold_out_by_hand, o.remaining()), (OfferStatus::SoldOut, false, 0));
    c.send(&format!("/start offer_{}", offer.id));
    let shown = c.reply_matching(|m| m.text.contains("Mitte Bakery bag")).await;
    assert!(shown.text.contains("sold out"), "{}", shown.text);

    // Withdraw: confirmation, then refunds and a message to every customer.
    owner.send(&format!("/edit {}", offer.id));
    owner.reply_matching(|m| m.button_labels().contains(&"🗑 Withdraw")).await;
    owner.press("🗑 Withdraw");
    let confirm = owner.reply_matching(|m| m.edited && m.text.contains("Withdraw")).await;
    assert!(
        confirm.text.contains("2 paid orders will be refunded") && confirm.text.contains("1 other"),
        "{}",
        confirm.text
    );
    owner.press("Yes, withdraw");
    said(&owner, "is withdrawn. 3 customers told").await;
    said(&a, "withdrew").await;
    said(&b, "withdrew").await;
    let told_c = said(&c, "withdrew").await;
    assert!(told_c.text.contains("nothing was charged"), "{}", told_c.text);
    eventually("refunds done", || async {
        app.store().purchase(order_a).await.unwrap().status == PurchaseStatus::Refunded
            && app.store().purchase(order_b).await.unwrap().status == PurchaseStatus::Refunded
    })
    .await;
    let refunded: Vec<i64> = app.fake_stripe().refunds().iter().map(|r| r.amount).collect();
    assert_eq!(refunded.len(), 2);
    assert!(refunded.contains(&200) && refunded.contains(&150), "{refunded:?}");
    assert_eq!(app.store().purchase(order_c).await.unwrap().status, PurchaseStatus::Cancelled);
    assert_eq!(app.store().offer(offer.id).await.unwrap().status, OfferStatus::Withdrawn);
    let session_c = app
        .fake_stripe()
        .sessions()
        .into_iter()
        .find(|s| s.metadata.get("purchase_id") == Some(&order_c.to_string()))
        .unwrap();
    assert_eq!(session_c.status, "expired", "the unpaid session can't be paid any more");
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pickups_by_code_and_no_shows() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Corner Grocer", AT, 5, 100).await;
    let owner = app.user(SHOP, "Grocer");
    let (a, b) = (app.user(4101, "Anna"), app.user(4102, "Ben"));
    let id_a = order_id(&buy(&a, &offer, "1").await.text);
    let id_b = order_id(&buy(&b, &offer, "2").await.text);
    let code_a = app.store().purchase(id_a).await.unwrap().pickup_code;

    owner.send("/pickup ZZZZZZ");
    said(&owner, "o order of yours has that code").await;
    owner.send(&format!("/pickup {}", code_a.as_str().to_lowercase()));
    said(&owner, &format!("Order #{id_a} picked up")).await;
    said(&a, "Thanks for picking up").await;
    assert_eq!(app.store().purchase(id_a).await.unwrap().status, PurchaseStatus::PickedUp);
    owner.send(&format!("/pickup {code_a}"));
    said(&owner, "hat order is picked up").await;

    // The Pickup button asks for the code; wrong codes are slowed down.
    owner.send("/myoffers");
    said(&owner, "Your offers").await;
    owner.press("✅ Confirm a pickup");
    said(&owner, "Type the customer's pickup code").await;
    for _ in 0..4 {
        owner.send("WRONG1");
        said(&owner, "o order of yours has that code").await;
    }
    owner.send("WRONG2");
    said(&owner, "oo many wrong codes").await;
    let code_b = app.store().purchase(id_b).await.unwrap().pickup_code;
    owner.send(&format!("/pickup {code_b}"));
    said(&owner, "oo many wrong codes").await;
    assert_eq!(app.store().purchase(id_b).await.unwrap().status, PurchaseStatus::Confirmed);

    // Another business can't collect these orders.
    let other = shop_with_offer(app.store(), 1999, "Other Shop", AT, 1, 100).await;
    let _ = other;
    let stranger = app.user(1999, "Other");
    stranger.send(&format!("/pickup {code_b}"));
    said(&stranger, "o order of yours has that code").await;

    // After the window: B never came.
    app.clock.advance(offer.pickup_end - app.clock.now() + Duration::minutes(1));
    eventually("no-show recorded", || async {
        app.store().purchase(id_b).await.unwrap().status == PurchaseStatus::NoShow
    })
    .await;
    assert_eq!(app.store().purchase(id_a).await.unwrap().status, PurchaseStatus::PickedUp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_offer_cant_be_managed() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Mitte Bakery", AT, 5, 200).await;
    let intruder = app.user(6666, "Mallory");
    intruder.send("/start");
    let msg = said(&intruder, "Welcome").await;
    for data in [format!("1:x:{}:p", offer.id), format!("1:x:{}:W", offer.id), format!("1:m:{}", offer.id)] {
        let press = intruder.press_data(msg.message_id, &data);
        assert_eq!(intruder.callback_answer(&press).await.text.as_deref(), Some("That isn't your offer."), "{data}");
    }
    intruder.send(&format!("/pause {}", offer.id));
    said(&intruder, "That isn't your offer").await;
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!(o.status, OfferStatus::Active);
    let trail = app.store().audit_trail("offer", offer.id).await.unwrap();
    assert_eq!(trail.iter().filter(|e| e.action == "forged_offer_action" && e.actor == "user:6666").count(), 4);
}
