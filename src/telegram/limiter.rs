//! Telegram's sending limits as token buckets: one per chat (about one
//! message a second sustained, short bursts allowed) and one for bulk sends
//! across all chats (about 30 a second, evenly spaced). The buckets live in `Coord`: in
//! Redis when configured, so the limits hold for the bot as a whole across
//! instances.

use crate::config::TelegramLimits;
use crate::coord::{Bucket, Coord};

pub struct Limiter {
    limits: TelegramLimits,
    coord: Coord,
}

impl Limiter {
    pub fn new(limits: TelegramLimits, coord: Coord) -> Self {
        Limiter { limits, coord }
    }

    /// Waits until a message to `chat` may go out. Bulk sends also wait for
    /// the bot-wide bulk budget; replies to a user's own actions don't.
    pub async fn acquire(&self, chat: i64, bulk: bool) {
        if bulk {
            let rate = self.limits.bulk_per_sec;
            // No bursts: bulk messages leave at least 1/rate apart, so no
            // second ever holds more than the limit (BENCHMARKS.md, fan-out).
            self.coord.acquire("tg:bulk", Bucket { rate, burst: 1.0 }).await;
        }
        let b = Bucket { rate: self.limits.per_chat_per_sec, burst: f64::from(self.limits.per_chat_burst) };
        self.coord.acquire(&format!("tg:chat:{chat}"), b).await;
    }
}
