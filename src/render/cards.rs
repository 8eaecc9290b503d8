//! The offer card: what customers see of a deal, and what the business
//! previews before publishing. One renderer for both.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::i18n::Lang;
use super::texts::{self, esc};
use crate::domain::{Money, OfferStatus, PickupWindow};
use crate::store::{Business, Offer, Venue};
use crate::t;

/// Telegram's caption limit; the card must fit under a photo.
pub const CAPTION_MAX: usize = 1024;

pub struct CardItem {
    pub name: String,
    pub unit: String,
    pub original: Money,
    /// The price now (the deal price less the drops due by now).
    pub deal: Money,
    pub remaining: Option<u32>,
    /// When the price drops next, and to what.
    pub next: Option<(DateTime<Utc>, Money)>,
}

pub struct CardView {
    pub title: String,
    pub business: String,
    pub description: String,
    pub items: Vec<CardItem>,
    pub window: PickupWindow,
    pub tz: Tz,
    pub venue_name: String,
    pub venue_address: String,
    pub status: Option<OfferStatus>,
}

impl CardView {
    /// The card of an offer as it stands at `now`: prices that drop as
    /// pickup nears are shown at their current step, with the next one.
    pub fn of_offer(offer: &Offer, business: &Business, venue: &Venue, now: DateTime<Utc>) -> Option<CardView> {
        Some(CardView {
            title: offer.title.clone(),
            business: business.name.clone(),
            description: offer.description.clone(),
            items: offer
                .items
                .iter()
                .map(|i| CardItem {
                    name: i.name.clone(),
                    unit: i.unit.clone(),
                    original: i.original_price,
                    deal: offer.price_at(i, now),
                    remaining: Some(i.remaining()),
                    next: offer.next_drop(i, now),
                })
                .collect(),
            window: offer.window()?,
            tz: venue.timezone,
            venue_name: venue.name.clone(),
            venue_address: venue.address.clone(),
            status: Some(offer.status),
        })
    }

    /// The card as HTML, at most [`CAPTION_MAX`] characters: a long
    /// description is shortened first, then item names.
    pub fn render(&self, l: Lang, now: DateTime<Utc>) -> String {
        let mut desc_max = self.description.chars().count();
        let mut name_max = 80;
        loop {
            let s = self.render_with(l, now, desc_max, name_max);
            if s.chars().count() <= CAPTION_MAX || (desc_max == 0 && name_max <= 12) {
                return s;
            }
            if desc_max > 0 {
                desc_max = desc_max.saturating_sub(60.max(desc_max / 4));
            } else {
                name_max -= 8;
            }
        }
    }

    fn render_with(&self, l: Lang, now: DateTime<Utc>, desc_max: usize, name_max: usize) -> String {
        let mut s = format!("<b>{}</b> · {}\n", esc(&self.title), esc(&self.business));
        if let Some(status) = self.status.filter(|s| s.unavailable_reason().is_some()) {
            s.push_str(&format!("<i>{}</i>\n", texts::offer_unavailable(l, status.as_str())));
        }
        if desc_max > 0 && !self.description.is_empty() {
            s.push_str(&esc(&shorten(&self.description, desc_max)));
            s.push('\n');
        }
        s.push('\n');
        for it in &self.items {
            let pct = it.deal.discount_percent(it.original);
            let price = match it.next {
                Some((at, next)) => texts::card_price_drop(
                    l,
                    &l.money(it.deal),
                    &l.money(next),
                    &at.with_timezone(&self.tz).format("%H:%M").to_string(),
                ),
                None => format!("<b>{}</b>", l.money(it.deal)),
            };
            s.push_str(&format!("• {} ({}): {price}", esc(&shorten(&it.name, name_max)), esc(&it.unit)));
            if pct > 0 {
                s.push_str(&format!(" <s>{}</s> −{pct}%", l.money(it.original)));
            }
            match it.remaining {
                Some(0) => s.push_str(&format!(" · {}", texts::card_sold_out(l))),
                Some(n) => s.push_str(&format!(" · {}", texts::units_left(l, n))),
                None => {}
            }
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&t!(l, "card-pickup", window = l.window(&self.window, self.tz, now), tz = esc(self.tz.name())));
        s.push('\n');
        s.push_str(&format!("📍 {}, {}", esc(&self.venue_name), esc(&self.venue_address)));
        s
    }
}

/// The compact card of a deal alert: title, shop, best price and
/// discount, pickup time and place; the intro says why the customer gets it.
#[derive(Debug, Clone)]
pub struct AlertCard {
    pub business_id: i64,
    pub title: String,
    pub business: String,
    /// The cheapest item's deal and usual price.
    pub cheapest: Option<(Money, Money)>,
    /// The best discount of any item, in percent.
    pub best_discount: u8,
    pub window: PickupWindow,
    pub tz: Tz,
    pub venue_name: String,
}

impl AlertCard {
    /// The alert card of an offer at `now` (prices as they are then).
    pub fn of_offer(offer: &Offer, business: &Business, venue: &Venue, now: DateTime<Utc>) -> Option<AlertCard> {
        let cheapest =
            offer.items.iter().map(|i| (offer.price_at(i, now), i.original_price)).min_by_key(|(deal, _)| deal.minor());
        Some(AlertCard {
            business_id: business.id,
            title: offer.title.clone(),
            business: business.name.clone(),
            cheapest,
            best_discount: offer
                .items
                .iter()
                .map(|i| offer.price_at(i, now).discount_percent(i.original_price))
                .max()
                .unwrap_or(0),
            window: offer.window()?,
            tz: venue.timezone,
            venue_name: venue.name.clone(),
        })
    }

    /// The card as HTML. `distance_m` is shown for nearby alerts.
    pub fn render(
        &self,
        l: Lang,
        follower: bool,
        restock: bool,
        distance_m: Option<u32>,
        now: DateTime<Utc>,
    ) -> String {
        let distance = distance_m.map(|d| texts::distance(l, f64::from(d)));
        let mut s = texts::alert_intro(l, &self.business, follower, restock, distance);
        s.push_str(&format!("\n<b>{}</b> · {}", esc(&shorten(&self.title, 80)), esc(&shorten(&self.business, 60))));
        if let Some((deal, original)) = self.cheapest {
            s.push('\n');
            s.push_str(&t!(l, "card-from", price = l.money(deal)));
            if self.best_discount > 0 {
                if deal.discount_percent(original) > 0 {
                    s.push_str(&format!(" <s>{}</s>", l.money(original)));
                }
                s.push_str(&format!(" −{}%", self.best_discount));
            }
        }
        let window = l.window(&self.window, self.tz, now);
        s.push_str(&format!("\n🕒 {window} · 📍 {}", esc(&shorten(&self.venue_name, 60))));
        s
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    fn view(desc: &str, items: usize) -> CardView {
        let eur = Currency::from_code("EUR").unwrap();
        let start = DateTime::parse_from_rfc3339("2026-11-26T17:00:00Z").unwrap().with_timezone(&Utc);
        CardView {
            title: "Bread <bag>".into(),
            business: "Kalle & Co".into(),
            description: desc.into(),
            items: (0..items)
                .map(|i| CardItem {
                    name: format!("{} {i}", "Sourdough loaf with seeds and a very long name".repeat(2)),
                    unit: "1 loaf".into(),
                    original: Money::from_minor(500, eur).unwrap(),
                    deal: Money::from_minor(200, eur).unwrap(),
                    remaining: Some(3),
                    next: None,
                })
                .collect(),
            window: PickupWindow::from_stored(start, start + chrono::Duration::hours(2)).unwrap(),
            tz: "Europe/Berlin".parse().unwrap(),
            venue_name: "Shop".into(),
            venue_address: "Torstraße 1".into(),
            status: Some(OfferStatus::Active),
        }
    }

    #[test]
    fn shows_prices_discount_stock_window_and_escapes() {
        let now = DateTime::parse_from_rfc3339("2026-11-26T09:00:00Z").unwrap().with_timezone(&Utc);
        let card = view("Fresh today", 1).render(Lang::EN, now);
        assert!(card.contains("<b>Bread &lt;bag&gt;</b> · Kalle &amp; Co"), "{card}");
        assert!(card.contains("<b>€2.00</b> <s>€5.00</s> −60% · 3 left"), "{card}");
        assert!(card.contains("Pickup: Today 18:00–20:00 (Europe/Berlin)"), "{card}");
        // A price that drops: now, and the next step in the venue's zone.
        let mut v = view("Fresh today", 1);
        let eur = v.items[0].deal.currency();
        v.items[0].deal = Money::from_minor(300, eur).unwrap();
        let at = DateTime::parse_from_rfc3339("2026-11-26T18:30:00Z").unwrap().with_timezone(&Utc);
        v.items[0].next = Some((at, Money::from_minor(250, eur).unwrap()));
        let card = v.render(Lang::EN, now);
        assert!(card.contains("<b>€3.00</b> now, €2.50 from 19:30 <s>€5.00</s> −40% · 3 left"), "{card}");
    }

    #[test]
    fn alert_cards_are_compact() {
        let eur = Currency::from_code("EUR").unwrap();
        let v = view("Fresh today", 1);
        let card = AlertCard {
            business_id: 2,
            title: v.title.clone(),
            business: v.business.clone(),
            cheapest: Some((Money::from_minor(250, eur).unwrap(), Money::from_minor(500, eur).unwrap())),
            best_discount: 50,
            window: v.window,
            tz: v.tz,
            venue_name: "Shop".into(),
        };
        let now = DateTime::parse_from_rfc3339("2026-11-26T09:00:00Z").unwrap().with_timezone(&Utc);
        let nearby = card.render(Lang::EN, false, false, Some(1234), now);
        assert!(nearby.contains("1.2 km from you"), "{nearby}");
        assert!(nearby.contains("<b>Bread &lt;bag&gt;</b> · Kalle &amp; Co"), "{nearby}");
        assert!(nearby.contains("from <b>€2.50</b> <s>€5.00</s> −50%"), "{nearby}");
        assert!(nearby.contains("🕒 Today 18:00–20:00 · 📍 Shop"), "{nearby}");
        let followed = card.render(Lang::EN, true, false, None, now);
        assert!(followed.starts_with("🔔 <b>Kalle &amp; Co</b> posted a new deal"), "{followed}");
        assert!(card.render(Lang::EN, true, true, None, now).contains("Back in stock"));
    }

    #[test]
    fn always_fits_a_caption() {
        let now = Utc::now();
        for (desc, items) in [("x".repeat(600), 10), (String::new(), 10), ("y".repeat(600), 1)] {
            let card = view(&desc, items).render(Lang::EN, now);
            assert!(card.chars().count() <= CAPTION_MAX, "{} chars", card.chars().count());
        }
    }
}
