//! Two instances in webhook mode on PostgreSQL and Redis when part of the
//! system fails: Redis stops (or isn't there at start-up) and comes back;
//! an instance dies for good. Every stored update is handled, in order per
//! chat, and stock stays exact.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use glean::domain::PurchaseStatus;
use glean::store::InboundUpdate;
use glean_fakes::telegram::FakeUser;
use serde_json::Value;

use crate::on_both_backends;
use crate::scale::{SECRET, prefix, redis_url};
use crate::support::app::{Instance, TestApp, eventually, press_one, said};
use crate::support::db::{Backend, TestDb, postgres_url};
use crate::support::fixtures::shop_with_offer;
use crate::support::redis::RedisServer;
use crate::support::shop::all_to_quantity;

/// What `/deals` answers with when the customer shared no location.
const DEALS: &str = "freshest and most popular first";

/// Two instances behind the fake's round-robin webhook delivery, on
/// PostgreSQL and the Redis at `redis`; with the count of updates delivered.
async fn two_instances(redis: &str) -> Option<(TestApp, Instance, Arc<AtomicUsize>)> {
    let prefix = prefix();
    let app = TestApp::spawn_with(Backend::Postgres, &webhook_env(redis, &prefix)).await?;
    let other = app.start_another().await;
    let delivered = deliver_round_robin(&app, &other.base_url);
    Some((app, other, delivered))
}

/// Telegram's updates, delivered in turn to the app and the instance at
/// `other`; returns the count delivered.
fn deliver_round_robin(app: &TestApp, other: &str) -> Arc<AtomicUsize> {
    let targets = [&app.base_url, other].map(|base| format!("{base}/webhooks/telegram"));
    app.tg.deliver_webhooks(targets.to_vec(), SECRET.to_string())
}

/// Webhook mode on the Redis at `redis`, keys under `prefix`.
fn webhook_env<'a>(redis: &'a str, prefix: &'a str) -> [(&'static str, &'a str); 4] {
    [
        ("TELEGRAM_WEBHOOK_URL", "https://glean.example/webhooks/telegram"),
        ("TELEGRAM_WEBHOOK_SECRET", SECRET),
        ("REDIS_URL", redis),
        ("REDIS_PREFIX", prefix),
    ]
}

async fn get_json(url: String) -> (u16, Value) {
    let r = reqwest::get(url).await.expect("GET");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

/// Waits until `/readyz` of every instance says Redis is `up` (or not) and
/// the webhook is set, and checks each stays ready for Telegram either way.
async fn redis_reported(bases: &[&str], up: bool) {
    for base in bases {
        eventually(&format!("{base} reports Redis up={up}"), || async {
            let (status, ready) = get_json(format!("{base}/readyz")).await;
            assert_eq!((status, ready["status"].as_str()), (200, Some("ready")), "{ready}");
            assert_eq!(ready["database"]["backend"], "postgres", "{ready}");
            assert_eq!(ready["telegram"]["mode"], "webhook", "{ready}");
            // `setWebhook` goes out once the bot knows who it is.
            ready["redis"]["up"] == up && ready["telegram"]["webhook_set"] == true
        })
        .await;
    }
}

/// Starts Redis and waits until every customer got the deal list and then
/// `next` (the answers to the two updates each stored meanwhile, in that
/// order), and every instance reports Redis up.
async fn redis_back(redis: &mut RedisServer, customers: &[FakeUser], next: &str, bases: &[&str]) {
    redis.start().await;
    let back = Instant::now();
    for c in customers {
        said(c, DEALS).await;
        said(c, next).await;
    }
    let n = customers.len() * 2;
    eprintln!("{n} stored updates answered {:.1} s after Redis came back", back.elapsed().as_secs_f64());
    redis_reported(bases, true).await;
}

/// The value of an unlabelled metric in an OpenMetrics text.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from:\n{text}"))
}

async fn pending(app: &TestApp) -> usize {
    app.store().pending_inbound(10_000).await.unwrap().len()
}

/// How many of the customer's messages contain `needle` (each handling of
/// a `/deals` sends a new one).
fn count(user: &FakeUser, needle: &str) -> usize {
    user.messages().iter().filter(|m| m.text.contains(needle)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_delays_updates_and_loses_none() {
    let Some(mut redis) = RedisServer::reserve() else { return };
    postgres_url();
    redis.start().await;
    let Some((app, other, delivered)) = two_instances(&redis.url()).await else { return };
    let offer = shop_with_offer(app.store(), 2101, "Outage Bakery", (52.52, 13.40), 12, 200).await;
    let _owner = app.user(2101, "Baker");
    let customers: Vec<FakeUser> = (0..20).map(|i| app.user(21_000 + i, "Buyer")).collect();
    for c in &customers {
        c.send(&format!("/start offer_{}", offer.id));
    }
    for c in &customers {
        c.reply_matching(|m| m.button_labels().contains(&"🛒 Buy")).await;
    }
    redis_reported(&[&app.base_url, &other.base_url], true).await;

    // Redis dies while half the customers browse and press Buy (some of
    // their chats locked at that moment); the other half go on meanwhile.
    let before = delivered.load(Ordering::SeqCst);
    let (early, late) = customers.split_at(10);
    for c in early {
        c.send("/deals");
        c.press("🛒 Buy");
    }
    redis.kill();
    eventually("the early updates accepted", || async { delivered.load(Ordering::SeqCst) == before + 20 }).await;
    // Ready for Telegram, Redis reported down, counted and timed.
    redis_reported(&[&app.base_url, &other.base_url], false).await;
    let stuck = pending(&app).await;
    for c in late {
        c.send("/deals");
        c.press("🛒 Buy");
    }
    eventually("every update accepted and stored", || async { delivered.load(Ordering::SeqCst) == before + 40 }).await;
    eventually("the metrics show the outage", || async {
        let text = reqwest::get(format!("{}/metrics", app.base_url)).await.unwrap().text().await.unwrap();
        metric(&text, "glean_redis_errors_total") > 0.0 && metric(&text, "glean_redis_seconds_since_reachable") >= 1.0
    })
    .await;
    // Without Redis no instance takes a chat lock, so none of the late
    // updates was handled.
    assert!(pending(&app).await >= stuck + 20, "no update was handled without its chat's lock");

    // Redis is back (with the locks held when it died, from its
    // append-only file): the stored updates are handled, in order.
    redis_back(&mut redis, &customers, "How many?", &[&app.base_url, &other.base_url]).await;
    let (confirmed, refused) = press_one(&customers).await;
    assert_eq!((confirmed, refused), (12, 8));

    // Each update handled once: one deal list each, at most one order each,
    // stock equal to the orders.
    eventually("every stored update handled", || async { pending(&app).await == 0 }).await;
    for c in &customers {
        assert_eq!(count(c, DEALS), 1, "one /deals, one list");
    }
    let o = app.store().offer(offer.id).await.unwrap();
    let orders = app.store().purchases_of_offer(offer.id, &[PurchaseStatus::Confirmed]).await.unwrap();
    assert_eq!((o.items[0].sold, o.remaining(), orders.len()), (12, 0, 12));
    for c in &customers {
        let theirs = orders.iter().filter(|p| p.customer_tg_id == c.id()).count();
        assert!(theirs <= 1, "customer {} has {theirs} orders", c.id());
    }
    assert!(app.tg.unanswered_callbacks().is_empty(), "every press answered");
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_start_without_redis_and_catch_up_when_it_appears() {
    let Some(mut redis) = RedisServer::reserve() else { return };
    postgres_url();
    // Not started: the instances must start anyway.
    let Some((app, other, delivered)) = two_instances(&redis.url()).await else { return };
    redis_reported(&[&app.base_url, &other.base_url], false).await;
    shop_with_offer(app.store(), 2102, "Early Bakery", (52.52, 13.40), 5, 200).await;
    let customers: Vec<FakeUser> = (0..10).map(|i| app.user(21_100 + i, "Early")).collect();
    for c in &customers {
        c.send("/deals");
        c.send("/help");
    }
    eventually("every update accepted and stored", || async { delivered.load(Ordering::SeqCst) == 20 }).await;
    assert_eq!(pending(&app).await, 20, "stored, waiting for Redis");

    redis_back(&mut redis, &customers, "What I can do", &[&app.base_url, &other.base_url]).await;
    eventually("every stored update handled", || async { pending(&app).await == 0 }).await;
    for c in &customers {
        assert_eq!((count(c, DEALS), count(c, "What I can do")), (1, 1), "each update handled once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_cut_off_from_redis_leaves_its_chats_to_one_that_is_not() {
    let Some(mut redis) = RedisServer::reserve() else { return };
    postgres_url();
    redis.start().await;
    let (prefix, url) = (prefix(), redis.url());
    let Some(app) = TestApp::spawn_with(Backend::Postgres, &webhook_env(&url, &prefix)).await else { return };
    // The other instance's Redis is somewhere it can't reach.
    let nowhere = RedisServer::reserve().expect("checked above");
    let cut_off = app.start_another_with(&[("REDIS_URL", nowhere.url().as_str())]).await;
    redis_reported(&[&app.base_url], true).await;
    redis_reported(&[&cut_off.base_url], false).await;
    let delivered = deliver_round_robin(&app, &cut_off.base_url);
    shop_with_offer(app.store(), 2103, "Split Bakery", (52.52, 13.40), 5, 200).await;
    // Round-robin: half the chats' updates land only on the cut-off
    // instance, so only the sweep of the other can hand them over.
    let customers: Vec<FakeUser> = (0..10).map(|i| app.user(21_200 + i, "Split")).collect();
    for c in &customers {
        c.send("/deals");
    }
    for c in &customers {
        said(c, DEALS).await;
    }
    for c in &customers {
        c.send("/help");
    }
    for c in &customers {
        said(c, "What I can do").await;
    }
    assert_eq!(delivered.load(Ordering::SeqCst), 20);
    eventually("every stored update handled", || async { pending(&app).await == 0 }).await;
    for c in &customers {
        assert_eq!((count(c, DEALS), count(c, "What I can do")), (1, 1), "each update handled once");
    }
}

/// A fake Telegram that answers `delay` late: it forwards every request to
/// `target` after waiting. Returns its base URL.
async fn slow_telegram(target: String, delay: Duration) -> String {
    use axum::body::{Body, to_bytes};
    use axum::extract::{Request, State};
    use axum::http::{Response, header};

    async fn forward(State((target, delay)): State<(String, Duration)>, req: Request) -> Response<Body> {
        let path = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let body = to_bytes(req.into_body(), usize::MAX).await.unwrap_or_default();
        tokio::time::sleep(delay).await;
        let mut out = reqwest::Client::new().post(format!("{target}{path}")).body(body);
        if let Some(ct) = content_type {
            out = out.header(header::CONTENT_TYPE, ct);
        }
        match out.send().await {
            Ok(r) => {
                let status = r.status();
                let bytes = r.bytes().await.unwrap_or_default();
                Response::builder()
                    .status(status.as_u16())
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(bytes))
                    .unwrap()
            }
            Err(_) => Response::builder().status(502).body(Body::empty()).unwrap(),
        }
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new().fallback(forward).with_state((target, delay));
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survivor_handles_what_a_dead_instance_stored() {
    postgres_url();
    let Some(redis) = redis_url() else { return };
    let prefix = prefix();
    let Some(app) = TestApp::spawn_with(Backend::Postgres, &webhook_env(&redis, &prefix)).await else { return };
    // The instance to kill is a process of its own, and slow to reach
    // Telegram, so when it dies it has stored updates it hasn't answered.
    let slow = slow_telegram(app.tg.api_url(), Duration::from_millis(400)).await;
    let mut doomed = app.start_process(&[("TELEGRAM_API_URL", slow.as_str())]).await;
    eventually("the doomed instance set the webhook", || async {
        get_json(format!("{}/readyz", doomed.base_url)).await.1["telegram"]["webhook_set"] == true
    })
    .await;
    let delivered = deliver_round_robin(&app, &doomed.base_url);
    let offer = shop_with_offer(app.store(), 2201, "Survivor Deli", (52.52, 13.40), 5, 300).await;
    // Ten buyers get to the quantity question first (pay at pickup).
    let buyers: Vec<FakeUser> = (0..10).map(|i| app.user(23_000 + i, "Buyer")).collect();
    all_to_quantity(&buyers, &offer).await;
    let before = delivered.load(Ordering::SeqCst);
    let customers: Vec<FakeUser> = (0..40).map(|i| app.user(22_000 + i, "Browser")).collect();
    for b in &buyers {
        b.press("1");
    }
    for c in &customers {
        c.send("/deals");
    }
    eventually("every update accepted", || async { delivered.load(Ordering::SeqCst) == before + 50 }).await;
    // SIGKILL, for good.
    doomed.kill();
    let stranded = pending(&app).await;
    assert!(stranded > 0, "the killed instance left stored updates unanswered");

    let killed = Instant::now();
    for c in &customers {
        c.reply_matching(|m| m.text.contains(DEALS) || m.text.contains("No deals")).await;
    }
    for b in &buyers {
        b.reply_matching(|m| m.edited && !m.text.contains("How many?")).await;
    }
    eprintln!(
        "dead instance: {stranded} updates unanswered at the kill, all answered by the survivor {:.1} s after it",
        killed.elapsed().as_secs_f64()
    );
    eventually("every stored update handled", || async { pending(&app).await == 0 }).await;
    for c in &customers {
        assert!(
            c.messages().iter().any(|m| m.text.contains(DEALS) || m.text.contains("No deals")),
            "customer {} got an answer",
            c.id()
        );
    }
    // What the dead instance sold stands, once, and its buyers know their codes.
    let orders = app.store().purchases_of_offer(offer.id, &[]).await.unwrap();
    let live: Vec<_> = orders.iter().filter(|p| p.status == glean::domain::PurchaseStatus::Confirmed).collect();
    assert_eq!(live.len(), 5, "the 5 units sold once each: {orders:?}");
    assert_eq!(app.store().offer(offer.id).await.unwrap().items[0].sold, 5);
    for b in &buyers {
        let shown: Vec<String> = b.messages().into_iter().map(|m| m.text).collect();
        match live.iter().find(|p| p.customer_tg_id == b.id()) {
            Some(p) => assert!(
                shown.iter().any(|t| t.contains(p.pickup_code.as_str())),
                "buyer {} holds order {} but never saw its code: {shown:?}",
                b.id(),
                p.id
            ),
            None => assert!(!shown.iter().any(|t| t.contains("confirmed!")), "a code without an order: {shown:?}"),
        }
    }
}

on_both_backends!(leases_count_heartbeats_and_stale_updates_are_found);

/// The store side of the sweep and of the instance count.
async fn leases_count_heartbeats_and_stale_updates_are_found(db: TestDb) {
    let s = &db.store;
    // A lease is one holder's until it lapses; the holder renews it.
    assert!(s.try_lease("chat:1", "a:1", 1_000, 16_000).await.unwrap());
    assert!(!s.try_lease("chat:1", "a:2", 2_000, 17_000).await.unwrap(), "another token of the same instance");
    assert!(s.try_lease("chat:1", "a:1", 3_000, 18_000).await.unwrap(), "renewed by its holder");
    assert!(s.try_lease("chat:1", "b:1", 18_001, 33_000).await.unwrap(), "free once lapsed");
    // Heartbeats: running ones are counted, lapsed ones not.
    for (name, until) in [("instance:a", 20_000), ("instance:b", 30_000), ("instance:dead", 1_000)] {
        assert!(s.try_lease(name, name, 0, until).await.unwrap());
    }
    assert_eq!(s.count_leases("instance:", 10_000).await.unwrap(), 2);
    assert_eq!(s.count_leases("instance:", 25_000).await.unwrap(), 1);
    assert_eq!(s.count_leases("instance:", 100_000).await.unwrap(), 0);
    assert!(s.try_lease("instance:dead", "someone else", 100_000, 110_000).await.unwrap());

    // Stale updates: by chat, oldest first, handled and fresh ones left out.
    let t0 = chrono::Utc::now();
    let update = |update_id, chat_id| InboundUpdate { update_id, chat_id, payload: "{}".into() };
    s.insert_inbound(&[update(1, 10), update(2, 20), update(3, 10)], t0).await.unwrap();
    s.insert_inbound(&[update(4, 30)], t0 + chrono::Duration::seconds(10)).await.unwrap();
    s.mark_handled(&[2], t0).await.unwrap();
    assert_eq!(s.chats_with_stale_updates(t0, 100).await.unwrap(), vec![10]);
    assert_eq!(s.chats_with_stale_updates(t0 + chrono::Duration::seconds(10), 100).await.unwrap(), vec![10, 30]);
    s.mark_handled(&[1, 3], t0).await.unwrap();
    assert_eq!(s.chats_with_stale_updates(t0 + chrono::Duration::seconds(10), 100).await.unwrap(), vec![30]);
}
