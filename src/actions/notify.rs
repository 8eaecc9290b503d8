//! Telling customers about deals: the fan-out of each publication into the
//! outbox. An offer becoming active (published, or back from sold out) is
//! recorded as a publication by a database trigger in the very transaction
//! that changed its status, whichever code path did it.
//! [`fan_out_pending`] turns each publication, once, into one notification
//! per interested customer: followers of the business, then customers whose
//! nearby alert covers the deal (exact distance and keywords checked here).
//! The sender that drains the outbox is `send::alerts`.

use chrono::Duration;

use super::Ctx;
use super::alerts::{Keywords, MAX_RADIUS_M, Radius, bounding_box, within};
use crate::domain::OfferStatus;
use crate::store::{FanOut, Offer, Publication};

/// A customer told about an offer is not told again within this time when
/// it comes back in stock (an offer can flap as reservations lapse).
pub const RENOTIFY_AFTER: Duration = Duration::hours(6);
/// Writes the fan-out of every publication not yet fanned out. Safe to
/// call from anywhere at any time: each publication is expanded once.
pub async fn fan_out_pending(ctx: &Ctx) -> anyhow::Result<()> {
    loop {
        let pending = ctx.store.pending_publications(20).await?;
        if pending.is_empty() {
            return Ok(());
        }
        for p in pending {
            fan_out(ctx, &p).await?;
        }
    }
}

async fn fan_out(ctx: &Ctx, p: &Publication) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    let offer = ctx.store.offer(p.offer_id).await?;
    if offer.status != OfferStatus::Active || offer.pickup_end <= now {
        ctx.store.close_publication(p.id, now).await?;
        tracing::info!(offer_id = offer.id, publication = p.id, "offer no longer active; nobody to tell");
        return Ok(());
    }
    let owner = ctx.store.business(offer.business_id).await?.owner_tg_id;
    let text = searchable_text(&offer);
    let mut nearby: Vec<(i64, Option<u32>)> = ctx
        .store
        .alerts_in(bounding_box(offer.location, MAX_RADIUS_M), owner)
        .await?
        .into_iter()
        .filter(|a| Keywords::from_stored(&a.keywords).matches(&text))
        .filter_map(|a| {
            let d = within(a.location, Radius::from_metres(a.radius_m), offer.location)?;
            Some((a.customer_tg_id, Some(d.round() as u32)))
        })
        .collect();
    // Nearest first among equals in the queue.
    nearby.sort_by_key(|(c, d)| (*d, *c));
    match ctx.store.fan_out(p.id, &nearby, RENOTIFY_AFTER, now).await? {
        Some(FanOut { followers, nearby }) => {
            tracing::info!(
                offer_id = offer.id,
                publication = p.id,
                followers,
                nearby,
                restock = p.restock,
                "fan-out written"
            );
        }
        None => tracing::debug!(publication = p.id, "fan-out already written"),
    }
    Ok(())
}

/// What keywords are matched against: title, description and item names.
pub(crate) fn searchable_text(offer: &Offer) -> String {
    let mut s = format!("{}\n{}", offer.title, offer.description);
    for i in &offer.items {
        s.push('\n');
        s.push_str(&i.name);
    }
    s
}
