//! What is waiting, counted for `/metrics` at scrape time: the outbox, the
//! inbound updates, open reservations, pending and failed refunds, and
//! notices. One statement of
//! scalar subqueries, each served by a partial or status index.

use chrono::{DateTime, Utc};

use super::{NotificationStatus, Result, Store, ts, with_pool};
use crate::domain::PurchaseStatus;

/// Queue sizes and ages at one moment. Ages are whole seconds, `None` when
/// the queue is empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Notifications not yet finished (pending, claimed or being sent),
    /// including those held for quiet hours.
    pub outbox_depth: i64,
    /// How long the oldest notification that is due (not held) has been
    /// due. Growing means the sender is stuck.
    pub outbox_oldest_due_secs: Option<i64>,
    /// Stored Telegram updates not yet handled.
    pub inbound_pending: i64,
    /// Age of the oldest of them.
    pub inbound_oldest_secs: Option<i64>,
    /// Purchases holding stock while waiting for a card payment.
    pub reservations_open: i64,
    /// Paid purchases whose refund Stripe has not yet said succeeded.
    pub refunds_pending: i64,
    /// Refunds that failed and wait for an admin.
    pub refunds_failed: i64,
    /// Notices (messages about a change) not yet sent.
    pub notices_pending: i64,
    /// How long the oldest due notice has waited.
    pub notices_oldest_due_secs: Option<i64>,
}

type Row = (i64, Option<i64>, i64, Option<i64>, i64, i64, i64, i64, Option<i64>);

impl Store {
    pub async fn backlog(&self, now: DateTime<Utc>) -> Result<Backlog> {
        let row: Row = with_pool!(self, read, p => sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM notifications WHERE status IN ($2, $3, $4)), \
               (SELECT MIN(not_before) FROM notifications WHERE status IN ($2, $3) AND not_before <= $1), \
               (SELECT COUNT(*) FROM inbound_updates WHERE handled_at IS NULL), \
               (SELECT MIN(received_at) FROM inbound_updates WHERE handled_at IS NULL), \
               (SELECT COUNT(*) FROM purchases WHERE status = $5), \
               (SELECT COUNT(*) FROM purchases WHERE status = $6), \
               (SELECT COUNT(*) FROM purchases WHERE status = $7), \
               (SELECT COUNT(*) FROM notices WHERE status IN ('pending', 'sending')), \
               (SELECT MIN(not_before) FROM notices WHERE status IN ('pending', 'sending') AND not_before <= $1)",
        )
        .bind(ts(now))
        .bind(NotificationStatus::Pending.as_str())
        .bind(NotificationStatus::Claimed.as_str())
        .bind(NotificationStatus::Sending.as_str())
        .bind(PurchaseStatus::Reserved.as_str())
        .bind(PurchaseStatus::RefundPending.as_str())
        .bind(PurchaseStatus::RefundFailed.as_str())
        .fetch_one(p)
        .await?);
        let age = |since: Option<i64>| since.map(|t| (ts(now) - t).max(0));
        Ok(Backlog {
            outbox_depth: row.0,
            outbox_oldest_due_secs: age(row.1),
            inbound_pending: row.2,
            inbound_oldest_secs: age(row.3),
            reservations_open: row.4,
            refunds_pending: row.5,
            refunds_failed: row.6,
            notices_pending: row.7,
            notices_oldest_due_secs: age(row.8),
        })
    }
}
