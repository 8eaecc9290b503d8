//! Orders as customers and businesses read them: the confirmation with the
//! pickup code, and an order's lines.

use chrono::{DateTime, Utc};

use super::texts;
use crate::store::{Offer, PaymentMethod, Purchase, Store};

/// The order confirmation with the pickup code, window and place.
pub async fn confirmation(store: &Store, p: &Purchase, now: DateTime<Utc>) -> anyhow::Result<String> {
    let offer = store.offer(p.offer_id).await?;
    let venue = store.venue(offer.venue_id).await?;
    let lines = lines(p, &offer);
    let window = offer.window().map(|w| w.display(venue.timezone, now)).unwrap_or_default();
    Ok(texts::order_confirmed(
        p.id,
        &p.pickup_code.to_string(),
        &lines,
        &p.total.to_string(),
        p.method == PaymentMethod::AtPickup,
        &window,
        &venue.name,
        &venue.address,
        offer.remaining(),
    ))
}

/// The business's view of a new order.
pub fn new_order(p: &Purchase, offer: &Offer) -> String {
    texts::business_new_order(
        p.id,
        &texts::esc(&offer.title),
        &lines(p, offer),
        &p.pickup_code.to_string(),
        p.method == PaymentMethod::AtPickup,
        offer.remaining(),
    )
}

/// One line per item: `2 × Bread (€1.50)`.
pub fn lines(p: &Purchase, offer: &Offer) -> String {
    p.lines
        .iter()
        .map(|l| {
            let name = offer.items.iter().find(|i| i.id == l.item_id).map_or("item", |i| i.name.as_str());
            format!("{} × {} ({})", l.quantity, texts::esc(name), l.unit_price)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
