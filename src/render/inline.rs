//! Inline mode's look: the results `@bot bread` lists (an article, or a
//! photo when the deal has one and `PUBLIC_BASE_URL` makes its image
//! reachable for Telegram), and the deal card posted into a chat, with
//! "🛒 Buy in Glean" while it sells and a link to the shop once it doesn't.
//! The posted card shows no stock counts: it is edited when the deal's
//! status changes, not on every sale.

use chrono::{DateTime, Utc};
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResult, InlineQueryResultArticle, InlineQueryResultPhoto,
    InputMessageContent, InputMessageContentText, ParseMode,
};
use url::Url;

use super::cards::CardView;
use super::i18n::Lang;
use super::texts;
use crate::actions::sharing::{InlineDeal, result_id};
use crate::domain::{Money, OfferStatus};
use crate::store::{Business, Offer, Venue};

/// Where the buttons of a posted card lead: deep links into the bot.
pub struct Links {
    /// `t.me/<bot>?start=offer_<id>`
    pub deal: String,
    /// `t.me/<bot>?start=biz_<id>`
    pub shop: String,
}

/// The posted card's text (HTML), as the deal is now.
pub fn card_text(l: Lang, offer: &Offer, business: &Business, venue: &Venue, now: DateTime<Utc>) -> Option<String> {
    let mut view = CardView::of_offer(offer, business, venue, now)?;
    for item in &mut view.items {
        item.remaining = None;
    }
    let mut text = view.render(l, now);
    if !offer.status.is_buyable() {
        text = format!("{}\n\n{}", texts::shared_card_over(l, offer.status), text);
    }
    Some(text)
}

/// The posted card's button: buy while it sells, the shop afterwards.
pub fn card_markup(l: Lang, status: OfferStatus, links: &Links) -> Option<InlineKeyboardMarkup> {
    let (label, link) = match status {
        OfferStatus::Active => (texts::buy_in_glean(l), &links.deal),
        _ => (texts::more_from_shop(l), &links.shop),
    };
    let url = Url::parse(link).ok()?;
    Some(InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::url(label, url)]]))
}

/// One inline result for a deal. `media_base` is `PUBLIC_BASE_URL`:
/// without it Telegram can't fetch our images, so results are articles
/// without thumbnails.
pub fn result(
    l: Lang,
    deal: &InlineDeal,
    media_base: Option<&Url>,
    links: &Links,
    now: DateTime<Utc>,
) -> Option<InlineQueryResult> {
    let text = card_text(l, &deal.offer, &deal.business, &deal.venue, now)?;
    let markup = card_markup(l, deal.offer.status, links)?;
    let media = |name: &str| -> Option<Url> {
        let base = media_base?;
        Url::parse(&format!("{}/media/{name}", base.as_str().trim_end_matches('/'))).ok()
    };
    let description = summary(l, deal, now);
    let photo = deal.offer.photo.as_deref().and_then(media);
    let thumb = deal.offer.thumb.as_deref().and_then(media);
    if let (Some(photo), Some(thumb)) = (photo, thumb.clone()) {
        let r = InlineQueryResultPhoto::new(result_id(deal.offer.id, true), photo, thumb)
            .title(deal.offer.title.clone())
            .description(description)
            .caption(text)
            .parse_mode(ParseMode::Html)
            .reply_markup(markup);
        return Some(InlineQueryResult::Photo(r));
    }
    let content = InputMessageContent::Text(InputMessageContentText::new(text).parse_mode(ParseMode::Html));
    let mut r = InlineQueryResultArticle::new(result_id(deal.offer.id, false), deal.offer.title.clone(), content)
        .description(description)
        .reply_markup(markup);
    if let Some(thumb) = thumb {
        r = r.thumbnail_url(thumb);
    }
    Some(InlineQueryResult::Article(r))
}

/// The line under a result's title: best price and discount, shop,
/// distance, pickup time.
fn summary(l: Lang, deal: &InlineDeal, now: DateTime<Utc>) -> String {
    let o = &deal.offer;
    let cheapest: Option<Money> = o.items.iter().map(|i| o.price_at(i, now)).min_by_key(|m| m.minor());
    let best = o.items.iter().map(|i| o.price_at(i, now).discount_percent(i.original_price)).max().unwrap_or(0);
    let mut parts = Vec::new();
    if let Some(p) = cheapest {
        let from = texts::price_from(l, &l.money(p));
        parts.push(if best > 0 { format!("{from} (−{best}%)") } else { from });
    }
    parts.push(deal.business.name.clone());
    if let Some(d) = deal.distance_m {
        parts.push(texts::distance(l, d));
    }
    if let Some(w) = o.window() {
        parts.push(l.window(&w, deal.venue.timezone, now));
    }
    parts.join(" · ")
}
