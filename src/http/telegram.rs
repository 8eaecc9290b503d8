//! `POST /webhooks/telegram`: webhook mode. The update is stored before we
//! answer 200 (Telegram's confirmation), then handled like a polled one.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use secrecy::ExposeSecret;

use crate::actions::Ctx;
use crate::bot::runner::{Dispatcher, parse_raw};

#[derive(Clone)]
pub struct WebhookState {
    pub ctx: Ctx,
    /// Set once the bot is ready; until then updates are stored and resumed.
    pub dispatcher: Arc<OnceLock<Arc<Dispatcher>>>,
}

pub fn router(state: WebhookState) -> Router {
    Router::new().route("/webhooks/telegram", post(receive)).with_state(state)
}

/// Compares without leaking where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn receive(State(state): State<WebhookState>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    let Some(secret) = state.ctx.settings.telegram_webhook_secret.as_ref() else {
        return StatusCode::NOT_FOUND;
    };
    let given = headers.get("x-telegram-bot-api-secret-token").map(|v| v.as_bytes()).unwrap_or_default();
    if !same(given, secret.expose_secret().as_bytes()) {
        tracing::warn!("telegram webhook refused: wrong or missing secret token");
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let Some(update) = parse_raw(&raw) else { return StatusCode::BAD_REQUEST };
    match state.ctx.store.insert_inbound(std::slice::from_ref(&update), state.ctx.clock.now()).await {
        Ok(fresh) => {
            if let Some(d) = state.dispatcher.get() {
                for u in fresh {
                    d.enqueue(u);
                }
            }
            StatusCode::OK
        }
        Err(e) => {
            // Telegram retries until we have it stored.
            tracing::error!(update_id = update.update_id, error = %e, "couldn't store update");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_compares_whole_strings() {
        assert!(super::same(b"secret", b"secret"));
        assert!(!super::same(b"secret", b"secreT"));
        assert!(!super::same(b"secret", b"secret2"));
        assert!(!super::same(b"", b"x"));
    }
}
