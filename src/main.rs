//! The `glean` command: parse the CLI, load settings, start logging, run.

use std::process::ExitCode;

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
    if let Command::CheckConfig = cli.command {
        print!("{}", settings.describe());
        return ExitCode::SUCCESS;
    }
    glean::telemetry::init(&settings);
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
            Command::CheckConfig => ExitCode::SUCCESS,
        }
    })
}
