//! Stripe Connect: each business's connected account and what Stripe last
//! said about it, onboarding tokens (hashed), fee overrides and the
//! per-business API keys of the statement API.

use chrono::{DateTime, Utc};

use super::{Actor, EventRef, Result, Store, StoreError, audit, dt, notice_chat, record_event, ts, with_pool, with_tx};
use crate::domain::NoticeKind;
use crate::domain::connect::{AccountState, Country};
use crate::domain::ledger::FeeRule;

/// A business's connected account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectAccount {
    pub business_id: i64,
    /// `acct_…`
    pub account_id: String,
    pub country: String,
    pub email: String,
    pub state: AccountState,
    pub updated_at: DateTime<Utc>,
}

impl ConnectAccount {
    pub fn country(&self) -> Option<Country> {
        Country::parse(&self.country).ok()
    }
}

type AccountRow = (i64, String, String, String, bool, bool, bool, String, String, Option<String>, i64);

const ACCOUNT_COLS: &str = "business_id, account_id, country, email, charges_enabled, payouts_enabled, \
    transfers_active, currently_due, past_due, disabled_reason, updated_at";

fn account_from_row(r: AccountRow) -> ConnectAccount {
    let list = |s: &str| s.split_whitespace().map(str::to_owned).collect();
    ConnectAccount {
        business_id: r.0,
        account_id: r.1,
        country: r.2,
        email: r.3,
        state: AccountState {
            charges_enabled: r.4,
            payouts_enabled: r.5,
            transfers_active: r.6,
            currently_due: list(&r.7),
            past_due: list(&r.8),
            disabled_reason: r.9,
        },
        updated_at: dt(r.10),
    }
}

/// What an account update changed, for the notices it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub before: AccountState,
    pub after: AccountState,
}

impl Store {
    pub async fn connect_account(&self, business_id: i64) -> Result<Option<ConnectAccount>> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM connect_accounts WHERE business_id = $1");
        let row: Option<AccountRow> =
            with_pool!(self, read, p => sqlx::query_as(&sql).bind(business_id).fetch_optional(p).await?);
        Ok(row.map(account_from_row))
    }

    pub async fn connect_account_by_stripe_id(&self, account_id: &str) -> Result<Option<ConnectAccount>> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM connect_accounts WHERE account_id = $1");
        let row: Option<AccountRow> =
            with_pool!(self, read, p => sqlx::query_as(&sql).bind(account_id).fetch_optional(p).await?);
        Ok(row.map(account_from_row))
    }

    /// Keeps the account Stripe made for a business. A business has one:
    /// a second call (a replay) keeps the first and returns it.
    #[allow(clippy::too_many_arguments)]
    pub async fn keep_connect_account(
        &self,
        business_id: i64,
        account_id: &str,
        country: Country,
        email: &str,
        state: &AccountState,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ConnectAccount> {
        with_tx!(self, tx => {
            let r = sqlx::query(
                "INSERT INTO connect_accounts (business_id, account_id, country, email, charges_enabled, \
                 payouts_enabled, transfers_active, currently_due, past_due, disabled_reason, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT DO NOTHING",
            )
            .bind(business_id).bind(account_id).bind(country.code()).bind(email)
            .bind(state.charges_enabled).bind(state.payouts_enabled).bind(state.transfers_active)
            .bind(state.currently_due.join(" ")).bind(state.past_due.join(" ")).bind(&state.disabled_reason)
            .bind(ts(now)).execute(&mut *tx).await?;
            if r.rows_affected() == 1 {
                audit!(tx, now, actor, "connect_account", "business", business_id, None::<String>, Some(account_id));
            }
        });
        self.connect_account(business_id).await?.ok_or(StoreError::NotFound)
    }

    /// Stores what Stripe says about an account (an `account.updated`
    /// event, recorded in the same transaction, or a re-read) and writes
    /// the owner's notices: `ConnectReady` when it became able to take
    /// card payments, `ConnectNeedsInfo` when Stripe newly needs something,
    /// and `ConnectStatus` when `tell_status` (the return page; `link` is
    /// the onboarding link to offer again). `None` for an unknown account
    /// or an event seen before.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_connect_account(
        &self,
        account_id: &str,
        state: &AccountState,
        event: Option<EventRef<'_>>,
        tell_status: bool,
        link: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountChange>> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM connect_accounts WHERE account_id = $1");
        let sql = self.locking(&sql);
        let change = with_tx!(self, tx => {
            if let Some(ev) = event && !record_event!(tx, ev, now) {
                return Ok(None);
            }
            let row: Option<AccountRow> = sqlx::query_as(&sql).bind(account_id).fetch_optional(&mut *tx).await?;
            let Some(before) = row.map(account_from_row) else { return Ok(None) };
            sqlx::query(
                "UPDATE connect_accounts SET charges_enabled = $1, payouts_enabled = $2, transfers_active = $3, \
                 currently_due = $4, past_due = $5, disabled_reason = $6, updated_at = $7 WHERE account_id = $8",
            )
            .bind(state.charges_enabled).bind(state.payouts_enabled).bind(state.transfers_active)
            .bind(state.currently_due.join(" ")).bind(state.past_due.join(" ")).bind(&state.disabled_reason)
            .bind(ts(now)).bind(account_id).execute(&mut *tx).await?;
            let owner: i64 = sqlx::query_scalar("SELECT owner_tg_id FROM businesses WHERE id = $1")
                .bind(before.business_id).fetch_one(&mut *tx).await?;
            let business = Some(before.business_id);
            if tell_status {
                notice_chat!(tx, now, owner, NoticeKind::ConnectStatus, purchase = None::<i64>, business = business,
                    detail = link);
            } else if state.can_charge() && !before.state.can_charge() {
                notice_chat!(tx, now, owner, NoticeKind::ConnectReady, purchase = None::<i64>, business = business,
                    detail = None::<String>);
            } else if state.needs_something() && (state.disabled_reason != before.state.disabled_reason
                || state.past_due != before.state.past_due || state.currently_due != before.state.currently_due)
            {
                notice_chat!(tx, now, owner, NoticeKind::ConnectNeedsInfo, purchase = None::<i64>, business = business,
                    detail = state.disabled_reason.clone());
            }
            Some(AccountChange { before: before.state, after: state.clone() })
        });
        Ok(change)
    }

    /// Accounts that can't take charges or that Stripe needs something for.
    pub async fn accounts_needing_attention(&self, limit: i64) -> Result<Vec<ConnectAccount>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLS} FROM connect_accounts WHERE NOT charges_enabled OR NOT transfers_active \
             OR disabled_reason IS NOT NULL OR past_due <> '' OR currently_due <> '' ORDER BY business_id LIMIT $1"
        );
        let rows: Vec<AccountRow> = with_pool!(self, read, p => sqlx::query_as(&sql).bind(limit).fetch_all(p).await?);
        Ok(rows.into_iter().map(account_from_row).collect())
    }

    /// Keeps an onboarding token (its hash) for a business until `expires_at`.
    pub async fn add_connect_token(
        &self,
        business_id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO connect_tokens (token_hash, business_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
        ).bind(token_hash).bind(business_id).bind(ts(expires_at)).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(())
    }

    /// The business an onboarding token belongs to, if it has not expired.
    pub async fn connect_token_business(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<i64>> {
        Ok(with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT business_id FROM connect_tokens WHERE token_hash = $1 AND expires_at > $2",
        ).bind(token_hash).bind(ts(now)).fetch_optional(p).await?))
    }

    /// Deletes the onboarding tokens that expired before `before` (they
    /// open nothing any more); how many.
    pub async fn prune_connect_tokens(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(with_pool!(self, write, p => sqlx::query("DELETE FROM connect_tokens WHERE expires_at < $1")
            .bind(ts(before)).execute(p).await?.rows_affected()))
    }

    /// An admin sets a business's fee (audited).
    pub async fn set_fee_override(
        &self,
        business_id: i64,
        rule: FeeRule,
        admin: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_tx!(self, tx => {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM businesses WHERE id = $1")
                .bind(business_id).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            sqlx::query(
                "INSERT INTO fee_overrides (business_id, bps, fixed, set_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (business_id) DO UPDATE SET bps = excluded.bps, fixed = excluded.fixed, \
                 set_by = excluded.set_by, updated_at = excluded.updated_at",
            )
            .bind(business_id).bind(rule.bps() as i32).bind(rule.fixed()).bind(admin).bind(ts(now))
            .execute(&mut *tx).await?;
            let after = format!("{} bps + {}", rule.bps(), rule.fixed());
            audit!(tx, now, &Actor::Admin(admin), "set_fee", "business", business_id, None::<String>, Some(after));
        });
        Ok(())
    }

    /// The admin's fee for a business, if one was set.
    pub async fn fee_override(&self, business_id: i64) -> Result<Option<FeeRule>> {
        let row: Option<(i32, i64)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT bps, fixed FROM fee_overrides WHERE business_id = $1",
        ).bind(business_id).fetch_optional(p).await?);
        Ok(row.and_then(|(bps, fixed)| FeeRule::new(bps.max(0) as u32, fixed).ok()))
    }

    /// Keeps a new API key (its hash) for a business.
    /// Adds a key unless `request` added one already; true if it did.
    pub async fn add_api_key(
        &self,
        business_id: i64,
        key_hash: &str,
        request: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let made = with_tx!(self, tx => {
            let made = sqlx::query(
                "INSERT INTO api_keys (business_id, key_hash, request_key, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (request_key) DO NOTHING",
            ).bind(business_id).bind(key_hash).bind(request).bind(ts(now)).execute(&mut *tx).await?.rows_affected() == 1;
            if made {
                audit!(tx, now, actor, "api_key_created", "business", business_id, None::<String>, None::<String>);
            }
            made
        });
        Ok(made)
    }

    /// Revokes every live key of a business; returns how many.
    pub async fn revoke_api_keys(&self, business_id: i64, actor: &Actor, now: DateTime<Utc>) -> Result<u64> {
        let n = with_tx!(self, tx => {
            let n = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE business_id = $2 AND revoked_at IS NULL")
                .bind(ts(now)).bind(business_id).execute(&mut *tx).await?.rows_affected();
            audit!(tx, now, actor, "api_keys_revoked", "business", business_id, None::<String>, Some(n.to_string()));
            n
        });
        Ok(n)
    }

    /// The business a live API key belongs to.
    pub async fn api_key_business(&self, key_hash: &str) -> Result<Option<i64>> {
        Ok(with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT business_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        ).bind(key_hash).fetch_optional(p).await?))
    }
}
