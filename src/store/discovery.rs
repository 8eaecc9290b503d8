//! Finding active deals: nearest first (a bounding box on the partial
//! `offers_active_geo` index, widened until enough are found, then exact
//! distances), or ranked by freshness and popularity; and frozen result
//! lists for paging.

use chrono::{DateTime, Utc};

use super::{Result, Store, ts, with_pool};
use crate::domain::Coordinates;

/// Metres per degree of latitude.
const M_PER_DEG: f64 = 111_320.0;

/// How many of the freshest active deals the popularity ranking considers.
pub const RANKING_POOL: i64 = 500;

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

impl Store {
    /// The `limit` active deals nearest to `at` within `radius_m`, nearest
    /// first. Searches a small box first and widens it until it holds
    /// `limit` deals within the circle it encloses (or reaches the radius),
    /// so the database only ever sorts a neighbourhood.
    pub async fn nearest_active(
        &self,
        at: Coordinates,
        radius_m: f64,
        business_id: Option<i64>,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Candidate>> {
        let cos_lat = at.lat().to_radians().cos().max(0.01);
        let mut r = 1_000f64.min(radius_m);
        loop {
            let dlat = r / M_PER_DEG;
            let dlng = r / (M_PER_DEG * cos_lat);
            let mut sql = String::from(
                "SELECT id, COALESCE(published_at, created_at), views, lat, lng FROM offers \
                 WHERE status = 'active' AND lat BETWEEN $1 AND $2 AND lng BETWEEN $3 AND $4 AND pickup_end > $5",
            );
            if business_id.is_some() {
                sql.push_str(" AND business_id = $6");
            }
            let rows: Vec<(i64, i64, i64, f64, f64)> = with_pool!(self, read, p => {
                let mut q = sqlx::query_as(&sql)
                    .bind(at.lat() - dlat).bind(at.lat() + dlat)
                    .bind(at.lng() - dlng).bind(at.lng() + dlng)
                    .bind(ts(now));
                if let Some(b) = business_id {
                    q = q.bind(b);
                }
                q.fetch_all(p).await?
            });
            let mut found: Vec<Candidate> = rows
                .into_iter()
                .filter_map(|(id, published_at, views, lat, lng)| {
                    let d = Coordinates::new(lat, lng).ok()?.distance_m(at);
                    (d <= r).then_some(Candidate { offer_id: id, published_at, demand: 0, views, distance_m: Some(d) })
                })
                .collect();
            if found.len() as i64 >= limit || r >= radius_m {
                found.sort_by(|a, b| {
                    let (da, db) = (a.distance_m.unwrap_or(f64::MAX), b.distance_m.unwrap_or(f64::MAX));
                    da.total_cmp(&db).then(a.offer_id.cmp(&b.offer_id))
                });
                found.truncate(limit.max(0) as usize);
                return Ok(found);
            }
            r = (r * 3.0).min(radius_m);
        }
    }

    /// Active deals for ranking without a location: the freshest
    /// [`RANKING_POOL`], with demand and views.
    pub async fn fresh_active(&self, business_id: Option<i64>, now: DateTime<Utc>) -> Result<Vec<Candidate>> {
        let mut sql = String::from(
            "SELECT o.id, COALESCE(o.published_at, o.created_at), o.views, \
             (SELECT COALESCE(SUM(i.reserved + i.sold), 0) FROM offer_items i WHERE i.offer_id = o.id) \
             FROM offers o WHERE o.status = 'active' AND o.pickup_end > $1",
        );
        if business_id.is_some() {
            sql.push_str(" AND o.business_id = $3");
        }
        sql.push_str(" ORDER BY o.published_at DESC, o.id DESC LIMIT $2");
        let rows: Vec<(i64, i64, i64, i64)> = with_pool!(self, read, p => {
            let mut q = sqlx::query_as(&sql).bind(ts(now)).bind(RANKING_POOL);
            if let Some(b) = business_id {
                q = q.bind(b);
            }
            q.fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|(offer_id, published_at, views, demand)| Candidate {
                offer_id,
                published_at,
                demand,
                views,
                distance_m: None,
            })
            .collect())
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
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO deal_lists (id, owner, offer_ids, distances, created_at) VALUES ($1, $2, $3, $4, $5)",
        ).bind(id).bind(owner).bind(ids).bind(dist).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(())
    }

    /// A frozen list: its owner and `(offer id, distance)` pairs.
    pub async fn deal_list(&self, id: &str) -> Result<Option<(i64, Vec<(i64, Option<f64>)>)>> {
        let row: Option<(i64, String, Option<String>)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT owner, offer_ids, distances FROM deal_lists WHERE id = $1",
        ).bind(id).fetch_optional(p).await?);
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

    /// Offers by id, in the order given; missing ids are skipped.
    pub async fn offers_by_ids(&self, ids: &[i64]) -> Result<Vec<super::Offer>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            match self.offer(*id).await {
                Ok(o) => out.push(o),
                Err(super::StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
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
