//! "🔔 Tell me below …" on the card of a deal whose price drops as pickup
//! nears: a follower of the shop chooses (or types) a price, and the jobs
//! tick tells them once when the deal costs that or less. The watch is
//! one row per customer and deal, so a replayed answer sets the same.

use teloxide::types::ReplyMarkup;

use super::dialogue::{Dialogue, Flow};
use super::{Bot, From, Input, Press};
use crate::actions::pricing::{self, WatchError};
use crate::domain::Money;
use crate::render::callback::{Cb, Wiz};
use crate::render::errors::explain;
use crate::render::{keyboards, texts};

/// 🔔 pressed on a card: ask for the price, with the coming steps as
/// buttons; a refusal (not a follower, no more drops) is a toast.
pub async fn on_press(bot: &Bot, from: &From, press: &Press, offer_id: i64) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    let w = match pricing::watchable(bot, from.user_id, offer_id).await {
        Ok(w) => w,
        Err(WatchError::Unexpected(e)) => return Err(e),
        Err(refused) => {
            let why = explain(from.lang, &refused);
            return bot.tg.answer_callback(&press.id, Some(&why), true).await.map_err(Into::into);
        }
    };
    bot.answer(press, None).await?;
    let choices: Vec<i64> = w.choices.iter().map(|m| m.minor()).collect();
    let d = Dialogue::new(Flow::PriceWatch { offer_id, choices });
    bot.save(from.chat, &d).await?;
    ask(bot, from, &d, &w).await
}

async fn ask(bot: &Bot, from: &From, d: &Dialogue, w: &pricing::Watchable) -> anyhow::Result<()> {
    let l = from.lang;
    let labels: Vec<String> = w.choices.iter().map(|m| l.money(*m)).collect();
    let buttons: Vec<(&str, Cb)> = labels
        .iter()
        .enumerate()
        .map(|(i, label)| (label.as_str(), Cb::Wizard { seq: d.seq, action: Wiz::Pick(i as u16) }))
        .collect();
    let mut rows: Vec<Vec<(&str, Cb)>> = buttons.chunks(4).map(<[_]>::to_vec).collect();
    rows.push(keyboards::nav(l, d.seq, false));
    let text = texts::watch_ask(l, &w.offer.title, &l.money(w.now), &l.money(w.floor));
    bot.send(from.chat, &text, Some(ReplyMarkup::InlineKeyboard(keyboards::inline(rows)))).await.map(drop)
}

/// A price typed while asked.
pub async fn on_input(bot: &Bot, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
    let Flow::PriceWatch { offer_id, .. } = &d.flow else { return Ok(()) };
    let offer_id = *offer_id;
    let Input::Text(t) = &input else { return bot.say(from.chat, texts::text_expected(from.lang)).await };
    if keyboards::nav_of(t) == Some(Wiz::Cancel) {
        bot.end_dialogue(from.chat).await?;
        return bot.say(from.chat, texts::cancelled(from.lang)).await;
    }
    let currency = bot.store.offer(offer_id).await?.currency;
    match Money::parse_price(t, currency) {
        Ok(below) => set(bot, from, &d, offer_id, below).await,
        Err(e) => {
            bot.say(from.chat, &texts::problem(from.lang, &explain(from.lang, &e))).await?;
            reask(bot, from, &d, offer_id).await
        }
    }
}

/// A price button (or Cancel) pressed while asked.
pub async fn on_button(bot: &Bot, from: &From, press: &Press, d: Dialogue, action: Wiz) -> anyhow::Result<()> {
    let Flow::PriceWatch { offer_id, choices } = &d.flow else { return Ok(()) };
    let offer_id = *offer_id;
    match action {
        Wiz::Pick(i) => {
            let Some(minor) = choices.get(usize::from(i)).copied() else {
                return bot.answer(press, Some(texts::stale_button(from.lang))).await;
            };
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            let currency = bot.store.offer(offer_id).await?.currency;
            let below = Money::from_minor(minor, currency).ok_or_else(|| anyhow::anyhow!("bad choice {minor}"))?;
            set(bot, from, &d, offer_id, below).await
        }
        _ => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            bot.end_dialogue(from.chat).await?;
            bot.say(from.chat, texts::cancelled(from.lang)).await
        }
    }
}

/// Sets the watch; a price that can't be right is said and asked again.
async fn set(bot: &Bot, from: &From, d: &Dialogue, offer_id: i64, below: Money) -> anyhow::Result<()> {
    match pricing::watch(bot, from.user_id, offer_id, below).await {
        Ok(offer) => {
            bot.say(from.chat, &texts::watch_set(from.lang, &offer.title, &from.lang.money(below))).await?;
            bot.end_dialogue(from.chat).await
        }
        Err(WatchError::Unexpected(e)) => Err(e),
        Err(e @ (WatchError::NotBelow { .. } | WatchError::BelowFloor { .. })) => {
            bot.say(from.chat, &texts::problem(from.lang, &explain(from.lang, &e))).await?;
            reask(bot, from, d, offer_id).await
        }
        Err(e) => {
            bot.end_dialogue(from.chat).await?;
            bot.say(from.chat, &explain(from.lang, &e)).await
        }
    }
}

/// Asks again, with the choices as they are now.
async fn reask(bot: &Bot, from: &From, d: &Dialogue, offer_id: i64) -> anyhow::Result<()> {
    match pricing::watchable(bot, from.user_id, offer_id).await {
        Ok(w) => {
            let choices = w.choices.iter().map(|m| m.minor()).collect();
            let d = d.clone().next(Flow::PriceWatch { offer_id, choices });
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d, &w).await
        }
        Err(WatchError::Unexpected(e)) => Err(e),
        Err(e) => {
            bot.end_dialogue(from.chat).await?;
            bot.say(from.chat, &explain(from.lang, &e)).await
        }
    }
}
