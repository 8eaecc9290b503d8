//! The inbound table of Telegram updates: written before confirming them to
//! Telegram, marked handled after the bot acted on them.

use chrono::{DateTime, Duration, Utc};

use super::{Db, Result, Store, bind_all, id_params, lite, ts, with_pool};

/// One stored update, as received.
#[derive(Debug, Clone)]
pub struct InboundUpdate {
    pub update_id: i64,
    pub chat_id: i64,
    pub payload: String,
}

impl Store {
    /// Stores a batch of updates in one transaction; ids already stored are
    /// ignored (a redelivery). Returns the updates that were new.
    pub async fn insert_inbound(&self, batch: &[InboundUpdate], now: DateTime<Utc>) -> Result<Vec<InboundUpdate>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        // One multi-row statement per `getUpdates` batch (up to 100). The
        // rows are padded with the last one to a power of two (the repeat
        // is a conflict, so nothing) to keep the statement shapes few.
        let mut stored: Vec<i64> = Vec::with_capacity(batch.len());
        let now = ts(now);
        let parts: Vec<(String, Vec<InboundUpdate>)> = batch
            .chunks(128)
            .map(|part| {
                let slots = part.len().next_power_of_two();
                let mut sql =
                    String::from("INSERT INTO inbound_updates (update_id, chat_id, payload, received_at) VALUES ");
                let at = slots * 3 + 1;
                for i in 0..slots {
                    let n = i * 3;
                    sql.push_str(&format!(
                        "{}(${}, ${}, ${}, ${at})",
                        if i == 0 { "" } else { ", " },
                        n + 1,
                        n + 2,
                        n + 3
                    ));
                }
                sql.push_str(" ON CONFLICT (update_id) DO NOTHING RETURNING update_id");
                // Owned: the write may run on another task's turn.
                (sql, (0..slots).map(|i| part[i.min(part.len() - 1)].clone()).collect())
            })
            .collect();
        match &self.db {
            // Every update comes in here (a batch at a time): on SQLite
            // without the hop, atomically (a write of the writer's group).
            Db::Sqlite { write, lite, .. } => {
                let ids = lite
                    .write(write, move |c| {
                        let mut ids = Vec::new();
                        for (sql, rows) in &parts {
                            let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(rows.len() * 3 + 1);
                            for u in rows {
                                args.extend([&u.update_id as &dyn rusqlite::ToSql, &u.chat_id, &u.payload]);
                            }
                            args.push(&now);
                            ids.extend(lite::rows(c, sql, &args, |r| r.get::<_, i64>(0))?);
                        }
                        Ok(ids)
                    })
                    .await?;
                stored.extend(ids);
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                for (sql, rows) in &parts {
                    let mut q = sqlx::query_scalar::<_, i64>(sql);
                    for u in rows {
                        q = q.bind(u.update_id).bind(u.chat_id).bind(&u.payload);
                    }
                    stored.extend(q.bind(now).fetch_all(&mut *tx).await?);
                }
                tx.commit().await?;
            }
        }
        Ok(batch.iter().filter(|u| stored.contains(&u.update_id)).cloned().collect())
    }

    /// Every update not yet handled, in update_id order.
    pub async fn pending_inbound(&self, limit: i64) -> Result<Vec<InboundUpdate>> {
        let rows: Vec<(i64, i64, String)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT update_id, chat_id, payload FROM inbound_updates WHERE handled_at IS NULL ORDER BY update_id LIMIT $1",
        ).bind(limit).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(update_id, chat_id, payload)| InboundUpdate { update_id, chat_id, payload })
            .collect())
    }

    /// The oldest unhandled update of one chat.
    pub async fn next_pending_for_chat(&self, chat_id: i64) -> Result<Option<InboundUpdate>> {
        let row: Option<(i64, i64, String)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT update_id, chat_id, payload FROM inbound_updates WHERE chat_id = $1 AND handled_at IS NULL \
             ORDER BY update_id LIMIT 1",
        ).bind(chat_id).fetch_optional(p).await?);
        Ok(row.map(|(update_id, chat_id, payload)| InboundUpdate { update_id, chat_id, payload }))
    }

    /// Whether an update was handled (by any instance).
    pub async fn is_handled(&self, update_id: i64) -> Result<bool> {
        let n: i64 = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM inbound_updates WHERE update_id = $1 AND handled_at IS NOT NULL",
        ).bind(update_id).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// The highest update id ever stored, to resume polling after it.
    pub async fn last_inbound_id(&self) -> Result<Option<i64>> {
        let id: Option<i64> = with_pool!(self, read, p => sqlx::query_scalar("SELECT MAX(update_id) FROM inbound_updates")
            .fetch_one(p).await?);
        Ok(id)
    }

    /// Marks updates handled, any number in one statement.
    pub async fn mark_handled(&self, update_ids: &[i64], now: DateTime<Utc>) -> Result<()> {
        if update_ids.is_empty() {
            return Ok(());
        }
        let (params, padded) = id_params(2, update_ids);
        let sql = format!("UPDATE inbound_updates SET handled_at = $1 WHERE update_id IN ({params})");
        match &self.db {
            // Every update ends here (marks grouped): on SQLite without the hop.
            Db::Sqlite { write, lite, .. } => {
                let now = ts(now);
                lite.write(write, move |c| {
                    let mut args: Vec<&dyn rusqlite::ToSql> = vec![&now];
                    args.extend(lite::args(&padded));
                    lite::execute(c, &sql, &args)
                })
                .await?;
            }
            Db::Postgres(p) => {
                bind_all!(sqlx::query(&sql).bind(ts(now)), &padded).execute(p).await?;
            }
        }
        Ok(())
    }

    /// Forgets handled updates older than `keep`; the newest row always stays
    /// so polling can resume after it.
    pub async fn prune_inbound(&self, keep: Duration, now: DateTime<Utc>) -> Result<u64> {
        let n = with_pool!(self, write, p => sqlx::query(
            "DELETE FROM inbound_updates WHERE handled_at IS NOT NULL AND handled_at < $1 \
             AND update_id < (SELECT MAX(update_id) FROM inbound_updates)",
        ).bind(ts(now - keep)).execute(p).await?.rows_affected());
        Ok(n)
    }

    /// Chats with an update stored at or before `before` and not handled,
    /// oldest first: what the sweep claims when their lock is free.
    pub async fn chats_with_stale_updates(&self, before: DateTime<Utc>, limit: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64, i64)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT chat_id, MIN(update_id) AS first FROM inbound_updates \
             WHERE handled_at IS NULL AND received_at <= $1 GROUP BY chat_id ORDER BY first LIMIT $2",
        ).bind(ts(before)).bind(limit).fetch_all(p).await?);
        Ok(rows.into_iter().map(|(chat, _)| chat).collect())
    }
}
