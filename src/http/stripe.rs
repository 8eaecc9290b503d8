//! `POST /webhooks/stripe`: Stripe's events, signature checked over the raw
//! body, each event acted on once: its effect and its `processed_events`
//! row commit in one transaction (recorded first, acted on only if the
//! record is new). A session event is acted on only if it is the session
//! Glean made for that purchase, for the purchase's amount and currency,
//! in the key's mode; anything else is answered 200, logged, counted and
//! left alone.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use secrecy::ExposeSecret;
use tracing::Instrument as _;

use crate::actions::Ctx;
use crate::actions::purchases;
use crate::payments::stripe::CheckoutSession;
use crate::payments::webhook::{self, TOLERANCE_SECS};
use crate::store::{EventRef, Purchase, StoreError};

/// The webhook route; without Stripe configured it answers 404.
pub fn router(ctx: Ctx) -> Router {
    Router::new().route("/webhooks/stripe", post(receive)).with_state(ctx)
}

async fn receive(State(ctx): State<Ctx>, headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    let Some(secret) = ctx.settings.stripe_webhook_secret.as_ref() else {
        return (StatusCode::NOT_FOUND, "stripe is not configured");
    };
    let header = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    // Freshness is about wall-clock time, whatever the app's clock says.
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = webhook::verify_signature(&body, header, secret.expose_secret(), now, TOLERANCE_SECS) {
        tracing::warn!(error = %e, "stripe webhook refused");
        return (StatusCode::BAD_REQUEST, "invalid signature");
    }
    let event = match webhook::parse_event(&body) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable stripe event");
            return (StatusCode::BAD_REQUEST, "unreadable event");
        }
    };
    let span = tracing::info_span!("stripe_event", event_id = %event.id, kind = %event.kind);
    async move {
        match act(&ctx, &event).await {
            Ok(()) => (StatusCode::OK, "ok"),
            Err(e) => {
                tracing::error!(error = ?e, "stripe event failed; Stripe will retry");
                (StatusCode::INTERNAL_SERVER_ERROR, "try again")
            }
        }
    }
    .instrument(span)
    .await
}

async fn act(ctx: &Ctx, event: &webhook::Event) -> anyhow::Result<()> {
    let record = EventRef { source: "stripe", id: &event.id };
    if ctx.stripe.as_ref().is_some_and(|s| s.is_live() != event.livemode) {
        return ignore("livemode", "the event's mode is not the key's");
    }
    match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            let session = event.checkout_session()?;
            let Some(purchase) = purchase_of(ctx, &session).await? else { return Ok(()) };
            if !session.is_paid() {
                tracing::info!(purchase_id = purchase.id, "session completed but not paid yet");
                return Ok(());
            }
            purchases::paid(ctx, purchase.id, session.payment_intent.as_deref(), Some(record)).await?;
            Ok(())
        }
        "checkout.session.expired" => {
            let session = event.checkout_session()?;
            let Some(purchase) = purchase_of(ctx, &session).await? else { return Ok(()) };
            purchases::session_expired(ctx, purchase.id, Some(record)).await
        }
        "charge.refunded" | "refund.updated" | "refund.created" | "refund.failed" => {
            let notice = event.refund()?;
            let Some(purchase_id) = notice.purchase_id else { return ignore("purchase", "no purchase id") };
            let purchase = match ctx.store.purchase(purchase_id).await {
                Ok(p) => p,
                Err(StoreError::NotFound) => return ignore("purchase", "no such purchase"),
                Err(e) => return Err(e.into()),
            };
            // Ours only if it refunds this purchase's payment.
            if notice.payment_intent.is_some() && notice.payment_intent != purchase.stripe_payment_intent {
                return ignore("payment_intent", "the refund is of another payment");
            }
            if let (Some(ours), Some(theirs)) = (&purchase.stripe_refund_id, &notice.refund_id)
                && ours != theirs
            {
                return ignore("refund", "another refund than the one we made");
            }
            let now = ctx.clock.now();
            match notice.status.as_str() {
                "succeeded" => {
                    if ctx.store.mark_refunded(purchase.id, notice.refund_id.as_deref(), Some(record), now).await? {
                        tracing::info!(purchase_id, "refund confirmed by Stripe");
                    }
                }
                "failed" | "canceled" => {
                    let reason = notice.failure_reason.clone().unwrap_or_else(|| notice.status.clone());
                    purchases::refund_failed(ctx, purchase.id, &reason, Some(record)).await?;
                }
                other => tracing::debug!(purchase_id, status = other, "refund not settled yet"),
            }
            Ok(())
        }
        other => {
            tracing::debug!(kind = other, "stripe event ignored");
            Ok(())
        }
    }
}

/// The purchase a session event is about, if the event is really about
/// the session we made for it, for its amount and currency.
async fn purchase_of(ctx: &Ctx, session: &CheckoutSession) -> anyhow::Result<Option<Purchase>> {
    let Some(purchase_id) = session.metadata_purchase_id else {
        return ignore("purchase", "a session without our purchase id").map(|()| None);
    };
    let p = match ctx.store.purchase(purchase_id).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return ignore("purchase", "no such purchase").map(|()| None),
        Err(e) => return Err(e.into()),
    };
    let what = if p.stripe_session_id.as_deref() != Some(session.id.as_str()) {
        Some("session")
    } else if session.amount_total.is_some_and(|a| a != p.total.minor()) {
        Some("amount")
    } else if session.currency.as_deref().is_some_and(|c| !c.eq_ignore_ascii_case(p.total.currency().code())) {
        Some("currency")
    } else {
        None
    };
    match what {
        Some(what) => {
            tracing::warn!(purchase_id, session = %session.id, mismatch = what, "session event doesn't match its purchase; ignored");
            crate::metrics::stripe_event_rejected(what);
            Ok(None)
        }
        None => Ok(Some(p)),
    }
}

/// A signed event that isn't ours to act on: 200, nothing changed.
fn ignore(what: &'static str, why: &'static str) -> anyhow::Result<()> {
    tracing::warn!(mismatch = what, why, "stripe event ignored");
    crate::metrics::stripe_event_rejected(what);
    Ok(())
}
