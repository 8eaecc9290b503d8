//! Purchases: the reservation (the conditional stock decrement), payment,
//! release, refund and pickup. Every stock change is one conditional
//! `UPDATE` inside the transaction that changes the purchase's status.

use chrono::{DateTime, Utc};

use super::offers::{offer_auto, restock, sell_out};
use super::waitlist::{hand_out, hold_released};
use super::{
    Actor, Db, Result, Store, StoreError, To, audit, dt, notice_chat, notice_purchase, record_event, sql_list, ts,
    with_pool, with_tx,
};
use crate::domain::purchase::PurchaseEvent;
use crate::domain::{Currency, Money, NoticeKind, OfferStatus, PickupCode, PurchaseStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    /// Card payment through Stripe Checkout; stock held until `expires_at`.
    Stripe,
    /// Reserve now, pay at pickup: confirmed at once.
    AtPickup,
    /// Unsold units given to a charity (`Store::accept_donation`), free.
    Donation,
}

impl PaymentMethod {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Stripe => "stripe",
            PaymentMethod::AtPickup => "at_pickup",
            PaymentMethod::Donation => "donation",
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
    /// What identifies the request (e.g. the chat and message whose button
    /// was pressed): a second request with the same key makes nothing and
    /// gets `ReserveError::AlreadyMade` with the first purchase.
    pub request_key: Option<String>,
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
    /// The exact form sent to create the Checkout Session (JSON pairs).
    pub checkout_params: Option<String>,
    /// The refund at Stripe, once created.
    pub stripe_refund_id: Option<String>,
    /// Why the refund failed, as Stripe said.
    pub refund_failure: Option<String>,
    /// The refund attempt in the idempotency key; an admin's retry is a new one.
    pub refund_seq: u32,
    /// Failed refund attempts so far (for backoff).
    pub refund_attempts: u32,
    /// The platform fee kept with the Checkout form (minor units).
    pub platform_fee: Option<i64>,
    /// The connected account (`acct_…`) of a destination charge.
    pub connect_account: Option<String>,
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
    /// This request was carried out before: here is its purchase.
    #[error("already made as purchase {0}")]
    AlreadyMade(i64),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ReserveError {
    fn from(e: sqlx::Error) -> Self {
        ReserveError::Unexpected(e.into())
    }
}

/// What a payment led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaidOutcome {
    /// The order stands, paid.
    Confirmed,
    /// It can't be fulfilled (the offer is over or withdrawn, the stock is
    /// gone): the order awaits a full refund.
    MustRefund,
    /// The payment was recorded before: nothing to do.
    AlreadyKnown,
    /// The event that brought it was processed before.
    Duplicate,
}

/// An external event (a Stripe webhook) whose effect commits together
/// with its `processed_events` row.
#[derive(Debug, Clone, Copy)]
pub struct EventRef<'a> {
    pub source: &'a str,
    pub id: &'a str,
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
    checkout_params: Option<String>,
    stripe_refund_id: Option<String>,
    refund_failure: Option<String>,
    refund_seq: i32,
    refund_attempts: i32,
    platform_fee: Option<i64>,
    connect_account: Option<String>,
    created_at: i64,
}

const PURCHASE_COLS: &str = "id, customer_tg_id, offer_id, status, total, currency, pickup_code, payment_method, \
     expires_at, stripe_session_id, stripe_session_url, stripe_payment_intent, checkout_params, stripe_refund_id, \
     refund_failure, refund_seq, refund_attempts, platform_fee, connect_account, created_at";

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
        method: match r.payment_method.as_str() {
            "stripe" => PaymentMethod::Stripe,
            "donation" => PaymentMethod::Donation,
            _ => PaymentMethod::AtPickup,
        },
        expires_at: r.expires_at.map(dt),
        stripe_session_id: r.stripe_session_id,
        stripe_session_url: r.stripe_session_url,
        stripe_payment_intent: r.stripe_payment_intent,
        checkout_params: r.checkout_params,
        stripe_refund_id: r.stripe_refund_id,
        refund_failure: r.refund_failure,
        refund_seq: r.refund_seq.max(0) as u32,
        refund_attempts: r.refund_attempts.max(0) as u32,
        platform_fee: r.platform_fee,
        connect_account: r.connect_account,
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

/// The reservation's gate: the offer, if it can be bought now, with what
/// its price depends on (the window's end and the drop schedule).
const GATE_SQL: &str = "SELECT currency, pickup_end, drop_percent, drop_every, drop_span, drop_floor, drop_tz \
     FROM offers WHERE id = $1 AND status = 'active' AND pickup_end > $2";

/// Why the offer `$offer_id` can't be reserved at `$now` (its gate row
/// wasn't found): it is gone, its window ended, or it isn't active.
macro_rules! why_not {
    ($tx:expr, $offer_id:expr, $now:expr) => {{
        let row: Option<(String, i64)> = sqlx::query_as("SELECT status, pickup_end FROM offers WHERE id = $1")
            .bind($offer_id)
            .fetch_optional(&mut *$tx)
            .await?;
        match row {
            None => ReserveError::NotFound,
            Some((s, end)) => match OfferStatus::parse(&s).map_err(anyhow::Error::from)? {
                OfferStatus::Active if end <= ts($now) => ReserveError::Ended,
                other => ReserveError::Unavailable(other),
            },
        }
    }};
}

/// A reservation read a price that changed before it took the offer's
/// lock; it is rolled back and tried again.
#[derive(Debug, thiserror::Error)]
#[error("a price changed while reserving")]
struct PriceMoved;

/// A row of [`GATE_SQL`].
type GateRow = (String, i64, Option<i32>, Option<i32>, Option<i32>, Option<i64>, Option<String>);

/// [`GATE_SQL`] with the deal price of each line's item (`$3`, `$4`, …):
/// one row per item found in the offer, or one with neither if none is;
/// none if the offer can't be bought.
fn priced_gate_sql(lines: usize) -> String {
    let items: Vec<String> = (0..lines).map(|i| format!("${}", 3 + i)).collect();
    format!(
        "SELECT o.currency, o.pickup_end, o.drop_percent, o.drop_every, o.drop_span, o.drop_floor, o.drop_tz, \
         i.id, i.deal_price FROM offers o LEFT JOIN offer_items i ON i.offer_id = o.id AND i.id IN ({}) \
         WHERE o.id = $1 AND o.status = 'active' AND o.pickup_end > $2",
        items.join(", ")
    )
}

/// A row of [`priced_gate_sql`].
type PricedGateRow =
    (String, i64, Option<i32>, Option<i32>, Option<i32>, Option<i64>, Option<String>, Option<i64>, Option<i64>);

/// A new purchase (`$1` customer, `$2` offer, `$3` status, `$4` total, `$5`
/// currency, `$6` pickup code, `$7` method, `$8` expiry, `$9` now, `$10`
/// request key), unless its pickup code is in use at the same business.
const INSERT_PURCHASE_SQL: &str = "INSERT INTO purchases (customer_tg_id, offer_id, status, total, currency, \
     pickup_code, payment_method, expires_at, created_at, updated_at, request_key) \
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10 WHERE NOT EXISTS ( \
     SELECT 1 FROM purchases p JOIN offers o ON o.id = p.offer_id \
     WHERE p.pickup_code = $6 AND p.status IN ('reserved', 'confirmed', 'paid', 'donated') \
     AND o.business_id = (SELECT business_id FROM offers WHERE id = $2)) \
     ON CONFLICT DO NOTHING RETURNING id";

/// A reservation's lines priced from one read of [`priced_gate_sql`]:
/// the gate they were priced from, each line as `(item, units, deal price,
/// unit price now)`, and the total.
struct Priced {
    gate: GateRow,
    lines: Vec<(i64, u32, i64, i64)>,
    total: i64,
}

impl Priced {
    /// Prices `lines` at `now` from the rows of [`priced_gate_sql`]: `None`
    /// if the gate wasn't found (the offer can't be bought).
    fn read(
        rows: &[PricedGateRow],
        lines: &[(i64, u32)],
        now: DateTime<Utc>,
    ) -> std::result::Result<Option<Priced>, ReserveError> {
        let Some(first) = rows.first() else { return Ok(None) };
        let gate: GateRow = (first.0.clone(), first.1, first.2, first.3, first.4, first.5, first.6.clone());
        let mut total: i64 = 0;
        let mut priced = Vec::with_capacity(lines.len());
        for (item_id, q) in lines {
            let deal = rows.iter().find(|r| r.7 == Some(*item_id)).and_then(|r| r.8);
            let Some(deal) = deal else { return Err(ReserveError::NotFound) };
            let price = price_now(&gate, deal, now)?;
            total = price
                .checked_mul(i64::from(*q))
                .and_then(|t| t.checked_add(total))
                .ok_or_else(|| anyhow::anyhow!("order total overflows"))?;
            priced.push((*item_id, *q, deal, price));
        }
        Ok(Some(Priced { gate, lines: priced, total }))
    }
}

/// The gate and the deal prices of `$lines`' items read through `$conn`
/// without a lock ([`priced_gate_sql`]), and the lines priced at `$now`
/// ([`Priced::read`]): `None` if the offer can't be bought.
macro_rules! read_priced {
    ($conn:expr, $offer_id:expr, $lines:expr, $now:expr) => {{
        let gate_sql = priced_gate_sql($lines.len());
        let mut q = sqlx::query_as::<_, PricedGateRow>(&gate_sql).bind($offer_id).bind(ts($now));
        for (item_id, _) in $lines {
            q = q.bind(*item_id);
        }
        let rows = q.fetch_all($conn).await?;
        Priced::read(&rows, $lines, $now)?
    }};
}

/// PostgreSQL: a whole reservation as one autocommitted call of
/// `glean_reserve` (migration 0022), so the offer's row lock is held for
/// the server's own work and the commit only, never for a round trip to
/// us. Its outcome: the purchase (none if the pickup code was in use),
/// whether the request key had made it before, whether the offer sold
/// out, and the units left.
const RESERVE_CALL_SQL: &str = "SELECT purchase_id, made_before, sold_out, remaining FROM glean_reserve(\
     $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)";

/// The SQLSTATEs `glean_reserve` raises, each rolling the call back.
const RESERVE_GONE: &str = "GL001";
const RESERVE_PRICE_MOVED: &str = "GL002";
const RESERVE_SOLD_OUT: &str = "GL003";

/// The units left of an offer, from the `SUM` of its items' (none: 0).
fn units_left(sum: Option<i64>) -> u32 {
    u32::try_from(sum.unwrap_or(0).max(0)).unwrap_or(u32::MAX)
}

/// The unit price at `now` of an item whose deal price is `deal`, from the
/// gate's row: the deal price less the drops due (`domain::pricing`).
fn price_now(gate: &GateRow, deal: i64, now: DateTime<Utc>) -> std::result::Result<i64, ReserveError> {
    let (currency, end, percent, every, span, floor, tz) = gate;
    let currency = Currency::from_code(currency).map_err(anyhow::Error::from)?;
    let deal = Money::from_minor(deal, currency).ok_or_else(|| anyhow::anyhow!("bad deal price {deal}"))?;
    let drop = super::offers::stored_drop((*percent, *every, *span, *floor, tz.as_deref()), currency)
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(drop.map_or(deal, |d| d.price_at(deal, dt(*end), now)).minor())
}

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

/// A purchase's status, read (and on PostgreSQL locked) inside a
/// transaction: `Some` if `$event` is allowed from it, `None` if not; the
/// transaction fails with `NotFound` for an unknown purchase.
macro_rules! status_allowing {
    ($store:expr, $tx:expr, $id:expr, $event:expr) => {{
        let status: Option<String> = sqlx::query_scalar(&$store.locking("SELECT status FROM purchases WHERE id = $1"))
            .bind($id)
            .fetch_optional(&mut *$tx)
            .await?;
        let Some(status) = status else { return Err(StoreError::NotFound) };
        let status = PurchaseStatus::parse(&status)?;
        status.apply($event).is_ok().then_some(status)
    }};
}

/// Moves a purchase from `$from` by `$event`: the target comes from the
/// domain's transition table, the `UPDATE` is guarded by the state read,
/// and the audit row is written. A purchase that changed meanwhile fails
/// the transaction (the caller's caller retries).
macro_rules! transition {
    ($tx:expr, $id:expr, $from:expr, $event:expr, $actor:expr, $now:expr) => {{
        let from: PurchaseStatus = $from;
        let to = from.apply($event)?;
        let r = sqlx::query("UPDATE purchases SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(to.as_str())
            .bind(ts($now))
            .bind($id)
            .bind(from.as_str())
            .execute(&mut *$tx)
            .await?;
        if r.rows_affected() != 1 {
            return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {} changed under us", $id)));
        }
        audit!($tx, $now, $actor, $event.as_str(), "purchase", $id, Some(from.as_str()), Some(to.as_str()));
        to
    }};
}

pub(super) use {lock_offer_of_purchase, move_stock, status_allowing, transition};

pub(super) const RESERVED_TO_SOLD: &str =
    "UPDATE offer_items SET reserved = reserved - $1, sold = sold + $1 WHERE id = $2 AND reserved >= $1";
const RESERVED_TO_FREE: &str = "UPDATE offer_items SET reserved = reserved - $1 WHERE id = $2 AND reserved >= $1";
const SOLD_TO_FREE: &str = "UPDATE offer_items SET sold = sold - $1 WHERE id = $2 AND sold >= $1";
const FREE_TO_SOLD: &str = "UPDATE offer_items SET sold = sold + $1 WHERE id = $2 AND quantity - reserved - sold >= $1";

impl Store {
    /// A `SELECT` of the purchase's state that also locks its row on
    /// PostgreSQL (`FOR UPDATE`), so the guarded update that follows can't
    /// find it changed by a concurrent transaction. SQLite's write
    /// transactions are exclusive already.
    pub(super) fn locking(&self, select: &str) -> String {
        match self.db {
            Db::Sqlite { .. } => select.to_string(),
            Db::Postgres(_) => format!("{select} FOR UPDATE"),
        }
    }

    /// Reserves every line or none, in one transaction. Each line is one
    /// conditional decrement (`… WHERE quantity - reserved - sold >= n`),
    /// so two customers can never get the same last unit, whichever process
    /// they reach. The offer row is locked before any item row (its status,
    /// window and drop schedule checked with the lock), which also orders
    /// concurrent reservations of one offer so the automatic sell-out sees
    /// them all. The prices are read and computed first, without a lock.
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
        let status = match new.method {
            PaymentMethod::Stripe => PurchaseStatus::Reserved,
            PaymentMethod::AtPickup => PurchaseStatus::Confirmed,
            PaymentMethod::Donation => {
                return Err(ReserveError::Unexpected(anyhow::anyhow!("donations are taken by accept_donation")));
            }
        };
        // PostgreSQL: a few buyers of one offer at a time go on to its row
        // lock, which stays the guarantee (`admission`). SQLite's one
        // writer queues them already.
        let admitted = match self.db {
            Db::Postgres(_) => Some(self.admission.enter(new.offer_id).await),
            Db::Sqlite { .. } => None,
        };
        let mut attempt = 0;
        let (id, remaining) = loop {
            attempt += 1;
            let once = match &self.db {
                Db::Sqlite { .. } => self.reserve_in_tx(new, &lines, status, now).await,
                Db::Postgres(pool) => self.reserve_in_call(pool, new, &lines, status, now).await,
            };
            match once {
                // The business changed a price between the read and the
                // lock (an /edit, a drop schedule stopped): read again.
                Err(ReserveError::Unexpected(e)) if e.is::<PriceMoved>() && attempt < 3 => continue,
                other => break other?,
            }
        };
        drop(admitted);
        let purchase = self.purchase(id).await.map_err(|e| anyhow::anyhow!(e))?;
        Ok((purchase, remaining))
    }

    /// SQLite: one try of [`Store::reserve`], in one write transaction
    /// (`BEGIN IMMEDIATE`, which excludes every other writer): the prices
    /// due now read, [`INSERT_PURCHASE_SQL`], the lines, the audit row and
    /// the notice; then the gate read again and checked unchanged
    /// ([`PriceMoved`] otherwise, which rolls everything back) and the stock
    /// taken by one conditional `UPDATE` per line — the guarantee against
    /// overselling. Returns the purchase and the units left, read in the
    /// same transaction.
    async fn reserve_in_tx(
        &self,
        new: &NewPurchase,
        lines: &[(i64, u32)],
        status: PurchaseStatus,
        now: DateTime<Utc>,
    ) -> std::result::Result<(i64, u32), ReserveError> {
        let column = if status == PurchaseStatus::Confirmed { "sold" } else { "reserved" };
        let line_sql = format!(
            "UPDATE offer_items SET {column} = {column} + $1 WHERE id = $2 AND offer_id = $3 \
             AND quantity - reserved - sold >= $1 RETURNING deal_price, quantity - reserved - sold"
        );
        let taken: (i64, u32) = with_tx!(self, tx => {
            if let Some(key) = &new.request_key {
                let made: Option<i64> = sqlx::query_scalar("SELECT id FROM purchases WHERE request_key = $1")
                    .bind(key).fetch_optional(&mut *tx).await?;
                if let Some(id) = made {
                    return Err(ReserveError::AlreadyMade(id));
                }
            }
            let Some(Priced { gate, lines: priced, total }) = read_priced!(&mut *tx, new.offer_id, lines, now)
            else {
                return Err(why_not!(tx, new.offer_id, now));
            };
            let actor = Actor::User(new.customer_tg_id);
            let mut id = None;
            for _ in 0..8 {
                let code = PickupCode::generate();
                id = sqlx::query_scalar(INSERT_PURCHASE_SQL)
                    .bind(new.customer_tg_id).bind(new.offer_id).bind(status.as_str()).bind(total).bind(&gate.0)
                    .bind(code.as_str()).bind(new.method.as_str()).bind(new.expires_at.map(ts)).bind(ts(now))
                    .bind(new.request_key.as_deref())
                    .fetch_optional(&mut *tx).await?;
                // Nothing written: the code is in use at this business (the
                // key was looked up in this transaction, which excludes
                // every other writer).
                if id.is_some() {
                    break;
                }
            }
            let id: i64 = id.ok_or_else(|| anyhow::anyhow!("no free pickup code after 8 tries"))?;
            for (item_id, q, _, price) in &priced {
                sqlx::query("INSERT INTO purchase_lines (purchase_id, item_id, quantity, unit_price) VALUES ($1, $2, $3, $4)")
                    .bind(id).bind(*item_id).bind(*q as i32).bind(*price).execute(&mut *tx).await?;
            }
            audit!(tx, now, actor, "purchase", "purchase", id, None::<String>, Some(status.as_str()));
            if status == PurchaseStatus::Confirmed {
                notice_purchase!(tx, now, id, To::Owner, NoticeKind::NewOrder);
            }
            let locked: Option<GateRow> = sqlx::query_as(GATE_SQL)
                .bind(new.offer_id).bind(ts(now)).fetch_optional(&mut *tx).await?;
            // Paused, withdrawn, sold out or ended meanwhile.
            let Some(locked) = locked else { return Err(why_not!(tx, new.offer_id, now)) };
            if locked != gate {
                return Err(ReserveError::Unexpected(anyhow::Error::new(PriceMoved)));
            }
            let mut all_gone = true;
            for (item_id, q, deal, _) in &priced {
                let row: Option<(i64, i32)> = sqlx::query_as(&line_sql)
                    .bind(*q as i32).bind(*item_id).bind(new.offer_id).fetch_optional(&mut *tx).await?;
                let Some((now_deal, left)) = row else { return Err(ReserveError::SoldOut) };
                if now_deal != *deal {
                    return Err(ReserveError::Unexpected(anyhow::Error::new(PriceMoved)));
                }
                all_gone &= left == 0;
            }
            // Sold out only if every line took the last of its item; the
            // statement then also finds the offer's other items empty.
            if all_gone {
                sell_out!(tx, new.offer_id, now);
            }
            let left: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(SUM(quantity - reserved - sold) AS BIGINT) FROM offer_items WHERE offer_id = $1",
            ).bind(new.offer_id).fetch_one(&mut *tx).await?;
            (id, units_left(left))
        });
        Ok(taken)
    }

    /// PostgreSQL: one try of [`Store::reserve`]. The prices due now are
    /// read without a lock; then `glean_reserve` (migration 0022) does the
    /// rest in one autocommitted call, raising (and so writing nothing) if
    /// the offer can't be bought, a price moved or too little is left.
    /// Returns the purchase and the units left.
    async fn reserve_in_call(
        &self,
        pool: &sqlx::PgPool,
        new: &NewPurchase,
        lines: &[(i64, u32)],
        status: PurchaseStatus,
        now: DateTime<Utc>,
    ) -> std::result::Result<(i64, u32), ReserveError> {
        let Some(Priced { gate, lines: priced, total }) = read_priced!(pool, new.offer_id, lines, now) else {
            return Err(Self::not_reservable(pool, new, now).await?);
        };
        let actor = Actor::User(new.customer_tg_id).label();
        let notice = (status == PurchaseStatus::Confirmed).then_some(NoticeKind::NewOrder.as_str());
        let items: Vec<i64> = priced.iter().map(|l| l.0).collect();
        let quantities: Vec<i32> = priced.iter().map(|l| l.1 as i32).collect();
        let deals: Vec<i64> = priced.iter().map(|l| l.2).collect();
        let prices: Vec<i64> = priced.iter().map(|l| l.3).collect();
        for _ in 0..8 {
            let code = PickupCode::generate();
            let outcome = sqlx::query_as::<_, (Option<i64>, bool, bool, Option<i64>)>(RESERVE_CALL_SQL)
                .bind(new.offer_id)
                .bind(ts(now))
                .bind(&gate.0)
                .bind(gate.1)
                .bind(gate.2)
                .bind(gate.3)
                .bind(gate.4)
                .bind(gate.5)
                .bind(gate.6.as_deref())
                .bind(new.customer_tg_id)
                .bind(status.as_str())
                .bind(total)
                .bind(code.as_str())
                .bind(new.method.as_str())
                .bind(new.expires_at.map(ts))
                .bind(new.request_key.as_deref())
                .bind(&actor)
                .bind(notice)
                .bind(&items)
                .bind(&quantities)
                .bind(&prices)
                .bind(&deals)
                .fetch_one(pool)
                .await;
            match outcome {
                Ok((Some(id), true, _, _)) => return Err(ReserveError::AlreadyMade(id)),
                Ok((Some(id), false, sold_out, remaining)) => {
                    // Written with the purchase; logged as `audit!` logs.
                    super::log_audit(&actor, "purchase", "purchase", id);
                    if sold_out {
                        super::log_audit(&Actor::System.label(), "sell_out", "offer", new.offer_id);
                    }
                    return Ok((id, units_left(remaining)));
                }
                // The pickup code is in use at this business: nothing was
                // written; another code.
                Ok((None, ..)) => continue,
                Err(e) => {
                    let raised = match &e {
                        sqlx::Error::Database(d) => d.code().map(std::borrow::Cow::into_owned),
                        _ => None,
                    };
                    return Err(match raised.as_deref() {
                        Some(RESERVE_GONE) => Self::not_reservable(pool, new, now).await?,
                        Some(RESERVE_PRICE_MOVED) => ReserveError::Unexpected(anyhow::Error::new(PriceMoved)),
                        Some(RESERVE_SOLD_OUT) => ReserveError::SoldOut,
                        _ => e.into(),
                    });
                }
            }
        }
        Err(ReserveError::Unexpected(anyhow::anyhow!("no free pickup code after 8 tries")))
    }

    /// PostgreSQL: what to answer `new` when its offer can't be bought at
    /// `now`: the purchase its request key made before, if any (a replay
    /// once the offer sold out gets its order, as `glean_reserve` answers
    /// one that comes earlier), else why not ([`why_not!`]).
    async fn not_reservable(
        pool: &sqlx::PgPool,
        new: &NewPurchase,
        now: DateTime<Utc>,
    ) -> std::result::Result<ReserveError, ReserveError> {
        if let Some(key) = &new.request_key {
            let made: Option<i64> = sqlx::query_scalar("SELECT id FROM purchases WHERE request_key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?;
            if let Some(id) = made {
                return Ok(ReserveError::AlreadyMade(id));
            }
        }
        let mut conn = pool.acquire().await?;
        Ok(why_not!(conn, new.offer_id, now))
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

    /// Keeps the exact form about to be sent to create the Checkout
    /// Session, before it is sent: a retry sends the same request.
    /// With it, the platform fee and (for a destination charge) the
    /// connected account the form names, which refunds and the ledger use.
    pub async fn set_checkout_params(
        &self,
        purchase_id: i64,
        params: &str,
        platform_fee: i64,
        connect_account: Option<&str>,
    ) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE purchases SET checkout_params = $1, platform_fee = $2, connect_account = $3 \
             WHERE id = $4 AND checkout_params IS NULL",
        ).bind(params).bind(platform_fee).bind(connect_account).bind(purchase_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Records the Stripe Checkout Session that will collect the payment.
    pub async fn set_checkout_session(&self, purchase_id: i64, session_id: &str, url: &str) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE purchases SET stripe_session_id = $1, stripe_session_url = $2 WHERE id = $3",
        ).bind(session_id).bind(url).bind(purchase_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Stripe says the purchase's session was paid. In one transaction
    /// (with the event's `processed_events` row, when it came as one):
    /// - a reservation of an offer that can still be sold becomes `paid`;
    /// - a lapsed reservation takes its stock again if it remains;
    /// - otherwise (the offer is over, withdrawn, sold out, or the
    ///   reservation was cancelled) the order goes to `refund_pending`.
    ///
    /// The customer's and the business's notices are written with it.
    pub async fn mark_paid(
        &self,
        purchase_id: i64,
        payment_intent: Option<&str>,
        event: Option<EventRef<'_>>,
        now: DateTime<Utc>,
    ) -> Result<PaidOutcome> {
        let outcome = with_tx!(self, tx => {
            if let Some(ev) = event && !record_event!(tx, ev, now) {
                return Ok(PaidOutcome::Duplicate);
            }
            lock_offer_of_purchase!(tx, purchase_id);
            let row: Option<(String, i64, String, i64)> = sqlx::query_as(&self.locking(
                "SELECT p.status, o.id, o.status, o.pickup_end FROM purchases p JOIN offers o ON o.id = p.offer_id \
                 WHERE p.id = $1",
            )).bind(purchase_id).fetch_optional(&mut *tx).await?;
            let Some((status, offer_id, offer_status, pickup_end)) = row else { return Err(StoreError::NotFound) };
            let status = PurchaseStatus::parse(&status)?;
            let offer_status = OfferStatus::parse(&offer_status)?;
            let sellable = matches!(offer_status, OfferStatus::Active | OfferStatus::SoldOut | OfferStatus::Paused)
                && pickup_end > ts(now);
            if PurchaseEvent::Pay.from_states().chain(PurchaseEvent::PayUnfulfillable.from_states()).all(|s| s != status) {
                // Paid already, or past it: the payment is known.
                return Ok(PaidOutcome::AlreadyKnown);
            }
            sqlx::query("UPDATE purchases SET stripe_payment_intent = COALESCE($1, stripe_payment_intent) WHERE id = $2")
                .bind(payment_intent).bind(purchase_id).execute(&mut *tx).await?;
            // Reserved: the units are held. Expired: take them again if
            // they remain, every line or none.
            let taken = match status {
                PurchaseStatus::Reserved if sellable => {
                    if move_stock!(tx, purchase_id, RESERVED_TO_SOLD) != 0 {
                        return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {purchase_id} held no reservation")));
                    }
                    true
                }
                PurchaseStatus::Reserved => {
                    if move_stock!(tx, purchase_id, RESERVED_TO_FREE) != 0 {
                        return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {purchase_id} held no reservation")));
                    }
                    false
                }
                PurchaseStatus::Expired if sellable => {
                    let lines: Vec<(i64, i32)> = sqlx::query_as(
                        "SELECT item_id, quantity FROM purchase_lines WHERE purchase_id = $1 ORDER BY item_id",
                    ).bind(purchase_id).fetch_all(&mut *tx).await?;
                    let mut taken: Vec<(i64, i32)> = Vec::new();
                    for (item_id, q) in &lines {
                        if sqlx::query(FREE_TO_SOLD).bind(*q).bind(*item_id).execute(&mut *tx).await?.rows_affected() != 1 {
                            break;
                        }
                        taken.push((*item_id, *q));
                    }
                    if taken.len() != lines.len() {
                        for (item_id, q) in &taken {
                            sqlx::query(SOLD_TO_FREE).bind(*q).bind(*item_id).execute(&mut *tx).await?;
                        }
                    }
                    taken.len() == lines.len()
                }
                _ => false,
            };
            super::ledger::purchase_entries!(tx, purchase_id, super::ledger::Moved::Captured, now);
            if taken {
                transition!(tx, purchase_id, status, PurchaseEvent::Pay, &Actor::Stripe, now);
                sqlx::query("UPDATE waitlist SET status = 'bought', updated_at = $1 WHERE purchase_id = $2 \
                     AND status IN ('held', 'lapsed')")
                    .bind(ts(now)).bind(purchase_id).execute(&mut *tx).await?;
                sell_out!(tx, offer_id, now);
                notice_purchase!(tx, now, purchase_id, To::Customer, NoticeKind::OrderConfirmed);
                notice_purchase!(tx, now, purchase_id, To::Owner, NoticeKind::NewOrder);
                PaidOutcome::Confirmed
            } else {
                transition!(tx, purchase_id, status, PurchaseEvent::PayUnfulfillable, &Actor::Stripe, now);
                sqlx::query("UPDATE purchases SET next_attempt_at = $1 WHERE id = $2")
                    .bind(ts(now)).bind(purchase_id).execute(&mut *tx).await?;
                // A hold paid when its deal was over: its place is closed.
                sqlx::query("UPDATE waitlist SET status = 'closed', updated_at = $1 WHERE purchase_id = $2 \
                     AND status = 'held'")
                    .bind(ts(now)).bind(purchase_id).execute(&mut *tx).await?;
                hand_out!(self, tx, offer_id, now);
                restock!(tx, offer_id, now);
                let kind = if offer_status == OfferStatus::Withdrawn {
                    NoticeKind::WithdrawnRefund
                } else {
                    NoticeKind::PaidTooLate
                };
                notice_purchase!(tx, now, purchase_id, To::Customer, kind);
                PaidOutcome::MustRefund
            }
        });
        Ok(outcome)
    }

    /// Releases an unpaid reservation (`Expire`) or cancels a reservation or
    /// pay-at-pickup order (`Cancel`), returning its units to stock, and
    /// writes `tell`'s notices with it. Returns false when the purchase was
    /// not in a state that allows it (already paid, already released: a
    /// second call changes nothing).
    pub async fn release(
        &self,
        purchase_id: i64,
        event: PurchaseEvent,
        actor: &Actor,
        tell: &[(To, NoticeKind)],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.release_for(purchase_id, event, actor, tell, None, now).await
    }

    /// As [`Store::release`], for an external event (`checkout.session.expired`)
    /// whose `processed_events` row commits with the release; false also
    /// when the event was seen before.
    pub async fn release_for(
        &self,
        purchase_id: i64,
        event: PurchaseEvent,
        actor: &Actor,
        tell: &[(To, NoticeKind)],
        record: Option<EventRef<'_>>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        if !matches!(event, PurchaseEvent::Expire | PurchaseEvent::Cancel) {
            return Err(StoreError::Unexpected(anyhow::anyhow!("release takes Expire or Cancel, not {event}")));
        }
        let released = with_tx!(self, tx => {
            if let Some(ev) = record && !record_event!(tx, ev, now) {
                return Ok(false);
            }
            lock_offer_of_purchase!(tx, purchase_id);
            let row: Option<(String, i64)> = sqlx::query_as(&self.locking("SELECT status, offer_id FROM purchases WHERE id = $1"))
                .bind(purchase_id).fetch_optional(&mut *tx).await?;
            let Some((from, offer_id)) = row else { return Err(StoreError::NotFound) };
            let from = PurchaseStatus::parse(&from)?;
            if from.apply(event).is_err() {
                return Ok(false);
            }
            let sql = if from.holds_reservation() { RESERVED_TO_FREE } else { SOLD_TO_FREE };
            if move_stock!(tx, purchase_id, sql) != 0 {
                return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {purchase_id} stock out of step")));
            }
            transition!(tx, purchase_id, from, event, actor, now);
            // A hold's place ends (lapsed or passed) before the units go
            // to the next person waiting; only what nobody awake waits for
            // goes back on sale.
            let _ = hold_released!(tx, purchase_id, event, now);
            hand_out!(self, tx, offer_id, now);
            restock!(tx, offer_id, now);
            for (to, kind) in tell {
                notice_purchase!(tx, now, purchase_id, *to, *kind);
            }
            true
        });
        Ok(released)
    }

    /// Cancels a paid order: its units return to stock and it waits in
    /// `refund_pending` until Stripe says the refund succeeded. The owner is
    /// told. False if it was not paid (a second call changes nothing).
    pub async fn request_refund(&self, purchase_id: i64, actor: &Actor, now: DateTime<Utc>) -> Result<bool> {
        let done = with_tx!(self, tx => {
            lock_offer_of_purchase!(tx, purchase_id);
            let row: Option<(String, i64)> = sqlx::query_as(&self.locking("SELECT status, offer_id FROM purchases WHERE id = $1"))
                .bind(purchase_id).fetch_optional(&mut *tx).await?;
            let Some((from, offer_id)) = row else { return Err(StoreError::NotFound) };
            let from = PurchaseStatus::parse(&from)?;
            if from.apply(PurchaseEvent::RequestRefund).is_err() {
                return Ok(false);
            }
            if move_stock!(tx, purchase_id, SOLD_TO_FREE) != 0 {
                return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {purchase_id} stock out of step")));
            }
            transition!(tx, purchase_id, from, PurchaseEvent::RequestRefund, actor, now);
            sqlx::query("UPDATE purchases SET next_attempt_at = $1 WHERE id = $2")
                .bind(ts(now)).bind(purchase_id).execute(&mut *tx).await?;
            hand_out!(self, tx, offer_id, now);
            restock!(tx, offer_id, now);
            notice_purchase!(tx, now, purchase_id, To::Owner, NoticeKind::OrderCancelled);
            true
        });
        Ok(done)
    }

    /// Withdraws an offer in one transaction: the offer becomes `withdrawn`;
    /// paid orders go to `refund_pending` (the refund queue does the rest);
    /// pay-at-pickup orders and reservations without a Checkout Session
    /// are cancelled; reservations with a session stay payable and lapse
    /// now, so the release job expires the session at Stripe first (a
    /// payment that got through becomes a refund). Customers are told in
    /// the same transaction. Returns the purchases it touched.
    pub async fn withdraw_offer(&self, offer_id: i64, actor: &Actor, now: DateTime<Utc>) -> Result<usize> {
        let from = sql_list(crate::domain::OfferEvent::Withdraw.from_states().map(OfferStatus::as_str));
        let sql = format!(
            "UPDATE offers SET status = 'withdrawn', updated_at = $1 WHERE id = $2 AND status IN ({from}) RETURNING id"
        );
        let touched = with_tx!(self, tx => {
            let before: Option<String> = sqlx::query_scalar("SELECT status FROM offers WHERE id = $1")
                .bind(offer_id).fetch_optional(&mut *tx).await?;
            let Some(before) = before else { return Err(StoreError::NotFound) };
            let done: Option<i64> = sqlx::query_scalar(&sql).bind(ts(now)).bind(offer_id).fetch_optional(&mut *tx).await?;
            if done.is_none() {
                let e = OfferStatus::parse(&before)?.apply(crate::domain::OfferEvent::Withdraw, false).err().unwrap_or(
                    crate::domain::TransitionError { entity: "the offer", event: "withdraw", from: "in another state" },
                );
                return Err(StoreError::Transition(e));
            }
            audit!(tx, now, actor, "withdraw", "offer", offer_id, Some(before), Some("withdrawn"));
            super::waitlist::close_waitlist!(tx, offer_id, now, tell);
            let open: Vec<(i64, String, Option<String>)> = sqlx::query_as(
                "SELECT id, status, stripe_session_id FROM purchases WHERE offer_id = $1 \
                 AND status IN ('reserved', 'confirmed', 'paid', 'donated') ORDER BY id",
            ).bind(offer_id).fetch_all(&mut *tx).await?;
            for (id, status, session) in &open {
                let status = PurchaseStatus::parse(status)?;
                match status {
                    PurchaseStatus::Paid => {
                        if move_stock!(tx, *id, SOLD_TO_FREE) != 0 {
                            return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {id} stock out of step")));
                        }
                        transition!(tx, *id, status, PurchaseEvent::RequestRefund, actor, now);
                        sqlx::query("UPDATE purchases SET next_attempt_at = $1 WHERE id = $2")
                            .bind(ts(now)).bind(*id).execute(&mut *tx).await?;
                        notice_purchase!(tx, now, *id, To::Customer, NoticeKind::WithdrawnRefund);
                    }
                    PurchaseStatus::Reserved if session.is_some() => {
                        sqlx::query("UPDATE purchases SET expires_at = $1 WHERE id = $2")
                            .bind(ts(now)).bind(*id).execute(&mut *tx).await?;
                    }
                    _ => {
                        let sql = if status.holds_reservation() { RESERVED_TO_FREE } else { SOLD_TO_FREE };
                        if move_stock!(tx, *id, sql) != 0 {
                            return Err(StoreError::Unexpected(anyhow::anyhow!("purchase {id} stock out of step")));
                        }
                        transition!(tx, *id, status, PurchaseEvent::Cancel, actor, now);
                        notice_purchase!(tx, now, *id, To::Customer, NoticeKind::WithdrawnReleased);
                    }
                }
            }
            open.len()
        });
        Ok(touched)
    }

    /// The refund was created at Stripe but has not succeeded yet (a card
    /// refund can take days): keep its id and look again at `check_at` (each
    /// look counts as an attempt, so the waits grow).
    pub async fn refund_created(&self, purchase_id: i64, refund_id: &str, check_at: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE purchases SET stripe_refund_id = $1, next_attempt_at = $2, refund_attempts = refund_attempts + 1 \
             WHERE id = $3 AND status = 'refund_pending'",
        ).bind(refund_id).bind(ts(check_at)).bind(purchase_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Stripe says the refund succeeded: `refund_pending → refunded`, the
    /// customer told, in one transaction with the event's record. False if
    /// it was not pending (or the event was seen before).
    pub async fn mark_refunded(
        &self,
        purchase_id: i64,
        refund_id: Option<&str>,
        event: Option<EventRef<'_>>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = with_tx!(self, tx => {
            if let Some(ev) = event && !record_event!(tx, ev, now) {
                return Ok(false);
            }
            let Some(status) = status_allowing!(self, tx, purchase_id, PurchaseEvent::Refunded) else {
                return Ok(false);
            };
            transition!(tx, purchase_id, status, PurchaseEvent::Refunded, &Actor::Stripe, now);
            sqlx::query("UPDATE purchases SET refunded_at = $1, stripe_refund_id = COALESCE($2, stripe_refund_id) WHERE id = $3")
                .bind(ts(now)).bind(refund_id).bind(purchase_id).execute(&mut *tx).await?;
            super::ledger::purchase_entries!(tx, purchase_id, super::ledger::Moved::Refunded, now);
            notice_purchase!(tx, now, purchase_id, To::Customer, NoticeKind::Refunded);
            true
        });
        Ok(done)
    }

    /// Stripe says the refund failed or was canceled (also after it had
    /// succeeded): `refund_failed`, with the reason; the customer, the
    /// business's owner and every admin in `admins` are told. False if the
    /// state doesn't allow it (or the event was seen before).
    pub async fn mark_refund_failed(
        &self,
        purchase_id: i64,
        reason: &str,
        admins: &[i64],
        event: Option<EventRef<'_>>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = with_tx!(self, tx => {
            if let Some(ev) = event && !record_event!(tx, ev, now) {
                return Ok(false);
            }
            let Some(status) = status_allowing!(self, tx, purchase_id, PurchaseEvent::RefundFailed) else {
                return Ok(false);
            };
            if status == PurchaseStatus::Refunded {
                super::ledger::purchase_entries!(tx, purchase_id, super::ledger::Moved::RefundUndone, now);
            }
            transition!(tx, purchase_id, status, PurchaseEvent::RefundFailed, &Actor::Stripe, now);
            sqlx::query("UPDATE purchases SET refund_failure = $1 WHERE id = $2")
                .bind(reason).bind(purchase_id).execute(&mut *tx).await?;
            notice_purchase!(tx, now, purchase_id, To::Customer, NoticeKind::RefundFailed);
            notice_purchase!(tx, now, purchase_id, To::Owner, NoticeKind::RefundFailedStaff, Some(reason));
            for admin in admins {
                notice_chat!(tx, now, *admin, NoticeKind::RefundFailedStaff, purchase = Some(purchase_id),
                    business = None::<i64>, detail = Some(reason));
            }
            true
        });
        Ok(done)
    }

    /// An admin acts on a failed refund: `RetryRefund` queues it again as a
    /// new attempt (a new idempotency key; the old refund id is dropped),
    /// `SettleRefund` records that it was settled outside Stripe.
    pub async fn resolve_failed_refund(
        &self,
        purchase_id: i64,
        event: PurchaseEvent,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<PurchaseStatus> {
        if !matches!(event, PurchaseEvent::RetryRefund | PurchaseEvent::SettleRefund) {
            return Err(StoreError::Unexpected(anyhow::anyhow!("not an admin refund event: {event}")));
        }
        let to = with_tx!(self, tx => {
            let status: Option<String> = sqlx::query_scalar(&self.locking("SELECT status FROM purchases WHERE id = $1"))
                .bind(purchase_id).fetch_optional(&mut *tx).await?;
            let Some(status) = status else { return Err(StoreError::NotFound) };
            let status = PurchaseStatus::parse(&status)?;
            let to = status.apply(event)?;
            transition!(tx, purchase_id, status, event, actor, now);
            if event == PurchaseEvent::RetryRefund {
                sqlx::query(
                    "UPDATE purchases SET refund_seq = refund_seq + 1, stripe_refund_id = NULL, refund_failure = NULL, \
                     refund_attempts = 0, next_attempt_at = $1 WHERE id = $2",
                ).bind(ts(now)).bind(purchase_id).execute(&mut *tx).await?;
            }
            to
        });
        Ok(to)
    }

    /// Confirms a pickup by code, for an offer of `business_id`.
    pub async fn pick_up(
        &self,
        business_id: i64,
        code: &PickupCode,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> std::result::Result<Purchase, PickupError> {
        // One code completes at most one order: the oldest open order of
        // this business with that code (codes are unique among a
        // business's open orders; `reserve` makes sure).
        let from = sql_list(PurchaseEvent::PickUp.from_states().map(PurchaseStatus::as_str));
        let find = self.locking(&format!(
            "SELECT id, status FROM purchases WHERE pickup_code = $1 AND status IN ({from}) \
             AND offer_id IN (SELECT id FROM offers WHERE business_id = $2) ORDER BY id LIMIT 1"
        ));
        let id: std::result::Result<i64, Option<String>> = with_tx!(self, tx => {
            let open: Option<(i64, String)> = sqlx::query_as(&find).bind(code.as_str()).bind(business_id)
                .fetch_optional(&mut *tx).await?;
            match open {
                Some((id, status)) => {
                    let status = PurchaseStatus::parse(&status).map_err(StoreError::from)?;
                    let r: Result<()> = async {
                        transition!(tx, id, status, PurchaseEvent::PickUp, actor, now);
                        notice_purchase!(tx, now, id, To::Customer, NoticeKind::PickedUp);
                        Ok(())
                    }.await;
                    r?;
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

    /// Claims refunds that are due for their next step: their next attempt
    /// moves a minute ahead in the same statement, so two instances don't
    /// work on one refund at once (and one that dies leaves it for later).
    pub async fn claim_due_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Purchase>> {
        // A read first: an idle queue takes no write lock.
        let due: Option<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT id FROM purchases WHERE status = 'refund_pending' AND COALESCE(next_attempt_at, 0) <= $1 LIMIT 1",
        ).bind(ts(now)).fetch_optional(p).await?);
        if due.is_none() {
            return Ok(Vec::new());
        }
        let skip = match self.db {
            Db::Sqlite { .. } => "",
            Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE purchases SET next_attempt_at = $1 WHERE id IN (SELECT id FROM purchases \
             WHERE status = 'refund_pending' AND COALESCE(next_attempt_at, 0) <= $2 \
             ORDER BY next_attempt_at LIMIT $3{skip}) RETURNING id"
        );
        let mut ids: Vec<i64> = with_pool!(self, write, p => sqlx::query_scalar(&sql)
            .bind(ts(now) + 60).bind(ts(now)).bind(limit).fetch_all(p).await?);
        ids.sort_unstable();
        self.purchases_by_ids(ids).await
    }

    /// A reservation whose Checkout Session may or may not exist lapses now,
    /// so the release job finds out (and expires it) before the stock goes back.
    pub async fn lapse_now(&self, purchase_id: i64, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE purchases SET expires_at = $1 WHERE id = $2 AND status = 'reserved'",
        ).bind(ts(now)).bind(purchase_id).execute(p).await?.rows_affected());
        Ok(())
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

    /// Refunds still pending that were last touched before `before`
    /// (reconciliation asks Stripe about them).
    pub async fn stale_refunds(&self, before: DateTime<Utc>, limit: i64) -> Result<Vec<Purchase>> {
        let ids: Vec<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT id FROM purchases WHERE status = 'refund_pending' AND updated_at <= $1 ORDER BY id LIMIT $2",
        ).bind(ts(before)).bind(limit).fetch_all(p).await?);
        self.purchases_by_ids(ids).await
    }

    /// Refunds confirmed since `since`: a card refund can still fail days
    /// after it succeeded, so reconciliation looks at them again.
    pub async fn recent_refunds(&self, since: DateTime<Utc>, limit: i64) -> Result<Vec<Purchase>> {
        let ids: Vec<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT id FROM purchases WHERE status = 'refunded' AND refunded_at >= $1 \
             AND stripe_refund_id IS NOT NULL ORDER BY id LIMIT $2",
        ).bind(ts(since)).bind(limit).fetch_all(p).await?);
        self.purchases_by_ids(ids).await
    }

    /// Purchases by status, oldest first (admin lists).
    pub async fn purchases_in(&self, status: PurchaseStatus, limit: i64) -> Result<Vec<Purchase>> {
        let ids: Vec<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT id FROM purchases WHERE status = $1 ORDER BY id LIMIT $2",
        ).bind(status.as_str()).bind(limit).fetch_all(p).await?);
        self.purchases_by_ids(ids).await
    }

    async fn purchases_by_ids(&self, ids: Vec<i64>) -> Result<Vec<Purchase>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.purchase(id).await?);
        }
        Ok(out)
    }
}
