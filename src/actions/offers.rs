//! Publishing offers and managing them: pause, resume, sold out,
//! withdraw, pickups.

use super::Ctx;
use crate::domain::{OfferEvent, OfferStatus, PickupCode};
use crate::store::{Actor, NewOffer, Offer, PickupError, Purchase, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The offer is in a state that can't be published (its status).
    #[error("it is {0}")]
    NotNow(&'static str),
    #[error("it no longer exists")]
    Gone,
    /// With card payments, every price must reach Stripe's minimum charge.
    #[error("card payments need at least {0} per item")]
    BelowStripeMinimum(crate::domain::Money),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for PublishError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Transition(t) => PublishError::NotNow(t.from),
            StoreError::NotFound => PublishError::Gone,
            StoreError::Unexpected(e) => PublishError::Unexpected(e),
        }
    }
}

/// Saves a composed offer as a draft and publishes it. If publishing is
/// refused the draft stays, for `/publish` later. `request_key` names the
/// composition: asked again (a replayed Publish), the offer it made is
/// found, and published only if it isn't yet.
pub async fn create_and_publish(
    ctx: &Ctx,
    new: &NewOffer,
    photo_file_id: Option<&str>,
    request_key: Option<String>,
    actor: &Actor,
) -> Result<Offer, PublishError> {
    let draft = ctx.store.create_offer_keyed(new, request_key.as_deref(), actor, ctx.clock.now()).await?;
    if draft.status != crate::domain::OfferStatus::Draft {
        tracing::info!(offer_id = draft.id, status = %draft.status, "made before: not published again");
        return Ok(draft);
    }
    if let Some(id) = photo_file_id {
        ctx.store.set_offer_photo_file_id(draft.id, id).await?;
    }
    publish_draft(ctx, draft.id, actor).await
}

pub async fn publish_draft(ctx: &Ctx, offer_id: i64, actor: &Actor) -> Result<Offer, PublishError> {
    if ctx.stripe.is_some() {
        let draft = ctx.store.offer(offer_id).await?;
        let min = draft.currency.stripe_minimum();
        let floor_below = draft.price_drop.is_some_and(|d| d.floor().minor() < min.minor());
        if floor_below || draft.items.iter().any(|i| i.deal_price.minor() < min.minor()) {
            return Err(PublishError::BelowStripeMinimum(min));
        }
    }
    let offer = ctx.store.apply_offer_event(offer_id, OfferEvent::Publish, actor, ctx.clock.now()).await?;
    tracing::info!(offer_id, business_id = offer.business_id, "offer published");
    // The publication was recorded with the status change (a trigger);
    // writing its fan-out now saves the sender's next poll. If this fails
    // the sender does it.
    if let Err(e) = super::notify::fan_out_pending(ctx).await {
        tracing::warn!(offer_id, error = ?e, "fan-out after publishing failed; the sender will retry");
    }
    Ok(offer)
}

/// Why a business action on an offer was refused.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// Not the owner (nor an admin): refused and written to the audit log.
    #[error("that isn't your offer")]
    NotYours,
    /// The offer's state doesn't allow it (its status).
    #[error("not possible while it is {0}")]
    NotNow(&'static str),
    #[error("that offer no longer exists")]
    Gone,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for ManageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Transition(t) => ManageError::NotNow(t.from),
            StoreError::NotFound => ManageError::Gone,
            StoreError::Unexpected(e) => ManageError::Unexpected(e),
        }
    }
}

/// The offer, if `user` may manage it (its business's owner, or an admin).
/// Anyone else is refused and the attempt is audited: it means forged or
/// foreign callback data.
pub async fn owned(ctx: &Ctx, user: i64, offer_id: i64) -> Result<Offer, ManageError> {
    let offer = ctx.store.offer(offer_id).await?;
    let business = ctx.store.business(offer.business_id).await?;
    if business.owner_tg_id == user || ctx.settings.is_admin(user) {
        return Ok(offer);
    }
    tracing::warn!(tg_user = user, offer_id, "refused: not the offer's owner");
    ctx.store.audit(&Actor::User(user), "forged_offer_action", "offer", offer_id, ctx.clock.now()).await?;
    Err(ManageError::NotYours)
}

/// Pause, resume or mark sold out. A resumed offer with nothing left goes
/// straight to sold out.
pub async fn change(ctx: &Ctx, user: i64, offer_id: i64, event: OfferEvent) -> Result<Offer, ManageError> {
    owned(ctx, user, offer_id).await?;
    let actor = Actor::User(user);
    let mut offer = ctx.store.apply_offer_event(offer_id, event, &actor, ctx.clock.now()).await?;
    if event == OfferEvent::Resume && offer.status == OfferStatus::Active && offer.remaining() == 0 {
        offer = ctx.store.apply_offer_event(offer_id, OfferEvent::SellOut, &Actor::System, ctx.clock.now()).await?;
    }
    tracing::info!(offer_id, event = event.as_str(), "offer changed");
    Ok(offer)
}

/// Withdraws an offer, in one transaction with everything it means: paid
/// orders queued for a full refund, pay-at-pickup orders and reservations
/// without a session cancelled, every customer told (notices). A
/// reservation with a Checkout Session stays payable until the release job
/// has expired it at Stripe; a payment that got through is refunded.
/// Returns the offer and how many orders it touched.
pub async fn withdraw(ctx: &Ctx, user: i64, offer_id: i64) -> Result<(Offer, usize), ManageError> {
    owned(ctx, user, offer_id).await?;
    let touched = ctx.store.withdraw_offer(offer_id, &Actor::User(user), ctx.clock.now()).await?;
    tracing::info!(offer_id, touched, "offer withdrawn");
    Ok((ctx.store.offer(offer_id).await?, touched))
}

#[derive(Debug, thiserror::Error)]
pub enum PickupRefused {
    #[error("no order of yours has that code; check it and try again")]
    UnknownCode,
    #[error("that order is {0}")]
    NotCollectable(&'static str),
    #[error("too many wrong codes; please wait a few minutes")]
    TooManyTries,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Wrong codes a business may enter in [`WRONG_CODE_WINDOW`] minutes.
pub const MAX_WRONG_CODES: i64 = 5;
pub const WRONG_CODE_WINDOW: i64 = 10;

/// The business confirms a pickup by the customer's code; the customer is
/// thanked. Repeated wrong codes are slowed down.
pub async fn pick_up(ctx: &Ctx, user: i64, business_id: i64, code: &str) -> Result<Purchase, PickupRefused> {
    let actor = Actor::User(user);
    let now = ctx.clock.now();
    let since = now - chrono::Duration::minutes(WRONG_CODE_WINDOW);
    if ctx.store.count_actions(&actor, "pickup_wrong_code", since).await.map_err(anyhow::Error::from)?
        >= MAX_WRONG_CODES
    {
        return Err(PickupRefused::TooManyTries);
    }
    let wrong = || async {
        ctx.store.audit(&actor, "pickup_wrong_code", "business", business_id, now).await.map_err(anyhow::Error::from)
    };
    let Some(code) = PickupCode::parse(code) else {
        wrong().await?;
        return Err(PickupRefused::UnknownCode);
    };
    match ctx.store.pick_up(business_id, &code, &actor, now).await {
        Ok(p) => Ok(p),
        Err(PickupError::UnknownCode) => {
            wrong().await?;
            Err(PickupRefused::UnknownCode)
        }
        Err(PickupError::NotCollectable(s)) => Err(PickupRefused::NotCollectable(s.label())),
        Err(PickupError::Store(e)) => Err(PickupRefused::Unexpected(e.into())),
    }
}
