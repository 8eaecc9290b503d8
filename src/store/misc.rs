//! Users, processed external events, the audit log, dialogue state and
//! stored images.

use chrono::{DateTime, Utc};

use super::{Db, Result, Store, dt, lite, ts, with_pool};
use crate::domain::Coordinates;

#[derive(Debug, Clone)]
pub struct User {
    pub tg_id: i64,
    pub first_name: String,
    pub username: Option<String>,
    /// The code of the language Glean speaks with them ("en", "de", "uk").
    pub language: Option<String>,
    /// Whether they chose it with /language (else it follows Telegram's).
    pub language_chosen: bool,
    pub location: Option<Coordinates>,
    /// When their last shared location was last used (`Store::use_location`).
    pub location_used_at: Option<DateTime<Utc>>,
    pub unreachable: bool,
    /// Was offered the persistent "📍 Share location" keyboard.
    pub location_prompted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: i64,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StoredImage {
    pub name: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl Store {
    /// Records a user we heard from; keeps the latest name and language
    /// (a language chosen with /language stays until they choose another).
    pub async fn upsert_user(
        &self,
        tg_id: i64,
        first_name: &str,
        username: Option<&str>,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO users (tg_id, first_name, username, language, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tg_id) DO UPDATE SET first_name = excluded.first_name, username = excluded.username, \
             language = CASE WHEN users.language_chosen THEN users.language \
             ELSE COALESCE(excluded.language, users.language) END, unreachable = FALSE",
        )
        .bind(tg_id).bind(first_name).bind(username).bind(language).bind(ts(now))
        .execute(p).await?.rows_affected());
        Ok(())
    }

    /// Sets the language Glean speaks with a user; `chosen` when they picked
    /// it with /language (a choice is only replaced by another choice).
    pub async fn set_user_language(&self, tg_id: i64, language: &str, chosen: bool) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE users SET language = $1, language_chosen = $2 WHERE tg_id = $3 AND (language_chosen = FALSE OR $2)",
        ).bind(language).bind(chosen).bind(tg_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// The language code stored for a user, if any.
    pub async fn user_language(&self, tg_id: i64) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT language FROM users WHERE tg_id = $1",
        ).bind(tg_id).fetch_optional(p).await?);
        Ok(row.and_then(|(l,)| l))
    }

    /// Keeps the location the user shared (outside a dialogue) as their
    /// last shared location, counted as used now.
    pub async fn set_user_location(&self, tg_id: i64, at: Coordinates, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE users SET lat = $1, lng = $2, location_at = $3, location_used_at = $3 WHERE tg_id = $4",
        ).bind(at.lat()).bind(at.lng()).bind(ts(now)).bind(tg_id).execute(p).await?.rows_affected());
        Ok(())
    }

    pub async fn user(&self, tg_id: i64) -> Result<Option<User>> {
        type Row =
            (i64, String, Option<String>, Option<String>, bool, Option<f64>, Option<f64>, Option<i64>, bool, bool);
        const SQL: &str = "SELECT tg_id, first_name, username, language, language_chosen, lat, lng, location_used_at, \
             unreachable, location_prompted_at IS NOT NULL FROM users WHERE tg_id = $1";
        // Every update reads it: on SQLite without the thread hop (`lite`).
        let row: Option<Row> = match &self.db {
            Db::Sqlite { lite, .. } => lite.read(|c| lite::row(c, SQL, &[&tg_id], |r| r.try_into()))?,
            Db::Postgres(p) => sqlx::query_as(SQL).bind(tg_id).fetch_optional(p).await?,
        };
        Ok(row.map(
            |(
                tg_id,
                first_name,
                username,
                language,
                language_chosen,
                lat,
                lng,
                used,
                unreachable,
                location_prompted,
            )| User {
                tg_id,
                first_name,
                username,
                language,
                language_chosen,
                location: lat.zip(lng).and_then(|(a, b)| Coordinates::new(a, b).ok()),
                location_used_at: used.map(dt),
                unreachable,
                location_prompted,
            },
        ))
    }

    /// Records that the user was offered the "📍 Share location" keyboard.
    pub async fn set_location_prompted(&self, tg_id: i64, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE users SET location_prompted_at = $1 WHERE tg_id = $2 AND location_prompted_at IS NULL",
        ).bind(ts(now)).bind(tg_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Records an external event; true only the first time it is seen.
    /// Use inside the transaction that acts on it where one exists; this
    /// stand-alone form suits events whose effect is itself idempotent.
    pub async fn first_time(&self, source: &str, event_id: &str, now: DateTime<Utc>) -> Result<bool> {
        let r = with_pool!(self, write, p => sqlx::query(
            "INSERT INTO processed_events (source, event_id, processed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        ).bind(source).bind(event_id).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(r == 1)
    }

    /// Writes one audit entry on its own (for events with no state change,
    /// such as a refused forged button).
    pub async fn audit(
        &self,
        actor: &super::Actor,
        action: &str,
        target_kind: &str,
        target_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO audit_log (at, actor, action, target_kind, target_id) VALUES ($1, $2, $3, $4, $5)",
        ).bind(ts(now)).bind(actor.label()).bind(action).bind(target_kind).bind(target_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// How many times `actor` did `action` since `since` (for rate limits on
    /// things such as wrong pickup codes).
    pub async fn count_actions(&self, actor: &super::Actor, action: &str, since: DateTime<Utc>) -> Result<i64> {
        let n: i64 = with_pool!(self, read, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE actor = $1 AND action = $2 AND at >= $3",
        ).bind(actor.label()).bind(action).bind(ts(since)).fetch_one(p).await?);
        Ok(n)
    }

    /// The audit trail of one target, oldest first.
    pub async fn audit_trail(&self, target_kind: &str, target_id: i64) -> Result<Vec<AuditEntry>> {
        type Row = (i64, String, String, String, i64, Option<String>, Option<String>);
        let rows: Vec<Row> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT at, actor, action, target_kind, target_id, before, after FROM audit_log \
             WHERE target_kind = $1 AND target_id = $2 ORDER BY id",
        ).bind(target_kind).bind(target_id).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(at, actor, action, target_kind, target_id, before, after)| AuditEntry {
                at: dt(at),
                actor,
                action,
                target_kind,
                target_id,
                before,
                after,
            })
            .collect())
    }

    /// The saved dialogue of a chat, as the bot serialized it.
    pub async fn dialogue(&self, chat_id: i64) -> Result<Option<String>> {
        let s = with_pool!(self, read, p => sqlx::query_scalar("SELECT state FROM dialogues WHERE chat_id = $1")
            .bind(chat_id).fetch_optional(p).await?);
        Ok(s)
    }

    pub async fn save_dialogue(&self, chat_id: i64, state: &str, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO dialogues (chat_id, state, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        ).bind(chat_id).bind(state).bind(ts(now)).execute(p).await?.rows_affected());
        Ok(())
    }

    pub async fn clear_dialogue(&self, chat_id: i64) -> Result<()> {
        with_pool!(self, write, p => sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
            .bind(chat_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Stores an image under its content-hash name; storing the same bytes
    /// twice is a no-op.
    pub async fn put_image(&self, img: &StoredImage, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO images (name, content_type, width, height, bytes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&img.name).bind(&img.content_type).bind(img.width as i32).bind(img.height as i32)
        .bind(&img.bytes).bind(ts(now))
        .execute(p).await?.rows_affected());
        Ok(())
    }

    pub async fn image(&self, name: &str) -> Result<Option<StoredImage>> {
        type Row = (String, String, i32, i32, Vec<u8>);
        let row: Option<Row> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT name, content_type, width, height, bytes FROM images WHERE name = $1",
        ).bind(name).fetch_optional(p).await?);
        Ok(row.map(|(name, content_type, w, h, bytes)| StoredImage {
            name,
            content_type,
            width: w.max(0) as u32,
            height: h.max(0) as u32,
            bytes,
        }))
    }
}

impl Store {
    /// This installation's id, made once (random) and kept in `meta`. It
    /// prefixes Stripe idempotency keys.
    pub async fn install_id(&self) -> Result<String> {
        let fresh = random_install_id();
        let id: String = with_pool!(self, write, p => {
            sqlx::query("INSERT INTO meta (key, value) VALUES ('install_id', $1) ON CONFLICT (key) DO NOTHING")
                .bind(&fresh).execute(p).await?;
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'install_id'").fetch_one(p).await?
        });
        Ok(id)
    }

    /// Replaces the install id: a restored database reuses purchase ids, so
    /// its idempotency keys must not be the ones the original already used.
    pub async fn renew_install_id(&self) -> Result<String> {
        let fresh = random_install_id();
        with_pool!(self, write, p => sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('install_id', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
        ).bind(&fresh).execute(p).await?.rows_affected());
        Ok(fresh)
    }
}

fn random_install_id() -> String {
    use rand::Rng;
    let bytes: [u8; 8] = rand::thread_rng().r#gen();
    hex::encode(bytes)
}
