//! Registering businesses and their verification by admins.

use teloxide::types::ReplyMarkup;

use super::Ctx;
use crate::bot::callback::Cb;
use crate::bot::texts;
use crate::domain::business::BusinessEvent;
use crate::store::{Actor, Business, NewBusiness, StoreError};

/// Stores a registration (pending) and asks every admin to verify it.
pub async fn register(ctx: &Ctx, new: &NewBusiness, owner: &str) -> anyhow::Result<Business> {
    let (business, venue) = ctx.store.create_business(new, ctx.clock.now()).await?;
    tracing::info!(business_id = business.id, "business registered");
    if ctx.settings.admin_telegram_ids.is_empty() {
        tracing::warn!(business_id = business.id, "no ADMIN_TELEGRAM_IDS configured: nobody can verify businesses");
    }
    let text = texts::admin_new_business(business.id, &business.name, &business.phone, &venue.address, owner);
    for admin in &ctx.settings.admin_telegram_ids {
        if let Err(e) = ctx.tg.send_text(*admin, &text, Some(review_buttons(business.id)), false).await {
            tracing::warn!(admin, business_id = business.id, error = %e, "couldn't notify admin");
        }
    }
    Ok(business)
}

pub fn review_buttons(business_id: i64) -> ReplyMarkup {
    ReplyMarkup::InlineKeyboard(crate::bot::keyboards::inline(vec![vec![
        (texts::APPROVE, Cb::Approve(business_id)),
        (texts::REJECT, Cb::Reject(business_id)),
    ]]))
}

/// Verify, reject, suspend or unsuspend, then tell the owner. Refused
/// (`StoreError::Transition`) when the business is not in a state that
/// allows it, e.g. another admin was first.
pub async fn review(
    ctx: &Ctx,
    business_id: i64,
    event: BusinessEvent,
    reason: Option<&str>,
    admin: i64,
) -> Result<Business, StoreError> {
    let b = ctx.store.apply_business_event(business_id, event, reason, &Actor::Admin(admin), ctx.clock.now()).await?;
    tracing::info!(business_id, admin, event = event.as_str(), "business reviewed");
    let note = match event {
        BusinessEvent::Verify => texts::owner_verified(&b.name),
        BusinessEvent::Reject => texts::owner_rejected(&b.name, reason.unwrap_or("no reason given")),
        BusinessEvent::Suspend => texts::owner_suspended(&b.name),
        BusinessEvent::Unsuspend => texts::owner_unsuspended(&b.name),
    };
    if let Err(e) = ctx.tg.send_text(b.owner_tg_id, &note, None, false).await {
        tracing::warn!(business_id, error = %e, "couldn't tell the owner");
    }
    Ok(b)
}
