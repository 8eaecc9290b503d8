//! Coordination between instances: per-chat locks, the jobs lease and rate
//! buckets (which a 429 from Telegram can hold for a while). With `REDIS_URL` they live in Redis (shared by every instance);
//! without it, locks and leases live in the database's `leases` table and
//! buckets in this process (enough for one instance, which is why several
//! instances require Redis).
//!
//! While Redis is unreachable (`link.rs` keeps the connection and knows),
//! locks and leases are not taken anywhere else: chats and jobs wait, their
//! updates stay stored, and the sweep catches up when Redis is back. Rate
//! buckets fall back to this instance's share of the limit (the limit
//! divided by the live instances, counted by heartbeat rows in the database).

mod link;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rand::Rng;

use self::link::Link;
pub use self::link::LinkError;
use crate::store::Store;

/// How long a chat lock lasts unless renewed. Its worker renews it before
/// every update and every few seconds while one is handled, so this is how
/// long the chats of an instance that died (or lost Redis) stay blocked.
pub const CHAT_LOCK_TTL: Duration = Duration::from_secs(15);

/// Heartbeat leases in the database: `instance:<name>`, renewed every
/// [`HEARTBEAT_EVERY`] for [`HEARTBEAT_TTL`].
const INSTANCE_LEASE: &str = "instance:";
const HEARTBEAT_EVERY: Duration = Duration::from_secs(3);
const HEARTBEAT_TTL: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Coord {
    /// This process's name in locks: host, pid and a random part.
    pub instance: String,
    store: Store,
    redis: Option<Link>,
    /// Namespace of our keys in Redis.
    prefix: String,
    local: Arc<Mutex<HashMap<String, LocalBucket>>>,
    /// Instances alive (this one included), from the heartbeat rows.
    live: Arc<AtomicUsize>,
}

/// A chat lock held by one worker: its own token, so a late release can't
/// free a lock taken again since.
#[derive(Debug)]
pub struct ChatLock {
    name: String,
    token: String,
}

/// A token bucket: `rate` per second, up to `burst` at once.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    pub rate: f64,
    pub burst: f64,
}

/// Takes one token from a bucket stored in a Redis hash; returns how many
/// milliseconds to wait when it is empty (0: go). Redis's own clock keeps
/// every instance on one time line. While the bucket is held (`h`: until
/// when, see [`HOLD_SCRIPT`]) nothing is taken and the wait is the rest of
/// the hold, as in [`take_local`].
const BUCKET_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = tonumber(redis.call('HGET', KEYS[1], 'h') or 0)
if held > now then
  return held - now
end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tokens = tonumber(redis.call('HGET', KEYS[1], 't') or burst)
local last = tonumber(redis.call('HGET', KEYS[1], 'l') or now)
tokens = math.min(burst, tokens + (now - last) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'l', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait
"#;

/// Holds a bucket for `ARGV[1]` milliseconds from now (a longer hold
/// already there stays), keeping the key at least that long.
const HOLD_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local held = tonumber(redis.call('HGET', KEYS[1], 'h') or 0)
if now + ms > held then
  redis.call('HSET', KEYS[1], 'h', tostring(now + ms))
end
if redis.call('PTTL', KEYS[1]) < ms + 1000 then
  redis.call('PEXPIRE', KEYS[1], ms + 1000)
end
return 0
"#;

/// Renews a lease its token holds, or takes it if free: 1 if ours after.
/// One script, so nobody can take it between the check and the renewal.
const LEASE_SCRIPT: &str = r#"
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if cur then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"#;

impl Coord {
    /// Coordination for this process. With `redis_url`, connects in the
    /// background (start-up never waits for Redis) and keeps a heartbeat
    /// row in the database so every instance knows how many are alive.
    pub async fn new(store: Store, redis_url: Option<&str>, prefix: &str) -> anyhow::Result<Coord> {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "glean".into());
        let instance = format!("{host}-{}-{:08x}", std::process::id(), rand::thread_rng().r#gen::<u32>());
        let live = Arc::new(AtomicUsize::new(1));
        let redis = match redis_url {
            Some(url) => {
                let link = Link::start(url)?;
                // Most starts find Redis up; a short wait spares the first
                // updates a needless round through the sweep.
                link.connected_within(Duration::from_millis(500)).await;
                tokio::spawn(heartbeat(store.clone(), format!("{INSTANCE_LEASE}{instance}"), Arc::downgrade(&live)));
                Some(link)
            }
            None => None,
        };
        Ok(Coord { instance, store, redis, prefix: prefix.to_string(), local: Default::default(), live })
    }

    pub fn shared(&self) -> bool {
        self.redis.is_some()
    }

    /// Redis's state: `None` without `REDIS_URL`, else whether it answers
    /// and how long it hasn't.
    pub fn redis_state(&self) -> Option<(bool, Duration)> {
        self.redis.as_ref().map(|l| (l.is_up(), l.down_for()))
    }

    /// Takes the lock of one chat: `Ok(None)` when another worker holds it.
    /// With Redis configured the lock lives only in Redis, and an error
    /// (Redis unreachable) means "wait": the caller leaves the chat's
    /// updates stored for the sweep. There is no fallback to the database,
    /// so two instances can't hold one chat in two places.
    pub async fn lock_chat(&self, chat: i64) -> anyhow::Result<Option<ChatLock>> {
        let lock = ChatLock {
            name: format!("chat:{chat}"),
            token: format!("{}:{:016x}", self.instance, rand::thread_rng().r#gen::<u64>()),
        };
        Ok(self.lease(&lock.name, &lock.token, CHAT_LOCK_TTL).await?.then_some(lock))
    }

    /// Extends a chat lock we hold; false when it was lost (it expired and
    /// another worker took it), error when Redis doesn't answer. Either way
    /// the holder stops after the update in hand.
    pub async fn renew_chat(&self, lock: &ChatLock) -> anyhow::Result<bool> {
        self.lease(&lock.name, &lock.token, CHAT_LOCK_TTL).await
    }

    /// Lets go of a chat. If Redis doesn't answer, the release is retried
    /// as soon as it is back (the lock's own token makes that safe), and
    /// meanwhile the lock expires by itself.
    pub async fn unlock_chat(&self, lock: ChatLock) {
        let ChatLock { name, token } = lock;
        match &self.redis {
            Some(link) => {
                let key = format!("{}:lease:{name}", self.prefix);
                let (k, t) = (key.clone(), token.clone());
                let released = link
                    .call(|mut c| async move {
                        redis::Script::new(link::UNLOCK_SCRIPT).key(k).arg(t).invoke_async::<i64>(&mut c).await
                    })
                    .await;
                if released.is_err() {
                    link.unlock_later(key, token);
                }
            }
            None => {
                if let Err(e) = self.store.release_lease(&name, &token).await {
                    tracing::warn!(lock = %name, error = %e, "couldn't release a lock; it expires by itself");
                }
            }
        }
    }

    /// Takes or renews a named lease of this instance for `ttl`. With Redis
    /// configured it lives in Redis only: while Redis is unreachable this
    /// fails, and the jobs wait rather than risk two holders.
    pub async fn try_lease(&self, name: &str, ttl: Duration) -> anyhow::Result<bool> {
        self.lease(name, &self.instance, ttl).await
    }

    /// Takes `name` for `token` if it is free, or renews it if `token`
    /// holds it; one atomic step in either store.
    async fn lease(&self, name: &str, token: &str, ttl: Duration) -> anyhow::Result<bool> {
        match &self.redis {
            Some(link) => {
                let key = format!("{}:lease:{name}", self.prefix);
                let token = token.to_string();
                let ms = ttl.as_millis() as u64;
                let got = link
                    .call(|mut c| async move {
                        redis::Script::new(LEASE_SCRIPT).key(key).arg(token).arg(ms).invoke_async::<i64>(&mut c).await
                    })
                    .await?;
                Ok(got == 1)
            }
            None => {
                let now = chrono::Utc::now().timestamp_millis();
                Ok(self.store.try_lease(name, token, now, now + ttl.as_millis() as i64).await?)
            }
        }
    }

    /// Takes a token from bucket `key`; how long to wait if there is none.
    pub async fn take(&self, key: &str, b: Bucket) -> Duration {
        self.take_at(key, b, Instant::now()).await
    }

    /// [`Coord::take`] at `now` on this process's clock, so that a caller
    /// can record exactly when its token was granted. Only an in-process
    /// bucket uses `now`; Redis's buckets run on Redis's clock.
    pub async fn take_at(&self, key: &str, mut b: Bucket, now: Instant) -> Duration {
        if let Some(link) = &self.redis {
            let key = format!("{}:bucket:{key}", self.prefix);
            let r = link
                .call(|mut c| async move {
                    redis::Script::new(BUCKET_SCRIPT)
                        .key(key)
                        .arg(b.rate)
                        .arg(b.burst)
                        .invoke_async::<i64>(&mut c)
                        .await
                })
                .await;
            if let Ok(ms) = r {
                return Duration::from_millis(ms.max(0) as u64);
            }
            // Redis unreachable: this instance's share of the shared
            // limit, never the whole of it (and never unlimited).
            b = share(b, self.live.load(Ordering::Relaxed));
        }
        let mut local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        if local.len() > 50_000 {
            local.retain(|_, l| {
                now.saturating_duration_since(l.last) < Duration::from_secs(600)
                    || l.held_until.is_some_and(|h| h > now)
            });
        }
        let state =
            local.entry(key.to_string()).or_insert(LocalBucket { tokens: b.burst, last: now, held_until: None });
        take_local(state, b, now)
    }

    /// Holds bucket `key` for `d`: nothing is taken from it until then (on
    /// every instance, with Redis; in this process while Redis is
    /// unreachable). How Telegram's 429 `retry_after` is honoured by
    /// everyone who sends through that bucket.
    pub async fn hold(&self, key: &str, d: Duration) {
        if let Some(link) = &self.redis {
            let key = format!("{}:bucket:{key}", self.prefix);
            let ms = d.as_millis() as u64;
            let r = link
                .call(|mut c| async move {
                    redis::Script::new(HOLD_SCRIPT).key(key).arg(ms).invoke_async::<i64>(&mut c).await
                })
                .await;
            if r.is_ok() {
                return;
            }
        }
        let now = Instant::now();
        let mut local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        let state = local.entry(key.to_string()).or_insert(LocalBucket { tokens: 0.0, last: now, held_until: None });
        hold_local(state, now + d);
    }
}

/// One instance's share of a bucket shared by `live` instances.
fn share(b: Bucket, live: usize) -> Bucket {
    let n = live.max(1) as f64;
    Bucket { rate: b.rate / n, burst: (b.burst / n).max(1.0) }
}

/// Renews this instance's heartbeat row and counts the live ones, until
/// the `Coord` is gone. The count is what rate buckets divide by while
/// Redis is unreachable; the database, not Redis, keeps it for that reason.
async fn heartbeat(store: Store, name: String, live: Weak<AtomicUsize>) {
    loop {
        let Some(count) = live.upgrade() else { return };
        let now = chrono::Utc::now().timestamp_millis();
        let beat = async {
            store.try_lease(&name, &name, now, now + HEARTBEAT_TTL.as_millis() as i64).await?;
            store.count_leases(INSTANCE_LEASE, now).await
        };
        match beat.await {
            Ok(n) => count.store((n as usize).max(1), Ordering::Relaxed),
            Err(e) => tracing::debug!(error = %e, "instance heartbeat failed"),
        }
        drop(count);
        tokio::time::sleep(HEARTBEAT_EVERY).await;
    }
}

/// An in-process bucket: tokens at `last`, and a hold (429) if any.
#[derive(Debug, Clone, Copy)]
struct LocalBucket {
    tokens: f64,
    last: Instant,
    held_until: Option<Instant>,
}

/// One take from an in-process bucket at `now`. While held, nothing is
/// taken and the wait is the rest of the hold; afterwards the bucket
/// refills as usual (never past `burst`, so a hold ends in no burst for a
/// bucket of one).
fn take_local(state: &mut LocalBucket, b: Bucket, now: Instant) -> Duration {
    if let Some(until) = state.held_until {
        if until > now {
            return until - now;
        }
        state.held_until = None;
    }
    // `max`: a caller's `now` may be a moment older than the last take's.
    let last = state.last.max(now);
    state.tokens = (state.tokens + now.saturating_duration_since(state.last).as_secs_f64() * b.rate).min(b.burst);
    state.last = last;
    if state.tokens >= 1.0 {
        state.tokens -= 1.0;
        Duration::ZERO
    } else {
        Duration::from_secs_f64((1.0 - state.tokens) / b.rate)
    }
}

/// Holds an in-process bucket until `until` (a longer hold stays).
fn hold_local(state: &mut LocalBucket, until: Instant) {
    state.held_until = Some(state.held_until.map_or(until, |h| h.max(until)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_sustained_rate() {
        let b = Bucket { rate: 1.0, burst: 3.0 };
        let t0 = Instant::now();
        let mut s = LocalBucket { tokens: 3.0, last: t0, held_until: None };
        for _ in 0..3 {
            assert_eq!(take_local(&mut s, b, t0), Duration::ZERO);
        }
        let wait = take_local(&mut s, b, t0);
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-6, "{wait:?}");
        assert_eq!(take_local(&mut s, b, t0 + Duration::from_millis(1000)), Duration::ZERO);
        assert!(take_local(&mut s, b, t0 + Duration::from_millis(1500)) > Duration::ZERO);
    }

    #[test]
    fn a_hold_stops_takes_then_the_rate_resumes_without_a_burst() {
        let ms = Duration::from_millis;
        let b = Bucket { rate: 25.0, burst: 1.0 };
        let t0 = Instant::now();
        let mut s = LocalBucket { tokens: 1.0, last: t0, held_until: None };
        assert_eq!(take_local(&mut s, b, t0), Duration::ZERO);
        hold_local(&mut s, t0 + ms(3000));
        hold_local(&mut s, t0 + ms(1000)); // a shorter hold doesn't shorten it
        // (at, wait in ms): held until 3 s, then one at a time, 40 ms apart.
        for (at, wait) in [(40, 2960), (2999, 1), (3000, 0), (3001, 39), (3041, 0), (3051, 30), (9000, 0), (9000, 40)] {
            let w = take_local(&mut s, b, t0 + ms(at));
            assert_eq!((w.as_secs_f64() * 1000.0).round() as u64, wait, "at {at} ms: {w:?}");
        }
    }

    #[test]
    fn a_take_a_moment_in_the_past_does_not_refill_twice() {
        let b = Bucket { rate: 1.0, burst: 1.0 };
        let t0 = Instant::now();
        let mut s = LocalBucket { tokens: 1.0, last: t0 + Duration::from_millis(500), held_until: None };
        assert_eq!(take_local(&mut s, b, t0 + Duration::from_millis(500)), Duration::ZERO);
        assert!(take_local(&mut s, b, t0).as_millis() == 1000);
        assert!(take_local(&mut s, b, t0 + Duration::from_millis(1000)) > Duration::ZERO);
        assert_eq!(take_local(&mut s, b, t0 + Duration::from_millis(1500)), Duration::ZERO);
    }

    #[test]
    fn a_share_is_the_limit_divided_by_live_instances() {
        let b = Bucket { rate: 30.0, burst: 3.0 };
        for (live, rate, burst) in [(0, 30.0, 3.0), (1, 30.0, 3.0), (2, 15.0, 1.5), (3, 10.0, 1.0), (10, 3.0, 1.0)] {
            let s = share(b, live);
            assert_eq!((s.rate, s.burst), (rate, burst), "{live} instances");
        }
    }
}
