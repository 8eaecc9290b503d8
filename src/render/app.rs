//! The Mini App's server-side texts: the messages of its API's errors and
//! the words of an order as the page shows them. The page itself (in
//! `assets/app/`) holds its own labels; everything the server says to a
//! customer of the app is here, plain text (the page escapes it).

pub const OPEN_FROM_TELEGRAM: &str = "Open this page from the Glean bot in Telegram: it tells us who you are.";
pub const NOT_CONFIRMED: &str = "We couldn't confirm it's you. Close this page and open it again from the Glean bot.";
pub const STALE: &str = "This page has been open too long. Close it and open it again from the Glean bot.";
pub const MALFORMED: &str = "Telegram's sign-in data is damaged. Close this page and open it again from the bot.";
pub const NO_BOT_TOKEN: &str = "The shop window isn't set up on this server yet.";
pub const SOLD_OUT: &str = "Sorry, not enough left for that order.";
pub const PAYMENT_UNAVAILABLE: &str =
    "Payments are unavailable right now; nothing was reserved. Please try again in a minute.";
pub const CANCEL_TRY_AGAIN: &str = "Payments can't be reached right now; please try cancelling again in a minute.";
pub const NO_SUCH_DEAL: &str = "That deal doesn't exist any more.";
pub const NO_SUCH_ORDER: &str = "You have no order with that number.";
pub const NO_SUCH_SHOP: &str = "That shop doesn't exist.";
pub const BAD_KEY: &str = "key must be 8 to 64 letters, digits, - or _";
pub const BAD_QUANTITY: &str = "quantity must be a whole number from 1";
pub const BAD_NEAR: &str = "give latitude and longitude in decimal degrees, like near=52.52,13.405";
pub const BAD_WHEN: &str = "one of now, today, tomorrow";
pub const BAD_BODY: &str = "the request body isn't the JSON this endpoint takes";

/// Capitalizes a refusal from the rules ("that order is picked up") for
/// the page.
pub fn refusal(reason: &str) -> String {
    let mut c = reason.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
