//! US2 through the real bot and HTTP: customers find deals (nearest first
//! once they share a location), buy, pay through Stripe Checkout (signed
//! webhooks), cancel with refunds; pay at pickup without Stripe; and never
//! two customers for the same last unit.

use std::time::Duration as StdDuration;

use chrono::Duration;
use glean::domain::{OfferStatus, PurchaseStatus};
use glean_fakes::stripe::{FailMode, event_json, sign};
use glean_fakes::telegram::FakeUser;
use serde_json::json;

use crate::support::app::{TestApp, eventually, rush, said};
use crate::support::db::Backend;
use crate::support::fixtures::shop_with_offer;
use crate::support::shop::{buy, order_id, session_of};

const NEAR: (f64, f64) = (52.5200, 13.4050);
const POTSDAM: (f64, f64) = (52.3906, 13.0645);
const CUSTOMER: i64 = 3003;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_finds_buys_and_pays_sqlite() {
    customer_buys_with_stripe(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_finds_buys_and_pays_postgres() {
    customer_buys_with_stripe(Backend::Postgres).await;
}

async fn customer_buys_with_stripe(backend: Backend) {
    let Some(app) = TestApp::spawn_with_stripe(backend).await else { return };
    let far = shop_with_offer(app.store(), 1101, "Potsdam Farm", POTSDAM, 10, 150).await;
    let near = shop_with_offer(app.store(), 1102, "Mitte Bakery", (52.5210, 13.4060), 10, 200).await;
    let shop = app.user(1102, "Baker");
    let customer = app.user(CUSTOMER, "Carla");

    // Without a location: ranked list, and a button to share one.
    customer.send("/deals");
    let list = said(&customer, "Deals").await;
    assert!(list.text.contains("Mitte Bakery bag") && list.text.contains("Potsdam Farm bag"), "{}", list.text);
    let prompt = said(&customer, "Share your location").await;
    let keyboard = prompt.reply_keyboard.expect("a reply keyboard to share the location");
    assert!(keyboard.concat().iter().any(|b| b.contains("location")), "{keyboard:?}");
    // The keyboard stays on screen: later lists come alone, one message each.
    customer.send("/deals");
    said(&customer, "Deals").await;
    assert!(customer.no_reply_for(StdDuration::from_millis(300)).await, "the location prompt is sent once");

    // With a location: nearest first, with distances.
    customer.send_location(NEAR.0, NEAR.1);
    let list = said(&customer, "Deals near you").await;
    let first = list.text.find("Mitte Bakery bag").unwrap();
    let second = list.text.find("Potsdam Farm bag").unwrap();
    assert!(first < second, "nearest first: {}", list.text);
    assert!(list.text.contains(" m ·") || list.text.contains(" m\n"), "distance shown: {}", list.text);
    assert!(list.text.contains("km"), "{}", list.text);

    // Open the nearest card from the list.
    customer.press("1");
    let card = customer.reply_matching(|m| m.button_labels().contains(&"🛒 Buy")).await;
    assert!(card.text.contains("Mitte Bakery bag") && card.text.contains("10 left"), "{}", card.text);
    customer.press("🛒 Buy");
    let how_many = said(&customer, "How many?").await;
    assert_eq!(how_many.button_labels(), vec!["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    customer.press("2");
    let reserved = said(&customer, "reserved for 30 minutes").await;
    assert!(reserved.text.contains("Total €4.00"), "{}", reserved.text);
    let pay = &reserved.inline_buttons[0][0];
    assert_eq!(pay.text, "💳 Pay €4.00");
    let purchase_id = order_id(&reserved.text);
    let session = session_of(&app, purchase_id);
    assert_eq!(pay.url.as_deref(), app.fake_stripe().session_object(&session.id).unwrap()["url"].as_str());
    assert_eq!((session.amount_total, session.currency.as_str()), (400, "eur"));
    assert_eq!(session.line_items[0].quantity, 2);
    assert_eq!(session.payment_method_types, vec!["card"]);
    let held = app.store().offer(near.id).await.unwrap();
    assert_eq!((held.items[0].reserved, held.remaining()), (2, 8));

    // Buy again while holding the reservation: it reopens, nothing more is held.
    customer.send(&format!("/start offer_{}", near.id));
    customer.reply_matching(|m| m.button_labels().contains(&"🛒 Buy")).await;
    customer.press("🛒 Buy");
    let again = said(&customer, "reserved for").await;
    assert_eq!(order_id(&again.text), purchase_id);
    assert_eq!(app.store().offer(near.id).await.unwrap().items[0].reserved, 2);

    // The customer pays; Stripe tells us through the signed webhook.
    let pi = app.fake_stripe().complete_session(&session.id);
    let event =
        app.fake_stripe().event("checkout.session.completed", app.fake_stripe().session_object(&session.id).unwrap());
    assert_eq!(app.deliver_stripe(&event).await, 200);
    let confirmed = said(&customer, "confirmed!").await;
    assert!(confirmed.text.contains("Pickup code:"), "{}", confirmed.text);
    assert!(confirmed.text.contains("8 left of this deal"), "{}", confirmed.text);
    let p = app.store().purchase(purchase_id).await.unwrap();
    assert_eq!((p.status, p.stripe_payment_intent.as_deref()), (PurchaseStatus::Paid, Some(pi.as_str())));
    assert!(confirmed.text.contains(p.pickup_code.as_str()));
    let told = said(&shop, "New order").await;
    assert!(told.text.contains(p.pickup_code.as_str()) && told.text.contains("2 × Bread bag"), "{}", told.text);
    let sold = app.store().offer(near.id).await.unwrap();
    assert_eq!((sold.items[0].reserved, sold.items[0].sold), (0, 2));

    // The same event again: acknowledged, nothing happens twice.
    assert_eq!(app.deliver_stripe(&event).await, 200);
    assert!(customer.no_reply_for(StdDuration::from_millis(400)).await);
    assert_eq!(app.store().offer(near.id).await.unwrap().items[0].sold, 2);

    // /orders lists it; cancelling before the cutoff refunds in full.
    customer.send("/orders");
    let orders = said(&customer, "Your orders").await;
    assert!(orders.text.contains(&format!("#{purchase_id}")) && orders.text.contains("paid"), "{}", orders.text);
    customer.press(&format!("Cancel #{purchase_id}"));
    said(&customer, "You'll get €4.00 back in full").await;
    customer.press("Yes, cancel it");
    eventually("cancelled and refunded", || async {
        let shown: Vec<String> = customer.messages().into_iter().map(|m| m.text).collect();
        shown.iter().any(|t| t.contains("will be refunded"))
            && shown.iter().any(|t| t.contains("refund of €4.00 is done"))
    })
    .await;
    let refunds = app.fake_stripe().refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!((refunds[0].payment_intent.as_str(), refunds[0].amount), (pi.as_str(), 400));
    assert_eq!(app.store().purchase(purchase_id).await.unwrap().status, PurchaseStatus::Refunded);
    said(&shop, "was cancelled by the customer").await;
    let back = app.store().offer(near.id).await.unwrap();
    assert_eq!((back.items[0].sold, back.remaining()), (0, 10));
    let _ = far;
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_at_pickup_without_stripe() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), 1201, "Corner Grocer", NEAR, 3, 100).await;
    let shop = app.user(1201, "Grocer");
    let customer = app.user(CUSTOMER, "Carla");
    let answer = buy(&customer, &offer, "2").await;
    assert!(answer.text.contains("confirmed!") && answer.text.contains("Pay €2.00 at pickup"), "{}", answer.text);
    assert!(answer.text.contains("1 left of this deal"), "{}", answer.text);
    let id = order_id(&answer.text);
    let p = app.store().purchase(id).await.unwrap();
    assert_eq!(p.status, PurchaseStatus::Confirmed);
    assert!(answer.text.contains(p.pickup_code.as_str()));
    let told = said(&shop, "New order").await;
    assert!(told.text.contains("pays at pickup") && told.text.contains(p.pickup_code.as_str()));
    // Buying more than is left is refused and reserves nothing.
    customer.send(&format!("/start offer_{}", offer.id));
    customer.reply_matching(|m| m.button_labels().contains(&"🛒 Buy")).await;
    customer.press("🛒 Buy");
    let how_many = said(&customer, "How many?").await;
    assert_eq!(how_many.button_labels(), vec!["1"]);
    let forged = customer.press_data(how_many.message_id, &format!("1:q:{}:{}:2", offer.id, offer.items[0].id));
    assert!(customer.callback_answer(&forged).await.text.unwrap_or_default().contains("not enough left"));
    assert_eq!(app.store().offer(offer.id).await.unwrap().items[0].sold, 2);
    // A paused deal can't be bought; an old Buy button says so.
    app.store()
        .apply_offer_event(
            offer.id,
            glean::domain::OfferEvent::Pause,
            &glean::store::Actor::User(1201),
            app.clock.now(),
        )
        .await
        .unwrap();
    let stale = customer.press_data(how_many.message_id, &format!("1:b:{}", offer.id));
    assert_eq!(
        customer.callback_answer(&stale).await.text.as_deref(),
        Some("This deal is paused by the shop right now.")
    );
    // Cancelling a pay-at-pickup order gives the units back.
    customer.send("/orders");
    said(&customer, "Your orders").await;
    customer.press(&format!("Cancel #{id}"));
    said(&customer, &format!("Cancel order #{id}?")).await;
    customer.press("Yes, cancel it");
    said(&customer, "is cancelled").await;
    assert_eq!(app.store().offer(offer.id).await.unwrap().items[0].sold, 0);
}

/// 100 customers press Buy on 10 units at once, through the bot.
async fn hundred_customers_ten_units(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let offer = shop_with_offer(app.store(), 1301, "Rush Bakery", NEAR, 10, 100).await;
    let customers: Vec<FakeUser> = (0..100).map(|i| app.user(5000 + i, "Rusher")).collect();
    let (confirmed, refused) = rush(&customers, offer.id).await;
    assert_eq!((confirmed, refused), (10, 90));
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.items[0].sold, o.remaining(), o.status), (10, 0, OfferStatus::SoldOut));
    assert_eq!(app.store().purchases_of_offer(offer.id, &[]).await.unwrap().len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_two_customers_get_the_same_unit_sqlite() {
    hundred_customers_ten_units(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_two_customers_get_the_same_unit_postgres() {
    hundred_customers_ten_units(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_stale_and_unsigned_webhooks_change_nothing() {
    let Some(app) = TestApp::spawn_with_stripe(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), 1401, "Safe Shop", NEAR, 5, 200).await;
    let customer = app.user(CUSTOMER, "Carla");
    let reserved = buy(&customer, &offer, "1").await;
    let id = order_id(&reserved.text);
    let session = session_of(&app, id);
    app.fake_stripe().complete_session(&session.id);
    let body =
        app.fake_stripe().event("checkout.session.completed", app.fake_stripe().session_object(&session.id).unwrap());
    let url = format!("{}/webhooks/stripe", app.base_url);
    let client = reqwest::Client::new();
    let now = chrono::Utc::now().timestamp();
    let secret = app.fake_stripe().webhook_secret();
    for (what, header) in [
        ("forged", Some(sign(&body, "whsec_not_the_secret", now))),
        ("stale", Some(sign(&body, secret, now - 301))),
        ("missing", None),
        ("garbage", Some("t=abc,v1=zz".to_string())),
    ] {
        let mut req = client.post(&url).body(body.clone());
        if let Some(h) = header {
            req = req.header("Stripe-Signature", h);
        }
        let status = req.send().await.unwrap().status();
        assert_eq!(status, 400, "{what}");
    }
    // A tampered body with a valid signature of the original fails too.
    let tampered = body.replace("\"paid\"", "\"unpaid\"");
    let status = client
        .post(&url)
        .header("Stripe-Signature", sign(&body, secret, now))
        .body(tampered)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 400);
    assert_eq!(app.store().purchase(id).await.unwrap().status, PurchaseStatus::Reserved, "nothing changed");
    // Unknown event types are acknowledged and ignored.
    let other = event_json("evt_other", "customer.created", json!({"id": "cus_1", "object": "customer"}), now);
    assert_eq!(app.deliver_stripe(&other).await, 200);
    // The genuine one works, once.
    assert_eq!(app.deliver_stripe(&body).await, 200);
    assert_eq!(app.store().purchase(id).await.unwrap().status, PurchaseStatus::Paid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_after_the_reservation_lapsed() {
    let Some(app) = TestApp::spawn_with_stripe(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), 1501, "Late Shop", NEAR, 1, 200).await;
    let customer = app.user(CUSTOMER, "Carla");
    let other = app.user(CUSTOMER + 1, "Otto");

    // Completed after expired, with stock left: the order is paid after all.
    let r = buy(&customer, &offer, "1").await;
    let id = order_id(&r.text);
    let session = session_of(&app, id);
    let mut expired = app.fake_stripe().session_object(&session.id).unwrap();
    expired["status"] = json!("expired");
    let pi = app.fake_stripe().complete_session(&session.id);
    let completed = app.fake_stripe().session_object(&session.id).unwrap();
    // Events arrive in the wrong order: expired first.
    assert_eq!(app.deliver_stripe(&app.fake_stripe().event("checkout.session.expired", expired)).await, 200);
    said(&customer, "reservation lapsed").await;
    assert_eq!(app.store().purchase(id).await.unwrap().status, PurchaseStatus::Expired);
    assert_eq!(app.deliver_stripe(&app.fake_stripe().event("checkout.session.completed", completed)).await, 200);
    said(&customer, "confirmed!").await;
    let p = app.store().purchase(id).await.unwrap();
    assert_eq!((p.status, p.stripe_payment_intent.as_deref()), (PurchaseStatus::Paid, Some(pi.as_str())));
    assert_eq!(app.store().offer(offer.id).await.unwrap().items[0].sold, 1);

    // Same again, but someone else took the last unit meanwhile: refunded.
    let offer2 = shop_with_offer(app.store(), 1502, "Later Shop", NEAR, 1, 200).await;
    let r = buy(&customer, &offer2, "1").await;
    let id2 = order_id(&r.text);
    let session2 = session_of(&app, id2);
    let mut expired2 = app.fake_stripe().session_object(&session2.id).unwrap();
    expired2["status"] = json!("expired");
    let pi2 = app.fake_stripe().complete_session(&session2.id);
    let completed2 = app.fake_stripe().session_object(&session2.id).unwrap();
    assert_eq!(app.deliver_stripe(&app.fake_stripe().event("checkout.session.expired", expired2)).await, 200);
    said(&customer, "reservation lapsed").await;
    let taken = buy(&other, &offer2, "1").await;
    assert!(taken.text.contains("reserved for"), "{}", taken.text);
    assert_eq!(app.deliver_stripe(&app.fake_stripe().event("checkout.session.completed", completed2)).await, 200);
    said(&customer, "is being refunded in full").await;
    said(&customer, "refund of €2.00 is done").await;
    assert_eq!(app.store().purchase(id2).await.unwrap().status, PurchaseStatus::Refunded);
    assert!(app.fake_stripe().refunds().iter().any(|r| r.payment_intent == pi2));
    let o = app.store().offer(offer2.id).await.unwrap();
    assert_eq!((o.items[0].reserved, o.items[0].sold), (1, 0), "the other customer's reservation untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripe_failing_at_checkout_releases_the_reservation() {
    let Some(app) = TestApp::spawn_with_stripe(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), 1601, "Flaky Shop", NEAR, 4, 200).await;
    let customer = app.user(CUSTOMER, "Carla");
    for mode in [FailMode::Status500, FailMode::Timeout(StdDuration::from_secs(3))] {
        app.fake_stripe().fail_next_on("/v1/checkout/sessions", 1, mode);
        let answer = buy(&customer, &offer, "2").await;
        assert!(answer.text.contains("payments aren't working right now"), "{mode:?}: {}", answer.text);
        // Stripe may have made the session anyway: the release job asks
        // again with the same key and form, and expires what it finds
        // before the stock goes back.
        eventually("released", || async {
            let o = app.store().offer(offer.id).await.unwrap();
            (o.items[0].reserved, o.remaining()) == (0, 4)
        })
        .await;
    }
    let all = app.store().purchases_of_offer(offer.id, &[]).await.unwrap();
    assert!(all.iter().all(|p| p.status == PurchaseStatus::Expired), "{all:?}");
    // Nothing can be paid: every session Stripe made is expired.
    let sessions = app.fake_stripe().sessions();
    assert!(!sessions.is_empty() && sessions.iter().all(|s| s.status == "expired"), "{sessions:?}");
    let keys: Vec<_> =
        app.fake_stripe().requests("/v1/checkout/sessions").into_iter().filter_map(|r| r.idempotency_key).collect();
    for p in &all {
        let mine: Vec<_> = keys.iter().filter(|k| k.ends_with(&format!("-checkout-{}", p.id))).collect();
        assert!(mine.len() >= 2, "asked again with the same key: {keys:?}");
    }
    // The customer was told once that nothing was reserved, and nothing more.
    assert!(customer.no_reply_for(StdDuration::from_millis(300)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpaid_reservations_lapse_and_refunds_are_retried() {
    let Some(app) = TestApp::spawn_with_stripe(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), 1701, "Slow Shop", NEAR, 3, 200).await;
    let customer = app.user(CUSTOMER, "Carla");

    // Not paid within 30 minutes: the session is expired at Stripe first, then the stock released.
    let r = buy(&customer, &offer, "1").await;
    let id = order_id(&r.text);
    let session = session_of(&app, id);
    app.clock.advance(Duration::minutes(31));
    said(&customer, "reservation lapsed").await;
    assert_eq!(app.fake_stripe().session(&session.id).unwrap().status, "expired");
    assert_eq!(app.store().purchase(id).await.unwrap().status, PurchaseStatus::Expired);
    assert_eq!(app.store().offer(offer.id).await.unwrap().remaining(), 3);

    // A refund Stripe rejects at first stays queued and goes through later.
    let r = buy(&customer, &offer, "1").await;
    let id = order_id(&r.text);
    let session = session_of(&app, id);
    app.fake_stripe().complete_session(&session.id);
    let paid =
        app.fake_stripe().event("checkout.session.completed", app.fake_stripe().session_object(&session.id).unwrap());
    assert_eq!(app.deliver_stripe(&paid).await, 200);
    said(&customer, "confirmed!").await;
    app.fake_stripe().fail_next_on("/v1/refunds", 2, FailMode::Status500);
    customer.send("/orders");
    said(&customer, "Your orders").await;
    customer.press(&format!("Cancel #{id}"));
    said(&customer, "back in full").await;
    customer.press("Yes, cancel it");
    said(&customer, "will be refunded").await;
    assert_eq!(app.store().purchase(id).await.unwrap().status, PurchaseStatus::RefundPending);
    assert!(app.fake_stripe().refunds().is_empty());
    // Backoff: the next tries come later.
    for _ in 0..2 {
        app.clock.advance(Duration::minutes(5));
        tokio::time::sleep(StdDuration::from_millis(400)).await;
    }
    eventually("refund retried until accepted", || async {
        app.clock.advance(Duration::minutes(5));
        app.store().purchase(id).await.unwrap().status == PurchaseStatus::Refunded
    })
    .await;
    assert_eq!(app.fake_stripe().refunds().len(), 1, "one refund, however many tries");
    let keys: Vec<_> =
        app.fake_stripe().requests("/v1/refunds").into_iter().filter_map(|r| r.idempotency_key).collect();
    assert!(
        keys.len() >= 3 && keys.iter().all(|k| k == &keys[0] && k.ends_with(&format!("-refund-{id}-0"))),
        "{keys:?}"
    );

    // After the cutoff a paid order can't be cancelled.
    let r = buy(&customer, &offer, "1").await;
    let id = order_id(&r.text);
    let session = session_of(&app, id);
    app.fake_stripe().complete_session(&session.id);
    let paid =
        app.fake_stripe().event("checkout.session.completed", app.fake_stripe().session_object(&session.id).unwrap());
    assert_eq!(app.deliver_stripe(&paid).await, 200);
    said(&customer, "confirmed!").await;
    let o = app.store().offer(offer.id).await.unwrap();
    let to_cutoff = o.pickup_start - Duration::hours(2) - app.clock.now();
    app.clock.advance(to_cutoff + Duration::minutes(1));
    customer.send("/orders");
    said(&customer, "Your orders").await;
    customer.press(&format!("Cancel #{id}"));
    said(&customer, "back in full").await;
    customer.press("Yes, cancel it");
    said(&customer, "until 2 h before pickup starts").await;
    assert_eq!(app.store().purchase(id).await.unwrap().status, PurchaseStatus::Paid);
}
