//! Synthetic data in bulk for benchmarks and demos (`glean seed`): verified
//! businesses with their venues, and active deals written many rows per
//! statement. The running app never calls this; it exists because creating
//! 100,000 offers one `create_offer` + `Publish` at a time takes minutes.
//!
//! What a seeded deal looks like is what publishing produces: status
//! `active`, `published_at` set, the venue's coordinates copied, one audit
//! row (`seed`) per business and per offer. Seeded deals notify nobody: the
//! publication trigger fires on a status change, and they are inserted
//! active.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::businesses::{insert_business, insert_venue};
use super::{Actor, Db, NewBusiness, NewOffer, NewVenue, Result, Store, StoreError, audit, ts, with_pool, with_tx};
use crate::domain::{BusinessStatus, OfferStatus};

/// Offers per transaction.
const OFFERS_PER_CHUNK: usize = 1_000;
/// Rows per `INSERT`. SQLite looks a `$N` parameter's name up by a linear
/// scan, so binding costs grow with the square of the parameters in one
/// statement: 100 rows (at most 1,400 parameters) keep that negligible.
const ROWS_PER_STATEMENT: usize = 100;

impl Store {
    /// A verified business with its venues (`new.venue` first, then
    /// `more_venues`), in one transaction. Returns the business id and the
    /// venue ids in that order.
    pub async fn seed_business(
        &self,
        new: &NewBusiness,
        more_venues: &[NewVenue],
        now: DateTime<Utc>,
    ) -> Result<(i64, Vec<i64>)> {
        let verified = BusinessStatus::Verified.as_str();
        let ids = with_tx!(self, tx => {
            let bid = insert_business!(&mut *tx, new, verified, now);
            let mut venue_ids = Vec::with_capacity(1 + more_venues.len());
            for v in std::iter::once(&new.venue).chain(more_venues) {
                venue_ids.push(insert_venue!(&mut *tx, bid, v, now));
            }
            audit!(tx, now, Actor::System, "seed", "business", bid, None::<String>, Some(verified));
            (bid, venue_ids)
        });
        Ok(ids)
    }

    /// Inserts `offers` as active, published deals, a thousand per
    /// transaction with multi-row `INSERT`s. Every offer's business must be
    /// verified, its venue must belong to it, and its window must not have
    /// ended. Returns the new offer ids in the order given.
    pub async fn seed_offers(&self, offers: &[NewOffer], now: DateTime<Utc>) -> Result<Vec<i64>> {
        if let Some(o) = offers.iter().find(|o| o.window.end() <= now) {
            return Err(StoreError::Unexpected(anyhow::anyhow!("a seeded offer's window has ended ({:?})", o.title)));
        }
        let mut ids = Vec::with_capacity(offers.len());
        let mut rest = offers;
        while !rest.is_empty() {
            let n = rest.len().min(OFFERS_PER_CHUNK);
            ids.extend(self.seed_offer_chunk(&rest[..n], now).await?);
            rest = &rest[n..];
        }
        Ok(ids)
    }

    async fn seed_offer_chunk(&self, chunk: &[NewOffer], now: DateTime<Utc>) -> Result<Vec<i64>> {
        // Integers from our own values, safe to inline.
        let mut venue_ids: Vec<i64> = chunk.iter().map(|o| o.venue_id).collect();
        venue_ids.sort_unstable();
        venue_ids.dedup();
        let venue_list = venue_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let venues_sql = format!(
            "SELECT v.id, v.business_id, v.lat, v.lng, b.status FROM venues v \
             JOIN businesses b ON b.id = v.business_id WHERE v.id IN ({venue_list})"
        );
        // Offer ids are taken up front so items and audit rows can name
        // them: PostgreSQL hands out a block of its sequence; on SQLite the
        // write lock (BEGIN IMMEDIATE) is held, so MAX(id) is ours.
        let postgres = self.backend_name() == "postgres";
        let active = OfferStatus::Active.as_str();
        let ids: Vec<i64> = with_tx!(self, tx => {
            let rows: Vec<(i64, i64, f64, f64, String)> = sqlx::query_as(&venues_sql).fetch_all(&mut *tx).await?;
            let venues: HashMap<i64, (i64, f64, f64, String)> =
                rows.into_iter().map(|(id, b, lat, lng, status)| (id, (b, lat, lng, status))).collect();
            for o in chunk {
                match venues.get(&o.venue_id) {
                    Some((b, _, _, status)) if *b == o.business_id && status == BusinessStatus::Verified.as_str() => {}
                    _ => {
                        return Err(StoreError::Unexpected(anyhow::anyhow!(
                            "venue {} is not a venue of verified business {}",
                            o.venue_id,
                            o.business_id
                        )));
                    }
                }
            }
            let ids: Vec<i64> = if postgres {
                sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('offers', 'id')) FROM generate_series(1, $1)")
                    .bind(chunk.len() as i64).fetch_all(&mut *tx).await?
            } else {
                let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM offers").fetch_one(&mut *tx).await?;
                (max + 1..=max + chunk.len() as i64).collect()
            };
            if ids.len() != chunk.len() {
                return Err(StoreError::Unexpected(anyhow::anyhow!("got {} offer ids for {}", ids.len(), chunk.len())));
            }

            let rows: Vec<(&NewOffer, i64)> = chunk.iter().zip(ids.iter().copied()).collect();
            for part in rows.chunks(ROWS_PER_STATEMENT) {
                let mut sql = String::from(
                    "INSERT INTO offers (id, business_id, venue_id, title, description, currency, pickup_start, \
                     pickup_end, status, lat, lng, published_at, created_at, updated_at) VALUES ",
                );
                push_placeholders(&mut sql, part.len(), 14);
                let mut q = sqlx::query(&sql);
                for (o, id) in part {
                    let (_, lat, lng, _) = venues[&o.venue_id];
                    q = q
                        .bind(*id)
                        .bind(o.business_id)
                        .bind(o.venue_id)
                        .bind(o.title.as_str())
                        .bind(o.description.as_ref().map_or("", |d| d.as_str()))
                        .bind(o.currency.code())
                        .bind(ts(o.window.start()))
                        .bind(ts(o.window.end()))
                        .bind(active)
                        .bind(lat)
                        .bind(lng)
                        .bind(ts(now))
                        .bind(ts(now))
                        .bind(ts(now));
                }
                q.execute(&mut *tx).await?;
            }

            let lines: Vec<(i64, usize, &crate::domain::offer::NewItem)> = chunk
                .iter()
                .zip(&ids)
                .flat_map(|(o, id)| o.items.iter().enumerate().map(move |(pos, item)| (*id, pos, item)))
                .collect();
            for part in lines.chunks(ROWS_PER_STATEMENT) {
                let mut sql = String::from(
                    "INSERT INTO offer_items (offer_id, position, name, unit, original_price, deal_price, quantity) VALUES ",
                );
                push_placeholders(&mut sql, part.len(), 7);
                let mut q = sqlx::query(&sql);
                for (id, pos, item) in part {
                    q = q
                        .bind(*id)
                        .bind(*pos as i32)
                        .bind(item.name.as_str())
                        .bind(item.unit.as_str())
                        .bind(item.original_price.minor())
                        .bind(item.deal_price.minor())
                        .bind(item.quantity.get() as i32);
                }
                q.execute(&mut *tx).await?;
            }

            let system = Actor::System.label();
            for part in ids.chunks(ROWS_PER_STATEMENT) {
                let mut sql = String::from(
                    "INSERT INTO audit_log (at, actor, action, target_kind, target_id, before, after) VALUES ",
                );
                push_placeholders(&mut sql, part.len(), 7);
                let mut q = sqlx::query(&sql);
                for id in part {
                    q = q.bind(ts(now)).bind(system.as_str()).bind("seed").bind("offer").bind(*id)
                        .bind(None::<String>).bind(active);
                }
                q.execute(&mut *tx).await?;
            }
            tracing::info!(target: "glean::audit", actor = %system, action = "seed", target_kind = "offer",
                first_id = ids.first().copied().unwrap_or_default(), offers = ids.len(), "audit");
            ids
        });
        Ok(ids)
    }
}

impl Store {
    /// `customers` follow `business_id` (those already following are left
    /// as they are), many rows per statement in one transaction: the
    /// audience of the fan-out benchmark. Returns how many follows are new.
    pub async fn seed_followers(&self, business_id: i64, customers: &[i64], now: DateTime<Utc>) -> Result<u64> {
        let added = with_tx!(self, tx => {
            let mut added = 0;
            for part in customers.chunks(ROWS_PER_STATEMENT) {
                let mut sql = String::from("INSERT INTO follows (customer_tg_id, business_id, created_at) VALUES ");
                push_placeholders(&mut sql, part.len(), 3);
                sql.push_str(" ON CONFLICT DO NOTHING");
                let mut q = sqlx::query(&sql);
                for c in part {
                    q = q.bind(*c).bind(business_id).bind(ts(now));
                }
                added += q.execute(&mut *tx).await?.rows_affected();
            }
            added
        });
        Ok(added)
    }
}

impl Store {
    /// Settles the tables seeding fills, as one does after a bulk load:
    /// planner statistics (`ANALYZE`; SQLite never gathers them by itself)
    /// and, on PostgreSQL, `VACUUM` too, which marks the pages all-visible
    /// so index-only scans need not visit the table (autovacuum gets there
    /// on its own, later). The benchmarks measure both ways.
    pub async fn analyze_seeded(&self) -> Result<()> {
        let command = match self.db {
            Db::Sqlite { .. } => "ANALYZE",
            Db::Postgres(_) => "VACUUM ANALYZE",
        };
        for table in ["businesses", "venues", "offers", "offer_items", "users", "follows"] {
            let sql = format!("{command} {table}");
            with_pool!(self, write, p => sqlx::query(&sql).execute(p).await?.rows_affected());
        }
        Ok(())
    }
}

/// Appends `($1, …, $cols), (…)` for `rows` rows.
fn push_placeholders(sql: &mut String, rows: usize, cols: usize) {
    use std::fmt::Write as _;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            let _ = write!(sql, "{}${}", if c == 0 { "" } else { ", " }, r * cols + c + 1);
        }
        sql.push(')');
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_rows_then_columns() {
        let mut s = String::new();
        super::push_placeholders(&mut s, 2, 3);
        assert_eq!(s, "($1, $2, $3), ($4, $5, $6)");
    }
}
