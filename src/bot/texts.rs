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
Shops near you sell surplus food at a discount. Buy it here, pick it up in the pickup window.\n\n\
Run a farm, bakery, grocery or café? /register your business and post deals.\n\
/help lists everything I can do.";

pub fn help(is_owner: bool, is_admin: bool) -> String {
    let mut s = String::from(
        "<b>What I can do</b>\n\
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
             /venues – your pickup places\n",
        );
    }
    if is_admin {
        s.push_str(
            "\n<b>For admins</b>\n\
             /pending – businesses waiting for verification\n\
             /verify &lt;id&gt; – verify a business\n\
             /reject &lt;id&gt; &lt;reason&gt; – reject a business\n\
             /suspend &lt;id&gt; – suspend a business\n\
             /unsuspend &lt;id&gt; – lift a suspension\n",
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
