//! `GET /openapi.json`: the OpenAPI 3.1 document of the HTTP API, generated
//! from the handlers' and response types' annotations, so it cannot drift
//! from the code. The contract test validates real responses against it.

use std::sync::OnceLock;

use axum::Json;
use utoipa::OpenApi;

use super::{error, media, offers};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Glean API",
        description = "Surplus-food deals near you, read-only. Money is always integer minor units plus \
            an ISO 4217 currency. Errors share one shape: `{\"error\": {\"code\", \"message\", \"parameter\"}}`."
    ),
    paths(offers::list_offers, offers::get_offer, media::get_media, super::healthz, super::readyz),
    components(schemas(
        error::ErrorBody,
        error::ErrorCode,
        offers::OfferPage,
        offers::OfferView,
        offers::Sort,
        super::Health,
        super::Readiness,
        super::DatabaseState,
        super::RedisState,
        super::TelegramState
    )),
    tags(
        (name = "offers", description = "Active deals"),
        (name = "media", description = "Offer photos"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

/// The document, built once.
pub fn document() -> &'static serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
}

pub async fn openapi_json() -> Json<&'static serde_json::Value> {
    Json(document())
}
