//! Process metrics in Prometheus (OpenMetrics) text format, served at
//! `GET /metrics`: one global registry, and a plain function per event so
//! callers record without holding any handle.
//!
//! Label values come from our own code (update kinds, outcomes, method
//! names), never from users, so the number of series stays small.

use std::sync::OnceLock;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

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

type HistogramFamily = Family<Kind, Histogram, fn() -> Histogram>;

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
        Metrics {
            notices,
            stripe_events_rejected,
            reconciled,
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
        }
    })
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

/// The kind of a stored Telegram update, from its top-level field:
/// `message`, `callback_query`, … or `other`. A bounded set, for labels.
pub fn update_kind(payload: &str) -> &'static str {
    const KINDS: &[&str] =
        &["message", "edited_message", "callback_query", "inline_query", "my_chat_member", "pre_checkout_query"];
    let fields: std::collections::BTreeMap<String, serde::de::IgnoredAny> =
        serde_json::from_str(payload).unwrap_or_default();
    KINDS.iter().find(|k| fields.contains_key(**k)).copied().unwrap_or("other")
}

/// Every metric in OpenMetrics text format (which Prometheus scrapes). A
/// labelled family shows once something was recorded in it.
pub fn render() -> String {
    let mut out = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &metrics().registry) {
        tracing::error!(error = %e, "couldn't encode metrics");
    }
    out
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
        let text = render();
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
