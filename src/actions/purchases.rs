//! Buying, paying, cancelling and refunding.
//!
//! A customer never pays for food that is not reserved for them: the
//! reservation comes first; a Checkout Session is only created for a
//! reservation, expires when it does, and is expired at Stripe before the
//! reservation is released. A payment that still arrives for a released
//! reservation takes the stock again if it remains, and is refunded if not.

use chrono::Duration;

use super::Ctx;
use crate::bot::texts;
use crate::domain::purchase::{CancelError, Cancellation, PurchaseEvent, cancellation};
use crate::domain::{Money, OfferStatus, PurchaseStatus};
use crate::payments::stripe::{CheckoutLine, CheckoutRequest, StripeError};
use crate::store::{Actor, LateOutcome, NewPurchase, Offer, PaymentMethod, Purchase, ReserveError, StoreError};

/// What pressing Buy led to.
#[derive(Debug)]
pub enum Bought {
    /// Stock reserved; pay at this Checkout URL before the reservation lapses.
    AwaitingPayment { purchase: Purchase, url: String },
    /// Pay at pickup: the order stands.
    Confirmed { purchase: Purchase },
    /// The customer already holds a reservation on this offer.
    Reopened { purchase: Purchase, url: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum BuyError {
    #[error("not enough left")]
    SoldOut,
    #[error("{0}")]
    Unavailable(&'static str),
    #[error("payments are unavailable right now")]
    PaymentUnavailable,
    #[error("no such deal")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for BuyError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => BuyError::NotFound,
            e => BuyError::Unexpected(e.into()),
        }
    }
}

/// Reserves `quantity` of `item_id` for the customer, then (with Stripe)
/// opens a Checkout Session for exactly that reservation.
pub async fn buy(ctx: &Ctx, customer: i64, offer_id: i64, item_id: i64, quantity: u32) -> Result<Bought, BuyError> {
    if let Some(open) = ctx.store.open_reservation(customer, offer_id).await? {
        let url = open.stripe_session_url.clone();
        return Ok(Bought::Reopened { purchase: open, url });
    }
    let now = ctx.clock.now();
    let cap = ctx.settings.max_units_per_order;
    if quantity == 0 || quantity > cap {
        return Err(BuyError::Unavailable("That quantity isn't possible for one order."));
    }
    let stripe = ctx.stripe.as_ref();
    let method = if stripe.is_some() { PaymentMethod::Stripe } else { PaymentMethod::AtPickup };
    let ttl = Duration::from_std(ctx.settings.reservation_ttl).unwrap_or(Duration::minutes(30));
    let new = NewPurchase {
        customer_tg_id: customer,
        offer_id,
        lines: vec![(item_id, quantity)],
        method,
        expires_at: stripe.map(|_| now + ttl),
    };
    let purchase = match ctx.store.reserve(&new, now).await {
        Ok((p, _)) => p,
        Err(ReserveError::SoldOut) => return Err(BuyError::SoldOut),
        Err(ReserveError::Unavailable(s)) => {
            return Err(BuyError::Unavailable(s.unavailable_reason().unwrap_or("This deal can't be bought.")));
        }
        Err(ReserveError::Ended) => {
            return Err(BuyError::Unavailable(OfferStatus::Expired.unavailable_reason().unwrap_or_default()));
        }
        Err(ReserveError::NotFound | ReserveError::Empty) => return Err(BuyError::NotFound),
        Err(ReserveError::Unexpected(e)) => return Err(BuyError::Unexpected(e)),
    };
    crate::metrics::purchase("reserved");
    tracing::info!(purchase_id = purchase.id, offer_id, tg_user = customer, "reserved");
    let Some(stripe) = stripe else {
        notify_business(ctx, &purchase).await;
        return Ok(Bought::Confirmed { purchase });
    };
    let offer = ctx.store.offer(offer_id).await?;
    let req = checkout_request(ctx, &purchase, &offer)?;
    match stripe.create_checkout_session(&req, &format!("checkout-{}", purchase.id)).await {
        Ok(session) => {
            let url = session.url.clone().unwrap_or_default();
            ctx.store.set_checkout_session(purchase.id, &session.id, &url).await?;
            let purchase = ctx.store.purchase(purchase.id).await?;
            Ok(Bought::AwaitingPayment { purchase, url })
        }
        Err(e) => {
            // No session, no way to pay: give the stock back at once.
            tracing::warn!(purchase_id = purchase.id, error = %e, "checkout session failed; releasing");
            crate::metrics::stripe_error("create_session");
            ctx.store.release(purchase.id, PurchaseEvent::Cancel, &Actor::System, ctx.clock.now()).await?;
            Err(BuyError::PaymentUnavailable)
        }
    }
}

fn checkout_request(ctx: &Ctx, p: &Purchase, offer: &Offer) -> anyhow::Result<CheckoutRequest> {
    let lines = p
        .lines
        .iter()
        .map(|l| {
            let item = offer.items.iter().find(|i| i.id == l.item_id);
            CheckoutLine {
                name: match item {
                    Some(i) => format!("{} – {} ({})", offer.title, i.name, i.unit),
                    None => offer.title.clone(),
                },
                unit_amount: l.unit_price.minor(),
                quantity: l.quantity,
            }
        })
        .collect();
    let back = ctx.deep_link(&format!("order_{}", p.id));
    Ok(CheckoutRequest {
        purchase_id: p.id,
        currency: p.total.currency().code().to_ascii_lowercase(),
        lines,
        expires_at: p.expires_at.ok_or_else(|| anyhow::anyhow!("a Stripe reservation has a TTL"))?.timestamp(),
        success_url: back.clone(),
        cancel_url: back,
        customer_reference: Some(p.customer_tg_id.to_string()),
    })
}

/// Stripe says the session was paid (webhook, or found while expiring it).
pub async fn paid(ctx: &Ctx, purchase_id: i64, payment_intent: Option<&str>) -> anyhow::Result<()> {
    match ctx.store.mark_paid(purchase_id, payment_intent, ctx.clock.now()).await? {
        Some(LateOutcome::Taken) => {
            crate::metrics::payment("paid");
            let p = ctx.store.purchase(purchase_id).await?;
            tracing::info!(purchase_id, "paid");
            confirm_to_customer(ctx, &p).await;
            notify_business(ctx, &p).await;
        }
        Some(LateOutcome::MustRefund) => {
            crate::metrics::payment("late_refunded");
            let p = ctx.store.purchase(purchase_id).await?;
            tracing::warn!(purchase_id, "paid after the reservation lapsed and stock is gone; refunding");
            tell(ctx, p.customer_tg_id, &texts::paid_too_late(&p.total.to_string())).await;
            process_refunds(ctx).await;
        }
        None => tracing::info!(purchase_id, "payment already recorded"),
    }
    Ok(())
}

/// Stripe says the session expired: release the reservation if it still holds.
pub async fn session_expired(ctx: &Ctx, purchase_id: i64) -> anyhow::Result<()> {
    if ctx.store.release(purchase_id, PurchaseEvent::Expire, &Actor::Stripe, ctx.clock.now()).await? {
        let p = ctx.store.purchase(purchase_id).await?;
        tell(ctx, p.customer_tg_id, texts::RESERVATION_LAPSED).await;
    }
    Ok(())
}

/// What a cancellation led to.
#[derive(Debug)]
pub enum Cancelled {
    Released,
    Refunding(Money),
}

#[derive(Debug, thiserror::Error)]
pub enum CancelOrderError {
    #[error(transparent)]
    Policy(#[from] CancelError),
    #[error("that order isn't yours")]
    NotYours,
    #[error("payments are unreachable right now; please try again in a minute")]
    TryAgain,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for CancelOrderError {
    fn from(e: StoreError) -> Self {
        CancelOrderError::Unexpected(e.into())
    }
}

/// A customer cancels an order: unpaid ones are released, paid ones
/// refunded in full until the cutoff.
pub async fn cancel(ctx: &Ctx, customer: i64, purchase_id: i64) -> Result<Cancelled, CancelOrderError> {
    let p = ctx.store.purchase(purchase_id).await?;
    if p.customer_tg_id != customer {
        return Err(CancelOrderError::NotYours);
    }
    let offer = ctx.store.offer(p.offer_id).await?;
    let cutoff = Duration::from_std(ctx.settings.cancellation_cutoff).unwrap_or(Duration::hours(2));
    let now = ctx.clock.now();
    let mut status = p.status;
    // An open Checkout Session is closed first, so it can't be paid after
    // the stock went back. If it turns out to be paid, it is a paid order.
    if status == PurchaseStatus::Reserved
        && let (Some(stripe), Some(session)) = (ctx.stripe.as_ref(), p.stripe_session_id.as_deref())
    {
        match stripe.expire_checkout_session(session).await {
            Ok(_) => {}
            Err(StripeError::Api { .. }) => match stripe.retrieve_checkout_session(session).await {
                Ok(s) if s.is_paid() => {
                    paid(ctx, p.id, s.payment_intent.as_deref()).await?;
                    status = ctx.store.purchase(p.id).await?.status;
                }
                Ok(_) => {}
                Err(_) => return Err(CancelOrderError::TryAgain),
            },
            Err(_) => return Err(CancelOrderError::TryAgain),
        }
    }
    let actor = Actor::User(customer);
    match cancellation(status, offer.pickup_start, offer.pickup_end, cutoff, now)? {
        Cancellation::Release => {
            if !ctx.store.release(p.id, PurchaseEvent::Cancel, &actor, now).await? {
                return Err(CancelError::NotCancellable(ctx.store.purchase(p.id).await?.status.label()).into());
            }
            crate::metrics::purchase("cancelled");
            tell_business(ctx, &offer, &texts::business_order_cancelled(p.id, &p.pickup_code.to_string())).await;
            Ok(Cancelled::Released)
        }
        Cancellation::Refund => {
            if !ctx.store.request_refund(p.id, &actor, now).await? {
                return Err(CancelError::NotCancellable(ctx.store.purchase(p.id).await?.status.label()).into());
            }
            crate::metrics::purchase("refund_requested");
            tell_business(ctx, &offer, &texts::business_order_cancelled(p.id, &p.pickup_code.to_string())).await;
            process_refunds(ctx).await;
            Ok(Cancelled::Refunding(p.total))
        }
    }
}

/// Job: releases reservations past their TTL. The Checkout Session is
/// expired at Stripe first; if Stripe says it was paid meanwhile, the order
/// is paid instead. If Stripe can't be reached the reservation waits for the
/// next run.
pub async fn release_lapsed(ctx: &Ctx) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    for p in ctx.store.lapsed_reservations(now, 200).await? {
        if let (Some(stripe), Some(session)) = (ctx.stripe.as_ref(), p.stripe_session_id.as_deref()) {
            match stripe.expire_checkout_session(session).await {
                Ok(s) if s.is_paid() => {
                    paid(ctx, p.id, s.payment_intent.as_deref()).await?;
                    continue;
                }
                Ok(_) => {}
                Err(StripeError::Api { .. }) => match stripe.retrieve_checkout_session(session).await {
                    Ok(s) if s.is_paid() => {
                        paid(ctx, p.id, s.payment_intent.as_deref()).await?;
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(purchase_id = p.id, error = %e, "can't check session; retrying later");
                        continue;
                    }
                },
                Err(e) => {
                    crate::metrics::stripe_error("expire_session");
                    tracing::warn!(purchase_id = p.id, error = %e, "can't expire session; retrying later");
                    continue;
                }
            }
        }
        if ctx.store.release(p.id, PurchaseEvent::Expire, &Actor::System, now).await? {
            crate::metrics::purchase("expired");
            tell(ctx, p.customer_tg_id, texts::RESERVATION_LAPSED).await;
        }
    }
    Ok(())
}

/// Job (and right after a cancellation): refunds waiting in the queue.
/// Each try uses the same idempotency key, so a retry never refunds twice;
/// failures wait longer each time and are retried until Stripe accepts.
pub async fn process_refunds(ctx: &Ctx) {
    let Some(stripe) = ctx.stripe.as_ref() else { return };
    let now = ctx.clock.now();
    let due = match ctx.store.due_refunds(now, 50).await {
        Ok(d) => d,
        Err(e) => return tracing::error!(error = %e, "can't read the refund queue"),
    };
    for p in due {
        let Some(pi) = p.stripe_payment_intent.as_deref() else {
            tracing::error!(purchase_id = p.id, "refund pending without a payment intent");
            let _ = ctx.store.refund_attempt_failed(p.id, now + Duration::hours(6)).await;
            continue;
        };
        match stripe.create_refund(pi, &format!("refund-{}", p.id), p.id).await {
            Ok(r) if r.status != "failed" && r.status != "canceled" => {
                if let Ok(true) = ctx.store.mark_refunded(p.id, ctx.clock.now()).await {
                    crate::metrics::refund("refunded");
                    tracing::info!(purchase_id = p.id, refund = %r.id, "refunded");
                    tell(ctx, p.customer_tg_id, &texts::refunded(p.id, &p.total.to_string())).await;
                }
            }
            outcome => {
                crate::metrics::refund("failed");
                // 30 s, 1 min, 2 min, … capped at about 8.5 hours.
                let wait = Duration::seconds(30 * 2_i64.pow(p.refund_attempts.min(10)));
                let _ = ctx.store.refund_attempt_failed(p.id, now + wait).await;
                match outcome {
                    Ok(r) => tracing::error!(purchase_id = p.id, status = %r.status, "refund not accepted; retrying"),
                    Err(e) => tracing::warn!(purchase_id = p.id, error = %e, ?wait, "refund failed; retrying"),
                }
            }
        }
    }
}

async fn tell(ctx: &Ctx, chat: i64, text: &str) {
    if let Err(e) = ctx.tg.send_text(chat, text, None, false).await {
        crate::metrics::telegram_error("sendMessage");
        tracing::warn!(chat, error = %e, "couldn't send a message");
    }
}

async fn tell_business(ctx: &Ctx, offer: &Offer, text: &str) {
    match ctx.store.business(offer.business_id).await {
        Ok(b) => tell(ctx, b.owner_tg_id, text).await,
        Err(e) => tracing::warn!(offer_id = offer.id, error = %e, "no business to tell"),
    }
}

/// The order confirmation with the pickup code.
pub async fn confirm_to_customer(ctx: &Ctx, p: &Purchase) {
    match texts_for_order(ctx, p).await {
        Ok(text) => tell(ctx, p.customer_tg_id, &text).await,
        Err(e) => tracing::error!(purchase_id = p.id, error = %e, "couldn't render the confirmation"),
    }
}

pub async fn texts_for_order(ctx: &Ctx, p: &Purchase) -> anyhow::Result<String> {
    let offer = ctx.store.offer(p.offer_id).await?;
    let venue = ctx.store.venue(offer.venue_id).await?;
    let lines = order_lines(p, &offer);
    let window = offer.window().map(|w| w.display(venue.timezone, ctx.clock.now())).unwrap_or_default();
    Ok(texts::order_confirmed(
        p.id,
        &p.pickup_code.to_string(),
        &lines,
        &p.total.to_string(),
        p.method == PaymentMethod::AtPickup,
        &window,
        &venue.name,
        &venue.address,
        offer.remaining(),
    ))
}

pub fn order_lines(p: &Purchase, offer: &Offer) -> String {
    p.lines
        .iter()
        .map(|l| {
            let name = offer.items.iter().find(|i| i.id == l.item_id).map_or("item", |i| i.name.as_str());
            format!("{} × {} ({})", l.quantity, texts::esc(name), l.unit_price)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn notify_business(ctx: &Ctx, p: &Purchase) {
    let offer = match ctx.store.offer(p.offer_id).await {
        Ok(o) => o,
        Err(e) => return tracing::warn!(purchase_id = p.id, error = %e, "no offer for business notice"),
    };
    let text = texts::business_new_order(
        p.id,
        &texts::esc(&offer.title),
        &order_lines(p, &offer),
        &p.pickup_code.to_string(),
        p.method == PaymentMethod::AtPickup,
        offer.remaining(),
    );
    tell_business(ctx, &offer, &text).await;
}
