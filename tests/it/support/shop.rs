//! What customers do in a shop, as helpers: open a card and buy, pay at
//! the fake Stripe, and read order numbers from the bot's answers.

use glean::store::Offer;
use glean_fakes::stripe::FakeSession;
use glean_fakes::telegram::{BotMessage, FakeUser};

use super::app::{TestApp, said};

/// Opens the card of `offer` by deep link, presses Buy and `qty`; returns
/// the bot's answer to the quantity press.
pub async fn buy(customer: &FakeUser, offer: &Offer, qty: &str) -> BotMessage {
    customer.send(&format!("/start offer_{}", offer.id));
    let card = customer.reply_matching(|m| m.text.contains(&offer.title)).await;
    assert!(card.button_labels().contains(&"🛒 Buy"), "no Buy on: {}", card.text);
    customer.press("🛒 Buy");
    said(customer, "How many?").await;
    customer.press(qty);
    customer.reply_matching(|m| m.edited && !m.text.contains("How many?")).await
}

/// The order number in "Order #12 …".
pub fn order_id(text: &str) -> i64 {
    let after = text.split("Order #").nth(1).unwrap_or_else(|| panic!("no order number in: {text}"));
    after.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// The Checkout Session the app opened for a purchase.
pub fn session_of(app: &TestApp, purchase_id: i64) -> FakeSession {
    app.fake_stripe()
        .sessions()
        .into_iter()
        .find(|s| s.metadata.get("purchase_id") == Some(&purchase_id.to_string()))
        .expect("a checkout session for the purchase")
}

/// The customer pays the purchase's session at Stripe (no webhook yet);
/// returns the `checkout.session.completed` event to deliver.
pub fn pay_at_stripe(app: &TestApp, purchase_id: i64) -> String {
    let stripe = app.fake_stripe();
    let session = session_of(app, purchase_id);
    stripe.complete_session(&session.id);
    stripe.event("checkout.session.completed", stripe.session_object(&session.id).expect("session"))
}

/// Buys and pays through the fake Stripe and the signed webhook; returns
/// the order number once the customer saw the confirmation.
pub async fn buy_and_pay(app: &TestApp, customer: &FakeUser, offer: &Offer, qty: &str) -> i64 {
    let reserved = buy(customer, offer, qty).await;
    let id = order_id(&reserved.text);
    let event = pay_at_stripe(app, id);
    assert_eq!(app.deliver_stripe(&event).await, 200);
    said(customer, "confirmed!").await;
    id
}

/// Each customer opens the card of `offer` and presses Buy, all at once;
/// returns when every one of them was asked "How many?".
pub async fn all_to_quantity(customers: &[FakeUser], offer: &Offer) {
    for c in customers {
        c.send(&format!("/start offer_{}", offer.id));
    }
    for c in customers {
        c.reply_matching(|m| m.button_labels().contains(&"🛒 Buy")).await;
        c.press("🛒 Buy");
    }
    for c in customers {
        said(c, "How many?").await;
    }
}

/// A business starts `/newoffer` for a "Veg box" with `description`, up to
/// the question of what one unit is.
pub async fn compose_offer_start(owner: &FakeUser, description: &str) {
    owner.send("/newoffer");
    said(owner, "What's its title?").await;
    owner.send("Veg box");
    said(owner, "A short description?").await;
    owner.send(description);
    said(owner, "What's the first item?").await;
    owner.send("Veg box");
    said(owner, "What's one unit?").await;
}

/// From the unit on: one item (5 kg box, €12 → €5, 4 units), picked up
/// tomorrow 9–11, no photo; returns the preview card.
pub async fn compose_offer_finish(owner: &FakeUser) -> BotMessage {
    owner.send("5 kg box");
    said(owner, "usual price").await;
    owner.send("12");
    said(owner, "deal price").await;
    owner.send("5");
    said(owner, "How many units").await;
    owner.send("4");
    said(owner, "Items so far").await;
    owner.press("Continue ➡️");
    said(owner, "When can customers pick it up?").await;
    owner.send("tomorrow 9-11");
    said(owner, "Should the price drop").await;
    owner.press("No price drops");
    said(owner, "Send a photo").await;
    owner.press("Skip ➡️");
    owner.reply_matching(|m| m.button_labels().contains(&"✅ Publish")).await
}
