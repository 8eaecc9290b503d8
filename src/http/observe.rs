//! The middleware that counts every HTTP request by route template (axum's
//! `MatchedPath`, so `/api/v1/offers/{id}` is one series however many ids
//! are asked for) and status, and times it.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Every route the server has, for zero series before the first request.
/// The metrics test requests each and checks the template it is counted
/// under, so this list can't silently drift from the routers.
pub const ROUTES: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/api/v1/offers",
    "/api/v1/offers/{id}",
    "/media/{name}",
    "/webhooks/stripe",
    "/webhooks/stripe/connect",
    "/connect/{token}",
    "/connect/{token}/return",
    "/api/v1/businesses/{id}/statement",
    "/webhooks/telegram",
    "/app",
    "/app/assets/{*path}",
    "/app/api/me",
    "/app/api/deals",
    "/app/api/deals/{id}",
    "/app/api/businesses/{id}/follow",
    "/app/api/purchases",
    "/app/api/orders",
    "/app/api/orders/{id}",
    "/app/api/orders/{id}/cancel",
];

pub async fn track(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let route = route.as_deref().unwrap_or(crate::metrics::UNMATCHED_ROUTE);
    crate::metrics::http_request(route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}
