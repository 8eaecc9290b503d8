//! What customers asked to hear about: the businesses they follow, their
//! nearby alert (a point, a radius, keywords) and their quiet hours and
//! time zone.

use chrono::{DateTime, Utc};

use super::{Result, Store, ts, with_pool};
use crate::domain::Coordinates;

/// A business a customer follows, with how many deals it has on now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowedBusiness {
    pub business_id: i64,
    pub name: String,
    pub active_offers: i64,
}

/// A customer's nearby alert as stored. Keywords are lowercase and
/// comma-separated; empty matches every deal.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAlert {
    pub customer_tg_id: i64,
    pub location: Coordinates,
    pub radius_m: u32,
    pub keywords: String,
}

/// When a customer wants to be left alone, as stored: a time zone name
/// (`None`: the default) and quiet hours in minutes after local midnight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredQuiet {
    pub timezone: Option<String>,
    pub quiet: Option<(u16, u16)>,
}

/// A rectangle of latitudes and longitudes, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoBox {
    pub lat_min: f64,
    pub lat_max: f64,
    pub lng_min: f64,
    pub lng_max: f64,
}

fn minutes(v: Option<i32>) -> Option<u16> {
    v.and_then(|m| u16::try_from(m).ok())
}

impl Store {
    /// Follows a business; false if already followed.
    pub async fn follow(&self, customer: i64, business_id: i64, now: DateTime<Utc>) -> Result<bool> {
        let n = with_pool!(self, write, p => sqlx::query(
            "INSERT INTO follows (customer_tg_id, business_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        ).bind(customer).bind(business_id).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(n == 1)
    }

    /// Stops following; false if not followed.
    pub async fn unfollow(&self, customer: i64, business_id: i64) -> Result<bool> {
        let n = with_pool!(self, write, p => sqlx::query(
            "DELETE FROM follows WHERE customer_tg_id = $1 AND business_id = $2",
        ).bind(customer).bind(business_id).execute(p).await?.rows_affected());
        Ok(n == 1)
    }

    pub async fn is_following(&self, customer: i64, business_id: i64) -> Result<bool> {
        let n: i64 = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM follows WHERE customer_tg_id = $1 AND business_id = $2",
        ).bind(customer).bind(business_id).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// The businesses `customer` follows, by name.
    pub async fn followed_businesses(&self, customer: i64, now: DateTime<Utc>) -> Result<Vec<FollowedBusiness>> {
        let rows: Vec<(i64, String, i64)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT b.id, b.name, (SELECT COUNT(*) FROM offers o WHERE o.business_id = b.id \
             AND o.status = 'active' AND o.pickup_end > $2) \
             FROM follows f JOIN businesses b ON b.id = f.business_id WHERE f.customer_tg_id = $1 \
             ORDER BY b.name, b.id",
        ).bind(customer).bind(ts(now)).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(business_id, name, active_offers)| FollowedBusiness { business_id, name, active_offers })
            .collect())
    }

    pub async fn alert(&self, customer: i64) -> Result<Option<StoredAlert>> {
        let row: Option<(f64, f64, i32, String)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT lat, lng, radius_m, keywords FROM alerts WHERE customer_tg_id = $1",
        ).bind(customer).fetch_optional(p).await?);
        Ok(row.and_then(|(lat, lng, radius_m, keywords)| {
            Some(StoredAlert {
                customer_tg_id: customer,
                location: Coordinates::new(lat, lng).ok()?,
                radius_m: radius_m.max(1) as u32,
                keywords,
            })
        }))
    }

    /// Creates or replaces a customer's nearby alert.
    pub async fn set_alert(&self, alert: &StoredAlert, now: DateTime<Utc>) -> Result<()> {
        let radius = i32::try_from(alert.radius_m).unwrap_or(i32::MAX);
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO alerts (customer_tg_id, lat, lng, radius_m, keywords, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (customer_tg_id) DO UPDATE SET lat = excluded.lat, \
             lng = excluded.lng, radius_m = excluded.radius_m, keywords = excluded.keywords, updated_at = excluded.updated_at",
        )
        .bind(alert.customer_tg_id).bind(alert.location.lat()).bind(alert.location.lng()).bind(radius)
        .bind(&alert.keywords).bind(ts(now))
        .execute(p).await?.rows_affected());
        Ok(())
    }

    /// Turns a customer's nearby alert off; false if there was none.
    pub async fn delete_alert(&self, customer: i64) -> Result<bool> {
        let n = with_pool!(self, write, p => sqlx::query("DELETE FROM alerts WHERE customer_tg_id = $1")
            .bind(customer).execute(p).await?.rows_affected());
        Ok(n == 1)
    }

    /// Nearby alerts whose point lies in `area`, of customers other than
    /// `except` who can still be reached. The caller checks each one's exact
    /// distance and keywords.
    pub async fn alerts_in(&self, area: GeoBox, except: i64) -> Result<Vec<StoredAlert>> {
        let rows: Vec<(i64, f64, f64, i32, String)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT a.customer_tg_id, a.lat, a.lng, a.radius_m, a.keywords FROM alerts a \
             WHERE a.lat BETWEEN $1 AND $2 AND a.lng BETWEEN $3 AND $4 AND a.customer_tg_id <> $5 \
             AND NOT EXISTS (SELECT 1 FROM users u WHERE u.tg_id = a.customer_tg_id AND u.unreachable)",
        )
        .bind(area.lat_min).bind(area.lat_max).bind(area.lng_min).bind(area.lng_max).bind(except)
        .fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .filter_map(|(customer_tg_id, lat, lng, radius_m, keywords)| {
                Some(StoredAlert {
                    customer_tg_id,
                    location: Coordinates::new(lat, lng).ok()?,
                    radius_m: radius_m.max(1) as u32,
                    keywords,
                })
            })
            .collect())
    }

    /// A customer's time zone and quiet hours.
    pub async fn quiet(&self, customer: i64) -> Result<StoredQuiet> {
        let row: Option<(Option<String>, Option<i32>, Option<i32>)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT timezone, quiet_from, quiet_to FROM users WHERE tg_id = $1",
        ).bind(customer).fetch_optional(p).await?);
        Ok(row.map_or_else(StoredQuiet::default, |(timezone, from, to)| StoredQuiet {
            timezone,
            quiet: minutes(from).zip(minutes(to)),
        }))
    }

    /// Sets a customer's time zone and quiet hours (creating the user row
    /// if we never heard from them, as for a customer set up by an admin).
    pub async fn set_quiet(&self, customer: i64, q: &StoredQuiet, now: DateTime<Utc>) -> Result<()> {
        let (from, to) = q.quiet.map_or((None, None), |(f, t)| (Some(i32::from(f)), Some(i32::from(t))));
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO users (tg_id, created_at, timezone, quiet_from, quiet_to) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tg_id) DO UPDATE SET timezone = excluded.timezone, quiet_from = excluded.quiet_from, \
             quiet_to = excluded.quiet_to",
        ).bind(customer).bind(ts(now)).bind(q.timezone.as_deref()).bind(from).bind(to).execute(p).await?.rows_affected());
        Ok(())
    }
}
