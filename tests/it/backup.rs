//! `glean backup` and `glean restore` through the binary, on SQLite and on
//! PostgreSQL: data (images included) is backed up while the database is
//! in use, changed, restored, and every row of every table compared.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::str::FromStr;

use glean::domain::OfferEvent;
use glean::store::{Actor, Store};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, PgConnection};
use tempfile::TempDir;

use crate::api::offer_with_photo;
use crate::support::db::postgres_url;
use crate::support::fixtures::*;

/// A database of its own: an SQLite file, or a whole PostgreSQL database
/// (not a schema, so the backup is the plain `pg_dump` of a database, as in
/// production).
enum Target {
    Sqlite { path: PathBuf },
    Postgres { url: String, admin_url: String, name: String },
}

impl Target {
    async fn sqlite(dir: &TempDir) -> Target {
        Target::Sqlite { path: dir.path().join("glean.db") }
    }

    async fn postgres() -> Option<Target> {
        let admin_url = postgres_url()?;
        let name = format!("t_backup_{}_{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0));
        let mut conn = PgConnection::connect(&admin_url).await.expect("connect to TEST_DATABASE_URL");
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
        conn.close().await.ok();
        let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL");
        url.set_path(&format!("/{name}"));
        url.set_query(None);
        Some(Target::Postgres { url: url.to_string(), admin_url, name })
    }

    fn database_url(&self) -> String {
        match self {
            Target::Sqlite { path } => format!("sqlite://{}", path.display()),
            Target::Postgres { url, .. } => url.clone(),
        }
    }

    async fn store(&self) -> Store {
        let store = match self {
            Target::Sqlite { path } => Store::connect_sqlite(path.to_str().unwrap()).await.unwrap(),
            Target::Postgres { url, .. } => {
                Store::connect_postgres(PgConnectOptions::from_str(url).unwrap(), 4).await.unwrap()
            }
        };
        store.migrate().await.unwrap();
        store
    }

    /// Every row of every table (and every sequence's position), as text.
    async fn everything(&self) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        match self {
            Target::Sqlite { path } => {
                let mut c = SqliteConnectOptions::new().filename(path).read_only(true).connect().await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%' ORDER BY name",
                )
                .fetch_all(&mut c)
                .await
                .unwrap();
                for t in tables {
                    let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(&t)
                        .fetch_all(&mut c)
                        .await
                        .unwrap();
                    let row = cols.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ");
                    let mut rows: Vec<String> =
                        sqlx::query_scalar(&format!("SELECT {row} FROM \"{t}\"")).fetch_all(&mut c).await.unwrap();
                    rows.sort();
                    out.insert(t, rows);
                }
                c.close().await.ok();
            }
            Target::Postgres { url, .. } => {
                let mut c = PgConnection::connect(url).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
                )
                .fetch_all(&mut c)
                .await
                .unwrap();
                for t in tables {
                    let mut rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM \"{t}\" AS t"))
                        .fetch_all(&mut c)
                        .await
                        .unwrap();
                    rows.sort();
                    out.insert(t, rows);
                }
                let sequences: Vec<String> = sqlx::query_scalar(
                    "SELECT sequence_name::text FROM information_schema.sequences WHERE sequence_schema = current_schema()",
                )
                .fetch_all(&mut c)
                .await
                .unwrap();
                for s in sequences {
                    let at: String =
                        sqlx::query_scalar(&format!("SELECT last_value::text || '/' || is_called::text FROM \"{s}\""))
                            .fetch_one(&mut c)
                            .await
                            .unwrap();
                    out.insert(format!("sequence {s}"), vec![at]);
                }
                c.close().await.ok();
            }
        }
        out
    }

    async fn remove(&self) {
        if let Target::Postgres { admin_url, name, .. } = self {
            let mut conn = PgConnection::connect(admin_url).await.unwrap();
            conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
            conn.close().await.ok();
        }
    }
}

fn glean(args: &[&Path], database_url: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_glean"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url);
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A bit of everything: businesses, offers with items and a photo, views,
/// users, a dialogue, a processed event, the audit log.
async fn fill(store: &Store) -> i64 {
    let (offer, _) = offer_with_photo(store).await;
    let other = active_offer(store, &[2, 3]).await;
    store.apply_offer_event(other.id, OfferEvent::Withdraw, &Actor::User(OWNER), now()).await.unwrap();
    store.count_view(offer.id).await.unwrap();
    store.upsert_user(7001, "Mia", Some("mia"), Some("de"), now()).await.unwrap();
    store.save_dialogue(7001, r#"{"state":"somewhere"}"#, now()).await.unwrap();
    assert!(store.first_time("stripe", "evt_1", now()).await.unwrap());
    offer.id
}

async fn change(store: &Store, offer_id: i64) {
    store.apply_offer_event(offer_id, OfferEvent::Withdraw, &Actor::User(OWNER), now()).await.unwrap();
    active_offer(store, &[9]).await;
    store.clear_dialogue(7001).await.unwrap();
    store.upsert_user(7002, "Noah", None, None, now()).await.unwrap();
}

async fn round_trip(target: Target, files: &TempDir) {
    let url = target.database_url();
    let store = target.store().await;
    let offer_id = fill(&store).await;
    let before = target.everything().await;
    assert!(before["images"].len() == 2, "the photo and its thumbnail are in the database");

    // Online: the store stays open (as a running glean would have it).
    let file = files.path().join("glean.backup");
    for _ in 0..2 {
        let out = glean(&[Path::new("backup"), &file], &url);
        assert!(out.status.success(), "backup: {}", stderr(&out));
        assert!(String::from_utf8_lossy(&out.stdout).contains("backup written"));
    }

    change(&store, offer_id).await;
    let changed = target.everything().await;
    assert_ne!(before, changed);

    let refused = glean(&[Path::new("restore"), &file], &url);
    assert_eq!(refused.status.code(), Some(1), "restore while in use must be refused");
    assert!(stderr(&refused).contains("stop every glean process"), "{}", stderr(&refused));
    assert_eq!(target.everything().await, changed, "a refused restore changes nothing");

    let garbage = files.path().join("notes.txt");
    std::fs::write(&garbage, "not a backup").unwrap();
    let out = glean(&[Path::new("restore"), &garbage], &url);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a Glean backup"), "{}", stderr(&out));

    store.close().await;
    let out = glean(&[Path::new("restore"), &file], &url);
    assert!(out.status.success(), "restore: {}", stderr(&out));
    let mut restored = target.everything().await;
    let mut expected = before.clone();
    let (was, now) = (expected.remove("meta"), restored.remove("meta"));
    assert_eq!(restored, expected, "everything is as it was at the backup");
    // Purchase ids are reused from here on, so Stripe idempotency keys must
    // not be: the restored database has a new install id.
    assert_ne!(was, now, "a new install id");
    assert!(now.is_some_and(|rows| rows.len() == 1), "one install id");

    // And Glean carries on with it: the photo is there, new rows get new ids.
    let store = target.store().await;
    let offer = store.offer(offer_id).await.unwrap();
    let photo = store.image(offer.photo.as_deref().unwrap()).await.unwrap().expect("photo restored");
    assert!(photo.bytes.starts_with(&[0xff, 0xd8]));
    let newer = active_offer(&store, &[1]).await;
    assert!(newer.id > offer_id);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_round_trip_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let target = Target::sqlite(&dir).await;
    round_trip(target, &dir).await;
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_round_trip_postgres() {
    let Some(target) = Target::postgres().await else { return };
    let files = tempfile::tempdir().unwrap();
    let result = tokio::spawn({
        let url = target.database_url();
        let (admin_url, name) = match &target {
            Target::Postgres { admin_url, name, .. } => (admin_url.clone(), name.clone()),
            Target::Sqlite { .. } => unreachable!(),
        };
        async move { round_trip(Target::Postgres { url, admin_url, name }, &files).await }
    })
    .await;
    target.remove().await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_refuses_a_missing_sqlite_database_and_a_mismatched_restore() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("nothing.db").display());
    let out = glean(&[Path::new("backup"), &dir.path().join("b.db")], &url);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("there is no SQLite database"), "{}", stderr(&out));
    assert!(!dir.path().join("nothing.db").exists(), "no empty database was created");

    let dump = dir.path().join("pg.dump");
    std::fs::write(&dump, b"PGDMP\x01\x0e\x00").unwrap();
    let out = glean(&[Path::new("restore"), &dump], &url);
    assert!(stderr(&out).contains("PostgreSQL backup, but DATABASE_URL points at SQLite"), "{}", stderr(&out));

    // An SQLite file that isn't Glean's.
    let other = dir.path().join("other.db");
    let mut c = SqliteConnectOptions::new().filename(&other).create_if_missing(true).connect().await.unwrap();
    c.execute("CREATE TABLE t (x INTEGER)").await.unwrap();
    c.close().await.unwrap();
    let out = glean(&[Path::new("restore"), &other], &url);
    assert!(stderr(&out).contains("not a Glean one"), "{}", stderr(&out));
}
