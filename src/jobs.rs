//! Background jobs: expire offers whose window ended, offer what is left
//! of deals about to end to charities near by, tell customers watching a
//! deal's price that it dropped to theirs (once), release lapsed
//! reservations (expiring their Checkout Sessions first; a lapsed
//! waitlist hold passes its units on in that release), hand free units
//! to people waiting whose quiet hours ended, reconcile with Stripe,
//! record Stripe's processing fee of each captured payment in the
//! ledger, prune old rows (deal lists, finished notifications and
//! notices, expired onboarding tokens) and apply the retention rules (handled raw updates, stale
//! dialogues, unused locations: [`retention`]). Each step is safe to run twice (its
//! statements are conditional); all run on a timer and once at start-up.
//! The refund queue has its own faster loop, [`run_refunds`].

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
    match crate::actions::donations::offer_leftovers(ctx).await {
        Ok(n) if n > 0 => tracing::info!(rounds = n, "leftovers offered to charities"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = ?e, "donation job failed"),
    }
    match crate::actions::pricing::notify_watches(ctx).await {
        Ok(n) if n > 0 => tracing::info!(watches = n, "price watches notified"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = ?e, "price watch job failed"),
    }
    match ctx.store.mark_no_shows(now).await {
        Ok(ids) if !ids.is_empty() => tracing::info!(purchases = ?ids, "no-shows recorded"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "no-show job failed"),
    }
    match crate::actions::purchases::reconcile(ctx).await {
        Ok(found) => {
            for f in found {
                tracing::warn!(
                    purchase_id = f.purchase_id,
                    found = f.found,
                    action = f.action,
                    "reconciled with Stripe"
                );
            }
        }
        Err(e) => tracing::error!(error = ?e, "reconciliation failed"),
    }
    match crate::actions::waitlist::sweep(ctx).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(holds = n, "units handed to people waiting"),
        Err(e) => tracing::error!(error = %e, "waitlist sweep failed"),
    }
    match crate::actions::ledger::record_processing_fees(ctx).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(payments = n, "Stripe processing fees recorded"),
        Err(e) => tracing::error!(error = ?e, "recording processing fees failed"),
    }
    retention(ctx, now).await;
    if let Err(e) = ctx.store.prune_deal_lists(now - chrono::Duration::hours(6)).await {
        tracing::warn!(error = %e, "pruning deal lists failed");
    }
    if let Err(e) = ctx.store.prune_outbox(now - chrono::Duration::days(30)).await {
        tracing::warn!(error = %e, "pruning the notification outbox failed");
    }
    if let Err(e) = ctx.store.prune_notices(now - chrono::Duration::days(30)).await {
        tracing::warn!(error = %e, "pruning sent notices failed");
    }
    if let Err(e) = ctx.store.prune_connect_tokens(now).await {
        tracing::warn!(error = %e, "pruning expired onboarding tokens failed");
    }
}

/// The retention rules: handled raw updates older than
/// `RETENTION_UPDATES_DAYS`, dialogues untouched for [`DIALOGUE_DAYS`], and
/// last shared locations unused for `RETENTION_LOCATION_DAYS` go. Each is
/// one conditional statement, so running it twice changes nothing more.
pub async fn retention(ctx: &Ctx, now: chrono::DateTime<chrono::Utc>) {
    let updates = chrono::Duration::days(i64::from(ctx.settings.retention_updates_days));
    if let Err(e) = ctx.store.prune_inbound(updates, now).await {
        tracing::warn!(error = %e, "pruning handled updates failed");
    }
    match ctx.store.prune_dialogues(now - chrono::Duration::days(DIALOGUE_DAYS)).await {
        Ok(n) if n > 0 => tracing::info!(dialogues = n, "expired dialogues deleted"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "pruning dialogues failed"),
    }
    let unused = now - chrono::Duration::days(i64::from(ctx.settings.retention_location_days));
    match ctx.store.forget_unused_locations(unused).await {
        Ok(n) if n > 0 => tracing::info!(locations = n, "unused locations forgotten"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "forgetting unused locations failed"),
    }
}

/// A dialogue nobody touched for this many days is over.
pub const DIALOGUE_DAYS: i64 = 30;

/// How often the refund queue is looked at.
pub const REFUND_POLL: Duration = Duration::from_secs(1);

/// The refund queue until `stop`: every [`REFUND_POLL`], the refunds that
/// are due take their next step. Runs on every instance; a refund is
/// claimed in one statement, so two instances never work on one at once.
pub async fn run_refunds(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    loop {
        crate::actions::purchases::process_refunds(&ctx).await;
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(REFUND_POLL) => {}
        }
    }
}

/// Runs [`tick`] at start-up and then every `interval` until `stop`. With
/// several instances only the holder of the "jobs" lease ticks; it renews
/// the lease every tick, and another instance takes over when it lapses.
pub async fn run(ctx: Ctx, interval: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        match ctx.coord.try_lease("jobs", interval * 3).await {
            Ok(true) => tick(&ctx).await,
            Ok(false) => tracing::trace!("another instance runs the jobs"),
            // Redis unreachable: the jobs wait for it (the link says so once).
            Err(e) if e.is::<crate::coord::LinkError>() => tracing::debug!(error = %e, "jobs wait for Redis"),
            Err(e) => tracing::warn!(error = %e, "can't take the jobs lease"),
        }
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}
