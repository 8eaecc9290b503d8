//! `/metrics`: what Prometheus scrapes, parsed strictly (OpenMetrics text,
//! by the small parser in `support::openmetrics`). The registry of events
//! is one per process and tests run in parallel, so counters are checked
//! by how much they grew, never by their absolute value.

use chrono::Duration;
use glean::domain::OfferEvent;
use glean::store::{Actor, Backlog, InboundUpdate, NewPurchase, PaymentMethod};

use crate::on_both_backends;
use crate::support::app::{TestApp, eventually};
use crate::support::db::{Backend, TestDb};
use crate::support::fixtures::*;
use crate::support::openmetrics::{Kind, Scrape};

on_both_backends!(the_backlog_counts_what_waits);

async fn scrape(app: &TestApp) -> Scrape {
    let res = reqwest::get(format!("{}/metrics", app.base_url)).await.expect("scrape");
    assert_eq!(res.status(), 200);
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(ct.starts_with("application/openmetrics-text"), "{ct}");
    let text = res.text().await.unwrap();
    Scrape::parse(&text).unwrap_or_else(|e| panic!("not valid OpenMetrics: {e}\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_scrape_shows_every_family() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let m = scrape(&app).await;

    for (family, kind) in [
        ("process_resident_memory_bytes", Kind::Gauge),
        ("process_cpu_seconds", Kind::Counter),
        ("process_open_fds", Kind::Gauge),
        ("process_start_time_seconds", Kind::Gauge),
        ("glean_build", Kind::Info),
        ("glean_http_requests", Kind::Counter),
        ("glean_http_request_duration_seconds", Kind::Histogram),
        ("glean_outbox_depth", Kind::Gauge),
        ("glean_outbox_oldest_due_age_seconds", Kind::Gauge),
        ("glean_inbound_backlog", Kind::Gauge),
        ("glean_inbound_oldest_age_seconds", Kind::Gauge),
        ("glean_reservations_open", Kind::Gauge),
        ("glean_refunds_pending", Kind::Gauge),
        ("glean_refunds_failed", Kind::Gauge),
        ("glean_notices_pending", Kind::Gauge),
        ("glean_notices_oldest_due_age_seconds", Kind::Gauge),
        ("glean_telegram_calls", Kind::Counter),
        ("glean_stripe_calls", Kind::Counter),
        ("glean_updates_handled", Kind::Counter),
        ("glean_update_handle_seconds", Kind::Histogram),
        ("glean_purchases", Kind::Counter),
        ("glean_payments", Kind::Counter),
        ("glean_refunds", Kind::Counter),
        ("glean_telegram_errors", Kind::Counter),
        ("glean_stripe_errors", Kind::Counter),
        ("glean_stripe_events_rejected", Kind::Counter),
        ("glean_reconciled", Kind::Counter),
        ("glean_redis_errors", Kind::Counter),
        ("glean_redis_seconds_since_reachable", Kind::Gauge),
    ] {
        let f = m.family(family).unwrap_or_else(|| panic!("{family} is missing"));
        assert_eq!(f.kind, kind, "{family}");
        assert!(!f.help.is_empty(), "{family} has no HELP");
        assert!(!f.samples.is_empty(), "{family} has no series before its first event");
    }
    // This app's own queues are empty.
    for gauge in [
        "glean_outbox_depth",
        "glean_outbox_oldest_due_age_seconds",
        "glean_inbound_backlog",
        "glean_reservations_open",
        "glean_refunds_pending",
        "glean_refunds_failed",
        "glean_notices_pending",
    ] {
        assert_eq!(m.value(gauge, &[]), Some(0.0), "{gauge}");
    }
    let build = &m.family("glean_build").unwrap().samples[0];
    assert_eq!(build.name, "glean_build_info");
    assert_eq!(build.label("version"), Some(env!("CARGO_PKG_VERSION")));
    assert!(build.label("commit").is_some_and(|c| !c.is_empty()), "{build:?}");
    assert!(m.value("process_resident_memory_bytes", &[]).unwrap() > 0.0);
    assert!(m.value("process_open_fds", &[]).unwrap() > 0.0);
    let started = m.value("process_start_time_seconds", &[]).unwrap();
    let now = chrono::Utc::now().timestamp() as f64;
    assert!(started > now - 86_400.0 * 365.0 && started <= now + 1.0, "{started}");
    for route in glean::http::observe::ROUTES {
        assert!(m.value("glean_http_requests_total", &[("route", route), ("status", "200")]).is_some(), "{route}");
        let count = m.value("glean_http_request_duration_seconds_count", &[("route", route)]);
        assert!(count.is_some(), "{route}");
    }
    for outcome in glean::metrics::TELEGRAM_OUTCOMES {
        assert!(m.value("glean_telegram_calls_total", &[("outcome", outcome)]).is_some(), "{outcome}");
    }
    for operation in glean::metrics::STRIPE_OPERATIONS {
        for outcome in glean::metrics::STRIPE_OUTCOMES {
            let labels = [("operation", operation), ("outcome", outcome)];
            assert!(m.value("glean_stripe_calls_total", &labels).is_some(), "{labels:?}");
        }
    }
}

/// Each route is counted under its template, whatever the path's values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_by_route_template_and_status() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let client = reqwest::Client::new();
    let media = format!("/media/{}-thumb.jpg", "0".repeat(64));
    let cases: Vec<(String, &str, u16)> = vec![
        ("/healthz".into(), "/healthz", 200),
        ("/readyz".into(), "/readyz", 200),
        ("/openapi.json".into(), "/openapi.json", 200),
        ("/api/v1/offers".into(), "/api/v1/offers", 200),
        ("/api/v1/offers?limit=0".into(), "/api/v1/offers", 400),
        ("/api/v1/offers/424242".into(), "/api/v1/offers/{id}", 404),
        ("/api/v1/offers/x".into(), "/api/v1/offers/{id}", 400),
        (media, "/media/{name}", 404),
        ("/webhooks/stripe".into(), "/webhooks/stripe", 405),
        ("/webhooks/telegram".into(), "/webhooks/telegram", 405),
        ("/app".into(), "/app", 200),
        ("/app/assets/app.js".into(), "/app/assets/{*path}", 200),
        ("/app/api/me".into(), "/app/api/me", 401),
        ("/app/api/orders/7".into(), "/app/api/orders/{id}", 401),
        ("/no/such/path".into(), glean::metrics::UNMATCHED_ROUTE, 404),
    ];
    let count = |m: &Scrape, route: &str, status: u16| {
        m.value("glean_http_requests_total", &[("route", route), ("status", &status.to_string())]).unwrap_or(0.0)
    };
    let before = scrape(&app).await;
    for (path, _, status) in &cases {
        let res = client.get(format!("{}{path}", app.base_url)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), *status, "{path}");
    }
    let after = scrape(&app).await;
    for (path, route, status) in &cases {
        assert!(count(&after, route, *status) > count(&before, route, *status), "{path} as {route} {status}");
    }
    assert!(count(&after, "/metrics", 200) > count(&before, "/metrics", 200), "the scrape itself");
    let seconds = |m: &Scrape| m.value("glean_http_request_duration_seconds_count", &[("route", "/api/v1/offers")]);
    assert!(seconds(&after) > seconds(&before));
    // The paths' values never become labels.
    assert!(!after.samples().any(|s| s.labels.iter().any(|(_, v)| v.contains("424242"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_and_telegram_calls_are_counted() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let before = scrape(&app).await;
    let handled = |m: &Scrape| m.value("glean_updates_handled_total", &[("kind", "message")]).unwrap_or(0.0);
    let sent = |m: &Scrape| m.value("glean_telegram_calls_total", &[("outcome", "ok")]).unwrap_or(0.0);
    app.user(7001, "Mia").send("/start");
    app.user(7002, "Noah").send("/help");
    let target = handled(&before) + 2.0;
    eventually("two more handled messages", || async { handled(&scrape(&app).await) >= target }).await;
    let after = scrape(&app).await;
    assert!(sent(&after) > sent(&before), "the replies are Bot API calls");
    let latency = |m: &Scrape| m.value("glean_update_handle_seconds_count", &[("kind", "message")]).unwrap_or(0.0);
    assert!(latency(&after) >= latency(&before) + 2.0);
}

async fn the_backlog_counts_what_waits(db: TestDb) {
    let s = &db.store;
    assert_eq!(s.backlog(now()).await.unwrap(), Backlog::default());

    // A reservation waiting for its card payment, and a paid order cancelled
    // into a refund.
    let offer = active_offer(s, &[5]).await;
    let item = offer.items[0].id;
    let purchase = |customer| NewPurchase {
        customer_tg_id: customer,
        offer_id: offer.id,
        lines: vec![(item, 1)],
        method: PaymentMethod::Stripe,
        expires_at: Some(now() + Duration::minutes(30)),
        request_key: None,
    };
    s.reserve(&purchase(1), now()).await.unwrap();
    let (paid, _) = s.reserve(&purchase(2), now()).await.unwrap();
    s.mark_paid(paid.id, Some("pi_backlog"), None, now()).await.unwrap();
    assert!(s.request_refund(paid.id, &Actor::User(2), now()).await.unwrap());

    // An update stored a minute ago and not handled yet.
    let update = InboundUpdate { update_id: 77, chat_id: 5, payload: "{}".into() };
    s.insert_inbound(&[update], now() - Duration::seconds(60)).await.unwrap();

    // A follower's notification of a new deal, due now.
    let (b, v) = verified_business(s).await;
    let d = s.create_offer(&draft(&b, &v, vec![item_of("Bread")]), &Actor::User(OWNER), now()).await.unwrap();
    s.follow(4242, b.id, now()).await.unwrap();
    s.apply_offer_event(d.id, OfferEvent::Publish, &Actor::User(OWNER), now()).await.unwrap();
    let publications = s.pending_publications(10).await.unwrap();
    let publication = publications.iter().find(|p| p.offer_id == d.id).expect("the publication").id;
    s.fan_out(publication, &[], Duration::hours(6), now()).await.unwrap().unwrap();

    let later = now() + Duration::seconds(90);
    let b = s.backlog(later).await.unwrap();

    assert_eq!((b.reservations_open, b.refunds_pending), (1, 1), "{b:?}");
    assert_eq!(b.inbound_pending, 1);
    assert!(b.inbound_oldest_secs.is_some_and(|a| (150..=152).contains(&a)), "{b:?}");
    assert_eq!(b.outbox_depth, 1);
    assert!(b.outbox_oldest_due_secs.is_some_and(|a| (90..=92).contains(&a)), "{b:?}");
    // The payment and the refund request wrote their notices, due since then.
    assert_eq!(b.notices_pending, 3, "{b:?}"); // paid: customer and owner told; refund requested: owner told
    assert!(b.notices_oldest_due_secs.is_some_and(|a| (90..=92).contains(&a)), "{b:?}");
}

fn item_of(name: &str) -> glean::domain::offer::NewItem {
    item(name, 400, 200, 2)
}
