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
//!   and never wait for each other inside SQLite's busy handler. They
//!   commit in groups: the writes waiting at the same moment share one
//!   transaction, each in a savepoint of its own ([`Lite::write`]).
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
use tokio::sync::{Notify, oneshot};

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
    /// Writes waiting for the next group, and whether one is running.
    group: Mutex<Group>,
    /// Wakes a waiting writer to lead the next group.
    handoff: Notify,
}

#[derive(Default)]
struct Group {
    queue: Vec<Box<dyn Write>>,
    leading: bool,
}

/// A write in a group: run in its savepoint, then told how the group ended.
trait Write: Send {
    /// Runs the write in a savepoint of its own, keeping its outcome. An
    /// error here is the savepoint's own (the connection is in trouble):
    /// the whole group is rolled back.
    fn run(&mut self, conn: &Connection) -> rusqlite::Result<()>;
    /// The group's commit (an error also when the write never ran).
    fn finish(self: Box<Self>, committed: std::result::Result<(), &str>);
}

struct Pending<F, T> {
    f: Option<F>,
    out: Option<rusqlite::Result<T>>,
    done: oneshot::Sender<Result<T>>,
}

impl<F, T> Write for Pending<F, T>
where
    F: FnOnce(&Connection) -> rusqlite::Result<T> + Send,
    T: Send,
{
    fn run(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let Some(f) = self.f.take() else { return Ok(()) };
        conn.execute_batch("SAVEPOINT w")?;
        let out = f(conn);
        conn.execute_batch(if out.is_ok() { "RELEASE w" } else { "ROLLBACK TO w; RELEASE w" })?;
        self.out = Some(out);
        Ok(())
    }

    fn finish(self: Box<Self>, committed: std::result::Result<(), &str>) {
        let r = match (self.out, committed) {
            (Some(Ok(v)), Ok(())) => Ok(v),
            (Some(Err(e)), _) => Err(e.into()),
            (_, Err(e)) => Err(anyhow::anyhow!("the write's group didn't commit: {e}").into()),
            (None, Ok(())) => Err(anyhow::anyhow!("the write was left out of its group").into()),
        };
        let _ = self.done.send(r);
    }
}

/// Ends a leader's turn, however its future ends: the next group is led
/// by a waiting writer.
struct StepDown<'a>(&'a Lite);

impl Drop for StepDown<'_> {
    fn drop(&mut self) {
        let more = {
            let mut g = self.0.group.lock().unwrap_or_else(PoisonError::into_inner);
            g.leading = false;
            !g.queue.is_empty()
        };
        if more {
            self.0.handoff.notify_one();
        }
    }
}

impl Lite {
    pub(crate) fn new(path: &str) -> Lite {
        Lite {
            path: path.to_string(),
            idle: Mutex::new(Vec::new()),
            writer: Mutex::new(None),
            group: Mutex::new(Group::default()),
            handoff: Notify::new(),
        }
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

    /// Runs `f` on the writer connection, in a group with the other
    /// writes waiting at the same moment: one transaction (`BEGIN
    /// IMMEDIATE` … `COMMIT`) for the group, each write in a savepoint of
    /// its own, so one write's failure undoes only that write. The result
    /// is returned once the group's commit succeeded (or with the commit's
    /// error); `f` must not open a transaction itself.
    ///
    /// The group takes the writer when it is its turn in `gate` (the sqlx
    /// write pool of one connection), so writers of both kinds queue in
    /// one line. Whoever finds no group running leads the next: it waits
    /// for the gate, takes every write queued by then (its own first), runs
    /// and commits them, and hands on. Under load a commit then serves
    /// many writes, and a write waits for at most the group ahead of it
    /// instead of every write queued before it one by one (BENCHMARKS.md §9).
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        gate: &SqlitePool,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        let (done, mut result) = oneshot::channel();
        let lead = {
            let mut g = self.group.lock().unwrap_or_else(PoisonError::into_inner);
            g.queue.push(Box::new(Pending { f: Some(f), out: None, done }));
            !std::mem::replace(&mut g.leading, true)
        };
        if lead {
            self.lead(gate).await;
        }
        loop {
            tokio::select! {
                biased;
                r = &mut result => {
                    // A hand-off may have come for this writer with its
                    // result (and tokio passes a dropped one on), but never
                    // leave queued writes without a leader.
                    let g = self.group.lock().unwrap_or_else(PoisonError::into_inner);
                    if !g.leading && !g.queue.is_empty() {
                        self.handoff.notify_one();
                    }
                    drop(g);
                    return r.unwrap_or_else(|_| Err(anyhow::anyhow!("the write's group was dropped").into()));
                }
                () = self.handoff.notified() => {
                    let lead = !std::mem::replace(
                        &mut self.group.lock().unwrap_or_else(PoisonError::into_inner).leading,
                        true,
                    );
                    if lead {
                        self.lead(gate).await;
                    }
                }
            }
        }
    }

    /// Runs one group as its leader (`leading` is set): waits for the
    /// gate, takes the queue, runs and commits it, then steps down and
    /// wakes a waiting writer to lead the next if more are queued. Dropped
    /// while waiting for the gate (its caller was cancelled), it steps down
    /// all the same.
    async fn lead(&self, gate: &SqlitePool) {
        let _step_down = StepDown(self);
        let turn = gate.acquire().await;
        let mut jobs = std::mem::take(&mut self.group.lock().unwrap_or_else(PoisonError::into_inner).queue);
        let committed = match turn {
            Ok(_turn) => self.run_group(&mut jobs).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let outcome = committed.as_ref().map(|_| ()).map_err(String::as_str);
        for job in jobs {
            job.finish(outcome);
        }
    }

    /// Runs `jobs` in one transaction on the writer connection.
    fn run_group(&self, jobs: &mut [Box<dyn Write>]) -> rusqlite::Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = match writer.take() {
            Some(c) => c,
            None => self.open()?,
        };
        let committed = conn.execute_batch("BEGIN IMMEDIATE").and_then(|()| {
            let ran = jobs.iter_mut().try_for_each(|job| job.run(&conn)).and_then(|()| conn.execute_batch("COMMIT"));
            if ran.is_err() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            ran
        });
        *writer = Some(conn);
        committed
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
