//! Registering businesses and their verification by admins. Admins and
//! owners hear about it through notices written with each change.

use crate::domain::business::BusinessEvent;
use crate::store::{Actor, Business, NewBusiness, StoreError};

use super::Ctx;

/// Stores a registration (pending) and asks every admin to verify it
/// (`owner`: how the owner appears to admins). `request_key` names the
/// registration: asked again (a replayed last step), it finds the business
/// it made.
pub async fn register(
    ctx: &Ctx,
    new: &NewBusiness,
    owner: &str,
    request_key: Option<&str>,
) -> anyhow::Result<Business> {
    let admins = &ctx.settings.admin_telegram_ids;
    let (business, _) = ctx.store.register_business(new, admins, owner, request_key, ctx.clock.now()).await?;
    tracing::info!(business_id = business.id, "business registered");
    if admins.is_empty() {
        tracing::warn!(business_id = business.id, "no ADMIN_TELEGRAM_IDS configured: nobody can verify businesses");
    }
    Ok(business)
}

/// Verify, reject, suspend or unsuspend; the owner is told. Refused
/// (`StoreError::Transition`) when the business is not in a state that
/// allows it, e.g. another admin was first.
pub async fn review(
    ctx: &Ctx,
    business_id: i64,
    event: BusinessEvent,
    reason: Option<&str>,
    admin: i64,
) -> Result<Business, StoreError> {
    let b = ctx.store.review_business(business_id, event, reason, &Actor::Admin(admin), ctx.clock.now()).await?;
    tracing::info!(business_id, admin, event = event.as_str(), "business reviewed");
    Ok(b)
}
