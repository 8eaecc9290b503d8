//! The `glean` command: parse the CLI, load settings, start logging, run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use glean::app::{App, shutdown_signal};
use glean::config::Settings;
use glean::store::Store;

/// Glean: a Telegram marketplace for surplus food.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot, the HTTP server and the background jobs.
    Run,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the effective configuration (secrets masked) and exit.
    CheckConfig,
    /// Write a consistent backup of the database, images included, to FILE.
    /// Safe while Glean runs. PostgreSQL needs pg_dump on the PATH.
    Backup {
        /// Where to write the backup (replaced if it exists).
        file: PathBuf,
    },
    /// Replace the database with the backup in FILE. Stop every glean
    /// process using the database first; restore refuses otherwise.
    Restore {
        /// A file written by `glean backup`.
        file: PathBuf,
    },
    /// Ask Stripe about every purchase our database may believe wrongly
    /// (reservations past their TTL, refunds pending, refunds of the last
    /// week) and heal what missed webhooks left behind; prints each finding.
    Reconcile,
    /// Print the audit trail of an offer, business or purchase: who did what,
    /// when, from which state to which.
    Audit {
        /// offer, business or purchase
        #[arg(value_parser = ["offer", "business", "purchase"])]
        kind: String,
        /// Its id.
        id: i64,
    },
    /// Exit 0 if the HTTP server at HTTP_ADDR answers /healthz, else 1
    /// (for container health checks; slim images have no curl).
    Healthcheck,
    /// Seed synthetic verified businesses and active deals spread over a
    /// city, for benchmarks and demos (see README, "Benchmarks").
    Seed {
        /// How many businesses (each gets venues holding ~10 deals apiece).
        #[arg(long, default_value_t = 200)]
        businesses: u32,
        /// How many active deals.
        #[arg(long, default_value_t = 100_000)]
        offers: u32,
        /// The middle of the city, LAT,LNG.
        #[arg(long, default_value = "52.52,13.40")]
        near: String,
        /// Venues lie within this many kilometres of --near.
        #[arg(long, default_value_t = 15.0)]
        radius_km: f64,
        /// Same seed, same data (pickup times follow the clock).
        #[arg(long, default_value_t = 1)]
        rng_seed: u64,
    },
}

/// Exit code for problems the operator must fix: configuration, database.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("glean: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    match &cli.command {
        Command::CheckConfig => {
            print!("{}", settings.describe());
            return ExitCode::SUCCESS;
        }
        Command::Healthcheck => return healthcheck(&settings),
        _ => {}
    }
    // Held to the end of main: dropping it flushes pending Sentry events.
    let _sentry = glean::telemetry::init(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("glean: can't start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Run => {
                let app = match App::build(settings).await {
                    Ok(app) => app,
                    Err(e) => {
                        eprintln!("glean: {e}");
                        return ExitCode::from(EXIT_CONFIG);
                    }
                };
                match app.run_until(shutdown_signal()).await {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("glean: {e:#}");
                        ExitCode::FAILURE
                    }
                }
            }
            Command::Migrate => {
                let result = async {
                    let store = Store::connect(&settings.database_url).await?;
                    store.migrate().await
                }
                .await;
                match result {
                    Ok(()) => {
                        println!("migrations applied");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("glean: DATABASE_URL: {e:#}");
                        ExitCode::from(EXIT_CONFIG)
                    }
                }
            }
            Command::Backup { file } => match glean::backup::backup(&settings.database_url, &file).await {
                Ok(done) => {
                    println!("backup written to {} ({} bytes)", done.file.display(), done.bytes);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("glean: backup failed: {e:#}");
                    ExitCode::FAILURE
                }
            },
            Command::Restore { file } => match glean::backup::restore(&settings.database_url, &file).await {
                Ok(done) => {
                    println!("restored from {}; glean may start again", done.file.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("glean: restore failed: {e:#}");
                    ExitCode::FAILURE
                }
            },
            Command::Seed { businesses, offers, near, radius_km, rng_seed } => {
                match seed(&settings, businesses, offers, &near, radius_km, rng_seed).await {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("glean: seed failed: {e:#}");
                        ExitCode::FAILURE
                    }
                }
            }
            Command::Reconcile => match reconcile(settings).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("glean: reconcile failed: {e:#}");
                    ExitCode::FAILURE
                }
            },
            Command::Audit { kind, id } => match audit(&settings, &kind, id).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("glean: {e:#}");
                    ExitCode::FAILURE
                }
            },
            Command::CheckConfig | Command::Healthcheck => ExitCode::SUCCESS,
        }
    })
}

/// `glean reconcile`: one line per mismatch found and what was done.
async fn reconcile(settings: Settings) -> anyhow::Result<()> {
    if settings.stripe_secret_key.is_none() {
        println!("Stripe is not configured (STRIPE_SECRET_KEY): nothing to reconcile");
        return Ok(());
    }
    let ctx = glean::app::connect(settings, glean::clock::Clock::default()).await?;
    let mut found = glean::actions::purchases::reconcile(&ctx).await?;
    found.extend(glean::actions::purchases::process_refunds(&ctx).await);
    if found.is_empty() {
        println!("everything matches Stripe");
    }
    for f in &found {
        println!("purchase {}: {} -> {}", f.purchase_id, f.found, f.action);
    }
    ctx.store.close().await;
    Ok(())
}

/// `glean audit KIND ID`: one line per entry, oldest first.
async fn audit(settings: &Settings, kind: &str, id: i64) -> anyhow::Result<()> {
    let store = Store::connect(&settings.database_url).await?;
    let trail = store.audit_trail(kind, id).await?;
    if trail.is_empty() {
        println!("no audit entries for {kind} {id}");
    }
    for e in trail {
        println!(
            "{}  {:<14} {:<18} {} -> {}",
            e.at.format("%Y-%m-%d %H:%M:%S UTC"),
            e.actor,
            e.action,
            e.before.as_deref().unwrap_or("-"),
            e.after.as_deref().unwrap_or("-")
        );
    }
    store.close().await;
    Ok(())
}

/// `glean seed`: migrate, then write synthetic data through the store.
async fn seed(
    settings: &Settings,
    businesses: u32,
    offers: u32,
    near: &str,
    radius_km: f64,
    rng_seed: u64,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let center = glean::domain::Coordinates::parse(near).context("--near: expected LAT,LNG such as 52.52,13.40")?;
    let store = Store::connect(&settings.database_url).await?;
    store.migrate().await?;
    let spec = glean::seed::SeedSpec {
        businesses,
        offers,
        center,
        radius_km,
        currency: settings.default_currency,
        timezone: settings.default_timezone,
        rng_seed,
    };
    let done = glean::seed::seed(&store, &spec, chrono::Utc::now()).await?;
    store.close().await;
    println!(
        "seeded {} businesses, {} venues and {} active deals within {radius_km} km of {near} in {:.1} s",
        done.business_ids.len(),
        done.venues,
        done.offer_ids.len(),
        done.elapsed.as_secs_f64()
    );
    Ok(())
}

/// GETs `/healthz` on this host's HTTP server. A wildcard listen address
/// (`0.0.0.0`, `::`) is reached over loopback.
fn healthcheck(settings: &Settings) -> ExitCode {
    let mut addr = settings.http_addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
    }
    let url = format!("http://{addr}/healthz");
    let result = tokio::runtime::Builder::new_current_thread().enable_all().build().map(|rt| {
        rt.block_on(async {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(3)).build()?;
            client.get(&url).send().await?.error_for_status()
        })
    });
    match result {
        Ok(Ok(_)) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("glean: healthcheck {url}: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("glean: healthcheck: can't start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}
