//! Prices that drop as pickup nears, as customers meet them: asking to be
//! told when a deal costs at most a price they choose (followers of the
//! shop only), and the jobs step that tells them once. The price itself is
//! `domain::pricing`'s, computed from the clock whenever it is asked for;
//! a reservation locks it (`Store::reserve`).

use chrono::{DateTime, Utc};

use super::Ctx;
use super::alerts::quiet_of;
use crate::domain::{Money, OfferStatus};
use crate::store::{Actor, Offer, StoreError};

/// How many prices a customer is offered to choose from.
pub const WATCH_CHOICES: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("no such deal")]
    NotFound,
    #[error("only followers of {shop} can watch its prices")]
    NotFollowing { shop: String },
    #[error("this deal's price won't drop any more")]
    NoMoreDrops,
    #[error("{asked} is not below the price now ({now})")]
    NotBelow { asked: Money, now: Money },
    #[error("{asked} is below the lowest price ({floor})")]
    BelowFloor { asked: Money, floor: Money },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for WatchError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WatchError::NotFound,
            e => WatchError::Unexpected(e.into()),
        }
    }
}

/// A deal whose price a customer may watch: what it costs now, the lowest
/// it can go, and the prices still to come (to choose from).
#[derive(Debug, Clone)]
pub struct Watchable {
    pub offer: Offer,
    pub now: Money,
    pub floor: Money,
    pub choices: Vec<Money>,
}

/// The deal's cheapest item in stock, by the price it has now: the one a
/// watch follows.
fn watched_item(offer: &Offer, at: DateTime<Utc>) -> Option<&crate::store::Item> {
    let in_stock: Vec<_> = offer.items.iter().filter(|i| i.remaining() > 0).collect();
    let pool = if in_stock.is_empty() { offer.items.iter().collect() } else { in_stock };
    pool.into_iter().min_by_key(|i| offer.price_at(i, at).minor())
}

/// Whether `customer` may watch the price of `offer_id`, and with which
/// choices: a follower of the shop, on an active deal whose price will
/// still drop.
pub async fn watchable(ctx: &Ctx, customer: i64, offer_id: i64) -> Result<Watchable, WatchError> {
    let offer = ctx.store.offer(offer_id).await?;
    if offer.status == OfferStatus::Draft {
        return Err(WatchError::NotFound);
    }
    if !ctx.store.is_following(customer, offer.business_id).await? {
        let shop = ctx.store.business(offer.business_id).await?.name;
        return Err(WatchError::NotFollowing { shop });
    }
    let at = ctx.clock.now();
    let (Some(drop), Some(item)) = (offer.price_drop, watched_item(&offer, at)) else {
        return Err(WatchError::NoMoreDrops);
    };
    let choices = drop.prices_after(item.deal_price, offer.pickup_end, at);
    if offer.status != OfferStatus::Active || offer.pickup_end <= at || choices.is_empty() {
        return Err(WatchError::NoMoreDrops);
    }
    let now = offer.price_at(item, at);
    let floor = Money::from_minor(drop.floor().minor().min(item.deal_price.minor()), now.currency()).unwrap_or(now);
    // The last few steps: the prices people wait for.
    let skip = choices.len().saturating_sub(WATCH_CHOICES);
    Ok(Watchable { choices: choices[skip..].to_vec(), offer, now, floor })
}

/// Sets `customer`'s watch on `offer_id` at `below`: told once when the
/// deal costs `below` or less. Asking again replaces the watch.
pub async fn watch(ctx: &Ctx, customer: i64, offer_id: i64, below: Money) -> Result<Offer, WatchError> {
    let w = watchable(ctx, customer, offer_id).await?;
    if below.minor() >= w.now.minor() {
        return Err(WatchError::NotBelow { asked: below, now: w.now });
    }
    if below.minor() < w.floor.minor() {
        return Err(WatchError::BelowFloor { asked: below, floor: w.floor });
    }
    ctx.store.set_price_watch(offer_id, customer, below, ctx.clock.now()).await?;
    tracing::info!(offer_id, tg_user = customer, below = below.minor(), "price watch set");
    Ok(w.offer)
}

/// The jobs step: every watch whose deal now costs at most its price is
/// notified, once (the watch is marked in the notice's transaction). A
/// customer in quiet hours gets it when they end, unless the window is
/// over by then. Returns how many were notified.
pub async fn notify_watches(ctx: &Ctx) -> anyhow::Result<usize> {
    let now = ctx.clock.now();
    let watches = ctx.store.open_price_watches(now).await?;
    if watches.is_empty() {
        return Ok(0);
    }
    let mut ids: Vec<i64> = watches.iter().map(|w| w.offer_id).collect();
    ids.dedup();
    let offers = ctx.store.offers_by_ids(&ids).await?;
    let mut fired = 0;
    for w in &watches {
        let Some(offer) = offers.iter().find(|o| o.id == w.offer_id) else { continue };
        let Some(item) = watched_item(offer, now) else { continue };
        if offer.price_at(item, now).minor() > w.below {
            continue;
        }
        let (quiet, tz) = quiet_of(&w.quiet, ctx.settings.default_timezone);
        let not_before = quiet.and_then(|q| q.ends_after(now, tz)).unwrap_or(now);
        if not_before >= offer.pickup_end {
            // Asleep until the deal is over: nothing worth waking for.
            continue;
        }
        if ctx.store.fire_price_watch(w, not_before, now).await? {
            tracing::info!(offer_id = w.offer_id, tg_user = w.customer_tg_id, "price watch notified");
            fired += 1;
        }
    }
    Ok(fired)
}

/// The business ends a deal's price drops: it costs its deal price again.
pub async fn stop_drops(ctx: &Ctx, offer_id: i64, actor: &Actor) -> Result<(), StoreError> {
    ctx.store.stop_price_drops(offer_id, actor, ctx.clock.now()).await
}
