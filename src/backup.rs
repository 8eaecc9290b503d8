//! `glean backup FILE` and `glean restore FILE`.
//!
//! SQLite: the backup is an online, consistent copy made with `VACUUM INTO`
//! (Glean may keep running); restore checks the file is a sound Glean
//! database, refuses while anyone has the database open, and swaps the file
//! into place. PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean
//! --if-exists --no-owner` in one transaction, refused while other sessions
//! are connected. Images live in the database, so every backup holds them.
//!
//! The PostgreSQL password never reaches a command line or a log: the URL is
//! split into libpq's `PG*` environment variables for the child process.

use std::ffi::OsString;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

use anyhow::{Context as _, bail};
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgConnectOptions;
use url::Url;

use crate::config::DatabaseUrl;
use crate::store::Store;

/// What a finished backup or restore reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub file: PathBuf,
    pub bytes: u64,
}

/// Writes a consistent backup of the database at `url` to `file`, replacing
/// `file` only once the backup is complete.
pub async fn backup(url: &DatabaseUrl, file: &Path) -> anyhow::Result<Summary> {
    let partial = sibling(file, "partial")?;
    remove_if_present(&partial)?;
    let made = match url {
        DatabaseUrl::Sqlite(path) => backup_sqlite(Path::new(path), &partial).await,
        DatabaseUrl::Postgres(url) => backup_postgres(url, &partial),
    };
    if let Err(e) = made {
        let _ = fs::remove_file(&partial);
        return Err(e);
    }
    File::open(&partial).and_then(|f| f.sync_all()).context("syncing the backup to disk")?;
    fs::rename(&partial, file).with_context(|| format!("moving the backup to {}", file.display()))?;
    Ok(Summary { file: file.to_path_buf(), bytes: fs::metadata(file)?.len() })
}

/// Replaces the database at `url` with the backup in `file`. Every `glean`
/// process using the database must be stopped first; restore refuses
/// otherwise.
pub async fn restore(url: &DatabaseUrl, file: &Path) -> anyhow::Result<Summary> {
    let kind = BackupKind::of(file)?;
    match (url, kind) {
        (DatabaseUrl::Sqlite(path), BackupKind::Sqlite) => restore_sqlite(Path::new(path), file).await?,
        (DatabaseUrl::Postgres(url), BackupKind::PgDump) => restore_postgres(url, file).await?,
        (DatabaseUrl::Sqlite(_), BackupKind::PgDump) => {
            bail!("{} is a PostgreSQL backup, but DATABASE_URL points at SQLite", file.display())
        }
        (DatabaseUrl::Postgres(_), BackupKind::Sqlite) => {
            bail!("{} is an SQLite backup, but DATABASE_URL points at PostgreSQL", file.display())
        }
    }
    // A restored database reuses purchase ids that Stripe has already seen
    // in idempotency keys: it gets a new install id, so its keys are new.
    let store = Store::connect(url).await?;
    store.migrate().await?;
    store.renew_install_id().await?;
    store.close().await;
    Ok(Summary { file: file.to_path_buf(), bytes: fs::metadata(file)?.len() })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BackupKind {
    Sqlite,
    PgDump,
}

impl BackupKind {
    /// By the file's first bytes.
    fn of(file: &Path) -> anyhow::Result<Self> {
        use std::io::Read as _;
        let mut head = [0u8; 16];
        let mut f = File::open(file).with_context(|| format!("can't read {}", file.display()))?;
        let n = f.read(&mut head)?;
        match &head[..n] {
            h if h.starts_with(b"SQLite format 3\0") => Ok(BackupKind::Sqlite),
            h if h.starts_with(b"PGDMP") => Ok(BackupKind::PgDump),
            _ => bail!("{} is not a Glean backup (neither SQLite nor pg_dump's custom format)", file.display()),
        }
    }
}

async fn backup_sqlite(db: &Path, partial: &Path) -> anyhow::Result<()> {
    // Connecting would create an empty database; a backup of nothing is a mistake.
    if !db.is_file() {
        bail!("there is no SQLite database at {}", db.display());
    }
    let store = Store::connect_sqlite(path_str(db)?).await?;
    let made = store.backup_sqlite(partial).await;
    store.close().await;
    made
}

async fn restore_sqlite(db: &Path, file: &Path) -> anyhow::Result<()> {
    Store::inspect_sqlite_file(file).await?;
    if db.exists() && Store::sqlite_file_in_use(db).await? {
        bail!("{} is in use; stop every glean process using it, then restore", db.display());
    }
    let incoming = sibling(db, "restoring")?;
    fs::copy(file, &incoming).with_context(|| format!("copying {} next to {}", file.display(), db.display()))?;
    File::open(&incoming).and_then(|f| f.sync_all()).context("syncing the restored database to disk")?;
    // A write-ahead log left beside the old file would be replayed into the
    // new one: remove it (nothing has the database open, checked above).
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = db.as_os_str().to_owned();
        side.push(suffix);
        remove_if_present(Path::new(&side))?;
    }
    fs::rename(&incoming, db).with_context(|| format!("replacing {}", db.display()))?;
    Ok(())
}

fn backup_postgres(url: &SecretString, partial: &Path) -> anyhow::Result<()> {
    let conn = PgConn::parse(url.expose_secret())?;
    let mut cmd = Command::new("pg_dump");
    cmd.arg("--format=custom").arg("--no-password").arg("--file").arg(partial);
    if let Some(schema) = &conn.schema {
        cmd.arg(format!("--schema={schema}"));
    }
    cmd.arg(format!("--dbname={}", conn.conninfo()));
    run(cmd, &conn, "pg_dump")?;
    Ok(())
}

async fn restore_postgres(url: &SecretString, file: &Path) -> anyhow::Result<()> {
    let conn = PgConn::parse(url.expose_secret())?;
    let mut list = Command::new("pg_restore");
    list.arg("--list").arg(file);
    let listing = run(list, &conn, "pg_restore --list")?;
    let listing = String::from_utf8_lossy(&listing.stdout);
    if !listing.lines().any(|l| l.contains(" TABLE ") && l.contains("_sqlx_migrations")) {
        bail!("{} is a pg_dump archive but not of a Glean database (no _sqlx_migrations table)", file.display());
    }
    let opts = PgConnectOptions::from_str(url.expose_secret()).context("invalid PostgreSQL URL")?;
    let others = Store::postgres_sessions_elsewhere(&opts).await?;
    if others > 0 {
        bail!(
            "{others} other session(s) are connected to the database; stop every glean process using it \
             (and close other clients), then restore"
        );
    }
    let mut cmd = Command::new("pg_restore");
    cmd.args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", "--no-password"]);
    cmd.arg(format!("--dbname={}", conn.conninfo())).arg(file);
    run(cmd, &conn, "pg_restore")?;
    Ok(())
}

/// Runs a PostgreSQL client tool with the connection in its environment.
/// Its error output is shown with the password blotted out, in case a
/// message ever quotes it.
fn run(mut cmd: Command, conn: &PgConn, tool: &str) -> anyhow::Result<Output> {
    cmd.envs(conn.env.iter().map(|(k, v)| (k, v.expose_secret())));
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("{tool} not found: install the PostgreSQL client tools (the server's major version or newer)")
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("can't run {tool}"))),
    };
    if !out.status.success() {
        let mut err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if let Some(pw) = conn.password() {
            err = err.replace(pw, "****");
        }
        bail!("{tool} failed ({}): {err}", out.status);
    }
    Ok(out)
}

/// A PostgreSQL URL taken apart into libpq's environment variables, so the
/// password goes to the child process and nowhere else.
struct PgConn {
    env: Vec<(&'static str, SecretString)>,
    dbname: Option<String>,
    /// The first schema of sqlx's `options[search_path]`: the dump covers
    /// that schema only.
    schema: Option<String>,
}

impl PgConn {
    fn parse(url: &str) -> anyhow::Result<Self> {
        let u = Url::parse(url).context("invalid PostgreSQL URL")?;
        let decode = |s: &str| percent_decode(s);
        let mut env: Vec<(&'static str, SecretString)> = Vec::new();
        let mut set = |k: &'static str, v: String| {
            env.retain(|(key, _)| *key != k);
            env.push((k, SecretString::from(v)));
        };
        if let Some(host) = u.host_str().filter(|h| !h.is_empty()) {
            set("PGHOST", host.trim_start_matches('[').trim_end_matches(']').to_string());
        }
        if let Some(port) = u.port() {
            set("PGPORT", port.to_string());
        }
        if !u.username().is_empty() {
            set("PGUSER", decode(u.username()));
        }
        if let Some(pw) = u.password() {
            set("PGPASSWORD", decode(pw));
        }
        let mut dbname = Some(decode(u.path().trim_start_matches('/'))).filter(|d| !d.is_empty());
        let mut schema = None;
        let mut options = Vec::new();
        for (k, v) in u.query_pairs() {
            match k.as_ref() {
                "sslmode" => set("PGSSLMODE", v.into_owned()),
                "sslrootcert" => set("PGSSLROOTCERT", v.into_owned()),
                "sslcert" => set("PGSSLCERT", v.into_owned()),
                "sslkey" => set("PGSSLKEY", v.into_owned()),
                "host" => set("PGHOST", v.into_owned()),
                "port" => set("PGPORT", v.into_owned()),
                "user" => set("PGUSER", v.into_owned()),
                "password" => set("PGPASSWORD", v.into_owned()),
                "dbname" => dbname = Some(v.into_owned()),
                "application_name" => set("PGAPPNAME", v.into_owned()),
                "options" => options.push(v.into_owned()),
                k if k.starts_with("options[") && k.ends_with(']') => {
                    let name = &k["options[".len()..k.len() - 1];
                    if name == "search_path" {
                        schema = v.split(',').map(str::trim).find(|s| !s.is_empty()).map(str::to_string);
                    }
                    options.push(format!("-c {name}={}", v.replace(' ', "\\ ")));
                }
                _ => {}
            }
        }
        if !options.is_empty() {
            set("PGOPTIONS", options.join(" "));
        }
        Ok(PgConn { env, dbname, schema })
    }

    fn password(&self) -> Option<&str> {
        self.env.iter().find(|(k, _)| *k == "PGPASSWORD").map(|(_, v)| v.expose_secret()).filter(|p| !p.is_empty())
    }

    /// A libpq connection string naming only the database: host, user and
    /// password come from the environment.
    fn conninfo(&self) -> String {
        match &self.dbname {
            Some(db) => format!("dbname='{}'", db.replace('\\', "\\\\").replace('\'', "\\'")),
            None => String::new(),
        }
    }
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `dir/.name.<what>`: a temporary file beside `path`, on the same file
/// system so the final rename is atomic.
fn sibling(path: &Path, what: &str) -> anyhow::Result<PathBuf> {
    let name = path.file_name().with_context(|| format!("{} is not a file name", path.display()))?;
    let mut tmp = OsString::from(".");
    tmp.push(name);
    tmp.push(format!(".{what}"));
    Ok(path.with_file_name(tmp))
}

fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("can't remove {}", path.display()))),
    }
}

fn path_str(p: &Path) -> anyhow::Result<&str> {
    p.to_str().with_context(|| format!("{} is not valid UTF-8", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(url: &str) -> Vec<(String, String)> {
        let c = PgConn::parse(url).unwrap();
        let mut env: Vec<_> = c.env.iter().map(|(k, v)| (k.to_string(), v.expose_secret().to_string())).collect();
        env.push(("conninfo".into(), c.conninfo()));
        env.push(("schema".into(), c.schema.unwrap_or_default()));
        env.sort();
        env
    }

    fn check(url: &str, expected: &[(&str, &str)]) {
        let mut expected: Vec<(String, String)> =
            expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        expected.sort();
        assert_eq!(env_of(url), expected, "{url}");
    }

    #[test]
    fn postgres_urls_become_libpq_environment() {
        check(
            "postgres://glean:p%40ss@db.example:6543/glean?sslmode=require",
            &[
                ("PGHOST", "db.example"),
                ("PGPORT", "6543"),
                ("PGUSER", "glean"),
                ("PGPASSWORD", "p@ss"),
                ("PGSSLMODE", "require"),
                ("conninfo", "dbname='glean'"),
                ("schema", ""),
            ],
        );
        check(
            "postgres://postgres@127.0.0.1:5432/test?options[search_path]=t_1",
            &[
                ("PGHOST", "127.0.0.1"),
                ("PGPORT", "5432"),
                ("PGUSER", "postgres"),
                ("PGOPTIONS", "-c search_path=t_1"),
                ("conninfo", "dbname='test'"),
                ("schema", "t_1"),
            ],
        );
        check(
            "postgresql:///it's?host=/run/postgresql",
            &[("PGHOST", "/run/postgresql"), ("conninfo", "dbname='it\\'s'"), ("schema", "")],
        );
    }

    #[test]
    fn the_password_never_reaches_the_arguments() {
        let c = PgConn::parse("postgres://u:hunter2@h/db").unwrap();
        assert!(!c.conninfo().contains("hunter2"));
        assert_eq!(c.password(), Some("hunter2"));
    }

    #[test]
    fn temporary_files_sit_beside_the_target() {
        assert_eq!(sibling(Path::new("/b/glean.db"), "partial").unwrap(), PathBuf::from("/b/.glean.db.partial"));
        assert_eq!(sibling(Path::new("x.dump"), "partial").unwrap(), PathBuf::from(".x.dump.partial"));
    }
}
