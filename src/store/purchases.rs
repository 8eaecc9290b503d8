//! Purchases: the reservation (the conditional stock decrement), payment,
//! release, refund and pickup. Every stock change is one conditional
//! `UPDATE` inside the transaction that changes the purchase's status.

use chrono::{DateTime, Utc};

use super::offers::{RESTOCK_SQL, SELL_OUT_SQL};
use super::{Actor, Db, Result, Store, StoreError, audit, dt, sql_list, ts, with_pool, with_tx};
use crate::domain::purchase::PurchaseEvent;
use crate::domain::{Currency, Money, OfferStatus, PickupCode, PurchaseStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    /// Card payment through Stripe Checkout; stock held until `expires_at`.
    Stripe,
    /// Reserve now, pay at pickup: confirmed at once.
    AtPickup,
}

impl PaymentMethod {
    fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Stripe => "stripe",
            PaymentMethod::AtPickup => "at_pickup",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewPurchase {
    pub customer_tg_id: i64,
    pub offer_id: i64,
    /// `(item id, units)`; at least one line, each item once.
    pub lines: Vec<(i64, u32)>,
    pub method: PaymentMethod,
    /// When an unpaid reservation lapses (Stripe only).
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct Purchase {
    pub id: i64,
    pub customer_tg_id: i64,
    pub offer_id: i64,
    pub status: PurchaseStatus,
    pub total: Money,
    pub pickup_code: PickupCode,
    pub method: PaymentMethod,
    pub expires_at: Option<DateTime<Utc>>,
    pub stripe_session_id: Option<String>,
    pub stripe_session_url: Option<String>,
    pub stripe_payment_intent: Option<String>,
    /// Failed refund attempts so far (for backoff).
    pub refund_attempts: u32,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<PurchaseLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseLine {
    pub item_id: i64,
    pub quantity: u32,
    pub unit_price: Money,
}

/// A line as reserved, for the caller's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservedLine {
    pub item_id: i64,
    pub quantity: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    #[error("not enough left")]
    SoldOut,
    #[error("the offer can't be bought: it is {0}")]
    Unavailable(OfferStatus),
    #[error("the pickup window has ended")]
    Ended,
    #[error("no such offer or item")]
    NotFound,
    #[error("an order needs at least one item")]
    Empty,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ReserveError {
    fn from(e: sqlx::Error) -> Self {
        ReserveError::Unexpected(e.into())
    }
}

/// What a payment that arrived for a lapsed reservation led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateOutcome {
    /// Stock remained: the order is paid after all.
    Taken,
    /// Nothing left (or the offer is over): the order awaits a refund.
    MustRefund,
}

#[derive(Debug, thiserror::Error)]
pub enum PickupError {
    #[error("no order with that code")]
    UnknownCode,
    #[error("that order is {0}")]
    NotCollectable(PurchaseStatus),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PickupError {
    fn from(e: sqlx::Error) -> Self {
        PickupError::Store(e.into())
    }
}

#[derive(sqlx::FromRow)]
struct PurchaseRow {
    id: i64,
    customer_tg_id: i64,
    offer_id: i64,
    status: String,
    total: i64,
    currency: String,
    pickup_code: String,
    payment_method: String,
    expires_at: Option<i64>,
    stripe_session_id: Option<String>,
    stripe_session_url: Option<String>,
    stripe_payment_intent: Option<String>,
    refund_attempts: i32,
    created_at: i64,
}

const PURCHASE_COLS: &str = "id, customer_tg_id, offer_id, status, total, currency, pickup_code, payment_method, \
     expires_at, stripe_session_id, stripe_session_url, stripe_payment_intent, refund_attempts, created_at";

fn purchase_from_row(r: PurchaseRow, lines: Vec<(i64, i32, i64)>) -> Result<Purchase> {
    let currency = Currency::from_code(&r.currency).map_err(anyhow::Error::from)?;
    let money = |m: i64| {
        Money::from_minor(m, currency).ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("bad amount {m}")))
    };
    Ok(Purchase {
        id: r.id,
        customer_tg_id: r.customer_tg_id,
        offer_id: r.offer_id,
        status: PurchaseStatus::parse(&r.status)?,
        total: money(r.total)?,
        pickup_code: PickupCode::parse(&r.pickup_code)
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("bad pickup code in the database")))?,
        method: if r.payment_method == "stripe" { PaymentMethod::Stripe } else { PaymentMethod::AtPickup },
        expires_at: r.expires_at.map(dt),
        stripe_session_id: r.stripe_session_id,
        stripe_session_url: r.stripe_session_url,
        stripe_payment_intent: r.stripe_payment_intent,
        refund_attempts: r.refund_attempts.max(0) as u32,
        created_at: dt(r.created_at),
        lines: lines
            .into_iter()
            .map(|(item_id, q, p)| Ok(PurchaseLine { item_id, quantity: q.max(0) as u32, unit_price: money(p)? }))
            .collect::<Result<_>>()?,
    })
}

/// Moves a purchase's lines between the stock columns inside a transaction:
/// `$col_from` loses the units (guarded to stay ≥ 0), `$col_to` gains them.
/// Yields the number of lines that could not move.
macro_rules! move_stock {
    ($tx:expr, $purchase_id:expr, $sql:expr) => {{
        let lines: Vec<(i64, i32)> =
            sqlx::query_as("SELECT item_id, quantity FROM purchase_lines WHERE purchase_id = $1 ORDER BY item_id")
                .bind($purchase_id)
                .fetch_all(&mut *$tx)
                .await?;
        let mut failed = 0usize;
        for (item_id, q) in &lines {
            let r = sqlx::query($sql).bind(*q).bind(*item_id).execute(&mut *$tx).await?;
            if r.rows_affected() != 1 {
                failed += 1;
            }
        }
        failed
    }};
}

/// The reservation's gate: the offer, if it can be bought now.
const GATE_SQL: &str = "SELECT currency FROM offers WHERE id = $1 AND status = 'active' AND pickup_end > $2";

/// Locks the offer row of a purchase first. Every transaction that changes
/// stock takes the offer row before item rows (as `reserve` does), so two of
/// them can never wait on each other in opposite order on PostgreSQL.
macro_rules! lock_offer_of_purchase {
    ($tx:expr, $purchase_id:expr) => {
        sqlx::query(
            "UPDATE offers SET updated_at = updated_at WHERE id = (SELECT offer_id FROM purchases WHERE id = $1)",
        )
        .bind($purchase_id)
        .execute(&mut *$tx)
        .await?
    };
}

/// Re-activates an automatically sold-out offer whose stock came back.
macro_rules! restock {
    ($tx:expr, $offer_id:expr, $now:expr) => {{
        let r = sqlx::query(RESTOCK_SQL).bind($offer_id).bind(ts($now)).execute(&mut *$tx).await?;
        if r.rows_affected() == 1 {
            audit!($tx, $now, Actor::System, "restock", "offer", $offer_id, Some("sold_out"), Some("active"));
        }
    }};
}

const RESERVED_TO_SOLD: &str =
    "UPDATE offer_items SET reserved = reserved - $1, sold = sold + $1 WHERE id = $2 AND reserved >= $1";
const RESERVED_TO_FREE: &str = "UPDATE offer_items SET reserved = reserved - $1 WHERE id = $2 AND reserved >= $1";
const SOLD_TO_FREE: &str = "UPDATE offer_items SET sold = sold - $1 WHERE id = $2 AND sold >= $1";
const FREE_TO_SOLD: &str = "UPDATE offer_items SET sold = sold + $1 WHERE id = $2 AND quantity - reserved - sold >= $1";

impl Store {
    /// Reserves every line or none, in one transaction. Each line is one
    /// conditional decrement (`… WHERE quantity - reserved - sold >= n`),
    /// so two customers can never get the same last unit, whichever process
    /// they reach. The offer row is touched first (its status and window
    /// checked in the same statement), which also orders concurrent
    /// reservations of one offer so the automatic sell-out sees them all.
    pub async fn reserve(
        &self,
        new: &NewPurchase,
        now: DateTime<Utc>,
    ) -> std::result::Result<(Purchase, u32), ReserveError> {
        if new.lines.is_empty() || new.lines.iter().any(|(_, q)| *q == 0) {
            return Err(ReserveError::Empty);
        }
        let mut lines = new.lines.clone();
        lines.sort_unstable();
        lines.dedup_by_key(|(id, _)| *id);
        if lines.len() != new.lines.len() {
            return Err(ReserveError::Empty);
        }
        let (status, stock_sql) = match new.method {
            PaymentMethod::Stripe => (PurchaseStatus::Reserved, "reserved = reserved + $1"),
            PaymentMethod::AtPickup => (PurchaseStatus::Confirmed, "sold = sold + $1"),
        };
        let line_sql = format!(
            "UPDATE offer_items SET {stock_sql} WHERE id = $2 AND offer_id = $3 \
             AND quantity - reserved - sold >= $1 RETURNING deal_price"
        );
        // The offer row is locked first. PostgreSQL: `FOR UPDATE`, which
        // writes no new row version (a no-op UPDATE would, and a thousand
        // buyers queued on one offer then walk an ever longer chain of
        // them: BENCHMARKS.md, contention). SQLite: the write transaction
        // (`BEGIN IMMEDIATE`) already excludes every other writer.
        let gate_sql = match self.db {
            Db::Sqlite { .. } => GATE_SQL.to_string(),
            Db::Postgres(_) => format!("{GATE_SQL} FOR UPDATE"),
        };
        let id: i64 = with_tx!(self, tx => {
            let gate: Option<String> = sqlx::query_scalar(&gate_sql)
                .bind(new.offer_id).bind(ts(now)).fetch_optional(&mut *tx).await?;
            let Some(currency) = gate else {
                let row: Option<(String, i64)> = sqlx::query_as("SELECT status, pickup_end FROM offers WHERE id = $1")
                    .bind(new.offer_id).fetch_optional(&mut *tx).await?;
                return Err(match row {
                    None => ReserveError::NotFound,
                    Some((s, end)) => match OfferStatus::parse(&s).map_err(anyhow::Error::from)? {
                        OfferStatus::Active if end <= ts(now) => ReserveError::Ended,
                        other => ReserveError::Unavailable(other),
                    },
                });
            };
            let mut total: i64 = 0;
            let mut priced = Vec::with_capacity(lines.len());
            for (item_id, q) in &lines {
                let price: Option<i64> = sqlx::query_scalar(&line_sql)
                    .bind(*q as i32).bind(*item_id).bind(new.offer_id).fetch_optional(&mut *tx).await?;
                let Some(price) = price else {
                    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM offer_items WHERE id = $1 AND offer_id = $2")
                        .bind(*item_id).bind(new.offer_id).fetch_optional(&mut *tx).await?;
                    return Err(if exists.is_some() { ReserveError::SoldOut } else { ReserveError::NotFound });
                };
                total = price.checked_mul(i64::from(*q)).and_then(|t| t.checked_add(total))
                    .ok_or_else(|| anyhow::anyhow!("order total overflows"))?;
                priced.push((*item_id, *q, price));
            }
            let mut id = None;
            for _ in 0..8 {
                let code = PickupCode::generate();
                id = sqlx::query_scalar(
                    "INSERT INTO purchases (customer_tg_id, offer_id, status, total, currency, pickup_code, \
                     payment_method, expires_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
                     ON CONFLICT (offer_id, pickup_code) DO NOTHING RETURNING id",
                )
                .bind(new.customer_tg_id).bind(new.offer_id).bind(status.as_str()).bind(total).bind(&currency)
                .bind(code.as_str()).bind(new.method.as_str()).bind(new.expires_at.map(ts)).bind(ts(now))
                .fetch_optional(&mut *tx).await?;
                if id.is_some() {
                    break;
                }
            }
            let id: i64 = id.ok_or_else(|| anyhow::anyhow!("no free pickup code after 8 tries"))?;
            for (item_id, q, price) in &priced {
                sqlx::query("INSERT INTO purchase_lines (purchase_id, item_id, quantity, unit_price) VALUES ($1, $2, $3, $4)")
                    .bind(id).bind(*item_id).bind(*q as i32).bind(*price).execute(&mut *tx).await?;
            }
            let sold_out = sqlx::query(SELL_OUT_SQL).bind(new.offer_id).bind(ts(now)).execute(&mut *tx).await?;
            let actor = Actor::User(new.customer_tg_id);
            audit!(tx, now, actor, "purchase", "purchase", id, None::<String>, Some(status.as_str()));
            if sold_out.rows_affected() == 1 {
                audit!(tx, now, Actor::System, "sell_out", "offer", new.offer_id, Some("active"), Some("sold_out"));
            }
            id
        });
        let purchase = self.purchase(id).await.map_err(|e| anyhow::anyhow!(e))?;
        let remaining = self.offer(new.offer_id).await.map_err(|e| anyhow::anyhow!(e))?.remaining();
        Ok((purchase, remaining))
    }

    pub async fn purchase(&self, id: i64) -> Result<Purchase> {
        let sql = format!("SELECT {PURCHASE_COLS} FROM purchases WHERE id = $1");
        let (row, lines): (PurchaseRow, Vec<(i64, i32, i64)>) = with_pool!(self, read, p => {
            let row = sqlx::query_as(&sql).bind(id).fetch_one(p).await?;
            let lines = sqlx::query_as(
                "SELECT item_id, quantity, unit_price FROM purchase_lines WHERE purchase_id = $1 ORDER BY item_id",
            ).bind(id).fetch_all(p).await?;
            (row, lines)
        });
        purchase_from_row(row, lines)
    }

    /// Purchases of one offer in the given statuses (all when empty).
    pub async fn purchases_of_offer(&self, offer_id: i64, statuses: &[PurchaseStatus]) -> Result<Vec<Purchase>> {
        let mut sql = "SELECT id FROM purchases WHERE offer_id = $1".to_string();
        if !statuses.is_empty() {
            sql.push_str(&format!(" AND status IN ({})", sql_list(statuses.iter().map(|s| s.as_str()))));
        }
        sql.push_str(" ORDER BY id");
        let ids: Vec<i64> = with_pool!(self, read, p => sqlx::query_scalar(&sql).bind(offer_id).fetch_all(p).await?);
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.purchase(id).await?);
        }
        Ok(out)
    }

    /// Records the Stripe Checkout Session that will collect the payment.
    pub async fn set_checkout_session(&self, purchase_id: i64, session_id: &str, url: &str) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE purchases SET stripe_session_id = $1, stripe_session_url = $2 WHERE id = $3",
        ).bind(session_id).bind(url).bind(purchase_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Marks a reservation paid, moving its units from reserved to sold. A
    /// payment for a reservation that already lapsed takes the stock again
    /// if it remains (and the window is open), otherwise the order goes to
    /// `refund_pending`. `Ok(None)`: nothing to do (already paid, or not a
    /// payable state).
    pub async fn mark_paid(
        &self,
        purchase_id: i64,
        payment_intent: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<LateOutcome>> {
        let pay_from = |s: PurchaseStatus| {
            format!(
                "UPDATE purchases SET status = 'paid', stripe_payment_intent = COALESCE($1, stripe_payment_intent), \
                 updated_at = $2 WHERE id = $3 AND status = '{}'",
                s.as_str()
            )
        };
        let on_time = pay_from(PurchaseStatus::Reserved);
        let late = pay_from(PurchaseStatus::Expired);
        let outcome = with_tx!(self, tx => {
            lock_offer_of_purchase!(tx, purchase_id);
            let r = sqlx::query(&on_time).bind(payment_intent).bind(ts(now)).bind(purchase_id).execute(&mut *tx).await?;
            if r.rows_affected() == 1 {
                if move_stock!(tx, purchase_id, RESERVED_TO_SOLD) != 0 {
                    return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {purchase_id} held no reservation")));
                }
                audit!(tx, now, Actor::Stripe, "pay", "purchase", purchase_id, Some("reserved"), Some("paid"));
                Some(LateOutcome::Taken)
            } else {
                let r = sqlx::query(&late).bind(payment_intent).bind(ts(now)).bind(purchase_id).execute(&mut *tx).await?;
                if r.rows_affected() == 1 {
                    let open: Option<i64> = sqlx::query_scalar(
                        "SELECT o.id FROM offers o JOIN purchases p ON p.offer_id = o.id \
                         WHERE p.id = $1 AND o.status IN ('active', 'sold_out', 'paused') AND o.pickup_end > $2",
                    ).bind(purchase_id).bind(ts(now)).fetch_optional(&mut *tx).await?;
                    // Take every line again, or none: on the first line
                    // that no longer fits, give back the ones taken.
                    let lines: Vec<(i64, i32)> = sqlx::query_as(
                        "SELECT item_id, quantity FROM purchase_lines WHERE purchase_id = $1 ORDER BY item_id",
                    ).bind(purchase_id).fetch_all(&mut *tx).await?;
                    let mut taken: Vec<(i64, i32)> = Vec::new();
                    if open.is_some() {
                        for (item_id, q) in &lines {
                            let r = sqlx::query(FREE_TO_SOLD).bind(*q).bind(*item_id).execute(&mut *tx).await?;
                            if r.rows_affected() != 1 {
                                break;
                            }
                            taken.push((*item_id, *q));
                        }
                    }
                    if open.is_some() && taken.len() == lines.len() {
                        audit!(tx, now, Actor::Stripe, "pay_late", "purchase", purchase_id, Some("expired"), Some("paid"));
                        if let Some(offer_id) = open {
                            sqlx::query(SELL_OUT_SQL).bind(offer_id).bind(ts(now)).execute(&mut *tx).await?;
                        }
                        Some(LateOutcome::Taken)
                    } else {
                        for (item_id, q) in &taken {
                            sqlx::query(SOLD_TO_FREE).bind(*q).bind(*item_id).execute(&mut *tx).await?;
                        }
                        sqlx::query("UPDATE purchases SET status = 'refund_pending', next_attempt_at = $1 WHERE id = $2")
                            .bind(ts(now)).bind(purchase_id).execute(&mut *tx).await?;
                        audit!(tx, now, Actor::Stripe, "pay_late", "purchase", purchase_id, Some("expired"), Some("refund_pending"));
                        Some(LateOutcome::MustRefund)
                    }
                } else {
                    None
                }
            }
        });
        Ok(outcome)
    }

    /// Releases an unpaid reservation (`Expire`) or cancels a reservation or
    /// pay-at-pickup order (`Cancel`), returning its units to stock. Returns
    /// false when the purchase was not in a state that allows it (already
    /// paid, already released: a second call changes nothing).
    pub async fn release(
        &self,
        purchase_id: i64,
        event: PurchaseEvent,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        if !matches!(event, PurchaseEvent::Expire | PurchaseEvent::Cancel) {
            return Err(StoreError::Unexpected(anyhow::anyhow!("release takes Expire or Cancel, not {event}")));
        }
        let to = event.target();
        let released = with_tx!(self, tx => {
            lock_offer_of_purchase!(tx, purchase_id);
            let mut released = false;
            for from in event.from_states() {
                let offer: Option<i64> = sqlx::query_scalar(
                    "UPDATE purchases SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4 RETURNING offer_id",
                ).bind(to.as_str()).bind(ts(now)).bind(purchase_id).bind(from.as_str()).fetch_optional(&mut *tx).await?;
                let Some(offer_id) = offer else { continue };
                let sql = if from.holds_reservation() { RESERVED_TO_FREE } else { SOLD_TO_FREE };
                if move_stock!(tx, purchase_id, sql) != 0 {
                    return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {purchase_id} stock out of step")));
                }
                restock!(tx, offer_id, now);
                audit!(tx, now, actor, event.as_str(), "purchase", purchase_id, Some(from.as_str()), Some(to.as_str()));
                released = true;
                break;
            }
            released
        });
        Ok(released)
    }

    /// Cancels a paid order: its units return to stock and it waits in
    /// `refund_pending` until Stripe accepts the refund. False if it was not
    /// paid (a second call changes nothing).
    pub async fn request_refund(&self, purchase_id: i64, actor: &Actor, now: DateTime<Utc>) -> Result<bool> {
        let done = with_tx!(self, tx => {
            lock_offer_of_purchase!(tx, purchase_id);
            let offer: Option<i64> = sqlx::query_scalar(
                "UPDATE purchases SET status = 'refund_pending', next_attempt_at = $1, updated_at = $1 \
                 WHERE id = $2 AND status = 'paid' RETURNING offer_id",
            ).bind(ts(now)).bind(purchase_id).fetch_optional(&mut *tx).await?;
            match offer {
                Some(offer_id) => {
                    if move_stock!(tx, purchase_id, SOLD_TO_FREE) != 0 {
                        return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {purchase_id} stock out of step")));
                    }
                    restock!(tx, offer_id, now);
                    audit!(tx, now, actor, "request_refund", "purchase", purchase_id, Some("paid"), Some("refund_pending"));
                    true
                }
                None => false,
            }
        });
        Ok(done)
    }

    /// Marks a pending refund done. False if it was not pending.
    pub async fn mark_refunded(&self, purchase_id: i64, now: DateTime<Utc>) -> Result<bool> {
        let done = with_tx!(self, tx => {
            let r = sqlx::query("UPDATE purchases SET status = 'refunded', updated_at = $1 WHERE id = $2 AND status = 'refund_pending'")
                .bind(ts(now)).bind(purchase_id).execute(&mut *tx).await?;
            if r.rows_affected() == 1 {
                audit!(tx, now, Actor::Stripe, "refunded", "purchase", purchase_id, Some("refund_pending"), Some("refunded"));
            }
            r.rows_affected() == 1
        });
        Ok(done)
    }

    /// Confirms a pickup by code, for an offer of `business_id`.
    pub async fn pick_up(
        &self,
        business_id: i64,
        code: &PickupCode,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> std::result::Result<Purchase, PickupError> {
        let from = sql_list(PurchaseEvent::PickUp.from_states().map(PurchaseStatus::as_str));
        let sql = format!(
            "UPDATE purchases SET status = 'picked_up', updated_at = $1 WHERE pickup_code = $2 AND status IN ({from}) \
             AND offer_id IN (SELECT id FROM offers WHERE business_id = $3) RETURNING id"
        );
        let id: std::result::Result<i64, Option<String>> = with_tx!(self, tx => {
            let id: Option<i64> = sqlx::query_scalar(&sql).bind(ts(now)).bind(code.as_str()).bind(business_id)
                .fetch_optional(&mut *tx).await?;
            match id {
                Some(id) => {
                    audit!(tx, now, actor, "pick_up", "purchase", id, None::<String>, Some("picked_up"));
                    Ok(id)
                }
                None => {
                    let status: Option<String> = sqlx::query_scalar(
                        "SELECT status FROM purchases WHERE pickup_code = $1 \
                         AND offer_id IN (SELECT id FROM offers WHERE business_id = $2) ORDER BY id DESC LIMIT 1",
                    ).bind(code.as_str()).bind(business_id).fetch_optional(&mut *tx).await?;
                    Err(status)
                }
            }
        });
        match id {
            Ok(id) => Ok(self.purchase(id).await?),
            Err(None) => Err(PickupError::UnknownCode),
            Err(Some(s)) => Err(PickupError::NotCollectable(PurchaseStatus::parse(&s).map_err(StoreError::from)?)),
        }
    }

    /// The customer's unpaid reservation on this offer, if one is open.
    pub async fn open_reservation(&self, customer_tg_id: i64, offer_id: i64) -> Result<Option<Purchase>> {
        let id: Option<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT id FROM purchases WHERE customer_tg_id = $1 AND offer_id = $2 AND status = 'reserved' \
             ORDER BY id DESC LIMIT 1",
        ).bind(customer_tg_id).bind(offer_id).fetch_optional(p).await?);
        match id {
            Some(id) => Ok(Some(self.purchase(id).await?)),
            None => Ok(None),
        }
    }

    /// A customer's orders, newest first.
    pub async fn purchases_of_customer(&self, customer_tg_id: i64, limit: i64) -> Result<Vec<Purchase>> {
        let ids: Vec<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT id FROM purchases WHERE customer_tg_id = $1 ORDER BY id DESC LIMIT $2",
        ).bind(customer_tg_id).bind(limit).fetch_all(p).await?);
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.purchase(id).await?);
        }
        Ok(out)
    }

    /// Refunds waiting for (another) attempt.
    pub async fn due_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Purchase>> {
        let ids: Vec<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT id FROM purchases WHERE status = 'refund_pending' AND COALESCE(next_attempt_at, 0) <= $1 \
             ORDER BY next_attempt_at LIMIT $2",
        ).bind(ts(now)).bind(limit).fetch_all(p).await?);
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.purchase(id).await?);
        }
        Ok(out)
    }

    /// Records a failed refund attempt; the next one waits until `retry_at`.
    pub async fn refund_attempt_failed(&self, purchase_id: i64, retry_at: DateTime<Utc>) -> Result<u32> {
        let attempts: Option<i32> = with_pool!(self, write, p => sqlx::query_scalar(
            "UPDATE purchases SET refund_attempts = refund_attempts + 1, next_attempt_at = $1 \
             WHERE id = $2 AND status = 'refund_pending' RETURNING refund_attempts",
        ).bind(ts(retry_at)).bind(purchase_id).fetch_optional(p).await?);
        Ok(attempts.unwrap_or(0).max(0) as u32)
    }

    /// Paid and pay-at-pickup orders whose pickup window ended uncollected
    /// become `no_show`; returns them.
    pub async fn mark_no_shows(&self, now: DateTime<Utc>) -> Result<Vec<i64>> {
        let from = sql_list(PurchaseEvent::NoShow.from_states().map(PurchaseStatus::as_str));
        let sql = format!(
            "UPDATE purchases SET status = 'no_show', updated_at = $1 WHERE status IN ({from}) \
             AND offer_id IN (SELECT id FROM offers WHERE pickup_end <= $1) RETURNING id"
        );
        let ids: Vec<i64> = with_tx!(self, tx => {
            let ids: Vec<i64> = sqlx::query_scalar(&sql).bind(ts(now)).fetch_all(&mut *tx).await?;
            for id in &ids {
                audit!(tx, now, Actor::System, "no_show", "purchase", *id, None::<String>, Some("no_show"));
            }
            ids
        });
        Ok(ids)
    }

    /// Unpaid reservations whose TTL has passed.
    pub async fn lapsed_reservations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Purchase>> {
        let ids: Vec<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT id FROM purchases WHERE status = 'reserved' AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
        ).bind(ts(now)).bind(limit).fetch_all(p).await?);
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.purchase(id).await?);
        }
        Ok(out)
    }
}
