//! Sharing deals into chats through inline mode: which deals match what a
//! user typed after `@bot` (nearest first when Telegram sent their
//! location, or we know it; else the freshest), and recording the card
//! they chose, so the card sender can edit it when the deal sells out or
//! ends.

use crate::actions::Ctx;
use crate::domain::Coordinates;
use crate::store::{Business, Offer, Venue};

/// Most results one inline answer carries (Telegram allows 50).
pub const MAX_RESULTS: usize = 20;
/// How far "near the user" reaches.
pub const RADIUS_M: f64 = 50_000.0;
/// Candidates looked at before matching the words.
const POOL: i64 = 200;

/// A deal to show as an inline result.
pub struct InlineDeal {
    pub offer: Offer,
    pub business: Business,
    pub venue: Venue,
    pub distance_m: Option<f64>,
}

/// Whether every word of `query` appears in `text` (case-insensitive);
/// an empty query matches everything.
pub fn matches_query(query: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    query
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .all(|w| text.contains(&w.to_lowercase()))
}

/// Active deals matching `query`, nearest to `at` first (within
/// [`RADIUS_M`]) or, without a location, the freshest first.
pub async fn inline_deals(ctx: &Ctx, query: &str, at: Option<Coordinates>) -> anyhow::Result<Vec<InlineDeal>> {
    let now = ctx.clock.now();
    let ranked: Vec<(i64, Option<f64>)> = match at {
        Some(at) => ctx
            .store
            .nearest_active_ids(at, RADIUS_M, None, POOL, now)
            .await?
            .into_iter()
            .map(|(id, d)| (id, Some(d)))
            .collect(),
        None => {
            let mut fresh = ctx.store.fresh_active(None, now).await?;
            fresh.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.offer_id.cmp(&a.offer_id)));
            fresh.into_iter().take(POOL as usize).map(|c| (c.offer_id, None)).collect()
        }
    };
    let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
    let mut offers: Vec<Offer> = ctx.store.offers_by_ids(&ids).await?;
    offers.retain(|o| o.status.is_buyable() && matches_query(query, &super::notify::searchable_text(o)));
    offers.truncate(MAX_RESULTS);
    let business_ids: Vec<i64> = offers.iter().map(|o| o.business_id).collect();
    let venue_ids: Vec<i64> = offers.iter().map(|o| o.venue_id).collect();
    let (businesses, venues) = ctx.store.businesses_and_venues(&business_ids, &venue_ids).await?;
    Ok(offers
        .into_iter()
        .filter_map(|offer| {
            let business = businesses.iter().find(|b| b.id == offer.business_id)?.clone();
            let venue = venues.iter().find(|v| v.id == offer.venue_id)?.clone();
            let distance_m = ranked.iter().find(|(id, _)| *id == offer.id).and_then(|(_, d)| *d);
            Some(InlineDeal { offer, business, venue, distance_m })
        })
        .collect())
}

/// The id of an inline result: the offer and how it was posted (`p`hoto
/// with a caption, or `t`ext), so an edit knows which to change.
pub fn result_id(offer_id: i64, photo: bool) -> String {
    format!("o{offer_id}{}", if photo { 'p' } else { 't' })
}

/// Reads [`result_id`]'s form back.
pub fn parse_result_id(id: &str) -> Option<(i64, bool)> {
    let rest = id.strip_prefix('o')?;
    let (num, kind) = rest.split_at(rest.len().checked_sub(1)?);
    let photo = match kind {
        "p" => true,
        "t" => false,
        _ => return None,
    };
    Some((num.parse().ok().filter(|n| *n > 0)?, photo))
}

/// A user posted a card: remember it (by `inline_message_id`, which
/// Telegram sends only with inline feedback on) so it is edited when the
/// deal sells out or ends. False when it was known already (a replay) or
/// does not name one of our deals.
pub async fn card_posted(ctx: &Ctx, result_id: &str, inline_message_id: &str, user: i64) -> anyhow::Result<bool> {
    let Some((offer_id, photo)) = parse_result_id(result_id) else { return Ok(false) };
    Ok(ctx.store.record_shared_card(inline_message_id, offer_id, user, photo, ctx.clock.now()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_all_match() {
        for (q, text, expected) in [
            ("", "anything", true),
            ("bread", "Sourdough Bread bag", true),
            ("BREAD vegan", "vegan breadsticks", true),
            ("bread, vegan", "bread", false),
            ("cake", "bread", false),
        ] {
            assert_eq!(matches_query(q, text), expected, "{q:?} in {text:?}");
        }
    }

    #[test]
    fn result_ids_round_trip() {
        for (id, photo) in [(1, true), (42, false), (i64::MAX, true)] {
            let s = result_id(id, photo);
            assert!(s.len() <= 64);
            assert_eq!(parse_result_id(&s), Some((id, photo)));
        }
        for bad in ["", "o", "op", "o0p", "x1p", "o1x", "o-1t", "o1"] {
            assert_eq!(parse_result_id(bad), None, "{bad}");
        }
    }
}
