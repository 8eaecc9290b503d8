//! The SQL side of `glean backup` and `glean restore`: SQLite's online copy
//! (`VACUUM INTO`), and the checks made before a database is replaced.
//! PostgreSQL itself is dumped and restored by `pg_dump`/`pg_restore`
//! (see `crate::backup`).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection};

use super::{Db, Store};

impl Store {
    /// Writes a consistent copy of this SQLite database to `path`, which
    /// must not exist yet. Runs online: other connections keep reading and
    /// writing, and the copy is one snapshot. Images live in the database,
    /// so they are included.
    pub async fn backup_sqlite(&self, path: &Path) -> anyhow::Result<()> {
        let Db::Sqlite { read, .. } = &self.db else {
            bail!("backup_sqlite needs an SQLite database; PostgreSQL is backed up with pg_dump");
        };
        let target = path.to_str().context("the backup path must be valid UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(read)
            .await
            .with_context(|| format!("VACUUM INTO {}", path.display()))?;
        Ok(())
    }

    /// Checks that the SQLite file at `path` is a sound Glean database
    /// (`PRAGMA quick_check`, and migrations recorded in `_sqlx_migrations`),
    /// without writing anything next to it. Returns the number of migrations.
    pub async fn inspect_sqlite_file(path: &Path) -> anyhow::Result<i64> {
        let opts = SqliteConnectOptions::new().filename(path).read_only(true).immutable(true);
        let mut conn = opts.connect().await.with_context(|| format!("can't open {} as SQLite", path.display()))?;
        let check: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&mut conn)
            .await
            .with_context(|| format!("{} is not an SQLite database", path.display()))?;
        if check != "ok" {
            bail!("{} is damaged: {check}", path.display());
        }
        let glean: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'offers')",
        )
        .fetch_one(&mut conn)
        .await?;
        if glean != 2 {
            bail!("{} is an SQLite database but not a Glean one (no _sqlx_migrations or offers table)", path.display());
        }
        let migrations: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(&mut conn).await?;
        conn.close().await.ok();
        Ok(migrations)
    }

    /// Whether some connection, in this or another process, has the SQLite
    /// database at `path` open. Every connection to a WAL database holds a
    /// shared lock on the file while it is open, so taking the file for
    /// ourselves alone fails exactly when someone else is there.
    pub async fn sqlite_file_in_use(path: &Path) -> anyhow::Result<bool> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .locking_mode(SqliteLockingMode::Exclusive)
            .busy_timeout(Duration::ZERO);
        let mut conn = opts.connect().await.with_context(|| format!("can't open {}", path.display()))?;
        let taken = sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await;
        let in_use = match taken {
            Ok(_) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await?;
                false
            }
            Err(sqlx::Error::Database(e)) if e.message().contains("locked") || e.message().contains("busy") => true,
            Err(e) => return Err(anyhow::Error::new(e).context(format!("can't lock {}", path.display()))),
        };
        conn.close().await.ok();
        Ok(in_use)
    }

    /// How many other sessions are connected to the PostgreSQL database of
    /// `opts` (running Glean instances, psql…), over one fresh connection.
    pub async fn postgres_sessions_elsewhere(opts: &PgConnectOptions) -> anyhow::Result<i64> {
        let mut conn = opts.connect().await.context("can't connect to PostgreSQL")?;
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        .fetch_one(&mut conn)
        .await?;
        conn.close().await.ok();
        Ok(n)
    }
}
