//! The notice lane. Notices are written by use cases in the transaction
//! of the change they report; this task claims them oldest first, renders
//! each at send time and sends it, chats in parallel and in order within a
//! chat. It is its own task, apart from the deal-alert sender, so a pickup
//! code never waits behind a fan-out; and it sends per chat only (no bulk
//! bucket, no quiet hours).
//!
//! Delivery is at least once: a notice is marked `sending` in the claim and
//! `sent` after Telegram answered; one left `sending` by a dead process is
//! claimed again after [`crate::store::SENDING_LEASE`].

use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

use chrono::Duration;
use teloxide::RequestError;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::actions::Ctx;
use crate::render::i18n::Lang;
use crate::render::notices::render;
use crate::store::Notice;

/// How often an idle lane looks for work: a notice goes out within this.
const IDLE_POLL: StdDuration = StdDuration::from_millis(100);
/// Notices claimed at once.
const BATCH: i64 = 50;
/// When Telegram can't be reached, a notice waits this long (growing).
const RETRY_AFTER: Duration = Duration::seconds(5);
/// After this many tries a notice is given up (and logged).
const MAX_ATTEMPTS: u32 = 20;

/// Runs the lane until `stop`.
pub async fn run(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    tracing::info!("notice sender running");
    loop {
        if *stop.borrow() {
            break;
        }
        let sent = drain_once(&ctx).await;
        if sent == 0 {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tokio::time::sleep(IDLE_POLL) => {}
            }
        }
    }
    tracing::info!("notice sender stopped");
}

/// Claims one batch of due notices and sends them; returns how many it
/// claimed. Tests and `glean reconcile` call it to flush the lane.
pub async fn drain_once(ctx: &Ctx) -> usize {
    // A read first: an idle lane takes no write lock (SQLite has one writer).
    match ctx.store.notices_due(ctx.clock.now()).await {
        Ok(true) => {}
        Ok(false) => return 0,
        Err(e) => {
            tracing::error!(error = %e, "reading the notice queue failed");
            return 0;
        }
    }
    let claimed = match ctx.store.claim_notices(ctx.clock.now(), BATCH).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "claiming notices failed");
            return 0;
        }
    };
    let n = claimed.len();
    let mut by_chat: BTreeMap<i64, Vec<Notice>> = BTreeMap::new();
    for notice in claimed {
        by_chat.entry(notice.chat_id).or_default().push(notice);
    }
    let mut chats = JoinSet::new();
    for (_, notices) in by_chat {
        let ctx = ctx.clone();
        chats.spawn(async move {
            for notice in notices {
                deliver(&ctx, &notice).await;
            }
        });
    }
    while let Some(done) = chats.join_next().await {
        if let Err(e) = done {
            tracing::error!(error = %e, "a notice task failed");
        }
    }
    n
}

async fn deliver(ctx: &Ctx, n: &Notice) {
    let now = ctx.clock.now();
    // The recipient's language (a business's notices go to its owner).
    let lang = match ctx.store.user_language(n.chat_id).await {
        Ok(code) => code.as_deref().and_then(Lang::from_code).unwrap_or(Lang::EN),
        Err(e) => {
            tracing::error!(notice = n.id, error = %e, "couldn't read the recipient's language");
            retry_or_give_up(ctx, n).await;
            return;
        }
    };
    let rendered = match render(&ctx.store, n, lang, now).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            tracing::warn!(notice = n.id, kind = %n.kind, "what the notice is about is gone; dropped");
            let _ = ctx.store.finish_notice(n.id, false, now).await;
            return;
        }
        Err(e) => {
            tracing::error!(notice = n.id, kind = %n.kind, error = ?e, "couldn't render a notice");
            retry_or_give_up(ctx, n).await;
            return;
        }
    };
    let result = ctx.tg.send_text(n.chat_id, &rendered.text, rendered.markup, false).await;
    let now = ctx.clock.now();
    let outcome = match result {
        Ok(_) => {
            crate::metrics::notice(n.kind.as_str(), "sent");
            ctx.store.finish_notice(n.id, true, now).await
        }
        Err(RequestError::Api(e)) if super::alerts::gone_for_good(&e) => {
            crate::metrics::notice(n.kind.as_str(), "unreachable");
            tracing::info!(notice = n.id, chat = n.chat_id, error = %e, "chat unreachable; notice not delivered");
            ctx.store.finish_notice(n.id, false, now).await
        }
        Err(e) => {
            crate::metrics::telegram_error("sendMessage");
            tracing::warn!(notice = n.id, chat = n.chat_id, error = %e, "notice not sent; will retry");
            retry_or_give_up(ctx, n).await;
            return;
        }
    };
    if let Err(e) = outcome {
        tracing::warn!(notice = n.id, error = %e, "couldn't record a notice's outcome; it may be sent again");
    }
}

async fn retry_or_give_up(ctx: &Ctx, n: &Notice) {
    let now = ctx.clock.now();
    let result = if n.attempts >= MAX_ATTEMPTS {
        crate::metrics::notice(n.kind.as_str(), "given_up");
        tracing::error!(notice = n.id, chat = n.chat_id, kind = %n.kind, "notice given up after {MAX_ATTEMPTS} tries");
        ctx.store.finish_notice(n.id, false, now).await
    } else {
        ctx.store.retry_notice(n.id, now + RETRY_AFTER * (n.attempts.min(12) as i32)).await
    };
    if let Err(e) = result {
        tracing::warn!(notice = n.id, error = %e, "couldn't reschedule a notice");
    }
}
