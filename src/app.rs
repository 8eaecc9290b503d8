//! Wires settings, store, bot, jobs and the HTTP server into one process.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context as _;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::actions::Ctx;
use crate::bot::runner::{self, Dispatcher};
use crate::bot::{self, Bot};
use crate::clock::Clock;
use crate::config::Settings;
use crate::coord::Coord;
use crate::http::telegram::WebhookState;
use crate::http::{self, HttpState};
use crate::payments::stripe::StripeClient;
use crate::render::i18n::Lang;
use crate::store::Store;
use crate::telegram::TgClient;

/// How long shutdown waits for updates in flight.
const DRAIN_DEADLINE: Duration = Duration::from_secs(8);

/// A built application: database connected and migrated, port bound.
pub struct App {
    listener: TcpListener,
    ctx: Ctx,
}

/// Start-up failures that are the operator's to fix (exit code 2), as
/// opposed to failures while running.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration error: {0}")]
    Config(String),
    #[error("DATABASE_URL: {0:#}")]
    Database(anyhow::Error),
    #[error("HTTP_ADDR: can't listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
}

impl App {
    pub async fn build(settings: Settings) -> Result<App, StartupError> {
        Self::build_with_clock(settings, Clock::default()).await
    }

    pub async fn build_with_clock(settings: Settings, clock: Clock) -> Result<App, StartupError> {
        if settings.telegram_bot_token.is_none() {
            return Err(StartupError::Config(
                "TELEGRAM_BOT_TOKEN: required to run the bot (get one from @BotFather)".into(),
            ));
        }
        let http_addr = settings.http_addr;
        let ctx = connect(settings, clock).await?;
        let listener =
            TcpListener::bind(http_addr).await.map_err(|source| StartupError::Listen { addr: http_addr, source })?;
        Ok(App { listener, ctx })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn store(&self) -> &Store {
        &self.ctx.store
    }

    /// The Telegram client: its send log says when this app let each send go.
    pub fn telegram(&self) -> &TgClient {
        &self.ctx.tg
    }

    /// Runs the bot, the jobs and the HTTP server until `shutdown`
    /// completes; then stops taking updates and finishes those in flight.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let ctx = self.ctx.clone();
        let dispatcher: Arc<OnceLock<Arc<Dispatcher>>> = Default::default();
        let webhook = http::telegram::router(WebhookState { ctx: ctx.clone(), dispatcher: dispatcher.clone() });
        let http_state = HttpState::from_ctx(&ctx);
        let webhook_set = http_state.webhook_set.clone();
        let router = http::router(http_state)
            .merge(http::stripe::router(ctx.clone()))
            .merge(http::connect::router(ctx.clone()))
            .merge(http::miniapp::router(ctx.clone()))
            .merge(webhook)
            .layer(axum::middleware::from_fn(http::observe::track));
        crate::metrics::http_routes(http::observe::ROUTES);
        tracing::info!(config = %ctx.settings.describe_line(), "effective configuration");
        tracing::info!(addr = %self.local_addr(), database = ctx.store.backend_name(), "glean is running");

        let jobs = tokio::spawn(crate::jobs::run(ctx.clone(), ctx.settings.jobs_interval, stop_rx.clone()));
        let sender = tokio::spawn(crate::send::alerts::run_sender(ctx.clone(), stop_rx.clone()));
        let notices = tokio::spawn(crate::send::notices::run(ctx.clone(), stop_rx.clone()));
        let refunds = tokio::spawn(crate::jobs::run_refunds(ctx.clone(), stop_rx.clone()));
        let cards = tokio::spawn(crate::send::cards::run(ctx.clone(), stop_rx.clone()));
        let bot_task = tokio::spawn(run_bot(ctx.clone(), dispatcher, webhook_set, stop_rx.clone()));
        let mut http_stop = stop_rx.clone();
        let server = axum::serve(self.listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = http_stop.changed().await;
            });
        let server = tokio::spawn(async move { server.await });

        shutdown.await;
        tracing::info!("stopping: no new updates; finishing those in flight");
        let _ = stop_tx.send(true);
        let _ = bot_task.await;
        let _ = jobs.await;
        // The notification in flight finishes (sent or not), never left half-done.
        let _ = sender.await;
        let _ = notices.await;
        let _ = refunds.await;
        let _ = cards.await;
        server.await.context("HTTP server task")?.context("HTTP server failed")?;
        ctx.store.close().await;
        tracing::info!("glean stopped");
        Ok(())
    }
}

/// Connects the services every use case needs: the store (migrated, with
/// its install id), coordination, the Telegram and Stripe clients. Also
/// what one-off commands such as `glean reconcile` run on; without a bot
/// token they can't send, which they don't: notices wait in the database
/// for a running instance.
pub async fn connect(settings: Settings, clock: Clock) -> Result<Ctx, StartupError> {
    let rules = crate::store::WaitlistRules {
        hold: chrono::Duration::from_std(settings.waitlist_hold).unwrap_or(chrono::Duration::minutes(10)),
        default_tz: settings.default_timezone,
    };
    let store = Store::connect(&settings.database_url).await.map_err(StartupError::Database)?.with_waitlist(rules);
    store.migrate().await.map_err(StartupError::Database)?;
    store.install_id().await.map_err(|e| StartupError::Database(e.into()))?;
    let redis_url = settings.redis_url.as_ref().map(|u| u.expose_secret().to_string());
    let coord = Coord::new(store.clone(), redis_url.as_deref(), &settings.redis_prefix)
        .await
        .map_err(|e| StartupError::Config(format!("REDIS_URL: {e}")))?;
    let token = settings.telegram_bot_token.clone().unwrap_or_else(|| SecretString::from("0:unset"));
    let tg = TgClient::new(settings.telegram_api_url.clone(), token, settings.telegram_limits, coord.clone())
        .map_err(|e| StartupError::Config(format!("TELEGRAM_API_URL: {e}")))?;
    let stripe = settings
        .stripe_secret_key
        .clone()
        .map(|key| StripeClient::new(settings.stripe_api_base.clone(), key, settings.stripe_timeout))
        .transpose()
        .map_err(|e| StartupError::Config(format!("STRIPE_API_BASE: {e}")))?;
    Ok(Ctx { store, tg, stripe, settings: Arc::new(settings), clock, coord, bot_username: Default::default() })
}

/// The bot's life: learn who we are, register the command menu, resume what
/// was stored, then poll (or, in webhook mode, let the webhook route feed
/// the dispatcher, and sweep for updates left unhandled) until told to
/// stop, and drain what is in flight. An instance that stops never deletes
/// the webhook: the others keep serving it.
async fn run_bot(
    ctx: Ctx,
    ready: Arc<OnceLock<Arc<Dispatcher>>>,
    webhook_set: Arc<AtomicBool>,
    mut stop: watch::Receiver<bool>,
) {
    let mut wait = Duration::from_millis(200);
    let username = loop {
        match ctx.tg.bot_username().await {
            Ok(u) => break u,
            Err(e) => {
                tracing::warn!(error = %e, "Telegram getMe failed; retrying");
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(wait) => {}
                }
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
    };
    // The menu in every language: the default one (English) for users of
    // any other language, then one per shipped language_code.
    for lang in Lang::all() {
        let code = (lang != Lang::EN).then(|| lang.code());
        if let Err(e) = ctx.tg.set_commands(bot::command_menu(lang, false), None, code).await {
            tracing::warn!(language = lang.code(), error = %e, "setMyCommands failed");
        }
        for admin in &ctx.settings.admin_telegram_ids {
            if let Err(e) = ctx.tg.set_commands(bot::command_menu(lang, true), Some(*admin), code).await {
                tracing::warn!(admin, language = lang.code(), error = %e, "setMyCommands for an admin failed");
            }
        }
    }
    // The menu button opens the Mini App; without an https PUBLIC_BASE_URL
    // Telegram couldn't open it, so the menu keeps the command list.
    if let Some(url) = ctx.app_url(None)
        && let Err(e) =
            ctx.tg.set_menu_app(crate::render::texts::menu_button(crate::render::i18n::Lang::EN), &url).await
    {
        tracing::warn!(error = %e, "setChatMenuButton failed");
    }
    let webhook = ctx.settings.telegram_webhook_url.clone().zip(ctx.settings.telegram_webhook_secret.clone());
    match &webhook {
        Some((url, secret)) => match ctx.tg.set_webhook(url, secret.expose_secret()).await {
            Ok(_) => webhook_set.store(true, Ordering::Relaxed),
            Err(e) => tracing::error!(error = %e, "setWebhook failed; Telegram won't deliver updates"),
        },
        None => {
            if let Err(e) = ctx.tg.delete_webhook().await {
                tracing::warn!(error = %e, "deleteWebhook failed; polling may be refused");
            }
        }
    }
    let _ = ctx.bot_username.set(username.clone());
    let shared = webhook.is_some().then(|| ctx.coord.clone());
    let dispatcher = Dispatcher::new(Arc::new(Bot { ctx, username }), shared);
    let _ = ready.set(dispatcher.clone());
    let _workers = runner::StopOnDrop(dispatcher.clone());
    if let Err(e) = runner::resume(&dispatcher).await {
        tracing::error!(error = %e, "couldn't resume stored updates");
    }
    if webhook.is_some() {
        runner::sweep(dispatcher.clone(), stop).await;
    } else {
        runner::poll(dispatcher.clone(), stop).await;
    }
    dispatcher.drained(DRAIN_DEADLINE).await;
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
