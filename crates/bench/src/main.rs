//! `glean-bench`: Glean's benchmarks (SPEC §7, BENCHMARKS.md). Runs the
//! real app — bot, HTTP server and jobs, as a child process built from the
//! `glean` library exactly as `glean run` builds it (or the `glean` binary
//! itself with `--app-bin`) — against a lean fake Telegram over loopback, on
//! a fresh SQLite file or a fresh PostgreSQL schema, seeded with a synthetic
//! city. Every loop is bounded and stops by itself; nothing here fails a
//! build: the figures are reported, not asserted.
//!
//! - `fake`: the lean Bot API fake and its simulated users.
//! - `setup`: databases, seeding, the app process, `/proc` CPU and memory.
//! - `throughput`, `contention`, `nearby`, `fanout`: the scenarios.
//! - `floor`: what one trivial statement costs through sqlx (a bound on the rest).
//! - `noop`: the no-op bot that measures the harness's own ceiling.

mod contention;
mod fake;
mod fanout;
mod floor;
mod nearby;
mod noop;
mod setup;
mod throughput;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use setup::{Backend, BotKind, Target};

#[derive(Parser)]
#[command(about = "Glean's benchmarks: the real app against a lean fake Telegram over loopback")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The database the app runs on: a fresh SQLite file in a temporary
    /// directory, or a fresh schema in --database-url.
    #[arg(long, global = true, value_enum, default_value_t = Backend::Sqlite)]
    backend: Backend,
    /// PostgreSQL database in which each run creates (and drops) a fresh
    /// schema. Giving a postgres:// URL selects PostgreSQL.
    #[arg(long, global = true, default_value = setup::DEFAULT_PG)]
    database_url: String,
    /// Run this `glean` binary (`glean run`) as the app instead of the
    /// harness re-executing itself with the same library code.
    #[arg(long, global = true)]
    app_bin: Option<PathBuf>,
    /// Run `ANALYZE` (PostgreSQL: `VACUUM ANALYZE`) after seeding, as after
    /// a bulk load: planner statistics, and pages marked all-visible for
    /// index-only scans (SQLite never gathers statistics by itself;
    /// PostgreSQL's autovacuum does both, eventually).
    #[arg(long, global = true)]
    analyze: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Closed-loop users: /deals, Next, repeat (saturation with --pause-ms 0,
    /// offered load with a pause).
    Throughput(throughput::Opts),
    /// Many customers buy from one offer at once; oversold must stay 0.
    Contention(contention::Opts),
    /// Nearest-20 over a seeded city through the store and the JSON API.
    Nearby(nearby::Opts),
    /// One deal told to many followers at Telegram's send limits.
    Fanout(fanout::Opts),
    /// Trivial statements through sqlx pools shaped like the app's.
    Floor(floor::Opts),
    /// Everything in BENCHMARKS.md, on SQLite and PostgreSQL.
    All {
        /// Seconds measured per throughput run.
        #[arg(long, default_value_t = 20)]
        duration: u64,
        /// Only this backend (default both).
        #[arg(long, value_enum)]
        only: Option<Backend>,
        /// Followers in the fan-out runs (0 leaves them out: at Telegram's
        /// 30 messages a second, 10,000 take over five minutes each).
        #[arg(long, default_value_t = 10_000)]
        followers: u32,
    },
    /// (internal) The app, as `glean run` starts it, configured by the environment.
    #[command(hide = true)]
    ServeApp,
    /// (internal) The no-op bot.
    #[command(hide = true)]
    NoopBot,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::ServeApp => return serve_app(),
        Command::NoopBot => return noop::main(),
        _ => {}
    }
    let backend = if cli.database_url.starts_with("postgres") && cli.database_url != setup::DEFAULT_PG {
        Backend::Postgres
    } else {
        cli.backend
    };
    let target =
        Target { backend, pg_base: cli.database_url.clone(), app_bin: cli.app_bin.clone(), analyze: cli.analyze };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        banner();
        match cli.command {
            Command::Throughput(o) => {
                let r = throughput::run(&target, &o).await?;
                throughput::print(&target, &o, &r);
            }
            Command::Contention(o) => {
                let r = contention::run(&target, &o).await?;
                contention::print(target.backend.name(), &o, &r);
            }
            Command::Nearby(o) => {
                let r = nearby::run(&target, &o).await?;
                nearby::print(&target, &o, &r);
            }
            Command::Floor(o) => {
                let r = floor::run(&target, &o).await?;
                floor::print(&target, &o, &r);
            }
            Command::Fanout(o) => {
                let r = fanout::run(&target, &o).await?;
                fanout::print(&target, &o, &r);
            }
            Command::All { duration, only, followers } => all(&target, duration, only, followers).await?,
            Command::ServeApp | Command::NoopBot => unreachable!("handled above"),
        }
        anyhow::Ok(())
    })
}

/// The app exactly as `glean run` builds and runs it, minus argument parsing:
/// settings from the environment (no `.env`), logging, `App::build`,
/// `run_until(SIGINT/SIGTERM)`.
fn serve_app() -> anyhow::Result<()> {
    let settings = glean::config::Settings::from_lookup(|k| std::env::var(k).ok())?;
    glean::telemetry::init(&settings);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let app = glean::app::App::build(settings).await?;
        app.run_until(glean::app::shutdown_signal()).await
    })
}

fn banner() {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "# glean-bench {} · {cores} cores · {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        if cfg!(debug_assertions) { "DEBUG BUILD: figures are meaningless, use --release" } else { "release build" }
    );
}

async fn all(target: &Target, duration: u64, only: Option<Backend>, followers: u32) -> anyhow::Result<()> {
    let tp = |pause_ms, bot| throughput::Opts {
        users: 1_000,
        duration,
        warmup: 5,
        pause_ms,
        bot,
        offers: 100_000,
        businesses: 200,
        no_location: false,
    };
    // Issue 15's second workload: nobody shares a location, a small city.
    let no_location = |bot| throughput::Opts { offers: 1_000, businesses: 50, no_location: true, ..tp(0, bot) };
    for o in [tp(0, BotKind::Noop), tp(300, BotKind::Noop)] {
        let r = throughput::run(target, &o).await?;
        throughput::print(target, &o, &r);
    }
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if only.is_some_and(|b| b != backend) {
            continue;
        }
        let target = Target { backend, ..target.clone() };
        let label = backend.name();
        let o = floor::Opts { tasks: 1_000, duration: 10 };
        let r = floor::run(&target, &o).await?;
        floor::print(&target, &o, &r);
        for o in [tp(0, BotKind::App), tp(300, BotKind::App), no_location(BotKind::App)] {
            let r = throughput::run(&target, &o).await?;
            throughput::print(&target, &o, &r);
        }
        let co = |units, via| contention::Opts { customers: 1_000, units, via, rounds: 5, pool: 32 };
        for o in [
            co(100, contention::Via::Store),
            co(1_000, contention::Via::Store),
            co(100, contention::Via::Bot),
            co(1_000, contention::Via::Bot),
        ] {
            let r = contention::run(&target, &o).await?;
            contention::print(label, &o, &r);
        }
        let o = nearby::Opts { offers: 100_000, businesses: 200, queries: 2_000, limit: 20, radius_km: 10.0 };
        let r = nearby::run(&target, &o).await?;
        nearby::print(&target, &o, &r);
        if followers > 0 {
            let o = fanout::Opts { followers, bulk_per_sec: 25.0 };
            let r = fanout::run(&target, &o).await?;
            fanout::print(&target, &o, &r);
        }
    }
    Ok(())
}
