//! The waitlist from a sold-out card: "⏳ Join the waitlist" → item →
//! quantity → your place; leaving; and the answers to a hold's Pay (or
//! Confirm) and Pass. Every press is answered; a press on something that
//! is over says so and changes nothing.

use teloxide::types::ReplyMarkup;

use super::{Bot, From, Press};
use crate::actions::waitlist::{self, HoldError, Left, Took};
use crate::domain::OfferStatus;
use crate::render::callback::{Cb, HoldAct};
use crate::render::i18n::Lang;
use crate::render::{keyboards, texts, waitlist as view};
use crate::store::{JoinError, Joined, StoreError};

/// "⏳ Join the waitlist" pressed on a card.
pub async fn on_join(bot: &Bot, from: &From, press: &Press, offer_id: i64) -> anyhow::Result<()> {
    let offer = match bot.store.offer(offer_id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return bot.answer(press, Some(texts::offer_not_found(from.lang))).await,
        Err(e) => return Err(e.into()),
    };
    if let Some((entry, place)) = waitlist::place(bot, from.user_id, offer_id).await? {
        let _ = entry;
        return bot
            .tg
            .answer_callback(&press.id, Some(&view::already(from.lang, place)), true)
            .await
            .map_err(Into::into);
    }
    if !matches!(offer.status, OfferStatus::Active | OfferStatus::SoldOut) {
        let reason = offer.status.unavailable_reason().unwrap_or(view::unavailable(from.lang));
        return bot.tg.answer_callback(&press.id, Some(reason), true).await.map_err(Into::into);
    }
    bot.answer(press, None).await?;
    match offer.items.as_slice() {
        [only] => ask_quantity(bot, from, None, offer_id, only.id).await,
        items => {
            let rows: Vec<Vec<(&str, Cb)>> =
                items.iter().map(|i| vec![(i.name.as_str(), Cb::JoinItem { offer: offer_id, item: i.id })]).collect();
            let markup = ReplyMarkup::InlineKeyboard(keyboards::inline(rows));
            bot.send(from.chat, view::choose_item(from.lang), Some(markup)).await.map(drop)
        }
    }
}

pub async fn on_item(bot: &Bot, from: &From, press: &Press, offer: i64, item: i64) -> anyhow::Result<()> {
    bot.answer(press, None).await?;
    ask_quantity(bot, from, Some(press.message_id), offer, item).await
}

/// Quantity buttons, 1 to the per-order cap.
async fn ask_quantity(bot: &Bot, from: &From, edit: Option<i32>, offer_id: i64, item_id: i64) -> anyhow::Result<()> {
    let offer = bot.store.offer(offer_id).await?;
    let Some(item) = offer.items.iter().find(|i| i.id == item_id) else {
        return bot.say(from.chat, texts::offer_not_found(from.lang)).await;
    };
    let max = bot.settings.max_units_per_order.min(10);
    let labels: Vec<String> = (1..=max).map(|n| n.to_string()).collect();
    let buttons: Vec<(&str, Cb)> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), Cb::JoinQty { offer: offer_id, item: item_id, qty: (i + 1) as u16 }))
        .collect();
    let rows: Vec<Vec<(&str, Cb)>> = buttons.chunks(5).map(<[_]>::to_vec).collect();
    let text = view::choose_quantity(from.lang, &item.name, &from.lang.money(item.deal_price));
    let markup = keyboards::inline(rows);
    match edit {
        Some(id) => bot.tg.edit_text(from.chat, id, &text, Some(markup)).await.map_err(Into::into),
        None => bot.send(from.chat, &text, Some(ReplyMarkup::InlineKeyboard(markup))).await.map(drop),
    }
}

/// A quantity pressed: join, keyed by the keyboard (a replay answers from
/// the first join).
pub async fn on_quantity(bot: &Bot, from: &From, press: &Press, offer: i64, item: i64, qty: u16) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    let key = format!("tg:{}:{}", from.chat, press.message_id);
    let l = from.lang;
    let title = match bot.store.offer(offer).await {
        Ok(o) => o.title,
        Err(StoreError::NotFound) => return bot.answer(press, Some(texts::offer_not_found(l))).await,
        Err(e) => return Err(e.into()),
    };
    let minutes = (bot.settings.waitlist_hold.as_secs() / 60).max(1);
    let (toast, text, leave) = match waitlist::join(bot, from.user_id, offer, item, u32::from(qty), Some(key)).await {
        Ok(Joined::Waiting(entry, place)) => {
            (None, view::joined(l, &title, place, entry.quantity, minutes), Some(Some(place)))
        }
        Ok(Joined::Again(entry, Some(place))) => {
            (None, view::joined(l, &title, place, entry.quantity, minutes), Some(Some(place)))
        }
        Ok(Joined::Again(entry, None)) => {
            let text = if entry.status.is_open() { view::already(l, None) } else { view::hold_over(l, entry.status) };
            (None, text, entry.status.is_open().then_some(None))
        }
        Err(JoinError::Already(_, place)) => {
            let text = view::already(l, place);
            (Some(text.clone()), text, Some(place))
        }
        Err(JoinError::Available) => (Some(view::available(l).to_string()), view::available(l).to_string(), None),
        Err(JoinError::Unavailable) => (Some(view::unavailable(l).to_string()), view::unavailable(l).to_string(), None),
        Err(JoinError::NotFound) => return bot.answer(press, Some(texts::offer_not_found(l))).await,
        Err(JoinError::Store(e)) => return Err(e.into()),
    };
    bot.answer(press, toast.as_deref()).await?;
    let markup = match leave {
        Some(place) => {
            let label = view::leave_button(l, place);
            Some(keyboards::inline(vec![vec![(label.as_str(), Cb::LeaveWait(offer))]]))
        }
        None if toast.as_deref() == Some(view::available(l)) => {
            Some(keyboards::inline(vec![vec![(texts::buy(l), Cb::Buy(offer))]]))
        }
        None => None,
    };
    bot.tg.edit_text(from.chat, press.message_id, &text, markup).await.map_err(Into::into)
}

/// "🚪 Leave the waitlist".
pub async fn on_leave(bot: &Bot, from: &From, press: &Press, offer_id: i64) -> anyhow::Result<()> {
    let l = from.lang;
    let text = match waitlist::leave(bot, from.user_id, offer_id).await {
        Ok(Left::Left) => {
            let title = bot.store.offer(offer_id).await.map(|o| o.title).unwrap_or_default();
            view::left(l, &title)
        }
        Ok(Left::PassedHold) => view::left_passed(l).to_string(),
        Err(HoldError::NotWaiting) => {
            return bot.tg.answer_callback(&press.id, Some(view::not_waiting(l)), true).await.map_err(Into::into);
        }
        Err(e) => return hold_refused(bot, l, press, e).await,
    };
    bot.answer(press, None).await?;
    bot.tg.edit_text(from.chat, press.message_id, &text, None).await.map_err(Into::into)
}

/// Pay / Confirm / Pass on a hold notice.
pub async fn on_hold(bot: &Bot, from: &From, press: &Press, purchase: i64, act: HoldAct) -> anyhow::Result<()> {
    let l = from.lang;
    match act {
        HoldAct::Pass => match waitlist::pass(bot, from.user_id, purchase).await {
            Ok(()) => {
                bot.answer(press, None).await?;
                bot.tg.edit_text(from.chat, press.message_id, view::passed(l), None).await.map_err(Into::into)
            }
            Err(e) => hold_refused(bot, l, press, e).await,
        },
        HoldAct::Take => match waitlist::take(bot, from.user_id, purchase).await {
            Ok(Took::Checkout { purchase, url }) => {
                bot.answer(press, None).await?;
                let minutes =
                    purchase.expires_at.map_or(0, |t| ((t - bot.clock.now()).num_seconds().max(1) as u64).div_ceil(60));
                let Ok(url) = url::Url::parse(&url) else {
                    return bot.say(from.chat, texts::payment_unavailable(l)).await;
                };
                let (text, markup) = view::pay_link(l, &purchase, url, minutes);
                bot.tg.edit_text(from.chat, press.message_id, &text, Some(markup)).await.map_err(Into::into)
            }
            Ok(Took::Confirmed { purchase }) => {
                bot.answer(press, Some(texts::reserved_toast(l))).await?;
                let text = crate::render::orders::confirmation(&bot.store, &purchase, l, bot.clock.now()).await?;
                bot.tg.edit_text(from.chat, press.message_id, &text, None).await.map_err(Into::into)
            }
            Err(e) => hold_refused(bot, l, press, e).await,
        },
    }
}

/// A refused hold press: answered with why; a hold that is over loses its
/// buttons (the question is decided).
async fn hold_refused(bot: &Bot, l: Lang, press: &Press, e: HoldError) -> anyhow::Result<()> {
    let msg = match e {
        HoldError::NotWaiting => view::not_waiting(l).to_string(),
        HoldError::NotYours => view::not_yours(l).to_string(),
        HoldError::Over(status) => view::hold_over(l, status),
        HoldError::PaymentUnavailable => texts::payment_unavailable(l).to_string(),
        HoldError::TryAgain => view::try_again(l).to_string(),
        HoldError::Unexpected(e) => return Err(e),
    };
    bot.tg.answer_callback(&press.id, Some(&msg), true).await?;
    Ok(())
}
