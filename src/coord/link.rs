//! The connection to Redis, kept alive by one background task.
//!
//! Every call has a timeout, and a call made while Redis is known to be
//! unreachable fails at once instead of queueing behind a dead socket: the
//! callers then degrade (see `Coord`). The task connects with backoff (100 ms
//! doubling to 2 s, with jitter), checks a live connection with `PING` every
//! second (a half-open socket shows up there, not only when a call fails),
//! and says once in the log that Redis is down and once that it is back.
//!
//! Why not `redis::aio::ConnectionManager`: its constructor fails when Redis
//! is down at start-up, and while it reconnects every command awaits the one
//! reconnection future, whose backoff starts at 1 s and is multiplied by the
//! factor (100 by default, capped at 60 s) for six retries: minutes of every
//! task waiting on a dead connection, which is how a 15-second outage stopped
//! the bot. It also can't tell anyone whether Redis is up.

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rand::Rng;
use redis::aio::MultiplexedConnection;

/// The longest any one Redis call may take before it counts as failed.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(1);
/// The longest one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How often a live connection is checked.
const PROBE_EVERY: Duration = Duration::from_secs(1);
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// Why a Redis call didn't answer.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("Redis is unreachable")]
    Down,
    #[error("Redis didn't answer within {CALL_TIMEOUT:?}")]
    Timeout,
    #[error(transparent)]
    Redis(#[from] redis::RedisError),
}

/// A shared handle on the connection; clones share it.
#[derive(Clone)]
pub struct Link {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    /// The live connection and its generation (so a failure seen on an old
    /// connection doesn't drop a newer one); `None` while down.
    conn: Mutex<Option<(u64, MultiplexedConnection)>>,
    generation: AtomicU64,
    up: AtomicBool,
    /// When a call last succeeded (or, before any did, when we started).
    last_ok: Mutex<Instant>,
    /// Wakes the task when a call found the connection broken.
    broken: tokio::sync::Notify,
    /// Locks whose release failed while Redis was down: `(key, token)`,
    /// released as soon as it is back, before anything else uses it.
    unlock_later: Mutex<HashSet<(String, String)>>,
}

impl Link {
    /// Starts connecting in the background; never waits for Redis, so an
    /// instance starts (and stores updates) while Redis is down.
    pub fn start(url: &str) -> anyhow::Result<Link> {
        let client = redis::Client::open(url)?;
        let inner = Arc::new(Inner {
            client,
            conn: Mutex::new(None),
            generation: AtomicU64::new(0),
            up: AtomicBool::new(false),
            last_ok: Mutex::new(Instant::now()),
            broken: tokio::sync::Notify::new(),
            unlock_later: Mutex::new(HashSet::new()),
        });
        tokio::spawn(keep_alive(Arc::downgrade(&inner)));
        Ok(Link { inner })
    }

    /// Waits up to `wait` for the first connection; true when connected.
    pub async fn connected_within(&self, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        while !self.is_up() && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.is_up()
    }

    /// Whether the last check or call reached Redis.
    pub fn is_up(&self) -> bool {
        self.inner.up.load(Ordering::SeqCst)
    }

    /// How long since Redis last answered (zero while it is up).
    pub fn down_for(&self) -> Duration {
        self.inner.down_for()
    }

    /// Runs one call on the connection, within [`CALL_TIMEOUT`]. Fails at
    /// once while Redis is down. A broken connection is dropped and the
    /// background task reconnects.
    pub async fn call<T, F, Fut>(&self, f: F) -> Result<T, LinkError>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let Some((generation, conn)) = lock(&self.inner.conn).clone() else {
            crate::metrics::redis_error();
            return Err(LinkError::Down);
        };
        match tokio::time::timeout(CALL_TIMEOUT, f(conn)).await {
            Ok(Ok(v)) => {
                *lock(&self.inner.last_ok) = Instant::now();
                Ok(v)
            }
            Ok(Err(e)) => {
                crate::metrics::redis_error();
                if e.is_io_error() || e.is_unrecoverable_error() {
                    self.inner.lost(generation, &e.to_string());
                }
                Err(e.into())
            }
            Err(_) => {
                crate::metrics::redis_error();
                self.inner.lost(generation, "a call timed out");
                Err(LinkError::Timeout)
            }
        }
    }

    /// Remembers a lock to release once Redis answers again.
    pub fn unlock_later(&self, key: String, token: String) {
        lock(&self.inner.unlock_later).insert((key, token));
    }
}

/// Deletes a lock only if the token is still the holder's.
pub const UNLOCK_SCRIPT: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end
"#;

impl Inner {
    fn down_for(&self) -> Duration {
        if self.up.load(Ordering::SeqCst) { Duration::ZERO } else { lock(&self.last_ok).elapsed() }
    }

    /// Drops connection `generation` if it is still the current one, and
    /// says so once.
    fn lost(&self, generation: u64, why: &str) {
        {
            let mut conn = lock(&self.conn);
            if conn.as_ref().is_some_and(|(g, _)| *g == generation) {
                *conn = None;
            }
        }
        if self.up.swap(false, Ordering::SeqCst) {
            tracing::error!(
                error = why,
                "Redis is unreachable: chat locks and the jobs lease wait for it; send limits are per instance"
            );
        }
        self.broken.notify_one();
    }
}

/// The background task: connect with backoff, probe while connected; ends
/// when every handle is gone.
async fn keep_alive(weak: Weak<Inner>) {
    let mut backoff = BACKOFF_MIN;
    let mut first = true;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        crate::metrics::redis_unreachable_for(inner.down_for());
        let current = lock(&inner.conn).clone();
        match current {
            Some((generation, mut conn)) => {
                let ping = redis::cmd("PING");
                match tokio::time::timeout(CALL_TIMEOUT, ping.query_async::<String>(&mut conn)).await {
                    Ok(Ok(_)) => *lock(&inner.last_ok) = Instant::now(),
                    Ok(Err(e)) => {
                        crate::metrics::redis_error();
                        inner.lost(generation, &e.to_string());
                    }
                    Err(_) => {
                        crate::metrics::redis_error();
                        inner.lost(generation, "PING timed out");
                    }
                }
                tokio::select! {
                    _ = inner.broken.notified() => {}
                    _ = tokio::time::sleep(PROBE_EVERY) => {}
                }
            }
            None => match connect(&inner).await {
                Ok(conn) => {
                    release_orphans(&inner, conn.clone()).await;
                    let generation = inner.generation.fetch_add(1, Ordering::SeqCst) + 1;
                    *lock(&inner.conn) = Some((generation, conn));
                    *lock(&inner.last_ok) = Instant::now();
                    inner.up.store(true, Ordering::SeqCst);
                    crate::metrics::redis_unreachable_for(Duration::ZERO);
                    if first {
                        tracing::info!("Redis connected");
                    } else {
                        tracing::info!("Redis is reachable again: chat locks, the jobs lease and shared limits resume");
                    }
                    first = false;
                    backoff = BACKOFF_MIN;
                }
                Err(e) => {
                    crate::metrics::redis_error();
                    if first {
                        first = false;
                        tracing::error!(error = %e, "Redis is unreachable at start-up; chat locks and the jobs lease wait for it");
                    }
                    drop(inner);
                    let jitter = rand::thread_rng().gen_range(0..=backoff.as_millis() as u64 / 2);
                    tokio::time::sleep(backoff + Duration::from_millis(jitter)).await;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                }
            },
        }
    }
}

/// One connection attempt, checked with `PING` (a Redis still loading its
/// data accepts connections but refuses commands).
async fn connect(inner: &Inner) -> Result<MultiplexedConnection, LinkError> {
    let config =
        redis::AsyncConnectionConfig::new().set_connection_timeout(CONNECT_TIMEOUT).set_response_timeout(CALL_TIMEOUT);
    let attempt = async {
        let mut conn = inner.client.get_multiplexed_async_connection_with_config(&config).await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await?;
        Ok::<_, redis::RedisError>(conn)
    };
    match tokio::time::timeout(CONNECT_TIMEOUT + CALL_TIMEOUT, attempt).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(LinkError::Timeout),
    }
}

/// Releases the locks whose release failed while Redis was down. Runs
/// before the connection is handed out; each lock carries its own token, so
/// a lock taken again since is never deleted.
async fn release_orphans(inner: &Inner, mut conn: MultiplexedConnection) {
    let orphans: Vec<(String, String)> = lock(&inner.unlock_later).drain().collect();
    for (key, token) in orphans {
        let released = tokio::time::timeout(
            CALL_TIMEOUT,
            redis::Script::new(UNLOCK_SCRIPT).key(&key).arg(&token).invoke_async::<i64>(&mut conn),
        )
        .await;
        if !matches!(released, Ok(Ok(_))) {
            lock(&inner.unlock_later).insert((key, token));
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
