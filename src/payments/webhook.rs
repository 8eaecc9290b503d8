//! Stripe's webhook events: checking the `Stripe-Signature` header and
//! reading the few event shapes Glean acts on.
//!
//! The check is Stripe's documented "verify manually" algorithm: the header
//! is `t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (other schemes such as the
//! test-mode `v0` are ignored); the signed payload is `"{t}.{raw body}"`; the
//! signature is HMAC-SHA256 keyed with the whole `whsec_…` endpoint secret
//! as bytes; any one matching `v1` passes (several appear while a secret is
//! being rolled). A valid signature whose timestamp is further than the
//! tolerance from now is refused as a replay.

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde::de::Error as _;
use sha2::Sha256;

use super::stripe::{CheckoutSession, IdOrObject, metadata_purchase_id};

/// Stripe's libraries' default: five minutes either way.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    MissingHeader,
    #[error("the Stripe-Signature header has no single integer timestamp t=")]
    Malformed,
    #[error("the Stripe-Signature header has no v1 signature")]
    NoV1,
    #[error("no v1 signature matches the payload")]
    Mismatch,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
}

/// Checks that `payload` (the raw request body, byte for byte) was signed by
/// Stripe with `secret` within `tolerance_secs` of `now_unix`.
pub fn verify_signature(
    payload: &[u8],
    header: &str,
    secret: &str,
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let header = header.trim();
    if header.is_empty() {
        return Err(SignatureError::MissingHeader);
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for (key, value) in header.split(',').filter_map(|item| item.trim().split_once('=')) {
        match key {
            "t" => {
                let all_digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
                let t = value.parse::<i64>().ok().filter(|_| all_digits);
                // Two timestamps would make "which one was signed" ambiguous.
                if t.is_none() || timestamp.is_some() {
                    return Err(SignatureError::Malformed);
                }
                timestamp = t;
            }
            "v1" => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::NoV1);
    }

    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| SignatureError::Mismatch)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    // `verify_slice` compares in constant time; a v1 that is not even hex
    // simply does not match.
    let matches = signatures.iter().any(|sig| hex::decode(sig).is_ok_and(|sig| mac.clone().verify_slice(&sig).is_ok()));
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    // Checked after the signature, as Stripe's libraries do, so `Stale` always
    // means "genuine but old (or from the future)": a replay.
    if now_unix.abs_diff(timestamp) > tolerance_secs.max(0).unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// A webhook event: its id (for processing each event once), its type and the
/// object it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: String,
    /// The event's `type`, e.g. `checkout.session.completed`.
    pub kind: String,
    pub created: i64,
    /// Whether the event came from live mode (else test mode).
    pub livemode: bool,
    /// `data.object`: the Checkout Session, refund or charge.
    pub object: serde_json::Value,
    /// Connect events: the connected account (`acct_…`) it happened on.
    pub account: Option<String>,
}

/// A payout as a `payout.*` event carries it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Payout {
    /// `po_…`
    pub id: String,
    pub amount: i64,
    /// Lowercase ISO 4217.
    pub currency: String,
    /// `paid`, `failed`, `pending`, `in_transit`, `canceled`.
    pub status: String,
    pub failure_message: Option<String>,
}

/// Parses an event envelope. Call only after [`verify_signature`] passed.
pub fn parse_event(payload: &[u8]) -> Result<Event, serde_json::Error> {
    #[derive(Deserialize)]
    struct Raw {
        id: String,
        #[serde(rename = "type")]
        kind: String,
        created: i64,
        #[serde(default)]
        livemode: bool,
        data: RawData,
        account: Option<String>,
    }
    #[derive(Deserialize)]
    struct RawData {
        object: serde_json::Value,
    }
    let raw: Raw = serde_json::from_slice(payload)?;
    Ok(Event {
        id: raw.id,
        kind: raw.kind,
        created: raw.created,
        livemode: raw.livemode,
        object: raw.data.object,
        account: raw.account,
    })
}

/// What a refund event says about a payment, from a `refund` object
/// (`refund.created`, `refund.updated`, `refund.failed`) or a `charge`
/// object (`charge.refunded`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundNotice {
    /// The refund (`re_…`); `None` when the event carries the charge.
    pub refund_id: Option<String>,
    pub payment_intent: Option<String>,
    /// From the refund's metadata, or for a charge from the metadata Glean
    /// gave its PaymentIntent.
    pub purchase_id: Option<i64>,
    /// A refund's own status (`pending`, `requires_action`, `succeeded`,
    /// `failed`, `canceled`); for a charge, `succeeded` once it is refunded in
    /// full and `partial` before.
    pub status: String,
    /// Minor units: the refund's amount, or all that is refunded of the charge.
    pub amount: i64,
    /// Why a refund failed, when it did.
    pub failure_reason: Option<String>,
}

impl Event {
    /// The Checkout Session of a `checkout.session.*` event.
    pub fn checkout_session(&self) -> Result<CheckoutSession, serde_json::Error> {
        expect_object(&self.object, "checkout.session")?;
        CheckoutSession::deserialize(&self.object)
    }

    /// The connected account of an `account.updated` event.
    pub fn connected_account(&self) -> Result<super::stripe::Account, serde_json::Error> {
        expect_object(&self.object, "account")?;
        super::stripe::Account::deserialize(&self.object)
    }

    /// The payout of a `payout.*` event.
    pub fn payout(&self) -> Result<Payout, serde_json::Error> {
        expect_object(&self.object, "payout")?;
        Payout::deserialize(&self.object)
    }

    /// The refund news in a `refund.*` or `charge.refunded` event.
    pub fn refund(&self) -> Result<RefundNotice, serde_json::Error> {
        #[derive(Deserialize)]
        struct RawRefund {
            id: String,
            status: Option<String>,
            payment_intent: Option<IdOrObject>,
            metadata: Option<HashMap<String, serde_json::Value>>,
            amount: i64,
            failure_reason: Option<String>,
        }
        #[derive(Deserialize)]
        struct RawCharge {
            payment_intent: Option<IdOrObject>,
            metadata: Option<HashMap<String, serde_json::Value>>,
            refunded: bool,
            amount_refunded: i64,
        }
        match self.object.get("object").and_then(|o| o.as_str()) {
            Some("refund") => {
                let r = RawRefund::deserialize(&self.object)?;
                Ok(RefundNotice {
                    purchase_id: metadata_purchase_id(r.metadata.as_ref()),
                    refund_id: Some(r.id),
                    payment_intent: r.payment_intent.map(IdOrObject::into_id),
                    status: r.status.unwrap_or_else(|| "pending".to_owned()),
                    amount: r.amount,
                    failure_reason: r.failure_reason,
                })
            }
            Some("charge") => {
                let c = RawCharge::deserialize(&self.object)?;
                Ok(RefundNotice {
                    purchase_id: metadata_purchase_id(c.metadata.as_ref()),
                    refund_id: None,
                    payment_intent: c.payment_intent.map(IdOrObject::into_id),
                    status: if c.refunded { "succeeded" } else { "partial" }.to_owned(),
                    amount: c.amount_refunded,
                    failure_reason: None,
                })
            }
            other => Err(serde_json::Error::custom(format!("expected a refund or charge object, got {other:?}"))),
        }
    }
}

fn expect_object(object: &serde_json::Value, kind: &str) -> Result<(), serde_json::Error> {
    match object.get("object").and_then(|o| o.as_str()) {
        Some(k) if k == kind => Ok(()),
        other => Err(serde_json::Error::custom(format!("expected a {kind} object, got {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use glean_fakes::stripe::{FakeStripe, event_json, sign};
    use secrecy::SecretString;
    use serde_json::json;

    use super::*;
    use crate::payments::stripe::checkout_form;
    use crate::payments::{CheckoutLine, CheckoutRequest, StripeClient};

    const SECRET: &str = "whsec_test_glean_cross_check";
    const PAYLOAD: &str = r#"{"id":"evt_1","object":"event","type":"checkout.session.completed"}"#;
    const T: i64 = 1_700_000_000;
    /// HMAC-SHA256 of `"{T}.{PAYLOAD}"` keyed with `SECRET`, computed outside
    /// Rust, once, with Python's standard library (the same calls as
    /// stripe-python's `WebhookSignature._compute_signature`):
    ///
    /// ```sh
    /// python3 -c 'import hmac, hashlib; print(hmac.new(b"whsec_test_glean_cross_check",
    ///   b"1700000000.{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"checkout.session.completed\"}",
    ///   hashlib.sha256).hexdigest())'
    /// ```
    ///
    /// and confirmed with `printf '%s' '1700000000.{…}' | openssl dgst -sha256
    /// -hmac whsec_test_glean_cross_check`.
    const V1: &str = "b2b6784149022aff000a8c0cbcaef9c5400aee950a7ff5ceaa8bd10f802c5cdb";
    /// A valid-looking signature of something else.
    const OTHER: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn check(header: &str, payload: &str, secret: &str, now: i64, expected: Result<(), SignatureError>) {
        assert_eq!(
            verify_signature(payload.as_bytes(), header, secret, now, TOLERANCE_SECS),
            expected,
            "header {header:?}, now {now}"
        );
    }

    #[test]
    fn signatures_are_checked_as_stripe_specifies() {
        use SignatureError::*;
        let valid = format!("t={T},v1={V1}");
        check(&valid, PAYLOAD, SECRET, T, Ok(()));
        check(&valid, PAYLOAD, SECRET, T + TOLERANCE_SECS, Ok(()));
        check(&valid, PAYLOAD, SECRET, T - TOLERANCE_SECS, Ok(()));
        // Stripe's test mode adds a v0; other schemes are ignored.
        check(&format!("t={T},v0={OTHER},v1={V1}"), PAYLOAD, SECRET, T, Ok(()));
        // While a secret is rolled, several v1 come; one match is enough.
        check(&format!("t={T},v1={OTHER},v1=nothex,v1={V1}"), PAYLOAD, SECRET, T, Ok(()));
        check(&format!(" t={T}, v1={} ", V1.to_uppercase()), PAYLOAD, SECRET, T, Ok(()));

        check(&valid, PAYLOAD, "whsec_test_other", T, Err(Mismatch));
        check(&valid, &PAYLOAD.replace("evt_1", "evt_2"), SECRET, T, Err(Mismatch));
        check(&valid, &format!("{PAYLOAD}\n"), SECRET, T, Err(Mismatch));
        check(&format!("t={},v1={V1}", T + 1), PAYLOAD, SECRET, T, Err(Mismatch));
        check(&format!("t={T},v1={OTHER}"), PAYLOAD, SECRET, T, Err(Mismatch));
        check(&format!("t={T},v1="), PAYLOAD, SECRET, T, Err(Mismatch));
        check(&format!("t={T},v0={V1}"), PAYLOAD, SECRET, T, Err(NoV1));
        check(&format!("t={T}"), PAYLOAD, SECRET, T, Err(NoV1));

        check(&valid, PAYLOAD, SECRET, T + TOLERANCE_SECS + 1, Err(Stale));
        check(&valid, PAYLOAD, SECRET, T - TOLERANCE_SECS - 1, Err(Stale));
        check(&valid, PAYLOAD, SECRET, 0, Err(Stale));
        // A forged signature is a mismatch whatever its age.
        check(&format!("t={T},v1={OTHER}"), PAYLOAD, SECRET, T + 10_000, Err(Mismatch));

        check(&format!("v1={V1}"), PAYLOAD, SECRET, T, Err(Malformed));
        check(&format!("t=,v1={V1}"), PAYLOAD, SECRET, T, Err(Malformed));
        check(&format!("t=-5,v1={V1}"), PAYLOAD, SECRET, T, Err(Malformed));
        check(&format!("t=+{T},v1={V1}"), PAYLOAD, SECRET, T, Err(Malformed));
        check(&format!("t=99999999999999999999,v1={V1}"), PAYLOAD, SECRET, T, Err(Malformed));
        check(&format!("t={T},t={T},v1={V1}"), PAYLOAD, SECRET, T, Err(Malformed));
        check("garbage", PAYLOAD, SECRET, T, Err(Malformed));
        check(",,,", PAYLOAD, SECRET, T, Err(Malformed));
        check("", PAYLOAD, SECRET, T, Err(MissingHeader));
        check("   ", PAYLOAD, SECRET, T, Err(MissingHeader));
    }

    #[test]
    fn the_payload_is_signed_as_raw_bytes() {
        let body = [0xff, 0xfe, b'{', b'}'];
        let header = sign_bytes(&body, SECRET, T);
        assert_eq!(verify_signature(&body, &header, SECRET, T, TOLERANCE_SECS), Ok(()));
        assert_eq!(verify_signature(&body[1..], &header, SECRET, T, TOLERANCE_SECS), Err(SignatureError::Mismatch));
    }

    /// The test's own signer for non-UTF-8 bodies, checked against `V1`.
    fn sign_bytes(payload: &[u8], secret: &str, t: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(format!("{t}.").as_bytes());
        mac.update(payload);
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn the_test_signer_agrees_with_the_independent_vector() {
        assert_eq!(sign_bytes(PAYLOAD.as_bytes(), SECRET, T), format!("t={T},v1={V1}"));
    }

    #[test]
    fn the_fake_stripe_signer_agrees_with_the_independent_vector_and_verifies() {
        assert_eq!(sign(PAYLOAD, SECRET, T), format!("t={T},v1={V1}"));

        let event = event_json("evt_9", "checkout.session.completed", json!({"object": "checkout.session"}), T);
        let header = sign(&event, SECRET, T + 3);
        assert_eq!(verify_signature(event.as_bytes(), &header, SECRET, T, TOLERANCE_SECS), Ok(()));
        assert_eq!(
            verify_signature(event.as_bytes(), &header, "whsec_other", T, TOLERANCE_SECS),
            Err(SignatureError::Mismatch)
        );
    }

    #[tokio::test]
    async fn events_from_the_fake_parse_into_sessions_and_refunds() {
        let fake = FakeStripe::start().await;
        let base = url::Url::parse(&fake.base_url()).expect("url");
        let stripe =
            StripeClient::new(base, SecretString::from(fake.secret_key()), Duration::from_secs(10)).expect("client");
        let now = chrono::Utc::now().timestamp();
        let request = CheckoutRequest {
            purchase_id: 42,
            currency: "eur".to_owned(),
            lines: vec![CheckoutLine { name: "Veg box".to_owned(), unit_amount: 325, quantity: 2 }],
            expires_at: now + 3600,
            success_url: "https://example.com/ok".to_owned(),
            cancel_url: "https://example.com/cancel".to_owned(),
            customer_reference: None,
            destination: None,
        };
        let session_id =
            stripe.create_checkout_session(&checkout_form(&request), "checkout-purchase-42").await.expect("create").id;
        let payment_intent = fake.complete_session(&session_id);

        let completed =
            event_json("evt_1", "checkout.session.completed", fake.session_object(&session_id).expect("session"), T);
        let event = parse_event(completed.as_bytes()).expect("event");
        assert_eq!((event.id.as_str(), event.kind.as_str(), event.created), ("evt_1", "checkout.session.completed", T));
        let session = event.checkout_session().expect("session");
        assert_eq!(session.id, session_id);
        assert!(session.is_paid());
        assert_eq!(session.payment_intent.as_deref(), Some(payment_intent.as_str()));
        assert_eq!(session.metadata_purchase_id, Some(42));
        assert_eq!((session.amount_total, session.currency.as_deref()), (Some(650), Some("eur")));
        assert!(event.refund().is_err());

        let refund_id = stripe.create_refund(&payment_intent, "refund-purchase-42", 42).await.expect("refund").id;
        let refunded = event_json("evt_2", "refund.created", fake.refund_object(&refund_id).expect("refund"), T);
        let notice = parse_event(refunded.as_bytes()).expect("event").refund().expect("refund");
        assert_eq!(
            notice,
            RefundNotice {
                refund_id: Some(refund_id),
                payment_intent: Some(payment_intent.clone()),
                purchase_id: Some(42),
                status: "succeeded".to_owned(),
                amount: 650,
                failure_reason: None,
            }
        );

        let charge = event_json("evt_3", "charge.refunded", fake.charge_object(&payment_intent).expect("charge"), T);
        let event = parse_event(charge.as_bytes()).expect("event");
        assert!(event.checkout_session().is_err());
        assert_eq!(
            event.refund().expect("charge"),
            RefundNotice {
                refund_id: None,
                payment_intent: Some(payment_intent),
                purchase_id: Some(42),
                status: "succeeded".to_owned(),
                amount: 650,
                failure_reason: None,
            }
        );
    }

    #[test]
    fn events_missing_their_envelope_are_errors() {
        for bad in [
            &b"not json"[..],
            br#"{"id":"evt_1","type":"x","created":1}"#,
            br#"{"type":"x","created":1,"data":{"object":{}}}"#,
        ] {
            assert!(parse_event(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let event = parse_event(
            br#"{"id":"evt_1","type":"charge.refunded","created":1,"data":{"object":{"object":"charge"}}}"#,
        )
        .expect("envelope");
        assert!(event.refund().is_err(), "a charge without its fields");
    }
}
