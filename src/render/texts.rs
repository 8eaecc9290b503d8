//! Every text the bot says, in English, in one place so it can be
//! translated. Texts are HTML (Telegram's `parse_mode=HTML`); anything a
//! user typed goes through [`esc`].

/// Escapes text for Telegram's HTML parse mode.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

pub const WELCOME: &str = "👋 <b>Welcome to Glean!</b>\n\
Shops near you sell surplus food at a discount. Buy it here, pick it up in the pickup window.\n\
See what's on: /deals\n\n\
Run a farm, bakery, grocery or café? /register your business and post deals.\n\
/help lists everything I can do.";

pub fn help(is_owner: bool, is_admin: bool) -> String {
    let mut s = String::from(
        "<b>What I can do</b>\n\
         /deals – deals near you\n\
         /orders – your orders\n\
         /following – shops you follow\n\
         /alerts – deal alerts near you, quiet hours\n\
         /privacy – your data: download it, delete it, forget your location\n\
         /impact – the meals you saved\n\
         Type @ and my name in any chat to share a deal there.\n\
         /start – welcome\n\
         /help – this list\n\
         /cancel – leave what you're doing\n\n\
         <b>For businesses</b>\n\
         /register – register your business\n",
    );
    if is_owner {
        s.push_str(
            "/newoffer – post a new deal\n\
             /publish – publish your draft deal\n\
             /venues – your pickup places\n\
             /myoffers – manage your offers\n\
             /pause &lt;id&gt;, /edit &lt;id&gt; – pause or edit an offer\n\
             /pickup &lt;code&gt; – confirm a customer's pickup\n\
             /sales – your sales, balance and monthly statements\n\
             /payouts – get paid by card (Stripe)\n\
             /apikey – an API key for your statements\n\
             /impact – the meals you saved\n",
        );
    }
    if is_admin {
        s.push_str(
            "\n<b>For admins</b>\n\
             /pending – businesses waiting for verification\n\
             /verify &lt;id&gt; – verify a business\n\
             /reject &lt;id&gt; &lt;reason&gt; – reject a business\n\
             /suspend &lt;id&gt; – suspend a business\n\
             /unsuspend &lt;id&gt; – lift a suspension\n\
             /finance – margin, balances, failed payouts\n\
             /fee &lt;id&gt; &lt;percent&gt; [fixed] – a business's fee\n\
             /adjust &lt;id&gt; &lt;amount&gt; &lt;reason&gt; – record a payment or correction\n\
             /charity invite &lt;name&gt;, &lt;area&gt; – invite a charity; /charity – the list\n\
             /impact – everything Glean saved\n\
             /privacy_request &lt;user id&gt; export|delete – someone's data, at their request\n",
        );
    }
    s
}

pub const UNKNOWN_COMMAND: &str = "I don't know that command. /help lists what I can do.";
pub const DONT_UNDERSTAND: &str = "I didn't get that. /help lists what I can do.";
pub const NOTHING_TO_CANCEL: &str = "There's nothing to cancel.";
pub const CANCELLED: &str = "Cancelled. Nothing was saved.";
pub const BUSY_IN_DIALOGUE: &str = "You're in the middle of something. Finish it, or send /cancel to leave it first.";
pub const SOMETHING_WENT_WRONG: &str = "Sorry, something went wrong on our side. Please try again in a moment.";
pub const STALE_BUTTON: &str = "This button is from an earlier step; please use the latest message.";
pub const UNKNOWN_BUTTON: &str = "This button no longer works.";
pub const ADMINS_ONLY: &str = "Sorry, that's for Glean's admins only.";
pub const TEXT_EXPECTED: &str = "Please answer with text.";
pub const BACK: &str = "⬅️ Back";
pub const CANCEL: &str = "✖️ Cancel";
pub const SKIP: &str = "Skip ➡️";

// Registration.
pub const REG_NAME: &str = "Let's register your business. <b>What's its name?</b>\n(You can /cancel any time.)";
pub const REG_PHONE: &str = "<b>A contact phone number?</b> Tap the button to share yours, or type another.";
pub const REG_SHARE_PHONE: &str = "📱 Share my number";
pub const REG_ADDRESS: &str = "<b>Where do customers pick up?</b> Type the address (street, number, city).";
pub const REG_LOCATION: &str =
    "<b>Send the pickup location</b> with the button (or 📎 → Location), or type coordinates like 52.5200, 13.4050.";
pub const SHARE_LOCATION: &str = "📍 Send location";
pub fn reg_timezone(default: &str) -> String {
    format!(
        "<b>Which time zone are you in?</b> Pickup times are shown in it.\n\
         Tap one, or type its name (like Europe/Berlin). Default: {}",
        esc(default)
    )
}
pub const REG_TIMEZONE_UNKNOWN: &str =
    "I don't know that time zone. Type its IANA name, like Europe/Berlin or America/New_York.";
pub const REG_CURRENCY: &str = "<b>Which currency do you sell in?</b> Tap one, or type its code (like EUR).";
pub fn reg_done(name: &str) -> String {
    format!(
        "✅ Thanks! <b>{}</b> is registered and waiting for verification.\n\
         I'll message you as soon as an admin has looked at it.",
        esc(name)
    )
}
pub fn admin_new_business(id: i64, name: &str, phone: &str, address: &str, owner: &str) -> String {
    format!(
        "🆕 <b>Business #{id} to verify</b>\n{}\n📞 {}\n📍 {}\n👤 {}",
        esc(name),
        esc(phone),
        esc(address),
        esc(owner)
    )
}
pub const APPROVE: &str = "✅ Approve";
pub const REJECT: &str = "❌ Reject";
pub fn approved_note(admin: &str) -> String {
    format!("\n\n✅ Approved by {}", esc(admin))
}
pub fn rejected_note(admin: &str, reason: &str) -> String {
    format!("❌ Rejected by {}: {}", esc(admin), esc(reason))
}
pub fn owner_verified(name: &str) -> String {
    format!("🎉 <b>{}</b> is verified! Post your first deal with /newoffer.", esc(name))
}
pub fn owner_rejected(name: &str, reason: &str) -> String {
    format!(
        "Sorry, <b>{}</b> wasn't approved: {}\nYou can /register again with corrected details.",
        esc(name),
        esc(reason)
    )
}
pub fn owner_suspended(name: &str) -> String {
    format!("⚠️ <b>{}</b> has been suspended by Glean's admins; its deals can't be published for now.", esc(name))
}
pub fn owner_unsuspended(name: &str) -> String {
    format!("✅ <b>{}</b> is active again. /newoffer to post a deal.", esc(name))
}
pub fn ask_reject_reason(name: &str) -> String {
    format!("Why is <b>{}</b> rejected? One line; the owner will see it.", esc(name))
}
pub fn already(name: &str, status: &str) -> String {
    format!("{} is already {}.", esc(name), status)
}
pub const NO_PENDING: &str = "No businesses are waiting for verification.";
pub const USAGE_VERIFY: &str = "Usage: /verify &lt;business id&gt;";
pub const USAGE_REJECT: &str = "Usage: /reject &lt;business id&gt; &lt;reason&gt;";
pub const USAGE_SUSPEND: &str = "Usage: /suspend &lt;business id&gt;";
pub const USAGE_UNSUSPEND: &str = "Usage: /unsuspend &lt;business id&gt;";
pub fn no_business(id: i64) -> String {
    format!("There's no business #{id}.")
}
pub fn business_now(name: &str, status: &str) -> String {
    format!("{} is now {}.", esc(name), status)
}

// Offers.
pub const NEED_VERIFIED_BUSINESS: &str =
    "You need a verified business to post deals. /register one; I'll tell you when it's verified.";
pub const PENDING_BUSINESS: &str = "Your business is still waiting for verification. I'll tell you when it's done.";
pub const OFFER_VENUE: &str = "<b>Which pickup place is this deal for?</b>";
pub const OFFER_TITLE: &str =
    "Let's post a deal. <b>What's its title?</b> (like \"Bread bag\" or \"Veg box\")\n(You can /cancel any time.)";
pub const OFFER_DESCRIPTION: &str = "<b>A short description?</b> What's in it, allergens, anything to know. Or skip.";
pub fn offer_item_name(n: usize) -> String {
    if n == 0 {
        "<b>What's the first item?</b> Its name, like \"Sourdough loaf\".".to_string()
    } else {
        format!("<b>Item {}: its name?</b>", n + 1)
    }
}
pub const OFFER_ITEM_UNIT: &str = "<b>What's one unit?</b> Like \"1 loaf\", \"2 kg box\" or \"bag of 4\".";
pub fn offer_item_original(currency: &str) -> String {
    format!("<b>Its usual price</b> per unit, in {currency}? Like 5.00")
}
pub fn offer_item_deal(currency: &str, original: &str) -> String {
    format!("<b>Your deal price</b> in {currency}? At most the usual {original}.")
}
pub const OFFER_ITEM_QUANTITY: &str = "<b>How many units</b> do you have?";
pub fn offer_items_so_far(lines: &str) -> String {
    format!("Items so far:\n{lines}\n\nAdd another item, or continue?")
}
pub const ADD_ITEM: &str = "➕ Add another item";
pub const ITEMS_DONE: &str = "Continue ➡️";
pub fn offer_window(tz: &str) -> String {
    format!(
        "<b>When can customers pick it up?</b> Times are in {}.\n\
         For example: <code>today 18:00-20:00</code>, <code>tomorrow 9-11</code> or <code>2026-12-01 18:00-20:00</code>",
        esc(tz)
    )
}
pub const OFFER_PHOTO: &str =
    "<b>Send a photo</b> of the food (as a photo or as a file: JPEG, PNG or WebP, up to 10 MB). Or skip.";
pub const PHOTO_WORKING: &str = "Got it, preparing your photo…";
pub const PHOTO_EXPECTED: &str = "Please send a photo (or a JPEG, PNG or WebP file), or tap Skip.";
pub const PREVIEW_INTRO: &str = "👀 <b>Preview</b> – this is how customers will see your deal:";
pub const PUBLISH: &str = "✅ Publish";
pub const EDIT: &str = "✏️ Edit";
pub const DISCARD: &str = "🗑 Discard";
pub const EDIT_WHAT: &str = "What would you like to change?";
pub const EDIT_FIELDS: [&str; 5] = ["Title", "Description", "Items", "Pickup time", "Photo"];
pub const BACK_TO_PREVIEW: &str = "⬅️ Back to preview";
pub const DISCARDED: &str = "🗑 Draft discarded.";
pub fn published(title: &str, link: &str) -> String {
    format!("🚀 <b>{}</b> is live! Customers can find it in /deals.\nShare it: {}", esc(title), esc(link))
}
pub const PUBLISHED_MARK: &str = "\n\n✅ Published";
pub const NO_DRAFT: &str = "You have no draft deal. Start one with /newoffer.";
pub fn publish_refused(reason: &str) -> String {
    format!("I couldn't publish it: {}.", esc(reason))
}
pub const WINDOW_ENDED_SEND_NEW: &str = "The pickup window has already ended. Please send a new one.";
pub const TOO_MANY_ITEMS: &str = "That's the most items one deal can have.";

// Venues.
pub fn venues_list(lines: &str) -> String {
    format!("<b>Your pickup places</b>\n{lines}")
}
pub const ADD_VENUE: &str = "➕ Add a pickup place";
pub const VENUE_NAME: &str = "<b>What do you call this pickup place?</b> Like \"Market stall\" or \"Main shop\".";
pub fn venue_added(name: &str) -> String {
    format!("✅ Pickup place <b>{}</b> added. /newoffer can use it now.", esc(name))
}
pub const LOCATION_SAVED: &str = "📍 Thanks, I saved your location.";

// Deep links.
pub const OFFER_NOT_FOUND: &str = "I can't find that deal. It may have been removed.";
pub const BUSINESS_NOT_FOUND: &str = "I can't find that business.";
pub fn business_profile(name: &str, deals: usize) -> String {
    match deals {
        0 => format!("<b>{}</b>\nNo deals right now. Check back soon!", esc(name)),
        n => format!("<b>{}</b>\n{n} deal(s) right now:", esc(name)),
    }
}
pub const VENUE_LOCATION_BUTTON: &str = "📍 Show on map";

// Buying.
pub const DEALS_EMPTY: &str = "No deals right now. Check back soon!";
pub fn deals_header(nearest: bool, page: usize, pages: usize) -> String {
    let what = if nearest {
        "🔥 <b>Deals near you</b>, nearest first"
    } else {
        "🔥 <b>Deals</b>, freshest and most popular first"
    };
    if pages > 1 { format!("{what} · page {}/{pages}", page + 1) } else { what.to_string() }
}
pub const SHARE_LOCATION_HINT: &str = "📍 Share your location to see the nearest deals first.";
pub const PREVIOUS: &str = "◀️ Previous";
pub const NEXT: &str = "Next ▶️";
pub const BUY: &str = "🛒 Buy";
pub const LIST_EXPIRED: &str = "This list is out of date; here's a fresh one.";
pub fn choose_item() -> &'static str {
    "<b>Which item?</b>"
}
pub fn choose_quantity(name: &str, price: &str, left: u32) -> String {
    format!("<b>How many?</b> {} at {price} each ({left} left)", esc(name))
}
pub fn reserved_pay(id: i64, lines: &str, total: &str, minutes: u64) -> String {
    format!(
        "🧺 <b>Order #{id} reserved</b> for {minutes} minutes:\n{lines}\nTotal <b>{total}</b>\n\nPay now to confirm it.",
    )
}
pub fn pay_button(total: &str) -> String {
    format!("💳 Pay {total}")
}
pub const CANCEL_RESERVATION: &str = "✖️ Cancel reservation";
pub const SOLD_OUT_NOW: &str = "Sorry, not enough left of that. Nothing was reserved.";
pub const PAYMENT_UNAVAILABLE: &str =
    "Sorry, payments aren't working right now. Nothing was reserved or charged; please try again in a minute.";
#[allow(clippy::too_many_arguments)]
pub fn order_confirmed(
    id: i64,
    code: &str,
    lines: &str,
    total: &str,
    at_pickup: bool,
    window: &str,
    venue: &str,
    address: &str,
    left: u32,
) -> String {
    let pay = if at_pickup { format!("Pay {total} at pickup.") } else { format!("Paid {total}.") };
    format!(
        "✅ <b>Order #{id} confirmed!</b>\nPickup code: <b>{code}</b>\n{lines}\n{pay}\n\n🕒 {window}\n📍 {}, {}\n\nShow the code at pickup. {left} left of this deal.",
        esc(venue),
        esc(address)
    )
}
pub fn business_new_order(id: i64, title: &str, lines: &str, code: &str, at_pickup: bool, left: u32) -> String {
    let pay = if at_pickup { "pays at pickup" } else { "paid" };
    format!("🛒 <b>New order #{id}</b> for {title} ({pay}):\n{lines}\nPickup code: <b>{code}</b>\n{left} left.")
}
pub fn business_order_cancelled(id: i64, code: &str) -> String {
    format!("↩️ Order #{id} (code {code}) was cancelled by the customer; its units are back in stock.")
}
pub const RESERVATION_LAPSED: &str =
    "⌛ Your reservation lapsed before it was paid, so the food went back on sale. Nothing was charged.";
pub fn paid_too_late(total: &str) -> String {
    format!(
        "Sorry, your payment arrived after your reservation lapsed and the deal is gone. Your {total} is being refunded in full."
    )
}
pub fn refunded(id: i64, total: &str) -> String {
    format!(
        "💸 Order #{id}: your refund of {total} is done. Depending on your bank it shows on your card within 5–10 days."
    )
}
pub fn already_withdrawn(title: &str) -> String {
    format!("🗑 <b>{}</b> is withdrawn; its customers were told.", esc(title))
}
pub fn order_is(id: i64, status: &str) -> String {
    format!("Order #{id} is {status}.")
}
pub fn paid_too_late_order(id: i64, total: &str) -> String {
    format!(
        "Sorry, your payment for order #{id} arrived after your reservation lapsed and the deal is gone. Your {total} is being refunded in full."
    )
}
pub fn refund_failed(id: i64, total: &str) -> String {
    format!(
        "⚠️ Order #{id}: the refund of {total} to your card didn't go through. We've told our team and will settle it with you; you don't need to do anything."
    )
}
pub fn refund_failed_staff(id: i64, total: &str, reason: &str, customer: i64) -> String {
    format!(
        "⚠️ <b>Refund failed</b> for order #{id}: {total} to customer {customer}.\nReason: {}\nAdmins: <code>/refund_retry {id}</code> tries again; <code>/refund_settled {id}</code> records it settled outside Stripe.",
        esc(reason)
    )
}
pub fn refund_retried(id: i64) -> String {
    format!("🔁 Order #{id}: the refund is queued again (a new attempt at Stripe).")
}
pub fn refund_settled(id: i64) -> String {
    format!("✅ Order #{id}: the failed refund is recorded as settled outside Stripe.")
}
pub const REFUND_USAGE: &str =
    "Usage: /refund_retry &lt;order id&gt; or /refund_settled &lt;order id&gt; (for an order whose refund failed).";
pub fn failed_refunds(list: &str) -> String {
    if list.is_empty() { "No failed refunds. 👍".to_string() } else { format!("<b>Failed refunds</b>\n{list}") }
}
pub const NO_ORDERS: &str = "You have no orders yet. Find a deal with /deals.";
pub const ORDERS_HEADER: &str = "🧾 <b>Your orders</b>";
pub fn cancel_order_button(id: i64) -> String {
    format!("Cancel #{id}")
}
pub fn confirm_cancel(id: i64, refund: Option<&str>) -> String {
    match refund {
        Some(total) => format!("Cancel order #{id}? You'll get {total} back in full."),
        None => format!("Cancel order #{id}?"),
    }
}
pub const YES_CANCEL: &str = "Yes, cancel it";
pub const KEEP_IT: &str = "Keep it";
pub fn order_cancelled(id: i64, refund: Option<&str>) -> String {
    match refund {
        Some(total) => format!("Order #{id} is cancelled. Your {total} will be refunded."),
        None => format!("Order #{id} is cancelled."),
    }
}
pub const KEPT: &str = "OK, your order stands.";
pub fn below_stripe_minimum(min: &str) -> String {
    format!("card payments need at least {min} per item; please raise the price")
}

/// "350 m", "1.2 km", "12 km".
// The Mini App's buttons in chat (only when PUBLIC_BASE_URL is https).
pub const MAP_BUTTON: &str = "🗺 Map";
pub const OPEN_IN_APP: &str = "📱 Open in app";
pub const MENU_BUTTON: &str = "Deals";

pub fn distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{} m", ((m / 10.0).round() * 10.0) as i64)
    } else if m < 10_000.0 {
        format!("{:.1} km", m / 1000.0)
    } else {
        format!("{} km", (m / 1000.0).round() as i64)
    }
}

// Managing offers.
pub fn withdrawn_refund(id: i64, title: &str, total: &str) -> String {
    format!(
        "😔 Sorry: the shop withdrew <b>{}</b>. Order #{id} is cancelled and your {total} is being refunded in full.",
        esc(title)
    )
}
pub fn withdrawn_released(id: i64, title: &str) -> String {
    format!("😔 Sorry: the shop withdrew <b>{}</b>. Order #{id} is cancelled; nothing was charged.", esc(title))
}
pub fn thanks_for_pickup(title: &str) -> String {
    format!("🙏 Thanks for picking up <b>{}</b> and saving good food! Enjoy.", esc(title))
}
pub const MYOFFERS_EMPTY: &str = "You have no offers yet. /newoffer posts one.";
pub const MYOFFERS_HEADER: &str = "📋 <b>Your offers</b> (tap a number to manage it)";
pub const PAUSE: &str = "⏸ Pause";
pub const RESUME: &str = "▶️ Resume";
pub const EDIT_PRICE: &str = "💶 Edit price";
pub const EDIT_QUANTITY: &str = "🔢 Edit quantity";
pub const MARK_SOLD_OUT: &str = "🚫 Mark sold out";
pub const WITHDRAW: &str = "🗑 Withdraw";
pub const ORDERS: &str = "🧾 Orders";
pub const PICKUP: &str = "✅ Confirm a pickup";
pub const BACK_TO_LIST: &str = "⬅️ All offers";
pub fn confirm_withdraw(title: &str, paid: usize, open: usize) -> String {
    format!(
        "Withdraw <b>{}</b>? {paid} paid order(s) will be refunded in full and {open} other order(s) cancelled; every customer is told.",
        esc(title)
    )
}
pub const YES_WITHDRAW: &str = "Yes, withdraw";
pub fn withdrawn(title: &str, told: usize) -> String {
    format!("🗑 <b>{}</b> is withdrawn. {told} customer(s) told.", esc(title))
}
pub const CHOOSE_ITEM_TO_EDIT: &str = "Which item?";
pub fn ask_new_price(name: &str, current: &str, original: &str) -> String {
    format!(
        "New deal price for <b>{}</b>? Now {current}, usual {original}. New orders pay the new price; existing ones keep theirs.",
        esc(name)
    )
}
pub fn ask_new_quantity(name: &str, quantity: u32, committed: u32) -> String {
    format!("New quantity for <b>{}</b>? Now {quantity}; {committed} already sold or reserved.", esc(name))
}
pub const ASK_PICKUP_CODE: &str = "Type the customer's pickup code (6 letters and digits).";
pub fn picked_up(id: i64, lines: &str) -> String {
    format!("✅ Order #{id} picked up:\n{lines}")
}
pub const NOT_YOURS: &str = "That isn't your offer.";
pub const NO_ORDERS_FOR_OFFER: &str = "No orders for this offer yet.";
pub fn offer_orders_header(title: &str) -> String {
    format!("🧾 <b>Orders for {}</b>", esc(title))
}
pub const USAGE_PAUSE: &str = "Usage: /pause &lt;offer id&gt; (see /myoffers)";
pub const USAGE_PICKUP: &str = "Usage: /pickup &lt;code&gt;";

pub const SLOW_DOWN: &str = "🐢 Easy there! You're going a bit fast; give me a second.";

// Following and alerts.
pub const VIEW: &str = "👀 View";
/// "⭐ Follow Bäckerei Kalle" (long names shortened).
pub fn follow_button(name: &str) -> String {
    format!("⭐ Follow {}", short_name(name))
}
pub fn unfollow_button(name: &str) -> String {
    format!("✖️ Unfollow {}", short_name(name))
}
fn short_name(name: &str) -> String {
    if name.chars().count() <= 24 {
        return name.to_string();
    }
    let mut s: String = name.chars().take(23).collect();
    s.push('…');
    s
}
/// Button-press toasts are plain text, not HTML.
pub fn now_following(name: &str) -> String {
    format!("⭐ You follow {name}: I'll tell you about its new deals.")
}
pub fn no_longer_following(name: &str) -> String {
    format!("You no longer follow {name}.")
}
pub const FOLLOWING_EMPTY: &str = "You don't follow any shops yet. Tap ⭐ Follow on a deal or a shop's page, and I'll tell you about their new deals.";
pub fn following_list(lines: &str) -> String {
    format!("⭐ <b>Shops you follow</b>\nYou hear about their new deals first.\n\n{lines}")
}
pub fn following_line(name: &str, deals: i64) -> String {
    match deals {
        0 => format!("• <b>{}</b>", esc(name)),
        n => format!("• <b>{}</b> · {n} deal(s) now", esc(name)),
    }
}
/// The first line of a deal alert: why the customer gets it.
pub fn alert_intro(business: &str, follower: bool, restock: bool, distance: Option<String>) -> String {
    match (follower, restock, distance) {
        (true, false, _) => format!("🔔 <b>{}</b> posted a new deal:", esc(business)),
        (true, true, _) => format!("🔁 Back in stock at <b>{}</b>:", esc(business)),
        (false, false, Some(d)) => format!("📍 New deal {d} from you:"),
        (false, true, Some(d)) => format!("🔁 Back in stock, {d} from you:"),
        (false, false, None) => "📍 New deal near you:".to_string(),
        (false, true, None) => "🔁 Back in stock near you:".to_string(),
    }
}
pub fn alerts_overview(nearby: Option<&str>, quiet: Option<&str>, tz: &str, following: usize) -> String {
    let mut s = String::from("🔔 <b>Deal alerts</b>\n");
    match nearby {
        Some(n) => s.push_str(&format!("Nearby: {n}\n")),
        None => {
            s.push_str("Nearby alerts are off. Turn them on and I'll message you when a deal is posted near you.\n")
        }
    }
    match quiet {
        Some(q) => s.push_str(&format!("Quiet hours: {q} ({})\n", esc(tz))),
        None => s.push_str(&format!("Quiet hours: none (time zone {})\n", esc(tz))),
    }
    match following {
        0 => s.push_str("Following: no shops yet."),
        n => s.push_str(&format!("Following: {n} shop(s), see /following.")),
    }
    s
}
/// "deals within 3 km · keywords: bread, vegan".
pub fn nearby_summary(radius: &str, keywords: &[String]) -> String {
    if keywords.is_empty() {
        format!("every deal within {radius} of your place")
    } else {
        format!("deals within {radius} of your place mentioning {}", esc(&keywords.join(", ")))
    }
}
pub const SET_UP_ALERTS: &str = "🔔 Turn on nearby alerts";
pub const CHANGE_ALERTS: &str = "✏️ Change nearby alerts";
pub const TURN_OFF_ALERTS: &str = "🔕 Turn off nearby alerts";
pub const QUIET_HOURS_BUTTON: &str = "🌙 Quiet hours";
pub const ALERTS_ASK_LOCATION: &str = "<b>Which place should I watch?</b> Send your location with the button (or 📎 → Location), \
or type coordinates like 52.5200, 13.4050.\n(You can /cancel any time.)";
pub const KEEP_PLACE: &str = "Keep my place ➡️";
pub const ALERTS_ASK_RADIUS: &str = "<b>How far from there?</b>";
pub fn radius_button(km: u32) -> String {
    format!("{km} km")
}
pub const ALERTS_ASK_KEYWORDS: &str = "<b>Only deals that mention certain words?</b> Type them separated by commas \
(like <code>bread, vegan</code>), or Skip for every deal.";
pub fn alerts_ask_quiet(tz: &str) -> String {
    format!(
        "<b>Quiet hours?</b> Alerts that come in then wait until they end.\n\
         Times are in {}; type another time zone (like Europe/London) to change it, \
         or type your own hours like <code>23:30-06:30</code>.",
        esc(tz)
    )
}
pub const NO_QUIET_HOURS: &str = "No quiet hours";
pub fn alerts_saved(nearby: &str, quiet: Option<&str>, tz: &str) -> String {
    let q = match quiet {
        Some(q) => format!("Quiet hours: {q} ({}).", esc(tz)),
        None => "No quiet hours.".to_string(),
    };
    format!("✅ Alerts on: {nearby}.\n{q}\nChange them any time with /alerts.")
}
pub fn quiet_saved(quiet: Option<&str>, tz: &str) -> String {
    match quiet {
        Some(q) => format!("🌙 Quiet hours set: {q} ({}). /alerts shows your settings.", esc(tz)),
        None => format!("🌙 No quiet hours (time zone {}). /alerts shows your settings.", esc(tz)),
    }
}
pub const ALERTS_TURNED_OFF: &str =
    "🔕 Nearby alerts are off. Shops you follow still tell you about their deals (/following).";
pub const ALERTS_ALREADY_OFF: &str = "Nearby alerts are already off.";

// Sharing into groups (inline mode).
pub const BUY_IN_GLEAN: &str = "🛒 Buy in Glean";
pub const MORE_FROM_SHOP: &str = "🏪 More from this shop";
/// The banner a posted card gets once its deal stopped selling.
pub fn shared_card_over(status: crate::domain::OfferStatus) -> &'static str {
    use crate::domain::OfferStatus;
    match status {
        OfferStatus::SoldOut => "❌ <b>Sold out</b>",
        OfferStatus::Paused => "⏸ <b>Paused by the shop for now</b>",
        OfferStatus::Expired => "⌛ <b>This deal has ended</b>",
        OfferStatus::Withdrawn => "🚫 <b>This deal was withdrawn</b>",
        OfferStatus::Draft | OfferStatus::Active => "",
    }
}

// Charities.
pub const CHARITY_USAGE: &str = "Usage: /charity invite &lt;name&gt;, &lt;area&gt; (for example <code>/charity invite \
Tafel Mitte, Berlin-Mitte</code>), or /charity for the list.";
pub fn charity_invited(name: &str, area: &str, link: &str) -> String {
    format!(
        "🤝 Invitation for <b>{}</b> ({}) made. Send this link to the charity's contact; it registers the first \
         person who opens it, once:\n{}",
        esc(name),
        esc(area),
        esc(link)
    )
}
pub const NO_CHARITIES: &str = "No charities yet. /charity invite &lt;name&gt;, &lt;area&gt; invites one.";
pub fn charities_list(lines: &str) -> String {
    format!("🤝 <b>Charities</b>\n{lines}")
}
pub fn charity_line(id: i64, name: &str, area: &str, registered: bool, located: bool) -> String {
    let state = match (registered, located) {
        (false, _) => "invited, not registered yet",
        (true, false) => "registered, no pickup area yet",
        (true, true) => "registered",
    };
    format!("#{id} <b>{}</b> ({}) – {state}", esc(name), esc(area))
}
pub const CHARITY_LINK_UNKNOWN: &str =
    "This charity invitation link isn't valid. Please ask Glean's team for a new one.";
pub const CHARITY_LINK_USED: &str =
    "This charity invitation was already used by someone else. Please ask Glean's team for a new one.";
pub fn charity_other(name: &str) -> String {
    format!("You're already registered for the charity <b>{}</b>; one account can represent one charity.", esc(name))
}
pub fn charity_welcome(name: &str) -> String {
    format!(
        "🤝 Welcome! You're now registered for <b>{}</b>. When shops near you have food left shortly before \
         closing, I'll offer it to you here, free.",
        esc(name)
    )
}
pub fn charity_already(name: &str) -> String {
    format!("You're registered for <b>{}</b> already.", esc(name))
}
pub const CHARITY_WHERE: &str = "<b>Where do you collect food?</b> Send your location with the button, or type \
coordinates like <code>52.52, 13.40</code>. I'll offer you food from shops near there.";
pub const CHARITY_LOCATION_SAVED: &str = "📍 Saved. I'll offer you leftovers from shops near there.";

// Donations.
pub fn donation_offered(title: &str, shop: &str, address: &str, lines: &str, pickup: &str) -> String {
    format!(
        "🤝 <b>Food to collect for free</b>\n<b>{}</b> at {} has this left:\n{lines}\n🕒 Pickup: {pickup}\n📍 {}\n\n\
         The first charity to accept gets it.",
        esc(title),
        esc(shop),
        esc(address)
    )
}
pub const ACCEPT_DONATION: &str = "🤝 We'll collect it";
pub const DECLINE_DONATION: &str = "Not this time";
pub const DONATION_GONE: &str = "Another charity was quicker, or nothing is left. Thank you all the same!";
pub fn donation_gone(title: &str) -> String {
    format!("The food left at <b>{}</b> has gone to another charity. Thank you all the same!", esc(title))
}
pub fn donation_taken_answer(id: i64) -> String {
    format!("✅ Donation #{id} is yours; your pickup code follows.")
}
pub const DONATION_NOT_OFFERED: &str = "This offer wasn't made to you.";
pub const DONATION_DECLINED: &str = "OK, maybe next time.";
pub fn donation_yours(id: i64, title: &str, lines: &str, code: &str, pickup: &str, address: &str) -> String {
    format!(
        "✅ It's yours, free: <b>{}</b> (donation #{id})\n{lines}\n🕒 Pickup: {pickup}\n📍 {}\n\n\
         Your pickup code: <b>{code}</b>",
        esc(title),
        esc(address)
    )
}
pub fn donation_coming(id: i64, charity: &str, title: &str, lines: &str, code: &str) -> String {
    format!(
        "🤝 <b>{}</b> is coming for what was left of <b>{}</b> (donation #{id}):\n{lines}\nTheir pickup code: \
         <b>{code}</b>. Confirm it with /pickup as usual.",
        esc(charity),
        esc(title)
    )
}

// Pickup places: donations and unit weights.
pub fn venue_line(name: &str, address: &str, donate: bool, unit_grams: Option<u32>) -> String {
    let mut s = format!("📍 <b>{}</b>, {}", esc(name), esc(address));
    s.push_str(if donate { "\n   🤝 leftovers go to charities" } else { "\n   leftovers: not donated" });
    if let Some(g) = unit_grams {
        s.push_str(&format!(" · ⚖️ {} per unit", weight(i64::from(g))));
    }
    s
}
pub fn venue_donate_button(name: &str, donate: bool) -> String {
    if donate { format!("🤝 {name}: stop donating") } else { format!("🤝 {name}: donate leftovers") }
}
pub fn venue_weight_button(name: &str) -> String {
    format!("⚖️ {name}: unit weight")
}
pub fn ask_unit_weight(name: &str) -> String {
    format!(
        "<b>How much does one unit weigh at {}?</b> Like <code>400</code> (grams) or <code>1.5 kg</code>. \
         It turns saved units into kilograms. Skip to leave it unknown.",
        esc(name)
    )
}
pub const UNIT_WEIGHT_BAD: &str = "⚠️ That isn't a weight between 1 g and 100 kg. Try again, like 400 or 1.5 kg.";
pub fn unit_weight_saved(name: &str, grams: Option<u32>) -> String {
    match grams {
        Some(g) => format!("⚖️ Saved: one unit at {} weighs {}.", esc(name), weight(i64::from(g))),
        None => format!("⚖️ The unit weight at {} is left unknown.", esc(name)),
    }
}

// Impact.
/// "1.2 kg", "350 g".
pub fn weight(grams: i64) -> String {
    if grams < 1000 { format!("{grams} g") } else { format!("{}.{} kg", grams / 1000, (grams % 1000) / 100) }
}
fn saved_line(lead: &str, i: &crate::domain::Impact) -> String {
    let mut s = format!("🌱 {lead} <b>{}</b> meal(s) from the bin", i.saved_units);
    if i.saved_grams > 0 {
        s.push_str(&format!(" (≈{})", weight(i.saved_grams)));
    }
    if i.donated_units > 0 {
        s.push_str(&format!(", {} of them donated to charities", i.donated_units));
    }
    s.push('.');
    s
}
/// A customer's (or charity's) line in `/orders` and `/impact`.
pub fn impact_customer(i: &crate::domain::Impact) -> String {
    if i.is_empty() { "🌱 Pick up your first deal to start saving food.".into() } else { saved_line("You saved", i) }
}
/// A business's line on its shop page, `/myoffers` and `/impact`.
pub fn impact_business(name: &str, i: &crate::domain::Impact) -> String {
    saved_line(&format!("{} saved", esc(name)), i)
}
/// What Glean saved, for admins.
pub fn impact_total(i: &crate::domain::Impact) -> String {
    saved_line("Glean saved", i)
}
