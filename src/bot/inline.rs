//! Inline mode: `@bot bread` typed in any chat. The query is answered with
//! matching active deals, nearest first when Telegram sent the user's
//! location (`/setinlinegeo`) or they shared one with us before, else the
//! freshest; choosing one posts a deal card with "🛒 Buy in Glean" (a deep
//! link that lands on the deal). With inline feedback on
//! (`/setinlinefeedback`) Telegram reports the choice with the posted
//! message's `inline_message_id`, which is stored so the card is edited
//! when the deal sells out or ends (`send::cards`); without it, cards
//! simply stay as posted and the deep link says how the deal is now.

use teloxide::types::{ChosenInlineResult, InlineQuery};

use super::Bot;
use crate::actions::sharing;
use crate::domain::Coordinates;
use crate::render::i18n::Lang;
use crate::render::inline::{Links, result};

/// How long Telegram may cache an answer (seconds): deals sell out fast.
const CACHE_SECS: u32 = 10;

pub async fn on_query(bot: &Bot, q: &InlineQuery) -> anyhow::Result<()> {
    let user = q.from.id.0 as i64;
    let sent = q.location.as_ref().and_then(|l| Coordinates::new(l.latitude, l.longitude).ok());
    let known = bot.store.user(user).await?;
    let at = sent.or_else(|| known.as_ref().and_then(|u| u.location));
    // The posted card is in the sharer's language: chosen, else Telegram's.
    let telegram = Lang::of_telegram(q.from.language_code.as_deref());
    let lang = match known.as_ref().filter(|u| u.language_chosen).and_then(|u| u.language.as_deref()) {
        Some(code) => Lang::from_code(code).unwrap_or(telegram),
        None => telegram,
    };
    let deals = sharing::inline_deals(bot, &q.query, at).await?;
    let now = bot.clock.now();
    let base = bot.settings.public_base_url.as_ref();
    let results = deals
        .iter()
        .filter_map(|d| {
            let links = Links {
                deal: bot.deep_link(&format!("offer_{}", d.offer.id)),
                shop: bot.deep_link(&format!("biz_{}", d.business.id)),
            };
            result(lang, d, base, &links, now)
        })
        .collect();
    match bot.tg.answer_inline(&q.id.0, results, CACHE_SECS).await {
        Ok(()) => {
            tracing::info!(tg_user = user, found = deals.len(), located = at.is_some(), "inline query answered");
            Ok(())
        }
        // The user typed on (a newer query replaced this one), or this is a
        // replay after a crash: the query is closed, and nobody waits for it.
        Err(teloxide::RequestError::Api(e)) => {
            tracing::info!(tg_user = user, error = %e, "inline query no longer open");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn on_chosen(bot: &Bot, r: &ChosenInlineResult) -> anyhow::Result<()> {
    let user = r.from.id.0 as i64;
    let Some(inline_message_id) = r.inline_message_id.as_deref() else {
        // Posted without a keyboard, or feedback without ids: nothing to follow.
        tracing::debug!(tg_user = user, result = %r.result_id, "chosen inline result without a message id");
        return Ok(());
    };
    let recorded = sharing::card_posted(bot, &r.result_id, inline_message_id, user).await?;
    tracing::info!(tg_user = user, result = %r.result_id, recorded, "deal card shared");
    Ok(())
}
