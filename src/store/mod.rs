//! All SQL lives here. One [`Store`] over SQLite or PostgreSQL; the same SQL
//! text serves both (sqlx binds `$N` by number on SQLite too), and the few
//! places that must differ say so.
//!
//! Invariants kept by the database, not by application locks:
//! - stock: `CHECK (reserved + sold <= quantity)` and every change of
//!   `reserved`/`sold` is one conditional `UPDATE`;
//! - states: every status change is `UPDATE … WHERE status IN (allowed)`,
//!   with the allowed sources taken from the domain's transition tables;
//! - idempotency: an external event is acted on only if its row in
//!   `processed_events` was inserted in the same transaction.

mod admission;
mod alerts;
mod backlog;
mod backup;
mod businesses;
mod charities;
mod connect;
mod discovery;
mod inbound;
mod leases;
mod ledger;
mod lite;
mod misc;
mod notices;
mod offers;
mod outbox;
mod privacy;
mod purchases;
mod seed;
mod sharing;
mod waitlist;
mod watches;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use alerts::{FollowedBusiness, GeoBox, StoredAlert, StoredQuiet};
pub use backlog::Backlog;
pub use businesses::{Business, NewBusiness, NewVenue, Venue};
pub use charities::{Charity, DonationCandidate, DonationOutcome, Registration};
pub use connect::{AccountChange, ConnectAccount};
pub use discovery::{Candidate, NearKey, NearRow, RANKING_POOL, popularity};
pub use inbound::InboundUpdate;
pub use ledger::PayoutNews;
pub use ledger::{LedgerEntry, NewEntry};
pub use misc::{AuditEntry, StoredImage, User};
pub use notices::{Notice, SENDING_LEASE, To};
pub(crate) use notices::{notice_chat, notice_purchase};
pub use offers::{Item, NewOffer, Offer, OfferFilter, QuantityError};
pub use outbox::{Claimed, FanOut, Notification, NotificationStatus, PRIORITY_FOLLOWER, PRIORITY_NEARBY, Publication};
pub use privacy::{EraseRefused, Erased, Erasure, OPEN_ORDERS, OPEN_REFUNDS, PersonalData, anonymous_label};
pub use purchases::{
    EventRef, NewPurchase, PaidOutcome, PaymentMethod, PickupError, Purchase, PurchaseLine, ReserveError, ReservedLine,
};
pub use sharing::{CARD_CLAIM, SharedCard};
pub use waitlist::{JoinError, Joined, NewWait, WaitEntry, WaitlistRules};
pub use watches::OpenWatch;

use crate::config::DatabaseUrl;

/// Failures callers branch on, plus everything else.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A conditional update matched nothing: the row is not in a state that
    /// allows the change (someone else got there first, or it never could).
    #[error("{0}")]
    Transition(#[from] crate::domain::TransitionError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            e => StoreError::Unexpected(anyhow::Error::new(e)),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            e => StoreError::Unexpected(anyhow::Error::new(e)),
        }
    }
}

impl From<crate::domain::UnknownVariant> for StoreError {
    fn from(e: crate::domain::UnknownVariant) -> Self {
        StoreError::Unexpected(e.into())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A PostgreSQL connection idle this long is pinged before it is used.
const PG_PING_AFTER_IDLE: Duration = Duration::from_secs(10);

/// Which database, with its pools. SQLite writes go through a pool of one
/// connection so writers queue fairly instead of spinning on the busy
/// handler; correctness still comes from the conditional statements (two
/// processes on one file each have their own writer and stay correct).
#[derive(Clone)]
enum Db {
    Sqlite { read: SqlitePool, write: SqlitePool, lite: std::sync::Arc<lite::Lite> },
    Postgres(PgPool),
}

/// The one entry point to the database.
#[derive(Clone)]
pub struct Store {
    db: Db,
    /// PostgreSQL: a few reservations of one offer at a time (`admission`).
    admission: admission::Admission,
    /// How units that come back are handed to people waiting.
    waitlist: WaitlistRules,
    /// The ranking pool without a location, shared until `offers_epoch` moves.
    pool_cache: std::sync::Arc<discovery::PoolCache>,
}

/// Runs `$body` with `$c` bound to the pool for reads or writes.
macro_rules! with_pool {
    ($store:expr, read, $c:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite { read: $c, .. } => $body,
            $crate::store::Db::Postgres($c) => $body,
        }
    };
    ($store:expr, write, $c:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite { write: $c, .. } => $body,
            $crate::store::Db::Postgres($c) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Runs `$body` inside one transaction bound to `$tx`, committing if the
/// body finishes; `return`/`?` inside the body rolls back. On SQLite the
/// transaction is `BEGIN IMMEDIATE`, taking the write lock up front so two
/// writers never deadlock upgrading a read lock.
macro_rules! with_tx {
    ($store:expr, $tx:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite { write, .. } => {
                #[allow(unused_mut)]
                let mut $tx = write.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::store::Db::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}
pub(crate) use with_tx;

/// Logs an entry of the audit log, as every write of one does
/// ([`audit!`], and a reservation's row written with its purchase).
pub(crate) fn log_audit(actor: &str, action: &str, kind: &str, id: i64) {
    tracing::info!(target: "glean::audit", actor = %actor, action = %action, target_kind = %kind, target_id = id, "audit");
}

/// Appends to the audit log inside the current transaction.
macro_rules! audit {
    ($tx:expr, $now:expr, $actor:expr, $action:expr, $kind:expr, $id:expr, $before:expr, $after:expr) => {
        $crate::store::log_audit(&$actor.label(), $action, $kind, $id);
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, target_kind, target_id, before, after) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($crate::store::ts($now))
        .bind($actor.label())
        .bind($action)
        .bind($kind)
        .bind($id)
        .bind($before)
        .bind($after)
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use audit;

/// Records an external event inside a transaction; yields false when it
/// was recorded before (the caller then changes nothing).
macro_rules! record_event {
    ($tx:expr, $ev:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO processed_events (source, event_id, processed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind($ev.source)
        .bind($ev.id)
        .bind($crate::store::ts($now))
        .execute(&mut *$tx)
        .await?
        .rows_affected()
            == 1
    };
}
pub(crate) use record_event;

/// `'a', 'b'` for a SQL `IN (…)` list of status strings. Statuses are our
/// own constants (never user input), so inlining them is safe.
pub(crate) fn sql_list(items: impl IntoIterator<Item = &'static str>) -> String {
    items.into_iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
}

/// Binds every value of `$values` (a slice of `Copy` values) to `$query`,
/// in order: the ids of [`id_params`].
macro_rules! bind_all {
    ($query:expr, $values:expr) => {{
        let mut q = $query;
        for v in $values {
            q = q.bind(*v);
        }
        q
    }};
}
pub(crate) use bind_all;

/// Placeholders `$first, $first+1, …` for a list of ids, and the ids to
/// bind to them: the list padded with its last id to a power of two, so
/// lists of any length share a few prepared statements (an id list
/// written into the SQL would prepare a new statement every time).
/// `ids` must not be empty.
pub(crate) fn id_params(first: usize, ids: &[i64]) -> (String, Vec<i64>) {
    let slots = ids.len().next_power_of_two();
    let placeholders = (first..first + slots).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
    let last = ids.last().copied().unwrap_or_default();
    let padded = (0..slots).map(|i| ids.get(i).copied().unwrap_or(last)).collect();
    (placeholders, padded)
}

pub(crate) fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub(crate) fn dt(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Who did something, for the audit log.
#[derive(Debug, Clone)]
pub enum Actor {
    User(i64),
    Admin(i64),
    System,
    Stripe,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::User(id) => format!("user:{id}"),
            Actor::Admin(id) => format!("admin:{id}"),
            Actor::System => "system".into(),
            Actor::Stripe => "stripe".into(),
        }
    }
}

impl Store {
    /// Connects to the database named by `url`, creating an SQLite file if
    /// it does not exist yet.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Store> {
        match url {
            DatabaseUrl::Sqlite(path) => Self::connect_sqlite(path).await,
            DatabaseUrl::Postgres(url) => {
                let opts = PgConnectOptions::from_str(url.expose_secret()).context("invalid PostgreSQL URL")?;
                Self::connect_postgres(opts, 16).await
            }
        }
    }

    pub async fn connect_sqlite(path: &str) -> anyhow::Result<Store> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        // A connection to a local file can't go stale: no ping before each
        // use (sqlx's default), which on SQLite is a round trip to the
        // connection's thread for every statement run on the pool.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await
            .with_context(|| format!("can't open SQLite database {path:?}"))?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(opts)
            .await
            .with_context(|| format!("can't open SQLite database {path:?}"))?;
        Ok(Store {
            db: Db::Sqlite { read, write, lite: std::sync::Arc::new(lite::Lite::new(path)) },
            admission: Default::default(),
            waitlist: Default::default(),
            pool_cache: Default::default(),
        })
    }

    pub async fn connect_postgres(opts: PgConnectOptions, max_connections: u32) -> anyhow::Result<Store> {
        // sqlx pings every connection before handing it out: a network
        // round trip per statement run on the pool. Only a connection idle
        // for a while can have been dropped by the server or a proxy, so
        // only such a connection is pinged.
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PG_PING_AFTER_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .context("can't connect to PostgreSQL")?;
        Ok(Store {
            db: Db::Postgres(pool),
            admission: Default::default(),
            waitlist: Default::default(),
            pool_cache: Default::default(),
        })
    }

    /// Applies pending migrations for this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.db {
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
        .context("database migration failed")
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, read, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ())?);
        Ok(())
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write, lite } => {
                lite.close();
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
