//! What each business is owed and has been paid: the platform fee for an
//! order, Stripe's processing fees into the ledger (a job), sales figures
//! and monthly statements in the business's time zone, the admins' fee
//! overrides, manual adjustments and the finance overview, and the
//! per-business API keys of the statement API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::RngCore as _;

use super::Ctx;
use crate::domain::Currency;
use crate::domain::ledger::{EntryKind, FeeError, FeeRule, Month, Party, Totals, period_starts};
use crate::domain::money::{MoneyError, parse_signed};
use crate::store::{Actor, Business, ConnectAccount, LedgerEntry, NewEntry, Store, StoreError};

/// The fee rule for a business's orders in `currency`: the admin's
/// override, else `PLATFORM_FEE_BPS` + `PLATFORM_FEE_FIXED`.
pub async fn fee_rule(ctx: &Ctx, business_id: i64, currency: Currency) -> Result<FeeRule, StoreError> {
    Ok(match ctx.store.fee_override(business_id).await? {
        Some(rule) => rule,
        None => ctx.settings.default_fee(currency),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum SetFeeError {
    #[error("no business #{0}")]
    NotFound(i64),
    #[error(transparent)]
    Fee(#[from] FeeError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// An admin sets a business's fee: `percent` ("7.5") and an optional
/// fixed part in the business's currency ("0.30").
pub async fn set_fee(
    ctx: &Ctx,
    admin: i64,
    business_id: i64,
    percent: &str,
    fixed: Option<&str>,
) -> Result<(Business, FeeRule), SetFeeError> {
    let business = match ctx.store.business(business_id).await {
        Ok(b) => b,
        Err(StoreError::NotFound) => return Err(SetFeeError::NotFound(business_id)),
        Err(e) => return Err(SetFeeError::Unexpected(e.into())),
    };
    let rule = FeeRule::parse(percent, fixed, business.currency)?;
    ctx.store.set_fee_override(business_id, rule, admin, ctx.clock.now()).await.map_err(|e| anyhow::anyhow!(e))?;
    tracing::info!(business_id, admin, bps = rule.bps(), fixed = rule.fixed(), "fee set");
    Ok((business, rule))
}

#[derive(Debug, thiserror::Error)]
pub enum AdjustError {
    #[error("no business #{0}")]
    NotFound(i64),
    #[error("the amount: {0}")]
    Amount(#[from] MoneyError),
    #[error("an adjustment of zero changes nothing")]
    Zero,
    #[error("say why, e.g. /adjust 12 -45.00 paid by bank transfer")]
    NoReason,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// An admin records a manual payment or correction for a business, with a
/// reason: a signed amount in its currency (a payment made by hand is
/// negative: it lowers what the platform owes).
pub async fn adjust(
    ctx: &Ctx,
    admin: i64,
    business_id: i64,
    amount: &str,
    reason: &str,
    request: &str,
) -> Result<(Business, i64), AdjustError> {
    let business = match ctx.store.business(business_id).await {
        Ok(b) => b,
        Err(StoreError::NotFound) => return Err(AdjustError::NotFound(business_id)),
        Err(e) => return Err(AdjustError::Unexpected(e.into())),
    };
    let minor = parse_signed(amount, business.currency)?;
    if minor == 0 {
        return Err(AdjustError::Zero);
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AdjustError::NoReason);
    }
    // Keyed by the request (the admin's message): a replay records nothing new.
    let entry = NewEntry {
        key: format!("adjust:{business_id}:{request}"),
        business_id,
        party: Party::Business,
        kind: EntryKind::Adjustment,
        amount: minor,
        currency: business.currency,
        purchase_id: None,
        stripe_object: None,
        note: Some(reason.chars().take(500).collect()),
    };
    ctx.store.add_entries(&[entry], &Actor::Admin(admin), ctx.clock.now()).await.map_err(|e| anyhow::anyhow!(e))?;
    tracing::info!(business_id, admin, minor, "ledger adjusted");
    Ok((business, minor))
}

/// Job: Stripe's processing fee of every captured card payment, from its
/// charge's balance transaction, as the platform's cost. Idempotent (one
/// entry per purchase); a payment Stripe can't tell about yet waits.
pub async fn record_processing_fees(ctx: &Ctx) -> anyhow::Result<usize> {
    let Some(stripe) = ctx.stripe.as_ref() else { return Ok(0) };
    let mut recorded = 0;
    for (purchase_id, business_id, pi, currency) in ctx.store.payments_without_processing_fee(50).await? {
        let txn = match stripe.processing_fee(&pi).await {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(purchase_id, error = %e, "can't read the processing fee; trying later");
                break;
            }
        };
        let currency = Currency::from_code(&currency)?;
        let entry = NewEntry {
            key: format!("stripe_fee:{purchase_id}"),
            business_id,
            party: Party::Platform,
            kind: EntryKind::ProcessingFee,
            amount: -txn.fee,
            currency,
            purchase_id: Some(purchase_id),
            stripe_object: Some(txn.id),
            note: None,
        };
        recorded += ctx.store.add_entries(&[entry], &Actor::Stripe, ctx.clock.now()).await?;
    }
    Ok(recorded)
}

/// Per-currency totals of a period.
pub type ByCurrency = BTreeMap<&'static str, (Currency, Totals)>;

fn totals(rows: &[(i64, Currency, EntryKind, i64)]) -> ByCurrency {
    let mut out = ByCurrency::new();
    for (_, currency, kind, sum) in rows {
        out.entry(currency.code()).or_insert((*currency, Totals::default())).1.add(*kind, *sum);
    }
    out
}

/// `/sales`: today, this week and this month in the business's time zone,
/// and the balance (everything so far).
#[derive(Debug)]
pub struct Sales {
    pub today: ByCurrency,
    pub week: ByCurrency,
    pub month: ByCurrency,
    pub balance: ByCurrency,
}

pub async fn sales(ctx: &Ctx, business: &Business) -> Result<Sales, StoreError> {
    let now = ctx.clock.now();
    let end = now + chrono::Duration::seconds(1);
    let [day, week, month] = period_starts(now, business.timezone);
    let sums = |from: DateTime<Utc>| ctx.store.ledger_sums(Some(business.id), Party::Business, from, end);
    Ok(Sales {
        today: totals(&sums(day).await?),
        week: totals(&sums(week).await?),
        month: totals(&sums(month).await?),
        balance: totals(&sums(DateTime::<Utc>::MIN_UTC).await?),
    })
}

/// A month's statement: the business's entries, their totals, and the
/// balance at the month's start and end, per currency.
#[derive(Debug)]
pub struct Statement {
    pub business: Business,
    pub month: Month,
    pub entries: Vec<LedgerEntry>,
    pub totals: ByCurrency,
    /// The balance before the month began.
    pub opening: ByCurrency,
}

/// (Takes the store alone, so the HTTP API can call it too.)
pub async fn statement(store: &Store, business: Business, month: Month) -> Result<Statement, StoreError> {
    let (from, to) = month.range(business.timezone);
    let entries = store.ledger_entries(Some(business.id), Party::Business, from, to).await?;
    let sums = totals(&store.ledger_sums(Some(business.id), Party::Business, from, to).await?);
    let before = store.ledger_sums(Some(business.id), Party::Business, DateTime::<Utc>::MIN_UTC, from).await?;
    Ok(Statement { business, month, entries, totals: sums, opening: totals(&before) })
}

/// `/finance`: the platform's margin per currency, businesses with a
/// balance, the latest failed payouts, and accounts needing attention.
#[derive(Debug)]
pub struct Finance {
    /// Per currency: fees earned, fees given back, Stripe's processing fees.
    pub platform: BTreeMap<&'static str, (Currency, i64, i64, i64)>,
    /// `(business, currency, balance)` where the balance isn't zero.
    pub balances: Vec<(Business, Currency, i64)>,
    pub failed_payouts: Vec<LedgerEntry>,
    pub attention: Vec<(Business, ConnectAccount)>,
}

pub async fn finance(ctx: &Ctx) -> Result<Finance, StoreError> {
    let (from, to) = (DateTime::<Utc>::MIN_UTC, ctx.clock.now() + chrono::Duration::seconds(1));
    let mut platform = BTreeMap::new();
    for (_, currency, kind, sum) in ctx.store.ledger_sums(None, Party::Platform, from, to).await? {
        let row = platform.entry(currency.code()).or_insert((currency, 0, 0, 0));
        match kind {
            EntryKind::PlatformFee => row.1 += sum,
            EntryKind::FeeRefund => row.2 += sum,
            _ => row.3 += sum,
        }
    }
    let mut per_business: BTreeMap<(i64, &'static str), (Currency, i64)> = BTreeMap::new();
    for (b, currency, _, sum) in ctx.store.ledger_sums(None, Party::Business, from, to).await? {
        per_business.entry((b, currency.code())).or_insert((currency, 0)).1 += sum;
    }
    let mut balances = Vec::new();
    for ((b, _), (currency, balance)) in per_business {
        if balance != 0 {
            balances.push((ctx.store.business(b).await?, currency, balance));
        }
    }
    let mut attention = Vec::new();
    for a in ctx.store.accounts_needing_attention(50).await? {
        attention.push((ctx.store.business(a.business_id).await?, a));
    }
    Ok(Finance { platform, balances, failed_payouts: ctx.store.payout_failures(10).await?, attention })
}

/// A new API key for the business's statement API; shown once, kept hashed.
/// A new API key for the business, made once per `request` (the owner's
/// message): `None` when this request made its key already. Only its hash
/// is kept, so the key itself can be shown once, by the first handling.
pub async fn create_api_key(ctx: &Ctx, business: &Business, request: &str) -> Result<Option<String>, StoreError> {
    let mut raw = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut raw);
    let key = format!("glk_{}", hex::encode(raw));
    let actor = Actor::User(business.owner_tg_id);
    let made =
        ctx.store.add_api_key(business.id, &super::connect::hash(&key), request, &actor, ctx.clock.now()).await?;
    Ok(made.then_some(key))
}

/// Revokes every key of the business; returns how many were live.
pub async fn revoke_api_keys(ctx: &Ctx, business: &Business) -> Result<u64, StoreError> {
    ctx.store.revoke_api_keys(business.id, &Actor::User(business.owner_tg_id), ctx.clock.now()).await
}

/// The business a presented API key belongs to, if it is live.
pub async fn business_of_key(store: &Store, key: &str) -> Result<Option<i64>, StoreError> {
    if !key.starts_with("glk_") || key.len() > 100 {
        return Ok(None);
    }
    store.api_key_business(&super::connect::hash(key)).await
}
