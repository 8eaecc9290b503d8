//! Deal cards shared into chats through inline mode: recorded when
//! Telegram reports the choice (`chosen_inline_result`), and the durable
//! queue of their edits. A card is due whenever its offer's status differs
//! from the one it shows, so no change can be missed: the sender claims
//! due cards in one statement, edits them, and records what they show.

use chrono::{DateTime, Duration, Utc};

use super::{Db, Result, Store, ts, with_pool};
use crate::domain::OfferStatus;

/// A shared card due for an edit.
#[derive(Debug, Clone)]
pub struct SharedCard {
    pub inline_message_id: String,
    pub offer_id: i64,
    /// Posted as a photo with a caption (else as text).
    pub photo: bool,
    /// Edits tried since the last success, this one included.
    pub attempts: u32,
    /// Who posted it: the card stays in their language.
    pub shared_by: i64,
}

/// A claimed card is left alone this long before it may be claimed again
/// (a sender that died mid-edit).
pub const CARD_CLAIM: Duration = Duration::seconds(60);

const DUE: &str = "FROM shared_cards c JOIN offers o ON o.id = c.offer_id \
     WHERE NOT c.done AND c.next_at <= $1 AND c.shown <> o.status";

impl Store {
    /// Records a card a user posted; it shows the deal as active (only
    /// active deals are offered inline). A replay changes nothing.
    pub async fn record_shared_card(
        &self,
        inline_message_id: &str,
        offer_id: i64,
        shared_by: i64,
        photo: bool,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let n = with_pool!(self, write, p => sqlx::query(
            "INSERT INTO shared_cards (inline_message_id, offer_id, shared_by, photo, shown, next_at, created_at) \
             SELECT $1, id, $3, $4, $5, $6, $6 FROM offers WHERE id = $2 ON CONFLICT DO NOTHING",
        ).bind(inline_message_id).bind(offer_id).bind(shared_by).bind(photo).bind(OfferStatus::Active.as_str())
        .bind(ts(now)).execute(p).await?.rows_affected());
        Ok(n == 1)
    }

    /// Claims up to `limit` cards whose offer changed since they were last
    /// edited. A read first: an idle queue takes no write lock.
    pub async fn claim_card_edits(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<SharedCard>> {
        let any: Option<String> = with_pool!(self, read, p => sqlx::query_scalar(
            &format!("SELECT c.inline_message_id {DUE} LIMIT 1"),
        ).bind(ts(now)).fetch_optional(p).await?);
        if any.is_none() {
            return Ok(Vec::new());
        }
        let skip = match self.db {
            Db::Sqlite { .. } => "",
            Db::Postgres(_) => " FOR UPDATE OF c SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE shared_cards SET next_at = $2, attempts = attempts + 1 WHERE inline_message_id IN ( \
             SELECT c.inline_message_id {DUE} ORDER BY c.next_at LIMIT $3{skip}) \
             RETURNING inline_message_id, offer_id, photo, attempts, shared_by"
        );
        let rows: Vec<(String, i64, bool, i32, i64)> = with_pool!(self, write, p => sqlx::query_as(&sql)
            .bind(ts(now)).bind(ts(now + CARD_CLAIM)).bind(limit).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(inline_message_id, offer_id, photo, attempts, shared_by)| SharedCard {
                inline_message_id,
                offer_id,
                photo,
                attempts: attempts.max(0) as u32,
                shared_by,
            })
            .collect())
    }

    /// The card now shows `shown`; `done` when it will never change again
    /// (the deal ended, or the message is gone).
    pub async fn card_edited(&self, inline_message_id: &str, shown: OfferStatus, done: bool) -> Result<()> {
        with_pool!(self, write, p => sqlx::query(
            "UPDATE shared_cards SET shown = $1, done = $2, attempts = 0, next_at = 0 WHERE inline_message_id = $3",
        ).bind(shown.as_str()).bind(done).bind(inline_message_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// The edit failed for now: try again at `at`.
    pub async fn card_edit_later(&self, inline_message_id: &str, at: DateTime<Utc>) -> Result<()> {
        with_pool!(self, write, p => sqlx::query("UPDATE shared_cards SET next_at = $1 WHERE inline_message_id = $2")
            .bind(ts(at)).bind(inline_message_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Cards shared of an offer, and how many are still followed.
    pub async fn shared_cards_of(&self, offer_id: i64) -> Result<(i64, i64)> {
        let (all, open): (i64, i64) = with_pool!(self, read, p => sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN done THEN 0 ELSE 1 END), 0) FROM shared_cards WHERE offer_id = $1",
        ).bind(offer_id).fetch_one(p).await?);
        Ok((all, open))
    }
}
