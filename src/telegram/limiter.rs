//! Telegram's sending limits: a token bucket per chat (about one message a
//! second sustained, short bursts allowed) and, for bulk sends
//! (notifications), one lane for the whole bot. The buckets live in
//! `Coord`: in Redis when configured, so the limits hold for the bot as a
//! whole across instances.
//!
//! The bulk lane sends one request at a time per process, each starting at
//! least 1/`TELEGRAM_BULK_PER_SEC` after the previous one started, with no
//! catching up after a stall, so a slow network can't release a queue of
//! them at once. A 429 holds the bucket it came from for `retry_after`: a
//! bulk send's holds all bulk sending (every instance, through `Coord`), a
//! reply's holds only its chat, so replies never wait behind the bulk
//! lane's back-off.
//!
//! Every start and every hold is kept in a short [`SendLog`]: this
//! process's own record of when it let each send go, which is what the
//! pacing tests read (arrival times at Telegram include the network's
//! and the scheduler's jitter, which no sender controls).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::TelegramLimits;
use crate::coord::{Bucket, Coord};

/// The bot-wide bucket of bulk sends.
const BULK: &str = "tg:bulk";
/// How many events the send log keeps (the newest).
const LOG_LEN: usize = 8192;

pub struct Limiter {
    limits: TelegramLimits,
    coord: Coord,
    /// When this process's last bulk send started. Locked from a bulk
    /// send's turn until its answer, so one bulk request is in flight here
    /// at a time.
    bulk: tokio::sync::Mutex<Option<Instant>>,
    log: SendLog,
}

/// A send's turn; a bulk send holds the lane until this is dropped.
pub struct Permit<'a> {
    _bulk: Option<tokio::sync::MutexGuard<'a, Option<Instant>>>,
}

/// One entry of the [`SendLog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendEvent {
    /// A send to `chat` was let go at `at`: the moment its last token
    /// (the bulk one for a bulk send, else the chat's) was granted, on
    /// this process's clock.
    Started { at: Instant, chat: i64, bulk: bool },
    /// Telegram answered a send to `chat` with 429 at `at`; the bulk lane
    /// (`bulk`) or the chat is held for `retry_after` from then.
    HeldOff { at: Instant, chat: i64, bulk: bool, retry_after: Duration },
}

/// The newest [`SendEvent`]s of this process, oldest first.
#[derive(Default)]
pub struct SendLog(Mutex<VecDeque<SendEvent>>);

impl SendLog {
    fn push(&self, e: SendEvent) {
        let mut log = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() == LOG_LEN {
            log.pop_front();
        }
        log.push_back(e);
    }

    pub fn events(&self) -> Vec<SendEvent> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).iter().copied().collect()
    }
}

impl Limiter {
    pub fn new(limits: TelegramLimits, coord: Coord) -> Self {
        Limiter { limits, coord, bulk: Default::default(), log: SendLog::default() }
    }

    pub fn log(&self) -> &SendLog {
        &self.log
    }

    fn chat_bucket(&self) -> Bucket {
        Bucket { rate: self.limits.per_chat_per_sec, burst: f64::from(self.limits.per_chat_burst) }
    }

    /// Waits until a message to `chat` may go out, and returns its turn.
    /// Bulk sends also wait for the bot-wide bulk lane (and hold it until
    /// the permit is dropped); replies to a user's own actions don't.
    pub async fn acquire(&self, chat: i64, bulk: bool) -> Permit<'_> {
        let chat_key = format!("tg:chat:{chat}");
        if !bulk {
            let at = self.take(&chat_key, self.chat_bucket(), None).await;
            self.log.push(SendEvent::Started { at, chat, bulk });
            return Permit { _bulk: None };
        }
        let mut last = self.bulk.lock().await;
        self.take(&chat_key, self.chat_bucket(), None).await;
        let rate = self.limits.bulk_per_sec;
        let period = Duration::from_secs_f64(1.0 / rate);
        // No bursts, and no making up for a late turn: at least a period
        // after the previous start, here and (through the bucket of one)
        // across instances.
        let at = self.take(BULK, Bucket { rate, burst: 1.0 }, last.map(|prev| prev + period)).await;
        *last = Some(at);
        self.log.push(SendEvent::Started { at, chat, bulk });
        Permit { _bulk: Some(last) }
    }

    /// Honours a 429 with `retry_after` for a send to `chat`: a bulk send's
    /// holds the whole bulk lane, a reply's only that chat.
    pub async fn back_off(&self, chat: i64, bulk: bool, retry_after: Duration) {
        let key = if bulk { BULK.to_string() } else { format!("tg:chat:{chat}") };
        self.coord.hold(&key, retry_after).await;
        self.log.push(SendEvent::HeldOff { at: Instant::now(), chat, bulk, retry_after });
        crate::metrics::telegram_held_off(if bulk { "bulk" } else { "chat" }, retry_after.as_secs_f64());
    }

    /// Takes a token from `key`, not before `not_before`; returns when it
    /// was granted.
    async fn take(&self, key: &str, b: Bucket, not_before: Option<Instant>) -> Instant {
        loop {
            if let Some(t) = not_before {
                while Instant::now() < t {
                    tokio::time::sleep_until(t.into()).await;
                }
            }
            let now = Instant::now();
            let wait = self.coord.take_at(key, b, now).await;
            if wait.is_zero() {
                return now;
            }
            tokio::time::sleep(wait).await;
        }
    }
}
