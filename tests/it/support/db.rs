//! Fresh databases for tests: an SQLite file in a temporary directory
//! always; a fresh PostgreSQL schema when `TEST_DATABASE_URL` is set.
//! Under CI (`CI=true`) a missing `TEST_DATABASE_URL` fails the test
//! instead of skipping it.

use std::str::FromStr;

use glean::config::DatabaseUrl;
use glean::store::Store;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A migrated, empty database and a way to open more pools on it.
pub struct TestDb {
    pub store: Store,
    pub backend: Backend,
    /// What `DATABASE_URL` would be for a separate process on this database.
    pub url: String,
    pg_opts: Option<PgConnectOptions>,
    _dir: Option<TempDir>,
}

impl TestDb {
    /// An independent store (its own pools) on the same database, as a
    /// second process would have.
    pub async fn another_store(&self) -> Store {
        match (&self.pg_opts, self.backend) {
            (Some(opts), Backend::Postgres) => Store::connect_postgres(opts.clone(), 16).await.expect("connect"),
            _ => Store::connect_sqlite(self.url.trim_start_matches("sqlite://")).await.expect("open sqlite"),
        }
    }

    /// Runs one statement behind the store's back and says whether the
    /// database took it (the error's text if not).
    pub async fn try_execute(&self, sql: &str) -> Result<(), String> {
        match (&self.pg_opts, self.backend) {
            (Some(opts), Backend::Postgres) => {
                let mut c = PgConnection::connect_with(opts).await.expect("connect");
                let r = c.execute(sql).await.map(drop).map_err(|e| e.to_string());
                c.close().await.ok();
                r
            }
            _ => {
                let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(self.url.trim_start_matches("sqlite://"));
                let mut c = sqlx::SqliteConnection::connect_with(&opts).await.expect("open sqlite");
                let r = c.execute(sql).await.map(drop).map_err(|e| e.to_string());
                c.close().await.ok();
                r
            }
        }
    }

    /// Runs one statement behind the store's back: for a test that needs
    /// the database as time would have left it (rows older than they are).
    pub async fn execute(&self, sql: &str) {
        match (&self.pg_opts, self.backend) {
            (Some(opts), Backend::Postgres) => {
                let mut c = PgConnection::connect_with(opts).await.expect("connect");
                c.execute(sql).await.expect("statement");
                c.close().await.ok();
            }
            _ => {
                let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(self.url.trim_start_matches("sqlite://"));
                let mut c = sqlx::SqliteConnection::connect_with(&opts).await.expect("open sqlite");
                c.execute(sql).await.expect("statement");
                c.close().await.ok();
            }
        }
    }
}

impl TestDb {
    /// Every `table.column` of the database holding `needle` anywhere in
    /// its value read as text: all tables and columns from the catalog
    /// (`sqlite_master` and `pragma_table_xinfo`, or `information_schema`),
    /// so a table or column added later is searched too.
    pub async fn columns_containing(&self, needle: &str) -> Vec<String> {
        let pattern = format!("%{needle}%");
        let mut found = Vec::new();
        match (&self.pg_opts, self.backend) {
            (Some(opts), Backend::Postgres) => {
                let mut c = PgConnection::connect_with(opts).await.expect("connect");
                let columns: Vec<(String, String)> = sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
                )
                .fetch_all(&mut c)
                .await
                .expect("catalog");
                assert!(columns.len() > 20, "the catalog lists the schema: {columns:?}");
                for (table, column) in columns {
                    let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE $1");
                    let n: i64 = sqlx::query_scalar(&sql).bind(&pattern).fetch_one(&mut c).await.expect("scan");
                    if n > 0 {
                        found.push(format!("{table}.{column}"));
                    }
                }
                c.close().await.ok();
            }
            _ => {
                let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(self.url.trim_start_matches("sqlite://"));
                let mut c = sqlx::SqliteConnection::connect_with(&opts).await.expect("open sqlite");
                let columns: Vec<(String, String)> = sqlx::query_as(
                    "SELECT m.name, c.name FROM sqlite_master m, pragma_table_xinfo(m.name) c \
                     WHERE m.type = 'table' ORDER BY m.name, c.cid",
                )
                .fetch_all(&mut c)
                .await
                .expect("catalog");
                assert!(columns.len() > 20, "the catalog lists the schema: {columns:?}");
                for (table, column) in columns {
                    let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE $1");
                    let n: i64 = sqlx::query_scalar(&sql).bind(&pattern).fetch_one(&mut c).await.expect("scan");
                    if n > 0 {
                        found.push(format!("{table}.{column}"));
                    }
                }
                c.close().await.ok();
            }
        }
        found
    }
}

/// The PostgreSQL base URL for tests, or `None` (having said why) when the
/// suite should skip PostgreSQL.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("TEST_DATABASE_URL is not set under CI: PostgreSQL tests must run, not skip");
            }
            skipped("the PostgreSQL variants pass without running (set TEST_DATABASE_URL=postgres://… to run them)");
            None
        }
    }
}

/// Says once per reason and test binary, past the test harness's output capture (so
/// `cargo test` shows it), that some tests were skipped and why.
pub fn skipped(why: &str) {
    use std::io::Write as _;
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if !said.iter().any(|w| w == why) {
        said.push(why.to_string());
        let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
    }
}

pub async fn fresh(backend: Backend) -> Option<TestDb> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("glean.db");
            let path = path.to_str().expect("utf-8 temp path").to_string();
            let store = Store::connect(&DatabaseUrl::Sqlite(path.clone())).await.expect("open sqlite");
            store.migrate().await.expect("migrate sqlite");
            Some(TestDb { store, backend, url: format!("sqlite://{path}"), pg_opts: None, _dir: Some(dir) })
        }
        Backend::Postgres => {
            let base = postgres_url()?;
            let schema = format!("t_{}_{}", std::process::id(), rand_suffix());
            let mut conn = PgConnection::connect(&base).await.expect("connect to TEST_DATABASE_URL");
            conn.execute(format!("CREATE SCHEMA {schema}").as_str()).await.expect("create schema");
            conn.close().await.ok();
            let opts = PgConnectOptions::from_str(&base)
                .expect("TEST_DATABASE_URL")
                .options([("search_path", schema.as_str())]);
            let store = Store::connect_postgres(opts.clone(), 16).await.expect("connect");
            store.migrate().await.expect("migrate postgres");
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}options[search_path]={schema}");
            Some(TestDb { store, backend, url, pg_opts: Some(opts), _dir: None })
        }
    }
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{nanos:x}{n}")
}

/// Declares each listed `async fn name(db: TestDb)` as two tests,
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::support::db::fresh($crate::support::db::Backend::Sqlite).await.expect("sqlite");
                    super::$name(db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::support::db::fresh($crate::support::db::Backend::Postgres).await {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}
