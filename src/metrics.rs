//! Metrics in Prometheus (OpenMetrics) text format, served at `GET
//! /metrics`: one global registry of events, and a plain function per event
//! so callers record without holding any handle. Gauges of state (process
//! figures in `process.rs`, queue sizes from the store) are read at scrape
//! time instead, so every instance reports the truth, not its own memory.
//!
//! Label values come from our own code (update kinds, outcomes, method
//! names, route templates), never from users, so the number of series stays
//! small. Series with known labels are created at start, so a dashboard
//! sees zeros, not gaps, before the first event. README lists every metric.

mod process;

use std::sync::OnceLock;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::store::Backlog;

/// What `/metrics` answers with.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Handler latency buckets in seconds: 1 ms to about 16 s.
const LATENCY_BUCKETS: [f64; 15] =
    [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Kind {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Method {
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindOutcome {
    kind: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Lane {
    lane: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StripeCall {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Build {
    version: &'static str,
    commit: &'static str,
}

type HistogramFamily<L = Kind> = Family<L, Histogram, fn() -> Histogram>;

/// The outcomes of one Bot API call ([`telegram_call`]).
pub const TELEGRAM_OUTCOMES: [&str; 5] = ["ok", "rate_limited", "network", "api_error", "other"];
/// The Stripe operations and outcomes of [`stripe_call`].
pub const STRIPE_OPERATIONS: [&str; 10] = [
    "create_session",
    "retrieve_session",
    "expire_session",
    "refund",
    "retrieve_refund",
    "create_account",
    "retrieve_account",
    "create_account_link",
    "retrieve_charge",
    "retrieve_balance_transaction",
];
pub const STRIPE_OUTCOMES: [&str; 4] = ["ok", "refused", "transient", "unexpected"];
/// The label of a request no route matched.
pub const UNMATCHED_ROUTE: &str = "unmatched";

struct Metrics {
    registry: Registry,
    updates_handled: Family<Kind, Counter>,
    update_seconds: HistogramFamily,
    purchases: Family<Outcome, Counter>,
    payments: Family<Outcome, Counter>,
    refunds: Family<Outcome, Counter>,
    telegram_errors: Family<Method, Counter>,
    telegram_held_off: Family<Lane, Counter>,
    telegram_held_off_seconds: Family<Lane, Counter<f64, AtomicU64>>,
    stripe_errors: Family<Kind, Counter>,
    notices: Family<KindOutcome, Counter>,
    stripe_events_rejected: Family<Kind, Counter>,
    reconciled: Family<Kind, Counter>,
    // Operations: HTTP traffic and calls to Telegram and Stripe.
    http_requests: Family<RouteStatus, Counter>,
    http_seconds: HistogramFamily<Route>,
    telegram_calls: Family<Outcome, Counter>,
    stripe_calls: Family<StripeCall, Counter>,
    redis: RedisMetrics,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("glean");
        let updates_handled = Family::<Kind, Counter>::default();
        let update_seconds: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let purchases = Family::<Outcome, Counter>::default();
        let payments = Family::<Outcome, Counter>::default();
        let refunds = Family::<Outcome, Counter>::default();
        let telegram_errors = Family::<Method, Counter>::default();
        let telegram_held_off = Family::<Lane, Counter>::default();
        let telegram_held_off_seconds = Family::<Lane, Counter<f64, AtomicU64>>::default();
        let stripe_errors = Family::<Kind, Counter>::default();
        registry.register("updates_handled", "Telegram updates handled, by kind", updates_handled.clone());
        registry.register(
            "update_handle_seconds",
            "Time to handle one Telegram update, by kind",
            update_seconds.clone(),
        );
        registry.register("purchases", "Purchase attempts, by outcome", purchases.clone());
        registry.register("payments", "Card payments, by outcome", payments.clone());
        registry.register("refunds", "Refunds, by outcome", refunds.clone());
        registry.register(
            "telegram_errors",
            "Failed Telegram Bot API calls, by method or kind",
            telegram_errors.clone(),
        );
        registry.register(
            "telegram_held_off",
            "Telegram 429 answers honoured, by lane (bulk, chat, other)",
            telegram_held_off.clone(),
        );
        registry.register(
            "telegram_held_off_seconds",
            "Seconds of retry_after honoured after Telegram 429 answers, by lane",
            telegram_held_off_seconds.clone(),
        );
        registry.register("stripe_errors", "Failed Stripe API calls, by kind", stripe_errors.clone());
        let notices = Family::<KindOutcome, Counter>::default();
        registry.register("notices", "Notices to customers and businesses, by kind and outcome", notices.clone());
        let stripe_events_rejected = Family::<Kind, Counter>::default();
        registry.register(
            "stripe_events_rejected",
            "Validly signed Stripe events that didn't match their purchase, by what differed",
            stripe_events_rejected.clone(),
        );
        let reconciled = Family::<Kind, Counter>::default();
        registry.register("reconciled", "Mismatches with Stripe healed by reconciliation, by kind", reconciled.clone());

        let http_requests = Family::<RouteStatus, Counter>::default();
        let http_seconds: HistogramFamily<Route> = Family::new_with_constructor(latency_histogram);
        let telegram_calls = Family::<Outcome, Counter>::default();
        let stripe_calls = Family::<StripeCall, Counter>::default();
        registry.register(
            "build",
            "The running build: crate version and git commit",
            Info::new(Build { version: env!("CARGO_PKG_VERSION"), commit: env!("GLEAN_COMMIT") }),
        );
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template and status",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer one HTTP request, by route template",
            http_seconds.clone(),
        );
        registry.register("telegram_calls", "Bot API call attempts, by outcome", telegram_calls.clone());
        registry.register("stripe_calls", "Stripe API calls, by operation and outcome", stripe_calls.clone());

        let redis = RedisMetrics::register(&mut registry);
        let m = Metrics {
            registry,
            updates_handled,
            update_seconds,
            purchases,
            payments,
            refunds,
            telegram_errors,
            telegram_held_off,
            telegram_held_off_seconds,
            stripe_errors,
            http_requests,
            http_seconds,
            telegram_calls,
            stripe_calls,
            notices,
            stripe_events_rejected,
            reconciled,
            redis,
        };
        m.create_known_series();
        m
    })
}

impl Metrics {
    /// Zero series for the label values we know up front.
    fn create_known_series(&self) {
        for kind in ["message", "callback_query", "inline_query", "chosen_inline_result"] {
            let kind = Kind { kind: kind.into() };
            let _ = self.updates_handled.get_or_create(&kind);
            let _ = self.update_seconds.get_or_create(&kind);
        }
        let outcome = |o: &str| Outcome { outcome: o.into() };
        for o in ["reserved", "cancelled", "expired"] {
            let _ = self.purchases.get_or_create(&outcome(o));
        }
        for o in ["paid", "refund_owed"] {
            let _ = self.payments.get_or_create(&outcome(o));
        }
        for o in ["requested", "refunded", "failed"] {
            let _ = self.refunds.get_or_create(&outcome(o));
        }
        for kind in crate::domain::NoticeKind::ALL {
            let label = KindOutcome { kind: kind.as_str().into(), outcome: "sent".into() };
            let _ = self.notices.get_or_create(&label);
        }
        for what in ["session", "amount", "currency", "livemode", "purchase"] {
            let _ = self.stripe_events_rejected.get_or_create(&Kind { kind: what.into() });
        }
        for kind in ["missed_payment", "refund", "refund_failed_later"] {
            let _ = self.reconciled.get_or_create(&Kind { kind: kind.into() });
        }
        for lane in ["bulk", "chat", "other"] {
            let lane = Lane { lane: lane.into() };
            let _ = self.telegram_held_off.get_or_create(&lane);
            let _ = self.telegram_held_off_seconds.get_or_create(&lane);
        }
        for method in ["sendMessage", "user_rate_limited"] {
            let _ = self.telegram_errors.get_or_create(&Method { method: method.into() });
        }
        for kind in ["create_session", "expire_session"] {
            let _ = self.stripe_errors.get_or_create(&Kind { kind: kind.into() });
        }
        for o in TELEGRAM_OUTCOMES {
            let _ = self.telegram_calls.get_or_create(&outcome(o));
        }
        for operation in STRIPE_OPERATIONS {
            for o in STRIPE_OUTCOMES {
                let _ = self.stripe_calls.get_or_create(&StripeCall { operation: operation.into(), outcome: o.into() });
            }
        }
    }
}

/// One Telegram update handled, of `kind` (see [`update_kind`]), taking `seconds`.
pub fn update_handled(kind: &str, seconds: f64) {
    let m = metrics();
    let label = Kind { kind: kind.to_string() };
    m.updates_handled.get_or_create(&label).inc();
    m.update_seconds.get_or_create(&label).observe(seconds);
}

/// A purchase attempt ended with `outcome` (e.g. `reserved`, `sold_out`).
pub fn purchase(outcome: &str) {
    metrics().purchases.get_or_create(&Outcome { outcome: outcome.to_string() }).inc();
}

/// A card payment ended with `outcome` (e.g. `paid`, `late`, `failed`).
pub fn payment(outcome: &str) {
    metrics().payments.get_or_create(&Outcome { outcome: outcome.to_string() }).inc();
}

/// A refund ended with `outcome` (e.g. `requested`, `refunded`, `failed`).
pub fn refund(outcome: &str) {
    metrics().refunds.get_or_create(&Outcome { outcome: outcome.to_string() }).inc();
}

/// A notice of `kind` ended with `outcome` (`sent`, `unreachable`, `given_up`).
pub fn notice(kind: &str, outcome: &str) {
    metrics().notices.get_or_create(&KindOutcome { kind: kind.to_string(), outcome: outcome.to_string() }).inc();
}

/// A signed Stripe event was ignored because `what` (`session`, `amount`,
/// `currency`, `livemode`, `purchase`) didn't match.
pub fn stripe_event_rejected(what: &str) {
    metrics().stripe_events_rejected.get_or_create(&Kind { kind: what.to_string() }).inc();
}

/// Reconciliation healed a mismatch of `kind`.
pub fn reconciled(kind: &str) {
    metrics().reconciled.get_or_create(&Kind { kind: kind.to_string() }).inc();
}

/// A Bot API call failed; `method_or_kind` is the method (`sendMessage`) or
/// a kind of failure (`rate_limited`, `network`).
pub fn telegram_error(method_or_kind: &str) {
    metrics().telegram_errors.get_or_create(&Method { method: method_or_kind.to_string() }).inc();
}

/// Telegram answered 429 and we hold off for `seconds` (its `retry_after`):
/// `lane` is `bulk` (all bulk sending held), `chat` (one chat held) or
/// `other` (the one request waits).
pub fn telegram_held_off(lane: &str, seconds: f64) {
    let m = metrics();
    let label = Lane { lane: lane.to_string() };
    m.telegram_held_off.get_or_create(&label).inc();
    m.telegram_held_off_seconds.get_or_create(&label).inc_by(seconds);
}

/// A Stripe API call failed, of `kind` (e.g. `network`, `api`, `refund`).
pub fn stripe_error(kind: &str) {
    metrics().stripe_errors.get_or_create(&Kind { kind: kind.to_string() }).inc();
}

/// An HTTP request to `route` (the template, e.g. `/api/v1/offers/{id}`, or
/// [`UNMATCHED_ROUTE`]) was answered with `status` after `seconds`.
pub fn http_request(route: &str, status: u16, seconds: f64) {
    let m = metrics();
    m.http_requests.get_or_create(&RouteStatus { route: route.to_string(), status: status.to_string() }).inc();
    m.http_seconds.get_or_create(&Route { route: route.to_string() }).observe(seconds);
}

/// Zero series for the routes the server has, so they show before traffic.
pub fn http_routes(routes: &[&str]) {
    let m = metrics();
    for route in routes {
        let _ = m.http_requests.get_or_create(&RouteStatus { route: route.to_string(), status: "200".into() });
        let _ = m.http_seconds.get_or_create(&Route { route: route.to_string() });
    }
}

/// One Bot API call attempt ended with `outcome`, one of
/// [`TELEGRAM_OUTCOMES`].
pub fn telegram_call(outcome: &'static str) {
    metrics().telegram_calls.get_or_create(&Outcome { outcome: outcome.to_string() }).inc();
}

/// One Stripe call, `operation` of [`STRIPE_OPERATIONS`], ended with
/// `outcome` of [`STRIPE_OUTCOMES`].
pub fn stripe_call(operation: &'static str, outcome: &'static str) {
    metrics()
        .stripe_calls
        .get_or_create(&StripeCall { operation: operation.to_string(), outcome: outcome.to_string() })
        .inc();
}

/// The kind of a stored Telegram update, from its top-level field:
/// `message`, `callback_query`, … or `other`. A bounded set, for labels.
pub fn update_kind(payload: &str) -> &'static str {
    const KINDS: &[&str] = &[
        "message",
        "edited_message",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "my_chat_member",
        "pre_checkout_query",
    ];
    let fields: std::collections::BTreeMap<String, serde::de::IgnoredAny> =
        serde_json::from_str(payload).unwrap_or_default();
    KINDS.iter().find(|k| fields.contains_key(**k)).copied().unwrap_or("other")
}

// --- Redis (issue 21): errors, and how long it has been unreachable. ---

struct RedisMetrics {
    errors: Counter,
    down_seconds: prometheus_client::metrics::gauge::Gauge<f64, std::sync::atomic::AtomicU64>,
}

impl RedisMetrics {
    fn register(registry: &mut Registry) -> RedisMetrics {
        let m = RedisMetrics { errors: Counter::default(), down_seconds: Default::default() };
        registry.register(
            "redis_errors",
            "Redis calls that failed, timed out or were refused because Redis was unreachable",
            m.errors.clone(),
        );
        registry.register(
            "redis_seconds_since_reachable",
            "Seconds since Redis last answered; 0 while it is reachable or not configured",
            m.down_seconds.clone(),
        );
        m
    }
}

/// A Redis call failed (or wasn't tried: Redis was known to be down).
pub fn redis_error() {
    metrics().redis.errors.inc();
}

/// How long Redis has been unreachable (zero while it answers).
pub fn redis_unreachable_for(d: std::time::Duration) {
    metrics().redis.down_seconds.set(d.as_secs_f64());
}

/// Every metric in OpenMetrics text format (which Prometheus scrapes): the
/// recorded events, the process figures, and the queue sizes in `backlog`
/// (left out when the store could not be read).
pub fn render(backlog: Option<&Backlog>) -> String {
    use prometheus_client::encoding::text::{encode_eof, encode_registry};
    let mut scraped = Registry::default();
    process::register(&mut scraped);
    if let Some(b) = backlog {
        register_backlog(scraped.sub_registry_with_prefix("glean"), b);
    }
    let mut out = String::new();
    let encoded = encode_registry(&mut out, &metrics().registry)
        .and_then(|()| encode_registry(&mut out, &scraped))
        .and_then(|()| encode_eof(&mut out));
    if let Err(e) = encoded {
        tracing::error!(error = %e, "couldn't encode metrics");
    }
    out
}

/// The store's queues as gauges; an empty queue's age is 0.
fn register_backlog(registry: &mut Registry, b: &Backlog) {
    let gauges = [
        ("outbox_depth", "Notifications not yet sent (pending, claimed or sending; held ones too)", b.outbox_depth),
        (
            "outbox_oldest_due_age_seconds",
            "How long the oldest due notification has waited; growing means the sender is stuck",
            b.outbox_oldest_due_secs.unwrap_or(0),
        ),
        ("inbound_backlog", "Stored Telegram updates not yet handled", b.inbound_pending),
        (
            "inbound_oldest_age_seconds",
            "Age of the oldest unhandled Telegram update",
            b.inbound_oldest_secs.unwrap_or(0),
        ),
        ("reservations_open", "Purchases holding stock while waiting for a card payment", b.reservations_open),
        ("refunds_pending", "Refunds Stripe has not yet said succeeded", b.refunds_pending),
        ("refunds_failed", "Refunds that failed and wait for an admin", b.refunds_failed),
        ("notices_pending", "Notices about a change (payments, refunds, orders) not yet sent", b.notices_pending),
        (
            "notices_oldest_due_age_seconds",
            "How long the oldest due notice has waited; growing means the notice lane is stuck",
            b.notices_oldest_due_secs.unwrap_or(0),
        ),
    ];
    for (name, help, value) in gauges {
        registry.register(name, help, ConstGauge::new(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_updates() {
        let check = |payload: &str, expected: &str| assert_eq!(update_kind(payload), expected, "{payload}");
        check(r#"{"update_id":1,"message":{"text":"callback_query"}}"#, "message");
        check(r#"{"update_id":2,"callback_query":{"data":"x"}}"#, "callback_query");
        check(r#"{"update_id":3,"poll":{}}"#, "other");
        check("not json", "other");
    }

    #[test]
    fn recorded_metrics_are_rendered() {
        update_handled("message", 0.003);
        purchase("reserved");
        stripe_error("network");
        telegram_held_off("bulk", 3.0);
        let text = render(None);
        for needle in [
            "glean_updates_handled_total{kind=\"message\"} ",
            "glean_update_handle_seconds_bucket{le=\"0.005\",kind=\"message\"} ",
            "glean_purchases_total{outcome=\"reserved\"} ",
            "glean_stripe_errors_total{kind=\"network\"} ",
            "glean_telegram_held_off_total{lane=\"bulk\"} ",
            "glean_telegram_held_off_seconds_total{lane=\"bulk\"} ",
            "# TYPE glean_purchases counter",
            "# EOF",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
        }
    }
}
