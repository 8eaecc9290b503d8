//! Leases: a name held by one instance until a time, taken with one
//! conditional upsert (free, expired, or already ours).

use super::{Result, Store, with_pool};

impl Store {
    /// Takes or renews `name` for `holder` until `until_ms`; false when
    /// another holder's lease is still running.
    pub async fn try_lease(&self, name: &str, holder: &str, now_ms: i64, until_ms: i64) -> Result<bool> {
        let got: Option<String> = with_pool!(self, write, p => sqlx::query_scalar(
            "INSERT INTO leases (name, holder, until_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms \
             WHERE leases.until_ms < $4 OR leases.holder = excluded.holder RETURNING holder",
        ).bind(name).bind(holder).bind(until_ms).bind(now_ms).fetch_optional(p).await?);
        Ok(got.is_some())
    }

    /// Gives `name` up if `holder` has it.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        with_pool!(self, write, p => sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name).bind(holder).execute(p).await?.rows_affected());
        Ok(())
    }

    /// How many leases named `prefix…` are running at `now_ms`; expired ones
    /// of that prefix are deleted on the way (heartbeats of dead instances).
    pub async fn count_leases(&self, prefix: &str, now_ms: i64) -> Result<i64> {
        let pattern = format!("{prefix}%");
        with_pool!(self, write, p => sqlx::query("DELETE FROM leases WHERE name LIKE $1 AND until_ms < $2")
            .bind(&pattern).bind(now_ms - 60_000).execute(p).await?.rows_affected());
        let n: i64 = with_pool!(self, read, p => sqlx::query_scalar("SELECT COUNT(*) FROM leases WHERE name LIKE $1 AND until_ms >= $2")
            .bind(&pattern).bind(now_ms).fetch_one(p).await?);
        Ok(n)
    }
}
