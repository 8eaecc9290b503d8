//! Buying, paying, cancelling and refunding.
//!
//! A customer never pays for food that is not reserved for them: the
//! reservation comes first; a Checkout Session is only created for a
//! reservation and is expired at Stripe before the reservation is released.
//! Every captured payment ends in an order or a full refund, whatever order
//! events arrive in: a payment for a reservation that can't be fulfilled any
//! more (lapsed and sold, cancelled, withdrawn) becomes `refund_pending`,
//! and the refund queue follows each refund until Stripe says `succeeded`
//! (or `failed`, which admins and the business hear about).
//!
//! Nothing here sends a message: state changes write typed notices in
//! their own transaction, and the notice sender renders and sends them.

use chrono::{DateTime, Duration, Utc};

use super::Ctx;
use crate::domain::purchase::{CancelError, Cancellation, PurchaseEvent, cancellation};
use crate::domain::{Money, NoticeKind, OfferStatus, PurchaseStatus};
use crate::payments::stripe::{
    CheckoutLine, CheckoutRequest, CheckoutSession, Destination, RefundOf, RefundState, StripeClient, StripeError,
    checkout_form,
};
use crate::store::{
    Actor, EventRef, NewPurchase, Offer, PaidOutcome, PaymentMethod, Purchase, ReserveError, StoreError, To,
};

/// Stripe requires a Checkout Session to live at least 30 minutes from
/// when *it* creates the session; the margin covers the request's travel
/// and clocks that disagree by a little.
pub const SESSION_MIN_LIFETIME: Duration = Duration::minutes(35);

/// What pressing Buy led to.
#[derive(Debug)]
pub enum Bought {
    /// Stock reserved; pay at this Checkout URL before the reservation lapses.
    AwaitingPayment { purchase: Purchase, url: String },
    /// Pay at pickup: the order stands.
    Confirmed { purchase: Purchase },
    /// The customer already holds a reservation on this offer.
    Reopened { purchase: Purchase, url: Option<String> },
    /// This very request was carried out before (a replayed update, a
    /// double press): its purchase, as it stands now.
    Again { purchase: Purchase },
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
/// opens a Checkout Session for exactly that reservation. `request_key`
/// identifies the request (the pressed keyboard): the same key again finds
/// the first purchase and answers from it, whatever happened in between.
pub async fn buy(
    ctx: &Ctx,
    customer: i64,
    offer_id: i64,
    item_id: i64,
    quantity: u32,
    request_key: Option<String>,
) -> Result<Bought, BuyError> {
    if let Some(open) = ctx.store.open_reservation(customer, offer_id).await? {
        return resume(ctx, open, false).await;
    }
    let now = ctx.clock.now();
    let cap = ctx.settings.max_units_per_order;
    if quantity == 0 || quantity > cap {
        return Err(BuyError::Unavailable("That quantity isn't possible for one order."));
    }
    let mut stripe = ctx.stripe.as_ref();
    // With Connect, a business whose account can't take charges sells
    // pay-at-pickup only: the money must never stay with the platform.
    if stripe.is_some() && ctx.settings.connect_enabled() {
        let business_id = ctx.store.offer(offer_id).await?.business_id;
        if super::connect::chargeable_account(ctx, business_id).await?.is_none() {
            stripe = None;
        }
    }
    let method = if stripe.is_some() { PaymentMethod::Stripe } else { PaymentMethod::AtPickup };
    let ttl = Duration::from_std(ctx.settings.reservation_ttl).unwrap_or(Duration::minutes(30));
    let new = NewPurchase {
        customer_tg_id: customer,
        offer_id,
        lines: vec![(item_id, quantity)],
        method,
        expires_at: stripe.map(|_| now + ttl),
        request_key,
    };
    let purchase = match ctx.store.reserve(&new, now).await {
        Ok((p, _)) => p,
        Err(ReserveError::AlreadyMade(id)) => return resume(ctx, ctx.store.purchase(id).await?, true).await,
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
        return Ok(Bought::Confirmed { purchase });
    };
    match open_session(ctx, stripe, &purchase).await {
        Ok(session) => {
            let url = session.url.clone().unwrap_or_default();
            ctx.store.set_checkout_session(purchase.id, &session.id, &url).await?;
            let purchase = ctx.store.purchase(purchase.id).await?;
            Ok(Bought::AwaitingPayment { purchase, url })
        }
        Err(e) if e.is_retryable() => {
            // Stripe may have made the session even so. The reservation
            // lapses now; the release job replays the request (same key,
            // same form) to find out, and expires the session before the
            // stock goes back.
            tracing::warn!(purchase_id = purchase.id, error = %e, "checkout session failed; lapsing the reservation");
            crate::metrics::stripe_error("create_session");
            ctx.store.lapse_now(purchase.id, ctx.clock.now()).await?;
            Err(BuyError::PaymentUnavailable)
        }
        Err(e) => {
            // Refused outright: no session exists, so no payment can come.
            tracing::error!(purchase_id = purchase.id, error = %e, "Stripe refused the checkout session; releasing");
            crate::metrics::stripe_error("create_session");
            ctx.store.release(purchase.id, PurchaseEvent::Cancel, &Actor::System, &[], ctx.clock.now()).await?;
            Err(BuyError::PaymentUnavailable)
        }
    }
}

/// A purchase made before (an open reservation of this customer, or this
/// very request): a reservation whose session was never made (the process
/// died in between) gets it now, with the kept form and key.
async fn resume(ctx: &Ctx, p: Purchase, same_request: bool) -> Result<Bought, BuyError> {
    if p.status == PurchaseStatus::Reserved
        && p.stripe_session_id.is_none()
        && p.expires_at.is_some_and(|t| t > ctx.clock.now())
        && let Some(stripe) = ctx.stripe.as_ref()
        && let Ok(session) = open_session(ctx, stripe, &p).await
    {
        let url = session.url.clone().unwrap_or_default();
        ctx.store.set_checkout_session(p.id, &session.id, &url).await?;
        let purchase = ctx.store.purchase(p.id).await?;
        return Ok(Bought::AwaitingPayment { purchase, url });
    }
    if same_request {
        return Ok(Bought::Again { purchase: p });
    }
    let url = p.stripe_session_url.clone();
    Ok(Bought::Reopened { purchase: p, url })
}

/// Creates (or, for a retry, re-creates: Stripe replays the first answer)
/// the Checkout Session of a reservation. The form is built once, kept
/// with the purchase before it is sent, and sent as kept ever after.
pub(super) async fn open_session(
    ctx: &Ctx,
    stripe: &StripeClient,
    p: &Purchase,
) -> Result<CheckoutSession, StripeError> {
    let form: Vec<(String, String)> = match &p.checkout_params {
        Some(kept) => serde_json::from_str(kept).map_err(|e| StripeError::Unexpected(e.into()))?,
        None => {
            let offer = ctx.store.offer(p.offer_id).await.map_err(|e| StripeError::Unexpected(e.into()))?;
            let mut request = checkout_request(ctx, p, &offer)?;
            let fee = super::ledger::fee_rule(ctx, offer.business_id, p.total.currency())
                .await
                .map_err(|e| StripeError::Unexpected(e.into()))?
                .fee(p.total.minor());
            let account = super::connect::chargeable_account(ctx, offer.business_id)
                .await
                .map_err(|e| StripeError::Unexpected(e.into()))?;
            request.destination = account.as_ref().map(|a| Destination {
                account: a.account_id.clone(),
                application_fee: fee,
                on_behalf_of: a.country().is_some_and(|c| ctx.settings.on_behalf_of(c)),
            });
            let form = checkout_form(&request);
            let kept = serde_json::to_string(&form).map_err(|e| StripeError::Unexpected(e.into()))?;
            let connect = account.as_ref().map(|a| a.account_id.as_str());
            ctx.store
                .set_checkout_params(p.id, &kept, fee, connect)
                .await
                .map_err(|e| StripeError::Unexpected(e.into()))?;
            // Another attempt may have kept its form first: send that one.
            let stored = ctx.store.purchase(p.id).await.map_err(|e| StripeError::Unexpected(e.into()))?;
            match stored.checkout_params {
                Some(s) if s != kept => serde_json::from_str(&s).map_err(|e| StripeError::Unexpected(e.into()))?,
                _ => form,
            }
        }
    };
    let key = idempotency_key(ctx, &format!("checkout-{}", p.id)).await?;
    stripe.create_checkout_session(&form, &key).await
}

/// `{install id}-{what}`: unique per deployment, and new after a restore.
async fn idempotency_key(ctx: &Ctx, what: &str) -> Result<String, StripeError> {
    let install = ctx.store.install_id().await.map_err(|e| StripeError::Unexpected(e.into()))?;
    Ok(format!("{install}-{what}"))
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
        expires_at: session_expires_at(p.expires_at, Utc::now()).timestamp(),
        success_url: back.clone(),
        cancel_url: back,
        customer_reference: Some(p.customer_tg_id.to_string()),
        destination: None,
    })
}

/// When the Checkout Session should expire: when the reservation does, but
/// never sooner than Stripe accepts, counted from `now` (wall-clock time,
/// as Stripe counts it) when the request is built. A reservation shorter
/// than that is released by the job, which expires the session first.
pub fn session_expires_at(reservation_ends: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    let floor = now + SESSION_MIN_LIFETIME;
    reservation_ends.map_or(floor, |end| end.max(floor))
}

/// Stripe says the session was paid (a webhook, or found while expiring
/// it). With `event`, its record commits with the effect.
pub async fn paid(
    ctx: &Ctx,
    purchase_id: i64,
    payment_intent: Option<&str>,
    event: Option<EventRef<'_>>,
) -> anyhow::Result<PaidOutcome> {
    let outcome = ctx.store.mark_paid(purchase_id, payment_intent, event, ctx.clock.now()).await?;
    match outcome {
        PaidOutcome::Confirmed => {
            crate::metrics::payment("paid");
            tracing::info!(purchase_id, "paid");
        }
        PaidOutcome::MustRefund => {
            crate::metrics::payment("refund_owed");
            tracing::warn!(purchase_id, "paid, but the order can't be fulfilled; refunding in full");
        }
        PaidOutcome::AlreadyKnown | PaidOutcome::Duplicate => tracing::info!(purchase_id, "payment already recorded"),
    }
    Ok(outcome)
}

/// Stripe says the session expired: release the reservation if it still holds.
pub async fn session_expired(ctx: &Ctx, purchase_id: i64, event: Option<EventRef<'_>>) -> anyhow::Result<()> {
    release_lapsed_one(ctx, purchase_id, &Actor::Stripe, true, event).await?;
    Ok(())
}

/// Releases a reservation whose session can no longer be paid: it lapsed
/// (`expired`), or its deal was withdrawn (`cancelled`). With `tell`, the
/// customer hears which; a customer who never saw a Pay button (the
/// session was never made, or never reached us) was already told nothing
/// was reserved.
async fn release_lapsed_one(
    ctx: &Ctx,
    purchase_id: i64,
    actor: &Actor,
    tell: bool,
    record: Option<EventRef<'_>>,
) -> anyhow::Result<bool> {
    let p = ctx.store.purchase(purchase_id).await?;
    let withdrawn = ctx.store.offer(p.offer_id).await?.status == OfferStatus::Withdrawn;
    let (event, kind) = if withdrawn {
        (PurchaseEvent::Cancel, NoticeKind::WithdrawnReleased)
    } else {
        (PurchaseEvent::Expire, NoticeKind::ReservationLapsed)
    };
    // A lapsing waitlist hold is reported by the store (`HoldLapsed`, in
    // the release's transaction), not as an ordinary reservation.
    let hold = !withdrawn && ctx.store.hold_of(purchase_id).await?.is_some();
    let told: &[(To, NoticeKind)] = if tell && !hold { &[(To::Customer, kind)] } else { &[] };
    let released = ctx.store.release_for(purchase_id, event, actor, told, record, ctx.clock.now()).await?;
    if released {
        crate::metrics::purchase(if withdrawn { "cancelled" } else { "expired" });
    }
    Ok(released)
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

/// What Stripe says about the session of a reservation we want to release.
enum SessionFate {
    /// It can no longer be paid: release the reservation.
    Closed,
    /// It was paid: take the paid path.
    Paid(Option<String>),
    /// Stripe couldn't say; the reservation stays payable and we ask again.
    Unknown,
}

/// Expires a reservation's Checkout Session at Stripe; if Stripe refuses
/// because it completed, the payment is taken.
async fn close_session(stripe: &StripeClient, purchase_id: i64, session: &str) -> SessionFate {
    match stripe.expire_checkout_session(session).await {
        Ok(s) if s.is_paid() => SessionFate::Paid(s.payment_intent),
        Ok(_) => SessionFate::Closed,
        Err(StripeError::Api { .. }) => match stripe.retrieve_checkout_session(session).await {
            Ok(s) if s.is_paid() => SessionFate::Paid(s.payment_intent),
            Ok(s) if s.is_expired() || s.status.as_deref() == Some("complete") => SessionFate::Closed,
            Ok(_) => SessionFate::Unknown,
            Err(e) => {
                tracing::warn!(purchase_id, error = %e, "can't read the session; trying later");
                SessionFate::Unknown
            }
        },
        Err(e) => {
            crate::metrics::stripe_error("expire_session");
            tracing::warn!(purchase_id, error = %e, "can't expire the session; trying later");
            SessionFate::Unknown
        }
    }
}

/// A customer cancels an order: unpaid ones are released, paid ones
/// refunded in full until the cutoff (through the refund queue).
pub async fn cancel(ctx: &Ctx, customer: i64, purchase_id: i64) -> Result<Cancelled, CancelOrderError> {
    let p = ctx.store.purchase(purchase_id).await?;
    if p.customer_tg_id != customer {
        return Err(CancelOrderError::NotYours);
    }
    let offer = ctx.store.offer(p.offer_id).await?;
    let cutoff = Duration::from_std(ctx.settings.cancellation_cutoff).unwrap_or(Duration::hours(2));
    let mut status = p.status;
    // An open Checkout Session is closed first, so it can't be paid after
    // the stock went back. If it turns out to be paid, it is a paid order.
    if status == PurchaseStatus::Reserved
        && let (Some(stripe), Some(session)) = (ctx.stripe.as_ref(), p.stripe_session_id.as_deref())
    {
        match close_session(stripe, p.id, session).await {
            SessionFate::Closed => {}
            SessionFate::Paid(pi) => {
                paid(ctx, p.id, pi.as_deref(), None).await?;
                status = ctx.store.purchase(p.id).await?.status;
            }
            SessionFate::Unknown => return Err(CancelOrderError::TryAgain),
        }
    }
    let actor = Actor::User(customer);
    let now = ctx.clock.now();
    match cancellation(status, offer.pickup_start, offer.pickup_end, cutoff, now)? {
        Cancellation::Release => {
            // The business heard of a pay-at-pickup order; tell it it's off.
            let tell: &[(To, NoticeKind)] =
                if status == PurchaseStatus::Confirmed { &[(To::Owner, NoticeKind::OrderCancelled)] } else { &[] };
            if !ctx.store.release(p.id, PurchaseEvent::Cancel, &actor, tell, now).await? {
                return Err(CancelError::NotCancellable(ctx.store.purchase(p.id).await?.status.label()).into());
            }
            crate::metrics::purchase("cancelled");
            Ok(Cancelled::Released)
        }
        Cancellation::Refund => {
            if !ctx.store.request_refund(p.id, &actor, now).await? {
                return Err(CancelError::NotCancellable(ctx.store.purchase(p.id).await?.status.label()).into());
            }
            crate::metrics::refund("requested");
            Ok(Cancelled::Refunding(p.total))
        }
    }
}

/// What reconciliation (or a job) found out of step with Stripe and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub purchase_id: i64,
    /// What our database believed against what Stripe said.
    pub found: &'static str,
    /// What was done about it.
    pub action: &'static str,
}

/// Job: releases reservations past their TTL. The Checkout Session is
/// expired at Stripe first; if Stripe says it was paid meanwhile, the order
/// takes the paid path instead. If Stripe can't be reached, the
/// reservation stays payable and waits for the next run.
pub async fn release_lapsed(ctx: &Ctx) -> anyhow::Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for p in ctx.store.lapsed_reservations(ctx.clock.now(), 200).await? {
        if let Some(f) = settle_reservation(ctx, &p).await? {
            findings.push(f);
        }
    }
    Ok(findings)
}

async fn settle_reservation(ctx: &Ctx, p: &Purchase) -> anyhow::Result<Option<Finding>> {
    let finding = |found, action| Some(Finding { purchase_id: p.id, found, action });
    // Whether the customer was ever shown a Pay button for it.
    let shown = p.stripe_session_url.is_some();
    let Some(stripe) = ctx.stripe.as_ref() else {
        release_lapsed_one(ctx, p.id, &Actor::System, true, None).await?;
        return Ok(None);
    };
    let session = match (&p.stripe_session_id, &p.checkout_params) {
        (Some(s), _) => s.clone(),
        // Asked for a session but never heard back: ask again with the same
        // key and form. Stripe answers with the session it made, if any.
        (None, Some(_)) => match open_session(ctx, stripe, p).await {
            Ok(s) => {
                ctx.store.set_checkout_session(p.id, &s.id, s.url.as_deref().unwrap_or_default()).await?;
                s.id
            }
            Err(e) if e.is_retryable() => {
                tracing::warn!(purchase_id = p.id, error = %e, "can't learn whether a session was made; trying later");
                return Ok(None);
            }
            Err(_) => {
                release_lapsed_one(ctx, p.id, &Actor::System, false, None).await?;
                return Ok(None);
            }
        },
        (None, None) => {
            release_lapsed_one(ctx, p.id, &Actor::System, false, None).await?;
            return Ok(None);
        }
    };
    Ok(match close_session(stripe, p.id, &session).await {
        SessionFate::Closed => {
            release_lapsed_one(ctx, p.id, &Actor::System, shown, None).await?;
            None
        }
        SessionFate::Paid(pi) => {
            crate::metrics::reconciled("missed_payment");
            match paid(ctx, p.id, pi.as_deref(), None).await? {
                PaidOutcome::Confirmed => finding("reserved, but paid at Stripe", "marked paid; customer told"),
                _ => finding("reserved, but paid at Stripe", "refund owed; queued"),
            }
        }
        SessionFate::Unknown => None,
    })
}

/// Job (every second, on every instance): refunds that are due. A refund
/// not yet created is created with its attempt's idempotency key (a retry
/// never refunds twice); one created but pending is looked up again with
/// a growing wait. `refund_pending` ends only when Stripe says `succeeded`
/// (→ `refunded`) or `failed`/`canceled` (→ `refund_failed`).
pub async fn process_refunds(ctx: &Ctx) -> Vec<Finding> {
    let mut findings = Vec::new();
    if ctx.stripe.is_none() {
        return findings;
    }
    let due = match ctx.store.claim_due_refunds(ctx.clock.now(), 50).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "can't read the refund queue");
            return findings;
        }
    };
    for p in due {
        match follow_refund(ctx, &p).await {
            Ok(Some(f)) => findings.push(f),
            Ok(None) => {}
            Err(e) => tracing::error!(purchase_id = p.id, error = ?e, "refund step failed"),
        }
    }
    findings
}

/// One step of one refund. Returns what it settled.
async fn follow_refund(ctx: &Ctx, p: &Purchase) -> anyhow::Result<Option<Finding>> {
    let Some(stripe) = ctx.stripe.as_ref() else { return Ok(None) };
    let now = ctx.clock.now();
    let backoff = Duration::seconds(30 * 2_i64.pow(p.refund_attempts.min(10)));
    let refund = match &p.stripe_refund_id {
        Some(id) => stripe.retrieve_refund(id).await,
        None => {
            let Some(pi) = p.stripe_payment_intent.as_deref() else {
                tracing::error!(purchase_id = p.id, "refund pending without a payment intent");
                ctx.store.refund_attempt_failed(p.id, now + Duration::hours(6)).await?;
                return Ok(None);
            };
            let key = idempotency_key(ctx, &format!("refund-{}-{}", p.id, p.refund_seq)).await?;
            // A destination charge: pull the transfer back, and the fee
            // too when there was one (Stripe refuses the flag otherwise).
            let of = match p.connect_account {
                Some(_) => RefundOf::Destination { with_fee: p.platform_fee.unwrap_or(0) > 0 },
                None => RefundOf::Platform,
            };
            stripe.create_refund_with(pi, &key, p.id, of).await
        }
    };
    let refund = match refund {
        Ok(r) => r,
        Err(StripeError::Api { code: Some(code), .. }) if code == "charge_already_refunded" => {
            // Refunded by an earlier attempt or by hand at Stripe: the money
            // is back with the customer.
            if ctx.store.mark_refunded(p.id, None, None, now).await? {
                crate::metrics::refund("refunded");
                return Ok(Some(Finding {
                    purchase_id: p.id,
                    found: "already refunded at Stripe",
                    action: "marked refunded",
                }));
            }
            return Ok(None);
        }
        Err(e) => {
            crate::metrics::stripe_error("refund");
            tracing::warn!(purchase_id = p.id, error = %e, ?backoff, "refund step failed; retrying");
            ctx.store.refund_attempt_failed(p.id, now + backoff).await?;
            return Ok(None);
        }
    };
    Ok(match refund.state() {
        RefundState::Succeeded => {
            if ctx.store.mark_refunded(p.id, Some(&refund.id), None, now).await? {
                crate::metrics::refund("refunded");
                tracing::info!(purchase_id = p.id, refund = %refund.id, "refunded");
                Some(Finding { purchase_id: p.id, found: "refund succeeded at Stripe", action: "marked refunded" })
            } else {
                None
            }
        }
        RefundState::Pending => {
            tracing::info!(purchase_id = p.id, refund = %refund.id, status = %refund.status, "refund pending at Stripe");
            ctx.store.refund_created(p.id, &refund.id, now + backoff).await?;
            None
        }
        RefundState::Failed => {
            let reason = refund.failure_reason.clone().unwrap_or_else(|| refund.status.clone());
            refund_failed(ctx, p.id, &reason, None).await?;
            Some(Finding { purchase_id: p.id, found: "refund failed at Stripe", action: "refund_failed; admins told" })
        }
    })
}

/// A refund failed: `refund_failed`, the customer, the business and every
/// admin told.
pub async fn refund_failed(
    ctx: &Ctx,
    purchase_id: i64,
    reason: &str,
    event: Option<EventRef<'_>>,
) -> anyhow::Result<bool> {
    let admins = &ctx.settings.admin_telegram_ids;
    let done = ctx.store.mark_refund_failed(purchase_id, reason, admins, event, ctx.clock.now()).await?;
    if done {
        crate::metrics::refund("failed");
        tracing::error!(purchase_id, reason, "refund failed");
    }
    Ok(done)
}

/// Reconciliation: asks Stripe about everything our database may believe
/// wrongly, and heals it: reservations past their TTL (a missed
/// `checkout.session.completed` becomes a paid order, or a refund),
/// refunds pending for more than a few minutes (a missed `refund.updated`),
/// and refunds confirmed in the last week (a card refund can still fail).
pub async fn reconcile(ctx: &Ctx) -> anyhow::Result<Vec<Finding>> {
    let mut findings = release_lapsed(ctx).await?;
    let Some(stripe) = ctx.stripe.as_ref() else { return Ok(findings) };
    let now = ctx.clock.now();
    for p in ctx.store.stale_refunds(now - Duration::minutes(5), 500).await? {
        if let Some(f) = follow_refund(ctx, &p).await? {
            crate::metrics::reconciled("refund");
            findings.push(f);
        }
    }
    for p in ctx.store.recent_refunds(now - Duration::days(7), 500).await? {
        let Some(id) = p.stripe_refund_id.as_deref() else { continue };
        match stripe.retrieve_refund(id).await {
            Ok(r) if r.state() == RefundState::Failed => {
                let reason = r.failure_reason.clone().unwrap_or_else(|| r.status.clone());
                if refund_failed(ctx, p.id, &reason, None).await? {
                    crate::metrics::reconciled("refund_failed_later");
                    findings.push(Finding {
                        purchase_id: p.id,
                        found: "refunded, but the refund failed later at Stripe",
                        action: "refund_failed; admins told",
                    });
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(purchase_id = p.id, error = %e, "can't check a recent refund"),
        }
    }
    Ok(findings)
}

/// An admin acts on a failed refund: try it again (a new attempt, so a new
/// idempotency key) or record it settled outside Stripe.
pub async fn resolve_failed_refund(
    ctx: &Ctx,
    admin: i64,
    purchase_id: i64,
    retry: bool,
) -> Result<PurchaseStatus, StoreError> {
    let event = if retry { PurchaseEvent::RetryRefund } else { PurchaseEvent::SettleRefund };
    let to = ctx.store.resolve_failed_refund(purchase_id, event, &Actor::Admin(admin), ctx.clock.now()).await?;
    tracing::info!(purchase_id, admin, event = event.as_str(), "failed refund resolved");
    Ok(to)
}
