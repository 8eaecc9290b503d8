//! The HTTP server: health and readiness, the JSON API of offers
//! (`offers.rs`) and of a business's statement (`statement.rs`) with its
//! OpenAPI document (`openapi.rs`), stored images (`media.rs`), `/metrics`,
//! the Stripe webhook (`stripe.rs`), Stripe Connect's onboarding links and
//! webhook (`connect.rs`) and the Telegram Mini App with its own API
//! (`miniapp/`). Every API error is an `error::ApiError`.
//! Handlers are thin: they parse parameters, call the store, render.

pub mod connect;
pub mod error;
pub mod media;
pub mod miniapp;
pub mod observe;
pub mod offers;
pub mod openapi;
pub mod statement;
pub mod stripe;
pub mod telegram;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use url::Url;
use utoipa::ToSchema;

use crate::actions::Ctx;
use crate::clock::Clock;
use crate::store::Store;

#[derive(Clone)]
pub struct HttpState {
    pub store: Store,
    /// The time source (tests move it forward).
    pub clock: Clock,
    /// `PUBLIC_BASE_URL`: when set, media URLs in the API are absolute.
    pub public_base_url: Option<Url>,
    /// The bot's username once known (the bot learns it with `getMe` after
    /// start-up); until then the API leaves out `deep_link`.
    pub bot_username: Arc<OnceLock<String>>,
    /// Rate buckets (per client IP for the JSON API), shared through Redis
    /// when configured; readiness reports its Redis state.
    pub coord: crate::coord::Coord,
    /// Webhook mode (`TELEGRAM_WEBHOOK_URL` set) rather than polling.
    pub webhook_mode: bool,
    /// Set once Telegram accepted our `setWebhook`.
    pub webhook_set: Arc<AtomicBool>,
}

impl HttpState {
    /// The state the running app serves with: its store, clock, public URL
    /// and the bot username it learns after start-up.
    pub fn from_ctx(ctx: &Ctx) -> Self {
        HttpState {
            store: ctx.store.clone(),
            clock: ctx.clock.clone(),
            public_base_url: ctx.settings.public_base_url.clone(),
            bot_username: ctx.bot_username.clone(),
            coord: ctx.coord.clone(),
            webhook_mode: ctx.settings.telegram_webhook_url.is_some() && ctx.settings.telegram_webhook_secret.is_some(),
            webhook_set: Default::default(),
        }
    }

    /// Where an image from `/media` is fetched from.
    pub fn media_url(&self, name: &str) -> String {
        match &self.public_base_url {
            Some(base) => format!("{}/media/{name}", base.as_str().trim_end_matches('/')),
            None => format!("/media/{name}"),
        }
    }
}

pub fn router(state: HttpState) -> Router {
    let api = Router::new()
        .route("/api/v1/offers", get(offers::list_offers))
        .route("/api/v1/offers/{id}", get(offers::get_offer))
        .route("/media/{name}", get(media::get_media))
        .route("/api/v1/businesses/{id}/statement", get(statement::get_statement))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), per_ip_limit));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi::openapi_json))
        .merge(api)
        // Any other path gets the API's error shape too, not an empty 404.
        .fallback(|| async { error::ApiError::NotFound("there is nothing at this path".into()) })
        .with_state(state)
}

/// Requests one client IP may make to the API: 20 a second, bursts of 100.
pub const PER_IP: crate::coord::Bucket = crate::coord::Bucket { rate: 20.0, burst: 100.0 };

/// Answers 429 (with `Retry-After`) to a client IP over [`PER_IP`]. The IP
/// is the TCP peer: behind a proxy that is the proxy, so limit at the proxy
/// too.
async fn per_ip_limit(
    State(state): State<HttpState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let peer = request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
    let ip = peer.map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string());
    let wait = state.coord.take(&format!("ip:{ip}"), PER_IP).await;
    if wait.is_zero() {
        return next.run(request).await;
    }
    error::ApiError::RateLimited { retry_after_secs: wait.as_secs().max(1) }.into_response()
}

/// The liveness answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Health {
    /// Always `ok`: the process answers.
    pub status: String,
}

/// The readiness answer: ready when the database answers. Redis being
/// unreachable doesn't make an instance unready: it still stores every
/// update Telegram sends, and handles them once Redis is back.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Readiness {
    /// `ready` or `unavailable` (the database does not answer).
    pub status: String,
    pub database: DatabaseState,
    /// Present when `REDIS_URL` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<RedisState>,
    pub telegram: TelegramState,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseState {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Whether it answered just now.
    pub up: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedisState {
    /// Whether Redis answers. While it doesn't, chats and the jobs wait and
    /// send limits are this instance's share.
    pub up: bool,
    /// Whole seconds since Redis last answered; 0 while up.
    pub unreachable_secs: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TelegramState {
    /// `polling` or `webhook`.
    pub mode: String,
    /// Webhook mode only: whether Telegram accepted our `setWebhook`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_set: Option<bool>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// Readiness: the database answers. Also reports Redis (when configured)
/// and how Telegram's updates arrive.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "Ready to serve", body = Readiness),
    (status = 503, description = "The database does not answer", body = Readiness),
))]
pub async fn readyz(State(state): State<HttpState>) -> (StatusCode, Json<Readiness>) {
    let db_up = match state.store.ping().await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            false
        }
    };
    let redis = state.coord.redis_state().map(|(up, down_for)| RedisState { up, unreachable_secs: down_for.as_secs() });
    let telegram = if state.webhook_mode {
        TelegramState { mode: "webhook".into(), webhook_set: Some(state.webhook_set.load(Ordering::Relaxed)) }
    } else {
        TelegramState { mode: "polling".into(), webhook_set: None }
    };
    let body = Readiness {
        status: if db_up { "ready" } else { "unavailable" }.into(),
        database: DatabaseState { backend: state.store.backend_name().into(), up: db_up },
        redis,
        telegram,
    };
    (if db_up { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
}

/// Prometheus scrapes this. The queue gauges are counted in the database
/// now; if it doesn't answer they are left out and the rest still shows.
async fn metrics(State(state): State<HttpState>) -> impl IntoResponse {
    let backlog = match state.store.backlog(state.clock.now()).await {
        Ok(b) => Some(b),
        Err(e) => {
            tracing::warn!(error = %e, "couldn't count the queues for /metrics");
            None
        }
    };
    ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], crate::metrics::render(backlog.as_ref()))
}
