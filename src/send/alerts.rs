//! The deal-alert sender: drains the notification outbox at Telegram's
//! limits. It claims small batches, followers first and newest deal first,
//! and sends each at most once, one at a time, as bulk sends: paced at
//! `bulk_per_sec` by `TgClient`'s limiter (per chat and the bot's bulk
//! lane). After a 429 the refused notification goes back to the queue and
//! the sender waits out `retry_after` before its next send. Notices
//! about a change (a payment, a refund) don't wait here: they have their
//! own lane, `send::notices`.
//!
//! Quiet hours hold every notification, a followed shop's too: they are
//! the customer's "not now", whoever the deal is from. A notification
//! whose quiet hours outlast the pickup window is dropped.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use chrono::Duration;
use rand::Rng;
use teloxide::types::ReplyMarkup;
use teloxide::{ApiError, RequestError};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::actions::Ctx;
use crate::actions::alerts::quiet_of;
use crate::actions::notify::fan_out_pending;
use crate::domain::OfferStatus;
use crate::render::callback::Cb;
use crate::render::i18n::Lang;
use crate::render::{cards, keyboards, texts};
use crate::store::{Claimed, NotificationStatus};

/// How long the sender sleeps when there is nothing to send.
const IDLE_POLL: StdDuration = StdDuration::from_millis(250);
/// How often the sender tidies up (drops dead rows, frees stale claims).
const UPKEEP_EVERY: StdDuration = StdDuration::from_secs(2);
/// Claims older than this go back to the queue: their sender stopped or
/// stalls. A live holder loses nothing but the claim (`begin_send` fails).
const CLAIM_LEASE: Duration = Duration::seconds(30);
/// A send that began this long ago and never finished was in flight when
/// its sender died: marked lost.
const LOST_AFTER: Duration = Duration::minutes(10);
/// When Telegram can't be reached at all, a notification waits this long.
const RETRY_AFTER: Duration = Duration::seconds(30);

/// The sender, until `stop`: expands publications, claims due
/// notifications in small batches and sends them one by one, evenly
/// spaced at `bulk_per_sec`. On stop, what it claimed but didn't start
/// sending goes back to the queue.
pub async fn run_sender(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    let rate = ctx.settings.telegram_limits.bulk_per_sec.max(0.1);
    // About a third of a second of sending: little is in limbo if we die.
    let batch = (rate / 3.0).ceil().clamp(1.0, 50.0) as i64;
    // Claims of an earlier run were never sent (a send marks its row
    // first); anyone still holding one finds it gone and skips it.
    match ctx.store.release_stale_claims(ctx.clock.now() + Duration::seconds(1)).await {
        Ok(n) if n > 0 => tracing::info!(released = n, "notifications claimed by an earlier run are queued again"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "couldn't release earlier claims"),
    }
    let mut last_upkeep: Option<Instant> = None;
    let mut cards = CardCache::default();
    // Set after a 429: no send before then. Waited out here, before a row
    // is marked `sending`, so a stop or a crash meanwhile loses nothing.
    let mut held_until: Option<Instant> = None;
    tracing::info!(per_sec = rate, batch, "notification sender running");
    loop {
        if *stop.borrow() {
            break;
        }
        if last_upkeep.is_none_or(|t| t.elapsed() >= UPKEEP_EVERY) {
            upkeep(&ctx).await;
            last_upkeep = Some(Instant::now());
        }
        if let Err(e) = fan_out_pending(&ctx).await {
            tracing::error!(error = ?e, "fan-out failed");
        }
        let now = ctx.clock.now();
        let due = match ctx.store.outbox_due(now).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "reading the outbox failed");
                false
            }
        };
        let claim: i64 = rand::thread_rng().gen_range(1..i64::MAX);
        let claimed = if due {
            ctx.store.claim_notifications(claim, batch, now).await.unwrap_or_else(|e| {
                tracing::error!(error = %e, "claiming notifications failed");
                Vec::new()
            })
        } else {
            Vec::new()
        };
        if claimed.is_empty() {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tokio::time::sleep(IDLE_POLL) => {}
            }
            continue;
        }
        cards.clear();
        for n in claimed {
            let Some(send) = prepare(&ctx, &n, claim, &mut cards).await else { continue };
            let resume = held_until.take().unwrap_or_else(Instant::now);
            tokio::select! {
                _ = stop.changed() => {
                    if let Err(e) = ctx.store.release_claims(claim).await {
                        tracing::warn!(error = %e, "couldn't release claims on stop; they return at the next start");
                    }
                    tracing::info!("notification sender stopped");
                    return;
                }
                _ = tokio::time::sleep_until(resume) => {}
            }
            if let Some(wait) = deliver(&ctx, &n, claim, send).await {
                held_until = Some(Instant::now() + wait);
            }
        }
    }
    tracing::info!("notification sender stopped");
}

/// A notification ready to go: its text and buttons.
struct Ready {
    text: String,
    markup: ReplyMarkup,
}

/// Decides what happens to one claimed notification: `Some` to send it
/// now, `None` when it was dropped or held for quiet hours.
async fn prepare(ctx: &Ctx, n: &Claimed, claim: i64, cards: &mut CardCache) -> Option<Ready> {
    let now = ctx.clock.now();
    let drop = |reason: &'static str| async move {
        tracing::info!(
            notification = n.id,
            tg_user = n.customer_tg_id,
            offer_id = n.offer_id,
            reason,
            "notification dropped"
        );
        if let Err(e) = ctx.store.finish_notification(n.id, NotificationStatus::Dropped, Some(reason), now).await {
            tracing::warn!(notification = n.id, error = %e, "couldn't mark a notification dropped");
        }
    };
    if n.unreachable {
        drop("unreachable").await;
        return None;
    }
    let end = match ctx.store.offer_state(n.offer_id).await {
        Ok((OfferStatus::Active, end)) if end > now => end,
        Ok(_) => {
            drop("offer_gone").await;
            return None;
        }
        Err(e) => {
            tracing::warn!(notification = n.id, error = %e, "couldn't check the offer; trying later");
            let _ = ctx.store.hold_notification(n.id, claim, now + RETRY_AFTER).await;
            return None;
        }
    };
    let (quiet, tz) = quiet_of(&n.quiet, ctx.settings.default_timezone);
    if let Some(until) = quiet.and_then(|q| q.ends_after(now, tz)) {
        if until >= end {
            drop("quiet_hours").await;
        } else if let Err(e) = ctx.store.hold_notification(n.id, claim, until).await {
            tracing::warn!(notification = n.id, error = %e, "couldn't hold a notification for quiet hours");
        } else {
            tracing::debug!(notification = n.id, tg_user = n.customer_tg_id, %until, "held for quiet hours");
        }
        return None;
    }
    let card = match cards.get(ctx, n.offer_id).await {
        Some(c) => c,
        None => {
            drop("offer_gone").await;
            return None;
        }
    };
    let l = n.language.as_deref().and_then(Lang::from_code).unwrap_or(Lang::EN);
    let text = card.render(l, n.follower, n.restock, n.distance_m, now);
    let follow_label = texts::follow_button(l, &card.business);
    let mut rows = vec![vec![(texts::buy(l), Cb::Buy(n.offer_id)), (texts::view(l), Cb::ShowOffer(n.offer_id))]];
    if !n.follower {
        rows.push(vec![(follow_label.as_str(), Cb::Follow(card.business_id))]);
    }
    let app = ctx.app_url(Some(&format!("offer={}", n.offer_id)));
    let markup = keyboards::with_app_button(keyboards::inline(rows), texts::open_in_app(l), app);
    Some(Ready { text, markup: ReplyMarkup::InlineKeyboard(markup) })
}

/// Sends one notification, at most once: the row is marked `sending`
/// (only if still ours) before the request and `sent` after. Returns how
/// long to hold off when Telegram answered 429.
async fn deliver(ctx: &Ctx, n: &Claimed, claim: i64, ready: Ready) -> Option<StdDuration> {
    // The offer may have sold out while this waited for its turn.
    let now = ctx.clock.now();
    if let Ok((status, end)) = ctx.store.offer_state(n.offer_id).await
        && (status != OfferStatus::Active || end <= now)
    {
        tracing::info!(notification = n.id, offer_id = n.offer_id, "notification dropped: offer gone");
        if let Err(e) = ctx.store.finish_notification(n.id, NotificationStatus::Dropped, Some("offer_gone"), now).await
        {
            tracing::warn!(notification = n.id, error = %e, "couldn't mark a notification dropped");
        }
        return None;
    }
    match ctx.store.begin_send(n.id, claim, now).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::debug!(notification = n.id, "no longer ours; skipped");
            return None;
        }
        Err(e) => {
            tracing::warn!(notification = n.id, error = %e, "couldn't mark a notification as sending");
            return None;
        }
    }
    let result = ctx.tg.send_text(n.customer_tg_id, &ready.text, Some(ready.markup), true).await;
    let now = ctx.clock.now();
    let mut hold = None;
    let done = match result {
        Ok(_) => ctx.store.finish_notification(n.id, NotificationStatus::Sent, None, now).await,
        Err(RequestError::Api(e)) if gone_for_good(&e) => {
            tracing::info!(tg_user = n.customer_tg_id, error = %e, "customer unreachable; their notifications stop");
            let r = ctx.store.finish_notification(n.id, NotificationStatus::Failed, Some("unreachable"), now).await;
            match ctx.store.mark_unreachable(n.customer_tg_id, now).await {
                Ok(dropped) if dropped > 0 => {
                    tracing::info!(tg_user = n.customer_tg_id, dropped, "their waiting notifications dropped")
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(tg_user = n.customer_tg_id, error = %e, "couldn't mark a customer unreachable")
                }
            }
            r
        }
        Err(RequestError::RetryAfter(after)) => {
            // Telegram refused it: not delivered, so it goes back to the
            // queue, due when the hold ends. The client has held the bulk
            // lane for every sender; this one waits before its next row.
            tracing::warn!(notification = n.id, retry_after = after.seconds(), "rate limited; the notification waits");
            hold = Some(after.duration());
            ctx.store.retry_notification(n.id, now + Duration::seconds(i64::from(after.seconds()))).await
        }
        Err(RequestError::Network(e)) if e.is_connect() => {
            // The request never reached Telegram: safe to try again later.
            tracing::warn!(notification = n.id, "Telegram unreachable; the notification waits");
            ctx.store.retry_notification(n.id, now + RETRY_AFTER).await
        }
        Err(e) => {
            let reason = match &e {
                RequestError::Api(api) => format!("api: {api}"),
                _ => "request failed".to_string(),
            };
            tracing::warn!(notification = n.id, tg_user = n.customer_tg_id, reason, "notification failed; not retried");
            ctx.store.finish_notification(n.id, NotificationStatus::Failed, Some(&reason), now).await
        }
    };
    if let Err(e) = done {
        // Stays `sending`: later marked lost, never resent.
        tracing::warn!(notification = n.id, error = %e, "couldn't record a notification's outcome");
    }
    hold
}

/// Telegram errors that mean this customer can't be messaged any more.
pub fn gone_for_good(e: &ApiError) -> bool {
    match e {
        ApiError::BotBlocked
        | ApiError::UserDeactivated
        | ApiError::CantInitiateConversation
        | ApiError::CantTalkWithBots
        | ApiError::ChatNotFound => true,
        ApiError::Unknown(s) => s.starts_with("Forbidden"),
        _ => false,
    }
}

/// Periodic tidying: waiting rows of offers that can't be bought are
/// dropped; stale claims go back to the queue; sends that never finished
/// are marked lost and logged.
async fn upkeep(ctx: &Ctx) {
    let now = ctx.clock.now();
    match ctx.store.drop_dead_notifications(now).await {
        Ok(n) if n > 0 => tracing::info!(dropped = n, "notifications of offers no longer on sale dropped"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "dropping dead notifications failed"),
    }
    if let Err(e) = ctx.store.release_stale_claims(now - CLAIM_LEASE).await {
        tracing::warn!(error = %e, "releasing stale claims failed");
    }
    match ctx.store.mark_lost(now - LOST_AFTER, now).await {
        Ok(lost) => {
            for (id, customer, offer) in lost {
                tracing::warn!(
                    notification = id,
                    tg_user = customer,
                    offer_id = offer,
                    "notification was in flight when its sender stopped; not resent"
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "marking lost notifications failed"),
    }
}

/// The rendered card parts of the offers in one batch.
#[derive(Default)]
struct CardCache(HashMap<i64, Option<cards::AlertCard>>);

impl CardCache {
    fn clear(&mut self) {
        self.0.clear();
    }

    async fn get(&mut self, ctx: &Ctx, offer_id: i64) -> Option<cards::AlertCard> {
        if let Some(card) = self.0.get(&offer_id) {
            return card.clone();
        }
        let card = async {
            let offer = ctx.store.offer(offer_id).await.ok()?;
            let business = ctx.store.business(offer.business_id).await.ok()?;
            let venue = ctx.store.venue(offer.venue_id).await.ok()?;
            cards::AlertCard::of_offer(&offer, &business, &venue, ctx.clock.now())
        }
        .await;
        self.0.insert(offer_id, card.clone());
        card
    }
}
