//! `GET /api/v1/offers` and `GET /api/v1/offers/{id}`: deals for other apps
//! and web pages, with the same ranking the bot uses.
//!
//! Paging. Nearest first (`near`, `sort=nearest`) pages on a keyset: the
//! cursor carries the search (where, how far, which shop) and the last
//! deal's place in the order (its distance as the database computes it,
//! then its id); the next page is the active deals after that place. A
//! deal's place never changes, so pages never repeat a deal or skip one
//! that stayed active, the cursor never expires, and no page writes
//! anything. The other orders (`popular`, `newest`) change as deals are
//! bought and viewed: their first page ranks the deals once and, when there
//! is more than one page, freezes the ranked ids as a deal list that the
//! cursor names with an offset (for a few hours); a deal that stopped being
//! active since the first page is still shown there, with its new status.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use chrono::{DateTime, SecondsFormat, Utc};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::HttpState;
use super::error::{ApiError, ErrorBody};
use crate::domain::{Coordinates, Money, OfferStatus};
use crate::render::i18n::Lang;
use crate::render::texts as words;
use crate::store::{Business, Candidate, NearKey, Offer, RANKING_POOL, Store, StoreError, Venue, popularity};

pub const DEFAULT_RADIUS_KM: f64 = 10.0;
pub const MAX_RADIUS_KM: f64 = 100.0;
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// Frozen lists of the API belong to no Telegram user.
const API_LIST_OWNER: i64 = 0;

/// The query string of `GET /api/v1/offers`, as received: every value is
/// parsed by hand so a bad one is reported by name.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Where the customer is, `lat,lng` in decimal degrees. Limits the deals to
    /// `radius_km` around it and adds `distance_m` to each.
    #[param(example = "52.52,13.405")]
    pub near: Option<String>,
    /// Search radius around `near` in kilometres: default 10, at most 100. Needs `near`.
    #[param(value_type = Option<f64>, exclusive_minimum = 0, maximum = 100)]
    pub radius_km: Option<String>,
    /// Only this business's deals.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub business: Option<String>,
    /// Order: `nearest` (needs `near`; the default with `near`), `popular` (the
    /// default without) or `newest`.
    #[param(value_type = Option<Sort>)]
    pub sort: Option<String>,
    /// Deals per page: default 20, at most 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page; with a cursor, only `limit`
    /// applies. Nearest first, the next page holds the deals active now that
    /// come after the previous page's last (none repeated, none that stayed
    /// active skipped), and the cursor never expires. In the other orders the
    /// first page fixes the deals and their order for a few hours; an
    /// expired cursor is a 400 naming `cursor`.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    Nearest,
    Popular,
    Newest,
}

/// A valid list request.
#[derive(Debug, Clone, PartialEq)]
struct ListRequest {
    near: Option<Coordinates>,
    radius_m: f64,
    business: Option<i64>,
    sort: Sort,
    limit: usize,
    cursor: Option<Cursor>,
}

impl ListRequest {
    fn parse(p: ListParams) -> Result<Self, ApiError> {
        // An empty value (`cursor=`) is the parameter left out, as the
        // document says: forms and URL builders send those.
        let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let p = ListParams {
            near: given(p.near),
            radius_km: given(p.radius_km),
            business: given(p.business),
            sort: given(p.sort),
            limit: given(p.limit),
            cursor: given(p.cursor),
        };
        let near = p
            .near
            .as_deref()
            .map(|s| {
                Coordinates::parse(s).map_err(|_| {
                    ApiError::bad("near", "give latitude and longitude in decimal degrees, like near=52.52,13.405")
                })
            })
            .transpose()?;
        let radius_km = match p.radius_km.as_deref() {
            None => DEFAULT_RADIUS_KM,
            Some(_) if near.is_none() => return Err(ApiError::bad("radius_km", "radius_km needs near")),
            Some(s) => match s.trim().parse::<f64>() {
                Ok(r) if r.is_finite() && r > 0.0 && r <= MAX_RADIUS_KM => r,
                _ => {
                    return Err(ApiError::bad(
                        "radius_km",
                        format!("a number of kilometres above 0 and at most {MAX_RADIUS_KM}"),
                    ));
                }
            },
        };
        let business = match p.business.as_deref() {
            None => None,
            Some(s) => match s.trim().parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => return Err(ApiError::bad("business", "a business id: a positive whole number")),
            },
        };
        let sort = match p.sort.as_deref() {
            None if near.is_some() => Sort::Nearest,
            None => Sort::Popular,
            Some("nearest") if near.is_none() => {
                return Err(ApiError::bad("sort", "sort=nearest needs near=lat,lng"));
            }
            Some("nearest") => Sort::Nearest,
            Some("popular") => Sort::Popular,
            Some("newest") => Sort::Newest,
            Some(_) => return Err(ApiError::bad("sort", "one of nearest, popular, newest")),
        };
        let limit = match p.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(s) => match s.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(ApiError::bad("limit", format!("a whole number from 1 to {MAX_LIMIT}"))),
            },
        };
        let cursor = p
            .cursor
            .as_deref()
            .map(|s| Cursor::parse(s).ok_or_else(|| ApiError::bad("cursor", "not a cursor from this API")))
            .transpose()?;
        Ok(ListRequest { near, radius_m: radius_km * 1000.0, business, sort, limit, cursor })
    }
}

/// Where the next page starts. Clients treat the encoding as opaque.
#[derive(Debug, Clone, PartialEq)]
enum Cursor {
    /// A frozen deal list and an offset into it: `<32 hex>.<offset>`.
    Frozen { list: String, offset: usize },
    /// Nearest first: the search and the place after which the next page
    /// starts, `n1.<lat>.<lng>.<radius>.<business>.<key>.<id>` with the
    /// floating-point numbers as the hex of their bits (exact).
    Near { search: NearSearch, after: NearKey },
}

/// What a nearest-first list searches.
#[derive(Debug, Clone, Copy, PartialEq)]
struct NearSearch {
    at: Coordinates,
    radius_m: f64,
    business: Option<i64>,
}

impl Cursor {
    fn encode(&self) -> String {
        match self {
            Cursor::Frozen { list, offset } => format!("{list}.{offset}"),
            Cursor::Near { search, after: (key, id) } => format!(
                "n1.{:016x}.{:016x}.{:016x}.{}.{:016x}.{id}",
                search.at.lat().to_bits(),
                search.at.lng().to_bits(),
                search.radius_m.to_bits(),
                search.business.unwrap_or(0),
                key.to_bits(),
            ),
        }
    }

    fn parse(s: &str) -> Option<Cursor> {
        if let Some(rest) = s.strip_prefix("n1.") {
            let parts: Vec<&str> = rest.split('.').collect();
            let [lat, lng, radius, business, key, id] = parts[..] else { return None };
            let float = |h: &str| {
                let ok = h.len() == 16 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                ok.then(|| u64::from_str_radix(h, 16).ok().map(f64::from_bits)).flatten().filter(|f| f.is_finite())
            };
            let at = Coordinates::new(float(lat)?, float(lng)?).ok()?;
            let radius_m = float(radius)?;
            let key = float(key)?;
            let business = business.parse::<i64>().ok().filter(|b| *b >= 0)?;
            let id = id.parse::<i64>().ok().filter(|i| *i > 0)?;
            let sane = radius_m > 0.0 && radius_m <= MAX_RADIUS_KM * 1000.0 && key >= 0.0;
            let search = NearSearch { at, radius_m, business: (business > 0).then_some(business) };
            return sane.then_some(Cursor::Near { search, after: (key, id) });
        }
        let (list, offset) = s.split_once('.')?;
        let list_ok = list.len() == 32 && list.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let offset = offset.parse::<usize>().ok()?;
        list_ok.then(|| Cursor::Frozen { list: list.to_string(), offset })
    }
}

/// One page of deals.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferPage {
    pub items: Vec<OfferView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A deal as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferView {
    pub id: i64,
    pub title: String,
    /// May be empty.
    pub description: String,
    pub business: BusinessRef,
    pub venue: VenueView,
    /// ISO 4217 code of every price in the deal.
    #[schema(example = "EUR")]
    pub currency: String,
    pub items: Vec<ItemView>,
    /// Units left across all items.
    pub remaining: u32,
    /// `remaining` for people ("3 left"), or the status when it is not
    /// active ("sold out"), in the customer's language (English here).
    pub remaining_display: String,
    /// Why it can't be bought now, for people, when it can't.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    pub pickup: PickupView,
    pub status: OfferStatusView,
    /// Metres from `near`, when the list was asked for with `near`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u64>,
    /// `distance_m` for people, e.g. "1.3 km".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_display: Option<String>,
    /// The display-size photo (JPEG, at most 1280 px), when the deal has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
    /// The thumbnail (JPEG, at most 320 px), when the deal has a photo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumb_url: Option<String>,
    /// Opens the deal in the Telegram bot, where it can be bought.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deep_link: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessRef {
    pub id: i64,
    pub name: String,
}

/// Where the deal is picked up.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueView {
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lng: f64,
    /// IANA time zone of the venue, e.g. `Europe/Berlin`.
    pub timezone: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemView {
    pub id: i64,
    pub name: String,
    /// What one unit is, e.g. "1 bag".
    pub unit: String,
    pub original_price: Price,
    /// The price now. A deal whose price drops as pickup nears shows its
    /// current step here (the deal price less the drops due); a
    /// reservation locks the price at the moment it is made.
    pub deal_price: Price,
    /// Whole percent off the original price, rounded down.
    #[schema(maximum = 100)]
    pub discount_percent: u8,
    pub remaining: u32,
    /// `remaining` for people: "3 left" or "sold out".
    pub remaining_display: String,
    /// When the price drops next, and to what; absent when it won't.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_drop: Option<NextDropView>,
}

/// The next step of a price that drops as pickup nears.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NextDropView {
    /// The price from then on.
    pub price: Price,
    /// When, RFC 3339 in UTC.
    #[schema(format = DateTime)]
    pub at: String,
    /// When, as the venue's wall clock shows it, e.g. "19:30".
    #[schema(example = "19:30")]
    pub at_local: String,
}

/// An amount of money: integer minor units (cents) of `currency`; never a float.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    #[schema(example = 250)]
    pub amount_minor: i64,
    #[schema(example = "EUR")]
    pub currency: String,
    /// Formatted for people, e.g. "€2.50".
    #[schema(example = "€2.50")]
    pub display: String,
}

impl From<Money> for Price {
    fn from(m: Money) -> Self {
        Price { amount_minor: m.minor(), currency: m.currency().code().to_string(), display: m.to_string() }
    }
}

impl Price {
    /// With `display` as `l` writes money ("3,50 €" in German).
    pub fn of(m: Money, l: Lang) -> Self {
        Price { display: l.money(m), ..Price::from(m) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickupView {
    /// Start, RFC 3339 in UTC.
    #[schema(format = DateTime)]
    pub start: String,
    /// End, RFC 3339 in UTC.
    #[schema(format = DateTime)]
    pub end: String,
    /// For people, in the venue's time zone, e.g. "Today 18:00–20:00".
    pub display: String,
}

/// Where a deal is in its life. Lists hold active deals; a later page may
/// show one that changed since the first page.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatusView {
    Active,
    Paused,
    SoldOut,
    Expired,
    Withdrawn,
}

impl OfferStatusView {
    /// `None` for drafts, which the API never shows.
    fn of(s: OfferStatus) -> Option<Self> {
        match s {
            OfferStatus::Draft => None,
            OfferStatus::Active => Some(Self::Active),
            OfferStatus::Paused => Some(Self::Paused),
            OfferStatus::SoldOut => Some(Self::SoldOut),
            OfferStatus::Expired => Some(Self::Expired),
            OfferStatus::Withdrawn => Some(Self::Withdrawn),
        }
    }
}

/// Active deals, ranked and paged.
///
/// Every parameter is optional; an empty one (`cursor=`) is the same as
/// leaving it out. Unknown parameters are ignored.
#[utoipa::path(
    get,
    path = "/api/v1/offers",
    tag = "offers",
    params(ListParams),
    responses(
        (status = 200, description = "A page of active deals", body = OfferPage),
        (status = 400, description = "A query parameter is malformed; `parameter` names it", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
        (status = 500, description = "Server error", body = ErrorBody),
    )
)]
pub async fn list_offers(
    State(state): State<HttpState>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<OfferPage>, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad("query", e.body_text()))?;
    let req = ListRequest::parse(params)?;
    let now = state.clock.now();
    let near = match (&req.cursor, req.near, req.sort) {
        (Some(Cursor::Near { search, after }), _, _) => Some((*search, Some(*after))),
        (None, Some(at), Sort::Nearest) => {
            Some((NearSearch { at, radius_m: req.radius_m, business: req.business }, None))
        }
        _ => None,
    };
    if let Some((search, after)) = near {
        return nearest_page(&state, search, after, req.limit, now).await;
    }
    let (ranked, offset, frozen) = match &req.cursor {
        Some(Cursor::Frozen { list, offset }) => {
            let expired = || ApiError::bad("cursor", "this cursor has expired; start again from the first page");
            let (owner, ranked) = state.store.deal_list(list).await?.ok_or_else(expired)?;
            if owner != API_LIST_OWNER || *offset > ranked.len() {
                return Err(ApiError::bad("cursor", "not a cursor from this API"));
            }
            (ranked, *offset, Some(list.clone()))
        }
        _ => (rank(&state.store, &req, now).await?, 0, None),
    };
    let end = (offset + req.limit).min(ranked.len());
    let next_cursor = if end < ranked.len() {
        let list = match frozen {
            Some(list) => list,
            None => {
                let list = new_list_id();
                state.store.save_deal_list(&list, API_LIST_OWNER, &ranked, now).await?;
                list
            }
        };
        Some(Cursor::Frozen { list, offset: end }.encode())
    } else {
        None
    };
    let items = render(&state, &ranked[offset..end], now, Lang::EN).await?;
    Ok(Json(OfferPage { items, next_cursor }))
}

/// A keyset page of the nearest deals: `limit + 1` found after the
/// position tell whether there is a next page; nothing is written.
async fn nearest_page(
    state: &HttpState,
    search: NearSearch,
    after: Option<NearKey>,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Json<OfferPage>, ApiError> {
    let mut rows =
        state.store.nearest_page(search.at, search.radius_m, search.business, limit as i64 + 1, now, after).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| Cursor::Near { search, after: last.key }.encode())
    } else {
        None
    };
    // The database's distance is flat-earth: a deal it puts a hair inside
    // the radius that is a hair outside is left out (the cursor is past it).
    let page: Vec<(i64, Option<f64>)> =
        rows.iter().filter(|r| r.metres <= search.radius_m).map(|r| (r.id, Some(r.metres))).collect();
    let items = render(state, &page, now, Lang::EN).await?;
    Ok(Json(OfferPage { items, next_cursor }))
}

/// One deal, whatever its status (drafts are never shown).
#[utoipa::path(
    get,
    path = "/api/v1/offers/{id}",
    tag = "offers",
    params(("id" = i64, Path, description = "The deal's id", minimum = 1)),
    responses(
        (status = 200, description = "The deal", body = OfferView),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 404, description = "No such deal", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
        (status = 500, description = "Server error", body = ErrorBody),
    )
)]
pub async fn get_offer(
    State(state): State<HttpState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<OfferView>, ApiError> {
    let not_a_number = || ApiError::bad("id", "a deal id: a positive whole number");
    let Path(id) = id.map_err(|_| not_a_number())?;
    let id = id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(not_a_number)?;
    let offer = match state.store.offer(id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return Err(no_such_offer()),
        Err(e) => return Err(e.into()),
    };
    let mut names = Names::default();
    let view = view(&state, &mut names, offer, None, state.clock.now(), Lang::EN).await?.ok_or_else(no_such_offer)?;
    Ok(Json(view))
}

fn no_such_offer() -> ApiError {
    ApiError::NotFound("there is no deal with that id".into())
}

fn new_list_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The ranked `(offer id, distance)` list for a first page.
/// (Nearest first pages on a keyset instead: [`nearest_page`].)
async fn rank(store: &Store, req: &ListRequest, now: DateTime<Utc>) -> Result<Vec<(i64, Option<f64>)>, ApiError> {
    let mut candidates: Vec<Candidate> = match req.near {
        Some(at) => {
            let mut near = store.nearest_active(at, req.radius_m, req.business, RANKING_POOL, now).await?;
            if req.sort == Sort::Popular {
                // Demand is counted for the freshest deals only; older ones
                // rank low on age anyway.
                let demand: HashMap<i64, i64> =
                    store.fresh_active(req.business, now).await?.into_iter().map(|c| (c.offer_id, c.demand)).collect();
                for c in &mut near {
                    c.demand = demand.get(&c.offer_id).copied().unwrap_or(0);
                }
            }
            near
        }
        None => store.fresh_active(req.business, now).await?,
    };
    match req.sort {
        // Not reached (keyset pages); `nearest_active` is nearest first.
        Sort::Nearest => {}
        Sort::Popular => {
            let mut scored: Vec<(f64, Candidate)> = candidates.into_iter().map(|c| (popularity(&c, now), c)).collect();
            scored.sort_by(|(sa, a), (sb, b)| sb.total_cmp(sa).then(b.offer_id.cmp(&a.offer_id)));
            candidates = scored.into_iter().map(|(_, c)| c).collect();
        }
        Sort::Newest => {
            candidates.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.offer_id.cmp(&a.offer_id)));
        }
    }
    Ok(candidates.into_iter().map(|c| (c.offer_id, c.distance_m)).collect())
}

/// The businesses and venues of the deals in this response, looked up
/// together (one query each) before the deals are rendered.
#[derive(Default)]
pub(in crate::http) struct Names {
    businesses: HashMap<i64, Business>,
    venues: HashMap<i64, Venue>,
}

pub(in crate::http) async fn render(
    state: &HttpState,
    page: &[(i64, Option<f64>)],
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<Vec<OfferView>, ApiError> {
    let ids: Vec<i64> = page.iter().map(|(id, _)| *id).collect();
    let distances: HashMap<i64, Option<f64>> = page.iter().copied().collect();
    let (offers, businesses, venues) = state.store.offers_page(&ids).await?;
    let mut names = Names {
        businesses: businesses.into_iter().map(|b| (b.id, b)).collect(),
        venues: venues.into_iter().map(|v| (v.id, v)).collect(),
    };
    let mut out = Vec::with_capacity(page.len());
    for offer in offers {
        let distance = distances.get(&offer.id).copied().flatten();
        if let Some(v) = view(state, &mut names, offer, distance, now, lang).await? {
            out.push(v);
        }
    }
    Ok(out)
}

/// The API's view of an offer; `None` for a draft.
pub(in crate::http) async fn view(
    state: &HttpState,
    names: &mut Names,
    offer: Offer,
    distance_m: Option<f64>,
    now: DateTime<Utc>,
    l: Lang,
) -> Result<Option<OfferView>, ApiError> {
    let Some(status) = OfferStatusView::of(offer.status) else {
        return Ok(None);
    };
    if !names.businesses.contains_key(&offer.business_id) {
        let b = state.store.business(offer.business_id).await?;
        names.businesses.insert(b.id, b);
    }
    if !names.venues.contains_key(&offer.venue_id) {
        let v = state.store.venue(offer.venue_id).await?;
        names.venues.insert(v.id, v);
    }
    let (Some(business), Some(venue)) = (names.businesses.get(&offer.business_id), names.venues.get(&offer.venue_id))
    else {
        return Err(ApiError::Internal(anyhow::anyhow!("offer {} lost its business or venue", offer.id)));
    };
    let display = match offer.window() {
        Some(w) => l.window(&w, venue.timezone, now),
        None => format!(
            "{}–{}",
            offer.pickup_start.with_timezone(&venue.timezone).format("%a %-d %b %H:%M"),
            offer.pickup_end.with_timezone(&venue.timezone).format("%a %-d %b %H:%M")
        ),
    };
    Ok(Some(OfferView {
        id: offer.id,
        title: offer.title.clone(),
        description: offer.description.clone(),
        business: BusinessRef { id: business.id, name: business.name.clone() },
        venue: VenueView {
            name: venue.name.clone(),
            address: venue.address.clone(),
            lat: venue.location.lat(),
            lng: venue.location.lng(),
            timezone: venue.timezone.name().to_string(),
        },
        currency: offer.currency.code().to_string(),
        items: offer
            .items
            .iter()
            .map(|i| ItemView {
                id: i.id,
                name: i.name.clone(),
                unit: i.unit.clone(),
                original_price: Price::of(i.original_price, l),
                deal_price: Price::of(offer.price_at(i, now), l),
                discount_percent: offer.price_at(i, now).discount_percent(i.original_price),
                remaining: i.remaining(),
                remaining_display: if i.remaining() > 0 {
                    words::units_left(l, i.remaining())
                } else {
                    words::card_sold_out(l).to_string()
                },
                next_drop: offer.next_drop(i, now).map(|(at, price)| NextDropView {
                    price: Price::of(price, l),
                    at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    at_local: at.with_timezone(&venue.timezone).format("%H:%M").to_string(),
                }),
            })
            .collect(),
        remaining: offer.remaining(),
        remaining_display: if offer.status == OfferStatus::Active {
            words::units_left(l, offer.remaining())
        } else {
            words::offer_status(l, offer.status.as_str())
        },
        unavailable: match offer.status {
            OfferStatus::Active if offer.remaining() == 0 => {
                Some(words::offer_unavailable(l, OfferStatus::SoldOut.as_str()))
            }
            OfferStatus::Active => None,
            s => Some(words::offer_unavailable(l, s.as_str())),
        },
        pickup: PickupView {
            start: offer.pickup_start.to_rfc3339_opts(SecondsFormat::Secs, true),
            end: offer.pickup_end.to_rfc3339_opts(SecondsFormat::Secs, true),
            display,
        },
        status,
        distance_m: distance_m.map(|d| d.round().max(0.0) as u64),
        distance_display: distance_m.map(|d| words::distance(l, d.max(0.0))),
        photo_url: offer.photo.as_deref().map(|n| state.media_url(n)),
        thumb_url: offer.thumb.as_deref().map(|n| state.media_url(n)),
        deep_link: state.bot_username.get().map(|bot| format!("https://t.me/{bot}?start=offer_{}", offer.id)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> ListParams {
        let mut p = ListParams::default();
        for pair in query.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = Some(v.to_string());
            match k {
                "near" => p.near = v,
                "radius_km" => p.radius_km = v,
                "business" => p.business = v,
                "sort" => p.sort = v,
                "limit" => p.limit = v,
                "cursor" => p.cursor = v,
                _ => panic!("unknown parameter {k}"),
            }
        }
        p
    }

    /// `Ok((sort, limit, radius_m))` or `Err(parameter)`.
    fn check(query: &str, expected: Result<(Sort, usize, f64), &str>) {
        let got = ListRequest::parse(params(query)).map(|r| (r.sort, r.limit, r.radius_m)).map_err(|e| match e {
            ApiError::BadRequest { parameter, .. } => parameter,
            other => panic!("{query}: unexpected {other:?}"),
        });
        assert_eq!(got, expected, "{query}");
    }

    #[test]
    fn list_parameters() {
        check("", Ok((Sort::Popular, 20, 10_000.0)));
        check("near=52.52,13.405", Ok((Sort::Nearest, 20, 10_000.0)));
        check("near=52.52,13.405&radius_km=2.5&sort=newest&limit=100", Ok((Sort::Newest, 100, 2_500.0)));
        check("sort=popular&limit=1&business=7", Ok((Sort::Popular, 1, 10_000.0)));
        check("near=abc", Err("near"));
        check("near=91,0", Err("near"));
        check("near=52.5,13.4&radius_km=-1", Err("radius_km"));
        check("near=52.5,13.4&radius_km=0", Err("radius_km"));
        check("near=52.5,13.4&radius_km=101", Err("radius_km"));
        check("near=52.5,13.4&radius_km=NaN", Err("radius_km"));
        check("radius_km=5", Err("radius_km"));
        check("limit=0", Err("limit"));
        check("limit=101", Err("limit"));
        check("limit=ten", Err("limit"));
        check("sort=cheapest", Err("sort"));
        check("sort=nearest", Err("sort"));
        check("business=0", Err("business"));
        check("business=abc", Err("business"));
        check("cursor=nope", Err("cursor"));
        // Empty values are the parameter left out.
        check("cursor=&near=&sort=&limit=&radius_km=&business=", Ok((Sort::Popular, 20, 10_000.0)));
        check("near=52.52,13.405&sort=", Ok((Sort::Nearest, 20, 10_000.0)));
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = Cursor::Frozen { list: "0123456789abcdef0123456789abcdef".into(), offset: 40 };
        assert_eq!(Cursor::parse(&c.encode()), Some(c));
        let at = Coordinates::new(52.520_008, 13.404_954).unwrap();
        for business in [None, Some(7)] {
            let c = Cursor::Near {
                search: NearSearch { at, radius_m: 2_500.5, business },
                after: (0.000_123_456_789_012_345_6, 42),
            };
            assert_eq!(Cursor::parse(&c.encode()), Some(c.clone()), "{}", c.encode());
        }
        let good =
            Cursor::Near { search: NearSearch { at, radius_m: 1_000.0, business: None }, after: (1e-6, 3) }.encode();
        let nan = format!("{:016x}", f64::NAN.to_bits());
        let far = format!("{:016x}", 1e9_f64.to_bits());
        let parts: Vec<&str> = good.split('.').collect();
        let with = |i: usize, v: &str| {
            let mut p = parts.clone();
            p[i] = v;
            p.join(".")
        };
        for bad in [
            with(1, &nan),
            with(3, &far),
            with(4, "-1"),
            with(6, "0"),
            with(5, "xyz"),
            format!("{good}.1"),
            "n1.".into(),
        ] {
            assert_eq!(Cursor::parse(&bad), None, "{bad:?}");
        }
        for bad in [
            "",
            ".",
            "0123456789abcdef0123456789abcdef",
            "0123456789ABCDEF0123456789ABCDEF.1",
            "abc.1",
            "0123456789abcdef0123456789abcdef.-1",
        ] {
            assert_eq!(Cursor::parse(bad), None, "{bad:?}");
        }
    }
}
