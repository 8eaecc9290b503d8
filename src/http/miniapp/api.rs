//! The Mini App's JSON API (`/app/api/…`): who am I, deals nearest first
//! or by popularity with the app's filters, one deal, follow, buy with the
//! page's idempotency key, my orders, cancel. Handlers are thin: they parse,
//! call the same `actions` as the bot (the same rules, limits, audit and
//! notices) and render the typed outcome.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Duration, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{AppState, Customer};
use crate::actions::alerts::FollowError;
use crate::actions::purchases::{self, Bought, BuyError, CancelOrderError, Cancelled};
use crate::domain::purchase::{CancelError, cancellation};
use crate::domain::{Coordinates, OfferStatus, PurchaseStatus};
use crate::http::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::offers::{OfferView, Price, render};
use crate::render::app as texts;
use crate::render::errors::Explain as _;
use crate::render::i18n::Lang;
use crate::store::{Offer, Purchase, StoreError, popularity};

/// How far "near you" reaches, as in `/deals`.
pub const RADIUS_M: f64 = 50_000.0;
/// Most deals one list holds, as in `/deals`.
pub const MAX_LIST: usize = 100;

fn parse_id(id: Result<Path<String>, PathRejection>, name: &'static str) -> Result<i64, ApiError> {
    let bad = || ApiError::bad(name, "a positive whole number");
    let Path(id) = id.map_err(|_| bad())?;
    id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(bad)
}

// --- me ---------------------------------------------------------------------

/// Who opened the app, and what it should show first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Me {
    /// The Telegram user id, from validated `initData`.
    pub user_id: i64,
    pub first_name: String,
    /// The deal of a `startapp=offer_<id>` link, from `initData`'s `start_param`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_offer: Option<i64>,
    /// The last location this customer shared with the bot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LatLng>,
    /// The language the app speaks with them (`en`, `de`, `uk`): their
    /// `/language` choice, else Telegram's `language_code`, else English.
    #[schema(example = "de")]
    pub lang: String,
    /// The page's words in `lang`, by name (`{name}` marks a value the page
    /// fills in).
    pub texts: BTreeMap<String, String>,
}

/// The page's words in one language.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageTexts {
    /// The language given, when we ship it; else English.
    #[schema(example = "de")]
    pub lang: String,
    /// The page's words by name (`{name}` marks a value the page fills in).
    pub texts: BTreeMap<String, String>,
}

fn texts_of(l: Lang) -> BTreeMap<String, String> {
    texts::page_texts(l).into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TextsParams {
    /// A language code (`de`, `de-AT`); unshipped or absent: English.
    pub lang: Option<String>,
}

/// The page's words, without signing in: for the screen that says the app
/// must be reopened, in the language Telegram or the browser reports.
#[utoipa::path(get, path = "/app/api/texts", tag = "mini app", params(TextsParams), responses(
    (status = 200, description = "The page's words", body = PageTexts),
    (status = 400, description = "The query is malformed", body = ErrorBody),
))]
pub async fn texts(query: Result<Query<TextsParams>, QueryRejection>) -> Result<Json<PageTexts>, ApiError> {
    let Query(p) = query.map_err(|e| ApiError::bad("query", e.body_text()))?;
    let l = p.lang.as_deref().and_then(Lang::from_code).unwrap_or(Lang::EN);
    Ok(Json(PageTexts { lang: l.code().into(), texts: texts_of(l) }))
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LatLng {
    pub lat: f64,
    pub lng: f64,
}

/// Who opened the app; remembers the customer as the bot does.
#[utoipa::path(get, path = "/app/api/me", tag = "mini app", security(("tma" = [])), responses(
    (status = 200, description = "The customer", body = Me),
    (status = 401, description = "`initData` missing, forged or stale", body = ErrorBody),
    (status = 429, description = "Too many requests from this customer", body = ErrorBody),
))]
pub async fn me(State(state): State<AppState>, customer: Customer) -> Result<Json<Me>, ApiError> {
    let u = &customer.init.user;
    let store = &state.ctx.store;
    let known = store.user(u.id).await?;
    // Stored as the bot stores it: a shipped language (a /language choice wins).
    let language = crate::render::i18n::Lang::of_telegram(u.language_code.as_deref());
    if known.as_ref().is_none_or(|k| k.first_name != u.first_name || k.username != u.username) {
        store
            .upsert_user(u.id, &u.first_name, u.username.as_deref(), Some(language.code()), state.ctx.clock.now())
            .await?;
    }
    let start_offer = customer
        .init
        .start_param
        .as_deref()
        .and_then(|p| p.strip_prefix("offer_"))
        .and_then(|id| id.parse::<i64>().ok())
        .filter(|id| *id > 0);
    let location = known.and_then(|k| k.location).map(|c| LatLng { lat: c.lat(), lng: c.lng() });
    let l = customer.lang;
    Ok(Json(Me {
        user_id: u.id,
        first_name: u.first_name.clone(),
        start_offer,
        location,
        lang: l.code().into(),
        texts: texts_of(l),
    }))
}

// --- deals --------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealsParams {
    /// Where the customer is, `lat,lng`; without it, the last location they
    /// shared with the bot; without that, deals are ranked by freshness and
    /// popularity.
    #[param(example = "52.52,13.405")]
    pub near: Option<String>,
    /// `now` (the pickup window is open), `today` or `tomorrow`, in the
    /// pickup place's time zone.
    pub when: Option<String>,
    /// Words every deal shown must mention (title, description, items or shop).
    pub q: Option<String>,
}

/// When the customer wants to pick up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Now,
    Today,
    Tomorrow,
}

/// The deals of the list screen and the map.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealList {
    /// `nearest` (distances given) or `popular`.
    pub ranked_by: String,
    /// Where "nearest" was measured from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near: Option<LatLng>,
    pub items: Vec<OfferView>,
}

/// Active deals for the app: nearest first within 50 km, or by freshness
/// and popularity, filtered by pickup time and words.
#[utoipa::path(get, path = "/app/api/deals", tag = "mini app", security(("tma" = [])), params(DealsParams), responses(
    (status = 200, description = "Up to 100 deals", body = DealList),
    (status = 400, description = "A parameter is malformed; `parameter` names it", body = ErrorBody),
    (status = 401, description = "`initData` missing, forged or stale", body = ErrorBody),
    (status = 429, description = "Too many requests from this customer", body = ErrorBody),
))]
pub async fn deals(
    State(state): State<AppState>,
    customer: Customer,
    query: Result<Query<DealsParams>, QueryRejection>,
) -> Result<Json<DealList>, ApiError> {
    let Query(p) = query.map_err(|e| ApiError::bad("query", e.body_text()))?;
    let l = customer.lang;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let near = given(p.near)
        .map(|s| Coordinates::parse(&s).map_err(|_| ApiError::bad("near", texts::bad_near(l))))
        .transpose()?;
    let when = match given(p.when).as_deref() {
        None => None,
        Some("now") => Some(When::Now),
        Some("today") => Some(When::Today),
        Some("tomorrow") => Some(When::Tomorrow),
        Some(_) => return Err(ApiError::bad("when", texts::bad_when(l))),
    };
    let words = search_words(p.q.as_deref().unwrap_or_default());
    let store = &state.ctx.store;
    let now = state.ctx.clock.now();
    let near = match near {
        Some(at) => Some(at),
        // The last shared location; reading it counts as using it (it is
        // kept RETENTION_LOCATION_DAYS after its last use).
        None => store.use_location(customer.id(), now).await?,
    };
    let ranked: Vec<(i64, Option<f64>)> = match near {
        Some(at) => store
            .nearest_active_ids(at, RADIUS_M, None, MAX_LIST as i64, now)
            .await?
            .into_iter()
            .map(|(id, d)| (id, Some(d)))
            .collect(),
        None => {
            let mut pool = store.fresh_active(None, now).await?;
            pool.sort_by(|a, b| popularity(b, now).total_cmp(&popularity(a, now)).then(b.offer_id.cmp(&a.offer_id)));
            pool.into_iter().take(MAX_LIST).map(|c| (c.offer_id, None)).collect()
        }
    };
    let ranked = if when.is_some() || !words.is_empty() {
        let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
        let offers: HashMap<i64, Offer> = store.offers_by_ids(&ids).await?.into_iter().map(|o| (o.id, o)).collect();
        let context = store.listing_context(&ids).await?;
        ranked
            .into_iter()
            .filter(|(id, _)| {
                let (Some(o), Some((shop, tz))) = (offers.get(id), context.get(id)) else { return false };
                when.is_none_or(|w| picks_up(w, o.pickup_start, o.pickup_end, *tz, now))
                    && mentions_all(&words, &haystack(o, shop))
            })
            .collect()
    } else {
        ranked
    };
    let items = render(&state.http, &ranked, now, l).await?;
    Ok(Json(DealList {
        ranked_by: if near.is_some() { "nearest" } else { "popular" }.into(),
        near: near.map(|c| LatLng { lat: c.lat(), lng: c.lng() }),
        items,
    }))
}

/// Whether a pickup window `[start, end)` suits `when`, in the pickup
/// place's zone: open now; open at some time left today; or open at some
/// time tomorrow.
pub fn picks_up(when: When, start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> bool {
    let midnight = |days: i64| {
        let date = now.with_timezone(&tz).date_naive() + Duration::days(days);
        tz.from_local_datetime(&date.and_time(NaiveTime::MIN)).earliest().map(|t| t.with_timezone(&Utc))
    };
    let overlaps = |from: DateTime<Utc>, to: DateTime<Utc>| start < to && end > from;
    match when {
        When::Now => start <= now && now < end,
        When::Today => midnight(1).is_some_and(|tomorrow| overlaps(now, tomorrow)),
        When::Tomorrow => midnight(1).zip(midnight(2)).is_some_and(|(a, b)| overlaps(a.max(now), b)),
    }
}

/// The search box's words, lowercased.
pub fn search_words(q: &str) -> Vec<String> {
    q.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).take(8).map(str::to_lowercase).collect()
}

fn haystack(o: &Offer, shop: &str) -> String {
    let mut s = format!("{} {} {}", o.title, o.description, shop);
    for i in &o.items {
        s.push(' ');
        s.push_str(&i.name);
    }
    s.to_lowercase()
}

/// Every word appears in the text (already lowercased).
pub fn mentions_all(words: &[String], text: &str) -> bool {
    words.iter().all(|w| text.contains(w.as_str()))
}

// --- one deal -----------------------------------------------------------------

/// One deal with what the deal page needs besides it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealPage {
    pub offer: OfferView,
    /// Whether this customer follows the shop.
    pub following: bool,
    /// Opens the pickup place in a map app or site.
    pub map_url: String,
    /// Most units one order may hold.
    pub max_units_per_order: u32,
}

/// One deal (any status but draft), with the customer's follow state.
#[utoipa::path(get, path = "/app/api/deals/{id}", tag = "mini app", security(("tma" = [])),
    params(("id" = i64, Path, description = "The deal's id", minimum = 1)),
    responses(
        (status = 200, description = "The deal", body = DealPage),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "`initData` missing, forged or stale", body = ErrorBody),
        (status = 404, description = "No such deal", body = ErrorBody),
        (status = 429, description = "Too many requests from this customer", body = ErrorBody),
    ))]
pub async fn deal(
    State(state): State<AppState>,
    customer: Customer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<DealPage>, ApiError> {
    let id = parse_id(id, "id")?;
    let store = &state.ctx.store;
    let offer = match store.offer(id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return Err(ApiError::NotFound(texts::no_such_deal(customer.lang).into())),
        Err(e) => return Err(e.into()),
    };
    let business_id = offer.business_id;
    let views = render(&state.http, &[(id, None)], state.ctx.clock.now(), customer.lang).await?;
    let view = views.into_iter().next().ok_or_else(|| ApiError::NotFound(texts::no_such_deal(customer.lang).into()))?;
    let business = store.business(business_id).await?;
    if business.owner_tg_id != customer.id() {
        store.count_view(id).await?;
    }
    let following = store.is_following(customer.id(), business_id).await?;
    let (lat, lng) = (view.venue.lat, view.venue.lng);
    Ok(Json(DealPage {
        map_url: format!("https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lng:.6}#map=17/{lat:.6}/{lng:.6}"),
        offer: view,
        following,
        max_units_per_order: state.ctx.settings.max_units_per_order,
    }))
}

// --- follow -------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Following {
    pub business_id: i64,
    pub name: String,
    pub following: bool,
}

fn follow_error(e: FollowError, l: Lang) -> ApiError {
    match e {
        FollowError::NoSuchBusiness => ApiError::NotFound(texts::no_such_shop(l).into()),
        FollowError::Store(e) => e.into(),
    }
}

/// Follow a shop: its new deals reach the customer in the bot (as ⭐ Follow there).
#[utoipa::path(put, path = "/app/api/businesses/{id}/follow", tag = "mini app", security(("tma" = [])),
    params(("id" = i64, Path, description = "The shop's id", minimum = 1)),
    responses(
        (status = 200, description = "Followed (again, if already)", body = Following),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "`initData` missing, forged or stale", body = ErrorBody),
        (status = 404, description = "No such shop", body = ErrorBody),
    ))]
pub async fn follow(
    State(state): State<AppState>,
    customer: Customer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Following>, ApiError> {
    let id = parse_id(id, "id")?;
    let (name, _) = crate::actions::alerts::follow(&state.ctx, customer.id(), id)
        .await
        .map_err(|e| follow_error(e, customer.lang))?;
    Ok(Json(Following { business_id: id, name, following: true }))
}

/// Stop following a shop.
#[utoipa::path(delete, path = "/app/api/businesses/{id}/follow", tag = "mini app", security(("tma" = [])),
    params(("id" = i64, Path, description = "The shop's id", minimum = 1)),
    responses(
        (status = 200, description = "Not followed (any more)", body = Following),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "`initData` missing, forged or stale", body = ErrorBody),
        (status = 404, description = "No such shop", body = ErrorBody),
    ))]
pub async fn unfollow(
    State(state): State<AppState>,
    customer: Customer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Following>, ApiError> {
    let id = parse_id(id, "id")?;
    let name = crate::actions::alerts::unfollow(&state.ctx, customer.id(), id)
        .await
        .map_err(|e| follow_error(e, customer.lang))?;
    Ok(Json(Following { business_id: id, name, following: false }))
}

// --- buying and orders ------------------------------------------------------

/// A Buy: the page makes `key` once per press of its button and sends it
/// again on a retry, so a repeated request answers with the first order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuyRequest {
    pub offer_id: i64,
    pub item_id: i64,
    #[schema(minimum = 1)]
    pub quantity: u32,
    /// 8 to 64 characters from A-Z, a-z, 0-9, `-` and `_`.
    #[schema(example = "f3a9c2d1-7b4e-4c1a-9d2e-0a1b2c3d4e5f")]
    pub key: String,
}

/// An order as the app shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderView {
    pub id: i64,
    pub offer_id: i64,
    pub title: String,
    pub shop: String,
    pub address: String,
    /// `reserved`, `confirmed`, `paid`, `picked_up`, `expired`, `cancelled`,
    /// `refund_pending`, `refunded`, `refund_failed`, `refund_settled` or `no_show`.
    pub status: String,
    /// The status for people, in the customer's language.
    pub status_label: String,
    pub lines: Vec<OrderLine>,
    pub total: Price,
    /// The pickup window, for people, in the pickup place's zone.
    pub pickup: String,
    /// The code to show at pickup, once the order stands (confirmed or paid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_code: Option<String>,
    /// The same code as a QR code (SVG).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_qr_svg: Option<String>,
    /// Stripe Checkout, while the reservation waits for payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_url: Option<String>,
    /// When an unpaid reservation lapses, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub pay_by: Option<String>,
    /// `pay_by` for people: the time in the pickup place's zone, "18:40".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_by_display: Option<String>,
    /// Whether Cancel is offered (the same rules as `/orders`).
    pub cancellable: bool,
    /// What cancelling gives back, when the order was paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_on_cancel: Option<Price>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    pub item: String,
    pub quantity: u32,
    pub unit_price: Price,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderList {
    /// The customer's last 20 orders, newest first.
    pub items: Vec<OrderView>,
}

/// The result of a Buy.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuyResult {
    /// `awaiting_payment` (open `order.pay_url`), `confirmed` (pay at
    /// pickup), `reopened` (an open reservation of this deal, shown again) or
    /// `again` (this key was used before: its order as it stands).
    pub outcome: String,
    pub order: OrderView,
}

async fn order_view(state: &AppState, p: &Purchase, l: Lang) -> Result<OrderView, ApiError> {
    let store = &state.ctx.store;
    let now = state.ctx.clock.now();
    let offer = store.offer(p.offer_id).await?;
    let business = store.business(offer.business_id).await?;
    let venue = store.venue(offer.venue_id).await?;
    let stands = matches!(p.status, PurchaseStatus::Confirmed | PurchaseStatus::Paid);
    let code = p.pickup_code.to_string();
    let cutoff = Duration::from_std(state.ctx.settings.cancellation_cutoff).unwrap_or(Duration::hours(2));
    let cancellable = cancellation(p.status, offer.pickup_start, offer.pickup_end, cutoff, now).is_ok();
    Ok(OrderView {
        id: p.id,
        offer_id: offer.id,
        title: offer.title.clone(),
        shop: business.name.clone(),
        address: venue.address.clone(),
        status: p.status.as_str().to_string(),
        status_label: crate::render::texts::order_status(l, p.status.as_str()),
        lines: p
            .lines
            .iter()
            .map(|line| OrderLine {
                item: offer.items.iter().find(|i| i.id == line.item_id).map_or_else(String::new, |i| i.name.clone()),
                quantity: line.quantity,
                unit_price: Price::of(line.unit_price, l),
            })
            .collect(),
        total: Price::of(p.total, l),
        pickup: offer.window().map(|w| l.window(&w, venue.timezone, now)).unwrap_or_default(),
        pickup_qr_svg: stands.then(|| qr_svg(&code)).flatten(),
        pickup_code: stands.then_some(code),
        pay_url: (p.status == PurchaseStatus::Reserved).then(|| p.stripe_session_url.clone()).flatten(),
        pay_by: (p.status == PurchaseStatus::Reserved)
            .then(|| p.expires_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)))
            .flatten(),
        pay_by_display: (p.status == PurchaseStatus::Reserved)
            .then(|| p.expires_at.map(|t| t.with_timezone(&venue.timezone).format("%H:%M").to_string()))
            .flatten(),
        cancellable,
        refund_on_cancel: (cancellable && p.status == PurchaseStatus::Paid).then(|| Price::of(p.total, l)),
    })
}

/// The pickup code as an SVG QR code.
fn qr_svg(code: &str) -> Option<String> {
    let qr = qrcode::QrCode::new(code.as_bytes()).ok()?;
    Some(
        qr.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(160, 160)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

fn valid_key(key: &str) -> bool {
    (8..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Buy: reserve as the bot does, then Stripe Checkout (open `pay_url` with
/// `Telegram.WebApp.openLink`) or, without Stripe, a pay-at-pickup order.
#[utoipa::path(post, path = "/app/api/purchases", tag = "mini app", security(("tma" = [])), request_body = BuyRequest,
    responses(
        (status = 200, description = "Reserved, confirmed, or the first answer to this key", body = BuyResult),
        (status = 400, description = "The body is malformed; `parameter` names the field", body = ErrorBody),
        (status = 401, description = "`initData` missing, forged or stale", body = ErrorBody),
        (status = 404, description = "No such deal or item", body = ErrorBody),
        (status = 409, description = "Sold out (`sold_out`) or not buyable now (`unavailable`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this customer", body = ErrorBody),
        (status = 503, description = "Payments unreachable; nothing reserved (`try_again`)", body = ErrorBody),
    ))]
pub async fn buy(
    State(state): State<AppState>,
    customer: Customer,
    body: Result<Json<BuyRequest>, JsonRejection>,
) -> Result<Json<BuyResult>, ApiError> {
    let l = customer.lang;
    let Json(req) = body.map_err(|e| ApiError::bad("body", texts::bad_body(l, &e.body_text())))?;
    if !valid_key(&req.key) {
        return Err(ApiError::bad("key", texts::bad_key(l)));
    }
    if req.quantity == 0 {
        return Err(ApiError::bad("quantity", texts::bad_quantity(l)));
    }
    let request_key = format!("app:{}:{}", customer.id(), req.key);
    let bought =
        purchases::buy(&state.ctx, customer.id(), req.offer_id, req.item_id, req.quantity, Some(request_key)).await;
    let (outcome, purchase) = match bought {
        Ok(Bought::AwaitingPayment { purchase, .. }) => ("awaiting_payment", purchase),
        Ok(Bought::Confirmed { purchase }) => ("confirmed", purchase),
        Ok(Bought::Reopened { purchase, .. }) => ("reopened", purchase),
        Ok(Bought::Again { purchase }) => ("again", purchase),
        Err(BuyError::SoldOut) => {
            return Err(ApiError::Refused { code: ErrorCode::SoldOut, message: texts::sold_out(l).into() });
        }
        // Sold out by the automatic sell-out (the last unit went): the
        // same refusal as "not enough left", with the deal's own words.
        Err(e @ BuyError::Unavailable(why)) if Some(why) == OfferStatus::SoldOut.unavailable_reason() => {
            return Err(ApiError::Refused { code: ErrorCode::SoldOut, message: e.explain(l) });
        }
        Err(e @ BuyError::Unavailable(_)) => {
            return Err(ApiError::Refused { code: ErrorCode::Unavailable, message: e.explain(l) });
        }
        Err(BuyError::PaymentUnavailable) => return Err(ApiError::TryAgain(texts::payment_unavailable(l).into())),
        Err(BuyError::NotFound) => return Err(ApiError::NotFound(texts::no_such_deal(l).into())),
        Err(BuyError::Unexpected(e)) => return Err(ApiError::Internal(e)),
    };
    let order = order_view(&state, &purchase, l).await?;
    Ok(Json(BuyResult { outcome: outcome.into(), order }))
}

/// The customer's orders, newest first.
#[utoipa::path(get, path = "/app/api/orders", tag = "mini app", security(("tma" = [])), responses(
    (status = 200, description = "The last 20 orders", body = OrderList),
    (status = 401, description = "`initData` missing, forged or stale", body = ErrorBody),
    (status = 429, description = "Too many requests from this customer", body = ErrorBody),
))]
pub async fn orders(State(state): State<AppState>, customer: Customer) -> Result<Json<OrderList>, ApiError> {
    let mut items = Vec::new();
    for p in state.ctx.store.purchases_of_customer(customer.id(), 20).await? {
        items.push(order_view(&state, &p, customer.lang).await?);
    }
    Ok(Json(OrderList { items }))
}

async fn own_order(state: &AppState, customer: &Customer, id: i64) -> Result<Purchase, ApiError> {
    match state.ctx.store.purchase(id).await {
        Ok(p) if p.customer_tg_id == customer.id() => Ok(p),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::NotFound(texts::no_such_order(customer.lang).into())),
        Err(e) => Err(e.into()),
    }
}

/// One of the customer's orders (the page polls it after Checkout).
#[utoipa::path(get, path = "/app/api/orders/{id}", tag = "mini app", security(("tma" = [])),
    params(("id" = i64, Path, description = "The order number", minimum = 1)),
    responses(
        (status = 200, description = "The order", body = OrderView),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "`initData` missing, forged or stale", body = ErrorBody),
        (status = 404, description = "No such order of this customer", body = ErrorBody),
    ))]
pub async fn order(
    State(state): State<AppState>,
    customer: Customer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<OrderView>, ApiError> {
    let p = own_order(&state, &customer, parse_id(id, "id")?).await?;
    Ok(Json(order_view(&state, &p, customer.lang).await?))
}

/// Cancel an order, by the rules of `/orders`: unpaid ones are released,
/// paid ones refunded in full until the cutoff. Cancelling again answers
/// as the first time did.
#[utoipa::path(post, path = "/app/api/orders/{id}/cancel", tag = "mini app", security(("tma" = [])),
    params(("id" = i64, Path, description = "The order number", minimum = 1)),
    responses(
        (status = 200, description = "Cancelled (a refund is on its way when it was paid)", body = OrderView),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "`initData` missing, forged or stale", body = ErrorBody),
        (status = 404, description = "No such order of this customer", body = ErrorBody),
        (status = 409, description = "It can't be cancelled any more (`not_cancellable`)", body = ErrorBody),
        (status = 503, description = "Payments unreachable; nothing changed (`try_again`)", body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    customer: Customer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<OrderView>, ApiError> {
    let id = own_order(&state, &customer, parse_id(id, "id")?).await?.id;
    match purchases::cancel(&state.ctx, customer.id(), id).await {
        Ok(Cancelled::Released | Cancelled::Refunding(_)) => {}
        Err(CancelOrderError::Policy(CancelError::NotCancellable(_)))
            if let Ok(p) = state.ctx.store.purchase(id).await
                && matches!(
                    p.status,
                    PurchaseStatus::Cancelled | PurchaseStatus::RefundPending | PurchaseStatus::Refunded
                ) => {}
        Err(CancelOrderError::Policy(e)) => {
            return Err(ApiError::Refused { code: ErrorCode::NotCancellable, message: e.explain(customer.lang) });
        }
        Err(CancelOrderError::NotYours) => return Err(ApiError::NotFound(texts::no_such_order(customer.lang).into())),
        Err(CancelOrderError::TryAgain) => {
            return Err(ApiError::TryAgain(texts::cancel_try_again(customer.lang).into()));
        }
        Err(CancelOrderError::Unexpected(e)) => return Err(ApiError::Internal(e)),
    }
    let p = state.ctx.store.purchase(id).await?;
    Ok(Json(order_view(&state, &p, customer.lang).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn pickup_filters_follow_the_places_zone() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 22:30 in Berlin on 1 June (UTC+2).
        let now = t("2026-06-01T20:30:00Z");
        let check = |start: &str, end: &str, expected: [bool; 3]| {
            let got = [When::Now, When::Today, When::Tomorrow].map(|w| picks_up(w, t(start), t(end), berlin, now));
            assert_eq!(got, expected, "{start}–{end}");
        };
        // Open now, until 23:30 local.
        check("2026-06-01T20:00:00Z", "2026-06-01T21:30:00Z", [true, true, false]);
        // 23:00–23:30 local tonight.
        check("2026-06-01T21:00:00Z", "2026-06-01T21:30:00Z", [false, true, false]);
        // Tomorrow 09:00–11:00 local.
        check("2026-06-02T07:00:00Z", "2026-06-02T09:00:00Z", [false, false, true]);
        // 23:30 tonight to 01:00 tomorrow: both days.
        check("2026-06-01T21:30:00Z", "2026-06-01T23:00:00Z", [false, true, true]);
        // The day after tomorrow.
        check("2026-06-03T07:00:00Z", "2026-06-03T09:00:00Z", [false, false, false]);
        // Ended earlier today.
        check("2026-06-01T08:00:00Z", "2026-06-01T10:00:00Z", [false, false, false]);
    }

    #[test]
    fn search_needs_every_word() {
        let words = search_words("  Bread, vegan ");
        assert_eq!(words, ["bread", "vegan"]);
        assert!(mentions_all(&words, "vegan breadsticks from kalle"));
        assert!(!mentions_all(&words, "bread rolls"));
        assert!(mentions_all(&search_words(""), "anything"));
    }

    #[test]
    fn idempotency_keys_are_bounded() {
        assert!(valid_key("f3a9c2d1-7b4e_4c1a"));
        assert!(!valid_key("short"));
        assert!(!valid_key(&"x".repeat(65)));
        assert!(!valid_key("has space in it"));
        assert!(!valid_key("ünïcödé-key"));
    }
}
