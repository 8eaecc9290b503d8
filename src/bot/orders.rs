//! Buying from a card (item, quantity, reserve, pay) and `/orders` with
//! cancellation.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ReplyMarkup};

use super::{Bot, From, Press};
use crate::actions::purchases::{self, Bought, BuyError, CancelOrderError, Cancelled};
use crate::domain::PurchaseStatus;
use crate::domain::purchase::CancelError;
use crate::render::callback::Cb;
use crate::render::errors::explain;
use crate::render::{keyboards, texts};
use crate::store::{Purchase, StoreError};

/// Buy pressed on a card.
pub async fn on_buy(bot: &Bot, from: &From, press: &Press, offer_id: i64) -> anyhow::Result<()> {
    if let Some(open) = bot.store.open_reservation(from.user_id, offer_id).await? {
        bot.answer(press, None).await?;
        return show_reservation(bot, from, None, &open).await;
    }
    let offer = match bot.store.offer(offer_id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return bot.answer(press, Some(texts::offer_not_found(from.lang))).await,
        Err(e) => return Err(e.into()),
    };
    if let Some(reason) = offer.status.unavailable_reason() {
        return bot.tg.answer_callback(&press.id, Some(reason), true).await.map_err(Into::into);
    }
    bot.answer(press, None).await?;
    let now = bot.clock.now();
    match offer.items.as_slice() {
        [only] => ask_quantity(bot, from, None, offer_id, only.id).await,
        items => {
            let labels: Vec<(String, Cb)> = items
                .iter()
                .filter(|i| i.remaining() > 0)
                .map(|i| {
                    (
                        format!("{} – {} ({} left)", i.name, offer.price_at(i, now), i.remaining()),
                        Cb::BuyItem { offer: offer_id, item: i.id },
                    )
                })
                .collect();
            let rows = labels.iter().map(|(l, cb)| vec![(l.as_str(), *cb)]).collect();
            bot.send(
                from.chat,
                texts::choose_item(from.lang),
                Some(ReplyMarkup::InlineKeyboard(keyboards::inline(rows))),
            )
            .await
            .map(drop)
        }
    }
}

/// Quantity buttons for one item, bounded by stock and the per-order cap.
pub async fn ask_quantity(
    bot: &Bot,
    from: &From,
    edit: Option<i32>,
    offer_id: i64,
    item_id: i64,
) -> anyhow::Result<()> {
    let offer = bot.store.offer(offer_id).await?;
    let Some(item) = offer.items.iter().find(|i| i.id == item_id) else {
        return bot.say(from.chat, texts::offer_not_found(from.lang)).await;
    };
    let max = item.remaining().min(bot.settings.max_units_per_order).min(10);
    if max == 0 || !offer.status.is_buyable() {
        return bot.say(from.chat, offer.status.unavailable_reason().unwrap_or(texts::sold_out_now(from.lang))).await;
    }
    let labels: Vec<String> = (1..=max).map(|n| n.to_string()).collect();
    let buttons: Vec<(&str, Cb)> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), Cb::BuyQty { offer: offer_id, item: item_id, qty: (i + 1) as u16 }))
        .collect();
    let rows: Vec<Vec<(&str, Cb)>> = buttons.chunks(5).map(<[_]>::to_vec).collect();
    let price = offer.price_at(item, bot.clock.now());
    let text = texts::choose_quantity(from.lang, &item.name, &from.lang.money(price), item.remaining());
    let markup = keyboards::inline(rows);
    match edit {
        Some(id) => bot.tg.edit_text(from.chat, id, &text, Some(markup)).await.map_err(Into::into),
        None => bot.send(from.chat, &text, Some(ReplyMarkup::InlineKeyboard(markup))).await.map(drop),
    }
}

pub async fn on_item(bot: &Bot, from: &From, press: &Press, offer: i64, item: i64) -> anyhow::Result<()> {
    bot.answer(press, None).await?;
    ask_quantity(bot, from, Some(press.message_id), offer, item).await
}

/// A quantity pressed: reserve, then pay (or confirmed for pay at pickup).
pub async fn on_quantity(bot: &Bot, from: &From, press: &Press, offer: i64, item: i64, qty: u16) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    // One purchase per quantity keyboard: a replayed update or a second
    // press on the same message finds the first and answers from it.
    let key = format!("tg:{}:{}", from.chat, press.message_id);
    match purchases::buy(bot, from.user_id, offer, item, u32::from(qty), Some(key)).await {
        Ok(Bought::AwaitingPayment { purchase, .. } | Bought::Reopened { purchase, .. }) => {
            bot.answer(press, None).await?;
            show_reservation(bot, from, Some(press.message_id), &purchase).await
        }
        Ok(Bought::Again { purchase }) => {
            bot.answer(press, None).await?;
            let text = match purchase.status {
                PurchaseStatus::Reserved => {
                    return show_reservation(bot, from, Some(press.message_id), &purchase).await;
                }
                PurchaseStatus::Confirmed | PurchaseStatus::Paid => {
                    crate::render::orders::confirmation(&bot.store, &purchase, from.lang, bot.clock.now()).await?
                }
                other => texts::order_is(from.lang, purchase.id, other.as_str()),
            };
            bot.tg.edit_text(from.chat, press.message_id, &text, None).await.map_err(Into::into)
        }
        Ok(Bought::Confirmed { purchase }) => {
            bot.answer(press, Some(texts::reserved_toast(from.lang))).await?;
            let text = crate::render::orders::confirmation(&bot.store, &purchase, from.lang, bot.clock.now()).await?;
            bot.tg.edit_text(from.chat, press.message_id, &text, None).await?;
            Ok(())
        }
        Err(BuyError::SoldOut) => {
            bot.answer(press, Some(texts::sold_out_now(from.lang))).await?;
            bot.tg
                .edit_text(from.chat, press.message_id, texts::sold_out_now(from.lang), None)
                .await
                .map_err(Into::into)
        }
        Err(e @ BuyError::Unavailable(_)) => {
            let reason = explain(from.lang, &e);
            bot.answer(press, Some(&reason)).await?;
            bot.tg.edit_text(from.chat, press.message_id, &reason, None).await.map_err(Into::into)
        }
        Err(BuyError::PaymentUnavailable) => {
            bot.answer(press, None).await?;
            bot.tg
                .edit_text(from.chat, press.message_id, texts::payment_unavailable(from.lang), None)
                .await
                .map_err(Into::into)
        }
        Err(BuyError::NotFound) => bot.answer(press, Some(texts::offer_not_found(from.lang))).await,
        Err(BuyError::Unexpected(e)) => Err(e),
    }
}

/// An unpaid reservation: what it holds and the Pay button.
async fn show_reservation(bot: &Bot, from: &From, edit: Option<i32>, p: &Purchase) -> anyhow::Result<()> {
    let chat = from.chat;
    let offer = bot.store.offer(p.offer_id).await?;
    let minutes = p.expires_at.map_or(0, |t| ((t - bot.clock.now()).num_seconds().max(1) as u64).div_ceil(60));
    let text = texts::reserved_pay(
        from.lang,
        p.id,
        &crate::render::orders::lines(from.lang, p, &offer),
        &from.lang.money(p.total),
        minutes,
    );
    let mut rows: Vec<Vec<InlineKeyboardButton>> = Vec::new();
    if let Some(url) = p.stripe_session_url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        rows.push(vec![InlineKeyboardButton::url(texts::pay_button(from.lang, &from.lang.money(p.total)), url)]);
    }
    rows.push(vec![InlineKeyboardButton::callback(
        texts::cancel_reservation(from.lang),
        Cb::CancelOrder(p.id).encode(),
    )]);
    let markup = InlineKeyboardMarkup::new(rows);
    match edit {
        Some(id) => bot.tg.edit_text(chat, id, &text, Some(markup)).await.map_err(Into::into),
        None => bot.send(chat, &text, Some(ReplyMarkup::InlineKeyboard(markup))).await.map(drop),
    }
}

/// `/orders`: the customer's recent orders with their state and codes.
pub async fn list(bot: &Bot, from: &From) -> anyhow::Result<()> {
    let orders = bot.store.purchases_of_customer(from.user_id, 10).await?;
    let waits = bot.store.open_waits_of(from.user_id).await?;
    if orders.is_empty() && waits.is_empty() {
        return bot.say(from.chat, texts::no_orders(from.lang)).await;
    }
    let mut text = texts::orders_header(from.lang).to_string();
    let mut cancel: Vec<(String, Cb)> = Vec::new();
    // The deals this person waits for, with their place and Leave.
    if !waits.is_empty() {
        text.push_str(&format!("\n\n{}", crate::render::waitlist::orders_header(from.lang)));
    }
    for w in &waits {
        let offer = bot.store.offer(w.offer_id).await?;
        let place = bot.store.place_of(w).await?;
        text.push_str(&format!("\n{}", crate::render::waitlist::orders_line(from.lang, &offer, w, place)));
        cancel.push((crate::render::waitlist::leave_button(from.lang, place), Cb::LeaveWait(w.offer_id)));
    }
    for p in &orders {
        let offer = bot.store.offer(p.offer_id).await?;
        let venue = bot.store.venue(offer.venue_id).await?;
        let l = from.lang;
        let window = offer.window().map(|w| l.window(&w, venue.timezone, bot.clock.now())).unwrap_or_default();
        text.push_str(&format!(
            "\n\n<b>#{} · {}</b>\n{}\n{} · {}",
            p.id,
            texts::esc(&offer.title),
            crate::render::orders::lines(l, p, &offer),
            l.money(p.total),
            texts::order_status(l, p.status.as_str())
        ));
        if matches!(p.status, PurchaseStatus::Reserved | PurchaseStatus::Confirmed | PurchaseStatus::Paid) {
            text.push('\n');
            text.push_str(&texts::my_order_code(l, p.pickup_code.as_str(), &window));
            cancel.push((texts::cancel_order_button(from.lang, p.id), Cb::CancelOrder(p.id)));
        } else if p.status == PurchaseStatus::Donated {
            text.push('\n');
            text.push_str(&texts::my_order_code(l, p.pickup_code.as_str(), &window));
        }
    }
    let saved = bot.store.impact_of_customer(from.user_id).await?;
    text.push_str(&format!("\n\n{}", texts::impact_customer(from.lang, &saved)));
    let rows: Vec<Vec<(&str, Cb)>> = cancel.iter().map(|(l, cb)| vec![(l.as_str(), *cb)]).collect();
    let markup = (!rows.is_empty()).then(|| ReplyMarkup::InlineKeyboard(keyboards::inline(rows)));
    bot.send(from.chat, &text, markup).await.map(drop)
}

/// Cancel pressed: confirm first, saying what the customer gets back.
pub async fn on_cancel(bot: &Bot, from: &From, press: &Press, id: i64) -> anyhow::Result<()> {
    let p = match bot.store.purchase(id).await {
        Ok(p) if p.customer_tg_id == from.user_id => p,
        Ok(_) | Err(StoreError::NotFound) => return bot.answer(press, Some(texts::unknown_button(from.lang))).await,
        Err(e) => return Err(e.into()),
    };
    bot.answer(press, None).await?;
    let refund = (p.status == PurchaseStatus::Paid).then(|| from.lang.money(p.total));
    let markup = keyboards::inline(vec![vec![
        (texts::yes_cancel(from.lang), Cb::ConfirmCancel(id)),
        (texts::keep_it(from.lang), Cb::KeepOrder(id)),
    ]]);
    bot.send(
        from.chat,
        &texts::confirm_cancel(from.lang, id, refund.as_deref()),
        Some(ReplyMarkup::InlineKeyboard(markup)),
    )
    .await
    .map(drop)
}

pub async fn on_confirm_cancel(bot: &Bot, from: &From, press: &Press, id: i64) -> anyhow::Result<()> {
    let outcome = purchases::cancel(bot, from.user_id, id).await;
    let text = match outcome {
        Ok(Cancelled::Released) => texts::order_cancelled(from.lang, id, None),
        Ok(Cancelled::Refunding(total)) => texts::order_cancelled(from.lang, id, Some(&from.lang.money(total))),
        // Cancelled already: this press was handled before (a replay, a
        // double press), so answer as the first handling did.
        Err(CancelOrderError::Policy(CancelError::NotCancellable(_)))
            if let Ok(p) = bot.store.purchase(id).await
                && matches!(
                    p.status,
                    PurchaseStatus::Cancelled | PurchaseStatus::RefundPending | PurchaseStatus::Refunded
                ) =>
        {
            let refund = (p.status != PurchaseStatus::Cancelled).then(|| from.lang.money(p.total));
            texts::order_cancelled(from.lang, id, refund.as_deref())
        }
        Err(CancelOrderError::Policy(e)) => explain(from.lang, &e),
        Err(CancelOrderError::NotYours) => return bot.answer(press, Some(texts::unknown_button(from.lang))).await,
        Err(CancelOrderError::TryAgain) => {
            let msg = explain(from.lang, &CancelOrderError::TryAgain);
            return bot.tg.answer_callback(&press.id, Some(&msg), true).await.map_err(Into::into);
        }
        Err(CancelOrderError::Unexpected(e)) => return Err(e),
    };
    bot.answer(press, None).await?;
    bot.tg.edit_text(from.chat, press.message_id, &text, None).await.map_err(Into::into)
}

pub async fn on_keep(bot: &Bot, from: &From, press: &Press) -> anyhow::Result<()> {
    bot.answer(press, None).await?;
    bot.tg.edit_text(from.chat, press.message_id, texts::kept(from.lang), None).await.map_err(Into::into)
}

/// `/start order_<id>`: back from Stripe's checkout page.
pub async fn show_order(bot: &Bot, from: &From, id: i64) -> anyhow::Result<()> {
    let p = match bot.store.purchase(id).await {
        Ok(p) if p.customer_tg_id == from.user_id => p,
        _ => return bot.say(from.chat, texts::no_orders(from.lang)).await,
    };
    match p.status {
        PurchaseStatus::Reserved => show_reservation(bot, from, None, &p).await,
        PurchaseStatus::Paid | PurchaseStatus::Confirmed => {
            let text = crate::render::orders::confirmation(&bot.store, &p, from.lang, bot.clock.now()).await?;
            bot.say(from.chat, &text).await
        }
        other => bot.say(from.chat, &texts::order_is(from.lang, id, other.as_str())).await,
    }
}

/// `/impact`: the meals this person saved; a business owner also sees
/// each business's, an admin everything Glean saved.
pub async fn impact(bot: &Bot, from: &From) -> anyhow::Result<()> {
    let mut lines = vec![texts::impact_customer(from.lang, &bot.store.impact_of_customer(from.user_id).await?)];
    for b in bot.store.businesses_of_owner(from.user_id).await? {
        lines.push(texts::impact_business(from.lang, &b.name, &bot.store.impact_of_business(b.id).await?));
    }
    if bot.settings.is_admin(from.user_id) {
        lines.push(texts::impact_total(from.lang, &bot.store.impact_total().await?));
    }
    bot.say(from.chat, &lines.join("\n\n")).await
}
