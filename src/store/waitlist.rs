//! The waitlist of sold-out deals: joining and leaving, a person's place,
//! and the hand-out of units that come back ([`hand_out!`]), which every
//! transaction that returns units to stock runs before the offer may be
//! restocked, so the public never gets units a waiting, awake person's
//! quantity fits. A hold is an ordinary reservation (`purchases`,
//! `reserved`) taken with the stock guard's conditional statement.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::offers::offer_auto;
use super::purchases::{PaymentMethod, RESERVED_TO_SOLD};
use super::{Actor, Result, Store, StoreError, To, audit, dt, notice_purchase, sql_list, ts, with_pool, with_tx};
use crate::domain::waitlist::{Place, WaitEvent, WaitStatus};
use crate::domain::{NoticeKind, PurchaseEvent, PurchaseStatus};

/// What the hand-out needs to know that is configuration: how long a hold
/// lasts (`WAITLIST_HOLD_MINUTES`) and the zone of people who never set
/// one (`DEFAULT_TIMEZONE`), for their quiet hours.
#[derive(Debug, Clone, Copy)]
pub struct WaitlistRules {
    pub hold: Duration,
    pub default_tz: Tz,
}

impl Default for WaitlistRules {
    fn default() -> Self {
        WaitlistRules { hold: Duration::minutes(10), default_tz: chrono_tz::UTC }
    }
}

/// A place on a waitlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitEntry {
    pub id: i64,
    pub offer_id: i64,
    pub item_id: i64,
    pub customer_tg_id: i64,
    pub quantity: u32,
    pub method: PaymentMethod,
    pub status: WaitStatus,
    /// The hold's purchase, once units were handed over.
    pub purchase_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A request to join.
#[derive(Debug, Clone)]
pub struct NewWait {
    pub offer_id: i64,
    pub item_id: i64,
    pub customer_tg_id: i64,
    pub quantity: u32,
    pub method: PaymentMethod,
    /// The pressed keyboard: the same key again answers from the first join.
    pub request_key: Option<String>,
}

/// What joining led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// In line now, at this place.
    Waiting(WaitEntry, Place),
    /// This very request joined before (a replay): the place as it is now
    /// (`None` once no longer waiting).
    Again(WaitEntry, Option<Place>),
}

#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// In line (or holding units) for this deal already.
    #[error("already on this waitlist")]
    Already(WaitEntry, Option<Place>),
    /// Enough units are free: buy them.
    #[error("units are free; no need to wait")]
    Available,
    /// The deal can't be waited for (withdrawn, paused, ended, sold out by hand).
    #[error("this deal can't be waited for")]
    Unavailable,
    #[error("no such deal or item")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for JoinError {
    fn from(e: sqlx::Error) -> Self {
        JoinError::Store(e.into())
    }
}

type EntryRow = (i64, i64, i64, i64, i32, String, String, Option<i64>, i64);
const ENTRY_COLS: &str =
    "id, offer_id, item_id, customer_tg_id, quantity, payment_method, status, purchase_id, created_at";

fn entry_from_row(r: EntryRow) -> Result<WaitEntry> {
    Ok(WaitEntry {
        id: r.0,
        offer_id: r.1,
        item_id: r.2,
        customer_tg_id: r.3,
        quantity: r.4.max(0) as u32,
        method: PaymentMethod::parse(&r.5),
        status: WaitStatus::parse(&r.6)?,
        purchase_id: r.7,
        created_at: dt(r.8),
    })
}

/// Offers whose waiting people may be handed units: on sale or sold out
/// by itself (not by hand), window open; with what the price depends on,
/// as `reserve`'s gate. `$1` offer, `$2` now.
pub(super) const HAND_OUT_GATE: &str = "SELECT currency, pickup_end, drop_percent, drop_every, drop_span, \
     drop_floor, drop_tz FROM offers WHERE id = $1 AND pickup_end > $2 \
     AND (status = 'active' OR (status = 'sold_out' AND NOT sold_out_by_hand))";

/// A row of [`HAND_OUT_GATE`].
pub(super) type HandOutGate = (String, i64, Option<i32>, Option<i32>, Option<i32>, Option<i64>, Option<String>);

/// A held unit's price, locked when the hold is made as a reservation
/// locks it: the deal price less the drops due by `now`.
pub(super) fn hold_price(gate: &HandOutGate, deal: i64, now: DateTime<Utc>) -> i64 {
    let (currency, end, percent, every, span, floor, tz) = gate;
    let priced = crate::domain::Currency::from_code(currency).ok().and_then(|currency| {
        let deal = crate::domain::Money::from_minor(deal, currency)?;
        let drop = super::offers::stored_drop((*percent, *every, *span, *floor, tz.as_deref()), currency).ok()?;
        Some(drop.map_or(deal, |d| d.price_at(deal, dt(*end), now)).minor())
    });
    priced.unwrap_or_else(|| {
        tracing::error!(deal, "a hold's price can't be computed; the deal price is used");
        deal
    })
}

/// Hands the free units of an offer to the people waiting for them, inside
/// the caller's transaction (which holds the offer row): by
/// `domain::waitlist::hand_out` — in line order, the first awake person
/// whose quantity fits; a sleeper keeps their place. Each hold is a
/// reservation taken with the stock guard's conditional `UPDATE`, lasting
/// the store's `WaitlistRules::hold`, with its `WaitlistHold` notice. An
/// offer left with nothing free is marked sold out. Yields the holds made.
macro_rules! hand_out {
    ($store:expr, $tx:expr, $offer_id:expr, $now:expr) => {{
        let offer_id: i64 = $offer_id;
        let now: chrono::DateTime<chrono::Utc> = $now;
        let rules = $store.waitlist;
        let mut made = 0u32;
        let open: Option<$crate::store::waitlist::HandOutGate> = sqlx::query_as($crate::store::waitlist::HAND_OUT_GATE)
            .bind(offer_id)
            .bind($crate::store::ts(now))
            .fetch_optional(&mut *$tx)
            .await?;
        if let Some(gate) = open {
            let line: Vec<(i64, i64, i64, i32, String, Option<String>, Option<i32>, Option<i32>)> = sqlx::query_as(
                "SELECT w.id, w.customer_tg_id, w.item_id, w.quantity, w.payment_method, u.timezone, u.quiet_from, \
                 u.quiet_to FROM waitlist w LEFT JOIN users u ON u.tg_id = w.customer_tg_id \
                 WHERE w.offer_id = $1 AND w.status = 'waiting' ORDER BY w.id",
            )
            .bind(offer_id)
            .fetch_all(&mut *$tx)
            .await?;
            if !line.is_empty() {
                let free: Vec<(i64, i32)> =
                    sqlx::query_as("SELECT id, quantity - reserved - sold FROM offer_items WHERE offer_id = $1")
                        .bind(offer_id)
                        .fetch_all(&mut *$tx)
                        .await?;
                let mut free: std::collections::HashMap<i64, u32> =
                    free.into_iter().map(|(id, n)| (id, n.max(0) as u32)).collect();
                let minutes = |m: Option<i32>| m.and_then(|m| u16::try_from(m).ok());
                let people: Vec<$crate::domain::waitlist::InLine> = line
                    .iter()
                    .map(|(_, _, item, q, _, zone, from, to)| {
                        let (quiet, tz) = $crate::domain::quiet::of_stored(
                            zone.as_deref(),
                            minutes(*from).zip(minutes(*to)),
                            rules.default_tz,
                        );
                        $crate::domain::waitlist::InLine {
                            item: *item,
                            quantity: (*q).max(0) as u32,
                            asleep: $crate::domain::quiet::asleep(quiet, tz, now),
                        }
                    })
                    .collect();
                for i in $crate::domain::waitlist::hand_out(&people, &mut free) {
                    let (entry, customer, item, q, method, ..) = &line[i];
                    // The place first: one still waiting (a place being
                    // left takes the offer row too, so this always holds).
                    let claimed = sqlx::query(
                        "UPDATE waitlist SET status = 'held', updated_at = $1 WHERE id = $2 AND status = 'waiting'",
                    )
                    .bind($crate::store::ts(now))
                    .bind(*entry)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected();
                    if claimed != 1 {
                        continue;
                    }
                    let unclaim = "UPDATE waitlist SET status = 'waiting' WHERE id = $1";
                    let deal: Option<i64> = sqlx::query_scalar(
                        "UPDATE offer_items SET reserved = reserved + $1 WHERE id = $2 AND offer_id = $3 \
                         AND quantity - reserved - sold >= $1 RETURNING deal_price",
                    )
                    .bind(*q)
                    .bind(*item)
                    .bind(offer_id)
                    .fetch_optional(&mut *$tx)
                    .await?;
                    let Some(deal) = deal else {
                        tracing::error!(offer_id, entry, "waitlist hand-out found its units gone");
                        sqlx::query(unclaim).bind(*entry).execute(&mut *$tx).await?;
                        continue;
                    };
                    let price = $crate::store::waitlist::hold_price(&gate, deal, now);
                    let mut purchase: Option<i64> = None;
                    for _ in 0..8 {
                        let code = $crate::domain::PickupCode::generate();
                        purchase = sqlx::query_scalar(
                            "INSERT INTO purchases (customer_tg_id, offer_id, status, total, currency, pickup_code, \
                             payment_method, expires_at, created_at, updated_at, request_key) \
                             SELECT $1, o.id, 'reserved', $2, o.currency, $3, $4, $5, $6, $6, $7 FROM offers o \
                             WHERE o.id = $8 AND NOT EXISTS (SELECT 1 FROM purchases p JOIN offers x ON x.id = p.offer_id \
                             WHERE p.pickup_code = $3 AND p.status IN ('reserved', 'confirmed', 'paid', 'donated') \
                             AND x.business_id = o.business_id) RETURNING id",
                        )
                        .bind(*customer)
                        .bind(price * i64::from(*q))
                        .bind(code.as_str())
                        .bind(method.as_str())
                        .bind($crate::store::ts(now + rules.hold))
                        .bind($crate::store::ts(now))
                        .bind(format!("hold:{entry}"))
                        .bind(offer_id)
                        .fetch_optional(&mut *$tx)
                        .await?;
                        if purchase.is_some() {
                            break;
                        }
                    }
                    let Some(purchase) = purchase else {
                        // Give the units back: the hold can't be made.
                        sqlx::query("UPDATE offer_items SET reserved = reserved - $1 WHERE id = $2")
                            .bind(*q)
                            .bind(*item)
                            .execute(&mut *$tx)
                            .await?;
                        sqlx::query(unclaim).bind(*entry).execute(&mut *$tx).await?;
                        tracing::error!(offer_id, entry, "no free pickup code for a hold");
                        continue;
                    };
                    sqlx::query(
                        "INSERT INTO purchase_lines (purchase_id, item_id, quantity, unit_price) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(purchase)
                    .bind(*item)
                    .bind(*q)
                    .bind(price)
                    .execute(&mut *$tx)
                    .await?;
                    sqlx::query("UPDATE waitlist SET purchase_id = $1 WHERE id = $2")
                        .bind(purchase)
                        .bind(*entry)
                        .execute(&mut *$tx)
                        .await?;
                    let actor = $crate::store::Actor::System;
                    $crate::store::audit!($tx, now, actor, "hold", "purchase", purchase, None::<String>, Some("reserved"));
                    $crate::store::audit!($tx, now, actor, "hold", "waitlist", *entry, Some("waiting"), Some("held"));
                    $crate::store::notice_purchase!($tx, now, purchase, $crate::store::To::Customer, $crate::domain::NoticeKind::WaitlistHold);
                    tracing::info!(offer_id, purchase_id = purchase, tg_user = customer, "units held for a waiting person");
                    made += 1;
                }
            }
            $crate::store::offers::sell_out!($tx, offer_id, now);
        }
        made
    }};
}
pub(super) use hand_out;

/// Ends the waitlist place of a hold whose purchase was just released
/// (`Expire`: lapsed, with a `HoldLapsed` notice; `Cancel`: passed), in
/// the release's transaction. Nothing for a purchase that is no hold.
macro_rules! hold_released {
    ($tx:expr, $purchase_id:expr, $event:expr, $now:expr) => {{
        let lapsed = $event == $crate::domain::PurchaseEvent::Expire;
        let to = if lapsed { "lapsed" } else { "passed" };
        let ended: Option<i64> = sqlx::query_scalar(
            "UPDATE waitlist SET status = $1, updated_at = $2 WHERE purchase_id = $3 AND status = 'held' RETURNING id",
        )
        .bind(to)
        .bind($crate::store::ts($now))
        .bind($purchase_id)
        .fetch_optional(&mut *$tx)
        .await?;
        if let Some(entry) = ended {
            $crate::store::audit!(
                $tx,
                $now,
                $crate::store::Actor::System,
                if lapsed { "lapse" } else { "pass" },
                "waitlist",
                entry,
                Some("held"),
                Some(to)
            );
            if lapsed {
                $crate::store::notice_purchase!(
                    $tx,
                    $now,
                    $purchase_id,
                    $crate::store::To::Customer,
                    $crate::domain::NoticeKind::HoldLapsed
                );
            }
        }
        ended.is_some()
    }};
}
pub(super) use hold_released;

impl PaymentMethod {
    fn parse(s: &str) -> PaymentMethod {
        match s {
            "stripe" => PaymentMethod::Stripe,
            "donation" => PaymentMethod::Donation,
            _ => PaymentMethod::AtPickup,
        }
    }
}

impl Store {
    /// The rules of the hand-out this store applies.
    pub fn with_waitlist(mut self, rules: WaitlistRules) -> Store {
        self.waitlist = rules;
        self
    }

    /// Joins the waitlist of a deal with nothing (or too little) of the item
    /// free: one open place per person and deal, keyed by the request.
    pub async fn join_waitlist(&self, new: &NewWait, now: DateTime<Utc>) -> std::result::Result<Joined, JoinError> {
        if new.quantity == 0 {
            return Err(JoinError::NotFound);
        }
        let id: i64 = with_tx!(self, tx => {
            sqlx::query("UPDATE offers SET updated_at = updated_at WHERE id = $1").bind(new.offer_id).execute(&mut *tx).await?;
            if let Some(key) = &new.request_key {
                let made: Option<i64> = sqlx::query_scalar("SELECT id FROM waitlist WHERE request_key = $1")
                    .bind(key).fetch_optional(&mut *tx).await?;
                if let Some(id) = made {
                    return self.joined_again(id).await;
                }
            }
            let offer: Option<(String, bool, i64)> = sqlx::query_as(
                "SELECT status, sold_out_by_hand, pickup_end FROM offers WHERE id = $1",
            ).bind(new.offer_id).fetch_optional(&mut *tx).await?;
            let Some((status, by_hand, end)) = offer else { return Err(JoinError::NotFound) };
            if !(status == "active" || (status == "sold_out" && !by_hand)) || end <= ts(now) {
                return Err(JoinError::Unavailable);
            }
            let free: Option<i32> = sqlx::query_scalar(
                "SELECT quantity - reserved - sold FROM offer_items WHERE id = $1 AND offer_id = $2",
            ).bind(new.item_id).bind(new.offer_id).fetch_optional(&mut *tx).await?;
            let Some(free) = free else { return Err(JoinError::NotFound) };
            let open: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM waitlist WHERE offer_id = $1 AND customer_tg_id = $2 AND status IN ('waiting', 'held')",
            ).bind(new.offer_id).bind(new.customer_tg_id).fetch_optional(&mut *tx).await?;
            if let Some(id) = open {
                let entry = self.wait_entry(id).await?;
                let place = self.place_of(&entry).await?;
                return Err(JoinError::Already(entry, place));
            }
            if free.max(0) as u32 >= new.quantity {
                return Err(JoinError::Available);
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO waitlist (offer_id, item_id, customer_tg_id, quantity, payment_method, status, request_key, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'waiting', $6, $7, $7) RETURNING id",
            )
            .bind(new.offer_id).bind(new.item_id).bind(new.customer_tg_id).bind(new.quantity as i32)
            .bind(new.method.as_str()).bind(new.request_key.as_deref()).bind(ts(now))
            .fetch_one(&mut *tx).await?;
            audit!(tx, now, Actor::User(new.customer_tg_id), "join", "waitlist", id, None::<String>, Some("waiting"));
            id
        });
        let entry = self.wait_entry(id).await?;
        let place = self.place_of(&entry).await?.unwrap_or(Place { position: 1, of: 1 });
        Ok(Joined::Waiting(entry, place))
    }

    async fn joined_again(&self, id: i64) -> std::result::Result<Joined, JoinError> {
        let entry = self.wait_entry(id).await?;
        let place = self.place_of(&entry).await?;
        Ok(Joined::Again(entry, place))
    }

    /// Leaves the line: a waiting place becomes `left`. False if the person
    /// was not waiting for this deal (a hold is passed on by cancelling its
    /// purchase instead).
    pub async fn leave_waitlist(&self, offer_id: i64, customer: i64, now: DateTime<Utc>) -> Result<bool> {
        let from =
            sql_list(WaitEvent::Leave.from_states().filter(|s| *s == WaitStatus::Waiting).map(WaitStatus::as_str));
        let sql = format!(
            "UPDATE waitlist SET status = 'left', updated_at = $1 WHERE offer_id = $2 AND customer_tg_id = $3 \
             AND status IN ({from}) RETURNING id"
        );
        let left = with_tx!(self, tx => {
            // The offer row first, as the hand-out takes it: a place is
            // never handed units while it is being left.
            sqlx::query("UPDATE offers SET updated_at = updated_at WHERE id = $1").bind(offer_id).execute(&mut *tx).await?;
            let id: Option<i64> = sqlx::query_scalar(&sql).bind(ts(now)).bind(offer_id).bind(customer)
                .fetch_optional(&mut *tx).await?;
            if let Some(id) = id {
                audit!(tx, now, Actor::User(customer), "leave", "waitlist", id, Some("waiting"), Some("left"));
            }
            id.is_some()
        });
        Ok(left)
    }

    pub async fn wait_entry(&self, id: i64) -> Result<WaitEntry> {
        let sql = format!("SELECT {ENTRY_COLS} FROM waitlist WHERE id = $1");
        let row: EntryRow = with_pool!(self, read, p => sqlx::query_as(&sql).bind(id).fetch_one(p).await?);
        entry_from_row(row)
    }

    /// A person's open place (waiting or holding) for a deal.
    pub async fn open_wait(&self, offer_id: i64, customer: i64) -> Result<Option<WaitEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLS} FROM waitlist WHERE offer_id = $1 AND customer_tg_id = $2 \
             AND status IN ('waiting', 'held')"
        );
        let row: Option<EntryRow> =
            with_pool!(self, read, p => sqlx::query_as(&sql).bind(offer_id).bind(customer).fetch_optional(p).await?);
        row.map(entry_from_row).transpose()
    }

    /// The waitlist place a hold's purchase belongs to, if it is a hold.
    pub async fn hold_of(&self, purchase_id: i64) -> Result<Option<WaitEntry>> {
        let sql = format!("SELECT {ENTRY_COLS} FROM waitlist WHERE purchase_id = $1");
        let row: Option<EntryRow> =
            with_pool!(self, read, p => sqlx::query_as(&sql).bind(purchase_id).fetch_optional(p).await?);
        row.map(entry_from_row).transpose()
    }

    /// A person's open places, newest first.
    pub async fn open_waits_of(&self, customer: i64) -> Result<Vec<WaitEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLS} FROM waitlist WHERE customer_tg_id = $1 AND status IN ('waiting', 'held') \
             ORDER BY id DESC LIMIT 20"
        );
        let rows: Vec<EntryRow> = with_pool!(self, read, p => sqlx::query_as(&sql).bind(customer).fetch_all(p).await?);
        rows.into_iter().map(entry_from_row).collect()
    }

    /// "#2 of 3": where a waiting place stands among everyone waiting for
    /// the deal; `None` when it isn't waiting.
    pub async fn place_of(&self, entry: &WaitEntry) -> Result<Option<Place>> {
        if entry.status != WaitStatus::Waiting {
            return Ok(None);
        }
        let (ahead, all): (i64, i64) = with_pool!(self, read, p => sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN id < $2 THEN 1 ELSE 0 END), 0), COUNT(*) FROM waitlist \
             WHERE offer_id = $1 AND status = 'waiting'",
        ).bind(entry.offer_id).bind(entry.id).fetch_one(p).await?);
        Ok(Some(Place { position: ahead as u32 + 1, of: all.max(1) as u32 }))
    }

    /// Every place ever taken on a deal's waitlist, in line order.
    pub async fn waitlist_of(&self, offer_id: i64) -> Result<Vec<WaitEntry>> {
        let sql = format!("SELECT {ENTRY_COLS} FROM waitlist WHERE offer_id = $1 ORDER BY id");
        let rows: Vec<EntryRow> = with_pool!(self, read, p => sqlx::query_as(&sql).bind(offer_id).fetch_all(p).await?);
        rows.into_iter().map(entry_from_row).collect()
    }

    /// How many people wait for a deal (the business's card shows it).
    pub async fn waitlist_length(&self, offer_id: i64) -> Result<u32> {
        let n: i64 = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM waitlist WHERE offer_id = $1 AND status = 'waiting'",
        ).bind(offer_id).fetch_one(p).await?);
        Ok(n.max(0) as u32)
    }

    /// A hold paid at pickup, confirmed by its person: `reserved →
    /// confirmed` (the units move from reserved to sold), the place
    /// `bought`, the owner told — one transaction. False if it was not an
    /// open hold (lapsed, passed, confirmed before).
    pub async fn confirm_hold(&self, purchase_id: i64, actor: &Actor, now: DateTime<Utc>) -> Result<bool> {
        let done = with_tx!(self, tx => {
            super::purchases::lock_offer_of_purchase!(tx, purchase_id);
            let Some(status) = super::purchases::status_allowing!(self, tx, purchase_id, PurchaseEvent::ConfirmHold) else {
                return Ok(false);
            };
            let held: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM waitlist WHERE purchase_id = $1 AND status = 'held'",
            ).bind(purchase_id).fetch_optional(&mut *tx).await?;
            let Some(entry) = held else { return Ok(false) };
            if super::purchases::move_stock!(tx, purchase_id, RESERVED_TO_SOLD) != 0 {
                return Err(StoreError::Unexpected(anyhow::anyhow!("hold {purchase_id} held no reservation")));
            }
            super::purchases::transition!(tx, purchase_id, status, PurchaseEvent::ConfirmHold, actor, now);
            sqlx::query("UPDATE waitlist SET status = 'bought', updated_at = $1 WHERE id = $2")
                .bind(ts(now)).bind(entry).execute(&mut *tx).await?;
            audit!(tx, now, actor, "buy", "waitlist", entry, Some("held"), Some("bought"));
            notice_purchase!(tx, now, purchase_id, To::Owner, NoticeKind::NewOrder);
            true
        });
        Ok(done)
    }

    /// Hands out units that are free while people wait: after a sleeper's
    /// quiet hours end (the units that came back meanwhile went on sale),
    /// or when a resumed or edited deal has units. One transaction per
    /// offer, the offer row first. Returns the holds made.
    pub async fn waitlist_sweep(&self, now: DateTime<Utc>) -> Result<u32> {
        let offers: Vec<i64> = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT DISTINCT w.offer_id FROM waitlist w JOIN offer_items i ON i.offer_id = w.offer_id \
             WHERE w.status = 'waiting' AND i.id = w.item_id AND i.quantity - i.reserved - i.sold >= w.quantity \
             ORDER BY w.offer_id LIMIT 500",
        ).fetch_all(p).await?);
        let mut made = 0;
        for offer_id in offers {
            made += with_tx!(self, tx => {
                sqlx::query("UPDATE offers SET updated_at = updated_at WHERE id = $1")
                    .bind(offer_id).execute(&mut *tx).await?;
                hand_out!(self, tx, offer_id, now)
            });
        }
        Ok(made)
    }
}

/// Closes the open places of a withdrawn offer inside its transaction:
/// everyone waiting is told (a hold's person hears through its purchase).
macro_rules! close_waitlist {
    ($tx:expr, $offer_id:expr, $now:expr, tell) => {{
        let waiting: Vec<i64> =
            sqlx::query_scalar("SELECT customer_tg_id FROM waitlist WHERE offer_id = $1 AND status = 'waiting'")
                .bind($offer_id)
                .fetch_all(&mut *$tx)
                .await?;
        sqlx::query(
            "UPDATE waitlist SET status = 'closed', updated_at = $1 WHERE offer_id = $2 \
             AND status IN ('waiting', 'held')",
        )
        .bind($crate::store::ts($now))
        .bind($offer_id)
        .execute(&mut *$tx)
        .await?;
        for chat in waiting {
            sqlx::query(
                "INSERT INTO notices (chat_id, kind, business_id, offer_id, not_before, created_at) \
                 SELECT $1, $2, o.business_id, o.id, $3, $3 FROM offers o WHERE o.id = $4",
            )
            .bind(chat)
            .bind($crate::domain::NoticeKind::WaitlistClosed.as_str())
            .bind($crate::store::ts($now))
            .bind($offer_id)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(super) use close_waitlist;
