//! The texts of `/privacy` and `/privacy_request`: what Glean keeps and for
//! how long, the export's caption, the deletion's confirmation, refusals
//! and last message. One function per text, so they can be translated.

use crate::store::{EraseRefused, Erased};

pub const EXPORT_BUTTON: &str = "📦 Download my data";
pub const DELETE_BUTTON: &str = "🗑 Delete my data";
pub const FORGET_LOCATION_BUTTON: &str = "📍 Forget my location";
pub const CONFIRM_DELETE_BUTTON: &str = "Yes, delete my data";
pub const KEEP_BUTTON: &str = "No, keep it";

/// `/privacy`: what Glean stores about the person, why, and for how long.
pub fn overview(updates_days: u32, location_days: u32, has_location: bool, owner: bool) -> String {
    let location =
        if has_location { "I have a location you shared." } else { "I have no location of yours right now." };
    let business = if owner {
        "\n• <b>Your business</b>: its name, phone, pickup places, deals and sales — to run your shop. \
         Sales records are kept for the accounts, as the law requires.\n"
    } else {
        ""
    };
    format!(
        "🔒 <b>Your data</b>\n\n\
         What Glean keeps about you, and why:\n\
         • <b>Your Telegram name and username</b> — to know who is talking to me.\n\
         • <b>Your orders</b> (items, prices, pickup codes) — to serve them. Orders, payments and refunds are \
         kept for the accounts, as the law requires; if you delete your data they stay without your name.\n\
         • <b>Shops you follow, your nearby alert and quiet hours</b> — to tell you about deals, until you change \
         them.\n\
         • <b>The last location you shared</b> — to show the deals nearest to you (here and in the app), \
         and to offer it as the place of your first nearby alert. Dropped {location_days} days after it was last used. {location}\n\
         • <b>Your messages and button presses</b> — stored as they arrive so none is lost if I restart, then \
         deleted after {updates_days} {updates_unit}.\n\
         • <b>A form you're filling in</b> (registration, a new deal, alerts) — until you finish it, or for 30 days.\
         {business}\n\n\
         Glean never shares your data with other customers; a shop sees your orders, not your name.",
        updates_unit = if updates_days == 1 { "day" } else { "days" },
    )
}

pub const EXPORT_CAPTION: &str = "📦 Everything Glean holds about you, as JSON.";
pub const NOTHING_HELD: &str = "I hold no data about you.";
pub const EXPORT_STARTED: &str = "Preparing your data…";

pub const CONFIRM_DELETE: &str = "🗑 <b>Delete your data?</b>\n\n\
Your name and username, phone number, locations, nearby alert and quiet hours, the shops you follow and our \
conversation are erased for good. Your orders are kept without your name, as accounting law requires. \
A business you own is closed: its deals are withdrawn and its phone number erased.\n\n\
This can't be undone.";

pub const KEPT: &str = "Nothing was deleted.";

/// Why the deletion can't happen yet, and what to do.
pub fn refused(r: &EraseRefused) -> String {
    match r {
        EraseRefused::OpenOrders(ids) => format!(
            "⚠️ You have open orders ({}). Collect them, or cancel them in /orders, then try again: \
             until then I must be able to send you your pickup codes.",
            order_list(ids)
        ),
        EraseRefused::OpenRefunds(ids) => format!(
            "⚠️ A refund is still on its way to you ({}). Wait until it has arrived — I'll tell you — then try \
             again: I must be able to reach you about your money.",
            order_list(ids)
        ),
        EraseRefused::BusinessOrders { business, orders } => format!(
            "⚠️ Your business {} has open orders ({}). Let them be collected, or cancel or withdraw them in \
             /myoffers, then try again: those customers are owed food or money.",
            super::texts::esc(business),
            order_list(orders)
        ),
    }
}

fn order_list(ids: &[i64]) -> String {
    let shown: Vec<String> = ids.iter().take(10).map(|id| format!("#{id}")).collect();
    let more = ids.len().saturating_sub(shown.len());
    if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") }
}

/// The last message: what was deleted, what was kept and why.
pub fn erased(e: &Erased) -> String {
    if !e.found {
        return "There's nothing of yours left to delete. Orders you had are kept only under an anonymous number."
            .to_string();
    }
    let mut s = String::from(
        "✅ <b>Your data is deleted.</b>\n\n\
         Deleted: your name and username, phone number, locations, nearby alert and quiet hours, \
         the shops you followed, and our conversation (stored messages and any unfinished form).",
    );
    if e.orders_kept > 0 {
        s.push_str(&format!(
            "\n\nKept: {} with {} payments and refunds, under an anonymous number instead of your name. \
             Accounting law requires shops and Glean to keep records of sales.",
            plural(e.orders_kept, "order", "orders"),
            if e.orders_kept == 1 { "its" } else { "their" },
        ));
    }
    if e.businesses_kept > 0 {
        s.push_str(
            "\n\nYour business is closed: its deals were withdrawn and its phone number erased; \
             its name, pickup places and sales stay in the records for the same reason.",
        );
    }
    if e.charities > 0 {
        s.push_str(
            "\n\nThe charity you were the contact for keeps its name in the records, but it no longer gets \
             leftovers until an admin invites a new contact.",
        );
    }
    s.push_str("\n\nGoodbye! If you write to me again, I'll start afresh.");
    s
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

pub const LOCATION_FORGOTTEN: &str = "📍 Done: I forgot your location. Share it again in /deals whenever you like.";
pub const NO_LOCATION: &str = "I don't have a location of yours.";

pub const REQUEST_USAGE: &str = "Usage: /privacy_request &lt;user id&gt; export|delete";

pub fn request_nothing_held(user: i64) -> String {
    format!("Glean holds no data about user {user}.")
}

pub fn request_export_caption(user: i64) -> String {
    format!("📦 Everything Glean holds about user {user}. Send it only to them, and delete your copy afterwards.")
}

pub fn request_refused(user: i64, r: &EraseRefused) -> String {
    let why = match r {
        EraseRefused::OpenOrders(ids) => format!("their orders {} are still open", order_list(ids)),
        EraseRefused::OpenRefunds(ids) => format!("refunds of orders {} haven't reached them yet", order_list(ids)),
        EraseRefused::BusinessOrders { business, orders } => {
            format!("their business {} has open orders {}", super::texts::esc(business), order_list(orders))
        }
    };
    format!("⚠️ Can't delete user {user}'s data yet: {why}. Nothing was changed.")
}

pub fn request_erased(user: i64, e: &Erased, told: bool) -> String {
    if !e.found {
        return format!("There was nothing left to delete for user {user}.");
    }
    let businesses = if e.businesses_kept > 0 {
        format!(", {}", plural(e.businesses_kept, "business", "businesses"))
    } else {
        String::new()
    };
    let told = if told { "They were sent a last message." } else { "I couldn't send them a last message." };
    format!(
        "✅ User {user}'s data is deleted. Kept without their name: {}{businesses}. {told}",
        plural(e.orders_kept, "order", "orders"),
    )
}
