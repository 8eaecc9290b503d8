//! Logging setup: human-readable or JSON lines, filtered by `LOG_LEVEL`;
//! and error reporting to Sentry, only when `SENTRY_DSN` is set (panics and
//! `ERROR` events; sent over rustls).

use secrecy::ExposeSecret;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{LogFormat, Settings};

/// Installs the global subscriber (and Sentry, if configured). Safe to call
/// more than once (later calls are ignored), which tests rely on. Keep the
/// returned guard alive: dropping it flushes Sentry.
pub fn init(settings: &Settings) -> Option<sentry::ClientInitGuard> {
    let guard = settings.sentry_dsn.as_ref().map(|dsn| {
        sentry::init((
            dsn.expose_secret(),
            sentry::ClientOptions {
                release: sentry::release_name!(),
                attach_stacktrace: true,
                // Personal data (user names, chat texts) stays out of reports.
                send_default_pii: false,
                ..Default::default()
            },
        ))
    });
    let filter = EnvFilter::try_new(&settings.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let sentry_layer = guard.as_ref().map(|_| sentry::integrations::tracing::layer());
    let registry = tracing_subscriber::registry().with(filter).with(sentry_layer);
    let _ = match settings.log_format {
        LogFormat::Json => registry
            .with(tracing_subscriber::fmt::layer().json().flatten_event(true).with_writer(std::io::stderr))
            .try_init(),
        LogFormat::Pretty => registry.with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr)).try_init(),
    };
    guard
}
