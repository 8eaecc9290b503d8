//! Notices: typed messages about a state change, written in the change's
//! transaction (`notice!`), claimed and finished by the notice sender.
//! Their own queue, apart from deal alerts: no quiet hours, no bulk pacing.

use chrono::{DateTime, Duration, Utc};

use super::{Db, Result, Store, dt, ts, with_pool};
use crate::domain::NoticeKind;

/// Who a purchase's notice goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    /// The customer who holds the purchase.
    Customer,
    /// The owner of the business whose offer it is.
    Owner,
}

/// A notice as claimed for sending.
#[derive(Debug, Clone)]
pub struct Notice {
    pub id: i64,
    pub chat_id: i64,
    pub kind: NoticeKind,
    pub purchase_id: Option<i64>,
    pub business_id: Option<i64>,
    pub offer_id: Option<i64>,
    /// Free text the kind needs (a reason, an event name).
    pub detail: Option<String>,
    /// Sends tried so far, this one included.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// A claim older than this belongs to a sender that died (or hangs): the
/// notice is sent again. At least once beats never for a pickup code.
pub const SENDING_LEASE: Duration = Duration::seconds(60);

/// Writes a notice about a purchase inside a transaction, addressed to its
/// customer or to its business's owner.
macro_rules! notice_purchase {
    ($tx:expr, $now:expr, $purchase_id:expr, $to:expr, $kind:expr) => {
        $crate::store::notice_purchase!($tx, $now, $purchase_id, $to, $kind, None::<String>)
    };
    ($tx:expr, $now:expr, $purchase_id:expr, $to:expr, $kind:expr, $detail:expr) => {{
        let chat = match $to {
            $crate::store::To::Customer => "p.customer_tg_id",
            $crate::store::To::Owner => "b.owner_tg_id",
        };
        let sql = format!(
            "INSERT INTO notices (chat_id, kind, purchase_id, business_id, offer_id, detail, not_before, created_at) \
             SELECT {chat}, $1, p.id, b.id, o.id, $2, $3, $3 FROM purchases p \
             JOIN offers o ON o.id = p.offer_id JOIN businesses b ON b.id = o.business_id WHERE p.id = $4"
        );
        sqlx::query(&sql)
            .bind(crate::domain::NoticeKind::as_str($kind))
            .bind($detail)
            .bind($crate::store::ts($now))
            .bind($purchase_id)
            .execute(&mut *$tx)
            .await?
    }};
}
pub(crate) use notice_purchase;

/// Writes a notice to one chat inside a transaction.
macro_rules! notice_chat {
    ($tx:expr, $now:expr, $chat:expr, $kind:expr, purchase = $p:expr, business = $b:expr, detail = $d:expr) => {
        sqlx::query(
            "INSERT INTO notices (chat_id, kind, purchase_id, business_id, detail, not_before, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind($chat)
        .bind(crate::domain::NoticeKind::as_str($kind))
        .bind($p)
        .bind($b)
        .bind($d)
        .bind($crate::store::ts($now))
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use notice_chat;

type NoticeRow = (i64, i64, String, Option<i64>, Option<i64>, Option<i64>, Option<String>, i32, i64);

const NOTICE_COLS: &str = "id, chat_id, kind, purchase_id, business_id, offer_id, detail, attempts, created_at";

fn notice_from_row(r: NoticeRow) -> Result<Notice> {
    Ok(Notice {
        id: r.0,
        chat_id: r.1,
        kind: NoticeKind::parse(&r.2)?,
        purchase_id: r.3,
        business_id: r.4,
        offer_id: r.5,
        detail: r.6,
        attempts: r.7.max(0) as u32,
        created_at: dt(r.8),
    })
}

impl Store {
    /// Claims up to `limit` notices that are due, oldest first: pending ones,
    /// and ones whose sender died mid-send. One statement; on PostgreSQL
    /// concurrent senders skip each other's rows.
    pub async fn claim_notices(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Notice>> {
        let skip = match self.db {
            Db::Sqlite { .. } => "",
            Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE notices SET status = 'sending', claimed_at = $1, attempts = attempts + 1 WHERE id IN ( \
             SELECT id FROM notices WHERE (status = 'pending' AND not_before <= $1) \
             OR (status = 'sending' AND claimed_at < $2) ORDER BY id LIMIT $3{skip}) RETURNING {NOTICE_COLS}"
        );
        let rows: Vec<NoticeRow> = with_pool!(self, write, p => sqlx::query_as(&sql)
            .bind(ts(now)).bind(ts(now - SENDING_LEASE)).bind(limit).fetch_all(p).await?);
        let mut out = rows.into_iter().map(notice_from_row).collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|n| n.id);
        Ok(out)
    }

    /// A notice was delivered (`sent`) or can never be (`failed`: the chat
    /// blocked the bot, or what it reports is gone).
    pub async fn finish_notice(&self, id: i64, sent: bool, now: DateTime<Utc>) -> Result<()> {
        let status = if sent { "sent" } else { "failed" };
        with_pool!(self, write, p => sqlx::query(
            "UPDATE notices SET status = $1, done_at = $2 WHERE id = $3 AND status = 'sending'",
        ).bind(status).bind(ts(now)).bind(id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Telegram could not be reached: the notice waits until `at`.
    pub async fn retry_notice(&self, id: i64, at: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE notices SET status = 'pending', not_before = $1, claimed_at = NULL WHERE id = $2 AND status = 'sending'",
        ).bind(ts(at)).bind(id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Whether a notice is waiting to be sent (so the sender need not sleep).
    pub async fn notices_due(&self, now: DateTime<Utc>) -> Result<bool> {
        let n: Option<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT id FROM notices WHERE (status = 'pending' AND not_before <= $1) \
             OR (status = 'sending' AND claimed_at < $2) LIMIT 1",
        ).bind(ts(now)).bind(ts(now - SENDING_LEASE)).fetch_optional(p).await?);
        Ok(n.is_some())
    }

    /// The notices written for a chat, oldest first (`/orders` and tests).
    pub async fn notices_of_chat(&self, chat: i64) -> Result<Vec<(NoticeKind, Option<i64>, String)>> {
        let rows: Vec<(String, Option<i64>, String)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT kind, purchase_id, status FROM notices WHERE chat_id = $1 ORDER BY id",
        ).bind(chat).fetch_all(p).await?);
        rows.into_iter().map(|(k, p, s)| Ok((NoticeKind::parse(&k)?, p, s))).collect()
    }

    /// Drops finished notices older than `before`.
    pub async fn prune_notices(&self, before: DateTime<Utc>) -> Result<u64> {
        let n = with_pool!(self, write, p => sqlx::query(
            "DELETE FROM notices WHERE done_at IS NOT NULL AND done_at < $1",
        ).bind(ts(before)).execute(p).await?.rows_affected());
        Ok(n)
    }
}
