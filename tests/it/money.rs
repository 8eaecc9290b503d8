//! Money you can trust, through the real bot and a fake Stripe that is as
//! strict as Stripe (`expires_at` from its own clock, slow answers when
//! asked, refunds that stay pending or fail): the five ways money went
//! astray, reconciliation of missed webhooks, and the notice lane.

use std::time::Duration as StdDuration;

use chrono::{Duration, Timelike, Utc};
use glean::domain::{OfferEvent, PurchaseStatus};
use glean::store::{Actor, StoredQuiet};
use glean_fakes::telegram::FakeUser;
use serde_json::{Value, json};

use crate::support::app::{ADMIN_ID, TestApp, eventually, said};
use crate::support::db::Backend;
use crate::support::fixtures::{draft, item, now, shop_with_offer};
use crate::support::shop::{buy, buy_and_pay, order_id, pay_at_stripe, session_of};

const SHOP: i64 = 1301;
const AT: (f64, f64) = (52.5200, 13.4050);

macro_rules! on_both {
    ($($name:ident => $body:ident),+ $(,)?) => {
        mod both {
            $(
                pub mod $name {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn sqlite() {
                        super::super::$body(crate::support::db::Backend::Sqlite).await;
                    }
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn postgres() {
                        super::super::$body(crate::support::db::Backend::Postgres).await;
                    }
                }
            )+
        }
    };
}

on_both! {
    checkout_works_at_the_default_ttl_with_a_slow_stripe => checkout_with_a_slow_stripe,
    a_payment_that_lands_after_a_withdrawal_is_refunded => paid_then_withdrawn,
    a_pending_refund_stays_pending_until_stripe_says_so => pending_refund,
    a_failed_refund_reaches_everyone_and_admins_can_act => failed_refund,
    events_about_another_session_change_nothing => foreign_events,
    reconciliation_heals_missed_webhooks => reconciliation,
    glean_reconcile_prints_and_heals => reconcile_command,
    randomized_money_always_adds_up => randomized,
}

/// The app with a fake Stripe that answers like the real one: after a
/// few hundred milliseconds.
async fn spawn_slow_stripe(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn_with_stripe(backend).await?;
    app.fake_stripe().set_latency(StdDuration::from_millis(300));
    Some(app)
}

/// Cancels `id` through `/orders` and the confirmation.
async fn cancel(customer: &FakeUser, id: i64) {
    customer.send("/orders");
    said(customer, "Your orders").await;
    customer.press(&format!("Cancel #{id}"));
    said(customer, "back in full").await;
    customer.press("Yes, cancel it");
    said(customer, "will be refunded").await;
}

/// The refund Stripe holds for a PaymentIntent, once it exists.
async fn refund_of(app: &TestApp, pi: &str) -> String {
    let find = || app.fake_stripe().refunds().into_iter().find(|r| r.payment_intent == pi).map(|r| r.id);
    eventually("a refund at Stripe", || async { find().is_some() }).await;
    find().unwrap_or_default()
}

async fn status(app: &TestApp, id: i64) -> PurchaseStatus {
    app.store().purchase(id).await.unwrap().status
}

/// Case 1: `expires_at` was computed before the reservation and the call;
/// a Stripe answering in a second refused it. Now every checkout at the
/// default TTL goes through, and every session lives ≥ 30 min from its
/// creation at Stripe.
async fn checkout_with_a_slow_stripe(backend: Backend) {
    let Some(app) = TestApp::spawn_with_stripe(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Slow Stripe Bakery", AT, 10, 200).await;
    app.fake_stripe().set_latency(StdDuration::from_millis(1100));
    for n in 0..3 {
        let customer = app.user(3400 + n, "Carla");
        let answer = buy(&customer, &offer, "1").await;
        assert!(answer.text.contains("reserved for"), "{}", answer.text);
        let session = session_of(&app, order_id(&answer.text));
        assert!(session.expires_at >= session.created + 30 * 60, "{session:?}");
    }
    let refused: Vec<_> =
        app.fake_stripe().requests("/v1/checkout/sessions").into_iter().filter(|r| r.status != 200).collect();
    assert!(refused.is_empty(), "{refused:?}");
}

/// Case 2: the customer paid at Stripe, then the business withdrew the
/// deal before the webhook came. The payment is found (expiring the
/// session fails: it completed), the order refunded in full, the customer
/// told; the late webhook changes nothing.
async fn paid_then_withdrawn(backend: Backend) {
    let Some(app) = spawn_slow_stripe(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Withdrawing Bakery", AT, 5, 250).await;
    let owner = app.user(SHOP, "Baker");
    let customer = app.user(3501, "Carla");
    let id = order_id(&buy(&customer, &offer, "2").await.text);
    let late_webhook = pay_at_stripe(&app, id);

    owner.send(&format!("/edit {}", offer.id));
    owner.reply_matching(|m| m.button_labels().contains(&"🗑 Withdraw")).await;
    owner.press("🗑 Withdraw");
    owner.reply_matching(|m| m.edited && m.text.contains("Withdraw")).await;
    owner.press("Yes, withdraw");
    said(&owner, "is withdrawn").await;

    let told = said(&customer, "withdrew").await;
    assert!(told.text.contains("€5.00 is being refunded in full"), "{}", told.text);
    said(&customer, "refund of €5.00 is done").await;
    assert_eq!(status(&app, id).await, PurchaseStatus::Refunded);
    let pi = app.store().purchase(id).await.unwrap().stripe_payment_intent.expect("the payment was found");
    assert_eq!(app.fake_stripe().net_captured(&pi), 0, "every cent back");

    assert_eq!(app.deliver_stripe(&late_webhook).await, 200);
    assert!(customer.no_reply_for(StdDuration::from_millis(500)).await, "nothing more to say");
    assert_eq!(status(&app, id).await, PurchaseStatus::Refunded);
    assert_eq!(app.fake_stripe().refunds().len(), 1);
    let trail = app.store().audit_trail("purchase", id).await.unwrap();
    let steps: Vec<_> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(steps, ["purchase", "pay_unfulfillable", "refunded"], "{trail:?}");
}

/// Case 3: a refund Stripe reports `pending` is not `refunded` until
/// Stripe says it succeeded.
async fn pending_refund(backend: Backend) {
    let Some(app) = spawn_slow_stripe(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Pending Bakery", AT, 5, 300).await;
    let customer = app.user(3601, "Carla");
    app.fake_stripe().refunds_start_pending(true);
    let id = buy_and_pay(&app, &customer, &offer, "1").await;
    cancel(&customer, id).await;
    let pi = app.store().purchase(id).await.unwrap().stripe_payment_intent.unwrap();
    let refund = refund_of(&app, &pi).await;
    eventually("the refund id kept", || async {
        app.store().purchase(id).await.unwrap().stripe_refund_id.as_deref() == Some(refund.as_str())
    })
    .await;
    tokio::time::sleep(StdDuration::from_millis(1500)).await;
    assert_eq!(status(&app, id).await, PurchaseStatus::RefundPending, "pending is not done");
    assert!(!customer.messages().iter().any(|m| m.text.contains("is done")));

    let object = app.fake_stripe().settle_refund(&refund, "succeeded", None);
    let event = app.fake_stripe().event("refund.updated", object);
    assert_eq!(app.deliver_stripe(&event).await, 200);
    said(&customer, "refund of €3.00 is done").await;
    assert_eq!(status(&app, id).await, PurchaseStatus::Refunded);
    assert_eq!(app.fake_stripe().net_captured(&pi), 0);
    assert_eq!(app.deliver_stripe(&event).await, 200, "a replay is acknowledged");
    assert!(customer.no_reply_for(StdDuration::from_millis(300)).await, "and acted on once");
}

/// Case 4: a refund that fails (at once, or days after it succeeded)
/// reaches the customer, the business and the admins; an admin retries it
/// with a new idempotency key, or records it settled outside Stripe.
async fn failed_refund(backend: Backend) {
    let Some(app) = spawn_slow_stripe(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Failing Bakery", AT, 5, 300).await;
    let owner = app.user(SHOP, "Baker");
    let admin = app.admin();
    let customer = app.user(3701, "Carla");
    app.fake_stripe().refunds_start_pending(true);
    let id = buy_and_pay(&app, &customer, &offer, "1").await;
    cancel(&customer, id).await;
    let pi = app.store().purchase(id).await.unwrap().stripe_payment_intent.unwrap();
    let refund = refund_of(&app, &pi).await;
    let object = app.fake_stripe().settle_refund(&refund, "failed", Some("expired_or_canceled_card"));
    assert_eq!(app.deliver_stripe(&app.fake_stripe().event("refund.failed", object)).await, 200);
    said(&customer, "didn't go through").await;
    let staff = said(&owner, "Refund failed").await;
    assert!(staff.text.contains(&format!("order #{id}")) && staff.text.contains("€3.00"), "{}", staff.text);
    let told = said(&admin, "Refund failed").await;
    assert!(told.text.contains("expired_or_canceled_card"), "{}", told.text);
    assert_eq!(status(&app, id).await, PurchaseStatus::RefundFailed);
    assert_eq!(app.fake_stripe().net_captured(&pi), 300, "the money is still with us");
    customer.send("/orders");
    let orders = said(&customer, "Your orders").await;
    assert!(orders.text.contains("refund failed"), "{}", orders.text);

    // An admin lists and retries it: a new attempt, so a new key.
    admin.send("/refunds");
    let list = said(&admin, "Failed refunds").await;
    assert!(list.text.contains(&format!("#{id}")), "{}", list.text);
    app.fake_stripe().refunds_start_pending(false);
    admin.send(&format!("/refund_retry {id}"));
    said(&admin, "queued again").await;
    said(&customer, "refund of €3.00 is done").await;
    assert_eq!(status(&app, id).await, PurchaseStatus::Refunded);
    assert_eq!(app.fake_stripe().net_captured(&pi), 0);
    let keys: Vec<String> =
        app.fake_stripe().requests("/v1/refunds").into_iter().filter_map(|r| r.idempotency_key).collect();
    assert!(keys.iter().any(|k| k.ends_with(&format!("-refund-{id}-0"))), "{keys:?}");
    assert!(keys.iter().any(|k| k.ends_with(&format!("-refund-{id}-1"))), "{keys:?}");

    // Days later the card refund fails after all (refund.updated).
    let object = app.fake_stripe().settle_refund(
        &app.store().purchase(id).await.unwrap().stripe_refund_id.unwrap(),
        "failed",
        Some("lost_or_stolen_card"),
    );
    assert_eq!(app.deliver_stripe(&app.fake_stripe().event("refund.updated", object)).await, 200);
    said(&admin, "lost_or_stolen_card").await;
    assert_eq!(status(&app, id).await, PurchaseStatus::RefundFailed);
    admin.send(&format!("/refund_settled {id}"));
    said(&admin, "settled outside Stripe").await;
    assert_eq!(status(&app, id).await, PurchaseStatus::RefundSettled);
    // Bad input: no such order, or not a failed refund.
    admin.send("/refund_retry 999999");
    said(&admin, "Usage: /refund_retry").await;
    admin.send(&format!("/refund_retry {id}"));
    said(&admin, "Usage: /refund_retry").await;
    assert_eq!(status(&app, id).await, PurchaseStatus::RefundSettled);
    let not_admin = app.user(3799, "Mallory");
    not_admin.send(&format!("/refund_retry {id}"));
    said(&not_admin, "admins only").await;
    let _ = ADMIN_ID;
}

/// Case 5: a validly signed event about another session (another
/// deployment on the same account, or a restored database) is acknowledged
/// and changes nothing; so is one with another amount, currency or mode.
/// Idempotency keys carry this installation's id.
async fn foreign_events(backend: Backend) {
    let Some(app) = spawn_slow_stripe(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Careful Bakery", AT, 5, 300).await;
    let customer = app.user(3801, "Carla");
    let id = order_id(&buy(&customer, &offer, "1").await.text);
    let session = session_of(&app, id);
    let stripe = app.fake_stripe();
    let genuine = stripe.session_object(&session.id).unwrap();
    let paid = |patch: Value| {
        let mut object = genuine.clone();
        object["status"] = json!("complete");
        object["payment_status"] = json!("paid");
        object["payment_intent"] = json!("pi_someone_else");
        for (k, v) in patch.as_object().unwrap() {
            object[k] = v.clone();
        }
        object
    };
    let forged = [
        stripe.event("checkout.session.completed", paid(json!({"id": "cs_test_other", "amount_total": 1}))),
        stripe.event("checkout.session.completed", paid(json!({"amount_total": 1}))),
        stripe.event("checkout.session.completed", paid(json!({"currency": "usd"}))),
        {
            let mut live: Value =
                serde_json::from_str(&stripe.event("checkout.session.completed", paid(json!({})))).unwrap();
            live["livemode"] = json!(true);
            live.to_string()
        },
        stripe.event("checkout.session.expired", {
            let mut o = genuine.clone();
            o["id"] = json!("cs_test_other");
            o["status"] = json!("expired");
            o
        }),
    ];
    for event in &forged {
        assert_eq!(app.deliver_stripe(event).await, 200, "acknowledged: {event}");
    }
    assert_eq!(status(&app, id).await, PurchaseStatus::Reserved, "nothing changed");
    assert_eq!(app.store().offer(offer.id).await.unwrap().items[0].reserved, 1);
    assert!(customer.no_reply_for(StdDuration::from_millis(300)).await);

    // The real payment still goes through.
    let event = pay_at_stripe(&app, id);
    assert_eq!(app.deliver_stripe(&event).await, 200);
    said(&customer, "confirmed!").await;

    let install = app.store().install_id().await.unwrap();
    let keys: Vec<String> = app.fake_stripe().requests("").into_iter().filter_map(|r| r.idempotency_key).collect();
    assert!(!keys.is_empty() && keys.iter().all(|k| k.starts_with(&format!("{install}-"))), "{keys:?}");
}

/// Missed webhooks: a completed checkout and a succeeded refund that were
/// never delivered are found by reconciliation, and the customer hears.
async fn reconciliation(backend: Backend) {
    let Some(app) = spawn_slow_stripe(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Offline Bakery", AT, 5, 300).await;
    let owner = app.user(SHOP, "Baker");
    let customer = app.user(3901, "Carla");

    // Paid at Stripe; the webhook endpoint was down.
    let id = order_id(&buy(&customer, &offer, "2").await.text);
    let _never_delivered = pay_at_stripe(&app, id);
    app.clock.advance(Duration::minutes(31));
    let confirmed = said(&customer, "confirmed!").await;
    let p = app.store().purchase(id).await.unwrap();
    assert!(confirmed.text.contains(p.pickup_code.as_str()), "{}", confirmed.text);
    assert_eq!(p.status, PurchaseStatus::Paid);
    said(&owner, "New order").await;
    assert_eq!(app.store().offer(offer.id).await.unwrap().items[0].sold, 2);

    // A refund that succeeded at Stripe without telling us.
    app.fake_stripe().refunds_start_pending(true);
    cancel(&customer, id).await;
    let refund = refund_of(&app, p.stripe_payment_intent.as_deref().unwrap()).await;
    app.fake_stripe().settle_refund(&refund, "succeeded", None);
    app.clock.advance(Duration::minutes(6));
    said(&customer, "refund of €6.00 is done").await;
    assert_eq!(status(&app, id).await, PurchaseStatus::Refunded);
}

/// `glean reconcile`, run as the binary while no instance runs, finds a
/// refund that succeeded at Stripe without telling us, heals it, says so,
/// and leaves the customer's notice for the next instance to send.
async fn reconcile_command(backend: Backend) {
    let Some(mut app) = spawn_slow_stripe(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Quiet Bakery", AT, 5, 300).await;
    let customer = app.user(3921, "Carla");
    app.fake_stripe().refunds_start_pending(true);
    let id = buy_and_pay(&app, &customer, &offer, "1").await;
    cancel(&customer, id).await;
    let pi = app.store().purchase(id).await.unwrap().stripe_payment_intent.unwrap();
    let refund = refund_of(&app, &pi).await;
    app.fake_stripe().settle_refund(&refund, "succeeded", None);
    app.stop().await;
    // Ten minutes on, as far as the database can tell.
    app.db.execute(&format!("UPDATE purchases SET updated_at = updated_at - 600 WHERE id = {id}")).await;

    let stripe = app.fake_stripe();
    let env = [
        ("DATABASE_URL", app.db.url.clone()),
        ("STRIPE_SECRET_KEY", stripe.secret_key().to_string()),
        ("STRIPE_WEBHOOK_SECRET", stripe.webhook_secret().to_string()),
        ("STRIPE_API_BASE", stripe.base_url()),
    ];
    let run = move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_glean"))
            .arg("reconcile")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env.clone())
            .output()
            .expect("run glean reconcile")
    };
    let out = tokio::task::spawn_blocking(run.clone()).await.unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{printed}{}", String::from_utf8_lossy(&out.stderr));
    assert!(printed.contains(&format!("purchase {id}: refund succeeded at Stripe -> marked refunded")), "{printed}");
    assert_eq!(status(&app, id).await, PurchaseStatus::Refunded);
    let waiting = app.store().notices_of_chat(customer.id()).await.unwrap();
    assert!(
        waiting.iter().any(|(k, p, s)| *k == glean::domain::NoticeKind::Refunded && *p == Some(id) && s == "pending")
    );

    let again = tokio::task::spawn_blocking(run).await.unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("everything matches Stripe"));
}

/// A pickup code never waits behind a fan-out, nor for the customer's
/// quiet hours: the confirmation is sent while a 2,000-follower fan-out is
/// running, before its remaining alerts (by order in the fake's log).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_overtakes_a_fan_out_and_quiet_hours() {
    let Some(app) = TestApp::spawn_with_stripe_and(Backend::Sqlite, &[("TELEGRAM_BULK_PER_SEC", "20")]).await else {
        return;
    };
    let offer = shop_with_offer(app.store(), SHOP, "Popular Bakery", AT, 5, 300).await;
    let customer_id = 3951;
    let customer = app.user(customer_id, "Carla");
    let store = app.store();
    for follower in 100_000..102_000 {
        store.follow(follower, offer.business_id, now()).await.unwrap();
    }
    store.follow(customer_id, offer.business_id, now()).await.unwrap();
    let minute = (Utc::now().hour() * 60 + Utc::now().minute()) as u16;
    let quiet =
        StoredQuiet { timezone: Some("UTC".into()), quiet: Some(((minute + 1380) % 1440, (minute + 60) % 1440)) };
    store.set_quiet(customer_id, &quiet, now()).await.unwrap();

    let id = order_id(&buy(&customer, &offer, "1").await.text);
    // A second deal of the shop: 2,001 followers to tell.
    let business = store.business(offer.business_id).await.unwrap();
    let venue = store.venue(offer.venue_id).await.unwrap();
    let mut second = draft(&business, &venue, vec![item("Cake box", 900, 400, 5)]);
    second.title = glean::domain::text::Title::parse("Cake rescue").unwrap();
    let second = store.create_offer(&second, &Actor::User(SHOP), now()).await.unwrap();
    store.apply_offer_event(second.id, OfferEvent::Publish, &Actor::User(SHOP), now()).await.unwrap();
    let alerts = || {
        app.tg
            .calls("sendMessage")
            .into_iter()
            .filter(|c| c["text"].as_str().is_some_and(|t| t.contains("Cake rescue")))
            .count()
    };
    eventually("the fan-out is running", || async { alerts() >= 20 }).await;

    let event = pay_at_stripe(&app, id);
    assert_eq!(app.deliver_stripe(&event).await, 200);
    said(&customer, "confirmed!").await;
    let before = alerts();
    eventually("the fan-out goes on after it", || async { alerts() > before }).await;
    let log = app.tg.calls("sendMessage");
    let position = log
        .iter()
        .position(|c| {
            c["chat_id"] == json!(customer_id) && c["text"].as_str().is_some_and(|t| t.contains("confirmed!"))
        })
        .expect("the confirmation in the log");
    let alerts_before =
        log[..position].iter().filter(|c| c["text"].as_str().is_some_and(|t| t.contains("Cake rescue"))).count();
    let alerts_after =
        log[position..].iter().filter(|c| c["text"].as_str().is_some_and(|t| t.contains("Cake rescue"))).count();
    assert!(alerts_before < 2_000 && alerts_after > 0, "before {alerts_before}, after {alerts_after}");
    assert!(
        !log.iter().any(
            |c| c["chat_id"] == json!(customer_id) && c["text"].as_str().is_some_and(|t| t.contains("Cake rescue"))
        ),
        "the customer's own alert waits for the end of their quiet hours"
    );
}

/// A seeded mix of what customers, the business and Stripe do, with
/// webhooks delivered late, twice, out of order or never, then
/// reconciliation. Afterwards every card payment nets its price at Stripe
/// when the order stands (`paid`, `picked_up`, `no_show`, or an unsettled
/// `refund_failed`), zero otherwise; and stock counters match the orders.
async fn randomized(backend: Backend) {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    let seeds: u64 = if backend == Backend::Sqlite { 8 } else { 4 };
    // What the runs went through, so a run that exercised nothing fails.
    let mut seen: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for seed in 0..seeds {
        let Some(app) = TestApp::spawn_with_stripe(backend).await else { return };
        let ctx = app.side_ctx().await;
        let mut rng = StdRng::seed_from_u64(seed);
        let offer = shop_with_offer(app.store(), SHOP, "Random Bakery", AT, 12, 250).await;
        let item_id = offer.items[0].id;
        let mut held: Vec<String> = Vec::new(); // webhooks not delivered yet
        let mut purchases: Vec<i64> = Vec::new();
        for step in 0..60 {
            match rng.gen_range(0..10) {
                0..=2 => {
                    let customer = 5000 + rng.gen_range(0..30);
                    if let Ok(glean::actions::purchases::Bought::AwaitingPayment { purchase, .. }) =
                        glean::actions::purchases::buy(&ctx, customer, offer.id, item_id, rng.gen_range(1..=2), None)
                            .await
                    {
                        purchases.push(purchase.id);
                    }
                }
                3 | 4 => {
                    // A customer pays; Stripe's event may come now, later, twice or never.
                    let Some(&id) = purchases.get(rng.gen_range(0..purchases.len().max(1))) else { continue };
                    let Some(session) = app.store().purchase(id).await.unwrap().stripe_session_id else { continue };
                    if app.fake_stripe().try_complete_session(&session).is_some() {
                        let stripe = app.fake_stripe();
                        let event =
                            stripe.event("checkout.session.completed", stripe.session_object(&session).unwrap());
                        match rng.gen_range(0..4) {
                            0 => {
                                app.deliver_stripe(&event).await;
                            }
                            1 => {
                                app.deliver_stripe(&event).await;
                                held.push(event);
                            }
                            2 => held.push(event),
                            _ => {}
                        }
                    }
                }
                5 => {
                    let Some(&id) = purchases.get(rng.gen_range(0..purchases.len().max(1))) else { continue };
                    let customer = app.store().purchase(id).await.unwrap().customer_tg_id;
                    let _ = glean::actions::purchases::cancel(&ctx, customer, id).await;
                }
                6 => {
                    let event = [OfferEvent::Pause, OfferEvent::Resume, OfferEvent::Resume, OfferEvent::MarkSoldOut]
                        [rng.gen_range(0..4)];
                    let _ = glean::actions::offers::change(&ctx, SHOP, offer.id, event).await;
                }
                7 => {
                    // Late in some runs, the business withdraws the deal.
                    if step > 40 && rng.gen_bool(0.3) {
                        let _ = glean::actions::offers::withdraw(&ctx, SHOP, offer.id).await;
                    }
                }
                8 => app.clock.advance(Duration::minutes(rng.gen_range(5..40))),
                _ => {
                    // Late and out of order.
                    if !held.is_empty() {
                        let event = held.swap_remove(rng.gen_range(0..held.len()));
                        app.deliver_stripe(&event).await;
                    }
                }
            }
        }
        for event in held.drain(..) {
            if rng.gen_bool(0.5) {
                app.deliver_stripe(&event).await;
            }
        }
        // Every reservation lapses; reconciliation and the refund queue settle everything.
        app.clock.advance(Duration::minutes(40));
        for _ in 0..3 {
            glean::actions::purchases::reconcile(&ctx).await.unwrap();
            glean::actions::purchases::process_refunds(&ctx).await;
        }
        eventually("nothing left to settle", || async {
            let all = app.store().purchases_of_offer(offer.id, &[]).await.unwrap();
            all.iter().all(|p| !matches!(p.status, PurchaseStatus::Reserved | PurchaseStatus::RefundPending))
        })
        .await;

        let all = app.store().purchases_of_offer(offer.id, &[]).await.unwrap();
        for (pi, amount, purchase) in app.fake_stripe().payments() {
            let p = all
                .iter()
                .find(|p| Some(p.id.to_string()) == purchase)
                .unwrap_or_else(|| panic!("seed {seed}: a payment {pi} without its purchase"));
            assert_eq!(p.stripe_payment_intent.as_deref(), Some(pi.as_str()), "seed {seed}: payment known");
            assert_eq!(p.method, glean::store::PaymentMethod::Stripe, "seed {seed}: only card orders capture");
            let stands = matches!(
                p.status,
                PurchaseStatus::Paid | PurchaseStatus::PickedUp | PurchaseStatus::NoShow | PurchaseStatus::RefundFailed
            );
            let expected = if stands { amount } else { 0 };
            assert_eq!(app.fake_stripe().net_captured(&pi), expected, "seed {seed}: purchase {} is {}", p.id, p.status);
            assert_eq!(amount, p.total.minor(), "seed {seed}: charged the price");
        }
        for p in &all {
            *seen.entry(p.status.as_str()).or_default() += 1;
        }
        *seen.entry("payments").or_default() += app.fake_stripe().payments().len();
        *seen.entry("refunds").or_default() += app.fake_stripe().refunds().len();
        let o = app.store().offer(offer.id).await.unwrap();
        let units = |f: fn(PurchaseStatus) -> bool| -> u32 {
            all.iter().filter(|p| f(p.status)).map(|p| p.lines[0].quantity).sum()
        };
        assert_eq!(o.items[0].reserved, units(PurchaseStatus::holds_reservation), "seed {seed}: reserved");
        assert_eq!(o.items[0].sold, units(PurchaseStatus::counts_as_sold), "seed {seed}: sold");
        ctx.store.close().await;
    }
    *seen.entry("released").or_default() +=
        seen.get("expired").copied().unwrap_or(0) + seen.get("cancelled").copied().unwrap_or(0);
    for what in ["paid", "refunded", "released", "payments", "refunds"] {
        assert!(seen.get(what).is_some_and(|n| *n > 0), "the runs never reached {what}: {seen:?}");
    }
}
