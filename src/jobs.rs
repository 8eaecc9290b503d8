//! Background jobs. Each has a single step that is safe to run twice (its
//! statements are conditional), run on a timer and once at start-up.

use std::time::Duration;

use tokio::sync::watch;

use crate::actions::Ctx;

/// One pass of every job.
pub async fn tick(ctx: &Ctx) {
    let now = ctx.clock.now();
    match ctx.store.expire_offers(now).await {
        Ok(ids) if !ids.is_empty() => tracing::info!(offers = ?ids, "offers expired"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "expiry job failed"),
    }
    if let Err(e) = ctx.store.prune_inbound(chrono::Duration::days(2), now).await {
        tracing::warn!(error = %e, "pruning handled updates failed");
    }
}

/// Runs [`tick`] at start-up and then every `interval` until `stop`.
pub async fn run(ctx: Ctx, interval: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tick(&ctx).await;
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}
