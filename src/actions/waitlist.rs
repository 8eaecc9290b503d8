//! The waitlist of a sold-out deal: joining (how a hold will be paid is
//! decided here, as Buy decides it), leaving, and answering a hold — Pay
//! (a Checkout Session for the held reservation), Confirm (pay at pickup)
//! or Pass. The hand-out itself happens in the store, inside every
//! transaction that returns units (see `store::waitlist`); the jobs tick
//! runs [`sweep`] for people whose quiet hours ended.

use super::Ctx;
use super::purchases::{self, CancelOrderError};
use crate::domain::PurchaseStatus;
use crate::domain::waitlist::{Place, WaitStatus};
use crate::store::{Actor, JoinError, Joined, NewWait, PaymentMethod, Purchase, StoreError, WaitEntry};

/// Joins the waitlist of `offer_id` for `quantity` of `item_id`.
/// `request_key` identifies the pressed keyboard: a replay answers from
/// the first join.
pub async fn join(
    ctx: &Ctx,
    customer: i64,
    offer_id: i64,
    item_id: i64,
    quantity: u32,
    request_key: Option<String>,
) -> Result<Joined, JoinError> {
    if quantity == 0 || quantity > ctx.settings.max_units_per_order {
        return Err(JoinError::NotFound);
    }
    let offer = ctx.store.offer(offer_id).await.map_err(|e| match e {
        StoreError::NotFound => JoinError::NotFound,
        e => JoinError::Store(e),
    })?;
    // As Buy: a business whose Stripe account can't take charges sells
    // pay-at-pickup only.
    let card = match ctx.stripe {
        Some(_) if ctx.settings.connect_enabled() => {
            super::connect::chargeable_account(ctx, offer.business_id).await?.is_some()
        }
        Some(_) => true,
        None => false,
    };
    let new = NewWait {
        offer_id,
        item_id,
        customer_tg_id: customer,
        quantity,
        method: if card { PaymentMethod::Stripe } else { PaymentMethod::AtPickup },
        request_key,
    };
    let joined = ctx.store.join_waitlist(&new, ctx.clock.now()).await?;
    if let Joined::Waiting(entry, place) = &joined {
        crate::metrics::purchase("waitlisted");
        tracing::info!(offer_id, tg_user = customer, entry = entry.id, place = place.position, "joined the waitlist");
    }
    Ok(joined)
}

/// What leaving led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// Out of the line.
    Left,
    /// The person held units: the hold was passed on to the next person.
    PassedHold,
}

#[derive(Debug, thiserror::Error)]
pub enum HoldError {
    /// Not on this waitlist (never, or not any more).
    #[error("not on this waitlist")]
    NotWaiting,
    /// A hold of someone else, or no hold at all (forged data).
    #[error("that isn't your hold")]
    NotYours,
    /// The hold is over: it lapsed, was passed on, or became an order.
    #[error("the hold is {0}")]
    Over(WaitStatus),
    #[error("payments are unavailable right now")]
    PaymentUnavailable,
    /// Stripe couldn't be asked whether the session was paid.
    #[error("payments are unreachable right now; please try again in a minute")]
    TryAgain,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for HoldError {
    fn from(e: StoreError) -> Self {
        HoldError::Unexpected(e.into())
    }
}

/// Leaves the waitlist of a deal; a held place passes its hold on.
pub async fn leave(ctx: &Ctx, customer: i64, offer_id: i64) -> Result<Left, HoldError> {
    let Some(entry) = ctx.store.open_wait(offer_id, customer).await? else { return Err(HoldError::NotWaiting) };
    if entry.status == WaitStatus::Held
        && let Some(purchase) = entry.purchase_id
    {
        pass(ctx, customer, purchase).await?;
        return Ok(Left::PassedHold);
    }
    if ctx.store.leave_waitlist(offer_id, customer, ctx.clock.now()).await? {
        tracing::info!(offer_id, tg_user = customer, "left the waitlist");
        Ok(Left::Left)
    } else {
        Err(HoldError::NotWaiting)
    }
}

/// The hold a button names, if it is the customer's and still open.
async fn open_hold(ctx: &Ctx, customer: i64, purchase_id: i64) -> Result<(WaitEntry, Purchase), HoldError> {
    let Some(entry) = ctx.store.hold_of(purchase_id).await? else { return Err(HoldError::NotYours) };
    if entry.customer_tg_id != customer {
        tracing::warn!(tg_user = customer, purchase_id, "refused: someone else's hold");
        return Err(HoldError::NotYours);
    }
    let p = ctx.store.purchase(purchase_id).await?;
    if entry.status != WaitStatus::Held || p.status != PurchaseStatus::Reserved {
        return Err(HoldError::Over(entry.status));
    }
    Ok((entry, p))
}

/// What Pay (or Confirm) on a hold led to.
#[derive(Debug)]
pub enum Took {
    /// Card payment: pay at this Checkout URL before the hold ends.
    Checkout { purchase: Purchase, url: String },
    /// Pay at pickup: the order stands.
    Confirmed { purchase: Purchase },
}

/// Pay (card) or Confirm (pay at pickup) pressed on a hold. A card hold
/// gets its Checkout Session once (the kept form and key, as Buy's); the
/// session lives Stripe's minimum, and is expired at Stripe when the
/// hold's own shorter time is up (the lapsed-reservation job).
pub async fn take(ctx: &Ctx, customer: i64, purchase_id: i64) -> Result<Took, HoldError> {
    let (_, p) = match open_hold(ctx, customer, purchase_id).await {
        // A replay of Confirm (or a second press) answers with the order.
        Err(HoldError::Over(WaitStatus::Bought)) => {
            let purchase = ctx.store.purchase(purchase_id).await?;
            return Ok(Took::Confirmed { purchase });
        }
        other => other?,
    };
    if p.expires_at.is_some_and(|t| t <= ctx.clock.now()) {
        return Err(HoldError::Over(WaitStatus::Lapsed));
    }
    match p.method {
        PaymentMethod::Stripe => {
            if let Some(url) = p.stripe_session_url.clone() {
                return Ok(Took::Checkout { purchase: p, url });
            }
            let Some(stripe) = ctx.stripe.as_ref() else { return Err(HoldError::PaymentUnavailable) };
            if ctx.settings.connect_enabled() {
                let business = ctx.store.offer(p.offer_id).await?.business_id;
                if super::connect::chargeable_account(ctx, business).await?.is_none() {
                    return Err(HoldError::PaymentUnavailable);
                }
            }
            match purchases::open_session(ctx, stripe, &p).await {
                Ok(session) => {
                    let url = session.url.clone().unwrap_or_default();
                    ctx.store.set_checkout_session(p.id, &session.id, &url).await?;
                    tracing::info!(purchase_id, tg_user = customer, "checkout opened for a hold");
                    Ok(Took::Checkout { purchase: ctx.store.purchase(p.id).await?, url })
                }
                Err(e) => {
                    // The hold keeps its time; the job expires whatever
                    // session Stripe may have made (same key) when it ends.
                    tracing::warn!(purchase_id, error = %e, "checkout session for a hold failed");
                    crate::metrics::stripe_error("create_session");
                    Err(HoldError::PaymentUnavailable)
                }
            }
        }
        PaymentMethod::AtPickup | PaymentMethod::Donation => {
            if !ctx.store.confirm_hold(p.id, &Actor::User(customer), ctx.clock.now()).await? {
                let entry = ctx.store.hold_of(p.id).await?.map_or(WaitStatus::Lapsed, |e| e.status);
                return Err(HoldError::Over(entry));
            }
            crate::metrics::purchase("confirmed");
            tracing::info!(purchase_id, tg_user = customer, "hold confirmed, pay at pickup");
            Ok(Took::Confirmed { purchase: ctx.store.purchase(p.id).await? })
        }
    }
}

/// Pass pressed on a hold: it is released (its Checkout Session expired
/// at Stripe first, as any cancellation), and in that transaction the
/// units go to the next person waiting.
pub async fn pass(ctx: &Ctx, customer: i64, purchase_id: i64) -> Result<(), HoldError> {
    open_hold(ctx, customer, purchase_id).await?;
    match purchases::cancel(ctx, customer, purchase_id).await {
        Ok(_) => {
            tracing::info!(purchase_id, tg_user = customer, "hold passed on");
            Ok(())
        }
        Err(CancelOrderError::TryAgain) => Err(HoldError::TryAgain),
        Err(CancelOrderError::NotYours) => Err(HoldError::NotYours),
        // Changed meanwhile (paid, lapsed): say where it stands.
        Err(CancelOrderError::Policy(_)) => {
            let status = ctx.store.hold_of(purchase_id).await?.map_or(WaitStatus::Lapsed, |e| e.status);
            Err(HoldError::Over(status))
        }
        Err(CancelOrderError::Unexpected(e)) => Err(HoldError::Unexpected(e)),
    }
}

/// Where a person stands on a deal's waitlist: their open place and, while
/// waiting, "#2 of 3".
pub async fn place(ctx: &Ctx, customer: i64, offer_id: i64) -> Result<Option<(WaitEntry, Option<Place>)>, StoreError> {
    let Some(entry) = ctx.store.open_wait(offer_id, customer).await? else { return Ok(None) };
    let place = ctx.store.place_of(&entry).await?;
    Ok(Some((entry, place)))
}

/// Job: hands free units to people waiting whose quiet hours ended (and
/// to anyone a resumed deal's units now fit). Safe to run twice: a hold
/// is taken by the stock guard's conditional statement.
pub async fn sweep(ctx: &Ctx) -> Result<u32, StoreError> {
    ctx.store.waitlist_sweep(ctx.clock.now()).await
}
