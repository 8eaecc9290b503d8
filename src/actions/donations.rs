//! Unsold food to charities: an admin's invitation (a one-time deep link
//! whose token only the database's hash remembers), a charity's
//! registration, the jobs tick's offer of a deal's remainder to the
//! registered charities near the venue shortly before its window ends, and
//! the first acceptance, which takes the remainder as a zero-price order
//! through the same stock guard as a sale.

use chrono::Duration;

use crate::actions::Ctx;
use crate::domain::charity::{INVITE_PREFIX, InviteToken};
use crate::domain::text::Name;
use crate::store::{Charity, DonationOutcome, Registration};

/// An admin invites a charity: it exists unregistered, and the returned
/// deep link registers whoever opens it first.
pub async fn invite(ctx: &Ctx, admin: i64, name: &Name, area: &Name) -> anyhow::Result<(Charity, String)> {
    let token = InviteToken::generate();
    let charity = ctx.store.create_charity(name.as_str(), area.as_str(), &token.hash(), admin, ctx.clock.now()).await?;
    tracing::info!(charity_id = charity.id, admin, "charity invited");
    Ok((charity, ctx.deep_link(&format!("{INVITE_PREFIX}{}", token.as_str()))))
}

/// Someone opened `t.me/<bot>?start=charity_<token>`: `token` is what
/// followed the prefix.
pub async fn register(ctx: &Ctx, user: i64, token: &str) -> anyhow::Result<Registration> {
    let Some(token) = InviteToken::parse(token) else { return Ok(Registration::Unknown) };
    let outcome = ctx.store.register_charity(&token.hash(), user, ctx.clock.now()).await?;
    if let Registration::Registered(c) = &outcome {
        tracing::info!(charity_id = c.id, tg_user = user, "charity registered");
    }
    Ok(outcome)
}

/// The jobs tick's step: every active deal at a donating venue whose
/// window ends within `DONATION_LEAD_MINUTES` with units left is offered
/// to the registered charities within `DONATION_RADIUS_KM` of it, once
/// (the round's key makes a second tick, or another instance, do
/// nothing). Returns the rounds opened.
pub async fn offer_leftovers(ctx: &Ctx) -> anyhow::Result<usize> {
    let now = ctx.clock.now();
    let lead = Duration::from_std(ctx.settings.donation_lead)?;
    let candidates = ctx.store.donation_candidates(now, now + lead).await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let charities = ctx.store.located_charities().await?;
    let radius_m = f64::from(ctx.settings.donation_radius_km) * 1000.0;
    let mut opened = 0;
    for c in candidates {
        let near: Vec<i64> = charities
            .iter()
            .filter(|ch| ch.location.is_some_and(|at| at.distance_m(c.location) <= radius_m))
            .map(|ch| ch.id)
            .collect();
        if ctx.store.open_donation_round(c.offer_id, &near, now).await? {
            tracing::info!(offer_id = c.offer_id, charities = near.len(), "leftovers offered to charities");
            opened += 1;
        }
    }
    Ok(opened)
}

/// A charity's contact pressed Accept.
pub async fn accept(ctx: &Ctx, offer_id: i64, user: i64) -> anyhow::Result<DonationOutcome> {
    let outcome = ctx.store.accept_donation(offer_id, user, ctx.clock.now()).await?;
    tracing::info!(offer_id, tg_user = user, ?outcome, "donation answered");
    Ok(outcome)
}

/// A charity's contact pressed "Not this time".
pub async fn decline(ctx: &Ctx, offer_id: i64, user: i64) -> anyhow::Result<bool> {
    Ok(ctx.store.decline_donation(offer_id, user).await?)
}
