//! Following and alerts through the real bot: Follow / Unfollow on shop
//! pages, cards and `/following`; `/alerts` (nearby alerts, quiet hours);
//! and the outbox fan-out at Telegram's limits, with the fake Telegram's
//! flood limits on: exactly one notification per customer, followers
//! first, across a restart; a 429 waited out with nothing lost; blocked
//! customers skipped; a sell-out stopping what is left; quiet hours
//! holding alerts. Pacing is checked on the app's own send log (when it
//! let each send go), not on arrival times at the fake, which a busy
//! machine smears. Then the store side of the outbox on both backends: the
//! trigger, an idempotent fan-out, disjoint claims across pools.

use std::collections::{HashMap, HashSet};
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Timelike};
use glean::domain::{Coordinates, OfferEvent};
use glean::store::{Actor, Notification, NotificationStatus, Offer, StoredAlert, StoredQuiet};
use glean::telegram::SendEvent;
use glean_fakes::telegram::{FakeUser, RateLimits, TEST_LOCATION};

use crate::on_both_backends;
use crate::support::app::{TestApp, eventually, said};
use crate::support::db::{Backend, TestDb};
use crate::support::fixtures::{OWNER, draft, item, now, shop_with_offer, verified_business};

/// Telegram's limits, as the fake enforces them.
const LIMITS: RateLimits = RateLimits { per_chat_per_sec: 1.0, per_chat_burst: 1, global_per_sec: 30.0 };
/// `TELEGRAM_BULK_PER_SEC`'s default: a margin under Telegram's 30.
const BULK_PER_SEC: f64 = 25.0;

/// A verified business (owner [`OWNER`], at Torstraße, Berlin) with a
/// draft "Bread bag" deal of `qty` units, to be published with `/publish`.
async fn business_with_draft(app: &TestApp, qty: u32) -> Offer {
    let (b, v) = verified_business(app.store()).await;
    another_draft(app, &b, &v, qty).await
}

async fn another_draft(app: &TestApp, b: &glean::store::Business, v: &glean::store::Venue, qty: u32) -> Offer {
    app.store()
        .create_offer(&draft(b, v, vec![item("Bread bag", 500, 250, qty)]), &Actor::User(OWNER), now())
        .await
        .unwrap()
}

async fn publish(app: &TestApp) {
    let owner = app.user(OWNER, "Owner");
    owner.send("/publish");
    said(&owner, "is live").await;
}

/// The point `d` metres from `from` towards `bearing` degrees (flat-earth;
/// fine at a few kilometres).
fn offset(from: (f64, f64), bearing: f64, d: f64) -> (f64, f64) {
    let (s, c) = bearing.to_radians().sin_cos();
    (from.0 + d * c / 111_195.0, from.1 + d * s / (111_195.0 * from.0.to_radians().cos()))
}

async fn follower(app: &TestApp, id: i64, business_id: i64) -> FakeUser {
    let u = app.user(id, "Follower");
    app.store().upsert_user(id, "Follower", None, None, now()).await.unwrap();
    app.store().follow(id, business_id, now()).await.unwrap();
    u
}

async fn subscriber(app: &TestApp, id: i64, at: (f64, f64), radius_m: u32, keywords: &str) -> FakeUser {
    let u = app.user(id, "Nearby");
    app.store().upsert_user(id, "Nearby", None, None, now()).await.unwrap();
    let alert = StoredAlert {
        customer_tg_id: id,
        location: Coordinates::new(at.0, at.1).unwrap(),
        radius_m,
        keywords: keywords.to_string(),
    };
    app.store().set_alert(&alert, now()).await.unwrap();
    u
}

/// Waits (at most `within`) until `offer_id` has `expected` notifications
/// and none is waiting; a send still under way gets two seconds to finish
/// (one left behind by a stopped sender never does).
async fn outbox_done(app: &TestApp, offer_id: i64, expected: usize, within: StdDuration) -> Vec<Notification> {
    let deadline = Instant::now() + within;
    let mut settled: Option<Instant> = None;
    loop {
        let rows = app.store().notifications_of_offer(offer_id).await.unwrap();
        let waiting = rows
            .iter()
            .filter(|n| matches!(n.status, NotificationStatus::Pending | NotificationStatus::Claimed))
            .count();
        if rows.len() >= expected && waiting == 0 {
            if count(&rows, NotificationStatus::Sending) == 0 {
                return rows;
            }
            if settled.get_or_insert_with(Instant::now).elapsed() > StdDuration::from_secs(2) {
                return rows;
            }
        } else {
            settled = None;
        }
        assert!(
            Instant::now() < deadline,
            "outbox of offer {offer_id} not done: {} rows, {waiting} waiting",
            rows.len()
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
}

fn count(rows: &[Notification], status: NotificationStatus) -> usize {
    rows.iter().filter(|n| n.status == status).count()
}

/// The chats of `sendMessage` calls from the `from`-th on, in order.
fn sends_since(app: &TestApp, from: usize) -> Vec<i64> {
    app.tg.calls("sendMessage").iter().skip(from).filter_map(|p| p["chat_id"].as_i64()).collect()
}

/// The bulk sends of one run of the app, `(started, chat)`, in order.
fn bulk_starts(log: &[SendEvent]) -> Vec<(Instant, i64)> {
    log.iter()
        .filter_map(|e| match *e {
            SendEvent::Started { at, chat, bulk: true } => Some((at, chat)),
            _ => None,
        })
        .collect()
}

/// Each bulk send of a run started at least 1/`per_sec` after the one
/// before it, by the app's own clock.
fn assert_paced(log: &[SendEvent], per_sec: f64) {
    let period = StdDuration::from_secs_f64(1.0 / per_sec);
    let starts = bulk_starts(log);
    for pair in starts.windows(2) {
        let gap = pair[1].0 - pair[0].0;
        assert!(gap >= period, "bulk sends {gap:?} apart (to {} then {}), less than {period:?}", pair[0].1, pair[1].1);
    }
}

// --- the fan-out at Telegram's limits ------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_at_telegrams_limits_sqlite() {
    fan_out_at_telegrams_limits(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_at_telegrams_limits_postgres() {
    fan_out_at_telegrams_limits(Backend::Postgres).await;
}

/// 200 followers and 200 nearby subscribers, each told exactly once,
/// followers first, each send starting at least 1/25 s after the one
/// before (the default rate), across a restart halfway through.
async fn fan_out_at_telegrams_limits(backend: Backend) {
    let Some(mut app) = TestApp::spawn(backend).await else { return };
    let offer = business_with_draft(&app, 50).await;
    let shop = (offer.location.lat(), offer.location.lng());

    // A few customers through the bot: two follow from the shop's page,
    // two turn on nearby alerts (the location button shares Alexanderplatz,
    // about 1.1 km from the shop).
    let mut followers: Vec<i64> = Vec::new();
    for id in [5001, 5002] {
        let u = app.user(id, "Fiona");
        u.send(&format!("/start biz_{}", offer.business_id));
        said(&u, "Bäckerei Kalle").await;
        let cb = u.press("⭐ Follow");
        assert!(u.callback_answer(&cb).await.text.unwrap_or_default().contains("You follow"));
        followers.push(id);
    }
    let mut nearby: Vec<i64> = Vec::new();
    for id in [6001, 6002] {
        let u = app.user(id, "Nico");
        u.send("/alerts");
        said(&u, "Nearby alerts are off").await;
        u.press("Turn on nearby alerts");
        said(&u, "Which place").await;
        u.press("📍 Send location");
        said(&u, "How far").await;
        u.press("3 km");
        said(&u, "certain words").await;
        u.send("bread, vegan");
        said(&u, "Quiet hours?").await;
        u.press("No quiet hours");
        said(&u, "Alerts on").await;
        nearby.push(id);
    }
    // The rest through the store, for speed.
    for id in 10_000..10_198 {
        follower(&app, id, offer.business_id).await;
        followers.push(id);
    }
    for i in 0..198 {
        let id = 20_000 + i;
        let at = offset(shop, f64::from(i as i32 * 37 % 360), f64::from((i % 30) as i32 * 100));
        let keywords = if i % 5 == 0 { "bread" } else { "" };
        subscriber(&app, id, at, 5000, keywords).await;
        nearby.push(id);
    }
    // Customers whose alerts don't cover the deal.
    let mut others: Vec<i64> = Vec::new();
    for i in 0..4 {
        others.push(subscriber(&app, 30_000 + i, offset(shop, 90.0, 2000.0), 5000, "sushi, ramen").await.id());
        others.push(subscriber(&app, 30_100 + i, offset(shop, 180.0, 12_000.0), 10_000, "").await.id());
        others.push(subscriber(&app, 30_200 + i, offset(shop, 0.0, 3100.0), 3000, "").await.id());
    }
    assert_eq!((followers.len(), nearby.len()), (200, 200));

    // Telegram's limits on; the owner publishes.
    app.tg.set_rate_limits(Some(LIMITS));
    let before = app.tg.calls("sendMessage").len();
    let started = Instant::now();
    publish(&app).await;

    // Halfway through the followers, a restart.
    let deadline = Instant::now() + StdDuration::from_secs(30);
    loop {
        let rows = app.store().notifications_of_offer(offer.id).await.unwrap();
        if count(&rows, NotificationStatus::Sent) >= 100 {
            break;
        }
        assert!(Instant::now() < deadline, "fan-out didn't start");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    app.restart().await;
    let rows = outbox_done(&app, offer.id, 400, StdDuration::from_secs(60)).await;
    let took = started.elapsed();

    // One row per customer, followers first in the queue.
    assert_eq!(rows.len(), 400);
    let by_customer: HashMap<i64, &Notification> = rows.iter().map(|n| (n.customer_tg_id, n)).collect();
    assert_eq!(by_customer.len(), 400, "one notification per customer");
    for id in &followers {
        assert_eq!(by_customer[id].priority, 0, "follower {id}");
    }
    for id in &nearby {
        assert_eq!(by_customer[id].priority, 1, "subscriber {id}");
    }
    // Sent exactly once each. A graceful restart normally leaves nothing in
    // flight; at most the one send under way may be left unconfirmed, and
    // then it is never repeated.
    let sent = count(&rows, NotificationStatus::Sent);
    let in_flight = count(&rows, NotificationStatus::Sending) + count(&rows, NotificationStatus::Lost);
    assert!(sent + in_flight == 400 && in_flight <= 1, "sent {sent}, in flight {in_flight}: {rows:?}");
    let sends = sends_since(&app, before);
    let logs = app.send_logs();
    // A 429 (none is expected) would only make a customer's message go
    // again later: what is compared below is the first attempt of each.
    let sends_by_turn: Vec<i64> = {
        let mut seen = HashSet::new();
        logs.iter().flat_map(|log| bulk_starts(log)).map(|(_, chat)| chat).filter(|c| seen.insert(*c)).collect()
    };
    let mut per_chat: HashMap<i64, usize> = HashMap::new();
    for chat in &sends {
        *per_chat.entry(*chat).or_default() += 1;
    }
    for id in followers.iter().chain(&nearby) {
        let n = per_chat.get(id).copied().unwrap_or(0);
        if by_customer[id].status == NotificationStatus::Sent {
            assert_eq!(n, 1, "customer {id} got {n} notifications");
        } else {
            assert!(n <= 1, "customer {id} got {n} notifications");
        }
    }
    for id in &others {
        assert_eq!(per_chat.get(id), None, "customer {id} isn't covered by their alert");
    }
    // Followers before nearby subscribers, in the order the app let them go.
    let followers_set: HashSet<i64> = followers.iter().copied().collect();
    let nearby_set: HashSet<i64> = nearby.iter().copied().collect();
    assert_eq!(sends_by_turn.len(), 400, "every customer had a turn");
    let last_follower = sends_by_turn.iter().rposition(|c| followers_set.contains(c)).unwrap();
    let first_nearby = sends_by_turn.iter().position(|c| nearby_set.contains(c)).unwrap();
    assert!(
        last_follower < first_nearby,
        "followers first: last follower at {last_follower}, first nearby at {first_nearby}"
    );

    // Within Telegram's limits: evenly spaced at the default rate, on the
    // app's own clock (arrivals at the fake are what `glean-bench fanout`
    // measures, on a quiet machine).
    assert_eq!(logs.len(), 2, "one log per run");
    for log in &logs {
        assert_paced(log, BULK_PER_SEC);
    }
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
    eprintln!(
        "fan-out ({backend:?}): 400 notifications in {:.1} s with a restart ({:.1}/s overall), {} answered 429",
        took.as_secs_f64(),
        400.0 / took.as_secs_f64(),
        app.tg.count_429(),
    );

    // What they see: a compact card with Buy and View.
    let f = app.user(followers[0], "Fiona").last_message().unwrap();
    assert!(f.text.contains("Bäckerei Kalle posted a new deal"), "{}", f.text);
    assert!(f.text.contains("Surprise bag") && f.text.contains("from €2.50 €5.00 −50%"), "{}", f.text);
    assert_eq!(f.button_labels(), vec!["🛒 Buy", "👀 View"]);
    let n = app.user(nearby[0], "Nico").last_message().unwrap();
    assert!(n.text.contains("km from you") || n.text.contains(" m from you"), "{}", n.text);
    assert!(n.button_labels().contains(&"⭐ Follow Bäckerei Kalle"), "{:?}", n.button_labels());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_waits_out_a_429_and_loses_nothing() {
    /// Telegram's `retry_after`, in seconds.
    const RETRY_AFTER: u64 = 4;
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let (b, v) = verified_business(app.store()).await;
    let offer = another_draft(&app, &b, &v, 5).await;
    for id in 41_000..41_060 {
        follower(&app, id, b.id).await;
    }
    let customer = app.user(41_999, "Carla");
    publish(&app).await;
    let deadline = Instant::now() + StdDuration::from_secs(20);
    while count(&app.store().notifications_of_offer(offer.id).await.unwrap(), NotificationStatus::Sent) < 10 {
        assert!(Instant::now() < deadline, "fan-out didn't start");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    // Telegram says "too many" once, mid-fan-out.
    app.tg.refuse_next_send(RETRY_AFTER);
    let held = loop {
        let held = app.send_logs()[0].iter().find_map(|e| match *e {
            SendEvent::HeldOff { at, chat, bulk: true, retry_after } => Some((at, chat, retry_after)),
            _ => None,
        });
        if let Some(held) = held {
            break held;
        }
        assert!(Instant::now() < deadline, "no 429 held the bulk lane");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    };
    let (held_at, refused_chat, retry_after) = held;
    assert_eq!(retry_after, StdDuration::from_secs(RETRY_AFTER));
    // Meanwhile a customer's own request is answered: replies don't wait
    // behind the bulk lane's back-off.
    customer.send("/help");
    said(&customer, "What I can do").await;

    let rows = outbox_done(&app, offer.id, 60, StdDuration::from_secs(30)).await;
    assert_eq!(count(&rows, NotificationStatus::Sent), 60, "nothing lost: {rows:?}");
    assert_eq!(app.tg.count_429(), 1);
    let calls = sends_since(&app, 0);
    for id in 41_000..41_060 {
        let n = calls.iter().filter(|c| **c == id).count();
        let expected = if id == refused_chat { 2 } else { 1 };
        assert_eq!(n, expected, "customer {id}: {n} sendMessage calls");
    }

    // By the app's own record: no bulk send during the hold, the rest
    // after it, still paced; the reply went while the hold lasted.
    let log = &app.send_logs()[0];
    assert_paced(log, BULK_PER_SEC);
    let starts = bulk_starts(log);
    let before = starts.iter().filter(|(at, _)| *at < held_at).count();
    let after: Vec<&(Instant, i64)> = starts.iter().filter(|(at, _)| *at >= held_at).collect();
    assert_eq!(before + after.len(), 61, "60 sends and one again");
    for (at, chat) in &after {
        assert!(*at - held_at >= retry_after, "a bulk send to {chat} {:?} into a {retry_after:?} hold", *at - held_at);
    }
    assert!(after.iter().any(|(_, chat)| *chat == refused_chat), "the refused one went again");
    let reply = log
        .iter()
        .find_map(|e| match *e {
            SendEvent::Started { at, chat, bulk: false } if chat == customer.id() => Some(at),
            _ => None,
        })
        .unwrap();
    assert!(reply > held_at && reply - held_at < retry_after, "the reply went during the hold");
    let metrics = reqwest::get(format!("{}/metrics", app.base_url)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("glean_telegram_held_off_total{lane=\"bulk\"} "), "{metrics}");
}

/// A chat gets at most 3 messages at once and then 1 a second
/// (`TELEGRAM_PER_CHAT_PER_SEC`, `TELEGRAM_PER_CHAT_BURST`), by the app's
/// own record of when it let each go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_keep_the_per_chat_limit() {
    let limits = [("TELEGRAM_PER_CHAT_PER_SEC", "1"), ("TELEGRAM_PER_CHAT_BURST", "3")];
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &limits).await else { return };
    let user = app.user(8201, "Quick");
    for _ in 0..7 {
        user.send("/help");
    }
    for _ in 0..7 {
        said(&user, "What I can do").await;
    }
    let starts: Vec<Instant> = app.send_logs()[0]
        .iter()
        .filter_map(|e| match *e {
            SendEvent::Started { at, chat: 8201, .. } => Some(at),
            _ => None,
        })
        .collect();
    assert_eq!(starts.len(), 7);
    // A bucket of 3 refilling at 1/s: n sends within d seconds need n ≤ 3 + d.
    for i in 0..starts.len() {
        for j in i..starts.len() {
            let n = (j - i + 1) as f64;
            let d = (starts[j] - starts[i]).as_secs_f64();
            assert!(n <= 3.0 + d + 1e-9, "sends {i}..={j}: {n} within {d:.3} s");
        }
    }
}

/// Blocked customers are marked unreachable and skipped afterwards; a
/// sell-out mid-fan-out drops the rest; when the deal is back in stock,
/// those who weren't told yet hear about it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_customers_and_a_sell_out_stop_notifications() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let (b, v) = verified_business(app.store()).await;
    let first = another_draft(&app, &b, &v, 5).await;
    let mut users = Vec::new();
    for id in 40_000..40_060 {
        users.push(follower(&app, id, b.id).await);
    }
    let blocked = [40_010, 40_020, 40_030];
    for id in blocked {
        app.user(id, "Follower").block();
    }
    app.tg.set_rate_limits(Some(LIMITS));
    publish(&app).await;
    let rows = outbox_done(&app, first.id, 60, StdDuration::from_secs(20)).await;
    assert_eq!(count(&rows, NotificationStatus::Sent), 57);
    for id in blocked {
        let row = rows.iter().find(|n| n.customer_tg_id == id).unwrap();
        assert_eq!((row.status, row.reason.as_deref()), (NotificationStatus::Failed, Some("unreachable")));
        assert!(app.store().user(id).await.unwrap().unwrap().unreachable, "{id} marked unreachable");
    }

    // The next deal skips them; it sells out while being announced.
    let second = another_draft(&app, &b, &v, 5).await;
    let before = app.tg.calls("sendMessage").len();
    publish(&app).await;
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while count(&app.store().notifications_of_offer(second.id).await.unwrap(), NotificationStatus::Sent) < 15 {
        assert!(Instant::now() < deadline, "second fan-out didn't start");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    let item = second.items[0].id;
    app.store().set_item_quantity(item, 0, &Actor::User(OWNER), now()).await.unwrap();
    let sent_at_sell_out = app.store().notifications_of_offer(second.id).await.unwrap();
    let sent_at_sell_out = count(&sent_at_sell_out, NotificationStatus::Sent);
    let rows = outbox_done(&app, second.id, 57, StdDuration::from_secs(10)).await;
    assert_eq!(rows.len(), 57, "blocked customers aren't even queued");
    for id in blocked {
        assert!(rows.iter().all(|n| n.customer_tg_id != id));
    }
    let sent = count(&rows, NotificationStatus::Sent);
    assert!(
        sent <= sent_at_sell_out + 1,
        "at most the send under way goes out after the sell-out: {sent} vs {sent_at_sell_out}"
    );
    let dropped = rows.iter().filter(|n| n.reason.as_deref() == Some("offer_gone")).count();
    assert_eq!(sent + dropped, 57, "{rows:?}");
    assert!(dropped >= 30, "most were dropped: {dropped}");
    let sends = sends_since(&app, before);
    assert_eq!(sends.iter().filter(|c| **c != OWNER).count(), sent);
    for id in blocked {
        let attempts = app.tg.calls("sendMessage").iter().filter(|p| p["chat_id"].as_i64() == Some(id)).count();
        assert_eq!(attempts, 1, "{id}: one attempt, on the first deal");
    }

    // Back in stock: those not told yet hear about it, the others don't
    // hear twice.
    app.store().set_item_quantity(item, 3, &Actor::User(OWNER), now()).await.unwrap();
    let told: HashSet<i64> =
        rows.iter().filter(|n| n.status == NotificationStatus::Sent).map(|n| n.customer_tg_id).collect();
    let restock = app.store().notifications_of_offer(second.id).await.unwrap();
    let first_publication = restock[0].publication_id;
    let rows = outbox_done(&app, second.id, 57 + dropped, StdDuration::from_secs(10)).await;
    let fresh: Vec<&Notification> = rows.iter().filter(|n| n.publication_id != first_publication).collect();
    assert_eq!(fresh.len(), dropped, "only those not told yet: {fresh:?}");
    assert!(fresh.iter().all(|n| n.status == NotificationStatus::Sent && !told.contains(&n.customer_tg_id)));
    let last = app.user(fresh[0].customer_tg_id, "Follower").last_message().unwrap();
    assert!(last.text.contains("Back in stock at Bäckerei Kalle"), "{}", last.text);
    assert_eq!(app.tg.count_429(), 0);

    // A blocked customer who writes again is reachable again.
    let back = app.user(blocked[0], "Follower");
    back.send("/following");
    said(&back, "Bäckerei Kalle").await;
    assert!(!app.store().user(blocked[0]).await.unwrap().unwrap().unreachable);
}

/// Quiet hours hold an alert until they end, or drop it when they outlast
/// the pickup window; a notification's Buy button works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_hold_alerts_until_they_end() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let offer = business_with_draft(&app, 5).await;
    let (held, dropped, awake) = (7001, 7002, 7003);
    let users: Vec<FakeUser> = [held, dropped, awake].iter().map(|id| app.user(*id, "Q")).collect();
    for id in [held, dropped, awake] {
        follower(&app, id, offer.business_id).await;
    }
    // Quiet from an hour ago (UTC) until an hour from now, or seven hours
    // from now (past the pickup window, which ends in six).
    let minute = (app.clock.now().hour() * 60 + app.clock.now().minute()) as u16;
    let quiet = |hours: u16| StoredQuiet {
        timezone: Some("UTC".into()),
        quiet: Some(((minute + 1440 - 60) % 1440, (minute + hours * 60) % 1440)),
    };
    app.store().set_quiet(held, &quiet(1), now()).await.unwrap();
    app.store().set_quiet(dropped, &quiet(7), now()).await.unwrap();

    publish(&app).await;
    said(&users[2], "posted a new deal").await;
    eventually("quiet hours applied", || async {
        let rows = app.store().notifications_of_offer(offer.id).await.unwrap();
        rows.iter().any(|n| n.customer_tg_id == dropped && n.status == NotificationStatus::Dropped)
            && rows.iter().any(|n| n.customer_tg_id == held && n.status == NotificationStatus::Pending)
    })
    .await;
    let rows = app.store().notifications_of_offer(offer.id).await.unwrap();
    let row = |id| rows.iter().find(|n| n.customer_tg_id == id).unwrap().clone();
    assert_eq!(row(dropped).reason.as_deref(), Some("quiet_hours"));
    let wait = row(held).not_before - app.clock.now();
    assert!(wait > Duration::minutes(50) && wait <= Duration::minutes(60), "held until the hours end: {wait:?}");
    assert!(users[0].no_reply_for(StdDuration::from_millis(600)).await);

    // The hours end.
    app.clock.advance(Duration::minutes(65));
    said(&users[0], "posted a new deal").await;
    assert!(users[1].no_reply_for(StdDuration::from_millis(300)).await);

    // Buy from the alert.
    users[0].press("🛒 Buy");
    said(&users[0], "How many?").await;
}

/// A send in flight when the sender died is never repeated (it ends as
/// `lost`, logged); rows it had only claimed are sent after the restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_in_flight_at_a_crash_is_never_repeated() {
    let Some(mut app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let offer = business_with_draft(&app, 5).await;
    app.stop().await;
    let (in_flight, claimed) = (7101, 7102);
    let users: Vec<FakeUser> = [in_flight, claimed].iter().map(|id| app.user(*id, "C")).collect();
    for id in [in_flight, claimed] {
        follower(&app, id, offer.business_id).await;
    }
    // As a dead sender would leave them: both claimed, the first mid-send.
    let store = app.store();
    store.apply_offer_event(offer.id, OfferEvent::Publish, &Actor::User(OWNER), now()).await.unwrap();
    let publication = store.pending_publications(10).await.unwrap()[0].id;
    store.fan_out(publication, &[], Duration::hours(6), now()).await.unwrap().unwrap();
    let rows = store.claim_notifications(42, 10, now()).await.unwrap();
    let first = rows.iter().find(|n| n.customer_tg_id == in_flight).unwrap().id;
    assert!(store.begin_send(first, 42, now()).await.unwrap());

    app.restart().await;
    said(&users[1], "posted a new deal").await;
    assert!(users[0].no_reply_for(StdDuration::from_millis(800)).await, "the send in flight isn't repeated");
    app.clock.advance(Duration::minutes(11));
    eventually("marked lost", || async {
        let rows = app.store().notifications_of_offer(offer.id).await.unwrap();
        rows.iter().any(|n| n.customer_tg_id == in_flight && n.status == NotificationStatus::Lost)
    })
    .await;
    assert!(users[0].messages().is_empty());
}

// --- the flows through the bot --------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_and_unfollow_from_a_shop_a_card_and_the_list() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), 1201, "Kalle Bakery", (52.52, 13.40), 5, 200).await;
    let customer = app.user(7201, "Carla");
    eventually("the command menu", || async {
        let c: Vec<String> = app.tg.my_commands().into_iter().map(|(c, _)| c).collect();
        c.contains(&"following".to_string()) && c.contains(&"alerts".to_string())
    })
    .await;

    // The shop's page (a printed QR code's deep link).
    customer.send(&format!("/start biz_{}", offer.business_id));
    let page = said(&customer, "Kalle Bakery").await;
    assert!(page.button_labels().contains(&"⭐ Follow Kalle Bakery"), "{:?}", page.button_labels());
    let cb = customer.press("⭐ Follow Kalle Bakery");
    let answer = customer.callback_answer(&cb).await;
    assert!(answer.text.unwrap().contains("You follow Kalle Bakery"));
    let flipped = customer.reply_matching(|m| m.edited).await;
    assert!(flipped.button_labels().contains(&"✖️ Unfollow Kalle Bakery"), "{:?}", flipped.button_labels());
    assert!(app.store().is_following(7201, offer.business_id).await.unwrap());

    // The card says so too; the shop's owner sees no Follow on their own card.
    customer.send(&format!("/start offer_{}", offer.id));
    let card = customer.reply_matching(|m| m.text.contains("Kalle Bakery bag")).await;
    assert!(card.button_labels().contains(&"✖️ Unfollow Kalle Bakery"), "{:?}", card.button_labels());
    let owner = app.user(1201, "Owner");
    owner.send(&format!("/start offer_{}", offer.id));
    let own = owner.reply_matching(|m| m.text.contains("Kalle Bakery bag")).await;
    assert!(!own.button_labels().iter().any(|l| l.contains("Follow")), "{:?}", own.button_labels());

    // /following lists it; Unfollow there flips back.
    customer.send("/following");
    let list = said(&customer, "Shops you follow").await;
    assert!(list.text.contains("Kalle Bakery · 1 deal now"), "{}", list.text);
    let cb = customer.press("✖️ Unfollow Kalle Bakery");
    assert!(customer.callback_answer(&cb).await.text.unwrap().contains("no longer follow"));
    let flipped = customer.reply_matching(|m| m.edited).await;
    assert!(flipped.button_labels().contains(&"⭐ Follow Kalle Bakery"));
    assert!(!app.store().is_following(7201, offer.business_id).await.unwrap());
    customer.send("/following");
    said(&customer, "You don't follow any shops yet").await;

    // A forged button for a shop that doesn't exist.
    let cb = customer.press_data(flipped.message_id, "1:f:999999");
    assert!(customer.callback_answer(&cb).await.text.unwrap().contains("can't find that business"));
    customer.send("/help");
    let help = said(&customer, "What I can do").await;
    assert!(help.text.contains("/following") && help.text.contains("/alerts"));
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
    assert!(app.tg.unanswered_callbacks().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_are_set_up_changed_and_turned_off_through_the_bot() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let c = app.user(7301, "Alex");
    c.send("/alerts");
    let overview = said(&c, "Deal alerts").await;
    assert!(overview.text.contains("Nearby alerts are off"), "{}", overview.text);
    assert!(overview.text.contains("Quiet hours: none (time zone Europe/Berlin)"), "{}", overview.text);
    c.press("Turn on nearby alerts");
    let ask = said(&c, "Which place").await;
    assert!(ask.reply_keyboard.unwrap().concat().contains(&"📍 Send location".to_string()));
    c.send("somewhere nice");
    said(&c, "type it like 52.5200, 13.4050").await;
    said(&c, "Which place").await;
    c.press("📍 Send location");
    let ask = said(&c, "How far").await;
    assert_eq!(ask.reply_keyboard.unwrap().concat(), ["1 km", "3 km", "5 km", "10 km", "⬅️ Back", "✖️ Cancel"]);
    c.send("2");
    said(&c, "Pick a radius: 1, 3, 5 or 10 km").await;
    c.press("3 km");
    said(&c, "certain words").await;
    c.send(&"x".repeat(40));
    said(&c, "At most 5 keywords").await;
    c.send("Bread,  vegan ");
    said(&c, "Times are in Europe/Berlin").await;
    c.send("night");
    said(&c, "Type quiet hours like 22:00-07:00").await;
    c.send("Europe/London");
    said(&c, "Times are in Europe/London").await;
    c.press("22:00–07:00");
    let done = said(&c, "Alerts on").await;
    assert!(
        done.text.contains("every deal within 3 km")
            || done.text.contains("within 3 km of your place mentioning bread, vegan"),
        "{}",
        done.text
    );
    assert!(done.text.contains("Quiet hours: 22:00–07:00 (Europe/London)"), "{}", done.text);

    let alert = app.store().alert(7301).await.unwrap().unwrap();
    assert_eq!((alert.radius_m, alert.keywords.as_str()), (3000, "bread,vegan"));
    assert_eq!((alert.location.lat(), alert.location.lng()), TEST_LOCATION);
    let quiet = app.store().quiet(7301).await.unwrap();
    assert_eq!((quiet.timezone.as_deref(), quiet.quiet), (Some("Europe/London"), Some((1320, 420))));

    // Change it, keeping the place; Back works on the way.
    c.send("/alerts");
    let overview = said(&c, "Deal alerts").await;
    assert!(overview.text.contains("within 3 km of your place mentioning bread, vegan"), "{}", overview.text);
    c.press("Change nearby alerts");
    said(&c, "Which place").await;
    c.press("Keep my place");
    said(&c, "How far").await;
    c.press("10 km");
    said(&c, "certain words").await;
    c.press("⬅️ Back");
    said(&c, "How far").await;
    c.press("10 km");
    said(&c, "certain words").await;
    c.press("Skip");
    said(&c, "Quiet hours?").await;
    c.press("No quiet hours");
    let done = said(&c, "Alerts on").await;
    assert!(done.text.contains("every deal within 10 km") && done.text.contains("No quiet hours"), "{}", done.text);
    let alert = app.store().alert(7301).await.unwrap().unwrap();
    assert_eq!((alert.radius_m, alert.keywords.as_str()), (10_000, ""));
    assert_eq!((alert.location.lat(), alert.location.lng()), TEST_LOCATION);

    // Quiet hours on their own; /cancel changes nothing.
    c.send("/alerts");
    said(&c, "Deal alerts").await;
    c.press("🌙 Quiet hours");
    said(&c, "Quiet hours?").await;
    c.send("/cancel");
    said(&c, "Cancelled").await;
    c.send("/alerts");
    said(&c, "Deal alerts").await;
    c.press("🌙 Quiet hours");
    said(&c, "Quiet hours?").await;
    c.send("23:30-6:30");
    said(&c, "Quiet hours set: 23:30–06:30 (Europe/London)").await;
    assert_eq!(app.store().quiet(7301).await.unwrap().quiet, Some((1410, 390)));

    // Off.
    c.send("/alerts");
    said(&c, "Deal alerts").await;
    let cb = c.press("Turn off nearby alerts");
    assert!(c.callback_answer(&cb).await.text.unwrap().contains("Nearby alerts are off"));
    let edited = c.reply_matching(|m| m.edited).await;
    assert!(edited.text.contains("Nearby alerts are off") && edited.text.contains("23:30–06:30"), "{}", edited.text);
    assert!(app.store().alert(7301).await.unwrap().is_none());
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
}

// --- the outbox in the store, on both backends -----------------------------

on_both_backends!(
    becoming_active_records_a_publication_in_the_same_transaction,
    a_fan_out_is_written_once,
    claims_from_two_pools_never_overlap,
);

async fn becoming_active_records_a_publication_in_the_same_transaction(db: TestDb) {
    let offer = crate::support::fixtures::active_offer(&db.store, &[2]).await;
    let p = db.store.pending_publications(10).await.unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].offer_id, p[0].restock), (offer.id, false));
    // Sold out and back: a restock publication. Pausing and resuming isn't one.
    let item = offer.items[0].id;
    db.store.set_item_quantity(item, 0, &Actor::User(OWNER), now()).await.unwrap();
    db.store.set_item_quantity(item, 4, &Actor::User(OWNER), now()).await.unwrap();
    db.store.apply_offer_event(offer.id, OfferEvent::Pause, &Actor::User(OWNER), now()).await.unwrap();
    db.store.apply_offer_event(offer.id, OfferEvent::Resume, &Actor::User(OWNER), now()).await.unwrap();
    let p = db.store.pending_publications(10).await.unwrap();
    assert_eq!(p.iter().map(|p| p.restock).collect::<Vec<_>>(), [false, true]);
    // A refused publish records nothing.
    let (b, v) = verified_business(&db.store).await;
    let mut d = draft(&b, &v, vec![item_of(1)]);
    d.window = glean::domain::PickupWindow::new(
        now() - Duration::hours(3),
        now() - Duration::hours(1),
        now() - Duration::hours(4),
    )
    .unwrap();
    let late = db.store.create_offer(&d, &Actor::User(OWNER), now()).await.unwrap();
    assert!(db.store.apply_offer_event(late.id, OfferEvent::Publish, &Actor::User(OWNER), now()).await.is_err());
    assert_eq!(db.store.pending_publications(10).await.unwrap().len(), 2);
}

fn item_of(qty: u32) -> glean::domain::offer::NewItem {
    item("Bread bag", 500, 250, qty)
}

async fn a_fan_out_is_written_once(db: TestDb) {
    let offer = crate::support::fixtures::active_offer(&db.store, &[2]).await;
    for id in 1..=3 {
        db.store.upsert_user(id, "F", None, None, now()).await.unwrap();
        db.store.follow(id, offer.business_id, now()).await.unwrap();
    }
    db.store.follow(OWNER, offer.business_id, now()).await.unwrap();
    let p = db.store.pending_publications(10).await.unwrap()[0].id;
    // Customer 3 follows and is nearby: one row, as a follower.
    let nearby = [(3, Some(120)), (4, Some(800)), (5, Some(900))];
    let out = db.store.fan_out(p, &nearby, Duration::hours(6), now()).await.unwrap().unwrap();
    assert_eq!((out.followers, out.nearby), (3, 2), "the owner isn't told of their own deal");
    assert_eq!(db.store.fan_out(p, &nearby, Duration::hours(6), now()).await.unwrap(), None);
    let rows = db.store.notifications_of_offer(offer.id).await.unwrap();
    let mut order: Vec<(i32, i64)> = rows.iter().map(|n| (n.priority, n.customer_tg_id)).collect();
    assert_eq!(order.iter().map(|(p, _)| *p).collect::<Vec<_>>(), [0, 0, 0, 1, 1], "followers first");
    order.sort();
    assert_eq!(order, [(0, 1), (0, 2), (0, 3), (1, 4), (1, 5)]);
    assert!(db.store.pending_publications(10).await.unwrap().is_empty());

    // An unreachable customer is dropped and not queued again.
    assert_eq!(db.store.mark_unreachable(2, now()).await.unwrap(), 1);
    let item = offer.items[0].id;
    db.store.set_item_quantity(item, 0, &Actor::User(OWNER), now()).await.unwrap();
    db.store.set_item_quantity(item, 4, &Actor::User(OWNER), now()).await.unwrap();
    let restock = db.store.pending_publications(10).await.unwrap()[0].id;
    let out = db.store.fan_out(restock, &nearby, Duration::hours(6), now()).await.unwrap().unwrap();
    // Everyone else still has a notification on its way: nobody is queued twice.
    assert_eq!((out.followers, out.nearby), (0, 0));
    // Finished rows are forgotten after a while; waiting ones never.
    assert_eq!(db.store.prune_outbox(now() + Duration::days(1)).await.unwrap(), 1);
    assert_eq!(db.store.notifications_of_offer(offer.id).await.unwrap().len(), 4);
}

async fn claims_from_two_pools_never_overlap(db: TestDb) {
    let offer = crate::support::fixtures::active_offer(&db.store, &[2]).await;
    for id in 1..=120 {
        db.store.follow(id, offer.business_id, now()).await.unwrap();
    }
    let p = db.store.pending_publications(10).await.unwrap()[0].id;
    db.store.fan_out(p, &[], Duration::hours(6), now()).await.unwrap().unwrap();
    let other = db.another_store().await;
    let mut tasks = Vec::new();
    for (i, store) in [db.store.clone(), other.clone(), db.store.clone(), other].into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store.claim_notifications(i as i64 + 1, 7, now()).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|n| n.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!((all.len(), unique.len()), (120, 120), "every row claimed exactly once");
    // Only the holder of a claim may send it.
    let rows = db.store.notifications_of_offer(offer.id).await.unwrap();
    assert!(rows.iter().all(|n| n.status == NotificationStatus::Claimed));
    let id = rows[0].id;
    let holder = db.store.claim_notifications(99, 1, now()).await.unwrap();
    assert!(holder.is_empty());
    let mut sent = 0;
    for claim in 1..=4 {
        if db.store.begin_send(id, claim, now()).await.unwrap() {
            sent += 1;
        }
    }
    assert_eq!(sent, 1);
    for claim in 1..=4 {
        assert!(!db.store.begin_send(id, claim, now()).await.unwrap(), "a row is sent once");
    }
    // Claims go back to the queue when released; a row being sent never does.
    assert_eq!(db.store.release_stale_claims(now() + Duration::seconds(5)).await.unwrap(), 119);
    assert_eq!(db.store.claim_notifications(7, 200, now()).await.unwrap().len(), 119);
    assert_eq!(db.store.mark_lost(now() + Duration::seconds(5), now()).await.unwrap().len(), 1);
}
