//! Businesses and venues.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{
    Actor, Result, Store, StoreError, audit, bind_all, dt, id_params, notice_chat, sql_list, ts, with_pool, with_tx,
};
use crate::domain::business::BusinessEvent;
use crate::domain::text::{Address, Name};
use crate::domain::{BusinessStatus, Coordinates, Currency, NoticeKind, Phone};

#[derive(Debug, Clone)]
pub struct Business {
    pub id: i64,
    pub owner_tg_id: i64,
    pub name: String,
    pub phone: String,
    pub currency: Currency,
    pub timezone: Tz,
    pub status: BusinessStatus,
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Venue {
    pub id: i64,
    pub business_id: i64,
    pub name: String,
    pub address: String,
    pub location: Coordinates,
    pub timezone: Tz,
    /// The business gives what is unsold here to charities near by.
    pub donate: bool,
    /// The weight of one unit sold here, in grams, if the business gave it.
    pub unit_grams: Option<u32>,
}

/// A registration as the owner completed it.
#[derive(Debug, Clone)]
pub struct NewBusiness {
    pub owner_tg_id: i64,
    pub name: Name,
    pub phone: Phone,
    pub currency: Currency,
    pub timezone: Tz,
    pub venue: NewVenue,
}

#[derive(Debug, Clone)]
pub struct NewVenue {
    pub name: Name,
    pub address: Address,
    pub location: Coordinates,
    pub timezone: Tz,
}

#[derive(sqlx::FromRow)]
pub(super) struct BusinessRow {
    id: i64,
    owner_tg_id: i64,
    name: String,
    phone: String,
    currency: String,
    timezone: String,
    status: String,
    status_reason: Option<String>,
    created_at: i64,
}

impl TryFrom<BusinessRow> for Business {
    type Error = StoreError;
    fn try_from(r: BusinessRow) -> Result<Self> {
        Ok(Business {
            id: r.id,
            owner_tg_id: r.owner_tg_id,
            name: r.name,
            phone: r.phone,
            currency: Currency::from_code(&r.currency).map_err(anyhow::Error::from)?,
            timezone: parse_tz(&r.timezone)?,
            status: BusinessStatus::parse(&r.status)?,
            status_reason: r.status_reason,
            created_at: dt(r.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct VenueRow {
    id: i64,
    business_id: i64,
    name: String,
    address: String,
    lat: f64,
    lng: f64,
    timezone: String,
    donate: bool,
    unit_grams: Option<i32>,
}

impl TryFrom<VenueRow> for Venue {
    type Error = StoreError;
    fn try_from(r: VenueRow) -> Result<Self> {
        Ok(Venue {
            id: r.id,
            business_id: r.business_id,
            name: r.name,
            address: r.address,
            location: Coordinates::new(r.lat, r.lng).map_err(anyhow::Error::from)?,
            timezone: parse_tz(&r.timezone)?,
            donate: r.donate,
            unit_grams: r.unit_grams.and_then(|g| u32::try_from(g).ok()),
        })
    }
}

pub(super) fn parse_tz(s: &str) -> Result<Tz> {
    s.parse::<Tz>().map_err(|_| StoreError::Unexpected(anyhow::anyhow!("unknown time zone {s:?} in the database")))
}

pub(super) const BUSINESS_COLS: &str =
    "id, owner_tg_id, name, phone, currency, timezone, status, status_reason, created_at";
pub(super) const VENUE_COLS: &str = "id, business_id, name, address, lat, lng, timezone, donate, unit_grams";

/// Inserts a business row (`$new: &NewBusiness`) in status `$status`
/// through `$exec`; evaluates to its id.
macro_rules! insert_business {
    ($exec:expr, $new:expr, $status:expr, $now:expr) => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO businesses (owner_tg_id, name, phone, currency, timezone, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind($new.owner_tg_id)
        .bind($new.name.as_str())
        .bind($new.phone.as_str())
        .bind($new.currency.code())
        .bind($new.timezone.name())
        .bind($status)
        .bind(ts($now))
        .fetch_one($exec)
        .await?
    };
}
pub(super) use insert_business;

/// Inserts a venue (`$v: &NewVenue`) of business `$business_id` through
/// `$exec`; evaluates to its id.
macro_rules! insert_venue {
    ($exec:expr, $business_id:expr, $v:expr, $now:expr) => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO venues (business_id, name, address, lat, lng, timezone, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind($business_id)
        .bind($v.name.as_str())
        .bind($v.address.as_str())
        .bind($v.location.lat())
        .bind($v.location.lng())
        .bind($v.timezone.name())
        .bind(ts($now))
        .fetch_one($exec)
        .await?
    };
}
pub(super) use insert_venue;

impl Store {
    /// Registers a business (pending verification) with its first venue.
    pub async fn create_business(&self, new: &NewBusiness, now: DateTime<Utc>) -> Result<(Business, Venue)> {
        self.register_business(new, &[], "", None, now).await
    }

    /// Saves a registration (pending) and, in the same transaction, a
    /// review notice to each admin (`owner`: how the owner appears to them).
    /// With a `request_key` that registered a business before, that one (and
    /// its first venue) instead of a second.
    pub async fn register_business(
        &self,
        new: &NewBusiness,
        admins: &[i64],
        owner: &str,
        request_key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Business, Venue)> {
        let (bid, vid): (i64, i64) = with_tx!(self, tx => {
            if let Some(key) = request_key {
                let made: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT b.id, (SELECT MIN(v.id) FROM venues v WHERE v.business_id = b.id) FROM businesses b \
                     WHERE b.request_key = $1",
                ).bind(key).fetch_optional(&mut *tx).await?;
                if let Some((bid, vid)) = made {
                    return Ok((self.business(bid).await?, self.venue(vid).await?));
                }
            }
            let bid = insert_business!(&mut *tx, new, BusinessStatus::Pending.as_str(), now);
            sqlx::query("UPDATE businesses SET request_key = $1 WHERE id = $2")
                .bind(request_key).bind(bid).execute(&mut *tx).await?;
            let vid = insert_venue!(&mut *tx, bid, &new.venue, now);
            let actor = Actor::User(new.owner_tg_id);
            audit!(tx, now, actor, "register", "business", bid, None::<String>, Some(BusinessStatus::Pending.as_str()));
            for admin in admins {
                notice_chat!(tx, now, *admin, NoticeKind::BusinessReview, purchase = None::<i64>, business = Some(bid),
                    detail = Some(owner));
            }
            (bid, vid)
        });
        Ok((self.business(bid).await?, self.venue(vid).await?))
    }

    pub async fn business(&self, id: i64) -> Result<Business> {
        let sql = format!("SELECT {BUSINESS_COLS} FROM businesses WHERE id = $1");
        let row: BusinessRow = with_pool!(self, read, p => sqlx::query_as(&sql).bind(id).fetch_one(p).await?);
        row.try_into()
    }

    pub async fn businesses_of_owner(&self, owner_tg_id: i64) -> Result<Vec<Business>> {
        let sql = format!("SELECT {BUSINESS_COLS} FROM businesses WHERE owner_tg_id = $1 ORDER BY id");
        let rows: Vec<BusinessRow> =
            with_pool!(self, read, p => sqlx::query_as(&sql).bind(owner_tg_id).fetch_all(p).await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn businesses_with_status(&self, status: BusinessStatus, limit: i64) -> Result<Vec<Business>> {
        let sql = format!("SELECT {BUSINESS_COLS} FROM businesses WHERE status = $1 ORDER BY id LIMIT $2");
        let rows: Vec<BusinessRow> =
            with_pool!(self, read, p => sqlx::query_as(&sql).bind(status.as_str()).bind(limit).fetch_all(p).await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Verify, reject, suspend or unsuspend: one conditional update, audited.
    /// Fails with [`StoreError::Transition`] when the business is not in a
    /// state that allows it (for example, already verified by another admin).
    pub async fn apply_business_event(
        &self,
        id: i64,
        event: BusinessEvent,
        reason: Option<&str>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Business> {
        self.change_business(id, event, reason, actor, false, now).await
    }

    /// An admin's decision: as [`Store::apply_business_event`], and the
    /// owner's notice written in the same transaction.
    pub async fn review_business(
        &self,
        id: i64,
        event: BusinessEvent,
        reason: Option<&str>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Business> {
        self.change_business(id, event, reason, actor, true, now).await
    }

    async fn change_business(
        &self,
        id: i64,
        event: BusinessEvent,
        reason: Option<&str>,
        actor: &Actor,
        tell_owner: bool,
        now: DateTime<Utc>,
    ) -> Result<Business> {
        let to = event.table()[0].1;
        let from = sql_list(event.table().iter().map(|(f, _)| f.as_str()));
        let sql = format!(
            "UPDATE businesses SET status = $1, status_reason = $2, updated_at = $3 \
             WHERE id = $4 AND status IN ({from}) RETURNING status"
        );
        let changed = with_tx!(self, tx => {
            let before: Option<String> = sqlx::query_scalar("SELECT status FROM businesses WHERE id = $1")
                .bind(id).fetch_optional(&mut *tx).await?;
            let Some(before) = before else { return Err(StoreError::NotFound) };
            let done: Option<String> = sqlx::query_scalar(&sql)
                .bind(to.as_str()).bind(reason).bind(ts(now)).bind(id)
                .fetch_optional(&mut *tx).await?;
            if done.is_some() {
                audit!(tx, now, actor, event.as_str(), "business", id, Some(before.clone()), Some(to.as_str()));
                if tell_owner {
                    sqlx::query(
                        "INSERT INTO notices (chat_id, kind, business_id, detail, not_before, created_at) \
                         SELECT owner_tg_id, $1, id, $2, $3, $3 FROM businesses WHERE id = $4",
                    ).bind(NoticeKind::BusinessDecision.as_str()).bind(event.as_str()).bind(ts(now)).bind(id)
                    .execute(&mut *tx).await?;
                }
            }
            done.is_some().then_some(()).ok_or(before)
        });
        match changed {
            Ok(()) => self.business(id).await,
            Err(before) => Err(BusinessStatus::parse(&before)?.apply(event).err().map_or(
                StoreError::Unexpected(anyhow::anyhow!("business {id} changed while being updated")),
                StoreError::Transition,
            )),
        }
    }

    pub async fn add_venue(&self, business_id: i64, v: &NewVenue, now: DateTime<Utc>) -> Result<Venue> {
        let id = with_pool!(self, write, p => insert_venue!(p, business_id, v, now));
        self.venue(id).await
    }

    pub async fn venue(&self, id: i64) -> Result<Venue> {
        let sql = format!("SELECT {VENUE_COLS} FROM venues WHERE id = $1");
        let row: VenueRow = with_pool!(self, read, p => sqlx::query_as(&sql).bind(id).fetch_one(p).await?);
        row.try_into()
    }

    /// Businesses and venues by id, in one query each (unknown ids are
    /// left out): what a page of deals shows about where they are from.
    pub async fn businesses_and_venues(
        &self,
        business_ids: &[i64],
        venue_ids: &[i64],
    ) -> Result<(Vec<Business>, Vec<Venue>)> {
        if business_ids.is_empty() || venue_ids.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let (bp, bids) = id_params(1, business_ids);
        let (vp, vids) = id_params(1, venue_ids);
        let bsql = format!("SELECT {BUSINESS_COLS} FROM businesses WHERE id IN ({bp})");
        let vsql = format!("SELECT {VENUE_COLS} FROM venues WHERE id IN ({vp})");
        let (b, v): (Vec<BusinessRow>, Vec<VenueRow>) = with_pool!(self, read, p => {
            let b = bind_all!(sqlx::query_as(&bsql), &bids).fetch_all(p).await?;
            (b, bind_all!(sqlx::query_as(&vsql), &vids).fetch_all(p).await?)
        });
        Ok((
            b.into_iter().map(TryInto::try_into).collect::<Result<_>>()?,
            v.into_iter().map(TryInto::try_into).collect::<Result<_>>()?,
        ))
    }

    pub async fn venues_of(&self, business_id: i64) -> Result<Vec<Venue>> {
        let sql = format!("SELECT {VENUE_COLS} FROM venues WHERE business_id = $1 ORDER BY id");
        let rows: Vec<VenueRow> =
            with_pool!(self, read, p => sqlx::query_as(&sql).bind(business_id).fetch_all(p).await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
