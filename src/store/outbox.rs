//! The notification outbox: publications (an offer became active, written
//! by a trigger in the transaction that changed its status), their fan-out
//! into one row per interested customer, and the claim → send → done life
//! of each row.
//!
//! At most once per (customer, offer, publication): the unique key makes
//! the fan-out idempotent, and a row is sent only by the sender that moved
//! it from `claimed` to `sending` with its own claim token, one conditional
//! update. A row never goes back from `sending` (except when Telegram
//! certainly didn't deliver it: no connection, or 429), so a sender that
//! dies mid-send leaves the row `sending`; it is later marked `lost`
//! (logged), never resent.

use chrono::{DateTime, Duration, Utc};

use super::alerts::StoredQuiet;
use super::{Db, Result, Store, dt, ts, with_pool, with_tx};
use crate::domain::{OfferStatus, string_enum};

string_enum! {
    /// Where a notification is in its life (see the migration).
    pub enum NotificationStatus: "notification status" {
        Pending = "pending",
        Claimed = "claimed",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
        Dropped = "dropped",
        Lost = "lost",
    }
}

/// Notification priorities: lower goes first.
pub const PRIORITY_FOLLOWER: i32 = 0;
pub const PRIORITY_NEARBY: i32 = 1;

/// Rows per multi-row insert (8 parameters each, far under both backends'
/// limits).
const INSERT_CHUNK: usize = 500;

/// An offer became active and its fan-out is still to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub id: i64,
    pub offer_id: i64,
    pub restock: bool,
}

/// How many rows a fan-out wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FanOut {
    pub followers: u64,
    pub nearby: u64,
}

/// A notification claimed for sending, with what the sender decides on.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub customer_tg_id: i64,
    pub offer_id: i64,
    pub publication_id: i64,
    pub follower: bool,
    pub distance_m: Option<u32>,
    pub restock: bool,
    pub unreachable: bool,
    pub quiet: StoredQuiet,
    /// The customer's language code, to write the alert in.
    pub language: Option<String>,
}

/// A notification as stored, for inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub customer_tg_id: i64,
    pub offer_id: i64,
    pub publication_id: i64,
    pub priority: i32,
    pub status: NotificationStatus,
    pub reason: Option<String>,
    pub not_before: DateTime<Utc>,
}

const ALIVE: &str = "'pending', 'claimed', 'sending'";

impl Store {
    /// Publications not yet fanned out, oldest first.
    pub async fn pending_publications(&self, limit: i64) -> Result<Vec<Publication>> {
        let rows: Vec<(i64, i64, String)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT id, offer_id, kind FROM offer_publications WHERE fanned_out_at IS NULL ORDER BY id LIMIT $1",
        ).bind(limit).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(id, offer_id, kind)| Publication { id, offer_id, restock: kind == "restock" })
            .collect())
    }

    /// Writes the fan-out of one publication, in one transaction that also
    /// marks it done, so it happens once however many senders try: the
    /// business's followers with one `INSERT … SELECT`, then the `nearby`
    /// customers (with their distance in metres) the caller matched. A
    /// customer who still has a notification of this offer on its way, or
    /// was sent one within `renotify_after`, is skipped, as are the owner
    /// and customers known to be unreachable. `None` if it was already done.
    pub async fn fan_out(
        &self,
        publication_id: i64,
        nearby: &[(i64, Option<u32>)],
        renotify_after: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<FanOut>> {
        let recent = ts(now - renotify_after);
        let followers_sql = format!(
            "INSERT INTO notifications (customer_tg_id, offer_id, publication_id, priority, status, not_before, created_at) \
             SELECT f.customer_tg_id, o.id, $1, {PRIORITY_FOLLOWER}, 'pending', $2, $2 \
             FROM offers o JOIN businesses b ON b.id = o.business_id JOIN follows f ON f.business_id = o.business_id \
             WHERE o.id = $3 AND f.customer_tg_id <> b.owner_tg_id \
             AND NOT EXISTS (SELECT 1 FROM users u WHERE u.tg_id = f.customer_tg_id AND u.unreachable) \
             AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.customer_tg_id = f.customer_tg_id \
             AND n.offer_id = o.id AND (n.status IN ({ALIVE}) OR (n.status = 'sent' AND n.done_at > $4))) \
             ON CONFLICT DO NOTHING"
        );
        let skip_sql = format!(
            "SELECT customer_tg_id FROM notifications WHERE offer_id = $1 AND publication_id <> $2 \
             AND (status IN ({ALIVE}) OR (status = 'sent' AND done_at > $3))"
        );
        let out = with_tx!(self, tx => {
            let offer: Option<i64> = sqlx::query_scalar(
                "UPDATE offer_publications SET fanned_out_at = $2 WHERE id = $1 AND fanned_out_at IS NULL RETURNING offer_id",
            ).bind(publication_id).bind(ts(now)).fetch_optional(&mut *tx).await?;
            match offer {
                None => None,
                Some(offer_id) => {
                    let followers = sqlx::query(&followers_sql)
                        .bind(publication_id).bind(ts(now)).bind(offer_id).bind(recent)
                        .execute(&mut *tx).await?.rows_affected();
                    let skip: Vec<i64> = sqlx::query_scalar(&skip_sql)
                        .bind(offer_id).bind(publication_id).bind(recent).fetch_all(&mut *tx).await?;
                    let skip: std::collections::HashSet<i64> = skip.into_iter().collect();
                    let rows: Vec<&(i64, Option<u32>)> = nearby.iter().filter(|(c, _)| !skip.contains(c)).collect();
                    let mut inserted = 0;
                    for chunk in rows.chunks(INSERT_CHUNK) {
                        let mut sql = String::from(
                            "INSERT INTO notifications (customer_tg_id, offer_id, publication_id, priority, distance_m, \
                             status, not_before, created_at) VALUES ",
                        );
                        for i in 0..chunk.len() {
                            let b = i * 3 + 4;
                            if i > 0 {
                                sql.push_str(", ");
                            }
                            sql.push_str(&format!("(${b}, $1, $2, ${}, ${}, 'pending', $3, $3)", b + 1, b + 2));
                        }
                        sql.push_str(" ON CONFLICT DO NOTHING");
                        let mut q = sqlx::query(&sql).bind(offer_id).bind(publication_id).bind(ts(now));
                        for (customer, distance) in chunk {
                            q = q.bind(*customer).bind(PRIORITY_NEARBY).bind(distance.map(|d| i32::try_from(d).unwrap_or(i32::MAX)));
                        }
                        inserted += q.execute(&mut *tx).await?.rows_affected();
                    }
                    Some(FanOut { followers, nearby: inserted })
                }
            }
        });
        Ok(out)
    }

    /// Marks a publication done without writing any notification (its
    /// offer was no longer active when its turn came).
    pub async fn close_publication(&self, publication_id: i64, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE offer_publications SET fanned_out_at = $2 WHERE id = $1 AND fanned_out_at IS NULL",
        ).bind(publication_id).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Whether any notification is waiting to be sent now.
    pub async fn outbox_due(&self, now: DateTime<Utc>) -> Result<bool> {
        let n: i64 = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE status = 'pending' AND not_before <= $1 LIMIT 1) AS due",
        ).bind(ts(now)).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// Claims up to `limit` due notifications under the token `claim`, in
    /// one statement: followers first, newest publication first. On
    /// PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so senders
    /// of several instances never take the same rows; SQLite has a single
    /// writer.
    pub async fn claim_notifications(&self, claim: i64, limit: i64, now: DateTime<Utc>) -> Result<Vec<Claimed>> {
        let lock = match self.db {
            Db::Sqlite { .. } => "",
            Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE notifications SET status = 'claimed', claim = $1, claimed_at = $2 WHERE id IN \
             (SELECT id FROM notifications WHERE status = 'pending' AND not_before <= $2 \
             ORDER BY priority, publication_id DESC, id LIMIT $3{lock}) RETURNING id"
        );
        type Row = (
            i64,
            i64,
            i64,
            i64,
            i32,
            Option<i32>,
            String,
            bool,
            Option<String>,
            Option<i32>,
            Option<i32>,
            Option<String>,
        );
        let rows: Vec<Row> = with_pool!(self, write, p => {
            let ids: Vec<i64> = sqlx::query_scalar(&sql).bind(claim).bind(ts(now)).bind(limit).fetch_all(p).await?;
            if ids.is_empty() {
                Vec::new()
            } else {
                // Ids from our own statement: safe to inline.
                let ids = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                sqlx::query_as(&format!(
                    "SELECT n.id, n.customer_tg_id, n.offer_id, n.publication_id, n.priority, n.distance_m, p.kind, \
                     COALESCE(u.unreachable, FALSE), u.timezone, u.quiet_from, u.quiet_to, u.language \
                     FROM notifications n JOIN offer_publications p ON p.id = n.publication_id \
                     LEFT JOIN users u ON u.tg_id = n.customer_tg_id \
                     WHERE n.id IN ({ids}) AND n.claim = $1 AND n.status = 'claimed' \
                     ORDER BY n.priority, n.publication_id DESC, n.id"
                )).bind(claim).fetch_all(p).await?
            }
        });
        let minutes = |v: Option<i32>| v.and_then(|m| u16::try_from(m).ok());
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    customer_tg_id,
                    offer_id,
                    publication_id,
                    priority,
                    distance,
                    kind,
                    unreachable,
                    tz,
                    from,
                    to,
                    language,
                )| {
                    Claimed {
                        id,
                        customer_tg_id,
                        offer_id,
                        publication_id,
                        follower: priority == PRIORITY_FOLLOWER,
                        distance_m: distance.and_then(|d| u32::try_from(d).ok()),
                        restock: kind == "restock",
                        unreachable,
                        quiet: StoredQuiet { timezone: tz, quiet: minutes(from).zip(minutes(to)) },
                        language,
                    }
                },
            )
            .collect())
    }

    /// `claimed → sending`, only for the holder of `claim`: the last step
    /// before the request goes out. False if the row was taken back
    /// meanwhile (released, dropped, or re-claimed by another sender).
    pub async fn begin_send(&self, id: i64, claim: i64, now: DateTime<Utc>) -> Result<bool> {
        let n = with_pool!(self, write, p => sqlx::query(
            "UPDATE notifications SET status = 'sending', claimed_at = $3 WHERE id = $1 AND claim = $2 AND status = 'claimed'",
        ).bind(id).bind(claim).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(n == 1)
    }

    /// Ends a claimed or sending row as sent, failed or dropped.
    pub async fn finish_notification(
        &self,
        id: i64,
        status: NotificationStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE notifications SET status = $2, reason = $3, done_at = $4 WHERE id = $1 AND status IN ('claimed', 'sending')",
        ).bind(id).bind(status.as_str()).bind(reason).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Puts a claimed row back until `until` (quiet hours).
    pub async fn hold_notification(&self, id: i64, claim: i64, until: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE notifications SET status = 'pending', not_before = $3, claim = NULL, claimed_at = NULL \
             WHERE id = $1 AND claim = $2 AND status = 'claimed'",
        ).bind(id).bind(claim).bind(ts(until)).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Puts a sending row back until `until`. Only for a request Telegram
    /// certainly didn't deliver (the connection failed, or it answered
    /// 429), so sending it again can't duplicate it.
    pub async fn retry_notification(&self, id: i64, until: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE notifications SET status = 'pending', not_before = $2, claim = NULL, claimed_at = NULL \
             WHERE id = $1 AND status = 'sending'",
        ).bind(id).bind(ts(until)).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Gives back the rows of `claim` not yet being sent.
    pub async fn release_claims(&self, claim: i64) -> Result<u64> {
        let n = with_pool!(self, write, p => sqlx::query(
            "UPDATE notifications SET status = 'pending', claim = NULL, claimed_at = NULL WHERE claim = $1 AND status = 'claimed'",
        ).bind(claim).execute(p).await?.rows_affected());
        Ok(n)
    }

    /// Gives back rows claimed before `before` and not yet being sent (by a
    /// sender that stopped or stalls). Safe at any time: a holder that is
    /// still alive finds its rows gone at `begin_send` and skips them.
    pub async fn release_stale_claims(&self, before: DateTime<Utc>) -> Result<u64> {
        let n = with_pool!(self, write, p => sqlx::query(
            "UPDATE notifications SET status = 'pending', claim = NULL, claimed_at = NULL \
             WHERE status = 'claimed' AND claimed_at < $1",
        ).bind(ts(before)).execute(p).await?.rows_affected());
        Ok(n)
    }

    /// Rows whose send began before `before` and never finished: a sender
    /// died with the request in flight. They may or may not have arrived,
    /// so they are marked `lost`, never resent. Returns
    /// `(id, customer, offer)` of each.
    pub async fn mark_lost(&self, before: DateTime<Utc>, now: DateTime<Utc>) -> Result<Vec<(i64, i64, i64)>> {
        let rows = with_pool!(self, write, p => sqlx::query_as(
            "UPDATE notifications SET status = 'lost', done_at = $2 WHERE status = 'sending' AND claimed_at < $1 \
             RETURNING id, customer_tg_id, offer_id",
        ).bind(ts(before)).bind(ts(now)).fetch_all(p).await?);
        Ok(rows)
    }

    /// Drops waiting notifications of offers that can't be bought any more.
    pub async fn drop_dead_notifications(&self, now: DateTime<Utc>) -> Result<u64> {
        let n = with_pool!(self, write, p => sqlx::query(
            "UPDATE notifications SET status = 'dropped', reason = 'offer_gone', done_at = $1 \
             WHERE status = 'pending' AND EXISTS (SELECT 1 FROM offers o WHERE o.id = notifications.offer_id \
             AND (o.status <> 'active' OR o.pickup_end <= $1))",
        ).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(n)
    }

    /// Telegram refused a customer for good (blocked the bot, deleted the
    /// account): marks them unreachable and drops everything waiting for
    /// them. Their next message to the bot makes them reachable again.
    pub async fn mark_unreachable(&self, customer: i64, now: DateTime<Utc>) -> Result<u64> {
        let n = with_tx!(self, tx => {
            sqlx::query("UPDATE users SET unreachable = TRUE WHERE tg_id = $1")
                .bind(customer).execute(&mut *tx).await?;
            sqlx::query(
                "UPDATE notifications SET status = 'dropped', reason = 'unreachable', done_at = $2 \
                 WHERE customer_tg_id = $1 AND status IN ('pending', 'claimed')",
            ).bind(customer).bind(ts(now)).execute(&mut *tx).await?.rows_affected()
        });
        Ok(n)
    }

    /// An offer's status and pickup end, the sender's last check.
    pub async fn offer_state(&self, offer_id: i64) -> Result<(OfferStatus, DateTime<Utc>)> {
        let (status, end): (String, i64) = with_pool!(self, read, p => sqlx::query_as(
            "SELECT status, pickup_end FROM offers WHERE id = $1",
        ).bind(offer_id).fetch_one(p).await?);
        Ok((OfferStatus::parse(&status)?, dt(end)))
    }

    /// Forgets finished notifications and fanned-out publications older
    /// than `before` (the unique key only matters while an offer is on).
    pub async fn prune_outbox(&self, before: DateTime<Utc>) -> Result<u64> {
        let n = with_tx!(self, tx => {
            let n = sqlx::query(
                "DELETE FROM notifications WHERE status IN ('sent', 'failed', 'dropped', 'lost') AND done_at < $1",
            ).bind(ts(before)).execute(&mut *tx).await?.rows_affected();
            sqlx::query(
                "DELETE FROM offer_publications WHERE fanned_out_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.publication_id = offer_publications.id)",
            ).bind(ts(before)).execute(&mut *tx).await?;
            n
        });
        Ok(n)
    }

    /// Every notification of an offer, in queue order.
    pub async fn notifications_of_offer(&self, offer_id: i64) -> Result<Vec<Notification>> {
        type Row = (i64, i64, i64, i64, i32, String, Option<String>, i64);
        let rows: Vec<Row> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT id, customer_tg_id, offer_id, publication_id, priority, status, reason, not_before \
             FROM notifications WHERE offer_id = $1 ORDER BY priority, publication_id DESC, id",
        ).bind(offer_id).fetch_all(p).await?);
        rows.into_iter()
            .map(|(id, customer_tg_id, offer_id, publication_id, priority, status, reason, not_before)| {
                Ok(Notification {
                    id,
                    customer_tg_id,
                    offer_id,
                    publication_id,
                    priority,
                    status: NotificationStatus::parse(&status)?,
                    reason,
                    not_before: dt(not_before),
                })
            })
            .collect()
    }
}
