//! Every text the bot says, by message id: the words are in the Fluent
//! files (`locales/<code>/glean.ftl`), one per language; these functions
//! name the message and pass its variables. Texts are HTML (Telegram's
//! `parse_mode=HTML`); anything a user typed goes through [`esc`] here.

use super::i18n::Lang;
use crate::t;

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

/// `yes` / `no` for a Fluent selector.
fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Texts without variables: `fn name(l) -> &'static str` for message `id`.
macro_rules! plain_texts {
    ($($f:ident => $id:literal),* $(,)?) => {$(
        pub fn $f(l: Lang) -> &'static str {
            $crate::render::i18n::plain(l, $id)
        }
    )*};
}

plain_texts! {
    welcome => "welcome",
    unknown_command => "unknown-command",
    dont_understand => "dont-understand",
    nothing_to_cancel => "nothing-to-cancel",
    cancelled => "cancelled",
    busy_in_dialogue => "busy-in-dialogue",
    something_went_wrong => "something-went-wrong",
    stale_button => "stale-button",
    unknown_button => "unknown-button",
    admins_only => "admins-only",
    text_expected => "text-expected",
    back => "back",
    cancel => "cancel",
    skip => "skip",
    slow_down => "slow-down",
    saved => "saved",
    language_name => "language-name",
    language_choose => "language-choose",
    language_set => "language-set",
    reg_name => "reg-name",
    reg_phone => "reg-phone",
    reg_share_phone => "reg-share-phone",
    reg_address => "reg-address",
    reg_location => "reg-location",
    share_location => "share-location",
    reg_timezone_unknown => "reg-timezone-unknown",
    reg_currency => "reg-currency",
    approve => "approve",
    approved_toast => "approved-toast",
    reject => "reject",
    no_reason_given => "no-reason-given",
    no_pending => "no-pending",
    usage_verify => "usage-verify",
    usage_reject => "usage-reject",
    usage_suspend => "usage-suspend",
    usage_unsuspend => "usage-unsuspend",
    need_verified_business => "need-verified-business",
    pending_business => "pending-business",
    offer_venue => "offer-venue",
    offer_title => "offer-title",
    offer_drops => "offer-drops",
    no_drops => "no-drops",
    stop_drops => "stop-drops",
    watch_button => "watch-button",
    offer_description => "offer-description",
    offer_item_unit => "offer-item-unit",
    offer_item_quantity => "offer-item-quantity",
    add_item => "add-item",
    items_done => "items-done",
    offer_photo => "offer-photo",
    photo_working => "photo-working",
    photo_expected => "photo-expected",
    preview_intro => "preview-intro",
    publish => "publish",
    edit => "edit",
    discard => "discard",
    edit_what => "edit-what",
    back_to_preview => "back-to-preview",
    discarded => "discarded",
    no_draft => "no-draft",
    draft_incomplete => "draft-incomplete",
    window_ended_send_new => "window-ended-send-new",
    too_many_items => "too-many-items",
    add_venue => "add-venue",
    venue_name => "venue-name",
    location_saved => "location-saved",
    offer_not_found => "offer-not-found",
    business_not_found => "business-not-found",
    venue_location_button => "venue-location-button",
    deals_empty => "deals-empty",
    share_location_hint => "share-location-hint",
    previous => "previous",
    next => "next",
    buy => "buy",
    list_expired => "list-expired",
    choose_item => "choose-item",
    cancel_reservation => "cancel-reservation",
    reserved_toast => "reserved-toast",
    sold_out_now => "sold-out-now",
    payment_unavailable => "payment-unavailable",
    reservation_lapsed => "reservation-lapsed",
    refund_reason_unknown => "refund-reason-unknown",
    refund_usage => "refund-usage",
    no_orders => "no-orders",
    orders_header => "orders-header",
    yes_cancel => "yes-cancel",
    keep_it => "keep-it",
    kept => "kept",
    myoffers_empty => "myoffers-empty",
    myoffers_header => "myoffers-header",
    pause => "pause",
    resume => "resume",
    edit_price => "edit-price",
    edit_quantity => "edit-quantity",
    mark_sold_out => "mark-sold-out",
    withdraw => "withdraw",
    orders => "orders",
    pickup => "pickup",
    back_to_list => "back-to-list",
    yes_withdraw => "yes-withdraw",
    withdrawn_toast => "withdrawn-toast",
    choose_item_to_edit => "choose-item-to-edit",
    ask_pickup_code => "ask-pickup-code",
    not_yours => "not-yours",
    no_orders_for_offer => "no-orders-for-offer",
    usage_pause => "usage-pause",
    usage_pickup => "usage-pickup",
    view => "view",
    following_empty => "following-empty",
    set_up_alerts => "set-up-alerts",
    change_alerts => "change-alerts",
    turn_off_alerts => "turn-off-alerts",
    quiet_hours_button => "quiet-hours-button",
    alerts_ask_location => "alerts-ask-location",
    keep_place => "keep-place",
    alerts_ask_radius => "alerts-ask-radius",
    alerts_ask_keywords => "alerts-ask-keywords",
    no_quiet_hours => "no-quiet-hours",
    alerts_turned_off => "alerts-turned-off",
    alerts_already_off => "alerts-already-off",
    card_sold_out => "card-sold-out",
    order_item => "order-item",
    map_button => "map-button",
    open_in_app => "open-in-app",
    menu_button => "menu-button",
    buy_in_glean => "buy-in-glean",
    more_from_shop => "more-from-shop",
    charity_usage => "charity-usage",
    no_charities => "no-charities",
    charity_link_unknown => "charity-link-unknown",
    charity_link_used => "charity-link-used",
    charity_where => "charity-where",
    charity_location_saved => "charity-location-saved",
    accept_donation => "accept-donation",
    decline_donation => "decline-donation",
    donation_gone_answer => "donation-gone-answer",
    donation_not_offered => "donation-not-offered",
    donation_declined => "donation-declined",
    unit_weight_bad => "unit-weight-bad",
    a_charity => "a-charity",
}

pub fn help(l: Lang, is_owner: bool, is_admin: bool) -> String {
    let mut s = t!(l, "help-everyone").to_string();
    s.push('\n');
    if is_owner {
        s.push_str(t!(l, "help-owner"));
        s.push('\n');
    }
    if is_admin {
        s.push('\n');
        s.push_str(t!(l, "help-admin"));
        s.push('\n');
    }
    s
}

/// "⚠️ …": a problem with what the user typed (already HTML).
pub fn problem(l: Lang, problem: &str) -> String {
    t!(l, "problem", problem = problem)
}

/// The language picker's prompt, or the answer to an unsupported code.
pub fn language_unsupported(l: Lang, code: &str) -> String {
    let supported: Vec<String> = Lang::all().map(|x| format!("{} ({})", language_name(x), x.code())).collect();
    t!(l, "language-unsupported", code = esc(code), supported = supported.join(", "))
}

/// Telegram's command menu: `(command, description)` in this language.
pub fn command_menu(l: Lang, admin: bool) -> Vec<(&'static str, &'static str)> {
    let mut c = vec![
        ("deals", t!(l, "cmd-deals")),
        ("orders", t!(l, "cmd-orders")),
        ("following", t!(l, "cmd-following")),
        ("alerts", t!(l, "cmd-alerts")),
        ("privacy", t!(l, "cmd-privacy")),
        ("impact", t!(l, "cmd-impact")),
        ("language", t!(l, "cmd-language")),
        ("start", t!(l, "cmd-start")),
        ("help", t!(l, "cmd-help")),
        ("register", t!(l, "cmd-register")),
        ("newoffer", t!(l, "cmd-newoffer")),
        ("publish", t!(l, "cmd-publish")),
        ("venues", t!(l, "cmd-venues")),
        ("myoffers", t!(l, "cmd-myoffers")),
        ("pickup", t!(l, "cmd-pickup")),
        ("sales", t!(l, "cmd-sales")),
        ("payouts", t!(l, "cmd-payouts")),
        ("apikey", t!(l, "cmd-apikey")),
        ("cancel", t!(l, "cmd-cancel")),
    ];
    if admin {
        c.extend([
            ("pending", t!(l, "cmd-pending")),
            ("verify", t!(l, "cmd-verify")),
            ("reject", t!(l, "cmd-reject")),
            ("suspend", t!(l, "cmd-suspend")),
            ("unsuspend", t!(l, "cmd-unsuspend")),
            ("charity", t!(l, "cmd-charity")),
            ("refunds", t!(l, "cmd-refunds")),
            ("refund_retry", t!(l, "cmd-refund-retry")),
            ("refund_settled", t!(l, "cmd-refund-settled")),
            ("privacy_request", t!(l, "cmd-privacy-request")),
            ("finance", t!(l, "cmd-finance")),
            ("fee", t!(l, "cmd-fee")),
            ("adjust", t!(l, "cmd-adjust")),
        ]);
    }
    c
}

// Registration.
pub fn reg_timezone(l: Lang, default: &str) -> String {
    t!(l, "reg-timezone", default = esc(default))
}
pub fn reg_done(l: Lang, name: &str) -> String {
    t!(l, "reg-done", name = esc(name))
}
pub fn admin_new_business(l: Lang, id: i64, name: &str, phone: &str, address: &str, owner: &str) -> String {
    t!(
        l,
        "admin-new-business",
        id = id,
        name = esc(name),
        phone = esc(phone),
        address = esc(address),
        owner = esc(owner)
    )
}
pub fn approved_note(l: Lang, admin: &str) -> String {
    format!("\n\n{}", t!(l, "approved-note", admin = esc(admin)))
}
pub fn rejected_note(l: Lang, admin: &str, reason: &str) -> String {
    t!(l, "rejected-note", admin = esc(admin), reason = esc(reason))
}
pub fn owner_verified(l: Lang, name: &str) -> String {
    t!(l, "owner-verified", name = esc(name))
}
pub fn owner_rejected(l: Lang, name: &str, reason: &str) -> String {
    t!(l, "owner-rejected", name = esc(name), reason = esc(reason))
}
pub fn owner_suspended(l: Lang, name: &str) -> String {
    t!(l, "owner-suspended", name = esc(name))
}
pub fn owner_unsuspended(l: Lang, name: &str) -> String {
    t!(l, "owner-unsuspended", name = esc(name))
}
pub fn ask_reject_reason(l: Lang, name: &str) -> String {
    t!(l, "ask-reject-reason", name = esc(name))
}
/// A business's status in words ("verified", "waiting for verification").
fn business_status(l: Lang, status: &str) -> String {
    t!(l, "business-status", status = status)
}
pub fn already(l: Lang, name: &str, status: &str) -> String {
    t!(l, "already", name = esc(name), status = business_status(l, status))
}
pub fn no_business(l: Lang, id: i64) -> String {
    t!(l, "no-business", id = id)
}
pub fn business_now(l: Lang, name: &str, status: &str) -> String {
    t!(l, "business-now", name = esc(name), status = business_status(l, status))
}

// Offers.
pub fn offer_item_name(l: Lang, n: usize) -> String {
    if n == 0 { t!(l, "offer-item-first").to_string() } else { t!(l, "offer-item-next", n = n + 1) }
}
pub fn offer_item_original(l: Lang, currency: &str) -> String {
    t!(l, "offer-item-original", currency = currency)
}
pub fn offer_item_deal(l: Lang, currency: &str, original: &str) -> String {
    t!(l, "offer-item-deal", currency = currency, original = original)
}
pub fn offer_items_so_far(l: Lang, lines: &str) -> String {
    t!(l, "offer-items-so-far", lines = lines)
}
/// A draft's item: "• Bread (1 loaf): €2.00 instead of €5.00, 3 units".
pub fn offer_item_line(l: Lang, name: &str, unit: &str, deal: &str, original: &str, quantity: u32) -> String {
    t!(l, "offer-item-line", name = esc(name), unit = esc(unit), deal = deal, original = original, quantity = quantity)
}
pub fn offer_window(l: Lang, tz: &str) -> String {
    t!(l, "offer-window", tz = esc(tz))
}
/// The labels of the edit menu, in the order of the wizard's fields.
pub fn edit_fields(l: Lang) -> [&'static str; 6] {
    [
        t!(l, "edit-field-title"),
        t!(l, "edit-field-description"),
        t!(l, "edit-field-items"),
        t!(l, "edit-field-window"),
        t!(l, "edit-field-drops"),
        t!(l, "edit-field-photo"),
    ]
}
pub fn published(l: Lang, title: &str, link: &str) -> String {
    t!(l, "published", title = esc(title), link = esc(link))
}
pub fn published_mark(l: Lang) -> String {
    format!("\n\n{}", t!(l, "published-mark"))
}
pub fn publish_refused(l: Lang, reason: &str) -> String {
    t!(l, "publish-refused", reason = esc(reason))
}

// Venues.
pub fn venues_list(l: Lang, lines: &str) -> String {
    t!(l, "venues-list", lines = lines)
}
pub fn venue_added(l: Lang, name: &str) -> String {
    t!(l, "venue-added", name = esc(name))
}

// Deep links.
pub fn business_profile(l: Lang, name: &str, deals: usize) -> String {
    t!(l, "business-profile", name = esc(name), deals = deals)
}

// Buying.
pub fn deals_header(l: Lang, nearest: bool, page: usize, pages: usize) -> String {
    let header = t!(l, "deals-header", nearest = yes(nearest));
    if pages > 1 { t!(l, "deals-page", header = header, page = page + 1, pages = pages) } else { header }
}
/// "from €2.00": the cheapest price of a deal in a list.
pub fn price_from(l: Lang, price: &str) -> String {
    t!(l, "price-from", price = price)
}
/// "3 left": units still available.
pub fn units_left(l: Lang, n: u32) -> String {
    t!(l, "card-left", n = n)
}
pub fn choose_quantity(l: Lang, name: &str, price: &str, left: u32) -> String {
    t!(l, "choose-quantity", name = esc(name), price = price, left = left)
}
pub fn reserved_pay(l: Lang, id: i64, lines: &str, total: &str, minutes: u64) -> String {
    t!(l, "reserved-pay", id = id, lines = lines, total = total, minutes = minutes)
}
pub fn pay_button(l: Lang, total: &str) -> String {
    t!(l, "pay-button", total = total)
}
#[allow(clippy::too_many_arguments)]
pub fn order_confirmed(
    l: Lang,
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
    t!(
        l,
        "order-confirmed",
        id = id,
        code = code,
        lines = lines,
        total = total,
        at_pickup = yes(at_pickup),
        window = window,
        venue = esc(venue),
        address = esc(address),
        left = left,
    )
}
/// One line of an order: "2 × Bread (€1.50)".
pub fn order_line(l: Lang, quantity: u32, name: &str, price: &str) -> String {
    t!(l, "order-line", quantity = quantity, name = esc(name), price = price)
}
pub fn business_new_order(
    l: Lang,
    id: i64,
    title: &str,
    lines: &str,
    code: &str,
    at_pickup: bool,
    left: u32,
) -> String {
    t!(
        l,
        "business-new-order",
        id = id,
        title = title,
        lines = lines,
        code = code,
        at_pickup = yes(at_pickup),
        left = left
    )
}
pub fn business_order_cancelled(l: Lang, id: i64, code: &str) -> String {
    t!(l, "business-order-cancelled", id = id, code = code)
}
pub fn paid_too_late(l: Lang, total: &str) -> String {
    t!(l, "paid-too-late", total = total)
}
pub fn refunded(l: Lang, id: i64, total: &str) -> String {
    t!(l, "refunded", id = id, total = total)
}
pub fn already_withdrawn(l: Lang, title: &str) -> String {
    t!(l, "already-withdrawn", title = esc(title))
}
/// An order's status in words.
pub fn order_status(l: Lang, status: &str) -> String {
    t!(l, "order-status", status = status)
}
pub fn order_is(l: Lang, id: i64, status: &str) -> String {
    t!(l, "order-is", id = id, status = order_status(l, status))
}
pub fn paid_too_late_order(l: Lang, id: i64, total: &str) -> String {
    t!(l, "paid-too-late-order", id = id, total = total)
}
pub fn refund_failed(l: Lang, id: i64, total: &str) -> String {
    t!(l, "refund-failed", id = id, total = total)
}
pub fn refund_failed_staff(l: Lang, id: i64, total: &str, reason: &str, customer: i64) -> String {
    t!(l, "refund-failed-staff", id = id, total = total, reason = esc(reason), customer = customer)
}
pub fn refund_retried(l: Lang, id: i64) -> String {
    t!(l, "refund-retried", id = id)
}
pub fn refund_settled(l: Lang, id: i64) -> String {
    t!(l, "refund-settled", id = id)
}
/// One failed refund in /refunds.
pub fn failed_refund_line(l: Lang, id: i64, total: &str, customer: i64, reason: &str) -> String {
    t!(l, "failed-refund-line", id = id, total = total, customer = customer, reason = esc(reason))
}
/// "id 42": a business owner known only by their Telegram id.
pub fn owner_id(l: Lang, id: i64) -> String {
    t!(l, "owner-id", id = id)
}
pub fn failed_refunds(l: Lang, list: &str) -> String {
    if list.is_empty() { t!(l, "no-failed-refunds").to_string() } else { t!(l, "failed-refunds", list = list) }
}
/// "Pickup code ABC123 · 🕒 Today 18:00–20:00" in /orders.
pub fn my_order_code(l: Lang, code: &str, window: &str) -> String {
    t!(l, "my-order-code", code = code, window = window)
}
pub fn cancel_order_button(l: Lang, id: i64) -> String {
    t!(l, "cancel-order-button", id = id)
}
pub fn confirm_cancel(l: Lang, id: i64, refund: Option<&str>) -> String {
    match refund {
        Some(total) => t!(l, "confirm-cancel-refund", id = id, total = total),
        None => t!(l, "confirm-cancel", id = id),
    }
}
pub fn order_cancelled(l: Lang, id: i64, refund: Option<&str>) -> String {
    match refund {
        Some(total) => t!(l, "order-cancelled-refund", id = id, total = total),
        None => t!(l, "order-cancelled", id = id),
    }
}
pub fn below_stripe_minimum(l: Lang, min: &str) -> String {
    t!(l, "below-stripe-minimum", min = min)
}

/// "350 m", "1.2 km" ("1,2 km" in German), "12 km".
pub fn distance(l: Lang, m: f64) -> String {
    if m < 1000.0 {
        t!(l, "distance-m", m = ((m / 10.0).round() * 10.0) as i64)
    } else if m < 10_000.0 {
        let tenths = (m / 100.0).round() as i64;
        let km = format!("{}{}{}", tenths / 10, l.decimal_mark(), tenths % 10);
        t!(l, "distance-km", km = km)
    } else {
        t!(l, "distance-km", km = (m / 1000.0).round() as i64)
    }
}

// Managing offers.
pub fn withdrawn_refund(l: Lang, id: i64, title: &str, total: &str) -> String {
    t!(l, "withdrawn-refund", id = id, title = esc(title), total = total)
}
pub fn withdrawn_released(l: Lang, id: i64, title: &str) -> String {
    t!(l, "withdrawn-released", id = id, title = esc(title))
}
pub fn thanks_for_pickup(l: Lang, title: &str) -> String {
    t!(l, "thanks-for-pickup", title = esc(title))
}
/// The heading of a group of offers in /myoffers, by offer status.
pub fn myoffers_group(l: Lang, status: &str) -> String {
    t!(l, "myoffers-group", status = status)
}
/// An offer's status in words.
pub fn offer_status(l: Lang, status: &str) -> String {
    t!(l, "offer-status", status = status)
}
/// Why a customer can't buy an offer in this status.
pub fn offer_unavailable(l: Lang, status: &str) -> String {
    t!(l, "offer-unavailable", status = status)
}
pub fn offer_counts(l: Lang, sold: u32, reserved: u32, left: u32) -> String {
    t!(l, "offer-counts", sold = sold, reserved = reserved, left = left)
}
#[allow(clippy::too_many_arguments)]
pub fn manage_item(
    l: Lang,
    name: &str,
    unit: &str,
    deal: &str,
    original: &str,
    sold: u32,
    reserved: u32,
    left: u32,
) -> String {
    t!(
        l,
        "manage-item",
        name = esc(name),
        unit = esc(unit),
        deal = deal,
        original = original,
        sold = sold,
        reserved = reserved,
        left = left,
    )
}
pub fn confirm_withdraw(l: Lang, title: &str, paid: usize, open: usize) -> String {
    t!(l, "confirm-withdraw", title = esc(title), paid = paid, open = open)
}
pub fn now_status(l: Lang, status: &str) -> String {
    t!(l, "now-status", status = offer_status(l, status))
}
pub fn not_now(l: Lang, status: &str) -> String {
    t!(l, "not-now", status = offer_status(l, status))
}
pub fn withdrawn(l: Lang, title: &str, told: usize) -> String {
    t!(l, "withdrawn", title = esc(title), told = told)
}
pub fn ask_new_price(l: Lang, name: &str, current: &str, original: &str) -> String {
    t!(l, "ask-new-price", name = esc(name), current = current, original = original)
}
pub fn ask_new_quantity(l: Lang, name: &str, quantity: u32, committed: u32) -> String {
    t!(l, "ask-new-quantity", name = esc(name), quantity = quantity, committed = committed)
}
pub fn below_committed(l: Lang, committed: u32) -> String {
    t!(l, "below-committed", committed = committed)
}
pub fn picked_up(l: Lang, id: i64, lines: &str) -> String {
    t!(l, "picked-up", id = id, lines = lines)
}
/// One order in an offer's order list; `what` is the pickup code or total.
pub fn offer_order_line(l: Lang, id: i64, status: &str, what: &str, lines: &str) -> String {
    t!(l, "offer-order-line", id = id, status = order_status(l, status), what = what, lines = lines)
}
pub fn pickup_code_line(l: Lang, code: &str) -> String {
    t!(l, "pickup-code-line", code = code)
}
pub fn offer_orders_header(l: Lang, title: &str) -> String {
    t!(l, "offer-orders-header", title = esc(title))
}

// Following and alerts.
/// "⭐ Follow Bäckerei Kalle" (long names shortened).
pub fn follow_button(l: Lang, name: &str) -> String {
    t!(l, "follow-button", name = short_name(name))
}
pub fn unfollow_button(l: Lang, name: &str) -> String {
    t!(l, "unfollow-button", name = short_name(name))
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
pub fn now_following(l: Lang, name: &str) -> String {
    t!(l, "now-following", name = name)
}
pub fn no_longer_following(l: Lang, name: &str) -> String {
    t!(l, "no-longer-following", name = name)
}
pub fn following_list(l: Lang, lines: &str) -> String {
    t!(l, "following-list", lines = lines)
}
pub fn following_line(l: Lang, name: &str, deals: i64) -> String {
    match deals {
        0 => t!(l, "following-line", name = esc(name)),
        n => t!(l, "following-line-deals", name = esc(name), deals = n),
    }
}
/// The first line of a deal alert: why the customer gets it.
pub fn alert_intro(l: Lang, business: &str, follower: bool, restock: bool, distance: Option<String>) -> String {
    match (follower, restock, distance) {
        (true, false, _) => t!(l, "alert-new-followed", business = esc(business)),
        (true, true, _) => t!(l, "alert-restock-followed", business = esc(business)),
        (false, false, Some(d)) => t!(l, "alert-new-distance", distance = d),
        (false, true, Some(d)) => t!(l, "alert-restock-distance", distance = d),
        (false, false, None) => t!(l, "alert-new-near").to_string(),
        (false, true, None) => t!(l, "alert-restock-near").to_string(),
    }
}
pub fn alerts_overview(l: Lang, nearby: Option<&str>, quiet: Option<&str>, tz: &str, following: usize) -> String {
    let mut s = t!(l, "alerts-title").to_string();
    s.push('\n');
    match nearby {
        Some(n) => s.push_str(&t!(l, "alerts-nearby", nearby = n)),
        None => s.push_str(t!(l, "alerts-nearby-off")),
    }
    s.push('\n');
    match quiet {
        Some(q) => s.push_str(&t!(l, "alerts-quiet", quiet = q, tz = esc(tz))),
        None => s.push_str(&t!(l, "alerts-no-quiet", tz = esc(tz))),
    }
    s.push('\n');
    s.push_str(&t!(l, "alerts-following", n = following));
    s
}
/// "every deal within 3 km of your place" or "… mentioning bread, vegan".
pub fn nearby_summary(l: Lang, radius: &str, keywords: &[String]) -> String {
    if keywords.is_empty() {
        t!(l, "nearby-summary-all", radius = radius)
    } else {
        t!(l, "nearby-summary-keywords", radius = radius, keywords = esc(&keywords.join(", ")))
    }
}
/// An alert's radius: "3 km" (or "500 m" for a stored odd one).
pub fn radius(l: Lang, metres: u32) -> String {
    if metres.is_multiple_of(1000) { radius_button(l, metres / 1000) } else { t!(l, "distance-m", m = metres) }
}
pub fn radius_button(l: Lang, km: u32) -> String {
    t!(l, "radius-button", km = km)
}
pub fn alerts_ask_quiet(l: Lang, tz: &str) -> String {
    t!(l, "alerts-ask-quiet", tz = esc(tz))
}
pub fn alerts_saved(l: Lang, nearby: &str, quiet: Option<&str>, tz: &str) -> String {
    match quiet {
        Some(q) => t!(l, "alerts-saved-quiet", nearby = nearby, quiet = q, tz = esc(tz)),
        None => t!(l, "alerts-saved", nearby = nearby),
    }
}
pub fn quiet_saved(l: Lang, quiet: Option<&str>, tz: &str) -> String {
    match quiet {
        Some(q) => t!(l, "quiet-saved", quiet = q, tz = esc(tz)),
        None => t!(l, "quiet-none-saved", tz = esc(tz)),
    }
}

// Sharing into groups (inline mode).
/// The banner a posted card gets once its deal stopped selling.
pub fn shared_card_over(l: Lang, status: crate::domain::OfferStatus) -> String {
    use crate::domain::OfferStatus;
    match status {
        OfferStatus::Draft | OfferStatus::Active => String::new(),
        other => t!(l, "shared-card-over", status = other.as_str()),
    }
}

// Charities.
pub fn charity_invited(l: Lang, name: &str, area: &str, link: &str) -> String {
    t!(l, "charity-invited", name = esc(name), area = esc(area), link = esc(link))
}
pub fn charities_list(l: Lang, lines: &str) -> String {
    t!(l, "charities-list", lines = lines)
}
pub fn charity_line(l: Lang, id: i64, name: &str, area: &str, registered: bool, located: bool) -> String {
    let state = match (registered, located) {
        (false, _) => "invited",
        (true, false) => "unplaced",
        (true, true) => "registered",
    };
    t!(l, "charity-line", id = id, name = esc(name), area = esc(area), state = state)
}
pub fn charity_other(l: Lang, name: &str) -> String {
    t!(l, "charity-other", name = esc(name))
}
pub fn charity_welcome(l: Lang, name: &str) -> String {
    t!(l, "charity-welcome", name = esc(name))
}
pub fn charity_already(l: Lang, name: &str) -> String {
    t!(l, "charity-already", name = esc(name))
}

// Donations.
pub fn donation_offered(l: Lang, title: &str, shop: &str, address: &str, lines: &str, pickup: &str) -> String {
    t!(
        l,
        "donation-offered",
        title = esc(title),
        shop = esc(shop),
        address = esc(address),
        lines = lines,
        pickup = pickup
    )
}
/// A donation's line: "3 × Bread (1 loaf)"; `unit` may be empty.
pub fn donation_line(l: Lang, quantity: u32, name: &str, unit: &str) -> String {
    if unit.is_empty() {
        t!(l, "donation-line", quantity = quantity, name = esc(name))
    } else {
        t!(l, "donation-line-unit", quantity = quantity, name = esc(name), unit = esc(unit))
    }
}
pub fn donation_gone(l: Lang, title: &str) -> String {
    t!(l, "donation-gone", title = esc(title))
}
pub fn donation_taken_answer(l: Lang, id: i64) -> String {
    t!(l, "donation-taken-answer", id = id)
}
pub fn donation_yours(l: Lang, id: i64, title: &str, lines: &str, code: &str, pickup: &str, address: &str) -> String {
    t!(
        l,
        "donation-yours",
        id = id,
        title = esc(title),
        lines = lines,
        code = code,
        pickup = pickup,
        address = esc(address),
    )
}
pub fn donation_coming(l: Lang, id: i64, charity: &str, title: &str, lines: &str, code: &str) -> String {
    t!(l, "donation-coming", id = id, charity = esc(charity), title = esc(title), lines = lines, code = code)
}

// Pickup places: donations and unit weights.
pub fn venue_line(l: Lang, name: &str, address: &str, donate: bool, unit_grams: Option<u32>) -> String {
    let mut s = t!(l, "venue-line", name = esc(name), address = esc(address));
    s.push_str("\n   ");
    s.push_str(&t!(l, "venue-line-donate", donate = yes(donate)));
    if let Some(g) = unit_grams {
        s.push_str(&t!(l, "venue-line-weight", weight = weight(l, i64::from(g))));
    }
    s
}
pub fn venue_donate_button(l: Lang, name: &str, donate: bool) -> String {
    t!(l, "venue-donate-button", name = name, donate = yes(donate))
}
pub fn venue_weight_button(l: Lang, name: &str) -> String {
    t!(l, "venue-weight-button", name = name)
}
pub fn ask_unit_weight(l: Lang, name: &str) -> String {
    t!(l, "ask-unit-weight", name = esc(name))
}
pub fn unit_weight_saved(l: Lang, name: &str, grams: Option<u32>) -> String {
    match grams {
        Some(g) => t!(l, "unit-weight-saved", name = esc(name), weight = weight(l, i64::from(g))),
        None => t!(l, "unit-weight-unknown", name = esc(name)),
    }
}

// Impact.
/// "1.2 kg" ("1,2 kg" in German), "350 g".
pub fn weight(l: Lang, grams: i64) -> String {
    if grams < 1000 {
        t!(l, "weight-g", g = grams)
    } else {
        t!(l, "weight-kg", kg = format!("{}{}{}", grams / 1000, l.decimal_mark(), (grams % 1000) / 100))
    }
}
/// `by` is who saved: "you", "glean" or "shop" (named `name`).
fn saved_line(l: Lang, by: &str, name: &str, i: &crate::domain::Impact) -> String {
    let mut s = t!(l, "impact-saved", by = by, name = name, units = i.saved_units);
    if i.saved_grams > 0 {
        s.push_str(&t!(l, "impact-weight", weight = weight(l, i.saved_grams)));
    }
    if i.donated_units > 0 {
        s.push_str(&t!(l, "impact-donated", units = i.donated_units));
    }
    s.push('.');
    s
}
/// A customer's (or charity's) line in `/orders` and `/impact`.
pub fn impact_customer(l: Lang, i: &crate::domain::Impact) -> String {
    if i.is_empty() { t!(l, "impact-none").into() } else { saved_line(l, "you", "", i) }
}
/// A business's line on its shop page, `/myoffers` and `/impact`.
pub fn impact_business(l: Lang, name: &str, i: &crate::domain::Impact) -> String {
    saved_line(l, "shop", &esc(name), i)
}
/// What Glean saved, for admins.
pub fn impact_total(l: Lang, i: &crate::domain::Impact) -> String {
    saved_line(l, "glean", "Glean", i)
}

// Prices that drop as pickup nears.
/// A drop schedule in words: "−10 % every 30 min in the last 2 h".
pub fn drop_rule(l: Lang, rule: crate::domain::pricing::DropRule) -> String {
    let span = rule.span_min();
    let hours =
        if span.is_multiple_of(60) { (span / 60).to_string() } else { format!("{:.1}", f64::from(span) / 60.0) };
    t!(l, "drop-rule", percent = u32::from(rule.percent()), every = u32::from(rule.every_min()), hours = hours)
}
pub fn offer_drop_floor(l: Lang, currency: &str, deal: &str) -> String {
    t!(l, "offer-drop-floor", currency = currency, deal = deal)
}
/// A card's price that will drop: "€3.00 now, €2.50 from 19:30".
pub fn card_price_drop(l: Lang, now: &str, next: &str, at: &str) -> String {
    t!(l, "card-price-drop", now = now, next = next, at = at)
}
/// The schedule on the business's management card.
pub fn manage_drops(l: Lang, rule: &str, floor: &str) -> String {
    t!(l, "manage-drops", rule = rule, floor = floor)
}
pub fn watch_ask(l: Lang, title: &str, now: &str, floor: &str) -> String {
    t!(l, "watch-ask", title = esc(title), now = now, floor = floor)
}
pub fn watch_set(l: Lang, title: &str, below: &str) -> String {
    t!(l, "watch-set", title = esc(title), below = below)
}
pub fn price_dropped(l: Lang, title: &str, shop: &str, price: &str, below: &str) -> String {
    t!(l, "price-dropped", title = esc(title), shop = esc(shop), price = price, below = below)
}
