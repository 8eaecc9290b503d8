//! A thin client for the Stripe endpoints Glean uses: Checkout Sessions
//! (create, retrieve, expire), refunds, and for Stripe Connect: Express
//! accounts (create, retrieve), account links, and a charge's balance
//! transaction (Stripe's processing fee).
//!
//! Requests are form-encoded with Stripe's bracket keys
//! (`line_items[0][price_data][unit_amount]`), authenticated with the secret
//! key as a Bearer token, and pinned to [`API_VERSION`] so that response
//! shapes do not change when the account's default version does. Calls that
//! create something carry the caller's `Idempotency-Key`: Stripe replays the
//! first response for a repeated key, so retrying after a timeout or a 5xx can
//! neither open a second session nor refund twice.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

/// The Stripe API version our request and response shapes follow.
pub const API_VERSION: &str = "2024-06-20";

/// Client for Stripe's API at a configurable base URL. Cheap to clone: clones
/// share one connection pool.
#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base: Url,
    secret_key: SecretString,
}

// Written by hand so the secret key can never reach a log line.
impl fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeClient").field("base", &self.base.as_str()).finish_non_exhaustive()
    }
}

/// What a Checkout Session should charge for: one purchase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutRequest {
    pub purchase_id: i64,
    /// ISO 4217 code; sent lowercase, as Stripe writes it.
    pub currency: String,
    pub lines: Vec<CheckoutLine>,
    /// Unix seconds; Stripe accepts 30 minutes to 24 hours from now.
    pub expires_at: i64,
    pub success_url: String,
    pub cancel_url: String,
    /// Sent as `client_reference_id` (e.g. the customer's Telegram id), so the
    /// payment can be found from the Stripe dashboard.
    pub customer_reference: Option<String>,
    /// Stripe Connect: a destination charge to a business's account.
    pub destination: Option<Destination>,
}

/// A destination charge: the payment is transferred to `account` and the
/// platform keeps `application_fee`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// `acct_…`
    pub account: String,
    /// Minor units; not sent when 0.
    pub application_fee: i64,
    /// Name the business the merchant of record (`on_behalf_of`).
    pub on_behalf_of: bool,
}

/// One line of a Checkout Session, priced inline (no Stripe Price objects).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutLine {
    pub name: String,
    /// Price of one unit in minor units of the request's currency.
    pub unit_amount: i64,
    pub quantity: u32,
}

/// The parts of a Checkout Session Glean reads, from an API response or a
/// webhook event's `data.object`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawCheckoutSession")]
pub struct CheckoutSession {
    pub id: String,
    /// The hosted payment page; Stripe sends it only while the session is open.
    pub url: Option<String>,
    /// `open`, `complete` or `expired`.
    pub status: Option<String>,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: Option<String>,
    /// The PaymentIntent (`pi_…`) once the customer has paid; refunds need it.
    pub payment_intent: Option<String>,
    /// Our purchase id, from `metadata[purchase_id]`; `None` for sessions not
    /// created by Glean.
    pub metadata_purchase_id: Option<i64>,
    pub expires_at: Option<i64>,
    /// What the customer is charged, in minor units of `currency`, so that a
    /// payment can be checked against the purchase it claims to pay for.
    pub amount_total: Option<i64>,
    /// Lowercase ISO 4217 code.
    pub currency: Option<String>,
    /// Whether it belongs to live mode (a `sk_live_` key) or test mode.
    pub livemode: Option<bool>,
}

impl CheckoutSession {
    /// Whether the customer has paid (`payment_status` is `paid`).
    pub fn is_paid(&self) -> bool {
        self.payment_status.as_deref() == Some("paid")
    }

    /// Whether the session has expired, so its reservation can be released.
    pub fn is_expired(&self) -> bool {
        self.status.as_deref() == Some("expired")
    }
}

/// A refund as Stripe reports it when it is created.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawRefund")]
pub struct Refund {
    pub id: String,
    /// `pending`, `requires_action`, `succeeded`, `failed` or `canceled`.
    pub status: String,
    /// Why a refund failed (`failed`/`canceled`), as Stripe says.
    pub failure_reason: Option<String>,
}

/// Whose charge a refund is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundOf {
    /// The platform's own charge.
    Platform,
    /// A destination charge: reverse the transfer; refund the
    /// application fee too when there was one.
    Destination { with_fee: bool },
}

/// A connected account as Glean reads it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawAccount")]
pub struct Account {
    /// `acct_…`
    pub id: String,
    pub state: crate::domain::connect::AccountState,
    /// Our business id, from `metadata[business_id]`.
    pub business_id: Option<i64>,
}

#[derive(Deserialize)]
struct RawAccount {
    id: String,
    #[serde(default)]
    charges_enabled: bool,
    #[serde(default)]
    payouts_enabled: bool,
    capabilities: Option<HashMap<String, serde_json::Value>>,
    requirements: Option<RawRequirements>,
    metadata: Option<HashMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawRequirements {
    #[serde(default)]
    currently_due: Vec<String>,
    #[serde(default)]
    past_due: Vec<String>,
    disabled_reason: Option<String>,
}

impl From<RawAccount> for Account {
    fn from(raw: RawAccount) -> Self {
        let transfers = raw.capabilities.as_ref().and_then(|c| c.get("transfers")).and_then(|v| v.as_str());
        let req = raw.requirements.unwrap_or(RawRequirements {
            currently_due: Vec::new(),
            past_due: Vec::new(),
            disabled_reason: None,
        });
        let business_id = match raw.metadata.as_ref().and_then(|m| m.get("business_id")) {
            Some(serde_json::Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        Account {
            id: raw.id,
            state: crate::domain::connect::AccountState {
                charges_enabled: raw.charges_enabled,
                payouts_enabled: raw.payouts_enabled,
                transfers_active: transfers == Some("active"),
                currently_due: req.currently_due,
                past_due: req.past_due,
                disabled_reason: req.disabled_reason,
            },
            business_id,
        }
    }
}

/// An onboarding link at Stripe.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AccountLink {
    pub url: String,
    pub expires_at: i64,
}

/// A balance transaction: what a charge left after Stripe's fee.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct BalanceTransaction {
    /// `txn_…`
    pub id: String,
    /// Stripe's fee in minor units of `currency`.
    pub fee: i64,
    pub currency: String,
}

/// Where a refund stands, from its `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundState {
    /// The money is back with the customer's bank.
    Succeeded,
    /// Not decided yet (`pending`, `requires_action`): look again later.
    Pending,
    /// `failed` or `canceled`: it will not happen.
    Failed,
}

impl Refund {
    pub fn state(&self) -> RefundState {
        match self.status.as_str() {
            "succeeded" => RefundState::Succeeded,
            "failed" | "canceled" => RefundState::Failed,
            _ => RefundState::Pending,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// Stripe answered with an error object (4xx): type, code, message, http
    /// status. Not worth retrying except 409/429.
    #[error("Stripe refused the request ({status} {kind}{}): {message}", code.as_deref().map(|c| format!("/{c}")).unwrap_or_default())]
    Api { status: u16, kind: String, code: Option<String>, message: String },
    /// Network failure, timeout or 5xx: worth retrying later with the same
    /// idempotency key.
    #[error("Stripe is unreachable or failing: {0}")]
    Transient(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl StripeError {
    /// Whether the same request (with the same idempotency key) may succeed
    /// later: outages, 5xx, rate limits (429) and conflicts with a concurrent
    /// request using the same key (409).
    pub fn is_retryable(&self) -> bool {
        match self {
            StripeError::Transient(_) => true,
            StripeError::Api { status, .. } => matches!(status, 409 | 429),
            StripeError::Unexpected(_) => false,
        }
    }
}

impl StripeClient {
    /// A client for the API at `base` (`https://api.stripe.com` in
    /// production). `timeout` bounds each request from connecting to the end
    /// of the body.
    pub fn new(base: Url, secret_key: SecretString, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("glean/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(StripeClient { http, base, secret_key })
    }

    /// Opens a hosted Checkout Session for a purchase (`POST
    /// /v1/checkout/sessions`). The purchase id goes into the session's
    /// metadata and into the PaymentIntent's, so that both the checkout and
    /// the refund webhooks lead back to the purchase.
    ///
    /// Takes the form (see [`checkout_form`]) rather than the request, so a
    /// retry can send exactly what the first attempt sent: Stripe refuses a
    /// reused idempotency key with other parameters.
    pub async fn create_checkout_session(
        &self,
        form: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<CheckoutSession, StripeError> {
        self.call("create_session", Method::POST, &["checkout", "sessions"], Some(form), Some(idempotency_key)).await
    }

    /// Whether the secret key is a live-mode key (`sk_live_`/`rk_live_`);
    /// events and sessions of the other mode are not ours to act on.
    pub fn is_live(&self) -> bool {
        let key = self.secret_key.expose_secret();
        key.starts_with("sk_live_") || key.starts_with("rk_live_")
    }

    /// `GET /v1/refunds/{id}`.
    pub async fn retrieve_refund(&self, id: &str) -> Result<Refund, StripeError> {
        self.call("retrieve_refund", Method::GET, &["refunds", id], None, None).await
    }

    /// `GET /v1/checkout/sessions/{id}`.
    pub async fn retrieve_checkout_session(&self, id: &str) -> Result<CheckoutSession, StripeError> {
        self.call("retrieve_session", Method::GET, &["checkout", "sessions", id], None, None).await
    }

    /// `POST /v1/checkout/sessions/{id}/expire`: the customer can no longer
    /// pay. Stripe refuses (400) unless the session is still open.
    pub async fn expire_checkout_session(&self, id: &str) -> Result<CheckoutSession, StripeError> {
        self.call("expire_session", Method::POST, &["checkout", "sessions", id, "expire"], Some(&[]), None).await
    }

    /// Refunds a payment in full (`POST /v1/refunds`), tagging the refund
    /// with our purchase id. A charge that is already refunded answers 400
    /// `charge_already_refunded`.
    pub async fn create_refund(
        &self,
        payment_intent: &str,
        idempotency_key: &str,
        metadata_purchase_id: i64,
    ) -> Result<Refund, StripeError> {
        self.create_refund_with(payment_intent, idempotency_key, metadata_purchase_id, RefundOf::Platform).await
    }

    /// As [`StripeClient::create_refund`], for a destination charge: the
    /// transfer is reversed, and the application fee refunded when there
    /// was one (Stripe refuses `refund_application_fee` on a charge
    /// without a fee).
    pub async fn create_refund_with(
        &self,
        payment_intent: &str,
        idempotency_key: &str,
        metadata_purchase_id: i64,
        of: RefundOf,
    ) -> Result<Refund, StripeError> {
        let mut form = vec![
            ("payment_intent".to_owned(), payment_intent.to_owned()),
            ("metadata[purchase_id]".to_owned(), metadata_purchase_id.to_string()),
        ];
        if let RefundOf::Destination { with_fee } = of {
            form.push(("reverse_transfer".to_owned(), "true".to_owned()));
            if with_fee {
                form.push(("refund_application_fee".to_owned(), "true".to_owned()));
            }
        }
        self.call("refund", Method::POST, &["refunds"], Some(&form), Some(idempotency_key)).await
    }

    /// Creates an Express connected account (`POST /v1/accounts`) with
    /// the controller properties: Stripe collects the requirements, the
    /// platform pays Stripe's fees and carries the losses.
    pub async fn create_account(
        &self,
        country: &str,
        email: &str,
        business_id: i64,
        idempotency_key: &str,
    ) -> Result<Account, StripeError> {
        let form: Vec<(String, String)> = [
            ("country", country.to_owned()),
            ("email", email.to_owned()),
            ("controller[stripe_dashboard][type]", "express".to_owned()),
            ("controller[fees][payer]", "application".to_owned()),
            ("controller[losses][payments]", "application".to_owned()),
            ("controller[requirement_collection]", "stripe".to_owned()),
            ("capabilities[card_payments][requested]", "true".to_owned()),
            ("capabilities[transfers][requested]", "true".to_owned()),
            ("metadata[business_id]", business_id.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        self.call("create_account", Method::POST, &["accounts"], Some(&form), Some(idempotency_key)).await
    }

    /// `GET /v1/accounts/{id}`.
    pub async fn retrieve_account(&self, id: &str) -> Result<Account, StripeError> {
        self.call("retrieve_account", Method::GET, &["accounts", id], None, None).await
    }

    /// A fresh onboarding link (`POST /v1/account_links`, type
    /// `account_onboarding`): it expires after a few minutes and works once.
    pub async fn create_account_link(
        &self,
        account: &str,
        refresh_url: &str,
        return_url: &str,
        idempotency_key: &str,
    ) -> Result<AccountLink, StripeError> {
        let form: Vec<(String, String)> = [
            ("account", account),
            ("type", "account_onboarding"),
            ("refresh_url", refresh_url),
            ("return_url", return_url),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        self.call("create_account_link", Method::POST, &["account_links"], Some(&form), Some(idempotency_key)).await
    }

    /// Stripe's processing fee on the charge of a PaymentIntent: the
    /// charge (`GET /v1/charges?payment_intent=…`), then its balance
    /// transaction (`GET /v1/balance_transactions/{id}`). `None` while the
    /// charge has no balance transaction yet.
    pub async fn processing_fee(&self, payment_intent: &str) -> Result<Option<BalanceTransaction>, StripeError> {
        #[derive(Deserialize)]
        struct Charges {
            data: Vec<ChargeRef>,
        }
        #[derive(Deserialize)]
        struct ChargeRef {
            balance_transaction: Option<IdOrObject>,
        }
        let url = format!("payment_intent={payment_intent}");
        let charges: Charges = self.call_query("retrieve_charge", &["charges"], &url).await?;
        let Some(txn) = charges.data.into_iter().next().and_then(|c| c.balance_transaction) else { return Ok(None) };
        let txn = txn.into_id();
        self.call("retrieve_balance_transaction", Method::GET, &["balance_transactions", &txn], None, None)
            .await
            .map(Some)
    }

    async fn call_query<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        path: &[&str],
        query: &str,
    ) -> Result<T, StripeError> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let result = self.send_query(path, &pairs).await;
        crate::metrics::stripe_call(operation, outcome(&result));
        result
    }

    async fn send_query<T: DeserializeOwned>(
        &self,
        path: &[&str],
        pairs: &[(String, String)],
    ) -> Result<T, StripeError> {
        let mut url = self.endpoint(path)?;
        url.query_pairs_mut().extend_pairs(pairs);
        let response = self
            .http
            .get(url.clone())
            .bearer_auth(self.secret_key.expose_secret())
            .header("Stripe-Version", API_VERSION)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport_error)?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .with_context(|| format!("reading Stripe's answer to GET {}", url.path()))
                .map_err(StripeError::Unexpected);
        }
        Err(error_from_response(status, &body))
    }

    /// Sends one request and counts its outcome under `operation` (one of
    /// `metrics::STRIPE_OPERATIONS`).
    async fn call<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        method: Method,
        path: &[&str],
        form: Option<&[(String, String)]>,
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeError> {
        let result = self.send(method, path, form, idempotency_key).await;
        crate::metrics::stripe_call(operation, outcome(&result));
        result
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        form: Option<&[(String, String)]>,
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeError> {
        let url = self.endpoint(path)?;
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(self.secret_key.expose_secret())
            .header("Stripe-Version", API_VERSION);
        if let Some(form) = form {
            request = request.form(form);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }

        let started = Instant::now();
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let request_id = response.headers().get("request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response.bytes().await.map_err(transport_error)?;
        tracing::debug!(
            %method,
            path = url.path(),
            status = status.as_u16(),
            request_id,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "Stripe request"
        );

        if status.is_success() {
            return serde_json::from_slice(&body)
                .with_context(|| format!("reading Stripe's answer to {method} {}", url.path()))
                .map_err(StripeError::Unexpected);
        }
        Err(error_from_response(status, &body))
    }

    /// `{base}/v1/{segments…}`, each segment percent-encoded, so an id can
    /// never change the path.
    fn endpoint(&self, segments: &[&str]) -> Result<Url, StripeError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| anyhow::anyhow!("STRIPE_API_BASE {} cannot take a path", self.base))?
            .pop_if_empty()
            .push("v1")
            .extend(segments);
        Ok(url)
    }
}

/// The form that creates a Checkout Session for `req`.
pub fn checkout_form(req: &CheckoutRequest) -> Vec<(String, String)> {
    let currency = req.currency.to_ascii_lowercase();
    let purchase_id = req.purchase_id.to_string();
    let mut form =
        vec![("mode".to_owned(), "payment".to_owned()), ("payment_method_types[0]".to_owned(), "card".to_owned())];
    for (i, line) in req.lines.iter().enumerate() {
        form.push((format!("line_items[{i}][price_data][currency]"), currency.clone()));
        form.push((format!("line_items[{i}][price_data][unit_amount]"), line.unit_amount.to_string()));
        form.push((format!("line_items[{i}][price_data][product_data][name]"), line.name.clone()));
        form.push((format!("line_items[{i}][quantity]"), line.quantity.to_string()));
    }
    form.push(("metadata[purchase_id]".to_owned(), purchase_id.clone()));
    // Session metadata is not copied to the PaymentIntent or its charge;
    // setting it there too lets `charge.refunded` events name the purchase.
    form.push(("payment_intent_data[metadata][purchase_id]".to_owned(), purchase_id));
    if let Some(d) = &req.destination {
        form.push(("payment_intent_data[transfer_data][destination]".to_owned(), d.account.clone()));
        if d.application_fee > 0 {
            form.push(("payment_intent_data[application_fee_amount]".to_owned(), d.application_fee.to_string()));
        }
        if d.on_behalf_of {
            form.push(("payment_intent_data[on_behalf_of]".to_owned(), d.account.clone()));
        }
    }
    if let Some(reference) = &req.customer_reference {
        form.push(("client_reference_id".to_owned(), reference.clone()));
    }
    form.push(("expires_at".to_owned(), req.expires_at.to_string()));
    form.push(("success_url".to_owned(), req.success_url.clone()));
    form.push(("cancel_url".to_owned(), req.cancel_url.clone()));
    form
}

fn transport_error(error: reqwest::Error) -> StripeError {
    if error.is_builder() {
        return StripeError::Unexpected(anyhow::Error::new(error).context("building a Stripe request"));
    }
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    StripeError::Transient(format!("{what}: {error}"))
}

/// Stripe's error envelope: `{"error": {"type", "code", "message", "param", …}}`.
#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorObject,
}

#[derive(Deserialize)]
struct ErrorObject {
    #[serde(rename = "type")]
    kind: String,
    code: Option<String>,
    message: Option<String>,
    param: Option<String>,
}

fn error_from_response(status: StatusCode, body: &[u8]) -> StripeError {
    let parsed = serde_json::from_slice::<ErrorEnvelope>(body).ok().map(|e| e.error);
    let message = match &parsed {
        Some(ErrorObject { message: Some(m), param: Some(p), .. }) if !m.contains(p.as_str()) => {
            format!("{m} (param: {p})")
        }
        Some(ErrorObject { message: Some(m), .. }) => m.clone(),
        Some(ErrorObject { param: Some(p), .. }) => format!("invalid param {p}"),
        _ => {
            // Not Stripe's JSON: a proxy page, or a wrong STRIPE_API_BASE.
            let text = String::from_utf8_lossy(body);
            let mut short: String = text.chars().take(200).collect();
            if short.len() < text.len() {
                short.push('…');
            }
            short
        }
    };
    if status.is_server_error() {
        return StripeError::Transient(format!("Stripe answered {status}: {message}"));
    }
    let (kind, code) = match parsed {
        Some(e) => (e.kind, e.code),
        None => ("unknown".to_owned(), None),
    };
    StripeError::Api { status: status.as_u16(), kind, code, message }
}

/// Reads `metadata[purchase_id]`. Stripe stores metadata values as strings;
/// anything that is not our integer id means "not one of ours".
pub(crate) fn metadata_purchase_id(metadata: Option<&HashMap<String, serde_json::Value>>) -> Option<i64> {
    match metadata?.get("purchase_id")? {
        serde_json::Value::String(s) => s.parse().ok(),
        serde_json::Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// An expandable field: an id, or the object it names when expanded.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum IdOrObject {
    Id(String),
    Object { id: String },
}

impl IdOrObject {
    pub(crate) fn into_id(self) -> String {
        match self {
            IdOrObject::Id(id) | IdOrObject::Object { id } => id,
        }
    }
}

#[derive(Deserialize)]
struct RawCheckoutSession {
    id: String,
    url: Option<String>,
    status: Option<String>,
    payment_status: Option<String>,
    payment_intent: Option<IdOrObject>,
    metadata: Option<HashMap<String, serde_json::Value>>,
    expires_at: Option<i64>,
    amount_total: Option<i64>,
    currency: Option<String>,
    livemode: Option<bool>,
}

impl From<RawCheckoutSession> for CheckoutSession {
    fn from(raw: RawCheckoutSession) -> Self {
        CheckoutSession {
            metadata_purchase_id: metadata_purchase_id(raw.metadata.as_ref()),
            id: raw.id,
            url: raw.url,
            status: raw.status,
            payment_status: raw.payment_status,
            payment_intent: raw.payment_intent.map(IdOrObject::into_id),
            expires_at: raw.expires_at,
            amount_total: raw.amount_total,
            currency: raw.currency,
            livemode: raw.livemode,
        }
    }
}

#[derive(Deserialize)]
struct RawRefund {
    id: String,
    /// Nullable in Stripe's schema; absent means Stripe has not decided yet.
    status: Option<String>,
    failure_reason: Option<String>,
}

impl From<RawRefund> for Refund {
    fn from(raw: RawRefund) -> Self {
        Refund {
            id: raw.id,
            status: raw.status.unwrap_or_else(|| "pending".to_owned()),
            failure_reason: raw.failure_reason,
        }
    }
}

/// The `outcome` label of `glean_stripe_calls_total` for one call's result.
fn outcome<T>(result: &Result<T, StripeError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(StripeError::Api { .. }) => "refused",
        Err(StripeError::Transient(_)) => "transient",
        Err(StripeError::Unexpected(_)) => "unexpected",
    }
}

#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use glean_fakes::stripe::{FailMode, FakeStripe};

    use super::*;

    fn now() -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs() as i64
    }

    fn client(fake: &FakeStripe) -> StripeClient {
        client_with(fake, fake.secret_key(), Duration::from_secs(10))
    }

    fn client_with(fake: &FakeStripe, key: &str, timeout: Duration) -> StripeClient {
        let base = Url::parse(&fake.base_url()).expect("fake base URL");
        StripeClient::new(base, SecretString::from(key), timeout).expect("client")
    }

    fn request(purchase_id: i64) -> CheckoutRequest {
        CheckoutRequest {
            purchase_id,
            currency: "EUR".to_owned(),
            lines: vec![
                CheckoutLine { name: "Bread box".to_owned(), unit_amount: 350, quantity: 2 },
                CheckoutLine { name: "Apples, 2 kg".to_owned(), unit_amount: 199, quantity: 1 },
            ],
            expires_at: now() + 31 * 60,
            success_url: "https://t.me/glean_test_bot?start=paid".to_owned(),
            cancel_url: "https://t.me/glean_test_bot?start=cancelled".to_owned(),
            customer_reference: Some("tg:42".to_owned()),
            destination: None,
        }
    }

    async fn paid_session(fake: &FakeStripe, stripe: &StripeClient, purchase_id: i64) -> String {
        let session = stripe
            .create_checkout_session(&checkout_form(&request(purchase_id)), &format!("checkout-purchase-{purchase_id}"))
            .await
            .expect("create session");
        fake.complete_session(&session.id)
    }

    #[tokio::test]
    async fn creating_a_session_sends_the_purchase_and_reads_the_session_back() {
        let fake = FakeStripe::start().await;
        let stripe = client(&fake);
        let req = request(123);

        let session = stripe
            .create_checkout_session(&checkout_form(&req), "checkout-purchase-123")
            .await
            .expect("create session");

        assert!(session.id.starts_with("cs_test_"), "{}", session.id);
        assert_eq!(session.url, Some(format!("{}/pay/{}", fake.base_url(), session.id)));
        assert_eq!(session.status.as_deref(), Some("open"));
        assert_eq!(session.payment_status.as_deref(), Some("unpaid"));
        assert_eq!(session.payment_intent, None);
        assert_eq!(session.metadata_purchase_id, Some(123));
        assert_eq!(session.expires_at, Some(req.expires_at));
        assert_eq!(session.amount_total, Some(2 * 350 + 199));
        assert_eq!(session.currency.as_deref(), Some("eur"));
        assert!(!session.is_paid());

        let sent = fake.requests("/v1/checkout/sessions");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].method, "POST");
        assert_eq!(sent[0].idempotency_key.as_deref(), Some("checkout-purchase-123"));
        let param = |k: &str| sent[0].params.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(param("mode"), Some("payment"));
        assert_eq!(param("payment_method_types[0]"), Some("card"));
        assert_eq!(param("line_items[1][price_data][product_data][name]"), Some("Apples, 2 kg"));
        assert_eq!(param("line_items[0][price_data][currency]"), Some("eur"));
        assert_eq!(param("payment_intent_data[metadata][purchase_id]"), Some("123"));
        assert_eq!(param("client_reference_id"), Some("tg:42"));
    }

    #[tokio::test]
    async fn the_same_idempotency_key_replays_the_same_session() {
        let fake = FakeStripe::start().await;
        let stripe = client(&fake);
        let req = request(7);

        let first = stripe.create_checkout_session(&checkout_form(&req), "checkout-purchase-7").await.expect("first");
        let again = stripe.create_checkout_session(&checkout_form(&req), "checkout-purchase-7").await.expect("replay");

        assert_eq!(first, again);
        assert_eq!(fake.sessions().len(), 1);
    }

    #[tokio::test]
    async fn reusing_a_key_with_other_parameters_is_an_idempotency_error() {
        let fake = FakeStripe::start().await;
        let stripe = client(&fake);
        stripe.create_checkout_session(&checkout_form(&request(7)), "checkout-purchase-7").await.expect("first");

        let err = stripe.create_checkout_session(&checkout_form(&request(8)), "checkout-purchase-7").await.unwrap_err();

        assert!(matches!(&err, StripeError::Api { status: 400, kind, .. } if kind == "idempotency_error"), "{err:?}");
        assert!(!err.is_retryable());
    }

    #[tokio::test]
    async fn retrieve_shows_the_payment_intent_once_the_customer_has_paid() {
        let fake = FakeStripe::start().await;
        let stripe = client(&fake);
        let created =
            stripe.create_checkout_session(&checkout_form(&request(5)), "checkout-purchase-5").await.expect("create");

        let open = stripe.retrieve_checkout_session(&created.id).await.expect("retrieve open");
        assert_eq!(open, created);

        let payment_intent = fake.complete_session(&created.id);
        let paid = stripe.retrieve_checkout_session(&created.id).await.expect("retrieve paid");

        assert_eq!(paid.status.as_deref(), Some("complete"));
        assert!(paid.is_paid());
        assert_eq!(paid.payment_intent, Some(payment_intent));
        assert_eq!(paid.url, None);
        assert_eq!(paid.metadata_purchase_id, Some(5));
    }

    #[tokio::test]
    async fn retrieving_an_unknown_session_is_resource_missing() {
        let fake = FakeStripe::start().await;

        let err = client(&fake).retrieve_checkout_session("cs_test_nope").await.unwrap_err();

        assert!(
            matches!(&err, StripeError::Api { status: 404, code: Some(c), .. } if c == "resource_missing"),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn expiring_an_open_session_works_and_a_completed_one_is_refused() {
        let fake = FakeStripe::start().await;
        let stripe = client(&fake);
        let open =
            stripe.create_checkout_session(&checkout_form(&request(1)), "checkout-purchase-1").await.expect("create");

        let expired = stripe.expire_checkout_session(&open.id).await.expect("expire");
        assert!(expired.is_expired());
        assert_eq!(expired.url, None);

        let paid =
            stripe.create_checkout_session(&checkout_form(&request(2)), "checkout-purchase-2").await.expect("create");
        fake.complete_session(&paid.id);
        let err = stripe.expire_checkout_session(&paid.id).await.unwrap_err();
        assert!(
            matches!(&err, StripeError::Api { status: 400, kind, .. } if kind == "invalid_request_error"),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_full_refund_succeeds_once_and_a_second_is_refused() {
        let fake = FakeStripe::start().await;
        let stripe = client(&fake);
        let payment_intent = paid_session(&fake, &stripe, 9).await;

        let refund = stripe.create_refund(&payment_intent, "refund-purchase-9", 9).await.expect("refund");
        assert!(refund.id.starts_with("re_"), "{}", refund.id);
        assert_eq!(refund.status, "succeeded");
        let refunds = fake.refunds();
        assert_eq!(refunds.len(), 1);
        assert_eq!(refunds[0].amount, 2 * 350 + 199);
        assert_eq!(refunds[0].metadata.get("purchase_id").map(String::as_str), Some("9"));

        // A retry with the same key is a replay, not a second refund.
        let replay = stripe.create_refund(&payment_intent, "refund-purchase-9", 9).await.expect("replay");
        assert_eq!(replay, refund);

        let err = stripe.create_refund(&payment_intent, "refund-purchase-9-again", 9).await.unwrap_err();
        assert!(
            matches!(&err, StripeError::Api { status: 400, code: Some(c), .. } if c == "charge_already_refunded"),
            "{err:?}"
        );
        assert!(!err.is_retryable());
        assert_eq!(fake.refunds().len(), 1);
    }

    #[tokio::test]
    async fn refunding_an_unknown_payment_intent_is_resource_missing() {
        let fake = FakeStripe::start().await;

        let err = client(&fake).create_refund("pi_unknown", "refund-purchase-1", 1).await.unwrap_err();

        assert!(
            matches!(&err, StripeError::Api { status: 400, code: Some(c), .. } if c == "resource_missing"),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_5xx_is_transient_and_a_retry_with_the_same_key_succeeds() {
        let fake = FakeStripe::start().await;
        let stripe = client(&fake);
        fake.fail_next(1, FailMode::Status500);
        // A retry must send the very same parameters (`expires_at` included),
        // or Stripe refuses the reused key.
        let req = request(3);

        let err = stripe.create_checkout_session(&checkout_form(&req), "checkout-purchase-3").await.unwrap_err();
        assert!(matches!(err, StripeError::Transient(_)), "{err:?}");
        assert!(err.is_retryable());
        assert!(fake.sessions().is_empty());

        let session = stripe.create_checkout_session(&checkout_form(&req), "checkout-purchase-3").await.expect("retry");
        assert_eq!(fake.sessions().len(), 1);
        assert_eq!(fake.sessions()[0].id, session.id);
    }

    #[tokio::test]
    async fn a_timeout_is_transient_and_the_retry_replays_what_stripe_did_meanwhile() {
        let fake = FakeStripe::start().await;
        let stripe = client_with(&fake, fake.secret_key(), Duration::from_millis(300));
        fake.fail_next(1, FailMode::Timeout(Duration::from_secs(5)));
        let req = request(4);

        let err = stripe.create_checkout_session(&checkout_form(&req), "checkout-purchase-4").await.unwrap_err();
        assert!(matches!(&err, StripeError::Transient(m) if m.contains("timed out")), "{err:?}");
        assert!(err.is_retryable());

        // Stripe created the session but the answer never arrived; the retry
        // gets that same session instead of a second one.
        let session = stripe.create_checkout_session(&checkout_form(&req), "checkout-purchase-4").await.expect("retry");
        assert_eq!(fake.sessions().len(), 1);
        assert_eq!(fake.sessions()[0].id, session.id);
    }

    #[tokio::test]
    async fn rate_limiting_is_an_api_error_worth_retrying() {
        let fake = FakeStripe::start().await;
        fake.fail_next_on("/v1/refunds", 1, FailMode::Status429);
        let stripe = client(&fake);
        let payment_intent = paid_session(&fake, &stripe, 6).await;

        let err = stripe.create_refund(&payment_intent, "refund-purchase-6", 6).await.unwrap_err();

        assert!(matches!(&err, StripeError::Api { status: 429, .. }), "{err:?}");
        assert!(err.is_retryable());
        stripe.create_refund(&payment_intent, "refund-purchase-6", 6).await.expect("after the limit");
    }

    #[tokio::test]
    async fn a_wrong_key_is_a_401_that_does_not_reveal_the_key() {
        let fake = FakeStripe::start().await;
        let stripe = client_with(&fake, "sk_test_wrong_key_0123456789", Duration::from_secs(10));

        let err = stripe.retrieve_checkout_session("cs_test_x").await.unwrap_err();

        assert!(
            matches!(&err, StripeError::Api { status: 401, kind, .. } if kind == "invalid_request_error"),
            "{err:?}"
        );
        assert!(!err.is_retryable());
        assert!(!format!("{stripe:?}").contains("sk_test"), "{stripe:?}");
    }

    #[tokio::test]
    async fn an_unreachable_server_is_transient() {
        // Bind and drop, so the port is very likely closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let base = Url::parse(&format!("http://127.0.0.1:{port}")).expect("url");
        let stripe = StripeClient::new(base, SecretString::from("sk_test_x"), Duration::from_secs(2)).expect("client");

        let err = stripe.retrieve_checkout_session("cs_test_x").await.unwrap_err();

        assert!(matches!(err, StripeError::Transient(_)), "{err:?}");
    }

    #[test]
    fn error_bodies_map_to_the_cases_callers_branch_on() {
        fn check(status: u16, body: &str, expected: &str, retryable: bool) {
            let err = error_from_response(StatusCode::from_u16(status).expect("status"), body.as_bytes());
            assert_eq!(format!("{err:?}"), expected, "{status} {body}");
            assert_eq!(err.is_retryable(), retryable, "{status} {body}");
        }
        check(
            400,
            r#"{"error":{"type":"invalid_request_error","code":"parameter_missing","message":"Missing required param: mode.","param":"mode"}}"#,
            r#"Api { status: 400, kind: "invalid_request_error", code: Some("parameter_missing"), message: "Missing required param: mode." }"#,
            false,
        );
        check(
            400,
            r#"{"error":{"type":"invalid_request_error","message":"Invalid integer","param":"expires_at"}}"#,
            r#"Api { status: 400, kind: "invalid_request_error", code: None, message: "Invalid integer (param: expires_at)" }"#,
            false,
        );
        check(
            409,
            r#"{"error":{"type":"idempotency_error","code":"idempotency_key_in_use","message":"in use"}}"#,
            r#"Api { status: 409, kind: "idempotency_error", code: Some("idempotency_key_in_use"), message: "in use" }"#,
            true,
        );
        check(
            503,
            r#"{"error":{"type":"api_error","message":"Try again"}}"#,
            r#"Transient("Stripe answered 503 Service Unavailable: Try again")"#,
            true,
        );
        check(
            502,
            "<html>Bad gateway</html>",
            r#"Transient("Stripe answered 502 Bad Gateway: <html>Bad gateway</html>")"#,
            true,
        );
        check(404, "Not Found", r#"Api { status: 404, kind: "unknown", code: None, message: "Not Found" }"#, false);
    }

    #[test]
    fn the_endpoint_keeps_a_base_path_and_escapes_ids() {
        let stripe = StripeClient::new(
            Url::parse("http://127.0.0.1:9/stripe/").expect("url"),
            SecretString::from("sk_test_x"),
            Duration::from_secs(1),
        )
        .expect("client");
        let url = stripe.endpoint(&["checkout", "sessions", "cs_1/../../x?y", "expire"]).expect("endpoint");
        assert_eq!(url.as_str(), "http://127.0.0.1:9/stripe/v1/checkout/sessions/cs_1%2F..%2F..%2Fx%3Fy/expire");
    }

    #[test]
    fn sessions_parse_from_stripe_json_with_an_expanded_payment_intent() {
        let json = serde_json::json!({
            "id": "cs_test_a1", "object": "checkout.session", "url": null, "status": "complete",
            "payment_status": "paid", "payment_intent": {"id": "pi_1", "object": "payment_intent"},
            "metadata": {"purchase_id": "77"}, "expires_at": 1_700_000_000, "amount_total": 500, "currency": "eur"
        });
        let session: CheckoutSession = serde_json::from_value(json).expect("parse");
        assert_eq!(session.payment_intent.as_deref(), Some("pi_1"));
        assert_eq!(session.metadata_purchase_id, Some(77));

        let foreign = serde_json::json!({"id": "cs_test_b", "metadata": {"purchase_id": "not-ours"}});
        let session: CheckoutSession = serde_json::from_value(foreign).expect("parse");
        assert_eq!(session.metadata_purchase_id, None);
        assert_eq!(session.status, None);
    }
}
