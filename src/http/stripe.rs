//! `POST /webhooks/stripe`: Stripe's events, signature checked over the raw
//! body, each event acted on once.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use secrecy::ExposeSecret;

use crate::actions::Ctx;
use crate::actions::purchases;
use crate::payments::webhook::{self, TOLERANCE_SECS};

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
    let _enter = span.enter();
    match ctx.store.seen("stripe", &event.id).await {
        Ok(true) => return (StatusCode::OK, "already processed"),
        Ok(false) => {}
        Err(e) => {
            tracing::error!(error = %e, "can't check processed events");
            return (StatusCode::INTERNAL_SERVER_ERROR, "try again");
        }
    }
    // Acting is idempotent (conditional updates); recording comes after, so
    // a crash in between means Stripe's retry acts again, harmlessly.
    let acted = act(&ctx, &event).await;
    if let Err(e) = acted {
        tracing::error!(error = ?e, "stripe event failed; Stripe will retry");
        return (StatusCode::INTERNAL_SERVER_ERROR, "try again");
    }
    if let Err(e) = ctx.store.first_time("stripe", &event.id, ctx.clock.now()).await {
        tracing::warn!(error = %e, "couldn't record the processed event");
    }
    (StatusCode::OK, "ok")
}

async fn act(ctx: &Ctx, event: &webhook::Event) -> anyhow::Result<()> {
    match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            let session = event.checkout_session()?;
            let Some(purchase_id) = session.metadata_purchase_id else {
                tracing::warn!(session = %session.id, "completed session without a purchase id");
                return Ok(());
            };
            if !session.is_paid() {
                tracing::info!(purchase_id, "session completed but not paid yet");
                return Ok(());
            }
            purchases::paid(ctx, purchase_id, session.payment_intent.as_deref()).await
        }
        "checkout.session.expired" => {
            let session = event.checkout_session()?;
            match session.metadata_purchase_id {
                Some(purchase_id) => purchases::session_expired(ctx, purchase_id).await,
                None => Ok(()),
            }
        }
        "charge.refunded" | "refund.updated" | "refund.created" => {
            let notice = event.refund()?;
            if let Some(purchase_id) = notice.purchase_id
                && notice.status == "succeeded"
                && ctx.store.mark_refunded(purchase_id, ctx.clock.now()).await?
            {
                tracing::info!(purchase_id, "refund confirmed by Stripe");
            }
            Ok(())
        }
        other => {
            tracing::debug!(kind = other, "stripe event ignored");
            Ok(())
        }
    }
}
