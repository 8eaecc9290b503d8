//! Offers and their items: drafts, publishing, state changes, stock edits.

use chrono::{DateTime, Utc};

use super::businesses::{BUSINESS_COLS, BusinessRow, VENUE_COLS, VenueRow};
use super::{
    Actor, Business, Db, Result, Store, StoreError, Venue, audit, bind_all, dt, id_params, lite, sql_list, ts,
    with_pool, with_tx,
};
use crate::domain::offer::NewItem;
use crate::domain::pricing::{DropRule, PriceDrop};
use crate::domain::text::{Description, Title};
use crate::domain::{Coordinates, Currency, Money, OfferEvent, OfferStatus, PickupWindow, Quantity};

#[derive(Debug, Clone)]
pub struct Offer {
    pub id: i64,
    pub business_id: i64,
    pub venue_id: i64,
    pub title: String,
    pub description: String,
    pub currency: Currency,
    pub pickup_start: DateTime<Utc>,
    pub pickup_end: DateTime<Utc>,
    pub status: OfferStatus,
    pub sold_out_by_hand: bool,
    /// Stored display-size image name, if the offer has a photo.
    pub photo: Option<String>,
    pub thumb: Option<String>,
    /// Telegram's file_id for our own stripped upload of `photo`.
    pub photo_file_id: Option<String>,
    pub location: Coordinates,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub items: Vec<Item>,
    /// The schedule its prices drop by as pickup nears, if it has one.
    pub price_drop: Option<PriceDrop>,
}

impl Offer {
    /// What one unit of `item` costs at `at`: its deal price, less the
    /// drops due by then.
    pub fn price_at(&self, item: &Item, at: DateTime<Utc>) -> Money {
        match &self.price_drop {
            Some(d) => d.price_at(item.deal_price, self.pickup_end, at),
            None => item.deal_price,
        }
    }

    /// When `item`'s price drops next after `at`, and to what.
    pub fn next_drop(&self, item: &Item, at: DateTime<Utc>) -> Option<(DateTime<Utc>, Money)> {
        self.price_drop.as_ref()?.next_drop(item.deal_price, self.pickup_end, at)
    }

    /// The lowest price of an item still in stock at `at` (of any item
    /// when none is).
    pub fn cheapest_at(&self, at: DateTime<Utc>) -> Option<Money> {
        let in_stock = self.items.iter().filter(|i| i.remaining() > 0).map(|i| self.price_at(i, at));
        in_stock
            .min_by_key(|m| m.minor())
            .or_else(|| self.items.iter().map(|i| self.price_at(i, at)).min_by_key(|m| m.minor()))
    }

    /// Units left across all items.
    pub fn remaining(&self) -> u32 {
        self.items.iter().map(Item::remaining).sum()
    }

    pub fn window(&self) -> Option<PickupWindow> {
        PickupWindow::from_stored(self.pickup_start, self.pickup_end).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub offer_id: i64,
    pub position: i32,
    pub name: String,
    pub unit: String,
    pub original_price: Money,
    pub deal_price: Money,
    pub quantity: u32,
    pub reserved: u32,
    pub sold: u32,
}

impl Item {
    pub fn remaining(&self) -> u32 {
        self.quantity.saturating_sub(self.reserved + self.sold)
    }
}

/// A draft as the business composed it.
#[derive(Debug, Clone)]
pub struct NewOffer {
    pub business_id: i64,
    pub venue_id: i64,
    pub title: Title,
    pub description: Option<Description>,
    pub currency: Currency,
    pub window: PickupWindow,
    pub items: Vec<NewItem>,
    pub photo: Option<String>,
    pub thumb: Option<String>,
    /// Prices that drop as pickup nears (opt-in).
    pub price_drop: Option<PriceDrop>,
}

/// Which offers to list.
#[derive(Debug, Clone, Default)]
pub struct OfferFilter {
    pub business_id: Option<i64>,
    pub statuses: Vec<OfferStatus>,
    pub limit: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum QuantityError {
    #[error("{committed} units are already sold or reserved; the quantity can't go below that")]
    BelowCommitted { committed: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for QuantityError {
    fn from(e: sqlx::Error) -> Self {
        QuantityError::Store(e.into())
    }
}

#[derive(sqlx::FromRow)]
struct OfferRow {
    id: i64,
    business_id: i64,
    venue_id: i64,
    title: String,
    description: String,
    currency: String,
    pickup_start: i64,
    pickup_end: i64,
    status: String,
    sold_out_by_hand: bool,
    photo: Option<String>,
    thumb: Option<String>,
    photo_file_id: Option<String>,
    lat: f64,
    lng: f64,
    published_at: Option<i64>,
    created_at: i64,
    drop_percent: Option<i32>,
    drop_every: Option<i32>,
    drop_span: Option<i32>,
    drop_floor: Option<i64>,
    drop_tz: Option<String>,
}

/// A row of [`Store::listing_page`]: an offer, one of its items, its shop.
#[derive(sqlx::FromRow)]
struct ListingRow {
    #[sqlx(flatten)]
    offer: OfferRow,
    item_id: Option<i64>,
    item_position: Option<i32>,
    item_name: Option<String>,
    item_unit: Option<String>,
    item_original_price: Option<i64>,
    item_deal_price: Option<i64>,
    item_quantity: Option<i32>,
    item_reserved: Option<i32>,
    item_sold: Option<i32>,
    shop: String,
    shop_tz: String,
}

impl ListingRow {
    /// The row from `rusqlite`, its columns in [`Store::listing_page`]'s order.
    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<ListingRow> {
        Ok(ListingRow {
            offer: OfferRow {
                id: r.get(0)?,
                business_id: r.get(1)?,
                venue_id: r.get(2)?,
                title: r.get(3)?,
                description: r.get(4)?,
                currency: r.get(5)?,
                pickup_start: r.get(6)?,
                pickup_end: r.get(7)?,
                status: r.get(8)?,
                sold_out_by_hand: r.get(9)?,
                photo: r.get(10)?,
                thumb: r.get(11)?,
                photo_file_id: r.get(12)?,
                lat: r.get(13)?,
                lng: r.get(14)?,
                published_at: r.get(15)?,
                created_at: r.get(16)?,
                drop_percent: r.get(17)?,
                drop_every: r.get(18)?,
                drop_span: r.get(19)?,
                drop_floor: r.get(20)?,
                drop_tz: r.get(21)?,
            },
            item_id: r.get(22)?,
            item_position: r.get(23)?,
            item_name: r.get(24)?,
            item_unit: r.get(25)?,
            item_original_price: r.get(26)?,
            item_deal_price: r.get(27)?,
            item_quantity: r.get(28)?,
            item_reserved: r.get(29)?,
            item_sold: r.get(30)?,
            shop: r.get(31)?,
            shop_tz: r.get(32)?,
        })
    }

    fn item(&self) -> Option<ItemRow> {
        Some(ItemRow {
            id: self.item_id?,
            offer_id: self.offer.id,
            position: self.item_position?,
            name: self.item_name.clone()?,
            unit: self.item_unit.clone()?,
            original_price: self.item_original_price?,
            deal_price: self.item_deal_price?,
            quantity: self.item_quantity?,
            reserved: self.item_reserved?,
            sold: self.item_sold?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    offer_id: i64,
    position: i32,
    name: String,
    unit: String,
    original_price: i64,
    deal_price: i64,
    quantity: i32,
    reserved: i32,
    sold: i32,
}

const OFFER_COLS: &str = "id, business_id, venue_id, title, description, currency, pickup_start, pickup_end, \
     status, sold_out_by_hand, photo, thumb, photo_file_id, lat, lng, published_at, created_at, \
     drop_percent, drop_every, drop_span, drop_floor, drop_tz";
const ITEM_COLS: &str = "id, offer_id, position, name, unit, original_price, deal_price, quantity, reserved, sold";

/// The drop schedule's columns as read: `drop_percent`, `drop_every`,
/// `drop_span`, `drop_floor`, `drop_tz`.
pub(super) type DropCols<'a> = (Option<i32>, Option<i32>, Option<i32>, Option<i64>, Option<&'a str>);

/// An offer's drop schedule from its columns (`drop_percent`,
/// `drop_every`, `drop_span`, `drop_floor`, `drop_tz`); `None` when it has
/// none. Shared by the offer's reader and the reservation's gate.
pub(super) fn stored_drop(
    (percent, every, span, floor, tz): DropCols<'_>,
    currency: Currency,
) -> Result<Option<PriceDrop>> {
    let (Some(p), Some(e), Some(s), Some(f), Some(tz)) = (percent, every, span, floor, tz) else { return Ok(None) };
    let rule = u8::try_from(p)
        .ok()
        .zip(u16::try_from(e).ok())
        .zip(u16::try_from(s).ok())
        .and_then(|((p, e), s)| DropRule::new(p, e, s))
        .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("bad drop schedule {p}/{e}/{s} in the database")))?;
    Ok(Some(PriceDrop::from_stored(rule, money(f, currency)?, super::businesses::parse_tz(tz)?)))
}

fn money(minor: i64, currency: Currency) -> Result<Money> {
    Money::from_minor(minor, currency)
        .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("amount {minor} out of range in the database")))
}

fn offer_from_row(r: OfferRow, items: Vec<ItemRow>) -> Result<Offer> {
    let currency = Currency::from_code(&r.currency).map_err(anyhow::Error::from)?;
    let items = items
        .into_iter()
        .map(|i| {
            Ok(Item {
                id: i.id,
                offer_id: i.offer_id,
                position: i.position,
                name: i.name,
                unit: i.unit,
                original_price: money(i.original_price, currency)?,
                deal_price: money(i.deal_price, currency)?,
                quantity: i.quantity.max(0) as u32,
                reserved: i.reserved.max(0) as u32,
                sold: i.sold.max(0) as u32,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let price_drop =
        stored_drop((r.drop_percent, r.drop_every, r.drop_span, r.drop_floor, r.drop_tz.as_deref()), currency)?;
    Ok(Offer {
        id: r.id,
        business_id: r.business_id,
        venue_id: r.venue_id,
        title: r.title,
        description: r.description,
        currency,
        pickup_start: dt(r.pickup_start),
        pickup_end: dt(r.pickup_end),
        status: OfferStatus::parse(&r.status)?,
        sold_out_by_hand: r.sold_out_by_hand,
        photo: r.photo,
        thumb: r.thumb,
        photo_file_id: r.photo_file_id,
        location: Coordinates::new(r.lat, r.lng).map_err(anyhow::Error::from)?,
        published_at: r.published_at.map(dt),
        created_at: dt(r.created_at),
        items,
        price_drop,
    })
}

/// SQL that flips an automatically sold-out offer back to active when stock
/// is back and the window is still open. `$1` offer id, `$2` now.
pub(super) const RESTOCK_SQL: &str = "UPDATE offers SET status = 'active', updated_at = $2 \
     WHERE id = $1 AND status = 'sold_out' AND NOT sold_out_by_hand AND pickup_end > $2 \
     AND EXISTS (SELECT 1 FROM offer_items WHERE offer_id = $1 AND quantity - reserved - sold > 0)";

/// SQL that marks an active offer sold out when nothing is left.
/// `$1` offer id, `$2` now.
pub(super) const SELL_OUT_SQL: &str = "UPDATE offers SET status = 'sold_out', sold_out_by_hand = FALSE, updated_at = $2 \
     WHERE id = $1 AND status = 'active' \
     AND NOT EXISTS (SELECT 1 FROM offer_items WHERE offer_id = $1 AND quantity - reserved - sold > 0)";

/// Runs one of the automatic offer transitions (`$sql`: `$1` offer, `$2`
/// now) and, when it changed the offer, writes its audit row.
macro_rules! offer_auto {
    ($tx:expr, $sql:expr, $offer_id:expr, $now:expr, $action:expr, $before:expr, $after:expr) => {{
        let r = sqlx::query($sql).bind($offer_id).bind($crate::store::ts($now)).execute(&mut *$tx).await?;
        if r.rows_affected() == 1 {
            audit!($tx, $now, $crate::store::Actor::System, $action, "offer", $offer_id, Some($before), Some($after));
        }
    }};
}

/// Marks an active offer with nothing left sold out.
macro_rules! sell_out {
    ($tx:expr, $offer_id:expr, $now:expr) => {
        offer_auto!($tx, $crate::store::offers::SELL_OUT_SQL, $offer_id, $now, "sell_out", "active", "sold_out")
    };
}

/// Re-activates an automatically sold-out offer whose stock came back.
macro_rules! restock {
    ($tx:expr, $offer_id:expr, $now:expr) => {
        offer_auto!($tx, $crate::store::offers::RESTOCK_SQL, $offer_id, $now, "restock", "sold_out", "active")
    };
}
pub(super) use {offer_auto, restock, sell_out};

impl Store {
    /// Saves a draft offer with its items.
    pub async fn create_offer(&self, new: &NewOffer, actor: &Actor, now: DateTime<Utc>) -> Result<Offer> {
        self.create_offer_keyed(new, None, actor, now).await
    }

    /// As [`Store::create_offer`]; with a `request_key` that made an offer
    /// before, that offer (as it is now) instead of a second one.
    pub async fn create_offer_keyed(
        &self,
        new: &NewOffer,
        request_key: Option<&str>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Offer> {
        let id: i64 = with_tx!(self, tx => {
            if let Some(key) = request_key {
                let made: Option<i64> = sqlx::query_scalar("SELECT id FROM offers WHERE request_key = $1")
                    .bind(key).fetch_optional(&mut *tx).await?;
                if let Some(id) = made {
                    return self.offer(id).await;
                }
            }
            let (lat, lng): (f64, f64) = sqlx::query_as("SELECT lat, lng FROM venues WHERE id = $1 AND business_id = $2")
                .bind(new.venue_id).bind(new.business_id).fetch_one(&mut *tx).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO offers (business_id, venue_id, title, description, currency, pickup_start, pickup_end, \
                 status, photo, thumb, lat, lng, created_at, updated_at, request_key, \
                 drop_percent, drop_every, drop_span, drop_floor, drop_tz) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16, $17, $18, $19) \
                 RETURNING id",
            )
            .bind(new.business_id)
            .bind(new.venue_id)
            .bind(new.title.as_str())
            .bind(new.description.as_ref().map_or("", |d| d.as_str()))
            .bind(new.currency.code())
            .bind(ts(new.window.start()))
            .bind(ts(new.window.end()))
            .bind(OfferStatus::Draft.as_str())
            .bind(new.photo.as_deref())
            .bind(new.thumb.as_deref())
            .bind(lat)
            .bind(lng)
            .bind(ts(now))
            .bind(request_key)
            .bind(new.price_drop.map(|d| i32::from(d.rule().percent())))
            .bind(new.price_drop.map(|d| i32::from(d.rule().every_min())))
            .bind(new.price_drop.map(|d| i32::from(d.rule().span_min())))
            .bind(new.price_drop.map(|d| d.floor().minor()))
            .bind(new.price_drop.map(|d| d.tz().name().to_string()))
            .fetch_one(&mut *tx)
            .await?;
            for (pos, item) in new.items.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO offer_items (offer_id, position, name, unit, original_price, deal_price, quantity) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(pos as i32)
                .bind(item.name.as_str())
                .bind(item.unit.as_str())
                .bind(item.original_price.minor())
                .bind(item.deal_price.minor())
                .bind(item.quantity.get() as i32)
                .execute(&mut *tx)
                .await?;
            }
            audit!(tx, now, actor, "create_offer", "offer", id, None::<String>, Some(OfferStatus::Draft.as_str()));
            id
        });
        self.offer(id).await
    }

    pub async fn offer(&self, id: i64) -> Result<Offer> {
        let sql = format!("SELECT {OFFER_COLS} FROM offers WHERE id = $1");
        let isql = format!("SELECT {ITEM_COLS} FROM offer_items WHERE offer_id = $1 ORDER BY position");
        let (row, items): (OfferRow, Vec<ItemRow>) = with_pool!(self, read, p => {
            let row = sqlx::query_as(&sql).bind(id).fetch_one(p).await?;
            let items = sqlx::query_as(&isql).bind(id).fetch_all(p).await?;
            (row, items)
        });
        offer_from_row(row, items)
    }

    /// Offers matching `filter`, newest first, with their items.
    pub async fn offers(&self, filter: &OfferFilter) -> Result<Vec<Offer>> {
        let mut sql = format!("SELECT {OFFER_COLS} FROM offers WHERE 1 = 1");
        if filter.business_id.is_some() {
            sql.push_str(" AND business_id = $2");
        }
        if !filter.statuses.is_empty() {
            sql.push_str(&format!(" AND status IN ({})", sql_list(filter.statuses.iter().map(|s| s.as_str()))));
        }
        sql.push_str(" ORDER BY id DESC LIMIT $1");
        let rows: Vec<OfferRow> = with_pool!(self, read, p => {
            let mut q = sqlx::query_as(&sql).bind(filter.limit.clamp(1, 500));
            if let Some(b) = filter.business_id {
                q = q.bind(b);
            }
            q.fetch_all(p).await?
        });
        self.attach_items(rows).await
    }

    /// Offers by id, in the order given; missing ids are skipped. Two
    /// queries however many ids.
    pub async fn offers_by_ids(&self, ids: &[i64]) -> Result<Vec<Offer>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (params, padded) = id_params(1, ids);
        let sql = format!("SELECT {OFFER_COLS} FROM offers WHERE id IN ({params})");
        let rows: Vec<OfferRow> = with_pool!(self, read, p => {
            bind_all!(sqlx::query_as(&sql), &padded).fetch_all(p).await?
        });
        let mut offers = self.attach_items(rows).await?;
        offers.sort_by_key(|o| ids.iter().position(|id| *id == o.id));
        Ok(offers)
    }

    /// A page of a deal list in one statement: each offer with its items,
    /// its shop's name and the time zone of its pickup place, in the order
    /// of `ids` (missing ones left out).
    pub async fn listing_page(&self, ids: &[i64]) -> Result<Vec<(Offer, String, chrono_tz::Tz)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (params, padded) = id_params(1, ids);
        let offer_cols = OFFER_COLS.split(',').map(|c| format!("o.{}", c.trim())).collect::<Vec<_>>().join(", ");
        // PostgreSQL, planning for a few thousand items, would hash-join
        // all of them; with the ids on the items too it reads just these
        // offers' items from `offer_items_offer`. SQLite looks them up by
        // offer already.
        let items_too = match self.db {
            Db::Postgres(_) => format!(" AND i.offer_id IN ({params})"),
            Db::Sqlite { .. } => String::new(),
        };
        let sql = format!(
            "SELECT {offer_cols}, i.id AS item_id, i.position AS item_position, i.name AS item_name, \
             i.unit AS item_unit, i.original_price AS item_original_price, i.deal_price AS item_deal_price, \
             i.quantity AS item_quantity, i.reserved AS item_reserved, i.sold AS item_sold, \
             b.name AS shop, v.timezone AS shop_tz \
             FROM offers o JOIN businesses b ON b.id = o.business_id JOIN venues v ON v.id = o.venue_id \
             LEFT JOIN offer_items i ON i.offer_id = o.id{items_too} WHERE o.id IN ({params}) ORDER BY o.id, i.position"
        );
        // Every `/deals` and every Next reads a page: on SQLite without a
        // hand-off per row (`lite`).
        let rows: Vec<ListingRow> = match &self.db {
            Db::Sqlite { lite, .. } => {
                lite.read(|c| lite::rows(c, &sql, &lite::args(&padded), ListingRow::from_lite))?
            }
            Db::Postgres(p) => bind_all!(sqlx::query_as(&sql), &padded).fetch_all(p).await?,
        };
        let mut page: Vec<(Offer, String, chrono_tz::Tz)> = Vec::with_capacity(ids.len());
        let mut rows = rows.into_iter().peekable();
        while let Some(first) = rows.next() {
            let id = first.offer.id;
            let mut items: Vec<ItemRow> = first.item().into_iter().collect();
            let ListingRow { offer, shop, shop_tz, .. } = first;
            while let Some(more) = rows.next_if(|r| r.offer.id == id) {
                items.extend(more.item());
            }
            page.push((offer_from_row(offer, items)?, shop, super::businesses::parse_tz(&shop_tz)?));
        }
        page.sort_by_key(|(o, _, _)| ids.iter().position(|id| *id == o.id));
        Ok(page)
    }

    /// A page of deals with their shops and pickup places, for rendering:
    /// the offers in the order of `ids` (unknown ids left out), their
    /// businesses and their venues. Four statements run at once on four
    /// connections, so the page waits for the slowest, not for the sum: on
    /// SQLite every row is a hand-off between threads (BENCHMARKS.md).
    pub async fn offers_page(&self, ids: &[i64]) -> Result<(Vec<Offer>, Vec<Business>, Vec<Venue>)> {
        if ids.is_empty() {
            return Ok((Vec::new(), Vec::new(), Vec::new()));
        }
        let (params, padded) = id_params(1, ids);
        let osql = format!("SELECT {OFFER_COLS} FROM offers WHERE id IN ({params})");
        let isql =
            format!("SELECT {ITEM_COLS} FROM offer_items WHERE offer_id IN ({params}) ORDER BY offer_id, position");
        let bsql = format!(
            "SELECT {BUSINESS_COLS} FROM businesses WHERE id IN (SELECT business_id FROM offers WHERE id IN ({params}))"
        );
        let vsql =
            format!("SELECT {VENUE_COLS} FROM venues WHERE id IN (SELECT venue_id FROM offers WHERE id IN ({params}))");
        let (rows, mut items, businesses, venues): (Vec<OfferRow>, Vec<ItemRow>, Vec<BusinessRow>, Vec<VenueRow>) = with_pool!(self, read, p => {
            tokio::try_join!(
                bind_all!(sqlx::query_as(&osql), &padded).fetch_all(p),
                bind_all!(sqlx::query_as(&isql), &padded).fetch_all(p),
                bind_all!(sqlx::query_as(&bsql), &padded).fetch_all(p),
                bind_all!(sqlx::query_as(&vsql), &padded).fetch_all(p),
            )?
        });
        let mut offers = rows
            .into_iter()
            .map(|r| {
                let mine: Vec<ItemRow> = items.extract_if(.., |i| i.offer_id == r.id).collect();
                offer_from_row(r, mine)
            })
            .collect::<Result<Vec<Offer>>>()?;
        offers.sort_by_key(|o| ids.iter().position(|id| *id == o.id));
        Ok((
            offers,
            businesses.into_iter().map(TryInto::try_into).collect::<Result<_>>()?,
            venues.into_iter().map(TryInto::try_into).collect::<Result<_>>()?,
        ))
    }

    async fn attach_items(&self, rows: Vec<OfferRow>) -> Result<Vec<Offer>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let (params, padded) = id_params(1, &ids);
        let isql =
            format!("SELECT {ITEM_COLS} FROM offer_items WHERE offer_id IN ({params}) ORDER BY offer_id, position");
        let mut items: Vec<ItemRow> = with_pool!(self, read, p => {
            bind_all!(sqlx::query_as(&isql), &padded).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|r| {
                let mine: Vec<ItemRow> = items.extract_if(.., |i| i.offer_id == r.id).collect();
                offer_from_row(r, mine)
            })
            .collect()
    }

    /// Sets the Telegram file_id of our stripped photo upload, so it is
    /// uploaded once and reused.
    pub async fn set_offer_photo_file_id(&self, offer_id: i64, file_id: &str) -> Result<()> {
        with_pool!(self, write, p => sqlx::query("UPDATE offers SET photo_file_id = $1 WHERE id = $2")
            .bind(file_id).bind(offer_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Applies `event` with one conditional update, audited. Publishing also
    /// requires a verified business and a window that has not ended; those
    /// refusals come back as [`StoreError::Transition`] too.
    pub async fn apply_offer_event(
        &self,
        id: i64,
        event: OfferEvent,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Offer> {
        let from = sql_list(event.from_states().map(OfferStatus::as_str));
        let mut extra = String::new();
        match event {
            OfferEvent::Publish => extra.push_str(
                " AND pickup_end > $3 AND EXISTS (SELECT 1 FROM businesses b \
                 WHERE b.id = offers.business_id AND b.status = 'verified') \
                 AND EXISTS (SELECT 1 FROM offer_items i WHERE i.offer_id = offers.id)",
            ),
            OfferEvent::Resume | OfferEvent::Restock => extra.push_str(" AND pickup_end > $3"),
            OfferEvent::Expire => extra.push_str(" AND pickup_end <= $3"),
            OfferEvent::SellOut => extra.push_str(
                " AND NOT EXISTS (SELECT 1 FROM offer_items i WHERE i.offer_id = offers.id \
                 AND i.quantity - i.reserved - i.sold > 0)",
            ),
            OfferEvent::Pause | OfferEvent::MarkSoldOut | OfferEvent::Withdraw => {}
        }
        if event == OfferEvent::Restock {
            extra.push_str(" AND NOT sold_out_by_hand");
        }
        let by_hand = match event {
            OfferEvent::MarkSoldOut => "TRUE",
            _ => "sold_out_by_hand",
        };
        let published = if event == OfferEvent::Publish { "$3" } else { "published_at" };
        let sql = format!(
            "UPDATE offers SET status = $1, sold_out_by_hand = {by_hand}, published_at = {published}, updated_at = $3 \
             WHERE id = $2 AND status IN ({from}){extra} RETURNING id"
        );
        let to = event.target();
        let before: Option<String> = with_tx!(self, tx => {
            let before: Option<String> = sqlx::query_scalar("SELECT status FROM offers WHERE id = $1")
                .bind(id).fetch_optional(&mut *tx).await?;
            let Some(before) = before else { return Err(StoreError::NotFound) };
            let done: Option<i64> = sqlx::query_scalar(&sql)
                .bind(to.as_str()).bind(id).bind(ts(now)).fetch_optional(&mut *tx).await?;
            match done {
                Some(_) => {
                    audit!(tx, now, actor, event.as_str(), "offer", id, Some(before), Some(to.as_str()));
                    // Back on sale: people waiting get what is free first.
                    if matches!(event, OfferEvent::Resume | OfferEvent::Restock) {
                        super::waitlist::hand_out!(self, tx, id, now);
                    }
                    None
                }
                None => Some(before),
            }
        });
        match before {
            None => self.offer(id).await,
            Some(before) => {
                let current = OfferStatus::parse(&before)?;
                let offer = self.offer(id).await?;
                Err(match current.apply(event, offer.sold_out_by_hand) {
                    Err(e) => StoreError::Transition(e),
                    // The state allowed it; a side condition did not.
                    Ok(_) => StoreError::Transition(crate::domain::TransitionError {
                        entity: "the offer",
                        event: event.as_str(),
                        from: match event {
                            OfferEvent::Publish if offer.pickup_end <= now => "past its pickup window",
                            OfferEvent::Publish if offer.items.is_empty() => "without items",
                            OfferEvent::Publish => "of a business that is not verified",
                            OfferEvent::Resume | OfferEvent::Restock => "past its pickup window",
                            OfferEvent::SellOut => "still in stock",
                            _ => "in a state that changed meanwhile",
                        },
                    }),
                })
            }
        }
    }

    /// Expires every offer whose pickup window has ended; returns their ids.
    pub async fn expire_offers(&self, now: DateTime<Utc>) -> Result<Vec<i64>> {
        let from = sql_list(OfferEvent::Expire.from_states().map(OfferStatus::as_str));
        let sql = format!(
            "UPDATE offers SET status = 'expired', updated_at = $1 \
             WHERE status IN ({from}) AND pickup_end <= $1 RETURNING id"
        );
        let ids: Vec<i64> = with_tx!(self, tx => {
            let ids: Vec<i64> = sqlx::query_scalar(&sql).bind(ts(now)).fetch_all(&mut *tx).await?;
            for id in &ids {
                audit!(tx, now, Actor::System, "expire", "offer", *id, None::<String>, Some("expired"));
            }
            // The window is over: nobody waits any more (a hold lapses as
            // its reservation does).
            sqlx::query("UPDATE waitlist SET status = 'closed', updated_at = $1 WHERE status = 'waiting' \
                 AND offer_id IN (SELECT id FROM offers WHERE status = 'expired')")
                .bind(ts(now)).execute(&mut *tx).await?;
            ids
        });
        Ok(ids)
    }

    /// Sets an item's quantity. The check against what is already sold or
    /// reserved and the write are one statement, so a purchase at the same
    /// moment can't slip under it. An offer that sold out by itself comes
    /// back when units are added.
    pub async fn set_item_quantity(
        &self,
        item_id: i64,
        quantity: u32,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Offer, QuantityError> {
        let q = i32::try_from(quantity.min(Quantity::MAX)).unwrap_or(i32::MAX);
        let offer_id: std::result::Result<i64, u32> = with_tx!(self, tx => {
            // The offer row first, as every stock-changing transaction does.
            sqlx::query("UPDATE offers SET updated_at = updated_at WHERE id = (SELECT offer_id FROM offer_items WHERE id = $1)")
                .bind(item_id).execute(&mut *tx).await?;
            let row: Option<(i64, i32)> = sqlx::query_as(
                "UPDATE offer_items SET quantity = $1 WHERE id = $2 AND reserved + sold <= $1 RETURNING offer_id, quantity",
            )
            .bind(q).bind(item_id).fetch_optional(&mut *tx).await?;
            match row {
                Some((offer_id, _)) => {
                    // Units added go to people waiting first.
                    super::waitlist::hand_out!(self, tx, offer_id, now);
                    restock!(tx, offer_id, now);
                    sell_out!(tx, offer_id, now);
                    audit!(tx, now, actor, "edit_quantity", "offer", offer_id, None::<String>, Some(format!("item {item_id}: {q}")));
                    Ok(offer_id)
                }
                None => {
                    let committed: Option<i32> = sqlx::query_scalar("SELECT reserved + sold FROM offer_items WHERE id = $1")
                        .bind(item_id).fetch_optional(&mut *tx).await?;
                    match committed {
                        Some(c) => Err(c.max(0) as u32),
                        None => return Err(QuantityError::Store(StoreError::NotFound)),
                    }
                }
            }
        });
        match offer_id {
            Ok(id) => Ok(self.offer(id).await?),
            Err(committed) => Err(QuantityError::BelowCommitted { committed }),
        }
    }

    /// Sets an item's prices for new purchases; existing orders keep the
    /// price they were bought at (purchase lines carry their own).
    pub async fn set_item_prices(
        &self,
        item_id: i64,
        original: Money,
        deal: Money,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Offer> {
        crate::domain::offer::check_prices(original, deal).map_err(|e| StoreError::Unexpected(e.into()))?;
        let offer_id: i64 = with_tx!(self, tx => {
            let offer_id: i64 = sqlx::query_scalar(
                "UPDATE offer_items SET original_price = $1, deal_price = $2 WHERE id = $3 \
                 AND offer_id IN (SELECT id FROM offers WHERE currency = $4) RETURNING offer_id",
            )
            .bind(original.minor()).bind(deal.minor()).bind(item_id).bind(original.currency().code())
            .fetch_one(&mut *tx).await?;
            audit!(tx, now, actor, "edit_price", "offer", offer_id, None::<String>, Some(format!("item {item_id}: {deal}")));
            offer_id
        });
        self.offer(offer_id).await
    }
}
