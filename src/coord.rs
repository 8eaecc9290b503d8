//! Coordination between instances: per-chat locks, the jobs lease and rate
//! buckets. With `REDIS_URL` they live in Redis (shared by every instance);
//! without it, locks and leases live in the database's `leases` table and
//! buckets in this process (enough for one instance, which is why several
//! instances require Redis).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use redis::aio::ConnectionManager;

use crate::store::Store;

/// How long a chat lock or the jobs lease lasts unless renewed.
pub const CHAT_LOCK_TTL: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Coord {
    /// This process's name in locks: host, pid and a random part.
    pub instance: String,
    store: Store,
    redis: Option<ConnectionManager>,
    /// Namespace of our keys in Redis.
    prefix: String,
    local: Arc<Mutex<HashMap<String, LocalBucket>>>,
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

/// Deletes a lock only if we still hold it.
const UNLOCK_SCRIPT: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end
"#;

impl Coord {
    pub async fn new(store: Store, redis_url: Option<&str>, prefix: &str) -> anyhow::Result<Coord> {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "glean".into());
        let instance = format!("{host}-{}-{:08x}", std::process::id(), rand::thread_rng().r#gen::<u32>());
        let redis = match redis_url {
            Some(url) => {
                let client = redis::Client::open(url)?;
                Some(ConnectionManager::new(client).await?)
            }
            None => None,
        };
        Ok(Coord { instance, store, redis, prefix: prefix.to_string(), local: Default::default() })
    }

    pub fn shared(&self) -> bool {
        self.redis.is_some()
    }

    /// Takes the lock of one chat for this instance.
    pub async fn try_lock_chat(&self, chat: i64) -> anyhow::Result<bool> {
        self.try_lease(&format!("chat:{chat}"), CHAT_LOCK_TTL).await
    }

    pub async fn unlock_chat(&self, chat: i64) -> anyhow::Result<()> {
        let name = format!("chat:{chat}");
        match &self.redis {
            Some(conn) => {
                let mut conn = conn.clone();
                let _: i64 = redis::Script::new(UNLOCK_SCRIPT)
                    .key(format!("{}:lease:{name}", self.prefix))
                    .arg(&self.instance)
                    .invoke_async(&mut conn)
                    .await?;
            }
            None => self.store.release_lease(&name, &self.instance).await?,
        }
        Ok(())
    }

    /// Takes or renews a named lease for `ttl`.
    pub async fn try_lease(&self, name: &str, ttl: Duration) -> anyhow::Result<bool> {
        match &self.redis {
            Some(conn) => {
                let mut conn = conn.clone();
                let key = format!("{}:lease:{name}", self.prefix);
                // Renew if ours, else take it only if free.
                let got: Option<String> = redis::cmd("SET")
                    .arg(&key)
                    .arg(&self.instance)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl.as_millis() as u64)
                    .query_async(&mut conn)
                    .await?;
                if got.is_some() {
                    return Ok(true);
                }
                let holder: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut conn).await?;
                if holder.as_deref() == Some(self.instance.as_str()) {
                    let _: () =
                        redis::cmd("PEXPIRE").arg(&key).arg(ttl.as_millis() as u64).query_async(&mut conn).await?;
                    return Ok(true);
                }
                Ok(false)
            }
            None => {
                let now = chrono::Utc::now().timestamp_millis();
                Ok(self.store.try_lease(name, &self.instance, now, now + ttl.as_millis() as i64).await?)
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
    pub async fn take_at(&self, key: &str, b: Bucket, now: Instant) -> Duration {
        if let Some(conn) = &self.redis {
            let mut conn = conn.clone();
            let r: Result<i64, _> = redis::Script::new(BUCKET_SCRIPT)
                .key(format!("{}:bucket:{key}", self.prefix))
                .arg(b.rate)
                .arg(b.burst)
                .invoke_async(&mut conn)
                .await;
            match r {
                Ok(ms) => return Duration::from_millis(ms.max(0) as u64),
                // Redis unreachable: fall back to this process's bucket
                // rather than stopping every send.
                Err(e) => tracing::warn!(error = %e, "rate bucket in Redis failed; using a local one"),
            }
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
    /// every instance, with Redis). How Telegram's 429 `retry_after` is
    /// honoured by everyone who sends through that bucket.
    pub async fn hold(&self, key: &str, d: Duration) {
        if let Some(conn) = &self.redis {
            let mut conn = conn.clone();
            let r: Result<i64, _> = redis::Script::new(HOLD_SCRIPT)
                .key(format!("{}:bucket:{key}", self.prefix))
                .arg(d.as_millis() as u64)
                .invoke_async(&mut conn)
                .await;
            match r {
                Ok(_) => return,
                Err(e) => tracing::warn!(error = %e, "holding a rate bucket in Redis failed; holding a local one"),
            }
        }
        let now = Instant::now();
        let mut local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        let state = local.entry(key.to_string()).or_insert(LocalBucket { tokens: 0.0, last: now, held_until: None });
        hold_local(state, now + d);
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
}
