//! Getting paid by card: a verified business's Stripe Connect Express
//! account, created once; the onboarding link (Glean's own
//! `/connect/{token}`, which mints a fresh account link at every visit);
//! what Stripe says about the account (the return page's re-read and
//! `account.updated`); payouts into the ledger.
//!
//! The token in the chat's link is random, stored hashed, belongs to one
//! business and works until `CONNECT_LINK_HOURS` pass: Stripe sends the
//! browser back to `refresh_url` exactly when its own link expired, so the
//! same token must keep minting fresh links.

use chrono::Duration;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use super::Ctx;
use crate::domain::BusinessStatus;
use crate::domain::connect::{AccountState, Country, Email};
use crate::payments::stripe::{Account, StripeClient, StripeError};
use crate::store::{Actor, Business, ConnectAccount, EventRef, PayoutNews, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Card payouts are not switched on (no Stripe, or `STRIPE_CONNECT` off).
    #[error("card payouts are not switched on")]
    Off,
    /// Only a verified business can onboard.
    #[error("the business is not verified")]
    NotVerified,
    #[error("no such business")]
    NotFound,
    /// Stripe refused or couldn't be reached; nothing was kept.
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for ConnectError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ConnectError::NotFound,
            e => ConnectError::Unexpected(e.into()),
        }
    }
}

fn stripe(ctx: &Ctx) -> Result<&StripeClient, ConnectError> {
    match (&ctx.stripe, ctx.settings.connect_enabled()) {
        (Some(s), true) => Ok(s),
        _ => Err(ConnectError::Off),
    }
}

/// The owner's business that onboards: the first verified one, else the
/// first of any status (to say why not).
pub async fn business_of(ctx: &Ctx, owner: i64) -> Result<Option<Business>, ConnectError> {
    let all = ctx.store.businesses_of_owner(owner).await?;
    let verified = all.iter().find(|b| b.status == BusinessStatus::Verified).cloned();
    Ok(verified.or_else(|| all.into_iter().next()))
}

/// Creates the business's connected account at Stripe, once: a business
/// that has one keeps it (a second call returns it, and a retry after a
/// lost answer replays Stripe's first through the idempotency key).
pub async fn create_account(
    ctx: &Ctx,
    business: &Business,
    country: Country,
    email: &Email,
) -> Result<ConnectAccount, ConnectError> {
    let stripe = stripe(ctx)?;
    if business.status != BusinessStatus::Verified {
        return Err(ConnectError::NotVerified);
    }
    if let Some(existing) = ctx.store.connect_account(business.id).await? {
        return Ok(existing);
    }
    let install = ctx.store.install_id().await?;
    let key = format!("{install}-account-{}", business.id);
    let account = stripe.create_account(country.code(), email.as_str(), business.id, &key).await?;
    tracing::info!(business_id = business.id, account = %account.id, "connected account created");
    let kept = ctx
        .store
        .keep_connect_account(
            business.id,
            &account.id,
            country,
            email.as_str(),
            &account.state,
            &Actor::User(business.owner_tg_id),
            ctx.clock.now(),
        )
        .await?;
    Ok(kept)
}

/// A new onboarding token for the business: the URL of Glean's
/// `/connect/{token}` to put behind the chat's button.
pub async fn onboarding_url(ctx: &Ctx, business_id: i64) -> Result<String, ConnectError> {
    stripe(ctx)?;
    let base = ctx.settings.public_base_url.as_ref().ok_or(ConnectError::Off)?;
    let mut raw = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = hex::encode(raw);
    let now = ctx.clock.now();
    let expires = now + Duration::hours(i64::from(ctx.settings.connect_link_hours));
    ctx.store.add_connect_token(business_id, &hash(&token), expires, now).await?;
    Ok(format!("{}/connect/{token}", base.as_str().trim_end_matches('/')))
}

/// SHA-256 of a token or key, hex: what the database keeps.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// What a visit to `/connect/{token}` leads to.
#[derive(Debug)]
pub enum Visit {
    /// A fresh account link at Stripe.
    Redirect(String),
    /// The token is unknown, expired, or its business has no account: tap
    /// the button in Telegram again.
    Invalid,
}

fn urls(ctx: &Ctx, token: &str) -> Result<(String, String), ConnectError> {
    let base = ctx.settings.public_base_url.as_ref().ok_or(ConnectError::Off)?;
    let me = format!("{}/connect/{token}", base.as_str().trim_end_matches('/'));
    Ok((me.clone(), format!("{me}/return")))
}

async fn account_of_token(ctx: &Ctx, token: &str) -> Result<Option<ConnectAccount>, ConnectError> {
    if token.len() > 128 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(business) = ctx.store.connect_token_business(&hash(token), ctx.clock.now()).await? else {
        return Ok(None);
    };
    Ok(ctx.store.connect_account(business).await?)
}

/// A visit to the onboarding link (also Stripe's `refresh_url`): a fresh
/// account link for the token's business, every time.
pub async fn visit(ctx: &Ctx, token: &str) -> Result<Visit, ConnectError> {
    let stripe = stripe(ctx)?;
    let Some(account) = account_of_token(ctx, token).await? else { return Ok(Visit::Invalid) };
    let (refresh, back) = urls(ctx, token)?;
    let mut nonce = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut nonce);
    let install = ctx.store.install_id().await?;
    let key = format!("{install}-link-{}-{}", account.business_id, hex::encode(nonce));
    let link = stripe.create_account_link(&account.account_id, &refresh, &back, &key).await?;
    Ok(Visit::Redirect(link.url))
}

/// Stripe sent the browser back (`return_url`): the account is re-read
/// (the redirect alone proves nothing), kept, and the owner told where it
/// stands. `None` for an invalid token.
pub async fn returned(ctx: &Ctx, token: &str) -> Result<Option<AccountState>, ConnectError> {
    let stripe = stripe(ctx)?;
    let Some(account) = account_of_token(ctx, token).await? else { return Ok(None) };
    let fresh = stripe.retrieve_account(&account.account_id).await?;
    let link = match fresh.state.needs_something() {
        true => Some(onboarding_url(ctx, account.business_id).await?),
        false => None,
    };
    let now = ctx.clock.now();
    ctx.store.update_connect_account(&account.account_id, &fresh.state, None, true, link.as_deref(), now).await?;
    Ok(Some(fresh.state))
}

/// `account.updated`: keeps what Stripe says, tells the owner what
/// changed for them; recorded once with its effect.
pub async fn account_updated(ctx: &Ctx, account: &Account, event: EventRef<'_>) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    let change = ctx.store.update_connect_account(&account.id, &account.state, Some(event), false, None, now).await?;
    match change {
        Some(c) => tracing::info!(account = %account.id, can_charge = c.after.can_charge(), "account updated"),
        None => tracing::info!(account = %account.id, "account event seen before, or not ours"),
    }
    Ok(())
}

/// `payout.paid` / `payout.failed`: into the ledger (once), the owner
/// (and, for a failure, every admin) told.
pub async fn payout(ctx: &Ctx, news: &PayoutNews<'_>, event: EventRef<'_>) -> anyhow::Result<()> {
    let admins = &ctx.settings.admin_telegram_ids;
    let done = ctx.store.record_payout(news, admins, Some(event), ctx.clock.now()).await?;
    tracing::info!(payout = news.payout_id, failed = news.failure.is_some(), business = ?done, "payout recorded");
    Ok(())
}

/// The connected account card payments for `business_id` go to, when
/// Connect is on and Stripe lets us charge for it. With Connect on and
/// no such account, the business sells pay-at-pickup only.
pub async fn chargeable_account(ctx: &Ctx, business_id: i64) -> Result<Option<ConnectAccount>, StoreError> {
    if !ctx.settings.connect_enabled() {
        return Ok(None);
    }
    Ok(ctx.store.connect_account(business_id).await?.filter(|a| a.state.can_charge()))
}
