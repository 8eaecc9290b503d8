//! The shared-card lane: deal cards users posted into chats through
//! inline mode are edited when their deal sells out, pauses, comes back or
//! ends. What is due is read from the database (a card whose offer's
//! status differs from the one it shows), so a change made by any
//! transaction on any instance is seen, and a crash only delays an edit.
//! A claimed card is not claimed again for a minute; an edit that fails
//! for a passing reason is tried again later, one Telegram refuses for
//! good (the message was deleted) is dropped.

use std::time::Duration as StdDuration;

use chrono::Duration;
use teloxide::RequestError;
use tokio::sync::watch;

use crate::actions::Ctx;
use crate::domain::OfferStatus;
use crate::render::i18n::Lang;
use crate::render::inline::{Links, card_markup, card_text};
use crate::store::{SharedCard, StoreError};

/// How often the lane looks for due edits.
const POLL: StdDuration = StdDuration::from_millis(250);
/// Cards claimed at once.
const BATCH: i64 = 20;
/// A failed edit waits this long, growing with its attempts.
const RETRY_AFTER: Duration = Duration::seconds(5);
/// After this many failed tries in a row a card is left as it is.
const MAX_ATTEMPTS: u32 = 12;

/// Runs the lane until `stop`.
pub async fn run(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            break;
        }
        let n = drain_once(&ctx).await;
        if n == 0 {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

/// Claims one batch of due cards and edits them; returns how many.
pub async fn drain_once(ctx: &Ctx) -> usize {
    if ctx.bot_username.get().is_none() {
        // The cards' deep links need the bot's name: wait for getMe.
        return 0;
    }
    let cards = match ctx.store.claim_card_edits(ctx.clock.now(), BATCH).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "claiming shared-card edits failed");
            return 0;
        }
    };
    for card in &cards {
        if let Err(e) = edit(ctx, card).await {
            tracing::warn!(offer_id = card.offer_id, error = ?e, "couldn't edit a shared card; will retry");
            let wait = RETRY_AFTER * (card.attempts.min(MAX_ATTEMPTS) as i32);
            if card.attempts >= MAX_ATTEMPTS {
                let _ = ctx.store.card_edited(&card.inline_message_id, OfferStatus::Withdrawn, true).await;
            } else {
                let _ = ctx.store.card_edit_later(&card.inline_message_id, ctx.clock.now() + wait).await;
            }
        }
    }
    cards.len()
}

async fn edit(ctx: &Ctx, card: &SharedCard) -> anyhow::Result<()> {
    let offer = match ctx.store.offer(card.offer_id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => {
            ctx.store.card_edited(&card.inline_message_id, OfferStatus::Withdrawn, true).await?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let business = ctx.store.business(offer.business_id).await?;
    let venue = ctx.store.venue(offer.venue_id).await?;
    let now = ctx.clock.now();
    let l = ctx.store.user_language(card.shared_by).await?.as_deref().and_then(Lang::from_code).unwrap_or(Lang::EN);
    let text = card_text(l, &offer, &business, &venue, now).ok_or_else(|| anyhow::anyhow!("offer without a window"))?;
    let links = Links {
        deal: ctx.deep_link(&format!("offer_{}", offer.id)),
        shop: ctx.deep_link(&format!("biz_{}", business.id)),
    };
    let final_state = matches!(offer.status, OfferStatus::Expired | OfferStatus::Withdrawn);
    match ctx.tg.edit_inline(&card.inline_message_id, card.photo, &text, card_markup(l, offer.status, &links)).await {
        Ok(()) => {
            tracing::info!(offer_id = offer.id, status = %offer.status, "shared card edited");
            ctx.store.card_edited(&card.inline_message_id, offer.status, final_state).await?;
        }
        Err(RequestError::Api(e)) => {
            // Deleted, or never ours to edit: nothing will change that.
            tracing::info!(offer_id = offer.id, error = %e, "shared card can't be edited; dropped");
            ctx.store.card_edited(&card.inline_message_id, offer.status, true).await?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
