//! Personal data: everything Glean holds about one person (the export),
//! erasing it (one transaction of conditional statements, keeping orders,
//! payments and refunds under an anonymous id), and the retention rules the
//! jobs apply (unused locations, stale dialogues; old raw updates are in
//! `inbound`).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Actor, Db, Result, Store, audit, dt, lite, sql_list, ts, with_pool, with_tx};
use crate::domain::business::BusinessEvent;
use crate::domain::offer::OfferEvent;
use crate::domain::{Coordinates, PurchaseStatus};

/// Orders that still owe the customer food or money: deleting the person
/// would cut them off from their pickup code or their refund.
pub const OPEN_ORDERS: [PurchaseStatus; 3] =
    [PurchaseStatus::Reserved, PurchaseStatus::Confirmed, PurchaseStatus::Paid];
/// Refunds that have not reached the customer yet.
pub const OPEN_REFUNDS: [PurchaseStatus; 2] = [PurchaseStatus::RefundPending, PurchaseStatus::RefundFailed];

/// Everything Glean holds about one person, as the export shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PersonalData {
    pub telegram_id: i64,
    pub profile: Option<Profile>,
    pub orders: Vec<OrderRecord>,
    pub follows: Vec<FollowRecord>,
    pub nearby_alert: Option<AlertRecord>,
    /// What the person is in the middle of (a registration, a new deal…),
    /// as stored.
    pub dialogue: Option<serde_json::Value>,
    pub audit: Vec<AuditRecord>,
    pub notices: Vec<NoticeRecord>,
    /// The raw Telegram updates still stored (kept a few days).
    pub stored_updates: Vec<serde_json::Value>,
    pub businesses: Vec<BusinessRecord>,
    /// The charity they are the contact of.
    pub charity: Option<CharityRecord>,
    /// Deal cards they posted into chats through inline mode.
    pub shared_cards: Vec<SharedCardRecord>,
    /// Their places on waitlists of sold-out deals.
    pub waitlist: Vec<WaitRecord>,
    /// Deals whose price they asked to hear about.
    pub price_watches: Vec<PriceWatchRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaitRecord {
    pub offer_id: i64,
    pub item_id: i64,
    pub quantity: i64,
    pub status: String,
    /// The hold's order, once units were held for them.
    pub order_id: Option<i64>,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriceWatchRecord {
    pub offer_id: i64,
    /// The price asked for, in the deal's minor units.
    pub below_minor: i64,
    pub since: DateTime<Utc>,
    pub notified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CharityRecord {
    pub id: i64,
    pub name: String,
    pub area: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub registered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SharedCardRecord {
    pub offer_id: i64,
    pub created_at: DateTime<Utc>,
}

impl PersonalData {
    /// Whether Glean holds anything at all about the person.
    pub fn is_empty(&self) -> bool {
        self.profile.is_none()
            && self.orders.is_empty()
            && self.follows.is_empty()
            && self.nearby_alert.is_none()
            && self.dialogue.is_none()
            && self.notices.is_empty()
            && self.stored_updates.is_empty()
            && self.businesses.is_empty()
            && self.charity.is_none()
            && self.shared_cards.is_empty()
            && self.waitlist.is_empty()
            && self.price_watches.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub first_name: String,
    pub username: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    /// Quiet hours as minutes after local midnight, `[from, to]`.
    pub quiet_hours: Option<[u16; 2]>,
    pub last_location: Option<LocationRecord>,
    pub first_seen: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LocationRecord {
    pub latitude: f64,
    pub longitude: f64,
    pub shared_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderRecord {
    pub id: i64,
    pub offer_id: i64,
    pub offer_title: String,
    pub business: String,
    pub status: String,
    /// In minor units of `currency`.
    pub total: i64,
    pub currency: String,
    pub payment_method: String,
    pub pickup_code: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lines: Vec<LineRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineRecord {
    pub item_id: i64,
    pub item: String,
    pub quantity: i64,
    /// In minor units.
    pub unit_price: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FollowRecord {
    pub business_id: i64,
    pub business: String,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertRecord {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_m: i64,
    pub keywords: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: i64,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeRecord {
    pub kind: String,
    pub status: String,
    pub purchase_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BusinessRecord {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub phone: String,
    pub currency: String,
    pub timezone: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub venues: Vec<VenueRecord>,
    pub offers: Vec<OfferRecord>,
    /// The business's orders; customers are not named (their data is theirs).
    pub orders: Vec<SaleRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VenueRecord {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub timezone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfferRecord {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub status: String,
    pub pickup_start: DateTime<Utc>,
    pub pickup_end: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub items: Vec<ItemRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemRecord {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub original_price: i64,
    pub deal_price: i64,
    pub quantity: i64,
    pub reserved: i64,
    pub sold: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaleRecord {
    pub id: i64,
    pub offer_id: i64,
    pub status: String,
    pub total: i64,
    pub currency: String,
    pub payment_method: String,
    pub created_at: DateTime<Utc>,
}

/// Why a person's data can't be erased yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EraseRefused {
    /// Their own orders still open (reserved, confirmed or paid).
    OpenOrders(Vec<i64>),
    /// Refunds still on their way to them (pending or failed).
    OpenRefunds(Vec<i64>),
    /// Open orders at a business they own.
    BusinessOrders { business: String, orders: Vec<i64> },
}

/// What an erasure removed and kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    /// The id the person's orders (and audit entries) now carry.
    pub anonymous_id: i64,
    /// Whether there was anything of theirs left to erase (beyond the raw
    /// updates of their latest messages, such as the request itself).
    pub found: bool,
    pub profile: bool,
    pub follows: u64,
    pub alerts: u64,
    pub dialogues: u64,
    pub stored_updates: u64,
    pub notices: u64,
    /// Orders kept for the accounts, now under `anonymous_id`.
    pub orders_kept: u64,
    /// Businesses kept (suspended, owner anonymous, phone erased).
    pub businesses_kept: u64,
    /// Charities they were the contact of (kept, no longer collecting).
    pub charities: u64,
}

/// The outcome of an erasure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Erasure {
    Done(Erased),
    Refused(EraseRefused),
}

/// The audit label of an anonymous person.
pub fn anonymous_label(anonymous_id: i64) -> String {
    format!("anon:{anonymous_id}")
}

type OrderRow = (i64, i64, String, String, String, i64, String, String, String, i64, i64);
type CharityRow = (i64, String, String, Option<f64>, Option<f64>, Option<i64>);
type AuditRow = (i64, String, String, String, i64, Option<String>, Option<String>);
type BusinessRow = (i64, String, String, String, String, String, String, i64);

/// A location's last use is recorded to this many seconds (an hour).
const LOCATION_USE_GRAIN_SECS: i64 = 3600;

impl Store {
    /// Everything Glean holds about `tg_id`, read in one pass.
    pub async fn personal_data(&self, tg_id: i64) -> Result<PersonalData> {
        type UserRow = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i32>,
            Option<i32>,
            Option<f64>,
            Option<f64>,
            Option<i64>,
            Option<i64>,
            i64,
        );
        let user_label = Actor::User(tg_id).label();
        with_pool!(self, read, p => {
            let user: Option<UserRow> = sqlx::query_as(
                "SELECT first_name, username, language, timezone, quiet_from, quiet_to, lat, lng, location_at, \
                 location_used_at, created_at FROM users WHERE tg_id = $1",
            ).bind(tg_id).fetch_optional(p).await?;
            let profile = user.map(|(first_name, username, language, timezone, qf, qt, lat, lng, at, used, created)| {
                let quiet = match (qf.and_then(|m| u16::try_from(m).ok()), qt.and_then(|m| u16::try_from(m).ok())) {
                    (Some(f), Some(t)) => Some([f, t]),
                    _ => None,
                };
                Profile {
                    first_name,
                    username,
                    language,
                    timezone,
                    quiet_hours: quiet,
                    last_location: lat.zip(lng).map(|(latitude, longitude)| LocationRecord {
                        latitude,
                        longitude,
                        shared_at: at.map(dt),
                        last_used_at: used.map(dt),
                    }),
                    first_seen: dt(created),
                }
            });

            let rows: Vec<OrderRow> = sqlx::query_as(
                "SELECT p.id, p.offer_id, o.title, b.name, p.status, p.total, p.currency, p.payment_method, \
                 p.pickup_code, p.created_at, p.updated_at FROM purchases p JOIN offers o ON o.id = p.offer_id \
                 JOIN businesses b ON b.id = o.business_id WHERE p.customer_tg_id = $1 ORDER BY p.id",
            ).bind(tg_id).fetch_all(p).await?;
            let lines: Vec<(i64, i64, String, i64, i64)> = sqlx::query_as(
                "SELECT l.purchase_id, l.item_id, i.name, CAST(l.quantity AS BIGINT), l.unit_price \
                 FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id JOIN offer_items i ON i.id = l.item_id \
                 WHERE p.customer_tg_id = $1 ORDER BY l.purchase_id, i.position",
            ).bind(tg_id).fetch_all(p).await?;
            let orders = rows
                .into_iter()
                .map(|(id, offer_id, offer_title, business, status, total, currency, payment_method, pickup_code, c, u)| {
                    OrderRecord {
                        id,
                        offer_id,
                        offer_title,
                        business,
                        status,
                        total,
                        currency,
                        payment_method,
                        pickup_code,
                        created_at: dt(c),
                        updated_at: dt(u),
                        lines: lines
                            .iter()
                            .filter(|l| l.0 == id)
                            .map(|(_, item_id, item, quantity, unit_price)| LineRecord {
                                item_id: *item_id,
                                item: item.clone(),
                                quantity: *quantity,
                                unit_price: *unit_price,
                            })
                            .collect(),
                    }
                })
                .collect::<Vec<_>>();

            let follows: Vec<(i64, String, i64)> = sqlx::query_as(
                "SELECT b.id, b.name, f.created_at FROM follows f JOIN businesses b ON b.id = f.business_id \
                 WHERE f.customer_tg_id = $1 ORDER BY b.id",
            ).bind(tg_id).fetch_all(p).await?;
            let follows = follows
                .into_iter()
                .map(|(business_id, business, since)| FollowRecord { business_id, business, since: dt(since) })
                .collect();

            let alert: Option<(f64, f64, i64, String, i64, i64)> = sqlx::query_as(
                "SELECT lat, lng, CAST(radius_m AS BIGINT), keywords, created_at, updated_at FROM alerts \
                 WHERE customer_tg_id = $1",
            ).bind(tg_id).fetch_optional(p).await?;
            let nearby_alert = alert.map(|(latitude, longitude, radius_m, keywords, c, u)| AlertRecord {
                latitude,
                longitude,
                radius_m,
                keywords,
                created_at: dt(c),
                updated_at: dt(u),
            });

            let dialogue: Option<String> = sqlx::query_scalar("SELECT state FROM dialogues WHERE chat_id = $1")
                .bind(tg_id).fetch_optional(p).await?;
            let dialogue = dialogue.map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)));

            let owned: Vec<BusinessRow> = sqlx::query_as(
                "SELECT id, name, description, phone, currency, timezone, status, created_at FROM businesses \
                 WHERE owner_tg_id = $1 ORDER BY id",
            ).bind(tg_id).fetch_all(p).await?;

            // Their own acts, and what was done to their orders, businesses
            // and to them.
            let audit: Vec<AuditRow> = sqlx::query_as(
                "SELECT at, actor, action, target_kind, target_id, before, after FROM audit_log a WHERE actor = $1 \
                 OR (target_kind = 'user' AND target_id = $2) \
                 OR (target_kind = 'purchase' AND target_id IN (SELECT id FROM purchases WHERE customer_tg_id = $2)) \
                 OR (target_kind = 'business' AND target_id IN (SELECT id FROM businesses WHERE owner_tg_id = $2)) \
                 ORDER BY id",
            ).bind(&user_label).bind(tg_id).fetch_all(p).await?;
            let audit = audit
                .into_iter()
                .map(|(at, actor, action, target_kind, target_id, before, after)| AuditRecord {
                    at: dt(at),
                    actor,
                    action,
                    target_kind,
                    target_id,
                    before,
                    after,
                })
                .collect();

            let notices: Vec<(String, String, Option<i64>, i64)> = sqlx::query_as(
                "SELECT kind, status, purchase_id, created_at FROM notices WHERE chat_id = $1 ORDER BY id",
            ).bind(tg_id).fetch_all(p).await?;
            let notices = notices
                .into_iter()
                .map(|(kind, status, purchase_id, c)| NoticeRecord { kind, status, purchase_id, created_at: dt(c) })
                .collect();

            let updates: Vec<String> = sqlx::query_scalar(
                "SELECT payload FROM inbound_updates WHERE chat_id = $1 ORDER BY update_id",
            ).bind(tg_id).fetch_all(p).await?;
            let stored_updates = updates
                .into_iter()
                .filter_map(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
                .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
                .collect();

            let mut businesses = Vec::new();
            for (id, name, description, phone, currency, timezone, status, created) in owned {
                let venues: Vec<(i64, String, String, f64, f64, String)> = sqlx::query_as(
                    "SELECT id, name, address, lat, lng, timezone FROM venues WHERE business_id = $1 ORDER BY id",
                ).bind(id).fetch_all(p).await?;
                let offers: Vec<(i64, String, String, String, i64, i64, i64)> = sqlx::query_as(
                    "SELECT id, title, description, status, pickup_start, pickup_end, created_at FROM offers \
                     WHERE business_id = $1 ORDER BY id",
                ).bind(id).fetch_all(p).await?;
                type ItemRow = (i64, i64, String, String, i64, i64, i64, i64, i64);
                let items: Vec<ItemRow> = sqlx::query_as(
                    "SELECT i.offer_id, i.id, i.name, i.unit, i.original_price, i.deal_price, CAST(i.quantity AS BIGINT), \
                     CAST(i.reserved AS BIGINT), CAST(i.sold AS BIGINT) FROM offer_items i \
                     JOIN offers o ON o.id = i.offer_id WHERE o.business_id = $1 ORDER BY i.offer_id, i.position",
                ).bind(id).fetch_all(p).await?;
                let sales: Vec<(i64, i64, String, i64, String, String, i64)> = sqlx::query_as(
                    "SELECT p.id, p.offer_id, p.status, p.total, p.currency, p.payment_method, p.created_at \
                     FROM purchases p JOIN offers o ON o.id = p.offer_id WHERE o.business_id = $1 ORDER BY p.id",
                ).bind(id).fetch_all(p).await?;
                businesses.push(BusinessRecord {
                    id,
                    name,
                    description,
                    phone,
                    currency,
                    timezone,
                    status,
                    created_at: dt(created),
                    venues: venues
                        .into_iter()
                        .map(|(id, name, address, latitude, longitude, timezone)| VenueRecord {
                            id,
                            name,
                            address,
                            latitude,
                            longitude,
                            timezone,
                        })
                        .collect(),
                    offers: offers
                        .into_iter()
                        .map(|(oid, title, description, status, start, end, created)| OfferRecord {
                            id: oid,
                            title,
                            description,
                            status,
                            pickup_start: dt(start),
                            pickup_end: dt(end),
                            created_at: dt(created),
                            items: items
                                .iter()
                                .filter(|i| i.0 == oid)
                                .map(|i| ItemRecord {
                                    id: i.1,
                                    name: i.2.clone(),
                                    unit: i.3.clone(),
                                    original_price: i.4,
                                    deal_price: i.5,
                                    quantity: i.6,
                                    reserved: i.7,
                                    sold: i.8,
                                })
                                .collect(),
                        })
                        .collect(),
                    orders: sales
                        .into_iter()
                        .map(|(id, offer_id, status, total, currency, payment_method, c)| SaleRecord {
                            id,
                            offer_id,
                            status,
                            total,
                            currency,
                            payment_method,
                            created_at: dt(c),
                        })
                        .collect(),
                });
            }

            let charity: Option<CharityRow> = sqlx::query_as(
                "SELECT id, name, area, lat, lng, registered_at FROM charities WHERE tg_id = $1",
            ).bind(tg_id).fetch_optional(p).await?;
            let charity = charity.map(|(id, name, area, latitude, longitude, registered)| CharityRecord {
                id,
                name,
                area,
                latitude,
                longitude,
                registered_at: registered.map(dt),
            });
            let cards: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT offer_id, created_at FROM shared_cards WHERE shared_by = $1 ORDER BY created_at",
            ).bind(tg_id).fetch_all(p).await?;
            let shared_cards =
                cards.into_iter().map(|(offer_id, c)| SharedCardRecord { offer_id, created_at: dt(c) }).collect();
            let watches: Vec<(i64, i64, i64, Option<i64>)> = sqlx::query_as(
                "SELECT offer_id, below, created_at, notified_at FROM price_watches WHERE customer_tg_id = $1 \
                 ORDER BY created_at, offer_id",
            ).bind(tg_id).fetch_all(p).await?;
            let price_watches = watches
                .into_iter()
                .map(|(offer_id, below_minor, c, n)| PriceWatchRecord {
                    offer_id,
                    below_minor,
                    since: dt(c),
                    notified_at: n.map(dt),
                })
                .collect();

            let waits: Vec<(i64, i64, i64, String, Option<i64>, i64)> = sqlx::query_as(
                "SELECT offer_id, item_id, CAST(quantity AS BIGINT), status, purchase_id, created_at FROM waitlist \
                 WHERE customer_tg_id = $1 ORDER BY id",
            ).bind(tg_id).fetch_all(p).await?;
            let waitlist = waits
                .into_iter()
                .map(|(offer_id, item_id, quantity, status, order_id, c)| WaitRecord {
                    offer_id,
                    item_id,
                    quantity,
                    status,
                    order_id,
                    joined_at: dt(c),
                })
                .collect();

            Ok(PersonalData {
                telegram_id: tg_id,
                profile,
                orders,
                follows,
                nearby_alert,
                dialogue,
                audit,
                notices,
                stored_updates,
                businesses,
                charity,
                shared_cards,
                waitlist,
                price_watches,
            })
        })
    }

    /// Why `tg_id`'s data can't be erased now, if it can't: their own open
    /// orders or refunds, or open orders at a business they own.
    pub async fn erase_refusal(&self, tg_id: i64) -> Result<Option<EraseRefused>> {
        with_pool!(self, read, p => {
            let sql = format!(
                "SELECT id FROM purchases WHERE customer_tg_id = $1 AND status IN ({}) ORDER BY id",
                sql_list(OPEN_ORDERS.map(PurchaseStatus::as_str))
            );
            let open: Vec<i64> = sqlx::query_scalar(&sql).bind(tg_id).fetch_all(p).await?;
            if !open.is_empty() {
                return Ok(Some(EraseRefused::OpenOrders(open)));
            }
            let sql = format!(
                "SELECT id FROM purchases WHERE customer_tg_id = $1 AND status IN ({}) ORDER BY id",
                sql_list(OPEN_REFUNDS.map(PurchaseStatus::as_str))
            );
            let refunds: Vec<i64> = sqlx::query_scalar(&sql).bind(tg_id).fetch_all(p).await?;
            if !refunds.is_empty() {
                return Ok(Some(EraseRefused::OpenRefunds(refunds)));
            }
            let sql = format!(
                "SELECT b.name, p.id FROM purchases p JOIN offers o ON o.id = p.offer_id \
                 JOIN businesses b ON b.id = o.business_id WHERE b.owner_tg_id = $1 AND p.status IN ({}) ORDER BY p.id",
                sql_list(OPEN_ORDERS.into_iter().chain(OPEN_REFUNDS).map(PurchaseStatus::as_str))
            );
            let rows: Vec<(String, i64)> = sqlx::query_as(&sql).bind(tg_id).fetch_all(p).await?;
            if let Some((business, _)) = rows.first() {
                let business = business.clone();
                let orders = rows.into_iter().map(|(_, id)| id).collect();
                return Ok(Some(EraseRefused::BusinessOrders { business, orders }));
            }
            Ok(None)
        })
    }

    /// The offers of `owner`'s businesses that can still be withdrawn.
    pub async fn withdrawable_offers_of_owner(&self, owner: i64) -> Result<Vec<i64>> {
        let sql = format!(
            "SELECT o.id FROM offers o JOIN businesses b ON b.id = o.business_id WHERE b.owner_tg_id = $1 \
             AND o.status IN ({}) ORDER BY o.id",
            sql_list(OfferEvent::Withdraw.table().iter().map(|(from, _)| from.as_str()))
        );
        let ids: Vec<i64> = with_pool!(self, read, p => sqlx::query_scalar(&sql).bind(owner).fetch_all(p).await?);
        Ok(ids)
    }

    /// Erases `tg_id`'s personal data in one transaction: profile,
    /// location, follows, price watches, alerts, dialogue, queued alerts and notices,
    /// frozen deal lists and stored raw updates go; a charity they were the
    /// contact of stops collecting; cards they shared name the anonymous id; orders stay (payments and
    /// refunds are accounting records) with the person replaced by
    /// `anonymous_id`, and so do their audit entries; a business they own
    /// stays too, suspended, with its phone erased and its owner anonymous.
    /// Refused (nothing changed) while an order or refund is open, checked
    /// in the same transaction. Erasing someone with nothing left is
    /// harmless: `found` is false.
    pub async fn erase_person(
        &self,
        tg_id: i64,
        anonymous_id: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Erasure> {
        let open = sql_list(OPEN_ORDERS.into_iter().chain(OPEN_REFUNDS).map(PurchaseStatus::as_str));
        let own_open = format!("SELECT COUNT(*) FROM purchases WHERE customer_tg_id = $1 AND status IN ({open})");
        let shop_open = format!(
            "SELECT COUNT(*) FROM purchases p JOIN offers o ON o.id = p.offer_id \
             JOIN businesses b ON b.id = o.business_id WHERE b.owner_tg_id = $1 AND p.status IN ({open})"
        );
        let suspend_from = sql_list(BusinessEvent::Suspend.table().iter().map(|(from, _)| from.as_str()));
        let suspended = crate::domain::BusinessStatus::Suspended.as_str();
        let suspend = format!(
            "UPDATE businesses SET owner_tg_id = $2, phone = '', request_key = NULL, status_reason = NULL, \
             status = CASE WHEN status IN ({suspend_from}) THEN '{suspended}' ELSE status END, updated_at = $3 \
             WHERE owner_tg_id = $1"
        );
        let anon_label = anonymous_label(anonymous_id);
        let user_label = Actor::User(tg_id).label();
        let outcome = with_tx!(self, tx => {
            let n: i64 = sqlx::query_scalar(&own_open).bind(tg_id).fetch_one(&mut *tx).await?;
            let m: i64 = sqlx::query_scalar(&shop_open).bind(tg_id).fetch_one(&mut *tx).await?;
            if n > 0 || m > 0 {
                // Raced with a new order since the check: nothing changes.
                None
            } else {
                let mut e = Erased { anonymous_id, ..Erased::default() };
                e.orders_kept = sqlx::query(
                    "UPDATE purchases SET customer_tg_id = $2, checkout_params = NULL, request_key = NULL \
                     WHERE customer_tg_id = $1",
                ).bind(tg_id).bind(anonymous_id).execute(&mut *tx).await?.rows_affected();
                // Their businesses' Stripe Connect email, onboarding links and
                // API keys go; the account id and the ledger (bookkeeping
                // records) stay with the anonymised business.
                let owned = "SELECT id FROM businesses WHERE owner_tg_id = $1";
                sqlx::query(&format!("UPDATE connect_accounts SET email = '' WHERE business_id IN ({owned})"))
                    .bind(tg_id).execute(&mut *tx).await?;
                sqlx::query(&format!("DELETE FROM connect_tokens WHERE business_id IN ({owned})"))
                    .bind(tg_id).execute(&mut *tx).await?;
                sqlx::query(&format!(
                    "UPDATE api_keys SET revoked_at = $2 WHERE revoked_at IS NULL AND business_id IN ({owned})"
                )).bind(tg_id).bind(ts(now)).execute(&mut *tx).await?;
                e.businesses_kept = sqlx::query(&suspend).bind(tg_id).bind(anonymous_id).bind(ts(now))
                    .execute(&mut *tx).await?.rows_affected();
                // A charity whose contact leaves keeps its name and area but
                // no longer collects (no contact, no place); its invitation
                // stays used.
                e.charities = sqlx::query(
                    "UPDATE charities SET tg_id = $2, lat = NULL, lng = NULL WHERE tg_id = $1",
                ).bind(tg_id).bind(anonymous_id).execute(&mut *tx).await?.rows_affected();
                sqlx::query("UPDATE shared_cards SET shared_by = $2 WHERE shared_by = $1")
                    .bind(tg_id).bind(anonymous_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM waitlist WHERE customer_tg_id = $1").bind(tg_id).execute(&mut *tx).await?;
                e.follows = sqlx::query("DELETE FROM follows WHERE customer_tg_id = $1")
                    .bind(tg_id).execute(&mut *tx).await?.rows_affected();
                sqlx::query("DELETE FROM price_watches WHERE customer_tg_id = $1")
                    .bind(tg_id).execute(&mut *tx).await?;
                e.alerts = sqlx::query("DELETE FROM alerts WHERE customer_tg_id = $1")
                    .bind(tg_id).execute(&mut *tx).await?.rows_affected();
                sqlx::query("DELETE FROM notifications WHERE customer_tg_id = $1")
                    .bind(tg_id).execute(&mut *tx).await?;
                e.notices = sqlx::query("DELETE FROM notices WHERE chat_id = $1")
                    .bind(tg_id).execute(&mut *tx).await?.rows_affected();
                e.dialogues = sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
                    .bind(tg_id).execute(&mut *tx).await?.rows_affected();
                sqlx::query("DELETE FROM deal_lists WHERE owner = $1").bind(tg_id).execute(&mut *tx).await?;
                // The newest stored update always stays (polling resumes
                // after it): if it is theirs, only its content goes.
                e.stored_updates = sqlx::query(
                    "DELETE FROM inbound_updates WHERE chat_id = $1 \
                     AND update_id < (SELECT MAX(update_id) FROM inbound_updates)",
                ).bind(tg_id).execute(&mut *tx).await?.rows_affected();
                e.stored_updates += sqlx::query(
                    "UPDATE inbound_updates SET payload = '{}' WHERE chat_id = $1 AND payload <> '{}'",
                ).bind(tg_id).execute(&mut *tx).await?.rows_affected();
                sqlx::query("UPDATE audit_log SET actor = $2 WHERE actor = $1")
                    .bind(&user_label).bind(&anon_label).execute(&mut *tx).await?;
                sqlx::query("UPDATE audit_log SET target_id = $2 WHERE target_kind = 'user' AND target_id = $1")
                    .bind(tg_id).bind(anonymous_id).execute(&mut *tx).await?;
                e.profile = sqlx::query("DELETE FROM users WHERE tg_id = $1")
                    .bind(tg_id).execute(&mut *tx).await?.rows_affected() > 0;
                // Raw updates don't count: the request itself is one.
                e.found =
                    e.profile
                    || e.orders_kept + e.businesses_kept + e.charities + e.follows + e.alerts + e.notices + e.dialogues
                        > 0;
                if e.found {
                    let by = match actor {
                        Actor::User(_) => anon_label.clone(),
                        other => other.label(),
                    };
                    let after = format!(
                        "orders kept: {}, businesses kept: {}", e.orders_kept, e.businesses_kept
                    );
                    let by = LabelActor(by);
                    audit!(tx, now, by, "erase_personal_data", "user", anonymous_id, None::<String>, Some(after));
                }
                Some(e)
            }
        });
        match outcome {
            Some(e) => Ok(Erasure::Done(e)),
            None => {
                Ok(Erasure::Refused(self.erase_refusal(tg_id).await?.unwrap_or(EraseRefused::OpenOrders(Vec::new()))))
            }
        }
    }

    /// Returns the last shared location of `tg_id`, recording that it was
    /// used now (it is kept `RETENTION_LOCATION_DAYS` after its last use,
    /// counted to the hour: the use is written only when the one recorded
    /// is an hour old, so a customer paging through deals reads and does
    /// not write).
    pub async fn use_location(&self, tg_id: i64, now: DateTime<Utc>) -> Result<Option<Coordinates>> {
        const SQL: &str =
            "SELECT lat, lng, location_used_at FROM users WHERE tg_id = $1 AND lat IS NOT NULL AND lng IS NOT NULL";
        // Every `/deals` reads it: on SQLite without the hop (`lite`).
        let row: Option<(f64, f64, Option<i64>)> = match &self.db {
            Db::Sqlite { lite, .. } => lite.read(|c| lite::row(c, SQL, &[&tg_id], |r| r.try_into()))?,
            Db::Postgres(p) => sqlx::query_as(SQL).bind(tg_id).fetch_optional(p).await?,
        };
        let Some((lat, lng, used)) = row else { return Ok(None) };
        self.note_location_use(tg_id, used, now).await?;
        Ok(Coordinates::new(lat, lng).ok())
    }

    /// [`Store::use_location`] for a user record read while handling this
    /// same request: its location, with the use recorded, and no read.
    pub async fn use_location_of(&self, user: &super::User, now: DateTime<Utc>) -> Result<Option<Coordinates>> {
        let Some(at) = user.location else { return Ok(None) };
        self.note_location_use(user.tg_id, user.location_used_at.map(ts), now).await?;
        Ok(Some(at))
    }

    /// Records that `tg_id`'s location, last used at `used`, is used now,
    /// if that was an hour ago or more.
    async fn note_location_use(&self, tg_id: i64, used: Option<i64>, now: DateTime<Utc>) -> Result<()> {
        if used.is_none_or(|at| at <= ts(now) - LOCATION_USE_GRAIN_SECS) {
            // Still shared: a location forgotten since is not brought back.
            with_pool!(self, write, p => sqlx::query(
                "UPDATE users SET location_used_at = $2 WHERE tg_id = $1 AND lat IS NOT NULL \
                 AND (location_used_at IS NULL OR location_used_at < $2)",
            ).bind(tg_id).bind(ts(now)).execute(p).await?.rows_affected());
        }
        Ok(())
    }

    /// Forgets `tg_id`'s last shared location (and the distances of their
    /// frozen deal lists, which are measured from it). True if there was one.
    pub async fn forget_location(&self, tg_id: i64) -> Result<bool> {
        let n = with_tx!(self, tx => {
            let n = sqlx::query(
                "UPDATE users SET lat = NULL, lng = NULL, location_at = NULL, location_used_at = NULL \
                 WHERE tg_id = $1 AND (lat IS NOT NULL OR lng IS NOT NULL)",
            ).bind(tg_id).execute(&mut *tx).await?.rows_affected();
            sqlx::query("DELETE FROM deal_lists WHERE owner = $1").bind(tg_id).execute(&mut *tx).await?;
            n
        });
        Ok(n > 0)
    }

    /// Retention: forgets every last shared location not used since
    /// `unused_since`. Returns how many were dropped.
    pub async fn forget_unused_locations(&self, unused_since: DateTime<Utc>) -> Result<u64> {
        let n = with_pool!(self, write, p => sqlx::query(
            "UPDATE users SET lat = NULL, lng = NULL, location_at = NULL, location_used_at = NULL \
             WHERE location_at IS NOT NULL AND COALESCE(location_used_at, location_at) < $1",
        ).bind(ts(unused_since)).execute(p).await?.rows_affected());
        Ok(n)
    }

    /// Retention: deletes dialogues untouched since `before`.
    pub async fn prune_dialogues(&self, before: DateTime<Utc>) -> Result<u64> {
        let n = with_pool!(self, write, p => sqlx::query("DELETE FROM dialogues WHERE updated_at < $1")
            .bind(ts(before)).execute(p).await?.rows_affected());
        Ok(n)
    }
}

/// An audit actor given by its label (the anonymous id of an erased person).
struct LabelActor(String);

impl LabelActor {
    fn label(&self) -> String {
        self.0.clone()
    }
}
