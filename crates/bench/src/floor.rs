//! The statement floor: what one trivial statement costs through sqlx with
//! pools shaped like the app's (SQLite: 8 readers in WAL mode; PostgreSQL:
//! 16 connections), from many concurrent tasks, with no SQL work to speak
//! of. Every update the bot handles runs several statements, so this bounds
//! updates per second from above, however simple the statements become.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::setup::{Backend, CpuSample, CpuUse, Db, Target};

#[derive(Debug, Clone, clap::Args)]
pub struct Opts {
    /// Concurrent tasks, each running statements back to back.
    #[arg(long, default_value_t = 1_000)]
    pub tasks: u32,
    /// Seconds measured.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
}

pub struct Report {
    pub per_sec: f64,
    pub cpu: CpuUse,
}

pub async fn run(target: &Target, o: &Opts) -> anyhow::Result<Report> {
    let db = Db::fresh(target).await?;
    let result = measure(target, &db, o).await;
    db.drop().await;
    result
}

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

async fn measure(target: &Target, db: &Db, o: &Opts) -> anyhow::Result<Report> {
    let pool = match target.backend {
        Backend::Sqlite => {
            let opts = SqliteConnectOptions::new()
                .filename(db.url.trim_start_matches("sqlite://"))
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal);
            Pool::Sqlite(SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?)
        }
        Backend::Postgres => {
            let opts = PgConnectOptions::from_str(&db.url)?;
            Pool::Postgres(PgPoolOptions::new().max_connections(16).connect_with(opts).await?)
        }
    };
    let pool = Arc::new(pool);
    let done = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(o.duration);
    let cpu0 = CpuSample::take(None);
    let mut tasks = Vec::new();
    for t in 0..o.tasks {
        let (pool, done) = (pool.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0i64;
            while Instant::now() < end {
                let v: i64 = match &*pool {
                    Pool::Sqlite(p) => sqlx::query_scalar("SELECT $1").bind(n).fetch_one(p).await?,
                    Pool::Postgres(p) => sqlx::query_scalar("SELECT $1::BIGINT").bind(n).fetch_one(p).await?,
                };
                anyhow::ensure!(v == n, "task {t}: asked for {n}, got {v}");
                n += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let cpu = cpu0.cores_until(&CpuSample::take(None));
    match &*pool {
        Pool::Sqlite(p) => p.close().await,
        Pool::Postgres(p) => p.close().await,
    }
    Ok(Report { per_sec: done.load(Ordering::Relaxed) as f64 / o.duration as f64, cpu })
}

pub fn print(target: &Target, o: &Opts, r: &Report) {
    println!("## statement floor · {} · {} tasks · `SELECT $1` through sqlx", target.backend.name(), o.tasks);
    println!("  statements/s: {:.0} · {}", r.per_sec, r.cpu);
}
