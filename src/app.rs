//! Wires settings, store and servers into one running process.

use std::net::SocketAddr;

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::http::{self, HttpState};
use crate::store::Store;

/// A built application: database connected and migrated, port bound.
pub struct App {
    listener: TcpListener,
    store: Store,
}

/// Start-up failures that are the operator's to fix (exit code 2), as
/// opposed to failures while running.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("DATABASE_URL: {0:#}")]
    Database(anyhow::Error),
    #[error("HTTP_ADDR: can't listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
}

impl App {
    pub async fn build(settings: &Settings) -> Result<App, StartupError> {
        let store = Store::connect(&settings.database_url).await.map_err(StartupError::Database)?;
        store.migrate().await.map_err(StartupError::Database)?;
        let listener = TcpListener::bind(settings.http_addr)
            .await
            .map_err(|source| StartupError::Listen { addr: settings.http_addr, source })?;
        Ok(App { listener, store })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let router = http::router(HttpState { store: self.store.clone() });
        tracing::info!(addr = %self.local_addr(), database = self.store.backend_name(), "glean is running");
        axum::serve(self.listener, router).with_graceful_shutdown(shutdown).await.context("HTTP server failed")?;
        self.store.close().await;
        tracing::info!("glean stopped");
        Ok(())
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested");
}
