//! The ledger: append-only entries per business, party and currency in
//! signed minor units. Each entry has a key that makes it happen once
//! (`sale:12`, `payout:po_1`), so a replayed event or a job that runs twice
//! adds nothing; entries are never updated (the database refuses it).
//! Purchase entries are written by `purchase_entries!` inside the
//! transaction that changes the purchase's status.

use chrono::{DateTime, Utc};

use super::{Actor, EventRef, Result, Store, dt, notice_chat, record_event, ts, with_pool, with_tx};
use crate::domain::ledger::{EntryKind, Party};
use crate::domain::{Currency, NoticeKind};

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// Unique: the same key again adds nothing.
    pub key: String,
    pub business_id: i64,
    pub party: Party,
    pub kind: EntryKind,
    /// Signed minor units, from the party's point of view.
    pub amount: i64,
    pub currency: Currency,
    pub purchase_id: Option<i64>,
    /// The Stripe object it comes from (`pi_…`, `re_…`, `po_…`, `txn_…`).
    pub stripe_object: Option<String>,
    /// Why (an admin's adjustment), or Stripe's failure reason.
    pub note: Option<String>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: i64,
    pub business_id: i64,
    pub party: Party,
    pub kind: EntryKind,
    pub amount: i64,
    pub currency: Currency,
    pub purchase_id: Option<i64>,
    pub stripe_object: Option<String>,
    pub note: Option<String>,
    pub actor: String,
    pub at: DateTime<Utc>,
}

type EntryRow = (i64, i64, String, String, i64, String, Option<i64>, Option<String>, Option<String>, String, i64);

const ENTRY_COLS: &str = "id, business_id, party, kind, amount, currency, purchase_id, stripe_object, note, actor, at";

fn entry_from_row(r: EntryRow) -> Result<LedgerEntry> {
    Ok(LedgerEntry {
        id: r.0,
        business_id: r.1,
        party: Party::parse(&r.2)?,
        kind: EntryKind::parse(&r.3)?,
        amount: r.4,
        currency: Currency::from_code(&r.5).map_err(anyhow::Error::from)?,
        purchase_id: r.6,
        stripe_object: r.7,
        note: r.8,
        actor: r.9,
        at: dt(r.10),
    })
}

/// Appends one entry inside a transaction; yields whether it was new.
macro_rules! ledger_insert {
    ($tx:expr, $e:expr, $actor:expr, $now:expr) => {{
        let e: &$crate::store::NewEntry = $e;
        sqlx::query(
            "INSERT INTO ledger_entries (entry_key, business_id, party, kind, amount, currency, purchase_id, \
             stripe_object, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (entry_key) DO NOTHING",
        )
        .bind(&e.key)
        .bind(e.business_id)
        .bind(e.party.as_str())
        .bind(e.kind.as_str())
        .bind(e.amount)
        .bind(e.currency.code())
        .bind(e.purchase_id)
        .bind(&e.stripe_object)
        .bind(&e.note)
        .bind($actor.label())
        .bind($crate::store::ts($now))
        .execute(&mut *$tx)
        .await?
        .rows_affected()
            == 1
    }};
}
pub(crate) use ledger_insert;

/// What happened to a card payment, for [`purchase_entries!`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moved {
    /// Stripe captured it (whatever becomes of the order).
    Captured,
    /// Stripe refunded it in full.
    Refunded,
    /// A refund Stripe had said `succeeded` failed after all: the money is
    /// back with the platform, the reversal and the fee's return undone.
    RefundUndone,
}

/// The ledger entries of a card payment's capture or refund, written
/// inside the transaction that records it. Captured: the sale (gross) and
/// the platform fee, on the business's side and the platform's. Refunded:
/// the refund (a transfer reversal with Connect) and the fee given back.
/// RefundUndone: those refund entries negated. Refund entries are keyed by
/// the refund attempt (`refund_seq`), so an admin's retry after a failure
/// records its own. Pay-at-pickup orders move no money through Stripe and
/// write nothing.
macro_rules! purchase_entries {
    ($tx:expr, $purchase_id:expr, $what:expr, $now:expr) => {{
        #[allow(clippy::type_complexity)]
        let row: Option<(
            i64,
            i64,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            i32,
        )> = sqlx::query_as(
            "SELECT o.business_id, p.total, p.currency, p.platform_fee, p.connect_account, \
                 p.stripe_payment_intent, p.stripe_refund_id, p.payment_method, p.refund_seq \
                 FROM purchases p JOIN offers o ON o.id = p.offer_id WHERE p.id = $1",
        )
        .bind($purchase_id)
        .fetch_optional(&mut *$tx)
        .await?;
        if let Some((business_id, total, currency, fee, connect, pi, refund, method, seq)) = row
            && method == "stripe"
        {
            use $crate::domain::ledger::{EntryKind, Party};
            let currency = $crate::domain::Currency::from_code(&currency).map_err(anyhow::Error::from)?;
            let fee = fee.unwrap_or(0);
            let id: i64 = $purchase_id;
            let entry = |key: String, party: Party, kind: EntryKind, amount: i64, object: &Option<String>| {
                $crate::store::NewEntry {
                    key,
                    business_id,
                    party,
                    kind,
                    amount,
                    currency,
                    purchase_id: Some(id),
                    stripe_object: object.clone(),
                    note: None,
                }
            };
            let mut entries = Vec::new();
            // A refund is only entered against a sale the ledger holds (a
            // payment taken before the ledger existed has neither).
            let has_sale = match $what {
                $crate::store::ledger::Moved::Captured => true,
                _ => {
                    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM ledger_entries WHERE entry_key = $1")
                        .bind(format!("sale:{id}"))
                        .fetch_optional(&mut *$tx)
                        .await?;
                    found.is_some()
                }
            };
            match $what {
                $crate::store::ledger::Moved::Captured => {
                    entries.push(entry(format!("sale:{id}"), Party::Business, EntryKind::Sale, total, &pi));
                    if fee > 0 {
                        entries.push(entry(format!("fee:{id}:b"), Party::Business, EntryKind::PlatformFee, -fee, &pi));
                        entries.push(entry(format!("fee:{id}:p"), Party::Platform, EntryKind::PlatformFee, fee, &pi));
                    }
                }
                $crate::store::ledger::Moved::Refunded | $crate::store::ledger::Moved::RefundUndone if has_sale => {
                    let (tag, sign) = match $what {
                        $crate::store::ledger::Moved::Refunded => ("refund", 1),
                        _ => ("refund_undone", -1),
                    };
                    let kind = if connect.is_some() { EntryKind::TransferReversal } else { EntryKind::Refund };
                    entries.push(entry(format!("{tag}:{id}:{seq}"), Party::Business, kind, -total * sign, &refund));
                    if fee > 0 {
                        let (b, p) = (format!("{tag}_fee:{id}:{seq}:b"), format!("{tag}_fee:{id}:{seq}:p"));
                        entries.push(entry(b, Party::Business, EntryKind::FeeRefund, fee * sign, &refund));
                        entries.push(entry(p, Party::Platform, EntryKind::FeeRefund, -fee * sign, &refund));
                    }
                }
                _ => {}
            }
            for e in &entries {
                let _new = $crate::store::ledger::ledger_insert!($tx, e, &$crate::store::Actor::Stripe, $now);
            }
        }
    }};
}
pub(crate) use purchase_entries;

/// A payout as Stripe reports it.
#[derive(Debug, Clone)]
pub struct PayoutNews<'a> {
    pub account_id: &'a str,
    pub payout_id: &'a str,
    pub amount: i64,
    pub currency: Currency,
    /// `Some(reason)` for `payout.failed`.
    pub failure: Option<String>,
}

impl Store {
    /// Appends entries (an admin's adjustment, a processing fee) in one
    /// transaction; returns how many were new.
    pub async fn add_entries(&self, entries: &[NewEntry], actor: &Actor, now: DateTime<Utc>) -> Result<usize> {
        let n = with_tx!(self, tx => {
            let mut n = 0;
            for e in entries {
                if ledger_insert!(tx, e, actor, now) {
                    n += 1;
                }
            }
            n
        });
        Ok(n)
    }

    /// A `payout.paid` or `payout.failed` event: its entries, and for a
    /// failure the owner's and every admin's notice, with the event's
    /// record in one transaction. A failure with no paid entry before it
    /// writes both (the payout and its return), so the statement shows it.
    /// `None` for an unknown account or an event seen before.
    pub async fn record_payout(
        &self,
        news: &PayoutNews<'_>,
        admins: &[i64],
        event: Option<EventRef<'_>>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let business = with_tx!(self, tx => {
            if let Some(ev) = event && !record_event!(tx, ev, now) {
                return Ok(None);
            }
            let row: Option<(i64, i64)> = sqlx::query_as(
                "SELECT a.business_id, b.owner_tg_id FROM connect_accounts a JOIN businesses b ON b.id = a.business_id \
                 WHERE a.account_id = $1",
            ).bind(news.account_id).fetch_optional(&mut *tx).await?;
            let Some((business_id, owner)) = row else { return Ok(None) };
            let entry = |key: String, kind: EntryKind, amount: i64| NewEntry {
                key,
                business_id,
                party: Party::Business,
                kind,
                amount,
                currency: news.currency,
                purchase_id: None,
                stripe_object: Some(news.payout_id.to_owned()),
                note: news.failure.clone(),
            };
            let paid = entry(format!("payout:{}", news.payout_id), EntryKind::Payout, -news.amount);
            let _new = ledger_insert!(tx, &paid, &Actor::Stripe, now);
            let detail = Some(format!("{}|{}|{}", news.amount, news.currency.code(), news.failure.clone().unwrap_or_default()));
            match &news.failure {
                None => {
                    notice_chat!(tx, now, owner, NoticeKind::PayoutPaid, purchase = None::<i64>,
                        business = Some(business_id), detail = detail);
                }
                Some(_) => {
                    let back = entry(format!("payout_failure:{}", news.payout_id), EntryKind::PayoutFailure, news.amount);
                    if ledger_insert!(tx, &back, &Actor::Stripe, now) {
                        for chat in std::iter::once(owner).chain(admins.iter().copied()) {
                            notice_chat!(tx, now, chat, NoticeKind::PayoutFailed, purchase = None::<i64>,
                                business = Some(business_id), detail = detail.clone());
                        }
                    }
                }
            }
            Some(business_id)
        });
        Ok(business)
    }

    /// Card payments whose Stripe processing fee is not in the ledger yet:
    /// `(purchase id, business id, payment intent, currency)`.
    pub async fn payments_without_processing_fee(&self, limit: i64) -> Result<Vec<(i64, i64, String, String)>> {
        Ok(with_pool!(self, read, p => sqlx::query_as(
            "SELECT p.id, o.business_id, p.stripe_payment_intent, p.currency FROM purchases p \
             JOIN offers o ON o.id = p.offer_id \
             WHERE p.stripe_payment_intent IS NOT NULL AND EXISTS \
               (SELECT 1 FROM ledger_entries s WHERE s.purchase_id = p.id AND s.kind = 'sale') \
             AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.purchase_id = p.id AND l.kind = 'processing_fee') \
             ORDER BY p.id LIMIT $1",
        ).bind(limit).fetch_all(p).await?))
    }

    /// A business's (or with `None` every business's) entries of `party`
    /// in `[from, to)`, oldest first.
    pub async fn ledger_entries(
        &self,
        business_id: Option<i64>,
        party: Party,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<LedgerEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLS} FROM ledger_entries WHERE ($1 IS NULL OR business_id = $1) AND party = $2 \
             AND at >= $3 AND at < $4 ORDER BY at, id"
        );
        let rows: Vec<EntryRow> = with_pool!(self, read, p => sqlx::query_as(&sql)
            .bind(business_id).bind(party.as_str()).bind(ts(from)).bind(ts(to)).fetch_all(p).await?);
        rows.into_iter().map(entry_from_row).collect()
    }

    /// Sums by business, currency and kind of all `party` entries in
    /// `[from, to)`.
    pub async fn ledger_sums(
        &self,
        business_id: Option<i64>,
        party: Party,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(i64, Currency, EntryKind, i64)>> {
        let rows: Vec<(i64, String, String, i64)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT business_id, currency, kind, CAST(SUM(amount) AS BIGINT) FROM ledger_entries \
             WHERE ($1 IS NULL OR business_id = $1) AND party = $2 AND at >= $3 AND at < $4 \
             GROUP BY business_id, currency, kind ORDER BY business_id, currency, kind",
        ).bind(business_id).bind(party.as_str()).bind(ts(from)).bind(ts(to)).fetch_all(p).await?);
        rows.into_iter()
            .map(|(b, c, k, s)| {
                Ok((b, Currency::from_code(&c).map_err(anyhow::Error::from)?, EntryKind::parse(&k)?, s))
            })
            .collect()
    }

    /// The latest payout failures, newest first.
    pub async fn payout_failures(&self, limit: i64) -> Result<Vec<LedgerEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLS} FROM ledger_entries WHERE kind = 'payout_failure' ORDER BY at DESC, id DESC LIMIT $1"
        );
        let rows: Vec<EntryRow> = with_pool!(self, read, p => sqlx::query_as(&sql).bind(limit).fetch_all(p).await?);
        rows.into_iter().map(entry_from_row).collect()
    }
}
