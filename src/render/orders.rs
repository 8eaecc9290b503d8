//! Orders as customers and businesses read them: the confirmation with the
//! pickup code, and an order's lines.

use chrono::{DateTime, Utc};

use super::i18n::Lang;
use super::texts;
use crate::store::{Offer, PaymentMethod, Purchase, Store};

/// The order confirmation with the pickup code, window and place.
pub async fn confirmation(store: &Store, p: &Purchase, l: Lang, now: DateTime<Utc>) -> anyhow::Result<String> {
    let offer = store.offer(p.offer_id).await?;
    let venue = store.venue(offer.venue_id).await?;
    let lines = lines(l, p, &offer);
    let window = offer.window().map(|w| l.window(&w, venue.timezone, now)).unwrap_or_default();
    Ok(texts::order_confirmed(
        l,
        p.id,
        &p.pickup_code.to_string(),
        &lines,
        &l.money(p.total),
        p.method == PaymentMethod::AtPickup,
        &window,
        &venue.name,
        &venue.address,
        offer.remaining(),
    ))
}

/// The business's view of a new order.
pub fn new_order(l: Lang, p: &Purchase, offer: &Offer) -> String {
    texts::business_new_order(
        l,
        p.id,
        &texts::esc(&offer.title),
        &lines(l, p, offer),
        &p.pickup_code.to_string(),
        p.method == PaymentMethod::AtPickup,
        offer.remaining(),
    )
}

/// One line per item: `2 × Bread (€1.50)`.
pub fn lines(l: Lang, p: &Purchase, offer: &Offer) -> String {
    p.lines
        .iter()
        .map(|line| {
            let name =
                offer.items.iter().find(|i| i.id == line.item_id).map_or(texts::order_item(l), |i| i.name.as_str());
            texts::order_line(l, line.quantity, name, &l.money(line.unit_price))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
