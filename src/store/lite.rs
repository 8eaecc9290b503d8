//! SQLite without a thread hop per statement, for the statements every
//! update runs.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every
//! statement to it, and every row back, over channels: two thread switches
//! a statement and one more a row, which under load cost the app more than
//! SQLite itself (BENCHMARKS.md §1, §7). The statements on the bot's path
//! for every update (the user, the frozen deal lists, a page of deals, the
//! nearest deals, the handled marks) run here instead, through `rusqlite`
//! on connections of our own, on the calling task's thread: a statement is
//! tens of microseconds of SQLite and no hand-off.
//!
//! - Reads take an idle connection (or open one), run, and put it back.
//! - Writes run on one writer connection while holding the sqlx write
//!   pool's only connection, so writers of both kinds queue in one line
//!   and never wait for each other inside SQLite's busy handler.
//! - The SQL text is the same as sqlx's: `$1`, `$2`, … are bound by their
//!   number ([`bind`]), as sqlx binds them.
//!
//! A second process on the same file (SQLite is the single-instance
//! setup; several instances share PostgreSQL) stays correct: its writes
//! wait for ours in SQLite's busy handler, here on the task's thread.
//!
//! Everything else in the store keeps using sqlx; the store's suite runs
//! the same tests over both paths on SQLite and over PostgreSQL.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Statement, ToSql};
use sqlx::SqlitePool;

use super::Result;

/// Idle read connections kept open. Statements here never wait, so at most
/// one per thread running tasks is ever in use.
const IDLE_MAX: usize = 8;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 64;

pub(crate) struct Lite {
    path: String,
    idle: Mutex<Vec<Connection>>,
    writer: Mutex<Option<Connection>>,
}

impl Lite {
    pub(crate) fn new(path: &str) -> Lite {
        Lite { path: path.to_string(), idle: Mutex::new(Vec::new()), writer: Mutex::new(None) }
    }

    /// A connection set up as sqlx sets up its own (`Store::connect_sqlite`):
    /// the file is in WAL mode already.
    fn open(&self) -> rusqlite::Result<Connection> {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        c.busy_timeout(Duration::from_secs(10))?;
        c.pragma_update(None, "foreign_keys", true)?;
        c.pragma_update(None, "synchronous", "NORMAL")?;
        c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(c)
    }

    /// Runs `f` on a read connection, here and now.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_MAX {
            idle.push(conn);
        }
        Ok(out?)
    }

    /// Runs `f` on the writer connection once it is this caller's turn in
    /// `gate` (the sqlx write pool of one connection). `f`'s statements
    /// are one transaction if `f` opens one; a single statement commits by
    /// itself.
    pub(crate) async fn write<T>(
        &self,
        gate: &SqlitePool,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let _turn = gate.acquire().await?;
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = match writer.take() {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        *writer = Some(conn);
        Ok(out?)
    }

    /// Closes every connection (they reopen when used again).
    pub(crate) fn close(&self) {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).clear();
        self.writer.lock().unwrap_or_else(PoisonError::into_inner).take();
    }
}

/// Binds `args` to `$1`, `$2`, … by their numbers. SQLite numbers named
/// parameters in the order they first appear, so `$2` before `$1` in the
/// text would otherwise take the first value.
pub(crate) fn bind(stmt: &mut Statement<'_>, args: &[&dyn ToSql]) -> rusqlite::Result<()> {
    for (i, arg) in args.iter().enumerate() {
        if let Some(index) = stmt.parameter_index(&format!("${}", i + 1))? {
            stmt.raw_bind_parameter(index, arg)?;
        }
    }
    Ok(())
}

/// A value bound to a statement run on either path: the numbers a query
/// takes, in one ordered list for `rusqlite` (`&dyn ToSql`) and for sqlx
/// ([`Param::bind`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param {
    Int(i64),
    Real(f64),
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Param::Int(v) => v.to_sql(),
            Param::Real(v) => v.to_sql(),
        }
    }
}

impl Param {
    /// Binds this value to a sqlx query (the PostgreSQL path).
    pub(crate) fn bind<'q, O>(
        self,
        q: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
        match self {
            Param::Int(v) => q.bind(v),
            Param::Real(v) => q.bind(v),
        }
    }
}

/// `values` as the argument list of [`rows`], [`row`] or [`execute`].
pub(crate) fn args<T: ToSql>(values: &[T]) -> Vec<&dyn ToSql> {
    values.iter().map(|v| v as &dyn ToSql).collect()
}

/// Runs a prepared (cached) statement with `args` and maps every row.
pub(crate) fn rows<T>(
    conn: &Connection,
    sql: &str,
    args: &[&dyn ToSql],
    mut map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, args)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// The first row, if any.
pub(crate) fn row<T>(
    conn: &Connection,
    sql: &str,
    args: &[&dyn ToSql],
    map: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, args)?;
    let mut rows = stmt.raw_query();
    match rows.next()? {
        Some(r) => Ok(Some(map(r)?)),
        None => Ok(None),
    }
}

/// Runs a statement that returns no rows; the number of rows changed.
pub(crate) fn execute(conn: &Connection, sql: &str, args: &[&dyn ToSql]) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, args)?;
    stmt.raw_execute()
}
