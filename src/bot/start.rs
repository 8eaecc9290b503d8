//! `/start`, with deep links: `offer_<id>` opens a deal's card, `biz_<id>`
//! a business's profile; both offer ⭐ Follow to customers.

use teloxide::types::ReplyMarkup;

use super::{Bot, From};
use crate::domain::OfferStatus;
use crate::render::callback::Cb;
use crate::render::cards::CardView;
use crate::render::{keyboards, texts};
use crate::store::{OfferFilter, StoreError};
use crate::telegram::Photo;

pub async fn start(bot: &Bot, from: &From, payload: &str) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    if let Some(id) = payload.strip_prefix("offer_").and_then(|s| s.parse::<i64>().ok()) {
        return show_offer(bot, from, id).await;
    }
    if let Some(id) = payload.strip_prefix("biz_").and_then(|s| s.parse::<i64>().ok()) {
        return show_business(bot, from, id).await;
    }
    if let Some(token) = payload.strip_prefix(crate::domain::charity::INVITE_PREFIX) {
        return super::charity::start(bot, from, token).await;
    }
    if let Some(id) = payload.strip_prefix("order_").and_then(|s| s.parse::<i64>().ok()) {
        return super::orders::show_order(bot, from, id).await;
    }
    bot.say(from.chat, texts::welcome(from.lang)).await
}

/// Sends an offer's card: our own stripped photo (uploaded once, then reused
/// by file_id) with the card as caption.
pub async fn show_offer(bot: &Bot, from: &From, id: i64) -> anyhow::Result<()> {
    let chat = from.chat;
    let offer = match bot.store.offer(id).await {
        Ok(o) if o.status != OfferStatus::Draft => o,
        Ok(_) | Err(StoreError::NotFound) => return bot.say(chat, texts::offer_not_found(from.lang)).await,
        Err(e) => return Err(e.into()),
    };
    let business = bot.store.business(offer.business_id).await?;
    let venue = bot.store.venue(offer.venue_id).await?;
    let now = bot.clock.now();
    let Some(view) = CardView::of_offer(&offer, &business, &venue, now) else {
        return bot.say(chat, texts::offer_not_found(from.lang)).await;
    };
    let caption = view.render(from.lang, now);
    let mut rows = Vec::new();
    if offer.status.is_buyable() {
        rows.push(vec![(texts::buy(from.lang), Cb::Buy(offer.id))]);
        // A price that will still drop: followers may ask to hear of it.
        if business.owner_tg_id != chat && offer.items.iter().any(|i| offer.next_drop(i, now).is_some()) {
            rows.push(vec![(texts::watch_button(from.lang), Cb::WatchPrice(offer.id))]);
        }
    }
    // Sold out by itself: the waitlist replaces Buy (or shows the place).
    let wait_label = match business.owner_tg_id != chat {
        true => waiting_button(bot, from, &offer).await?,
        false => None,
    };
    if let Some((label, cb)) = &wait_label {
        rows.push(vec![(label.as_str(), *cb)]);
    }
    rows.push(vec![(texts::venue_location_button(from.lang), Cb::VenueLocation(venue.id))]);
    let follow = match business.owner_tg_id != chat {
        true => Some(super::alerts::follow_row(
            from.lang,
            business.id,
            &business.name,
            bot.store.is_following(chat, business.id).await?,
        )),
        false => None,
    };
    if let Some((label, cb)) = &follow {
        rows.push(vec![(label.as_str(), *cb)]);
    }
    let app = bot.app_url(Some(&format!("offer={}", offer.id)));
    let buttons = ReplyMarkup::InlineKeyboard(keyboards::with_app_button(
        keyboards::inline(rows),
        texts::open_in_app(from.lang),
        app,
    ));
    if business.owner_tg_id != chat {
        bot.store.count_view(offer.id).await?;
    }
    let photo = match (&offer.photo_file_id, &offer.photo) {
        (Some(file_id), _) => Some(Photo::FileId(file_id.clone())),
        (None, Some(name)) => bot.store.image(name).await?.map(|img| Photo::Upload(img.bytes)),
        (None, None) => None,
    };
    match photo {
        Some(photo) => {
            let uploaded = matches!(photo, Photo::Upload(_));
            let sent = bot.tg.send_photo(chat, photo, &caption, Some(buttons), false).await?;
            if uploaded && let Some(p) = sent.photo().and_then(|p| p.iter().max_by_key(|p| p.width * p.height)) {
                bot.store.set_offer_photo_file_id(offer.id, &p.file.id.0).await?;
            }
            Ok(())
        }
        None => bot.send(chat, &caption, Some(buttons)).await.map(drop),
    }
}

/// The waitlist's button on a customer's card: their place with Leave,
/// or Join on a deal that sold out by itself.
async fn waiting_button(bot: &Bot, from: &From, offer: &crate::store::Offer) -> anyhow::Result<Option<(String, Cb)>> {
    use crate::render::waitlist as view;
    if let Some((_, place)) = crate::actions::waitlist::place(bot, from.user_id, offer.id).await? {
        return Ok(Some((view::leave_button(from.lang, place), Cb::LeaveWait(offer.id))));
    }
    let open = offer.status == OfferStatus::SoldOut && !offer.sold_out_by_hand && offer.pickup_end > bot.clock.now();
    Ok(open.then(|| (view::join_button(from.lang).to_string(), Cb::Join(offer.id))))
}

async fn show_business(bot: &Bot, from: &From, id: i64) -> anyhow::Result<()> {
    let chat = from.chat;
    let business = match bot.store.business(id).await {
        Ok(b) => b,
        Err(StoreError::NotFound) => return bot.say(chat, texts::business_not_found(from.lang)).await,
        Err(e) => return Err(e.into()),
    };
    let offers = bot
        .store
        .offers(&OfferFilter { business_id: Some(id), statuses: vec![OfferStatus::Active], limit: 10 })
        .await?;
    let mut rows: Vec<Vec<(&str, Cb)>> = offers.iter().map(|o| vec![(o.title.as_str(), Cb::ShowOffer(o.id))]).collect();
    let follow = match business.owner_tg_id != chat {
        true => Some(super::alerts::follow_row(
            from.lang,
            business.id,
            &business.name,
            bot.store.is_following(chat, id).await?,
        )),
        false => None,
    };
    if let Some((label, cb)) = &follow {
        rows.push(vec![(label.as_str(), *cb)]);
    }
    let markup = (!rows.is_empty()).then(|| ReplyMarkup::InlineKeyboard(keyboards::inline(rows)));
    let mut text = texts::business_profile(from.lang, &business.name, offers.len());
    let saved = bot.store.impact_of_business(business.id).await?;
    if !saved.is_empty() {
        text = format!("{}\n\n{text}", texts::impact_business(from.lang, &business.name, &saved));
    }
    bot.send(chat, &text, markup).await.map(drop)
}
