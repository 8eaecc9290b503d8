//! Stripe Connect over HTTP: `GET /connect/{token}` (a fresh account link
//! at every visit, 303 to Stripe; also Stripe's `refresh_url`),
//! `GET /connect/{token}/return` (the account re-read, the owner told in
//! Telegram, a small page), and `POST /webhooks/stripe/connect`: Connect
//! events (top-level `account`) signed with their own secret, checked
//! exactly like the first endpoint, each recorded once in the transaction
//! that acts on it. The pages speak the browser's `Accept-Language`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use secrecy::ExposeSecret;

use super::miniapp::accepted_lang;
use crate::actions::Ctx;
use crate::actions::connect::{self, ConnectError, Visit};
use crate::domain::Currency;
use crate::payments::webhook::{self, TOLERANCE_SECS};
use crate::render::i18n::Lang;
use crate::render::money as pages;
use crate::store::{EventRef, PayoutNews};

pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .route("/connect/{token}", get(visit))
        .route("/connect/{token}/return", get(returned))
        .route("/webhooks/stripe/connect", post(receive))
        .with_state(ctx)
}

fn page(status: StatusCode, html: String) -> Response {
    let mut r = (status, Html(html)).into_response();
    // The token is in the URL: keep it out of other sites' logs and caches.
    r.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

fn failed(l: Lang, e: ConnectError) -> Response {
    match e {
        ConnectError::Off => page(StatusCode::NOT_FOUND, pages::page_not_switched_on(l)),
        ConnectError::NotFound | ConnectError::NotVerified => page(StatusCode::NOT_FOUND, pages::page_invalid_link(l)),
        ConnectError::Stripe(e) => {
            tracing::warn!(error = %e, "account link failed");
            page(StatusCode::SERVICE_UNAVAILABLE, pages::page_stripe_down(l))
        }
        ConnectError::Unexpected(e) => {
            tracing::error!(error = format!("{e:#}"), "onboarding page failed");
            page(StatusCode::INTERNAL_SERVER_ERROR, pages::page_stripe_down(l))
        }
    }
}

async fn visit(State(ctx): State<Ctx>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let l = accepted_lang(&headers);
    match connect::visit(&ctx, &token).await {
        Ok(Visit::Redirect(url)) => {
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = header::HeaderValue::from_str(&url) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            r.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
            r
        }
        Ok(Visit::Invalid) => page(StatusCode::NOT_FOUND, pages::page_invalid_link(l)),
        Err(e) => failed(l, e),
    }
}

async fn returned(State(ctx): State<Ctx>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let l = accepted_lang(&headers);
    match connect::returned(&ctx, &token).await {
        Ok(Some(state)) => page(StatusCode::OK, pages::page_returned(l, &state)),
        Ok(None) => page(StatusCode::NOT_FOUND, pages::page_invalid_link(l)),
        Err(e) => failed(l, e),
    }
}

async fn receive(State(ctx): State<Ctx>, headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    let Some(secret) = ctx.settings.stripe_connect_webhook_secret.as_ref() else {
        return (StatusCode::NOT_FOUND, "stripe connect is not configured");
    };
    let header = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = webhook::verify_signature(&body, header, secret.expose_secret(), now, TOLERANCE_SECS) {
        tracing::warn!(error = %e, "stripe connect webhook refused");
        return (StatusCode::BAD_REQUEST, "invalid signature");
    }
    let event = match webhook::parse_event(&body) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable stripe connect event");
            return (StatusCode::BAD_REQUEST, "unreadable event");
        }
    };
    match act(&ctx, &event).await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(event_id = %event.id, error = ?e, "stripe connect event failed; Stripe will retry");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again")
        }
    }
}

async fn act(ctx: &Ctx, event: &webhook::Event) -> anyhow::Result<()> {
    if ctx.stripe.as_ref().is_some_and(|s| s.is_live() != event.livemode) {
        tracing::warn!(event_id = %event.id, "connect event of the other mode; ignored");
        crate::metrics::stripe_event_rejected("livemode");
        return Ok(());
    }
    let record = EventRef { source: "stripe_connect", id: &event.id };
    match event.kind.as_str() {
        "account.updated" => {
            let account = event.connected_account()?;
            // The event's `account` names the account it happened on.
            if event.account.as_deref().is_some_and(|a| a != account.id) {
                crate::metrics::stripe_event_rejected("account");
                return Ok(());
            }
            connect::account_updated(ctx, &account, record).await
        }
        "payout.paid" | "payout.failed" | "payout.canceled" => {
            let Some(account) = event.account.as_deref() else {
                crate::metrics::stripe_event_rejected("account");
                return Ok(());
            };
            let payout = event.payout()?;
            let Ok(currency) = Currency::from_code(&payout.currency) else {
                tracing::warn!(currency = %payout.currency, "payout in a currency Glean doesn't know; ignored");
                return Ok(());
            };
            // A canceled payout's money is back in the balance, as a failed one's.
            let failure = match event.kind.as_str() {
                "payout.failed" => {
                    Some(payout.failure_message.clone().unwrap_or_else(|| "the bank returned it".to_owned()))
                }
                "payout.canceled" => Some("the payout was canceled".to_owned()),
                _ => None,
            };
            let news =
                PayoutNews { account_id: account, payout_id: &payout.id, amount: payout.amount, currency, failure };
            connect::payout(ctx, &news, record).await
        }
        other => {
            tracing::debug!(kind = other, "stripe connect event ignored");
            Ok(())
        }
    }
}
