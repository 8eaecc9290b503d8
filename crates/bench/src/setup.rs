//! What every scenario stands on: a fresh database (an SQLite file in a
//! temporary directory, or a fresh schema on PostgreSQL, dropped afterwards),
//! the seeded city, the app running as a child process, and CPU and memory
//! read from `/proc`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use glean::config::DatabaseUrl;
use glean::domain::{Coordinates, Currency};
use glean::seed::{SeedSpec, Seeded};
use glean::store::Store;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};

use crate::fake::{LeanTelegram, TOKEN};

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";
/// The seeded city: Berlin's centre.
pub const CITY: (f64, f64) = (52.52, 13.40);
pub const CITY_RADIUS_KM: f64 = 15.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Where the databases go.
#[derive(Debug, Clone)]
pub struct Target {
    pub backend: Backend,
    /// PostgreSQL: the database a fresh schema is made in.
    pub pg_base: String,
    /// Run this `glean` binary (`glean run`) instead of re-executing the
    /// harness as the app.
    pub app_bin: Option<PathBuf>,
    /// `ANALYZE` after seeding, so the query planner has statistics.
    pub analyze: bool,
}

impl Target {
    /// How the planner statistics were left, for the report.
    pub fn stats_label(&self) -> &'static str {
        if self.analyze { "(VACUUM) ANALYZE after seeding" } else { "no ANALYZE (as grown in production)" }
    }
}

/// A migrated, empty database of its own.
pub struct Db {
    /// `DATABASE_URL` for the app.
    pub url: String,
    /// The harness's own connection.
    pub store: Store,
    pub dir: PathBuf,
    pg: Option<(String, String, PgConnectOptions)>,
}

impl Db {
    pub async fn fresh(target: &Target) -> anyhow::Result<Db> {
        let n = next_n();
        let dir = std::env::temp_dir().join(format!("glean-bench-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        match target.backend {
            Backend::Sqlite => {
                let path = dir.join("glean.db").to_str().context("temp path is UTF-8")?.to_string();
                let store = Store::connect(&DatabaseUrl::Sqlite(path.clone())).await?;
                store.migrate().await?;
                Ok(Db { url: format!("sqlite://{path}"), store, dir, pg: None })
            }
            Backend::Postgres => {
                let base = target.pg_base.clone();
                let schema = format!("bench_{}_{n}", std::process::id());
                let mut conn = PgConnection::connect(&base).await.with_context(|| format!("connect to {base}"))?;
                conn.execute(format!("CREATE SCHEMA {schema}").as_str()).await?;
                conn.close().await.ok();
                let opts = PgConnectOptions::from_str(&base)?.options([("search_path", schema.as_str())]);
                let store = Store::connect_postgres(opts.clone(), 16).await?;
                store.migrate().await?;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options[search_path]={schema}");
                Ok(Db { url, store, dir, pg: Some((base, schema, opts)) })
            }
        }
    }

    /// Another store on this database with its own pool, as another
    /// process would have (PostgreSQL: `max_connections` connections).
    pub async fn another_store(&self, max_connections: u32) -> anyhow::Result<Store> {
        match &self.pg {
            Some((_, _, opts)) => Store::connect_postgres(opts.clone(), max_connections).await,
            None => Store::connect_sqlite(self.url.trim_start_matches("sqlite://")).await,
        }
    }

    pub async fn drop(self) {
        self.store.close().await;
        if let Some((base, schema, _)) = &self.pg
            && let Ok(mut conn) = PgConnection::connect(base).await
        {
            let _ = conn.execute(format!("DROP SCHEMA {schema} CASCADE").as_str()).await;
            conn.close().await.ok();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn next_n() -> u32 {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Seeds the benchmark city: `businesses` shops, `offers` active deals within
/// [`CITY_RADIUS_KM`] of [`CITY`].
pub async fn seed_city(store: &Store, businesses: u32, offers: u32) -> anyhow::Result<Seeded> {
    let spec = SeedSpec {
        businesses,
        offers,
        center: city(),
        radius_km: CITY_RADIUS_KM,
        currency: Currency::from_code("EUR")?,
        timezone: chrono_tz::Europe::Berlin,
        rng_seed: 1,
    };
    glean::seed::seed(store, &spec, chrono::Utc::now()).await
}

pub fn city() -> Coordinates {
    Coordinates::new(CITY.0, CITY.1).expect("the city centre is a valid point")
}

/// A point uniform over the city's disk.
pub fn random_point_in_city(rng: &mut impl rand::Rng) -> anyhow::Result<Coordinates> {
    glean::seed::random_point(rng, city(), CITY_RADIUS_KM * 1000.0)
}

/// A free port on loopback (bound, then released for the app to take).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// What runs as the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BotKind {
    /// The real app: bot, HTTP server and jobs.
    App,
    /// A trivial responder with no database: the harness's own ceiling.
    Noop,
}

/// The app (or the no-op bot) as a child process.
pub struct AppProcess {
    child: Child,
    pub pid: u32,
    /// `http://127.0.0.1:PORT`
    pub http: String,
    log: PathBuf,
}

impl AppProcess {
    /// Starts the bot against `tg`, on `db` (the no-op bot needs none), and
    /// waits until it polls (and, for the app, answers `/readyz`).
    pub async fn start(
        target: &Target,
        kind: BotKind,
        tg: &LeanTelegram,
        db: Option<&Db>,
        dir: &Path,
        extra_env: &[(&str, String)],
    ) -> anyhow::Result<AppProcess> {
        let port = free_port()?;
        let exe = std::env::current_exe()?;
        let mut cmd = match (kind, &target.app_bin) {
            (BotKind::App, Some(bin)) => {
                let mut c = Command::new(bin);
                c.arg("run");
                c
            }
            (BotKind::App, None) => {
                let mut c = Command::new(&exe);
                c.arg("serve-app");
                c
            }
            (BotKind::Noop, _) => {
                let mut c = Command::new(&exe);
                c.arg("noop-bot");
                c
            }
        };
        let log = dir.join(match kind {
            BotKind::App => "app.log",
            BotKind::Noop => "noop.log",
        });
        cmd.current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(std::fs::File::create(&log)?))
            .stderr(Stdio::from(std::fs::OpenOptions::new().append(true).open(&log)?))
            .env("TELEGRAM_BOT_TOKEN", TOKEN)
            .env("TELEGRAM_API_URL", &tg.url)
            .env("HTTP_ADDR", format!("127.0.0.1:{port}"))
            // Quiet unless asked: LOG_LEVEL=… on the harness reaches the app.
            .env("LOG_LEVEL", std::env::var("LOG_LEVEL").unwrap_or_else(|_| "warn".into()))
            .env("DEFAULT_TIMEZONE", "Europe/Berlin")
            .env("DEFAULT_CURRENCY", "EUR")
            // Telegram's send limits off: these runs measure the bot, not the limiter.
            .env("TELEGRAM_PER_CHAT_PER_SEC", "100000")
            .env("TELEGRAM_PER_CHAT_BURST", "1000")
            .env("TELEGRAM_BULK_PER_SEC", "100000")
            // Per-user flood control off too: simulated users act faster
            // than the 3 updates/s a person is allowed.
            .env("USER_RATE_PER_SEC", "100000")
            .env("USER_RATE_BURST", "10000")
            .env_remove("REDIS_URL")
            .env_remove("STRIPE_SECRET_KEY")
            .env_remove("STRIPE_WEBHOOK_SECRET")
            .env_remove("TELEGRAM_WEBHOOK_URL");
        if let Some(db) = db {
            cmd.env("DATABASE_URL", &db.url);
        } else {
            cmd.env("DATABASE_URL", format!("sqlite://{}", dir.join("unused.db").display()));
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().with_context(|| format!("start {:?}", cmd.get_program()))?;
        let mut app = AppProcess { pid: child.id(), child, http: format!("http://127.0.0.1:{port}"), log };
        let ready = async {
            if kind == BotKind::App {
                let client = reqwest::Client::new();
                let deadline = Instant::now() + Duration::from_secs(60);
                loop {
                    if let Ok(r) = client.get(format!("{}/readyz", app.http)).send().await
                        && r.status().is_success()
                    {
                        break;
                    }
                    anyhow::ensure!(Instant::now() < deadline, "the app did not become ready in 60 s");
                    anyhow::ensure!(app.child.try_wait()?.is_none(), "the app exited");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            tg.polled(Duration::from_secs(60)).await
        };
        if let Err(e) = ready.await {
            let log = std::fs::read_to_string(&app.log).unwrap_or_default();
            let _ = app.child.kill();
            anyhow::bail!("{e}; its log:\n{log}");
        }
        Ok(app)
    }

    /// `(VmHWM, VmRSS)` in KiB.
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// Asks it to stop (SIGTERM, as `docker stop` would) and waits.
    pub fn stop(mut self) -> anyhow::Result<String> {
        let _ = Command::new("kill").arg("-TERM").arg(self.pid.to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Kept after the run's directory is gone, for a look afterwards.
        let _ = std::fs::copy(&self.log, std::env::temp_dir().join("glean-bench-last-app.log"));
        Ok(std::fs::read_to_string(&self.log).unwrap_or_default())
    }
}

/// CPU time in seconds: of one process, of every `postgres` process, and
/// of the whole machine (busy and total).
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuSample {
    pub at: Option<Instant>,
    pub app: f64,
    pub harness: f64,
    pub postgres: f64,
    pub machine_busy: f64,
}

const CLK_TCK: f64 = 100.0;

fn proc_cpu(stat: &str) -> Option<(String, f64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat[open + 1..close].to_string();
    let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((comm, (utime + stime) / CLK_TCK))
}

impl CpuSample {
    pub fn take(app_pid: Option<u32>) -> CpuSample {
        let read = |pid: &str| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok().and_then(|s| proc_cpu(&s));
        let app = app_pid.and_then(|p| read(&p.to_string())).map_or(0.0, |(_, t)| t);
        let harness = read("self").map_or(0.0, |(_, t)| t);
        let mut postgres = 0.0;
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for e in dir.flatten() {
                let name = e.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.bytes().all(|b| b.is_ascii_digit())
                    && let Some((comm, t)) = read(name)
                    && comm == "postgres"
                {
                    postgres += t;
                }
            }
        }
        let mut busy = 0.0;
        if let Ok(stat) = std::fs::read_to_string("/proc/stat")
            && let Some(cpu) = stat.lines().next()
        {
            let v: Vec<f64> = cpu.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
            let idle = v.get(3).copied().unwrap_or(0.0) + v.get(4).copied().unwrap_or(0.0);
            busy = (v.iter().take(8).sum::<f64>() - idle) / CLK_TCK;
        }
        CpuSample { at: Some(Instant::now()), app, harness, postgres, machine_busy: busy }
    }

    /// Cores used on average between `self` and `later`, per part.
    pub fn cores_until(&self, later: &CpuSample) -> CpuUse {
        let secs = match (self.at, later.at) {
            (Some(a), Some(b)) => (b - a).as_secs_f64().max(1e-9),
            _ => 1.0,
        };
        let app = (later.app - self.app) / secs;
        let harness = (later.harness - self.harness) / secs;
        let postgres = (later.postgres - self.postgres) / secs;
        let machine = (later.machine_busy - self.machine_busy) / secs;
        CpuUse { app, harness, postgres, machine, other: (machine - app - harness - postgres).max(0.0) }
    }
}

/// Average cores busy over a window.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuUse {
    pub app: f64,
    pub harness: f64,
    pub postgres: f64,
    pub machine: f64,
    /// Everything else on the machine (other builds and tests!).
    pub other: f64,
}

impl std::fmt::Display for CpuUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cores busy: app {:.2}, harness {:.2}, postgres {:.2}, other {:.2} (machine {:.2} of {})",
            self.app,
            self.harness,
            self.postgres,
            self.other,
            self.machine,
            std::thread::available_parallelism().map_or(0, |n| n.get())
        )
    }
}

/// Percentiles of latencies in microseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    pub fn of(mut us: Vec<u64>) -> Percentiles {
        if us.is_empty() {
            return Percentiles::default();
        }
        us.sort_unstable();
        let at = |q: f64| us[((us.len() as f64 * q).ceil() as usize).clamp(1, us.len()) - 1] as f64 / 1000.0;
        Percentiles { n: us.len(), p50: at(0.50), p95: at(0.95), p99: at(0.99), max: at(1.0) }
    }
}

impl std::fmt::Display for Percentiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "n={} p50 {:.2} ms · p95 {:.2} ms · p99 {:.2} ms · max {:.2} ms",
            self.n, self.p50, self.p95, self.p99, self.max
        )
    }
}
