//! Publishing offers.

use super::Ctx;
use crate::domain::OfferEvent;
use crate::store::{Actor, NewOffer, Offer, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The offer can't be published now; the reason is for the owner.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for PublishError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Transition(t) => PublishError::Refused(format!("it is {}", t.from.replace('_', " "))),
            StoreError::NotFound => PublishError::Refused("it no longer exists".into()),
            StoreError::Unexpected(e) => PublishError::Unexpected(e),
        }
    }
}

/// Saves a composed offer as a draft and publishes it. If publishing is
/// refused the draft stays, for `/publish` later.
pub async fn create_and_publish(
    ctx: &Ctx,
    new: &NewOffer,
    photo_file_id: Option<&str>,
    actor: &Actor,
) -> Result<Offer, PublishError> {
    let draft = ctx.store.create_offer(new, actor, ctx.clock.now()).await?;
    if let Some(id) = photo_file_id {
        ctx.store.set_offer_photo_file_id(draft.id, id).await?;
    }
    publish_draft(ctx, draft.id, actor).await
}

pub async fn publish_draft(ctx: &Ctx, offer_id: i64, actor: &Actor) -> Result<Offer, PublishError> {
    let offer = ctx.store.apply_offer_event(offer_id, OfferEvent::Publish, actor, ctx.clock.now()).await?;
    tracing::info!(offer_id, business_id = offer.business_id, "offer published");
    Ok(offer)
}
