//! Finding active deals: nearest first (a bounding box searched band by
//! band on the partial `offers_active_band` index, widened until enough
//! are found, then exact distances), or ranked by freshness and
//! popularity; and frozen result lists for paging.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::businesses::parse_tz;
use super::lite::{self, Param};
use super::{Db, Result, Store, bind_all, id_params, ts, with_pool};
use crate::domain::Coordinates;

/// Metres per degree of latitude.
const M_PER_DEG: f64 = 111_320.0;

/// The latitude band of `lat`, as migration 0006 computes `offers.lat_band`:
/// the same floating-point steps, so the same band.
fn lat_band(lat: f64) -> i64 {
    ((lat + 90.0) * 100.0).floor() as i64
}

/// How many of the freshest active deals the popularity ranking considers.
pub const RANKING_POOL: i64 = 500;

/// A deal's place in the nearest-first order of [`Store::nearest_page`]:
/// its squared flat-earth distance from the search's centre, in squared
/// degrees of latitude, exactly as the database computes it, then its id.
pub type NearKey = (f64, i64);

/// A deal on a keyset page of nearest deals.
#[derive(Debug, Clone, PartialEq)]
pub struct NearRow {
    pub id: i64,
    /// The exact distance.
    pub metres: f64,
    pub key: NearKey,
}

/// An active offer's id with what ranking needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub offer_id: i64,
    pub published_at: i64,
    /// Units reserved or sold so far.
    pub demand: i64,
    pub views: i64,
    pub distance_m: Option<f64>,
}

/// The ranking of deals without a location: demand and views, decayed by
/// age, so a fresh deal with a few buyers beats a day-old one with many:
/// `score = (1 + 3·demand + views/10) / (age_hours + 2)^1.5`.
pub fn popularity(c: &Candidate, now: DateTime<Utc>) -> f64 {
    let age_h = ((now.timestamp() - c.published_at).max(0) as f64) / 3600.0;
    (1.0 + 3.0 * c.demand as f64 + c.views as f64 / 10.0) / (age_h + 2.0).powf(1.5)
}

/// The ranking pool without a shop filter as last read, with the epoch it
/// was read at. It is the same for everyone, and `/deals` without a
/// location reads it every time: reading it costs 500 deals and their
/// items, checking the epoch one row (SQLite, migration 0020) or one
/// sequence (PostgreSQL, migration 0023).
#[derive(Default)]
pub(crate) struct PoolCache {
    kept: std::sync::Mutex<Option<CachedPool>>,
    /// Held by the one reader that reads the pool again: the others wait
    /// for it rather than all reading at once.
    reading: tokio::sync::Mutex<()>,
}

struct CachedPool {
    epoch: i64,
    /// The `now` it was read for, in seconds: deals whose pickup ended
    /// since are in it, so it serves only the same second and the next.
    now: i64,
    pool: Vec<Candidate>,
}

impl PoolCache {
    fn get(&self, epoch: i64, now: i64) -> Option<Vec<Candidate>> {
        let kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.as_ref().filter(|c| c.epoch == epoch && (0..=1).contains(&(now - c.now))).map(|c| c.pool.clone())
    }

    /// Keeps `pool`, unless what is kept was read at a later epoch.
    fn put(&self, epoch: i64, now: i64, pool: &[Candidate]) {
        let mut kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.as_ref().is_none_or(|c| (c.epoch, c.now) <= (epoch, now)) {
            *kept = Some(CachedPool { epoch, now, pool: pool.to_vec() });
        }
    }
}

impl Store {
    /// The `limit` active deals nearest to `at` within `radius_m`, nearest
    /// first, with what ranking by popularity or age needs
    /// ([`Store::nearest_active_ids`], then one query for the details).
    pub async fn nearest_active(
        &self,
        at: Coordinates,
        radius_m: f64,
        business_id: Option<i64>,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Candidate>> {
        let near = self.nearest_active_ids(at, radius_m, business_id, limit, now).await?;
        if near.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = near.iter().map(|(id, _)| *id).collect();
        let (params, padded) = id_params(1, &ids);
        let sql = format!("SELECT id, COALESCE(published_at, created_at), views FROM offers WHERE id IN ({params})");
        let rows: Vec<(i64, i64, i64)> = with_pool!(self, read, p => {
            bind_all!(sqlx::query_as(&sql), &padded).fetch_all(p).await?
        });
        let details: HashMap<i64, (i64, i64)> = rows.into_iter().map(|(id, p, v)| (id, (p, v))).collect();
        Ok(near
            .into_iter()
            .filter_map(|(offer_id, d)| {
                let (published_at, views) = details.get(&offer_id).copied()?;
                Some(Candidate { offer_id, published_at, demand: 0, views, distance_m: Some(d) })
            })
            .collect())
    }

    /// `(offer id, metres)` of the `limit` active deals nearest to `at`
    /// within `radius_m`, nearest first. Searches a small box first and
    /// widens it until its circle holds `limit` deals (or reaches the
    /// radius), so the database only ever looks at a neighbourhood. The
    /// database ranks by a flat-earth distance (exact to a metre or so at
    /// city scale) inside the index, reading no rows; exact distances are
    /// computed here.
    pub async fn nearest_active_ids(
        &self,
        at: Coordinates,
        radius_m: f64,
        business_id: Option<i64>,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, f64)>> {
        let cos_lat = at.lat().to_radians().cos().max(0.01);
        let mut r = 1_000f64.min(radius_m);
        loop {
            // A hair wider than the circle: the exact test below decides.
            let reach = r / M_PER_DEG * 1.001;
            let rows = self.near_box(at, cos_lat, r, reach, business_id, limit, now, None).await?;
            let mut found: Vec<(i64, f64)> = rows
                .into_iter()
                .filter_map(|(id, lat, lng, _)| {
                    let d = Coordinates::new(lat, lng).ok()?.distance_m(at);
                    (d <= r).then_some((id, d))
                })
                .collect();
            if found.len() as i64 >= limit || r >= radius_m {
                found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                found.truncate(limit.max(0) as usize);
                return Ok(found);
            }
            r = (r * 3.0).min(radius_m);
        }
    }

    /// A page of the active deals within `radius_m` of `at` in the order
    /// of their [`NearKey`] (nearest first, by the database's flat-earth
    /// distance, then id), after the position `after`: keyset paging. A
    /// deal's key never changes (pickup places don't move), so pages never
    /// repeat a deal and never skip one that stayed active; nothing is
    /// written. Widens its box like [`Store::nearest_active_ids`], with the
    /// circle inside the box, so the first `limit` rows it finds are the
    /// first `limit` of the whole order. Exact distances come with them.
    pub async fn nearest_page(
        &self,
        at: Coordinates,
        radius_m: f64,
        business_id: Option<i64>,
        limit: i64,
        now: DateTime<Utc>,
        after: Option<NearKey>,
    ) -> Result<Vec<NearRow>> {
        let cos_lat = at.lat().to_radians().cos().max(0.01);
        // Nothing before the position can be on this page: start the box
        // a little beyond it.
        let from_m = after.map_or(0.0, |(d2, _)| d2.max(0.0).sqrt() * M_PER_DEG);
        let mut r = (from_m * 1.5).max(1_000.0).min(radius_m);
        loop {
            let rows = self.near_box(at, cos_lat, r, r / M_PER_DEG, business_id, limit, now, after).await?;
            if rows.len() as i64 >= limit || r >= radius_m {
                return Ok(rows
                    .into_iter()
                    .filter_map(|(id, lat, lng, d2)| {
                        let metres = Coordinates::new(lat, lng).ok()?.distance_m(at);
                        Some(NearRow { id, metres, key: (d2, id) })
                    })
                    .collect());
            }
            r = (r * 3.0).min(radius_m);
        }
    }

    /// The active deals in the box of half-width `r` metres around `at`
    /// whose flat-earth distance is within `reach` degrees of latitude,
    /// after `after` if given: `(id, lat, lng, squared distance)`, nearest
    /// first (then by id), at most `limit`. The box is searched band by
    /// band on `offers_active_band`, ranked inside the index.
    #[allow(clippy::too_many_arguments)]
    async fn near_box(
        &self,
        at: Coordinates,
        cos_lat: f64,
        r: f64,
        reach: f64,
        business_id: Option<i64>,
        limit: i64,
        now: DateTime<Utc>,
        after: Option<NearKey>,
    ) -> Result<Vec<(i64, f64, f64, f64)>> {
        // SQLite without statistics (it gathers none by itself) rates
        // `status = 'active' AND pickup_end > $5` on `offers_status_end`
        // as more selective than the box and scans every active deal:
        // seconds at 100,000 deals under load (BENCHMARKS.md). The box is
        // always the better start when no shop narrows the search.
        let hint = match (&self.db, business_id) {
            (Db::Sqlite { .. }, None) => " INDEXED BY offers_active_band",
            _ => "",
        };
        // Squared distance in degrees of latitude.
        let d2 = "(lat - $6) * (lat - $6) + (lng - $7) * (lng - $7) * $8";
        let dlat = r / M_PER_DEG;
        let dlng = r / (M_PER_DEG * cos_lat);
        let bands: Vec<i64> = (lat_band(at.lat() - dlat)..=lat_band(at.lat() + dlat)).collect();
        let mut sql = format!(
            "SELECT id, lat, lng, {d2} FROM offers{hint} WHERE status = 'active' AND lat_band IN (BANDS) \
             AND lng BETWEEN $3 AND $4 AND lat BETWEEN $1 AND $2 AND pickup_end > $5 AND {d2} <= $9"
        );
        let mut next = 11;
        if business_id.is_some() {
            sql.push_str(&format!(" AND business_id = ${next}"));
            next += 1;
        }
        if after.is_some() {
            sql.push_str(&format!(" AND ({d2} > ${next} OR ({d2} = ${next} AND id > ${}))", next + 1));
            next += 2;
        }
        sql.push_str(&format!(" ORDER BY {d2}, id LIMIT $10"));
        // The bands are bound as parameters, padded to a power of two
        // with the last one, so few statement shapes are prepared.
        let slots = bands.len().next_power_of_two();
        let band_params = (next..next + slots).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
        let sql = sql.replace("BANDS", &band_params);
        // The values of $1 … in order, for either path.
        let (lat, lng) = (at.lat(), at.lng());
        let mut params: Vec<Param> = [lat - dlat, lat + dlat, lng - dlng, lng + dlng]
            .into_iter()
            .map(Param::Real)
            .chain([Param::Int(ts(now))])
            .chain([lat, lng, cos_lat * cos_lat, reach * reach].map(Param::Real))
            .chain([Param::Int(limit.max(0))])
            .collect();
        params.extend(business_id.map(Param::Int));
        if let Some((key, id)) = after {
            params.extend([Param::Real(key), Param::Int(id)]);
        }
        params.extend((0..slots).map(|i| Param::Int(bands[i.min(bands.len() - 1)])));
        match &self.db {
            // Every nearby `/deals` runs it, returning up to 100 rows: on
            // SQLite without a hand-off per row (`lite`).
            Db::Sqlite { lite, .. } => lite.read(|c| lite::rows(c, &sql, &lite::args(&params), |r| r.try_into())),
            Db::Postgres(p) => Ok(params.into_iter().fold(sqlx::query_as(&sql), |q, v| v.bind(q)).fetch_all(p).await?),
        }
    }

    /// Active deals for ranking without a location: the freshest
    /// [`RANKING_POOL`], newest first, with demand and views. The pool comes back as one
    /// value (`id:published:views:demand,…`), not as a row per deal: on
    /// SQLite every row is a hand-off between threads (BENCHMARKS.md).
    /// Without a shop, the pool is the same for everyone: it is read once
    /// and shared until `offers_epoch` moves, and for the same second and
    /// the next. The epoch moves with every change the pool depends on:
    /// on SQLite a row that triggers update in the writing transaction
    /// (migration 0020); on PostgreSQL a sequence that statement triggers
    /// advance (migration 0023), which can move just before its change
    /// commits, so a pool read in that instant lasts at most those two
    /// seconds.
    pub async fn fresh_active(&self, business_id: Option<i64>, now: DateTime<Utc>) -> Result<Vec<Candidate>> {
        if business_id.is_some() {
            return self.read_fresh_active(business_id, now).await;
        }
        // The epoch first: a pool read after it is at least as new, so a
        // change committed in between moves the epoch past what is kept.
        let epoch = self.offers_epoch().await?;
        if let Some(pool) = self.pool_cache.get(epoch, ts(now)) {
            return Ok(pool);
        }
        // One reader reads it again; the others wait for it and take what
        // it kept, as read after their epoch (so not older than it).
        let _reading = self.pool_cache.reading.lock().await;
        if let Some(pool) = self.pool_cache.get(epoch, ts(now)) {
            return Ok(pool);
        }
        let pool = self.read_fresh_active(None, now).await?;
        self.pool_cache.put(epoch, ts(now), &pool);
        Ok(pool)
    }

    /// The counter that moves with every change the ranking pool depends
    /// on ([`Store::fresh_active`]).
    async fn offers_epoch(&self) -> Result<i64> {
        Ok(match &self.db {
            Db::Sqlite { lite, .. } => {
                lite.read(|c| c.prepare_cached("SELECT n FROM offers_epoch WHERE id = 1")?.query_row([], |r| r.get(0)))?
            }
            // `last_value` stays put on the first `nextval`: `is_called` moves.
            Db::Postgres(p) => {
                sqlx::query_scalar("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM offers_epoch")
                    .fetch_one(p)
                    .await?
            }
        })
    }

    async fn read_fresh_active(&self, business_id: Option<i64>, now: DateTime<Utc>) -> Result<Vec<Candidate>> {
        // SQLite, without statistics, would rather take `offers_status_end`
        // and sort every active deal; the freshest come first on this one.
        let hint = match (&self.db, business_id) {
            (Db::Sqlite { .. }, None) => " INDEXED BY offers_active_fresh",
            _ => "",
        };
        let mut pool = format!(
            "SELECT o.id, o.published_at, COALESCE(o.published_at, o.created_at) AS published, o.views \
             FROM offers o{hint} WHERE o.status = 'active' AND o.pickup_end > $1",
        );
        if business_id.is_some() {
            pool.push_str(" AND o.business_id = $3");
        }
        pool.push_str(" ORDER BY o.published_at DESC, o.id DESC LIMIT $2");
        let sql = format!(
            "SELECT string_agg(f.id || ':' || f.published || ':' || f.views || ':' || \
             (SELECT COALESCE(SUM(i.reserved + i.sold), 0) FROM offer_items i WHERE i.offer_id = f.id), ',' \
             ORDER BY f.published_at DESC, f.id DESC) \
             FROM ({pool}) f"
        );
        let packed: Option<String> = with_pool!(self, read, p => {
            let mut q = sqlx::query_scalar(&sql).bind(ts(now)).bind(RANKING_POOL);
            if let Some(b) = business_id {
                q = q.bind(b);
            }
            q.fetch_one(p).await?
        });
        let Some(packed) = packed else { return Ok(Vec::new()) };
        packed
            .split(',')
            .map(|entry| {
                let mut n = entry.split(':').map(str::parse::<i64>);
                match (n.next(), n.next(), n.next(), n.next()) {
                    (Some(Ok(offer_id)), Some(Ok(published_at)), Some(Ok(views)), Some(Ok(demand))) => {
                        Ok(Candidate { offer_id, published_at, demand, views, distance_m: None })
                    }
                    _ => Err(super::StoreError::Unexpected(anyhow::anyhow!("unreadable ranking entry {entry:?}"))),
                }
            })
            .collect()
    }

    /// Counts one opening of an offer's card by a customer.
    pub async fn count_view(&self, offer_id: i64) -> Result<()> {
        with_pool!(self, write, p => sqlx::query("UPDATE offers SET views = views + 1 WHERE id = $1")
            .bind(offer_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Freezes a result list (ids and distances) under `id`, for paging.
    pub async fn save_deal_list(
        &self,
        id: &str,
        owner: i64,
        offers: &[(i64, Option<f64>)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let ids = offers.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>().join(",");
        let dist =
            offers.iter().map(|(_, d)| d.map_or(String::new(), |d| format!("{d:.0}"))).collect::<Vec<_>>().join(",");
        const SQL: &str =
            "INSERT INTO deal_lists (id, owner, offer_ids, distances, created_at) VALUES ($1, $2, $3, $4, $5)";
        match &self.db {
            Db::Sqlite { write, lite, .. } => {
                let (id, now) = (id.to_string(), ts(now));
                lite.write(write, move |c| lite::execute(c, SQL, &[&id, &owner, &ids, &dist, &now])).await?;
            }
            Db::Postgres(p) => {
                sqlx::query(SQL).bind(id).bind(owner).bind(ids).bind(dist).bind(ts(now)).execute(p).await?;
            }
        }
        Ok(())
    }

    /// A frozen list: its owner and `(offer id, distance)` pairs.
    pub async fn deal_list(&self, id: &str) -> Result<Option<(i64, Vec<(i64, Option<f64>)>)>> {
        const SQL: &str = "SELECT owner, offer_ids, distances FROM deal_lists WHERE id = $1";
        let row: Option<(i64, String, Option<String>)> = match &self.db {
            Db::Sqlite { lite, .. } => lite.read(|c| lite::row(c, SQL, &[&id], |r| r.try_into()))?,
            Db::Postgres(p) => sqlx::query_as(SQL).bind(id).fetch_optional(p).await?,
        };
        Ok(row.map(|(owner, ids, dist)| {
            let dist: Vec<Option<f64>> = dist.unwrap_or_default().split(',').map(|d| d.parse::<f64>().ok()).collect();
            let list = ids
                .split(',')
                .filter_map(|s| s.parse::<i64>().ok())
                .enumerate()
                .map(|(i, id)| (id, dist.get(i).copied().flatten()))
                .collect();
            (owner, list)
        }))
    }

    /// Forgets frozen lists older than `before`.
    pub async fn prune_deal_lists(&self, before: DateTime<Utc>) -> Result<u64> {
        let n = with_pool!(self, write, p => sqlx::query("DELETE FROM deal_lists WHERE created_at < $1")
            .bind(ts(before)).execute(p).await?.rows_affected());
        Ok(n)
    }

    /// What a line in a list of deals shows besides the offer: each
    /// offer's shop name and the time zone of its pickup place, for a page
    /// of offers in one query.
    pub async fn listing_context(&self, offer_ids: &[i64]) -> Result<HashMap<i64, (String, Tz)>> {
        if offer_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let (params, padded) = id_params(1, offer_ids);
        let sql = format!(
            "SELECT o.id, b.name, v.timezone FROM offers o JOIN businesses b ON b.id = o.business_id \
             JOIN venues v ON v.id = o.venue_id WHERE o.id IN ({params})"
        );
        let rows: Vec<(i64, String, String)> = with_pool!(self, read, p => {
            bind_all!(sqlx::query_as(&sql), &padded).fetch_all(p).await?
        });
        rows.into_iter().map(|(id, name, tz)| Ok((id, (name, parse_tz(&tz)?)))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_deals_with_buyers_rank_first() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let c = |age_h: i64, demand, views| Candidate {
            offer_id: 1,
            published_at: now.timestamp() - age_h * 3600,
            demand,
            views,
            distance_m: None,
        };
        assert!(popularity(&c(0, 0, 0), now) > popularity(&c(24, 0, 0), now), "fresher wins at equal demand");
        assert!(popularity(&c(1, 5, 0), now) > popularity(&c(1, 0, 0), now), "demand counts");
        assert!(popularity(&c(1, 0, 50), now) > popularity(&c(1, 0, 0), now), "views count");
        assert!(popularity(&c(2, 3, 0), now) > popularity(&c(24, 10, 0), now), "a fresh deal beats a stale favourite");
    }
}
