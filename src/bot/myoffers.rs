//! `/myoffers`, `/pause`, `/edit`, `/pickup`: a business manages its offers
//! from one card per offer (edited in place) and confirms pickups by code.

use teloxide::types::ReplyMarkup;

use super::dialogue::{Dialogue, Flow};
use super::{Bot, From, Input, Press};
use crate::actions::offers::{self, ManageError, PickupRefused};
use crate::domain::{BusinessStatus, Money, OfferEvent, OfferStatus, PurchaseStatus, Quantity};
use crate::render::callback::{Act, Cb, Wiz};
use crate::render::errors::explain;
use crate::render::i18n::Lang;
use crate::render::orders::lines as order_lines;
use crate::render::{keyboards, texts};
use crate::store::{Business, Offer, OfferFilter, QuantityError};

/// The owner's business that offers are managed for.
async fn my_business(bot: &Bot, from: &From) -> anyhow::Result<Option<Business>> {
    let mine = bot.store.businesses_of_owner(from.user_id).await?;
    Ok(mine.into_iter().rev().find(|b| matches!(b.status, BusinessStatus::Verified | BusinessStatus::Suspended)))
}

/// The groups of /myoffers, in order.
const GROUPS: [OfferStatus; 6] = [
    OfferStatus::Active,
    OfferStatus::Paused,
    OfferStatus::SoldOut,
    OfferStatus::Draft,
    OfferStatus::Expired,
    OfferStatus::Withdrawn,
];

fn counts(l: Lang, o: &Offer) -> String {
    let (sold, reserved): (u32, u32) = o.items.iter().fold((0, 0), |(s, r), i| (s + i.sold, r + i.reserved));
    texts::offer_counts(l, sold, reserved, o.remaining())
}

pub async fn list(bot: &Bot, from: &From, edit: Option<i32>) -> anyhow::Result<()> {
    let Some(business) = my_business(bot, from).await? else {
        return bot.say(from.chat, texts::need_verified_business(from.lang)).await;
    };
    let offers = bot.store.offers(&OfferFilter { business_id: Some(business.id), statuses: vec![], limit: 40 }).await?;
    if offers.is_empty() {
        return bot.say(from.chat, texts::myoffers_empty(from.lang)).await;
    }
    let mut text = texts::myoffers_header(from.lang).to_string();
    let saved = bot.store.impact_of_business(business.id).await?;
    if !saved.is_empty() {
        text.push_str(&format!("\n{}", texts::impact_business(from.lang, &business.name, &saved)));
    }
    let mut numbers: Vec<(String, Cb)> = Vec::new();
    for status in GROUPS {
        let group: Vec<&Offer> = offers.iter().filter(|o| o.status == status).collect();
        if group.is_empty() {
            continue;
        }
        text.push_str(&format!("\n\n<b>{}</b>", texts::myoffers_group(from.lang, status.as_str())));
        for o in group {
            let n = numbers.len() + 1;
            text.push_str(&format!("\n{n}. {} (#{}) — {}", texts::esc(&o.title), o.id, counts(from.lang, o)));
            numbers.push((n.to_string(), Cb::Manage(o.id)));
        }
    }
    let mut rows: Vec<Vec<(&str, Cb)>> =
        numbers.chunks(6).map(|c| c.iter().map(|(l, cb)| (l.as_str(), *cb)).collect()).collect();
    rows.push(vec![(texts::pickup(from.lang), Cb::PickupStart)]);
    let markup = keyboards::inline(rows);
    match edit {
        Some(id) => bot.tg.edit_text(from.chat, id, &text, Some(markup)).await.map_err(Into::into),
        None => bot.send(from.chat, &text, Some(ReplyMarkup::InlineKeyboard(markup))).await.map(drop),
    }
}

/// One offer's management card, with the actions its state allows.
pub async fn card(bot: &Bot, from: &From, edit: Option<i32>, offer: &Offer) -> anyhow::Result<()> {
    let venue = bot.store.venue(offer.venue_id).await?;
    let l = from.lang;
    let status = texts::offer_status(l, offer.status.as_str());
    let mut text = format!("<b>{}</b> (#{}) · {status}", texts::esc(&offer.title), offer.id);
    for i in &offer.items {
        text.push('\n');
        text.push_str(&texts::manage_item(
            l,
            &i.name,
            &i.unit,
            &l.money(i.deal_price),
            &l.money(i.original_price),
            i.sold,
            i.reserved,
            i.remaining(),
        ));
    }
    if let Some(w) = offer.window() {
        text.push_str(&format!("\n🕒 {}", l.window(&w, venue.timezone, bot.clock.now())));
    }
    let waiting = bot.store.waitlist_length(offer.id).await?;
    if waiting > 0 {
        text.push_str(&format!("\n{}", crate::render::waitlist::count(l, waiting)));
    }
    if let Some(d) = &offer.price_drop {
        text.push('\n');
        text.push_str(&texts::manage_drops(l, &texts::drop_rule(l, d.rule()), &l.money(d.floor())));
    }
    let act = |act| Cb::OfferAct { offer: offer.id, act };
    let mut rows: Vec<Vec<(&str, Cb)>> = Vec::new();
    match offer.status {
        OfferStatus::Active => rows.push(vec![
            (texts::pause(from.lang), act(Act::Pause)),
            (texts::mark_sold_out(from.lang), act(Act::SoldOut)),
        ]),
        OfferStatus::Paused => rows.push(vec![
            (texts::resume(from.lang), act(Act::Resume)),
            (texts::mark_sold_out(from.lang), act(Act::SoldOut)),
        ]),
        OfferStatus::SoldOut => rows.push(vec![(texts::resume(from.lang), act(Act::Resume))]),
        _ => {}
    }
    if matches!(offer.status, OfferStatus::Active | OfferStatus::Paused | OfferStatus::SoldOut) {
        rows.push(vec![
            (texts::edit_price(from.lang), act(Act::Price)),
            (texts::edit_quantity(from.lang), act(Act::Quantity)),
        ]);
        if offer.price_drop.is_some() {
            rows.push(vec![(texts::stop_drops(from.lang), act(Act::StopDrops))]);
        }
    }
    let mut last = vec![(texts::orders(from.lang), act(Act::Orders))];
    if !offer.status.is_final() {
        last.push((texts::withdraw(from.lang), act(Act::Withdraw)));
    }
    rows.push(last);
    rows.push(vec![(texts::back_to_list(from.lang), Cb::MyOffers)]);
    let markup = keyboards::inline(rows);
    match edit {
        Some(id) => bot.tg.edit_text(from.chat, id, &text, Some(markup)).await.map_err(Into::into),
        None => bot.send(from.chat, &text, Some(ReplyMarkup::InlineKeyboard(markup))).await.map(drop),
    }
}

/// Answers a refused management press.
async fn refused(bot: &Bot, from: &From, press: &Press, e: ManageError) -> anyhow::Result<()> {
    match e {
        ManageError::NotYours => {
            bot.tg.answer_callback(&press.id, Some(texts::not_yours(from.lang)), true).await.map_err(Into::into)
        }
        ManageError::Unexpected(e) => Err(e),
        why => {
            let why = explain(from.lang, &why);
            bot.tg.answer_callback(&press.id, Some(&why), true).await.map_err(Into::into)
        }
    }
}

pub async fn on_manage(bot: &Bot, from: &From, press: &Press, offer_id: i64) -> anyhow::Result<()> {
    match offers::owned(bot, from.user_id, offer_id).await {
        Ok(offer) => {
            bot.answer(press, None).await?;
            card(bot, from, Some(press.message_id), &offer).await
        }
        Err(e) => refused(bot, from, press, e).await,
    }
}

pub async fn on_act(bot: &Bot, from: &From, press: &Press, offer_id: i64, act: Act) -> anyhow::Result<()> {
    let offer = match offers::owned(bot, from.user_id, offer_id).await {
        Ok(o) => o,
        Err(e) => return refused(bot, from, press, e).await,
    };
    let event = match act {
        Act::Pause => Some(OfferEvent::Pause),
        Act::Resume => Some(OfferEvent::Resume),
        Act::SoldOut => Some(OfferEvent::MarkSoldOut),
        _ => None,
    };
    if let Some(event) = event {
        return match offers::change(bot, from.user_id, offer_id, event).await {
            Ok(offer) => {
                bot.answer(press, Some(&texts::now_status(from.lang, offer.status.as_str()))).await?;
                card(bot, from, Some(press.message_id), &offer).await
            }
            Err(e) => refused(bot, from, press, e).await,
        };
    }
    match act {
        Act::Price | Act::Quantity => {
            bot.answer(press, None).await?;
            let price = act == Act::Price;
            match offer.items.as_slice() {
                [only] => start_edit(bot, from, &offer, only.id, price).await,
                items => {
                    let rows = items
                        .iter()
                        .map(|i| vec![(i.name.as_str(), Cb::EditItem { offer: offer.id, item: i.id, price })])
                        .collect();
                    let markup = ReplyMarkup::InlineKeyboard(keyboards::inline(rows));
                    bot.send(from.chat, texts::choose_item_to_edit(from.lang), Some(markup)).await.map(drop)
                }
            }
        }
        Act::Withdraw => {
            bot.answer(press, None).await?;
            let open = bot
                .store
                .purchases_of_offer(
                    offer.id,
                    &[PurchaseStatus::Reserved, PurchaseStatus::Confirmed, PurchaseStatus::Paid],
                )
                .await?;
            let paid = open.iter().filter(|p| p.status == PurchaseStatus::Paid).count();
            let markup = keyboards::inline(vec![vec![
                (texts::yes_withdraw(from.lang), Cb::OfferAct { offer: offer.id, act: Act::WithdrawConfirm }),
                (texts::keep_it(from.lang), Cb::Manage(offer.id)),
            ]]);
            let text = texts::confirm_withdraw(from.lang, &offer.title, paid, open.len() - paid);
            bot.tg.edit_text(from.chat, press.message_id, &text, Some(markup)).await.map_err(Into::into)
        }
        Act::WithdrawConfirm => match offers::withdraw(bot, from.user_id, offer.id).await {
            Ok((offer, told)) => {
                bot.answer(press, Some(texts::withdrawn_toast(from.lang))).await?;
                bot.tg
                    .edit_text(from.chat, press.message_id, &texts::withdrawn(from.lang, &offer.title, told), None)
                    .await?;
                Ok(())
            }
            // Withdrawn already: this press was handled before.
            Err(ManageError::NotNow(_)) if offer.status == OfferStatus::Withdrawn => {
                bot.answer(press, Some(texts::withdrawn_toast(from.lang))).await?;
                let text = texts::already_withdrawn(from.lang, &offer.title);
                bot.tg.edit_text(from.chat, press.message_id, &text, None).await.map_err(Into::into)
            }
            Err(e) => refused(bot, from, press, e).await,
        },
        Act::Orders => {
            bot.answer(press, None).await?;
            orders(bot, from, &offer).await
        }
        Act::StopDrops => {
            // Replayed or pressed twice: the schedule is gone already, the
            // same card again.
            crate::actions::pricing::stop_drops(bot, offer.id, &crate::store::Actor::User(from.user_id)).await?;
            bot.answer(press, None).await?;
            let offer = bot.store.offer(offer.id).await?;
            card(bot, from, Some(press.message_id), &offer).await
        }
        Act::Pause | Act::Resume | Act::SoldOut => Ok(()),
    }
}

async fn orders(bot: &Bot, from: &From, offer: &Offer) -> anyhow::Result<()> {
    let list = bot.store.purchases_of_offer(offer.id, &[]).await?;
    if list.is_empty() {
        return bot.say(from.chat, texts::no_orders_for_offer(from.lang)).await;
    }
    let mut text = texts::offer_orders_header(from.lang, &offer.title);
    for p in list.iter().rev().take(30) {
        let what = if matches!(p.status, PurchaseStatus::Paid | PurchaseStatus::Confirmed) {
            texts::pickup_code_line(from.lang, p.pickup_code.as_str())
        } else {
            from.lang.money(p.total)
        };
        let lines = order_lines(from.lang, p, offer);
        text.push_str("\n\n");
        text.push_str(&texts::offer_order_line(from.lang, p.id, p.status.as_str(), &what, &lines));
    }
    let markup =
        ReplyMarkup::InlineKeyboard(keyboards::inline(vec![vec![(texts::pickup(from.lang), Cb::PickupStart)]]));
    bot.send(from.chat, &text, Some(markup)).await.map(drop)
}

pub async fn on_edit_item(
    bot: &Bot,
    from: &From,
    press: &Press,
    offer_id: i64,
    item: i64,
    price: bool,
) -> anyhow::Result<()> {
    let offer = match offers::owned(bot, from.user_id, offer_id).await {
        Ok(o) => o,
        Err(e) => return refused(bot, from, press, e).await,
    };
    bot.answer(press, None).await?;
    press.clear_buttons(bot, from.chat).await;
    start_edit(bot, from, &offer, item, price).await
}

async fn start_edit(bot: &Bot, from: &From, offer: &Offer, item_id: i64, price: bool) -> anyhow::Result<()> {
    let Some(item) = offer.items.iter().find(|i| i.id == item_id) else {
        return bot.say(from.chat, texts::unknown_button(from.lang)).await;
    };
    let d = Dialogue::new(Flow::EditItem { offer_id: offer.id, item_id, price });
    bot.save(from.chat, &d).await?;
    let text = if price {
        texts::ask_new_price(
            from.lang,
            &item.name,
            &from.lang.money(item.deal_price),
            &from.lang.money(item.original_price),
        )
    } else {
        texts::ask_new_quantity(from.lang, &item.name, item.quantity, item.sold + item.reserved)
    };
    bot.send(from.chat, &text, Some(keyboards::nav_markup(from.lang, d.seq, false))).await.map(drop)
}

/// The typed new price or quantity.
pub async fn on_edit_input(bot: &Bot, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
    let Flow::EditItem { offer_id, item_id, price } = d.flow else { return Ok(()) };
    let Input::Text(t) = &input else { return bot.say(from.chat, texts::text_expected(from.lang)).await };
    if keyboards::nav_of(t) == Some(Wiz::Cancel) {
        bot.end_dialogue(from.chat).await?;
        return bot.say(from.chat, texts::cancelled(from.lang)).await;
    }
    let offer = match offers::owned(bot, from.user_id, offer_id).await {
        Ok(o) => o,
        Err(_) => {
            bot.end_dialogue(from.chat).await?;
            return bot.say(from.chat, texts::not_yours(from.lang)).await;
        }
    };
    let Some(item) = offer.items.iter().find(|i| i.id == item_id) else {
        bot.end_dialogue(from.chat).await?;
        return bot.say(from.chat, texts::unknown_button(from.lang)).await;
    };
    let actor = crate::store::Actor::User(from.user_id);
    let now = bot.clock.now();
    let result: Result<Offer, String> = if price {
        match Money::parse_price(t, offer.currency).map_err(|e| explain(from.lang, &e)).and_then(|deal| {
            crate::domain::offer::check_prices(item.original_price, deal).map_err(|e| explain(from.lang, &e))?;
            let min = offer.currency.stripe_minimum();
            if bot.stripe.is_some() && deal.minor() < min.minor() {
                return Err(texts::below_stripe_minimum(from.lang, &from.lang.money(min)));
            }
            Ok(deal)
        }) {
            Ok(deal) => Ok(bot.store.set_item_prices(item_id, item.original_price, deal, &actor, now).await?),
            Err(problem) => Err(problem),
        }
    } else {
        match Quantity::parse(t) {
            Ok(q) => match bot.store.set_item_quantity(item_id, q.get(), &actor, now).await {
                Ok(o) => Ok(o),
                Err(QuantityError::BelowCommitted { committed }) => Err(texts::below_committed(from.lang, committed)),
                Err(QuantityError::Store(e)) => return Err(e.into()),
            },
            Err(e) => Err(explain(from.lang, &e)),
        }
    };
    match result {
        Ok(offer) => {
            bot.end_dialogue(from.chat).await?;
            bot.say(from.chat, texts::saved(from.lang)).await?;
            card(bot, from, None, &offer).await
        }
        Err(problem) => {
            let problem: String = problem;
            bot.say(from.chat, &texts::problem(from.lang, &problem)).await
        }
    }
}

pub async fn on_dialogue_button(bot: &Bot, from: &From, press: &Press, _d: Dialogue, _a: Wiz) -> anyhow::Result<()> {
    // The only button of these steps is Cancel.
    bot.answer(press, None).await?;
    bot.end_dialogue(from.chat).await?;
    press.clear_buttons(bot, from.chat).await;
    bot.say(from.chat, texts::cancelled(from.lang)).await
}

/// `/pause <id>`.
pub async fn pause_command(bot: &Bot, from: &From, args: &str) -> anyhow::Result<()> {
    let Some(id) = args.trim_start_matches('#').parse::<i64>().ok() else {
        return bot.say(from.chat, texts::usage_pause(from.lang)).await;
    };
    match offers::change(bot, from.user_id, id, OfferEvent::Pause).await {
        Ok(offer) => card(bot, from, None, &offer).await,
        Err(ManageError::NotYours) => bot.say(from.chat, texts::not_yours(from.lang)).await,
        Err(ManageError::Unexpected(e)) => Err(e),
        Err(why) => bot.say(from.chat, &explain(from.lang, &why)).await,
    }
}

/// `/edit <id>`: the offer's card; without an id, the list.
pub async fn edit_command(bot: &Bot, from: &From, args: &str) -> anyhow::Result<()> {
    let Some(id) = args.trim_start_matches('#').parse::<i64>().ok() else { return list(bot, from, None).await };
    match offers::owned(bot, from.user_id, id).await {
        Ok(offer) => card(bot, from, None, &offer).await,
        Err(ManageError::NotYours) => bot.say(from.chat, texts::not_yours(from.lang)).await,
        Err(ManageError::Unexpected(e)) => Err(e),
        Err(why) => bot.say(from.chat, &explain(from.lang, &why)).await,
    }
}

/// `/pickup [code]` and the Pickup button.
pub async fn pickup_command(bot: &Bot, from: &From, code: &str) -> anyhow::Result<()> {
    let Some(business) = my_business(bot, from).await? else {
        return bot.say(from.chat, texts::need_verified_business(from.lang)).await;
    };
    if code.trim().is_empty() {
        let d = Dialogue::new(Flow::PickupCode { business_id: business.id });
        bot.save(from.chat, &d).await?;
        return bot
            .send(from.chat, texts::ask_pickup_code(from.lang), Some(keyboards::nav_markup(from.lang, d.seq, false)))
            .await
            .map(drop);
    }
    confirm_pickup(bot, from, business.id, code).await.map(drop)
}

/// Returns whether the dialogue (if any) is over.
async fn confirm_pickup(bot: &Bot, from: &From, business_id: i64, code: &str) -> anyhow::Result<bool> {
    match offers::pick_up(bot, from.user_id, business_id, code).await {
        Ok(p) => {
            let offer = bot.store.offer(p.offer_id).await?;
            bot.say(from.chat, &texts::picked_up(from.lang, p.id, &order_lines(from.lang, &p, &offer))).await?;
            Ok(true)
        }
        Err(PickupRefused::Unexpected(e)) => Err(e),
        Err(e @ PickupRefused::TooManyTries) => {
            bot.say(from.chat, &texts::problem(from.lang, &explain(from.lang, &e))).await?;
            Ok(true)
        }
        Err(e) => {
            bot.say(from.chat, &texts::problem(from.lang, &explain(from.lang, &e))).await?;
            Ok(false)
        }
    }
}

pub async fn on_pickup_input(bot: &Bot, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
    let Flow::PickupCode { business_id } = d.flow else { return Ok(()) };
    let Input::Text(t) = &input else { return bot.say(from.chat, texts::text_expected(from.lang)).await };
    if keyboards::nav_of(t) == Some(Wiz::Cancel) {
        bot.end_dialogue(from.chat).await?;
        return bot.say(from.chat, texts::cancelled(from.lang)).await;
    }
    if confirm_pickup(bot, from, business_id, t).await? {
        bot.end_dialogue(from.chat).await?;
    } else {
        bot.say(from.chat, texts::ask_pickup_code(from.lang)).await?;
    }
    Ok(())
}
