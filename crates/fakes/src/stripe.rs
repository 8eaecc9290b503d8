//! A fake Stripe API for the endpoints Glean uses, and Stripe's webhook signer.
//!
//! [`FakeStripe::start`] serves on `127.0.0.1` the real protocol of
//! `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{id}`,
//! `POST /v1/checkout/sessions/{id}/expire`, `POST /v1/refunds` and
//! `GET /v1/refunds/{id}`: Bearer authentication, form-encoded bodies with
//! bracket keys (`line_items[0][price_data][unit_amount]`), Stripe's error
//! objects, and `Idempotency-Key` replay. It is as strict as Stripe where
//! integrations commonly go wrong: unknown parameters, `expires_at` outside
//! 30 minutes to 24 hours, a reused idempotency key with other parameters,
//! expiring a paid session, refunding twice.
//!
//! For Stripe Connect it serves `POST /v1/accounts`, `GET /v1/accounts/{id}`,
//! `POST /v1/account_links` (links that expire after five minutes and work
//! once), destination charges (`payment_intent_data[transfer_data][destination]`
//! and `[application_fee_amount]`: a transfer and an application fee),
//! refunds with `reverse_transfer` and `refund_application_fee` (refused on
//! a charge without a fee, as Stripe does), `GET /v1/charges?payment_intent=`
//! and `GET /v1/balance_transactions/{id}` with a processing fee of 1.5 % +
//! 25 minor units, and payouts that tests settle; Connect events carry a
//! top-level `account` and are signed with the Connect secret.
//!
//! Tests act as the customer and as Stripe with [`FakeStripe::complete_session`]
//! (the customer paid) and [`FakeStripe::expire_session`], inspect what the
//! app sent with [`FakeStripe::requests`], simulate outages with
//! [`FakeStripe::fail_next`], and send signed webhook events with [`sign`],
//! [`event_json`] and [`FakeStripe::deliver`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const SECRET_KEY: &str = "sk_test_fake_glean_0123456789";
const WEBHOOK_SECRET: &str = "whsec_test_fake_glean_0123456789";
/// The signing secret of the fake's Connect webhook endpoint.
pub const CONNECT_WEBHOOK_SECRET: &str = "whsec_test_fake_connect_9876543210";
/// How long an account link works after it is made.
const ACCOUNT_LINK_SECS: i64 = 300;
/// Countries the fake accepts for accounts (Stripe's Express list).
const ACCOUNT_COUNTRIES: &[&str] = &[
    "AT", "AU", "BE", "BG", "CA", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE",
    "IT", "JP", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "NZ", "PL", "PT", "RO", "SE", "SG", "SI", "SK", "US",
];
/// The API version the fake's objects and events follow.
pub const API_VERSION: &str = "2024-06-20";
/// Stripe's bounds for `expires_at`, from the session's creation.
const MIN_EXPIRY_SECS: i64 = 30 * 60;
const MAX_EXPIRY_SECS: i64 = 24 * 3600;
/// Stripe's largest amount for one charge: 8 digits of minor units.
const MAX_AMOUNT: i64 = 99_999_999;
const MAX_BODY_BYTES: usize = 1 << 20;

/// A running fake Stripe. Cloning gives another handle to the same server; it
/// serves until the tokio runtime that started it shuts down.
#[derive(Clone)]
pub struct FakeStripe {
    shared: Arc<Shared>,
}

/// How the next matching requests fail; see [`FakeStripe::fail_next`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailMode {
    /// 500 with an `api_error` object; the request is not carried out.
    Status500,
    /// The request is carried out, but the answer comes only after this long,
    /// as when Stripe did the work and the response was lost: a client with a
    /// shorter timeout gives up, and its retry (with the same idempotency key)
    /// gets the saved result.
    Timeout(Duration),
    /// 429 with code `rate_limit`; the request is not carried out.
    Status429,
}

/// A Checkout Session as the fake holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeSession {
    /// `cs_test_…`
    pub id: String,
    /// `open`, `complete` or `expired`.
    pub status: String,
    /// `unpaid` or `paid`.
    pub payment_status: String,
    /// `pi_…` once paid.
    pub payment_intent: Option<String>,
    pub line_items: Vec<FakeLineItem>,
    /// Lowercase ISO 4217.
    pub currency: String,
    pub amount_total: i64,
    pub metadata: BTreeMap<String, String>,
    /// `payment_intent_data[metadata]`: given to the PaymentIntent and its
    /// charge when the customer pays.
    pub payment_intent_metadata: BTreeMap<String, String>,
    /// `payment_intent_data[transfer_data][destination]`.
    pub destination: Option<String>,
    /// `payment_intent_data[application_fee_amount]`.
    pub application_fee_amount: Option<i64>,
    /// `payment_intent_data[on_behalf_of]`.
    pub on_behalf_of: Option<String>,
    pub client_reference_id: Option<String>,
    pub customer_email: Option<String>,
    pub payment_method_types: Vec<String>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub created: i64,
    pub expires_at: i64,
}

/// One `line_items[i]` with inline `price_data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeLineItem {
    pub name: String,
    pub unit_amount: i64,
    pub quantity: i64,
}

/// A refund as the fake holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeRefund {
    /// `re_…`
    pub id: String,
    pub payment_intent: String,
    /// `ch_…`
    pub charge: String,
    pub amount: i64,
    pub currency: String,
    /// `succeeded` at once (refunds to test cards are), or `pending` until
    /// settled when [`FakeStripe::refunds_start_pending`] says so.
    pub status: String,
    /// Why it failed, once it did.
    pub failure_reason: Option<String>,
    pub reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    /// The part of the transfer pulled back from the connected account
    /// (`reverse_transfer`).
    pub transfer_reversed: i64,
    /// The part of the application fee given back (`refund_application_fee`).
    pub fee_refunded: i64,
}

/// A connected account as the fake holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeAccount {
    /// `acct_…`
    pub id: String,
    pub country: String,
    pub email: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// Every `controller[…]` parameter, flattened (`fees[payer]` → `application`).
    pub controller: BTreeMap<String, String>,
    /// The capabilities requested (`card_payments`, `transfers`).
    pub capabilities: Vec<String>,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub currently_due: Vec<String>,
    pub past_due: Vec<String>,
    pub disabled_reason: Option<String>,
}

/// An onboarding link as the fake holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeAccountLink {
    pub url: String,
    pub account: String,
    pub kind: String,
    pub refresh_url: String,
    pub return_url: String,
    pub expires_at: i64,
    /// Links work once.
    pub used: bool,
}

/// A payout from a connected account to its bank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakePayout {
    /// `po_…`
    pub id: String,
    pub account: String,
    pub amount: i64,
    pub currency: String,
    /// `pending`, `paid` or `failed`.
    pub status: String,
    pub failure_message: Option<String>,
}

/// What became of a visit to an account link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkVisit {
    /// The onboarding page opened; after it Stripe sends the browser to `return_url`.
    Opened { account: String, return_url: String },
    /// Expired or used: Stripe sends the browser to `refresh_url`.
    Refresh(String),
    /// Not a link Stripe made.
    Unknown,
}

/// A request the fake received, whatever became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Form (or query) parameters in the order sent, keys still bracketed.
    pub params: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
    /// The status the fake answered with.
    pub status: u16,
}

struct Shared {
    base_url: String,
    state: Mutex<FakeState>,
    http: reqwest::Client,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        // A panicking test thread must not take the server down with it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
struct FakeState {
    sessions: Vec<FakeSession>,
    payments: Vec<Payment>,
    refunds: Vec<FakeRefund>,
    accounts: Vec<FakeAccount>,
    account_links: Vec<FakeAccountLink>,
    payouts: Vec<FakePayout>,
    idempotency: HashMap<String, Saved>,
    requests: Vec<RecordedRequest>,
    failures: Vec<FailRule>,
    next_id: u64,
    /// How long every answer takes (Stripe's take 200-600 ms).
    latency: Duration,
    /// New refunds start `pending` (as many card refunds do) instead of
    /// `succeeded`.
    refunds_pending: bool,
}

/// A PaymentIntent with its one charge.
struct Payment {
    id: String,
    charge: String,
    amount: i64,
    amount_refunded: i64,
    currency: String,
    metadata: BTreeMap<String, String>,
    created: i64,
    /// `transfer_data[destination]`: the connected account the charge goes to.
    destination: Option<String>,
    on_behalf_of: Option<String>,
    /// `application_fee_amount` (0 without one).
    application_fee: i64,
    /// Stripe's processing fee, paid by the platform.
    stripe_fee: i64,
    /// `txn_…` of the charge.
    balance_transaction: String,
}

/// The first response to an idempotency key, and what it was for.
struct Saved {
    method: String,
    path: String,
    /// Sorted, so that parameter order does not matter.
    params: Vec<(String, String)>,
    status: u16,
    body: String,
}

struct FailRule {
    path_prefix: Option<String>,
    remaining: u32,
    mode: FailMode,
}

impl FakeStripe {
    /// Binds `127.0.0.1:0` and serves the API in a task on the current tokio
    /// runtime.
    pub async fn start() -> FakeStripe {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("fake Stripe: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake Stripe: local address");
        let shared = Arc::new(Shared {
            base_url: format!("http://{addr}"),
            state: Mutex::new(FakeState::default()),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("fake Stripe: webhook HTTP client"),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("fake Stripe stopped: {error}");
            }
        });
        FakeStripe { shared }
    }

    /// The value for `STRIPE_API_BASE`, e.g. `http://127.0.0.1:40123` (no
    /// trailing slash).
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The one secret key the fake accepts.
    pub fn secret_key(&self) -> &'static str {
        SECRET_KEY
    }

    /// The signing secret of the webhook endpoint, for `STRIPE_WEBHOOK_SECRET`.
    pub fn webhook_secret(&self) -> &'static str {
        WEBHOOK_SECRET
    }

    /// The signing secret of the Connect webhook endpoint, for
    /// `STRIPE_CONNECT_WEBHOOK_SECRET`.
    pub fn connect_webhook_secret(&self) -> &'static str {
        CONNECT_WEBHOOK_SECRET
    }

    /// Every connected account, oldest first.
    pub fn accounts(&self) -> Vec<FakeAccount> {
        self.shared.lock().accounts.clone()
    }

    /// Every account link made, oldest first.
    pub fn account_links(&self) -> Vec<FakeAccountLink> {
        self.shared.lock().account_links.clone()
    }

    /// The business opens an account link in the browser: it works once,
    /// before it expires.
    pub fn visit_account_link(&self, url: &str) -> LinkVisit {
        let mut state = self.shared.lock();
        let now = now();
        let Some(link) = state.account_links.iter_mut().find(|l| l.url == url) else { return LinkVisit::Unknown };
        if link.used || link.expires_at <= now {
            return LinkVisit::Refresh(link.refresh_url.clone());
        }
        link.used = true;
        LinkVisit::Opened { account: link.account.clone(), return_url: link.return_url.clone() }
    }

    /// Every account link expires now (as they do after a few minutes).
    pub fn expire_account_links(&self) {
        for link in &mut self.shared.lock().account_links {
            link.expires_at = now() - 1;
        }
    }

    /// The business finished onboarding and Stripe verified it: charges
    /// and payouts enabled, nothing due. Returns the account object.
    pub fn verify_account(&self, id: &str) -> Value {
        let mut state = self.shared.lock();
        let account = state.account_mut(id).unwrap_or_else(|| panic!("fake Stripe: no account {id}"));
        account.charges_enabled = true;
        account.payouts_enabled = true;
        account.currently_due.clear();
        account.past_due.clear();
        account.disabled_reason = None;
        account_json(account)
    }

    /// Stripe needs something: `past_due` requirements and, when
    /// `disabled_reason` is given, charges and payouts off.
    pub fn require(&self, id: &str, past_due: &[&str], disabled_reason: Option<&str>) -> Value {
        let mut state = self.shared.lock();
        let account = state.account_mut(id).unwrap_or_else(|| panic!("fake Stripe: no account {id}"));
        account.past_due = past_due.iter().map(|s| (*s).to_owned()).collect();
        account.disabled_reason = disabled_reason.map(str::to_owned);
        if disabled_reason.is_some() {
            account.charges_enabled = false;
            account.payouts_enabled = false;
        }
        account_json(account)
    }

    /// The account as the API renders it: `data.object` of `account.updated`.
    pub fn account_object(&self, id: &str) -> Option<Value> {
        self.shared.lock().accounts.iter().find(|a| a.id == id).map(account_json)
    }

    /// Stripe starts a payout of `amount` from the account's balance
    /// (`pending`). Panics when the balance doesn't cover it.
    pub fn create_payout(&self, account: &str, amount: i64) -> String {
        let balance = self.account_balance(account);
        assert!(amount > 0 && amount <= balance, "fake Stripe: payout of {amount} from a balance of {balance}");
        let mut state = self.shared.lock();
        let currency = state
            .payments
            .iter()
            .find(|p| p.destination.as_deref() == Some(account))
            .map_or_else(|| "eur".to_owned(), |p| p.currency.clone());
        let id = state.new_id("po");
        state.payouts.push(FakePayout {
            id: id.clone(),
            account: account.to_owned(),
            amount,
            currency,
            status: "pending".to_owned(),
            failure_message: None,
        });
        id
    }

    /// The bank took the payout (`paid`) or returned it (`failed`, with a
    /// message): the payout object for `payout.paid`/`payout.failed`.
    pub fn settle_payout(&self, id: &str, paid: bool, failure_message: Option<&str>) -> Value {
        let mut state = self.shared.lock();
        let payout =
            state.payouts.iter_mut().find(|p| p.id == id).unwrap_or_else(|| panic!("fake Stripe: no payout {id}"));
        payout.status = if paid { "paid" } else { "failed" }.to_owned();
        payout.failure_message = failure_message.map(str::to_owned);
        payout_json(payout)
    }

    /// The payout was canceled before it reached the bank: the payout
    /// object for `payout.canceled`; its money is back in the balance.
    pub fn cancel_payout(&self, id: &str) -> Value {
        let mut state = self.shared.lock();
        let payout =
            state.payouts.iter_mut().find(|p| p.id == id).unwrap_or_else(|| panic!("fake Stripe: no payout {id}"));
        assert_eq!(payout.status, "pending", "fake Stripe: only a pending payout can be canceled");
        payout.status = "canceled".to_owned();
        payout_json(payout)
    }

    /// What a connected account holds: transfers of its destination
    /// charges less application fees, less reversed transfers plus fees
    /// given back (refunds that didn't fail), less payouts that didn't fail
    /// and weren't canceled.
    pub fn account_balance(&self, account: &str) -> i64 {
        let state = self.shared.lock();
        let mut balance = 0;
        for p in state.payments.iter().filter(|p| p.destination.as_deref() == Some(account)) {
            balance += p.amount - p.application_fee;
            for r in state.refunds.iter().filter(|r| r.payment_intent == p.id && refund_counts(r)) {
                balance += r.fee_refunded - r.transfer_reversed;
            }
        }
        balance
            - state
                .payouts
                .iter()
                .filter(|p| p.account == account && p.status != "failed" && p.status != "canceled")
                .map(|p| p.amount)
                .sum::<i64>()
    }

    /// The platform's margin on destination charges: application fees,
    /// less fees given back, less Stripe's processing fees on every charge.
    pub fn platform_margin(&self) -> i64 {
        let state = self.shared.lock();
        let fees: i64 = state.payments.iter().map(|p| p.application_fee - p.stripe_fee).sum();
        let back: i64 = state.refunds.iter().filter(|r| refund_counts(r)).map(|r| r.fee_refunded).sum();
        fees - back
    }

    /// Stripe's processing fee on a PaymentIntent's charge.
    pub fn stripe_fee(&self, payment_intent: &str) -> Option<i64> {
        self.shared.lock().payments.iter().find(|p| p.id == payment_intent).map(|p| p.stripe_fee)
    }

    /// A Connect event: the envelope with a top-level `account`.
    pub fn connect_event(&self, kind: &str, account: &str, object: Value) -> String {
        let id = self.shared.lock().new_id("evt");
        let mut event: Value = serde_json::from_str(&event_json(&id, kind, object, now())).expect("event JSON");
        event["account"] = json!(account);
        event.to_string()
    }

    /// The next `n` requests fail as `mode` says. Rules queue up: the first
    /// with requests left applies.
    pub fn fail_next(&self, n: u32, mode: FailMode) {
        self.shared.lock().failures.push(FailRule { path_prefix: None, remaining: n, mode });
    }

    /// Like [`FakeStripe::fail_next`], for requests whose path starts with
    /// `path_prefix` (e.g. `/v1/refunds`) only.
    pub fn fail_next_on(&self, path_prefix: &str, n: u32, mode: FailMode) {
        let rule = FailRule { path_prefix: Some(path_prefix.to_owned()), remaining: n, mode };
        self.shared.lock().failures.push(rule);
    }

    /// Every answer comes `latency` after the request arrived, and the work
    /// (and Stripe's clock for `expires_at`) happens at the end of it, as
    /// with a real round trip.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// New refunds start `pending` (and stay so until
    /// [`FakeStripe::settle_refund`]) instead of `succeeded`.
    pub fn refunds_start_pending(&self, pending: bool) {
        self.shared.lock().refunds_pending = pending;
    }

    /// Stripe decides a refund: `succeeded`, or `failed`/`canceled` with a
    /// reason (also after it had succeeded, as card refunds can). A refund
    /// that didn't happen gives the money back to the charge. Returns the
    /// refund as events carry it.
    pub fn settle_refund(&self, id: &str, status: &str, failure_reason: Option<&str>) -> Value {
        let mut state = self.shared.lock();
        let refund =
            state.refunds.iter_mut().find(|r| r.id == id).unwrap_or_else(|| panic!("fake Stripe: no refund {id}"));
        let was_counted = refund.status != "failed" && refund.status != "canceled";
        let counts = status != "failed" && status != "canceled";
        refund.status = status.to_owned();
        refund.failure_reason = failure_reason.map(str::to_owned);
        let (pi, amount) = (refund.payment_intent.clone(), refund.amount);
        let body = refund_json(refund);
        if was_counted
            && !counts
            && let Some(p) = state.payments.iter_mut().find(|p| p.id == pi)
        {
            p.amount_refunded -= amount;
        }
        body
    }

    /// What a PaymentIntent leaves with the platform: its amount minus the
    /// refunds that succeeded. 0 for an unknown id.
    pub fn net_captured(&self, payment_intent: &str) -> i64 {
        let state = self.shared.lock();
        let Some(p) = state.payments.iter().find(|p| p.id == payment_intent) else { return 0 };
        let refunded: i64 = state
            .refunds
            .iter()
            .filter(|r| r.payment_intent == payment_intent && r.status == "succeeded")
            .map(|r| r.amount)
            .sum();
        p.amount - refunded
    }

    /// Every PaymentIntent made: `(id, amount, metadata[purchase_id])`.
    pub fn payments(&self) -> Vec<(String, i64, Option<String>)> {
        let state = self.shared.lock();
        state.payments.iter().map(|p| (p.id.clone(), p.amount, p.metadata.get("purchase_id").cloned())).collect()
    }

    /// Every Checkout Session, oldest first.
    pub fn sessions(&self) -> Vec<FakeSession> {
        let mut state = self.shared.lock();
        state.expire_due(now());
        state.sessions.clone()
    }

    /// One Checkout Session by id.
    pub fn session(&self, id: &str) -> Option<FakeSession> {
        self.sessions().into_iter().find(|s| s.id == id)
    }

    /// Every refund, oldest first.
    pub fn refunds(&self) -> Vec<FakeRefund> {
        self.shared.lock().refunds.clone()
    }

    /// The requests received whose path starts with `path_prefix` (`""` for
    /// all), oldest first.
    pub fn requests(&self, path_prefix: &str) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().filter(|r| r.path.starts_with(path_prefix)).cloned().collect()
    }

    /// The customer pays: the open session becomes `complete` and `paid`, with
    /// a new PaymentIntent (and charge) for its total. Returns the
    /// PaymentIntent's id. Panics unless the session is open, as Stripe's
    /// payment page would not take the payment.
    pub fn complete_session(&self, id: &str) -> String {
        self.try_complete_session(id).unwrap_or_else(|| panic!("fake Stripe: session {id} cannot be paid"))
    }

    /// The customer tries to pay: `Some(PaymentIntent)` if the session was
    /// open, `None` if Stripe's page would refuse (expired, already paid).
    pub fn try_complete_session(&self, id: &str) -> Option<String> {
        let mut state = self.shared.lock();
        let now = now();
        state.expire_due(now);
        let (payment_id, charge_id) = (state.new_id("pi"), state.new_id("ch"));
        let session = state.session_mut(id)?;
        if session.status != "open" {
            return None;
        }
        session.status = "complete".to_owned();
        session.payment_status = "paid".to_owned();
        session.payment_intent = Some(payment_id.clone());
        let payment = Payment {
            id: payment_id.clone(),
            charge: charge_id,
            amount: session.amount_total,
            amount_refunded: 0,
            currency: session.currency.clone(),
            metadata: session.payment_intent_metadata.clone(),
            created: now,
            destination: session.destination.clone(),
            on_behalf_of: session.on_behalf_of.clone(),
            application_fee: session.application_fee_amount.unwrap_or(0),
            stripe_fee: processing_fee(session.amount_total),
            balance_transaction: String::new(),
        };
        let payment = Payment { balance_transaction: state.new_id("txn"), ..payment };
        state.payments.push(payment);
        Some(payment_id)
    }

    /// Stripe expires the session, as it does at `expires_at`. Panics unless
    /// it is open or already expired.
    pub fn expire_session(&self, id: &str) {
        let mut state = self.shared.lock();
        state.expire_due(now());
        let session = state.session_mut(id).unwrap_or_else(|| panic!("fake Stripe: no Checkout Session {id}"));
        assert_ne!(session.status, "complete", "fake Stripe: session {id} is paid; Stripe would not expire it");
        session.status = "expired".to_owned();
    }

    /// The session as the API renders it: the `data.object` of
    /// `checkout.session.*` events.
    pub fn session_object(&self, id: &str) -> Option<Value> {
        let mut state = self.shared.lock();
        state.expire_due(now());
        state.sessions.iter().find(|s| s.id == id).map(|s| session_json(s, &self.shared.base_url))
    }

    /// The refund as the API renders it: the `data.object` of `refund.*`
    /// events.
    pub fn refund_object(&self, id: &str) -> Option<Value> {
        self.shared.lock().refunds.iter().find(|r| r.id == id).map(refund_json)
    }

    /// The charge of a PaymentIntent as the API renders it: the `data.object`
    /// of `charge.refunded` events.
    pub fn charge_object(&self, payment_intent: &str) -> Option<Value> {
        self.shared.lock().payments.iter().find(|p| p.id == payment_intent).map(charge_json)
    }

    /// An event envelope with a fresh `evt_…` id, created now.
    pub fn event(&self, kind: &str, object: Value) -> String {
        let id = self.shared.lock().new_id("evt");
        event_json(&id, kind, object, now())
    }

    /// POSTs `event_json` to `webhook_url` as Stripe does: JSON body,
    /// `Stripe-Signature` signed with `secret` now. Returns the status and
    /// body of the answer, or status 0 and the error when there was none.
    pub async fn deliver(&self, webhook_url: &str, secret: &str, event_json: &str) -> (u16, String) {
        let signature = sign(event_json, secret, now());
        let sent = self
            .shared
            .http
            .post(webhook_url)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .header("Stripe-Signature", signature)
            .body(event_json.to_owned())
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.text().await.unwrap_or_default())
            }
            Err(error) => (0, error.to_string()),
        }
    }
}

/// A `Stripe-Signature` header value for `payload` signed with `secret` at
/// Unix time `t`: `t={t},v1={hex HMAC-SHA256 of "{t}.{payload}"}`.
pub fn sign(payload: &str, secret: &str, t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(payload.as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// An event envelope as Stripe posts it to webhooks.
pub fn event_json(id: &str, kind: &str, object: Value, created: i64) -> String {
    json!({
        "id": id,
        "object": "event",
        "api_version": API_VERSION,
        "created": created,
        "data": { "object": object },
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
    })
    .to_string()
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

// ---------------------------------------------------------------------------
// HTTP

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method;
    let path = parts.uri.path().to_owned();
    let idempotency_key = parts.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let raw = if method == Method::GET {
        parts.uri.query().unwrap_or_default().as_bytes().to_vec()
    } else {
        match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(bytes) => bytes.to_vec(),
            Err(_) => return reply(400, &Failure::invalid_body("The request body is too large.").json(), false),
        }
    };
    let parsed = parse_form(&raw);
    let params = parsed.clone().unwrap_or_default();
    let record = |status: u16| RecordedRequest {
        method: method.to_string(),
        path: path.clone(),
        params: params.clone(),
        idempotency_key: idempotency_key.clone(),
        status,
    };

    let latency = shared.lock().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let failure = shared.lock().take_failure(&path);
    let delay = match failure {
        Some(FailMode::Status500) => {
            shared.lock().requests.push(record(500));
            let body = json!({"error": {"type": "api_error", "message": "An unknown error occurred."}});
            return reply(500, &body, false);
        }
        Some(FailMode::Status429) => {
            shared.lock().requests.push(record(429));
            let body = json!({"error": {
                "type": "invalid_request_error",
                "code": "rate_limit",
                "message": "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
            }});
            return reply(429, &body, false);
        }
        Some(FailMode::Timeout(delay)) => Some(delay),
        None => None,
    };

    let (status, body, replayed) = {
        let mut state = shared.lock();
        let answer = match parsed {
            Ok(params) => {
                state.dispatch(&shared.base_url, &method, &path, &parts.headers, &params, idempotency_key.clone())
            }
            Err(message) => Answer::fresh(Err(Failure::invalid_body(message))),
        };
        state.requests.push(record(answer.status));
        (answer.status, answer.body, answer.replayed)
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    reply(status, &body, replayed)
}

fn reply(status: u16, body: &Value, replayed: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, [("content-type", "application/json")], Body::from(body.to_string())).into_response();
    let headers = response.headers_mut();
    headers.insert("stripe-version", HeaderValue::from_static(API_VERSION));
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if status == StatusCode::UNAUTHORIZED {
        headers.insert("www-authenticate", HeaderValue::from_static("Bearer realm=\"Stripe\""));
    }
    response
}

/// The status and body to answer with.
struct Answer {
    status: u16,
    body: Value,
    replayed: bool,
}

impl Answer {
    fn fresh(outcome: Result<Value, Failure>) -> Answer {
        match outcome {
            Ok(body) => Answer { status: 200, body, replayed: false },
            Err(failure) => Answer { status: failure.status, body: failure.json(), replayed: false },
        }
    }
}

impl FakeState {
    fn dispatch(
        &mut self,
        base_url: &str,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        params: &[(String, String)],
        idempotency_key: Option<String>,
    ) -> Answer {
        if let Err(failure) = authenticate(headers) {
            return Answer::fresh(Err(failure));
        }
        let now = now();
        self.expire_due(now);

        // Stripe honours idempotency keys on POST only.
        let key = idempotency_key.filter(|_| *method == Method::POST);
        if let Some(key) = &key {
            if key.chars().count() > 255 {
                let message = "Idempotency keys can be no longer than 255 characters.";
                return Answer::fresh(Err(Failure::invalid("Idempotency-Key", message)));
            }
            if let Some(saved) = self.idempotency.get(key) {
                return replay(saved, key, method, path, params);
            }
        }

        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let outcome = match (method.as_str(), segments.as_slice()) {
            ("POST", ["v1", "checkout", "sessions"]) => self.create_session(base_url, params, now),
            ("GET", ["v1", "checkout", "sessions", id]) => self.retrieve_session(base_url, id, params),
            ("POST", ["v1", "checkout", "sessions", id, "expire"]) => self.expire(base_url, id, params),
            ("POST", ["v1", "refunds"]) => self.create_refund(params, now),
            ("GET", ["v1", "refunds", id]) => self.retrieve_refund(id, params),
            ("POST", ["v1", "accounts"]) => self.create_account(params),
            ("GET", ["v1", "accounts", id]) => self.retrieve_account(id, params),
            ("POST", ["v1", "account_links"]) => self.create_account_link(base_url, params, now),
            ("GET", ["v1", "charges"]) => self.list_charges(params),
            ("GET", ["v1", "balance_transactions", id]) => self.retrieve_balance_transaction(id, params),
            _ => Err(Failure {
                status: 404,
                message: format!(
                    "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
                ),
                ..Failure::invalid_body("")
            }),
        };
        // Stripe saves a key's result once the endpoint has started work: not
        // for requests refused while their parameters were being checked.
        let saved = match &outcome {
            Ok(_) => true,
            Err(failure) => failure.saved,
        };
        let answer = Answer::fresh(outcome);
        if let (Some(key), true) = (key, saved) {
            self.idempotency.insert(
                key,
                Saved {
                    method: method.to_string(),
                    path: path.to_owned(),
                    params: sorted(params),
                    status: answer.status,
                    body: answer.body.to_string(),
                },
            );
        }
        answer
    }

    fn take_failure(&mut self, path: &str) -> Option<FailMode> {
        let rule = self.failures.iter_mut().find(|rule| {
            rule.remaining > 0 && rule.path_prefix.as_deref().is_none_or(|prefix| path.starts_with(prefix))
        })?;
        rule.remaining -= 1;
        let mode = rule.mode;
        self.failures.retain(|rule| rule.remaining > 0);
        Some(mode)
    }

    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        let mode = if prefix == "cs" { "_test" } else { "" };
        format!("{prefix}{mode}_fake{:020}", self.next_id)
    }

    fn session_mut(&mut self, id: &str) -> Option<&mut FakeSession> {
        self.sessions.iter_mut().find(|s| s.id == id)
    }

    /// Open sessions past `expires_at` expire, as Stripe's do.
    fn expire_due(&mut self, now: i64) {
        for session in self.sessions.iter_mut().filter(|s| s.status == "open" && s.expires_at <= now) {
            session.status = "expired".to_owned();
        }
    }

    fn create_session(&mut self, base_url: &str, params: &[(String, String)], now: i64) -> Result<Value, Failure> {
        let tree = Tree::parse(params)?;
        tree.allow_only(
            &[
                "mode",
                "payment_method_types",
                "line_items",
                "metadata",
                "payment_intent_data",
                "client_reference_id",
                "customer_email",
                "expires_at",
                "success_url",
                "cancel_url",
                "locale",
                "expand",
            ],
            "",
        )?;
        match tree.string("mode", "")? {
            None => return Err(Failure::missing("mode")),
            Some("payment") => {}
            Some(other) => {
                let message = format!("Invalid mode: {other}. The fake supports only `payment`.");
                return Err(Failure::invalid("mode", message));
            }
        }
        let payment_method_types = match tree.array("payment_method_types", "")? {
            None => vec!["card".to_owned()],
            Some(types) => types
                .iter()
                .enumerate()
                .map(|(i, t)| match t.as_leaf() {
                    Some("card") => Ok("card".to_owned()),
                    _ => Err(Failure::invalid(
                        format!("payment_method_types[{i}]"),
                        "Invalid payment_method_types: the fake supports only `card`.",
                    )),
                })
                .collect::<Result<_, _>>()?,
        };

        let Some(items) = tree.array("line_items", "")? else {
            return Err(
                Failure::invalid("line_items", "`line_items` is required in `payment` mode.").code("parameter_missing")
            );
        };
        if items.is_empty() {
            return Err(
                Failure::invalid("line_items", "`line_items` is required in `payment` mode.").code("parameter_missing")
            );
        }
        let mut line_items = Vec::new();
        let mut currency: Option<String> = None;
        let mut total: i64 = 0;
        for (i, item) in items.iter().enumerate() {
            let (item_currency, line) = parse_line_item(item, &format!("line_items[{i}]"))?;
            if currency.as_ref().is_some_and(|c| *c != item_currency) {
                return Err(Failure::invalid(
                    format!("line_items[{i}][price_data][currency]"),
                    "All line items must use the same currency.",
                ));
            }
            currency = Some(item_currency);
            total = line
                .unit_amount
                .checked_mul(line.quantity)
                .and_then(|amount| total.checked_add(amount))
                .filter(|total| *total <= MAX_AMOUNT)
                .ok_or_else(|| {
                    Failure::invalid("line_items", format!("The total amount due must be no more than {MAX_AMOUNT}."))
                        .code("amount_too_large")
                })?;
            line_items.push(line);
        }
        let currency = currency.unwrap_or_default();
        if let Some(minimum) = minimum_charge(&currency)
            && total > 0
            && total < minimum
        {
            return Err(Failure::invalid(
                "line_items",
                format!("The Checkout Session's total amount due must add up to at least {minimum} ({currency} minor units)."),
            )
            .code("amount_too_small"));
        }

        let metadata = tree.metadata("metadata", "")?;
        let (mut destination, mut application_fee_amount, mut on_behalf_of) = (None, None, None);
        let payment_intent_metadata = match tree.map("payment_intent_data", "")? {
            None => BTreeMap::new(),
            Some(data) => {
                data.allow_only(
                    &["metadata", "description", "transfer_data", "application_fee_amount", "on_behalf_of"],
                    "payment_intent_data",
                )?;
                if let Some(transfer) = data.map("transfer_data", "payment_intent_data")? {
                    let prefix = "payment_intent_data[transfer_data]";
                    transfer.allow_only(&["destination", "amount"], prefix)?;
                    let param = "payment_intent_data[transfer_data][destination]";
                    let Some(dest) = transfer.string("destination", prefix)? else {
                        return Err(Failure::missing(param));
                    };
                    let account = self
                        .accounts
                        .iter()
                        .find(|a| a.id == dest)
                        .ok_or_else(|| Failure::resource_missing("account", dest, param, 400))?;
                    if !account.charges_enabled || account.disabled_reason.is_some() {
                        let message = format!(
                            "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments ({dest})."
                        );
                        return Err(Failure::invalid(param, message).code("insufficient_capabilities_for_transfer"));
                    }
                    destination = Some(dest.to_owned());
                }
                if let Some(raw) = data.string("application_fee_amount", "payment_intent_data")? {
                    let param = "payment_intent_data[application_fee_amount]";
                    let fee = integer(raw, param)?;
                    if fee < 0 {
                        return Err(Failure::invalid(param, "This value must be greater than or equal to 0."));
                    }
                    if fee > total {
                        let message =
                            format!("The application fee ({fee}) can't be greater than the charge amount ({total}).");
                        return Err(Failure::invalid(param, message));
                    }
                    application_fee_amount = Some(fee);
                }
                if let Some(obo) = data.string("on_behalf_of", "payment_intent_data")? {
                    let param = "payment_intent_data[on_behalf_of]";
                    if !self.accounts.iter().any(|a| a.id == obo) {
                        return Err(Failure::resource_missing("account", obo, param, 400));
                    }
                    on_behalf_of = Some(obo.to_owned());
                }
                if application_fee_amount.is_some() && destination.is_none() {
                    return Err(Failure::invalid(
                        "payment_intent_data[application_fee_amount]",
                        "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).",
                    ));
                }
                if let (Some(obo), Some(dest)) = (&on_behalf_of, &destination)
                    && obo != dest
                {
                    return Err(Failure::invalid(
                        "payment_intent_data[on_behalf_of]",
                        "The `on_behalf_of` account must be the same as the `transfer_data[destination]` account.",
                    ));
                }
                data.metadata("metadata", "payment_intent_data")?
            }
        };
        let client_reference_id = tree.string("client_reference_id", "")?.map(str::to_owned);
        if client_reference_id.as_ref().is_some_and(|r| r.chars().count() > 200) {
            return Err(Failure::invalid("client_reference_id", "client_reference_id must be at most 200 characters."));
        }
        let expires_at = match tree.string("expires_at", "")? {
            None => now + MAX_EXPIRY_SECS,
            Some(raw) => {
                let expires_at = integer(raw, "expires_at")?;
                if expires_at < now + MIN_EXPIRY_SECS {
                    return Err(Failure::invalid(
                        "expires_at",
                        "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
                    ));
                }
                if expires_at > now + MAX_EXPIRY_SECS {
                    return Err(Failure::invalid(
                        "expires_at",
                        "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
                    ));
                }
                expires_at
            }
        };
        let url = |name: &str| -> Result<Option<String>, Failure> {
            match tree.string(name, "")? {
                Some(u) if !(u.starts_with("https://") || u.starts_with("http://")) => {
                    Err(Failure::invalid(name, format!("Not a valid URL: {u}")).code("url_invalid"))
                }
                other => Ok(other.map(str::to_owned)),
            }
        };
        let (success_url, cancel_url) = (url("success_url")?, url("cancel_url")?);

        let session = FakeSession {
            id: self.new_id("cs"),
            status: "open".to_owned(),
            payment_status: "unpaid".to_owned(),
            payment_intent: None,
            line_items,
            currency,
            amount_total: total,
            metadata,
            payment_intent_metadata,
            destination,
            application_fee_amount,
            on_behalf_of,
            client_reference_id,
            customer_email: tree.string("customer_email", "")?.map(str::to_owned),
            payment_method_types,
            success_url,
            cancel_url,
            created: now,
            expires_at,
        };
        let body = session_json(&session, base_url);
        self.sessions.push(session);
        Ok(body)
    }

    fn retrieve_session(&self, base_url: &str, id: &str, params: &[(String, String)]) -> Result<Value, Failure> {
        Tree::parse(params)?.allow_only(&["expand"], "")?;
        let session = self.sessions.iter().find(|s| s.id == id).ok_or_else(|| no_such_session(id, 404))?;
        Ok(session_json(session, base_url))
    }

    fn expire(&mut self, base_url: &str, id: &str, params: &[(String, String)]) -> Result<Value, Failure> {
        Tree::parse(params)?.allow_only(&["expand"], "")?;
        let session = self.session_mut(id).ok_or_else(|| no_such_session(id, 404))?;
        if session.status != "open" {
            let message = format!(
                "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{}\".",
                session.status
            );
            return Err(Failure { saved: true, ..Failure::invalid("session", message) });
        }
        session.status = "expired".to_owned();
        Ok(session_json(session, base_url))
    }

    fn create_refund(&mut self, params: &[(String, String)], now: i64) -> Result<Value, Failure> {
        let tree = Tree::parse(params)?;
        tree.allow_only(
            &[
                "payment_intent",
                "charge",
                "amount",
                "metadata",
                "reason",
                "expand",
                "reverse_transfer",
                "refund_application_fee",
            ],
            "",
        )?;
        let flag = |name: &str| -> Result<bool, Failure> {
            match tree.string(name, "")? {
                None | Some("false") => Ok(false),
                Some("true") => Ok(true),
                Some(other) => Err(Failure::invalid(name, format!("Invalid boolean: {other}"))),
            }
        };
        let (reverse_transfer, refund_application_fee) = (flag("reverse_transfer")?, flag("refund_application_fee")?);
        let metadata = tree.metadata("metadata", "")?;
        let reason = tree.string("reason", "")?.map(str::to_owned);
        if let Some(r) = &reason
            && !["duplicate", "fraudulent", "requested_by_customer"].contains(&r.as_str())
        {
            let message =
                format!("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer. Got {r}.");
            return Err(Failure::invalid("reason", message));
        }
        let amount = tree.string("amount", "")?.map(|a| integer(a, "amount")).transpose()?;
        if amount.is_some_and(|a| a < 1) {
            return Err(Failure::invalid("amount", "This value must be greater than or equal to 1."));
        }
        let payment = match (tree.string("payment_intent", "")?, tree.string("charge", "")?) {
            (Some(_), Some(_)) => {
                let message = "You cannot specify both `charge` and `payment_intent`.";
                return Err(Failure::invalid("payment_intent", message));
            }
            (None, None) => {
                let message =
                    "One of the following params should be provided for this request: payment_intent or charge.";
                return Err(Failure::invalid("payment_intent", message).code("parameter_missing"));
            }
            (Some(pi), None) => self
                .payments
                .iter_mut()
                .find(|p| p.id == pi)
                .ok_or_else(|| Failure::resource_missing("payment_intent", pi, "payment_intent", 400))?,
            (None, Some(ch)) => self
                .payments
                .iter_mut()
                .find(|p| p.charge == ch)
                .ok_or_else(|| Failure::resource_missing("charge", ch, "charge", 400))?,
        };

        if reverse_transfer && payment.destination.is_none() {
            let message = format!(
                "The charge {} has no transfer to reverse: `reverse_transfer` is only for destination charges.",
                payment.charge
            );
            return Err(Failure::invalid("reverse_transfer", message));
        }
        if refund_application_fee && payment.application_fee == 0 {
            let message = format!("The charge {} has no application fee to refund.", payment.charge);
            return Err(Failure::invalid("refund_application_fee", message));
        }
        let unrefunded = payment.amount - payment.amount_refunded;
        if unrefunded == 0 {
            let message = format!("Charge {} has already been refunded.", payment.charge);
            return Err(Failure { saved: true, ..Failure::invalid("charge", message).code("charge_already_refunded") });
        }
        let amount = amount.unwrap_or(unrefunded);
        if amount > unrefunded {
            let message = if payment.amount_refunded == 0 {
                format!("Refund amount ({amount}) is greater than charge amount ({})", payment.amount)
            } else {
                format!("Refund amount ({amount}) is greater than unrefunded amount on charge ({unrefunded})")
            };
            return Err(Failure { saved: true, ..Failure::invalid("amount", message) });
        }
        payment.amount_refunded += amount;
        // A full refund reverses the whole transfer (the gross: Stripe
        // transfers the amount and collects the fee from the account) and
        // gives back the whole fee; a partial one in proportion.
        let share = |whole: i64| if amount == payment.amount { whole } else { whole * amount / payment.amount };
        let transfer_reversed = if reverse_transfer { share(payment.amount) } else { 0 };
        let fee_refunded = if refund_application_fee { share(payment.application_fee) } else { 0 };
        let refund = FakeRefund {
            id: String::new(),
            payment_intent: payment.id.clone(),
            charge: payment.charge.clone(),
            amount,
            currency: payment.currency.clone(),
            status: if self.refunds_pending { "pending" } else { "succeeded" }.to_owned(),
            failure_reason: None,
            reason,
            metadata,
            created: now,
            transfer_reversed,
            fee_refunded,
        };
        let refund = FakeRefund { id: self.new_id("re"), ..refund };
        let body = refund_json(&refund);
        self.refunds.push(refund);
        Ok(body)
    }

    fn account_mut(&mut self, id: &str) -> Option<&mut FakeAccount> {
        self.accounts.iter_mut().find(|a| a.id == id)
    }

    fn create_account(&mut self, params: &[(String, String)]) -> Result<Value, Failure> {
        let tree = Tree::parse(params)?;
        tree.allow_only(
            &["country", "email", "type", "controller", "capabilities", "metadata", "business_type", "expand"],
            "",
        )?;
        let country = match tree.string("country", "")? {
            None => "US".to_owned(),
            Some(c) if ACCOUNT_COUNTRIES.contains(&c) => c.to_owned(),
            Some(c) => {
                return Err(Failure::invalid(
                    "country",
                    format!(
                        "Country '{c}' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'. A full list of country codes is available at https://stripe.com/docs/api#country_codes"
                    ),
                ));
            }
        };
        let email = tree.string("email", "")?.map(str::to_owned);
        if let Some(e) = &email
            && (!e.contains('@') || e.contains(' '))
        {
            return Err(Failure::invalid("email", format!("Invalid email address: {e}")).code("email_invalid"));
        }
        let mut controller = BTreeMap::new();
        if let Some(c) = tree.map("controller", "")? {
            c.allow_only(&["stripe_dashboard", "fees", "losses", "requirement_collection"], "controller")?;
            let allowed: &[(&str, &str, &[&str])] = &[
                ("stripe_dashboard", "type", &["express", "full", "none"]),
                ("fees", "payer", &["application", "account"]),
                ("losses", "payments", &["application", "stripe"]),
            ];
            for (group, field, values) in allowed {
                if let Some(g) = c.map(group, "controller")? {
                    let prefix = format!("controller[{group}]");
                    g.allow_only(&[field], &prefix)?;
                    if let Some(v) = g.string(field, &prefix)? {
                        if !values.contains(&v) {
                            return Err(Failure::invalid(
                                format!("{prefix}[{field}]"),
                                format!("Invalid {field}: {v}"),
                            ));
                        }
                        controller.insert(format!("{group}[{field}]"), v.to_owned());
                    }
                }
            }
            if let Some(v) = c.string("requirement_collection", "controller")? {
                if !["stripe", "application"].contains(&v) {
                    return Err(Failure::invalid("controller[requirement_collection]", format!("Invalid value: {v}")));
                }
                controller.insert("requirement_collection".to_owned(), v.to_owned());
            }
        }
        let kind = tree.string("type", "")?;
        if kind.is_none() && controller.is_empty() {
            return Err(
                Failure::invalid("type", "You must provide either `type` or `controller`.").code("parameter_missing")
            );
        }
        let mut capabilities = Vec::new();
        if let Some(caps) = tree.map("capabilities", "")? {
            for (name, node) in &caps.0 {
                let prefix = format!("capabilities[{name}]");
                if !["card_payments", "transfers"].contains(&name.as_str()) {
                    return Err(Failure::unknown(&prefix));
                }
                let cap =
                    node.as_map().ok_or_else(|| Failure::invalid(&prefix, format!("Invalid object: {prefix}")))?;
                cap.allow_only(&["requested"], &prefix)?;
                match cap.string("requested", &prefix)? {
                    Some("true") => capabilities.push(name.clone()),
                    Some("false") | None => {}
                    Some(other) => {
                        return Err(Failure::invalid(
                            format!("{prefix}[requested]"),
                            format!("Invalid boolean: {other}"),
                        ));
                    }
                }
            }
        }
        if capabilities.iter().any(|c| c == "card_payments") && !capabilities.iter().any(|c| c == "transfers") {
            return Err(Failure::invalid(
                "capabilities",
                "The `card_payments` capability can't be requested without the `transfers` capability.",
            ));
        }
        let account = FakeAccount {
            id: self.new_id("acct"),
            country,
            email,
            metadata: tree.metadata("metadata", "")?,
            controller,
            capabilities,
            charges_enabled: false,
            payouts_enabled: false,
            currently_due: vec![
                "business_profile.url".to_owned(),
                "external_account".to_owned(),
                "tos_acceptance.date".to_owned(),
            ],
            past_due: Vec::new(),
            disabled_reason: Some("requirements.past_due".to_owned()),
        };
        let body = account_json(&account);
        self.accounts.push(account);
        Ok(body)
    }

    fn retrieve_account(&self, id: &str, params: &[(String, String)]) -> Result<Value, Failure> {
        Tree::parse(params)?.allow_only(&["expand"], "")?;
        let account = self.accounts.iter().find(|a| a.id == id).ok_or_else(|| Failure {
            // Stripe answers an account the key can't see with a permission error.
            status: 404,
            ..Failure::invalid("account", format!("No such account: '{id}'")).code("resource_missing")
        })?;
        Ok(account_json(account))
    }

    fn create_account_link(&mut self, base_url: &str, params: &[(String, String)], now: i64) -> Result<Value, Failure> {
        let tree = Tree::parse(params)?;
        tree.allow_only(&["account", "type", "refresh_url", "return_url", "collect", "expand"], "")?;
        let Some(account) = tree.string("account", "")? else { return Err(Failure::missing("account")) };
        if !self.accounts.iter().any(|a| a.id == account) {
            return Err(Failure::resource_missing("account", account, "account", 400));
        }
        let kind = match tree.string("type", "")? {
            None => return Err(Failure::missing("type")),
            Some(k @ ("account_onboarding" | "account_update")) => k.to_owned(),
            Some(other) => return Err(Failure::invalid("type", format!("Invalid type: {other}"))),
        };
        let url = |name: &str| -> Result<String, Failure> {
            match tree.string(name, "")? {
                None => Err(Failure::missing(name)),
                Some(u) if u.starts_with("https://") || u.starts_with("http://") => Ok(u.to_owned()),
                Some(u) => Err(Failure::invalid(name, format!("Not a valid URL: {u}")).code("url_invalid")),
            }
        };
        let (refresh_url, return_url) = (url("refresh_url")?, url("return_url")?);
        let token = self.new_id("link");
        let link = FakeAccountLink {
            url: format!("{base_url}/setup/{token}"),
            account: account.to_owned(),
            kind,
            refresh_url,
            return_url,
            expires_at: now + ACCOUNT_LINK_SECS,
            used: false,
        };
        let body = json!({"object": "account_link", "created": now, "expires_at": link.expires_at, "url": link.url});
        self.account_links.push(link);
        Ok(body)
    }

    fn list_charges(&self, params: &[(String, String)]) -> Result<Value, Failure> {
        let tree = Tree::parse(params)?;
        tree.allow_only(&["payment_intent", "limit", "expand"], "")?;
        let pi = tree.string("payment_intent", "")?;
        let data: Vec<Value> =
            self.payments.iter().filter(|p| pi.is_none_or(|pi| p.id == pi)).map(charge_json).collect();
        Ok(json!({"object": "list", "url": "/v1/charges", "has_more": false, "data": data}))
    }

    fn retrieve_balance_transaction(&self, id: &str, params: &[(String, String)]) -> Result<Value, Failure> {
        Tree::parse(params)?.allow_only(&["expand"], "")?;
        let p = self
            .payments
            .iter()
            .find(|p| p.balance_transaction == id)
            .ok_or_else(|| Failure::resource_missing("balance_transaction", id, "id", 404))?;
        Ok(json!({
            "id": p.balance_transaction,
            "object": "balance_transaction",
            "amount": p.amount,
            "currency": p.currency,
            "fee": p.stripe_fee,
            "fee_details": [{"amount": p.stripe_fee, "currency": p.currency, "type": "stripe_fee"}],
            "net": p.amount - p.stripe_fee,
            "source": p.charge,
            "type": "charge",
            "status": "available",
        }))
    }

    fn retrieve_refund(&self, id: &str, params: &[(String, String)]) -> Result<Value, Failure> {
        Tree::parse(params)?.allow_only(&["expand"], "")?;
        let refund = self
            .refunds
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| Failure::resource_missing("refund", id, "id", 404))?;
        Ok(refund_json(refund))
    }
}

fn replay(saved: &Saved, key: &str, method: &Method, path: &str, params: &[(String, String)]) -> Answer {
    let refuse = |message: String| Answer {
        status: 400,
        body: json!({"error": {"type": "idempotency_error", "message": message}}),
        replayed: false,
    };
    if saved.method != method.as_str() || saved.path != path {
        return refuse(format!(
            "Keys for idempotent requests can only be used for the same endpoint they were first used for ('{} {}' vs '{method} {path}'). Try using a key other than '{key}' if you meant to execute a different request.",
            saved.method, saved.path
        ));
    }
    if saved.params != sorted(params) {
        return refuse(format!(
            "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
        ));
    }
    let body = serde_json::from_str(&saved.body).unwrap_or(Value::Null);
    Answer { status: saved.status, body, replayed: true }
}

fn sorted(params: &[(String, String)]) -> Vec<(String, String)> {
    let mut params = params.to_vec();
    params.sort();
    params
}

fn authenticate(headers: &HeaderMap) -> Result<(), Failure> {
    let unauthorized = |message: String| Failure { status: 401, ..Failure::invalid_body(message) };
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized(
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.".to_owned(),
        ));
    };
    let key = value.strip_prefix("Bearer ").unwrap_or(value).trim();
    if key == SECRET_KEY {
        return Ok(());
    }
    Err(unauthorized(format!("Invalid API Key provided: {}", redact(key))))
}

/// Stripe shows a wrong key's prefix and last four characters only.
fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 12 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 12))
}

fn parse_line_item(item: &Node, prefix: &str) -> Result<(String, FakeLineItem), Failure> {
    let item = item.as_map().ok_or_else(|| Failure::invalid(prefix, format!("Invalid object: {prefix}")))?;
    item.allow_only(&["price_data", "quantity", "price"], prefix)?;
    if let Some(price) = item.string("price", prefix)? {
        return Err(Failure::resource_missing("price", price, &format!("{prefix}[price]"), 400));
    }
    let quantity_param = format!("{prefix}[quantity]");
    let quantity = match item.string("quantity", prefix)? {
        None => return Err(Failure::missing(&quantity_param)),
        Some(q) => integer(q, &quantity_param)?,
    };
    if !(1..=999_999).contains(&quantity) {
        return Err(Failure::invalid(quantity_param, "Quantity must be between 1 and 999999."));
    }
    let price_param = format!("{prefix}[price_data]");
    let Some(price) = item.map("price_data", prefix)? else {
        let message = format!("You must specify either `price` or `price_data` in {prefix}.");
        return Err(Failure::invalid(price_param, message).code("parameter_missing"));
    };
    price.allow_only(&["currency", "unit_amount", "product_data"], &price_param)?;
    let currency_param = format!("{price_param}[currency]");
    let currency = match price.string("currency", &price_param)? {
        None => return Err(Failure::missing(&currency_param)),
        Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()) => c.to_ascii_lowercase(),
        Some(c) => return Err(Failure::invalid(currency_param, format!("Invalid currency: {c}."))),
    };
    let amount_param = format!("{price_param}[unit_amount]");
    let unit_amount = match price.string("unit_amount", &price_param)? {
        None => return Err(Failure::missing(&amount_param)),
        Some(a) => integer(a, &amount_param)?,
    };
    if unit_amount < 0 {
        return Err(Failure::invalid(amount_param, "This value must be greater than or equal to 0."));
    }
    if unit_amount > MAX_AMOUNT {
        return Err(Failure::invalid(amount_param, format!("This value must be less than or equal to {MAX_AMOUNT}."))
            .code("amount_too_large"));
    }
    let product_param = format!("{price_param}[product_data]");
    let Some(product) = price.map("product_data", &price_param)? else {
        let message = format!("You must specify either `product` or `product_data` in {price_param}.");
        return Err(Failure::invalid(product_param, message).code("parameter_missing"));
    };
    product.allow_only(&["name", "description"], &product_param)?;
    let name_param = format!("{product_param}[name]");
    let name = match product.string("name", &product_param)? {
        Some(n) if !n.trim().is_empty() => n.to_owned(),
        _ => return Err(Failure::missing(&name_param)),
    };
    Ok((currency, FakeLineItem { name, unit_amount, quantity }))
}

/// Stripe's minimum charge in minor units, for the currencies whose minimum
/// the fake knows.
fn minimum_charge(currency: &str) -> Option<i64> {
    match currency {
        "usd" | "eur" | "chf" | "cad" | "aud" | "nzd" | "sgd" => Some(50),
        "gbp" => Some(30),
        _ => None,
    }
}

fn integer(raw: &str, param: &str) -> Result<i64, Failure> {
    raw.parse::<i64>()
        .map_err(|_| Failure::invalid(param, format!("Invalid integer: {raw}")).code("parameter_invalid_integer"))
}

fn no_such_session(id: &str, status: u16) -> Failure {
    Failure::resource_missing("checkout.session", id, "session", status)
}

// ---------------------------------------------------------------------------
// Objects as the API renders them

fn session_json(s: &FakeSession, base_url: &str) -> Value {
    json!({
        "id": s.id,
        "object": "checkout.session",
        "amount_subtotal": s.amount_total,
        "amount_total": s.amount_total,
        "cancel_url": s.cancel_url,
        "client_reference_id": s.client_reference_id,
        "created": s.created,
        "currency": s.currency,
        "customer": null,
        "customer_email": s.customer_email,
        "expires_at": s.expires_at,
        "livemode": false,
        "metadata": s.metadata,
        "mode": "payment",
        "payment_intent": s.payment_intent,
        "payment_method_types": s.payment_method_types,
        "payment_status": s.payment_status,
        "status": s.status,
        "success_url": s.success_url,
        // Stripe gives the payment page's URL only while the session is open.
        "url": (s.status == "open").then(|| format!("{base_url}/pay/{}", s.id)),
    })
}

fn refund_json(r: &FakeRefund) -> Value {
    json!({
        "id": r.id,
        "object": "refund",
        "amount": r.amount,
        "charge": r.charge,
        "created": r.created,
        "currency": r.currency,
        "metadata": r.metadata,
        "payment_intent": r.payment_intent,
        "reason": r.reason,
        "status": r.status,
        "failure_reason": r.failure_reason,
    })
}

/// Whether a refund took money back (it didn't fail or get canceled).
fn refund_counts(r: &FakeRefund) -> bool {
    r.status != "failed" && r.status != "canceled"
}

/// The fake's processing fee: 1.5 % rounded half-up plus 25 minor units,
/// never above the amount.
fn processing_fee(amount: i64) -> i64 {
    ((amount * 15 + 500) / 1000 + 25).min(amount)
}

fn account_json(a: &FakeAccount) -> Value {
    let capability = |name: &str| {
        let requested = a.capabilities.iter().any(|c| c == name);
        match (requested, a.charges_enabled) {
            (false, _) => None,
            (true, true) => Some("active"),
            (true, false) => Some("inactive"),
        }
    };
    let mut caps = serde_json::Map::new();
    for name in ["card_payments", "transfers"] {
        if let Some(status) = capability(name) {
            caps.insert(name.to_owned(), json!(status));
        }
    }
    json!({
        "id": a.id,
        "object": "account",
        "capabilities": caps,
        "charges_enabled": a.charges_enabled,
        "country": a.country,
        "details_submitted": a.charges_enabled,
        "email": a.email,
        "metadata": a.metadata,
        "payouts_enabled": a.payouts_enabled,
        "requirements": {
            "currently_due": a.currently_due,
            "eventually_due": a.currently_due,
            "past_due": a.past_due,
            "disabled_reason": a.disabled_reason,
        },
        "type": "express",
    })
}

fn payout_json(p: &FakePayout) -> Value {
    json!({
        "id": p.id,
        "object": "payout",
        "amount": p.amount,
        "currency": p.currency,
        "status": p.status,
        "failure_message": p.failure_message,
        "failure_code": p.failure_message.as_ref().map(|_| "account_closed"),
        "livemode": false,
    })
}

fn charge_json(p: &Payment) -> Value {
    json!({
        "application_fee_amount": (p.application_fee > 0).then_some(p.application_fee),
        "balance_transaction": p.balance_transaction,
        "destination": p.destination,
        "on_behalf_of": p.on_behalf_of,
        "id": p.charge,
        "object": "charge",
        "amount": p.amount,
        "amount_captured": p.amount,
        "amount_refunded": p.amount_refunded,
        "captured": true,
        "created": p.created,
        "currency": p.currency,
        "livemode": false,
        "metadata": p.metadata,
        "paid": true,
        "payment_intent": p.id,
        "refunded": p.amount_refunded == p.amount,
        "status": "succeeded",
    })
}

// ---------------------------------------------------------------------------
// Errors

/// A Stripe error object and how to answer with it.
struct Failure {
    status: u16,
    kind: &'static str,
    code: Option<&'static str>,
    message: String,
    param: Option<String>,
    /// Whether an idempotency key keeps this answer: only for refusals made
    /// after the endpoint started work.
    saved: bool,
}

impl Failure {
    fn invalid(param: impl Into<String>, message: impl Into<String>) -> Failure {
        Failure { param: Some(param.into()), ..Failure::invalid_body(message) }
    }

    fn invalid_body(message: impl Into<String>) -> Failure {
        Failure {
            status: 400,
            kind: "invalid_request_error",
            code: None,
            message: message.into(),
            param: None,
            saved: false,
        }
    }

    fn missing(param: &str) -> Failure {
        Failure::invalid(param, format!("Missing required param: {param}.")).code("parameter_missing")
    }

    fn unknown(param: &str) -> Failure {
        Failure::invalid(param, format!("Received unknown parameter: {param}")).code("parameter_unknown")
    }

    fn resource_missing(object: &str, id: &str, param: &str, status: u16) -> Failure {
        Failure {
            status,
            saved: status != 404,
            ..Failure::invalid(param, format!("No such {object}: '{id}'")).code("resource_missing")
        }
    }

    fn code(self, code: &'static str) -> Failure {
        Failure { code: Some(code), ..self }
    }

    fn json(&self) -> Value {
        let mut error = json!({"type": self.kind, "message": self.message});
        if let Some(code) = self.code {
            error["code"] = json!(code);
            error["doc_url"] = json!(format!("https://stripe.com/docs/error-codes/{}", code.replace('_', "-")));
        }
        if let Some(param) = &self.param {
            error["param"] = json!(param);
        }
        json!({ "error": error })
    }
}

// ---------------------------------------------------------------------------
// Form bodies with bracket keys

/// `application/x-www-form-urlencoded` pairs, in order.
fn parse_form(raw: &[u8]) -> Result<Vec<(String, String)>, String> {
    raw.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            Ok((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

fn percent_decode(raw: &[u8]) -> Result<String, String> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "The request body is not valid UTF-8.".to_owned())
}

/// Parameters as Stripe reads them: `a[b][0]=x` is `{a: {b: {"0": x}}}`;
/// arrays are maps with keys `0..n`, and `a[]` appends.
#[derive(Debug, PartialEq)]
enum Node {
    Leaf(String),
    Map(Tree),
}

#[derive(Debug, Default, PartialEq)]
struct Tree(BTreeMap<String, Node>);

impl Node {
    fn as_leaf(&self) -> Option<&str> {
        match self {
            Node::Leaf(s) => Some(s),
            Node::Map(_) => None,
        }
    }

    fn as_map(&self) -> Option<&Tree> {
        match self {
            Node::Map(m) => Some(m),
            Node::Leaf(_) => None,
        }
    }
}

impl Tree {
    fn parse(params: &[(String, String)]) -> Result<Tree, Failure> {
        let mut tree = Tree::default();
        for (key, value) in params {
            let path = split_key(key).ok_or_else(|| Failure::invalid(key, format!("Invalid parameter name: {key}")))?;
            tree.insert(&path, value, key)?;
        }
        Ok(tree)
    }

    fn insert(&mut self, path: &[&str], value: &str, key: &str) -> Result<(), Failure> {
        let conflict = || Failure::invalid(key, format!("Invalid parameter: {key} is both a value and an object"));
        let segment = match path[0] {
            "" => self.0.len().to_string(),
            s => s.to_owned(),
        };
        if path.len() == 1 {
            if let Some(Node::Map(_)) = self.0.get(&segment) {
                return Err(conflict());
            }
            self.0.insert(segment, Node::Leaf(value.to_owned()));
            return Ok(());
        }
        match self.0.entry(segment).or_insert_with(|| Node::Map(Tree::default())) {
            Node::Map(child) => child.insert(&path[1..], value, key),
            Node::Leaf(_) => Err(conflict()),
        }
    }

    /// Refuses the first key not in `known`, naming it as `prefix[key]`.
    fn allow_only(&self, known: &[&str], prefix: &str) -> Result<(), Failure> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some(k) => Err(Failure::unknown(&child_param(prefix, k))),
        }
    }

    fn string(&self, key: &str, prefix: &str) -> Result<Option<&str>, Failure> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Node::Leaf(s)) => Ok(Some(s)),
            Some(Node::Map(_)) => {
                let param = child_param(prefix, key);
                Err(Failure::invalid(&param, format!("Invalid {param}: must be a string, not an object")))
            }
        }
    }

    fn map(&self, key: &str, prefix: &str) -> Result<Option<&Tree>, Failure> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Node::Map(m)) => Ok(Some(m)),
            Some(Node::Leaf(_)) => {
                let param = child_param(prefix, key);
                Err(Failure::invalid(&param, format!("Invalid object: {param}")))
            }
        }
    }

    /// A map whose keys are exactly `0..n`, in index order.
    fn array(&self, key: &str, prefix: &str) -> Result<Option<Vec<&Node>>, Failure> {
        let param = child_param(prefix, key);
        let invalid = || Failure::invalid(&param, format!("Invalid array: {param}"));
        let Some(map) = self.map(key, prefix).map_err(|_| invalid())? else {
            return Ok(None);
        };
        let mut items = map
            .0
            .iter()
            .map(|(index, node)| index.parse::<usize>().map(|i| (i, node)).map_err(|_| invalid()))
            .collect::<Result<Vec<_>, _>>()?;
        items.sort_by_key(|(i, _)| *i);
        if items.iter().enumerate().any(|(position, (index, _))| position != *index) {
            return Err(invalid());
        }
        Ok(Some(items.into_iter().map(|(_, node)| node).collect()))
    }

    /// Stripe's metadata rules: at most 50 string values, keys up to 40
    /// characters, values up to 500.
    fn metadata(&self, key: &str, prefix: &str) -> Result<BTreeMap<String, String>, Failure> {
        let param = child_param(prefix, key);
        let Some(map) = self.map(key, prefix)? else {
            return Ok(BTreeMap::new());
        };
        if map.0.len() > 50 {
            return Err(Failure::invalid(&param, "Metadata can have at most 50 keys."));
        }
        let mut metadata = BTreeMap::new();
        for (k, node) in &map.0 {
            let entry = child_param(&param, k);
            let Node::Leaf(v) = node else {
                return Err(Failure::invalid(&entry, format!("Invalid {entry}: metadata values must be strings")));
            };
            if k.chars().count() > 40 {
                return Err(Failure::invalid(&entry, "Metadata keys can be at most 40 characters long."));
            }
            if v.chars().count() > 500 {
                return Err(Failure::invalid(&entry, "Metadata values can be at most 500 characters long."));
            }
            metadata.insert(k.clone(), v.clone());
        }
        Ok(metadata)
    }
}

fn child_param(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_owned() } else { format!("{prefix}[{key}]") }
}

/// `a[b][c]` → `["a", "b", "c"]`; `None` when the brackets do not pair up.
fn split_key(key: &str) -> Option<Vec<&str>> {
    let (head, mut rest) = key.find('[').map_or((key, ""), |i| key.split_at(i));
    if head.is_empty() {
        return None;
    }
    let mut path = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let end = inner.find(']')?;
        if inner[..end].contains('[') {
            return None;
        }
        path.push(&inner[..end]);
        rest = &inner[end + 1..];
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYMENT: &[(&str, &str)] = &[
        ("mode", "payment"),
        ("line_items[0][price_data][currency]", "eur"),
        ("line_items[0][price_data][unit_amount]", "350"),
        ("line_items[0][price_data][product_data][name]", "Bread box"),
        ("line_items[0][quantity]", "2"),
        ("metadata[purchase_id]", "12"),
        ("payment_intent_data[metadata][purchase_id]", "12"),
    ];

    struct Reply {
        status: u16,
        body: Value,
        replayed: bool,
    }

    async fn call(fake: &FakeStripe, method: Method, path: &str, params: &[(&str, &str)], key: Option<&str>) -> Reply {
        call_as(fake, SECRET_KEY, method, path, params, key).await
    }

    async fn call_as(
        fake: &FakeStripe,
        secret: &str,
        method: Method,
        path: &str,
        params: &[(&str, &str)],
        key: Option<&str>,
    ) -> Reply {
        let url = format!("{}{path}", fake.base_url());
        let mut request = reqwest::Client::new().request(method.clone(), url);
        if !secret.is_empty() {
            request = request.bearer_auth(secret);
        }
        request = if method == Method::GET { request.query(params) } else { request.form(params) };
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.expect("fake Stripe answers");
        let status = response.status().as_u16();
        let replayed = response.headers().get("idempotent-replayed").is_some();
        let body = response.json().await.expect("JSON body");
        Reply { status, body, replayed }
    }

    fn with<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut params: Vec<_> =
            PAYMENT.iter().filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k)).copied().collect();
        params.extend(overrides.iter().filter(|(_, v)| !v.is_empty()));
        params
    }

    async fn create(fake: &FakeStripe, params: &[(&str, &str)]) -> Reply {
        call(fake, Method::POST, "/v1/checkout/sessions", params, None).await
    }

    async fn paid(fake: &FakeStripe) -> String {
        let created = create(fake, PAYMENT).await;
        assert_eq!(created.status, 200, "{}", created.body);
        fake.complete_session(created.body["id"].as_str().expect("id"))
    }

    #[tokio::test]
    async fn requests_need_the_secret_key_as_a_bearer_token() {
        let fake = FakeStripe::start().await;
        let path = "/v1/checkout/sessions/cs_test_x";

        let missing = call_as(&fake, "", Method::GET, path, &[], None).await;
        assert_eq!(missing.status, 401);
        assert_eq!(missing.body["error"]["type"], "invalid_request_error");
        assert!(
            missing.body["error"]["message"].as_str().unwrap_or_default().starts_with("You did not provide an API key")
        );

        let wrong = call_as(&fake, "sk_test_wrong_0123456789abcd", Method::GET, path, &[], None).await;
        assert_eq!(wrong.status, 401);
        assert_eq!(wrong.body["error"]["message"], "Invalid API Key provided: sk_test_****************abcd");

        let right = call(&fake, Method::GET, path, &[], None).await;
        assert_eq!(right.status, 404);
        assert_eq!(right.body["error"]["code"], "resource_missing");
        assert_eq!(fake.requests("/v1/").iter().map(|r| r.status).collect::<Vec<_>>(), [401, 401, 404]);
    }

    #[tokio::test]
    async fn a_session_is_created_from_bracketed_form_fields() {
        let fake = FakeStripe::start().await;
        let now = now();
        let expires_at = (now + 3600).to_string();
        let mut params = with(&[("line_items[1][price_data][currency]", "EUR")]);
        params.extend([
            ("line_items[1][price_data][unit_amount]", "199"),
            ("line_items[1][price_data][product_data][name]", "Apples & pears = 2 kg"),
            ("line_items[1][quantity]", "3"),
            ("payment_method_types[]", "card"),
            ("client_reference_id", "tg:42"),
            ("success_url", "https://example.com/ok?x=1"),
            ("expires_at", &expires_at),
        ]);

        let reply = create(&fake, &params).await;

        assert_eq!(reply.status, 200, "{}", reply.body);
        let id = reply.body["id"].as_str().expect("id").to_owned();
        assert!(id.starts_with("cs_test_"), "{id}");
        assert_eq!(reply.body["object"], "checkout.session");
        assert_eq!(reply.body["url"], format!("{}/pay/{id}", fake.base_url()));
        assert_eq!(reply.body["status"], "open");
        assert_eq!(reply.body["payment_status"], "unpaid");
        assert_eq!(reply.body["payment_intent"], Value::Null);
        assert_eq!(reply.body["amount_total"], 2 * 350 + 3 * 199);
        assert_eq!(reply.body["currency"], "eur");
        assert_eq!(reply.body["metadata"], json!({"purchase_id": "12"}));
        assert_eq!(reply.body["expires_at"], now + 3600);
        assert_eq!(reply.body["client_reference_id"], "tg:42");
        let session = fake.session(&id).expect("kept");
        assert_eq!(
            session.line_items[1],
            FakeLineItem { name: "Apples & pears = 2 kg".into(), unit_amount: 199, quantity: 3 }
        );
        assert_eq!(session.payment_intent_metadata.get("purchase_id").map(String::as_str), Some("12"));

        // Without expires_at, a session lives 24 hours.
        let default = create(&fake, PAYMENT).await;
        assert!(
            (now + MAX_EXPIRY_SECS..=now + MAX_EXPIRY_SECS + 5)
                .contains(&default.body["expires_at"].as_i64().unwrap_or(0))
        );
    }

    #[tokio::test]
    async fn invalid_sessions_are_refused_like_stripe_does() {
        let fake = FakeStripe::start().await;
        let now = now();
        let too_soon = (now + MIN_EXPIRY_SECS - 60).to_string();
        let too_late = (now + MAX_EXPIRY_SECS + 60).to_string();
        // (parameters, the `param` Stripe blames, the error `code`)
        type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, Option<&'a str>);
        let cases: Vec<Case> = vec![
            (with(&[("mode", "")]), "mode", Some("parameter_missing")),
            (with(&[("mode", "subscription")]), "mode", None),
            (vec![("mode", "payment")], "line_items", Some("parameter_missing")),
            (with(&[("expires_at", &too_soon)]), "expires_at", None),
            (with(&[("expires_at", &too_late)]), "expires_at", None),
            (with(&[("expires_at", "soon")]), "expires_at", Some("parameter_invalid_integer")),
            (with(&[("line_items[0][quantity]", "0")]), "line_items[0][quantity]", None),
            (with(&[("line_items[0][quantity]", "")]), "line_items[0][quantity]", Some("parameter_missing")),
            (
                with(&[("line_items[0][price_data][unit_amount]", "3.50")]),
                "line_items[0][price_data][unit_amount]",
                Some("parameter_invalid_integer"),
            ),
            (with(&[("line_items[0][price_data][unit_amount]", "-1")]), "line_items[0][price_data][unit_amount]", None),
            (with(&[("line_items[0][price_data][unit_amount]", "10")]), "line_items", Some("amount_too_small")),
            (with(&[("line_items[0][price_data][currency]", "euro")]), "line_items[0][price_data][currency]", None),
            (
                with(&[("line_items[0][price_data][product_data][name]", "  ")]),
                "line_items[0][price_data][product_data][name]",
                Some("parameter_missing"),
            ),
            (
                with(&[("line_items[0][price_data][product_data][color]", "red")]),
                "line_items[0][price_data][product_data][color]",
                Some("parameter_unknown"),
            ),
            (with(&[("line_items[2][quantity]", "1")]), "line_items", None),
            (
                with(&[
                    ("line_items[1][price_data][currency]", "usd"),
                    ("line_items[1][price_data][unit_amount]", "100"),
                    ("line_items[1][price_data][product_data][name]", "x"),
                    ("line_items[1][quantity]", "1"),
                ]),
                "line_items[1][price_data][currency]",
                None,
            ),
            (with(&[("line_items[0][price]", "price_123")]), "line_items[0][price]", Some("resource_missing")),
            (with(&[("metadata", "x")]), "metadata", None),
            (with(&[("amount", "700")]), "amount", Some("parameter_unknown")),
            (with(&[("success_url", "t.me/bot")]), "success_url", Some("url_invalid")),
            (with(&[("metadata[a][b", "x")]), "metadata[a][b", None),
        ];
        for (params, param, code) in cases {
            let reply = create(&fake, &params).await;
            assert_eq!(reply.status, 400, "{params:?}: {}", reply.body);
            let error = &reply.body["error"];
            assert_eq!(error["type"], "invalid_request_error", "{params:?}");
            assert_eq!(error["param"], param, "{params:?}: {error}");
            assert_eq!(error["code"].as_str(), code, "{params:?}: {error}");
            assert!(!error["message"].as_str().unwrap_or_default().is_empty());
        }
        assert!(fake.sessions().is_empty());
    }

    #[tokio::test]
    async fn idempotency_keys_replay_the_first_answer_for_the_same_request_only() {
        let fake = FakeStripe::start().await;
        let path = "/v1/checkout/sessions";

        let first = call(&fake, Method::POST, path, PAYMENT, Some("k1")).await;
        let mut reordered = PAYMENT.to_vec();
        reordered.reverse();
        let again = call(&fake, Method::POST, path, &reordered, Some("k1")).await;
        assert_eq!((first.status, first.replayed), (200, false));
        assert_eq!((again.status, again.replayed), (200, true));
        assert_eq!(first.body, again.body);
        assert_eq!(fake.sessions().len(), 1);

        let other = call(&fake, Method::POST, path, &with(&[("metadata[purchase_id]", "13")]), Some("k1")).await;
        assert_eq!(other.status, 400);
        assert_eq!(other.body["error"]["type"], "idempotency_error");

        let elsewhere = call(&fake, Method::POST, "/v1/refunds", &[("payment_intent", "pi_x")], Some("k1")).await;
        assert_eq!(elsewhere.status, 400);
        assert_eq!(elsewhere.body["error"]["type"], "idempotency_error");

        // A request refused while its parameters are checked keeps no result.
        let invalid = call(&fake, Method::POST, path, &with(&[("mode", "")]), Some("k2")).await;
        assert_eq!(invalid.status, 400);
        let fixed = call(&fake, Method::POST, path, PAYMENT, Some("k2")).await;
        assert_eq!((fixed.status, fixed.replayed), (200, false));
        assert_eq!(fake.sessions().len(), 2);
        assert_eq!(fake.requests(path).last().and_then(|r| r.idempotency_key.clone()).as_deref(), Some("k2"));
    }

    #[tokio::test]
    async fn sessions_complete_and_expire_as_stripe_allows() {
        let fake = FakeStripe::start().await;
        let open = create(&fake, PAYMENT).await.body["id"].as_str().expect("id").to_owned();
        let paid_id = create(&fake, PAYMENT).await.body["id"].as_str().expect("id").to_owned();
        let payment_intent = fake.complete_session(&paid_id);
        assert!(payment_intent.starts_with("pi_"), "{payment_intent}");

        let expired = call(&fake, Method::POST, &format!("/v1/checkout/sessions/{open}/expire"), &[], None).await;
        assert_eq!(expired.status, 200, "{}", expired.body);
        assert_eq!(expired.body["status"], "expired");
        assert_eq!(expired.body["url"], Value::Null);

        let again = call(&fake, Method::POST, &format!("/v1/checkout/sessions/{open}/expire"), &[], None).await;
        assert_eq!(again.status, 400);
        let refused = call(&fake, Method::POST, &format!("/v1/checkout/sessions/{paid_id}/expire"), &[], None).await;
        assert_eq!(refused.status, 400);
        assert_eq!(refused.body["error"]["type"], "invalid_request_error");

        let retrieved = call(&fake, Method::GET, &format!("/v1/checkout/sessions/{paid_id}"), &[], None).await;
        assert_eq!(retrieved.body["status"], "complete");
        assert_eq!(retrieved.body["payment_status"], "paid");
        assert_eq!(retrieved.body["payment_intent"], payment_intent);
        assert_eq!(retrieved.body["url"], Value::Null);

        let third = create(&fake, PAYMENT).await.body["id"].as_str().expect("id").to_owned();
        fake.expire_session(&third);
        assert_eq!(fake.session(&third).map(|s| s.status).as_deref(), Some("expired"));
    }

    #[tokio::test]
    #[should_panic(expected = "cannot be paid")]
    async fn an_expired_session_cannot_be_paid() {
        let fake = FakeStripe::start().await;
        let id = create(&fake, PAYMENT).await.body["id"].as_str().expect("id").to_owned();
        fake.expire_session(&id);
        fake.complete_session(&id);
    }

    #[tokio::test]
    async fn refunds_follow_the_charge() {
        let fake = FakeStripe::start().await;
        let payment_intent = paid(&fake).await;
        let refund = |params: Vec<(&'static str, String)>| {
            let fake = fake.clone();
            async move {
                let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
                call(&fake, Method::POST, "/v1/refunds", &params, None).await
            }
        };

        let unknown = refund(vec![("payment_intent", "pi_nope".into())]).await;
        assert_eq!((unknown.status, unknown.body["error"]["code"].as_str()), (400, Some("resource_missing")));
        assert_eq!(unknown.body["error"]["message"], "No such payment_intent: 'pi_nope'");

        let too_much = refund(vec![("payment_intent", payment_intent.clone()), ("amount", "701".into())]).await;
        assert_eq!((too_much.status, too_much.body["error"]["param"].as_str()), (400, Some("amount")));

        let part = refund(vec![("payment_intent", payment_intent.clone()), ("amount", "200".into())]).await;
        assert_eq!(part.status, 200, "{}", part.body);
        assert_eq!(part.body["amount"], 200);
        assert_eq!(fake.charge_object(&payment_intent).expect("charge")["refunded"], false);

        let rest = refund(vec![
            ("payment_intent", payment_intent.clone()),
            ("metadata[purchase_id]", "12".into()),
            ("reason", "requested_by_customer".into()),
        ])
        .await;
        assert_eq!(rest.status, 200, "{}", rest.body);
        assert!(rest.body["id"].as_str().unwrap_or_default().starts_with("re_"));
        assert_eq!(rest.body["object"], "refund");
        assert_eq!(rest.body["status"], "succeeded");
        assert_eq!(rest.body["amount"], 500);
        assert_eq!(rest.body["metadata"], json!({"purchase_id": "12"}));
        let charge = fake.charge_object(&payment_intent).expect("charge");
        assert_eq!((charge["refunded"].clone(), charge["amount_refunded"].clone()), (json!(true), json!(700)));
        assert_eq!(charge["metadata"], json!({"purchase_id": "12"}));

        let twice = refund(vec![("charge", charge["id"].as_str().unwrap_or_default().to_owned())]).await;
        assert_eq!((twice.status, twice.body["error"]["code"].as_str()), (400, Some("charge_already_refunded")));
        assert_eq!(fake.refunds().len(), 2);
        let id = rest.body["id"].as_str().unwrap_or_default();
        let fetched = call(&fake, Method::GET, &format!("/v1/refunds/{id}"), &[], None).await;
        assert_eq!(fetched.body, rest.body);
    }

    #[tokio::test]
    async fn injected_failures_hit_the_next_matching_requests_only() {
        let fake = FakeStripe::start().await;
        fake.fail_next_on("/v1/refunds", 2, FailMode::Status500);
        fake.fail_next(1, FailMode::Status429);

        let limited = create(&fake, PAYMENT).await;
        assert_eq!((limited.status, limited.body["error"]["code"].as_str()), (429, Some("rate_limit")));
        assert_eq!(create(&fake, PAYMENT).await.status, 200);
        for _ in 0..2 {
            let failed = call(&fake, Method::POST, "/v1/refunds", &[("payment_intent", "pi_x")], None).await;
            assert_eq!((failed.status, failed.body["error"]["type"].as_str()), (500, Some("api_error")));
        }
        let through = call(&fake, Method::POST, "/v1/refunds", &[("payment_intent", "pi_x")], None).await;
        assert_eq!(through.status, 400);
        assert_eq!(fake.sessions().len(), 1);
        let statuses: Vec<u16> = fake.requests("").iter().map(|r| r.status).collect();
        assert_eq!(statuses, [429, 200, 500, 500, 400]);
    }

    #[tokio::test]
    async fn unknown_urls_are_404_with_a_stripe_error() {
        let fake = FakeStripe::start().await;
        let reply = call(&fake, Method::GET, "/v1/customers", &[], None).await;
        assert_eq!(reply.status, 404);
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Unrecognized request URL (GET: /v1/customers)")
        );
    }

    #[test]
    fn bracket_keys_become_a_tree() {
        assert_eq!(split_key("a"), Some(vec!["a"]));
        assert_eq!(
            split_key("line_items[0][price_data][currency]"),
            Some(vec!["line_items", "0", "price_data", "currency"])
        );
        assert_eq!(split_key("expand[]"), Some(vec!["expand", ""]));
        for bad in ["", "[a]", "a[b", "a[b]c", "a[b[c]]"] {
            assert_eq!(split_key(bad), None, "{bad}");
        }
        let pairs = |ps: &[(&str, &str)]| ps.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let tree =
            Tree::parse(&pairs(&[("t[]", "a"), ("t[]", "b"), ("m[k]", "v")])).map_err(|f| f.message).expect("tree");
        let items = tree.array("t", "").map_err(|f| f.message).expect("array").expect("present");
        assert_eq!(items.iter().map(|n| n.as_leaf()).collect::<Vec<_>>(), [Some("a"), Some("b")]);
        assert!(Tree::parse(&pairs(&[("m", "v"), ("m[k]", "v")])).is_err());
        assert!(Tree::parse(&pairs(&[("m[k]", "v"), ("m", "v")])).is_err());
    }

    #[test]
    fn form_bodies_are_percent_decoded() {
        let parsed = parse_form(b"a=1&b%5B0%5D=x+y%26z&c=&d&e=100%25&f=%zz").expect("form");
        let expected = [("a", "1"), ("b[0]", "x y&z"), ("c", ""), ("d", ""), ("e", "100%"), ("f", "%zz")];
        assert_eq!(parsed, expected.map(|(k, v)| (k.to_owned(), v.to_owned())));
        assert!(parse_form(b"a=%ff").is_err());
    }

    #[test]
    fn signatures_have_stripes_header_format() {
        let header = sign("{}", "whsec_x", 1_700_000_000);
        let (t, v1) = header.split_once(',').expect("two parts");
        assert_eq!(t, "t=1700000000");
        assert!(v1.starts_with("v1=") && v1.len() == 3 + 64, "{v1}");
        let event: Value =
            serde_json::from_str(&event_json("evt_1", "refund.updated", json!({"id": "re_1"}), 5)).expect("json");
        assert_eq!(event["type"], "refund.updated");
        assert_eq!(event["object"], "event");
        assert_eq!(event["created"], 5);
        assert_eq!(event["data"]["object"]["id"], "re_1");
        assert_eq!(event["livemode"], false);
    }

    #[tokio::test]
    async fn deliver_posts_the_signed_event() {
        type Seen = Arc<Mutex<Vec<(String, String)>>>;
        async fn webhook(State(seen): State<Seen>, headers: HeaderMap, body: String) -> (StatusCode, &'static str) {
            let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
            seen.lock().unwrap_or_else(PoisonError::into_inner).push((signature.to_owned(), body));
            (StatusCode::OK, "thanks")
        }
        let seen: Seen = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/webhooks/stripe", listener.local_addr().expect("addr"));
        let app = Router::new().route("/webhooks/stripe", axum::routing::post(webhook)).with_state(seen.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });

        let fake = FakeStripe::start().await;
        let event = fake.event("checkout.session.expired", json!({"id": "cs_test_1", "object": "checkout.session"}));
        let before = now();

        assert_eq!(fake.deliver(&url, fake.webhook_secret(), &event).await, (200, "thanks".to_owned()));

        let seen = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
        assert_eq!(seen.len(), 1);
        let (signature, body) = &seen[0];
        assert_eq!(body, &event);
        let t: i64 =
            signature.strip_prefix("t=").and_then(|s| s.split(',').next()).and_then(|t| t.parse().ok()).expect("t");
        assert!((before..=before + 2).contains(&t));
        assert_eq!(signature, &sign(&event, fake.webhook_secret(), t));

        let closed = format!(
            "http://127.0.0.1:{}/",
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
        );
        assert_eq!(fake.deliver(&closed, fake.webhook_secret(), &event).await.0, 0);
    }
}
