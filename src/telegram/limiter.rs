//! Telegram's sending limits as token buckets: one per chat (about one
//! message a second sustained, short bursts allowed) and one for bulk sends
//! across all chats (about 30 a second). In-process for now.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::TelegramLimits;

struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn full(burst: f64) -> Self {
        Bucket { tokens: burst, last: Instant::now() }
    }

    /// Takes a token, or says how long until one is there.
    fn take(&mut self, rate: f64, burst: f64, now: Instant) -> Option<Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - self.tokens) / rate))
        }
    }
}

pub struct Limiter {
    limits: TelegramLimits,
    chats: Mutex<HashMap<i64, Bucket>>,
    bulk: Mutex<Bucket>,
}

impl Limiter {
    pub fn new(limits: TelegramLimits) -> Self {
        Limiter {
            limits,
            chats: Mutex::new(HashMap::new()),
            bulk: Mutex::new(Bucket::full(limits.bulk_per_sec.max(1.0))),
        }
    }

    /// Waits until a message to `chat` may go out. Bulk sends also wait for
    /// the bot-wide bulk budget.
    pub async fn acquire(&self, chat: i64, bulk: bool) {
        if bulk {
            loop {
                let wait = {
                    let mut b = self.bulk.lock().unwrap_or_else(|p| p.into_inner());
                    let rate = self.limits.bulk_per_sec;
                    b.take(rate, rate.max(1.0), Instant::now())
                };
                match wait {
                    None => break,
                    Some(d) => tokio::time::sleep(d).await,
                }
            }
        }
        loop {
            let wait = {
                let mut chats = self.chats.lock().unwrap_or_else(|p| p.into_inner());
                let burst = f64::from(self.limits.per_chat_burst);
                if chats.len() > 10_000 {
                    // Forget chats whose buckets have refilled anyway.
                    let now = Instant::now();
                    let refill = Duration::from_secs_f64(burst / self.limits.per_chat_per_sec);
                    chats.retain(|_, b| now.saturating_duration_since(b.last) < refill);
                }
                chats.entry(chat).or_insert_with(|| Bucket::full(burst)).take(
                    self.limits.per_chat_per_sec,
                    burst,
                    Instant::now(),
                )
            };
            match wait {
                None => break,
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_sustained_rate() {
        let mut b = Bucket::full(3.0);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(b.take(1.0, 3.0, t0), None);
        }
        let wait = b.take(1.0, 3.0, t0).expect("bucket empty after the burst");
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-6);
        assert_eq!(b.take(1.0, 3.0, t0 + Duration::from_millis(1000)), None);
        assert!(b.take(1.0, 3.0, t0 + Duration::from_millis(1500)).is_some());
    }
}
