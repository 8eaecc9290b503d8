//! `/deals`: active deals, nearest first once the customer shared a
//! location, otherwise by freshness and popularity (`store::popularity`).
//! The result list is frozen when first shown, so Next and Previous page
//! through the same deals: none repeated, none skipped. One message, edited
//! in place.

use chrono_tz::Tz;
use rand::Rng;
use teloxide::types::{ButtonRequest, ReplyMarkup};

use super::{Bot, From, Press};
use crate::domain::{Coordinates, Money};
use crate::render::callback::Cb;
use crate::render::i18n::Lang;
use crate::render::{keyboards, texts};
use crate::store::{Offer, popularity};

/// Deals per page.
pub const PAGE: usize = 5;
/// Most deals one list holds.
pub const MAX_LIST: i64 = 100;
/// How far "near you" reaches.
pub const RADIUS_M: f64 = 50_000.0;

/// The list, in one message. A customer without a location is offered the
/// "📍 Share location" keyboard once (a message has one `reply_markup`, and
/// the list needs its inline buttons, so the offer is a message of its
/// own); the keyboard is persistent, so it stays on screen for every later
/// list without being sent again.
pub async fn deals(bot: &Bot, from: &From) -> anyhow::Result<()> {
    let user = bot.touch_user(from).await?;
    // Reading the last shared location counts as using it: it is kept
    // RETENTION_LOCATION_DAYS after its last use.
    let location = bot.store.use_location_of(&user, bot.clock.now()).await?;
    let prompt = location.is_none() && !user.location_prompted;
    let (list, entries) = build(bot, from.user_id, location).await?;
    if entries.is_empty() {
        bot.send(from.chat, texts::deals_empty(from.lang), prompt.then(|| location_keyboard(from))).await?;
    } else {
        let (text, markup) = page(bot, from, list, &entries, 0, location.is_some()).await?;
        bot.send(from.chat, &text, Some(ReplyMarkup::InlineKeyboard(markup))).await?;
        if prompt {
            bot.send(from.chat, texts::share_location_hint(from.lang), Some(location_keyboard(from))).await?;
        }
    }
    if prompt {
        // After the send: a crash in between offers the keyboard again.
        bot.store.set_location_prompted(from.user_id, bot.clock.now()).await?;
    }
    Ok(())
}

fn location_keyboard(from: &From) -> ReplyMarkup {
    ReplyMarkup::Keyboard(
        teloxide::types::KeyboardMarkup::new(vec![vec![
            teloxide::types::KeyboardButton::new(texts::share_location(from.lang)).request(ButtonRequest::Location),
        ]])
        .resize_keyboard()
        .persistent(),
    )
}

/// A location shared outside any dialogue: remember it, show what's near.
pub async fn location_shared(bot: &Bot, from: &From, at: Coordinates) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    bot.store.set_user_location(from.user_id, at, bot.clock.now()).await?;
    bot.send(from.chat, texts::location_saved(from.lang), Some(keyboards::remove())).await?;
    deals(bot, &from.reread()).await
}

/// Ranks and freezes a list for this user.
async fn build(bot: &Bot, owner: i64, at: Option<Coordinates>) -> anyhow::Result<(i64, Vec<(i64, Option<f64>)>)> {
    let now = bot.clock.now();
    let entries: Vec<(i64, Option<f64>)> = match at {
        Some(at) => bot
            .store
            .nearest_active_ids(at, RADIUS_M, None, MAX_LIST, now)
            .await?
            .into_iter()
            .map(|(id, d)| (id, Some(d)))
            .collect(),
        None => {
            // Each deal scored once (not once per comparison), best first.
            let mut ranked: Vec<(f64, i64)> =
                bot.store.fresh_active(None, now).await?.iter().map(|c| (popularity(c, now), c.offer_id)).collect();
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
            ranked.into_iter().take(MAX_LIST as usize).map(|(_, id)| (id, None)).collect()
        }
    };
    let list = rand::thread_rng().gen_range(1..i64::MAX);
    if !entries.is_empty() {
        bot.store.save_deal_list(&list.to_string(), owner, &entries, now).await?;
    }
    Ok((list, entries))
}

async fn page(
    bot: &Bot,
    from: &From,
    list: i64,
    entries: &[(i64, Option<f64>)],
    page: usize,
    nearest: bool,
) -> anyhow::Result<(String, teloxide::types::InlineKeyboardMarkup)> {
    let pages = entries.len().div_ceil(PAGE).max(1);
    let page = page.min(pages - 1);
    let slice = &entries[page * PAGE..(page * PAGE + PAGE).min(entries.len())];
    let ids: Vec<i64> = slice.iter().map(|(id, _)| *id).collect();
    let offers = bot.store.listing_page(&ids).await?;
    let now = bot.clock.now();
    let mut text = texts::deals_header(from.lang, nearest, page, pages);
    let mut numbers: Vec<(String, Cb)> = Vec::new();
    for (n, (id, distance)) in slice.iter().enumerate() {
        let Some((o, shop, tz)) = offers.iter().find(|(o, _, _)| o.id == *id) else { continue };
        let label = (page * PAGE + n + 1).to_string();
        text.push_str(&format!("\n\n<b>{label}.</b> {}", line(from.lang, o, shop, *tz, *distance, now)));
        numbers.push((label, Cb::ShowOffer(o.id)));
    }
    let mut rows: Vec<Vec<(&str, Cb)>> = vec![numbers.iter().map(|(l, cb)| (l.as_str(), *cb)).collect()];
    let mut nav = Vec::new();
    if page > 0 {
        nav.push((texts::previous(from.lang), Cb::DealsPage { list, page: (page - 1) as u16 }));
    }
    if page + 1 < pages {
        nav.push((texts::next(from.lang), Cb::DealsPage { list, page: (page + 1) as u16 }));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    let map = bot.app_url(Some("view=map"));
    Ok((text, keyboards::with_app_button(keyboards::inline(rows), texts::map_button(from.lang), map)))
}

/// One deal in a list: title, shop, best price and discount, stock,
/// distance and pickup time (in the pickup place's zone `tz`).
fn line(l: Lang, o: &Offer, shop: &str, tz: Tz, distance: Option<f64>, now: chrono::DateTime<chrono::Utc>) -> String {
    let cheapest: Option<Money> = o.items.iter().map(|i| o.price_at(i, now)).min_by_key(|m| m.minor());
    let best = o.items.iter().map(|i| o.price_at(i, now).discount_percent(i.original_price)).max().unwrap_or(0);
    let mut s = format!("<b>{}</b> · {}", texts::esc(&o.title), texts::esc(shop));
    if let Some(p) = cheapest {
        s.push('\n');
        s.push_str(&texts::price_from(l, &l.money(p)));
        if best > 0 {
            s.push_str(&format!(" (−{best}%)"));
        }
    }
    match o.status.unavailable_reason() {
        None => s.push_str(&format!(" · {}", texts::units_left(l, o.remaining()))),
        Some(_) => s.push_str(&format!(" · {}", texts::offer_status(l, o.status.as_str()))),
    }
    if let Some(d) = distance {
        s.push_str(&format!(" · {}", texts::distance(l, d)));
    }
    if let Some(w) = o.window() {
        s.push_str(&format!("\n🕒 {}", l.window(&w, tz, now)));
    }
    s
}

/// Next / Previous: the same frozen list, edited in place.
pub async fn on_page(bot: &Bot, from: &From, press: &Press, list: i64, page_no: u16) -> anyhow::Result<()> {
    let frozen = bot.store.deal_list(&list.to_string()).await?;
    let Some((owner, entries)) = frozen.filter(|(owner, _)| *owner == from.user_id) else {
        bot.answer(press, Some(texts::list_expired(from.lang))).await?;
        return deals(bot, from).await;
    };
    let _ = owner;
    bot.answer(press, None).await?;
    let nearest = entries.first().is_some_and(|(_, d)| d.is_some());
    let (text, markup) = page(bot, from, list, &entries, page_no as usize, nearest).await?;
    bot.tg.edit_text(from.chat, press.message_id, &text, Some(markup)).await?;
    Ok(())
}
