//! `GET /openapi.json`: the OpenAPI 3.1 document of the HTTP API, generated
//! from the handlers' and response types' annotations, so it cannot drift
//! from the code. The contract test validates real responses against it.

use std::sync::OnceLock;

use axum::Json;
use utoipa::OpenApi;

use utoipa::Modify;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::miniapp::api as app;
use super::{error, media, offers, statement};

/// The statement API's per-business key: `Authorization: Bearer glk_…`.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A business's API key (`glk_…`), created with /apikey in the bot"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Glean API",
        description = "Surplus-food deals near you: read-only for everyone, and the Mini App's own API for customers signed in by Telegram. Money is always integer minor units plus \
            an ISO 4217 currency. Errors share one shape: `{\"error\": {\"code\", \"message\", \"parameter\"}}`."
    ),
    paths(
        offers::list_offers,
        offers::get_offer,
        media::get_media,
        statement::get_statement,
        super::healthz,
        super::readyz,
        app::me,
        app::texts,
        app::deals,
        app::deal,
        app::follow,
        app::unfollow,
        app::buy,
        app::orders,
        app::order,
        app::cancel
    ),
    modifiers(&TmaAuth, &ApiKeyScheme),
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
        super::TelegramState,
        statement::StatementView,
        statement::CurrencyTotals,
        statement::EntryView,
        app::Me,
        app::PageTexts,
        app::LatLng,
        app::DealList,
        app::DealPage,
        app::Following,
        app::BuyRequest,
        app::BuyResult,
        app::OrderView,
        app::OrderLine,
        app::OrderList
    )),
    tags(
        (name = "offers", description = "Active deals"),
        (name = "media", description = "Offer photos"),
        (name = "statements", description = "A business's monthly statement, with its API key"),
        (name = "operations", description = "Health and readiness"),
        (name = "mini app", description = "The Telegram Mini App's API: every call carries `Authorization: tma <initData>`"),
    )
)]
pub struct ApiDoc;

/// The Mini App's authentication: `Authorization: tma <initData>`, the
/// query string Telegram signed with the bot's token.
struct TmaAuth;

impl utoipa::Modify for TmaAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "tma",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`tma ` followed by `Telegram.WebApp.initData`, unchanged",
            ))),
        );
    }
}

/// The document, built once.
pub fn document() -> &'static serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
}

pub async fn openapi_json() -> Json<&'static serde_json::Value> {
    Json(document())
}
