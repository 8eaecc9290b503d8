//! The Telegram Mini App, served by Glean itself: `GET /app` (the page),
//! `/app/assets/…` (its CSS, JavaScript modules and the vendored Leaflet,
//! compiled into the binary; no build step) and its JSON API under
//! `/app/api/…` (`api.rs`), which calls the same `actions` as the bot.
//!
//! Every API call carries `Authorization: tma <initData>`; [`Customer`]
//! validates it (`initdata.rs`) and applies the per-user rate limit of the
//! bot. Missing, forged or stale data is a 401 in the shared error shape.
//!
//! The app speaks the customer's language: the one they chose with
//! `/language`, else their Telegram `language_code` (English when we don't
//! ship it). Before `initData` is trusted, errors follow the request's
//! `Accept-Language`, which the page sets from Telegram's unsigned user
//! data or the browser's language.

pub mod api;
pub mod initdata;

use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use secrecy::ExposeSecret;

use super::HttpState;
use super::error::ApiError;
use crate::actions::Ctx;
use crate::render::app as texts;
use crate::render::i18n::Lang;

/// The first language of an `Accept-Language` header that we ship, else
/// English.
pub fn accepted_lang(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(',')
        .filter_map(|tag| Lang::from_code(tag.split(';').next().unwrap_or_default()))
        .next()
        .unwrap_or(Lang::EN)
}

/// What the app's handlers share: the use cases' services and the read
/// side's state (media URLs, rendering of deals).
#[derive(Clone)]
pub struct AppState {
    pub ctx: Ctx,
    pub http: HttpState,
}

pub fn router(ctx: Ctx) -> Router {
    let state = AppState { http: HttpState::from_ctx(&ctx), ctx };
    Router::new()
        .route("/app", get(page))
        .route("/app/assets/{*path}", get(asset))
        .route("/app/api/me", get(api::me))
        .route("/app/api/texts", get(api::texts))
        .route("/app/api/deals", get(api::deals))
        .route("/app/api/deals/{id}", get(api::deal))
        .route("/app/api/businesses/{id}/follow", put(api::follow).delete(api::unfollow))
        .route("/app/api/purchases", post(api::buy))
        .route("/app/api/orders", get(api::orders))
        .route("/app/api/orders/{id}", get(api::order))
        .route("/app/api/orders/{id}/cancel", post(api::cancel))
        .with_state(state)
}

const INDEX: &str = include_str!("../../../assets/app/index.html");

/// The compiled-in assets: path under `/app/assets/`, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../../assets/app/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../../../assets/app/app.js")),
    ("api.js", "text/javascript; charset=utf-8", include_bytes!("../../../assets/app/api.js")),
    ("views.js", "text/javascript; charset=utf-8", include_bytes!("../../../assets/app/views.js")),
    ("map.js", "text/javascript; charset=utf-8", include_bytes!("../../../assets/app/map.js")),
    ("i18n.js", "text/javascript; charset=utf-8", include_bytes!("../../../assets/app/i18n.js")),
    (
        "vendor/leaflet/leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/app/vendor/leaflet/leaflet.js"),
    ),
    (
        "vendor/leaflet/leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../assets/app/vendor/leaflet/leaflet.css"),
    ),
    (
        "vendor/leaflet/LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("../../../assets/app/vendor/leaflet/LICENSE"),
    ),
];

/// Escapes a setting for an HTML attribute.
fn attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `GET /app`: the page, with the settings it needs (where Telegram's
/// script and the map tiles come from) filled in, and its words in the
/// language the browser asks for (until `/app/api/me` names the
/// customer's).
async fn page(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let s = &state.ctx.settings;
    let l = accepted_lang(&headers);
    let words = texts::page_texts(l);
    let embedded = serde_json::json!({ "lang": l.code(), "texts": &words }).to_string().replace('<', "\\u003c");
    let html = INDEX
        .replace("{{LANG}}", l.code())
        .replace("{{TITLE}}", &attr(words.get("title").map_or("Glean", String::as_str)))
        .replace("{{LOADING}}", &attr(words.get("loading").map_or("", String::as_str)))
        .replace("{{TEXTS}}", &embedded);
    let html = html
        .replace("{{TELEGRAM_WEB_APP_JS}}", &attr(s.telegram_web_app_js.as_str()))
        .replace("{{MAP_TILE_URL}}", &attr(&s.map_tile_url))
        .replace("{{MAP_TILE_ATTRIBUTION}}", &attr(&s.map_tile_attribution));
    // Scripts from us and Telegram only; images from anywhere (the tiles,
    // wherever MAP_TILE_URL points); the API on this origin.
    let csp = format!(
        "default-src 'self'; script-src 'self' {}; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'",
        s.telegram_web_app_js.origin().ascii_serialization()
    );
    let csp = HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CONTENT_SECURITY_POLICY, csp),
        ],
        html,
    )
        .into_response()
}

/// An asset's ETag: the start of its SHA-256, so a new build's changed
/// file is fetched again and an unchanged one is a 304.
fn etag(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("\"{}\"", &hex::encode(sha2::Sha256::digest(bytes))[..20])
}

/// `GET /app/assets/{path}`: one compiled-in asset, revalidated by ETag.
async fn asset(Path(path): Path<String>, headers: axum::http::HeaderMap) -> Response {
    static TAGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let tags = TAGS.get_or_init(|| ASSETS.iter().map(|(_, _, bytes)| etag(bytes)).collect());
    let Some(i) = ASSETS.iter().position(|(p, _, _)| *p == path) else {
        return ApiError::NotFound("there is no such asset".into()).into_response();
    };
    let (_, content_type, bytes) = ASSETS[i];
    let tag = HeaderValue::from_str(&tags[i]).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    let common = [
        (header::ETAG, tag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == tag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (StatusCode::OK, common, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], bytes).into_response()
}

/// The Telegram user an API call acts for, taken from validated `initData`
/// only, and within the per-user rate limit.
#[derive(Debug, Clone)]
pub struct Customer {
    pub init: initdata::InitData,
    /// The language the app speaks with them.
    pub lang: Lang,
}

impl Customer {
    pub fn id(&self) -> i64 {
        self.init.user.id
    }
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let raw = header.strip_prefix("tma ").unwrap_or_default();
        let settings = &state.ctx.settings;
        let asked = accepted_lang(&parts.headers);
        let Some(token) = settings.telegram_bot_token.as_ref() else {
            return Err(ApiError::Unauthorized(texts::no_bot_token(asked).into()));
        };
        let max_age = chrono::Duration::from_std(settings.miniapp_auth_max_age).unwrap_or(chrono::Duration::hours(1));
        let init = initdata::validate(raw, token.expose_secret(), state.ctx.clock.now(), max_age).map_err(|e| {
            tracing::info!(error = %e, "Mini App initData refused");
            ApiError::Unauthorized(
                match e {
                    initdata::InitDataError::Missing => texts::open_from_telegram(asked),
                    initdata::InitDataError::Malformed(_) => texts::malformed(asked),
                    initdata::InitDataError::BadSignature => texts::not_confirmed(asked),
                    initdata::InitDataError::Expired => texts::stale(asked),
                }
                .into(),
            )
        })?;
        // The bot's per-user limit, in a bucket of the app's own so a busy
        // page never silences the chat.
        let (rate, burst) = settings.user_rate;
        let bucket = crate::coord::Bucket { rate, burst: f64::from(burst) };
        let wait = state.ctx.coord.take(&format!("app-user:{}", init.user.id), bucket).await;
        if !wait.is_zero() {
            return Err(ApiError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
        }
        // A /language choice wins over Telegram's language_code.
        let known = state.ctx.store.user(init.user.id).await.map_err(ApiError::from)?;
        let lang = match known {
            Some(u) if u.language_chosen => u.language.as_deref().and_then(Lang::from_code),
            _ => None,
        }
        .unwrap_or_else(|| Lang::of_telegram(init.user.language_code.as_deref()));
        Ok(Customer { init, lang })
    }
}
