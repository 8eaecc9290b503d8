//! `/metrics`: Prometheus scrapes counters and the handler latency histogram.

use crate::support::app::{TestApp, eventually};
use crate::support::db::Backend;

async fn scrape(app: &TestApp) -> String {
    let res = reqwest::get(format!("{}/metrics", app.base_url)).await.expect("scrape");
    assert_eq!(res.status(), 200);
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(ct.starts_with("application/openmetrics-text"), "{ct}");
    res.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_updates_and_business_events() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    app.user(7001, "Mia").send("/start");
    app.user(7002, "Noah").send("/help");
    eventually("two handled messages", || async {
        scrape(&app).await.contains("glean_updates_handled_total{kind=\"message\"} 2")
    })
    .await;
    // Recorded by the purchase and payment flows; the registry is per process.
    glean::metrics::purchase("reserved");
    glean::metrics::payment("paid");
    glean::metrics::refund("refunded");
    glean::metrics::telegram_error("sendMessage");
    glean::metrics::stripe_error("network");

    let text = scrape(&app).await;
    for family in [
        "updates_handled",
        "update_handle_seconds",
        "purchases",
        "payments",
        "refunds",
        "telegram_errors",
        "stripe_errors",
    ] {
        assert!(text.contains(&format!("# TYPE glean_{family} ")), "{family} is missing:\n{text}");
    }
    for needle in [
        "glean_update_handle_seconds_count{kind=\"message\"} 2",
        "glean_update_handle_seconds_bucket{le=\"+Inf\",kind=\"message\"} 2",
        "glean_purchases_total{outcome=\"reserved\"} ",
        "glean_payments_total{outcome=\"paid\"} ",
        "glean_refunds_total{outcome=\"refunded\"} ",
        "glean_telegram_errors_total{method=\"sendMessage\"} ",
        "glean_stripe_errors_total{kind=\"network\"} ",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    assert!(text.trim_end().ends_with("# EOF"));
}
