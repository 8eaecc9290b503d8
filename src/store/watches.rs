//! Price watches: "tell me when this deal costs at most …", one per
//! customer and offer, and the drop schedule of an offer as the business
//! changes it. The watch's notice is written in the transaction that marks
//! the watch notified, so it is sent once.

use chrono::{DateTime, Utc};

use super::{Actor, Result, Store, StoreError, StoredQuiet, audit, ts, with_pool, with_tx};
use crate::domain::{Money, NoticeKind};

/// A watch not yet notified, on an active offer whose window is still
/// open, of a customer who still follows the shop.
#[derive(Debug, Clone)]
pub struct OpenWatch {
    pub offer_id: i64,
    pub customer_tg_id: i64,
    /// The price asked for, in the offer's minor units.
    pub below: i64,
    pub quiet: StoredQuiet,
}

type WatchRow = (i64, i64, i64, Option<String>, Option<i32>, Option<i32>);

impl Store {
    /// Sets (or replaces) a customer's watch on an offer; a replaced watch
    /// may notify again.
    pub async fn set_price_watch(&self, offer_id: i64, customer: i64, below: Money, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO price_watches (offer_id, customer_tg_id, below, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (offer_id, customer_tg_id) DO UPDATE SET below = excluded.below, \
             created_at = excluded.created_at, notified_at = NULL",
        ).bind(offer_id).bind(customer).bind(below.minor()).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(())
    }

    /// A customer's watch on an offer: the price asked for, and whether it
    /// was notified.
    pub async fn price_watch(&self, offer_id: i64, customer: i64) -> Result<Option<(i64, bool)>> {
        let row: Option<(i64, Option<i64>)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT below, notified_at FROM price_watches WHERE offer_id = $1 AND customer_tg_id = $2",
        ).bind(offer_id).bind(customer).fetch_optional(p).await?);
        Ok(row.map(|(below, at)| (below, at.is_some())))
    }

    /// Watches that may be due: not notified, on active offers with a drop
    /// schedule and an open window, of customers who still follow the shop.
    pub async fn open_price_watches(&self, now: DateTime<Utc>) -> Result<Vec<OpenWatch>> {
        let rows: Vec<WatchRow> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT w.offer_id, w.customer_tg_id, w.below, u.timezone, u.quiet_from, u.quiet_to \
             FROM price_watches w JOIN offers o ON o.id = w.offer_id \
             JOIN follows f ON f.customer_tg_id = w.customer_tg_id AND f.business_id = o.business_id \
             LEFT JOIN users u ON u.tg_id = w.customer_tg_id \
             WHERE w.notified_at IS NULL AND o.status = 'active' AND o.pickup_end > $1 \
             AND o.drop_percent IS NOT NULL ORDER BY w.offer_id, w.customer_tg_id",
        ).bind(ts(now)).fetch_all(p).await?);
        let minutes = |v: Option<i32>| v.and_then(|m| u16::try_from(m).ok());
        Ok(rows
            .into_iter()
            .map(|(offer_id, customer_tg_id, below, tz, from, to)| OpenWatch {
                offer_id,
                customer_tg_id,
                below,
                quiet: StoredQuiet { timezone: tz, quiet: minutes(from).zip(minutes(to)) },
            })
            .collect())
    }

    /// Marks a watch notified and writes its `PriceDropped` notice (sent
    /// from `not_before`: after the customer's quiet hours), in one
    /// transaction; `false` when it was notified before (or changed).
    pub async fn fire_price_watch(&self, w: &OpenWatch, not_before: DateTime<Utc>, now: DateTime<Utc>) -> Result<bool> {
        let fired: bool = with_tx!(self, tx => {
            let r = sqlx::query(
                "UPDATE price_watches SET notified_at = $1 WHERE offer_id = $2 AND customer_tg_id = $3 \
                 AND below = $4 AND notified_at IS NULL",
            ).bind(ts(now)).bind(w.offer_id).bind(w.customer_tg_id).bind(w.below).execute(&mut *tx).await?;
            if r.rows_affected() == 1 {
                sqlx::query(
                    "INSERT INTO notices (chat_id, kind, business_id, offer_id, detail, not_before, created_at) \
                     SELECT $1, $2, o.business_id, o.id, $3, $4, $5 FROM offers o WHERE o.id = $6",
                )
                .bind(w.customer_tg_id)
                .bind(NoticeKind::PriceDropped.as_str())
                .bind(w.below.to_string())
                .bind(ts(not_before))
                .bind(ts(now))
                .bind(w.offer_id)
                .execute(&mut *tx).await?;
                true
            } else {
                false
            }
        });
        Ok(fired)
    }

    /// Ends an offer's price drops: from now on it costs its deal price.
    /// Reservations made meanwhile keep the price they locked.
    pub async fn stop_price_drops(&self, offer_id: i64, actor: &Actor, now: DateTime<Utc>) -> Result<()> {
        with_tx!(self, tx => {
            let r = sqlx::query(
                "UPDATE offers SET drop_percent = NULL, drop_every = NULL, drop_span = NULL, drop_floor = NULL, \
                 drop_tz = NULL, updated_at = $2 WHERE id = $1",
            ).bind(offer_id).bind(ts(now)).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            audit!(tx, now, actor, "stop_price_drops", "offer", offer_id, None::<String>, None::<String>);
        });
        Ok(())
    }
}
