//! What the waitlist looks like: its buttons on a sold-out card, the
//! quantity question, a person's place, the hold notice with Pay (or
//! Confirm) and Pass, and the answers to each press.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ReplyMarkup};

use super::callback::{Cb, HoldAct};
use super::i18n::Lang;
use super::texts::esc;
use crate::domain::waitlist::{Place, WaitStatus};
use crate::store::{Offer, PaymentMethod, Purchase, WaitEntry};
use crate::t;

pub fn join_button(l: Lang) -> &'static str {
    t!(l, "wait-join-button")
}

/// "🚪 Leave the waitlist (#2 of 3)" — or without a place while holding.
pub fn leave_button(l: Lang, place: Option<Place>) -> String {
    match place {
        Some(p) => t!(l, "wait-leave-place-button", position = p.position, of = p.of),
        None => t!(l, "wait-leave-button").to_string(),
    }
}

pub fn choose_item(l: Lang) -> &'static str {
    t!(l, "wait-choose-item")
}

pub fn choose_quantity(l: Lang, item: &str, price: &str) -> String {
    t!(l, "wait-choose-quantity", name = esc(item), price = price)
}

pub fn joined(l: Lang, title: &str, place: Place, quantity: u32, minutes: u64) -> String {
    t!(
        l,
        "wait-joined",
        title = esc(title),
        position = place.position,
        of = place.of,
        quantity = quantity,
        minutes = minutes
    )
}

pub fn already(l: Lang, place: Option<Place>) -> String {
    match place {
        Some(p) => t!(l, "wait-already", position = p.position, of = p.of),
        None => t!(l, "wait-already-held").to_string(),
    }
}

pub fn available(l: Lang) -> &'static str {
    t!(l, "wait-available")
}

pub fn unavailable(l: Lang) -> &'static str {
    t!(l, "wait-unavailable")
}

pub fn left(l: Lang, title: &str) -> String {
    t!(l, "wait-left", title = esc(title))
}

pub fn left_passed(l: Lang) -> &'static str {
    t!(l, "wait-left-passed")
}

pub fn not_waiting(l: Lang) -> &'static str {
    t!(l, "wait-not-waiting")
}

pub fn not_yours(l: Lang) -> &'static str {
    t!(l, "wait-not-yours")
}

pub fn try_again(l: Lang) -> &'static str {
    t!(l, "wait-try-again")
}

pub fn passed(l: Lang) -> &'static str {
    t!(l, "wait-passed")
}

/// Why a press on a hold that is over changes nothing.
pub fn hold_over(l: Lang, status: WaitStatus) -> String {
    t!(l, "wait-hold-over", status = status.as_str())
}

/// The notice: units came back and are held for this person.
pub fn hold(l: Lang, p: &Purchase, offer: &Offer, minutes: u64) -> (String, ReplyMarkup) {
    let lines = super::orders::lines(l, p, offer);
    let at_pickup = p.method != PaymentMethod::Stripe;
    let text = t!(
        l,
        "wait-hold",
        title = esc(&offer.title),
        lines = lines,
        total = l.money(p.total),
        minutes = minutes,
        atpickup = if at_pickup { "yes" } else { "no" }
    );
    let take = if at_pickup {
        t!(l, "wait-confirm-button").to_string()
    } else {
        t!(l, "wait-pay-button", total = l.money(p.total))
    };
    let markup = InlineKeyboardMarkup::new(vec![vec![
        InlineKeyboardButton::callback(take, Cb::Hold { purchase: p.id, act: HoldAct::Take }.encode()),
        InlineKeyboardButton::callback(
            t!(l, "wait-pass-button"),
            Cb::Hold { purchase: p.id, act: HoldAct::Pass }.encode(),
        ),
    ]]);
    (text, ReplyMarkup::InlineKeyboard(markup))
}

/// Pay pressed on a card hold: the Checkout link, and Pass still.
pub fn pay_link(l: Lang, p: &Purchase, url: url::Url, minutes: u64) -> (String, InlineKeyboardMarkup) {
    let total = l.money(p.total);
    let text = t!(l, "wait-pay-link", id = p.id, total = total.clone(), minutes = minutes);
    let markup = InlineKeyboardMarkup::new(vec![
        vec![InlineKeyboardButton::url(super::texts::pay_button(l, &total), url)],
        vec![InlineKeyboardButton::callback(
            t!(l, "wait-pass-button"),
            Cb::Hold { purchase: p.id, act: HoldAct::Pass }.encode(),
        )],
    ]);
    (text, markup)
}

pub fn hold_lapsed(l: Lang, title: &str) -> String {
    t!(l, "wait-hold-lapsed", title = esc(title))
}

pub fn closed(l: Lang, title: &str) -> String {
    t!(l, "wait-closed", title = esc(title))
}

/// The business's card: how many wait.
pub fn count(l: Lang, n: u32) -> String {
    t!(l, "wait-count", count = n)
}

pub fn orders_header(l: Lang) -> &'static str {
    t!(l, "wait-orders-header")
}

/// One line of `/orders`' waiting section.
pub fn orders_line(l: Lang, offer: &Offer, e: &WaitEntry, place: Option<Place>) -> String {
    let item = offer.items.iter().find(|i| i.id == e.item_id).map_or("", |i| i.name.as_str());
    match (place, e.purchase_id) {
        (Some(p), _) => t!(
            l,
            "wait-orders-line",
            title = esc(&offer.title),
            quantity = e.quantity,
            item = esc(item),
            position = p.position,
            of = p.of
        ),
        (None, Some(id)) => t!(l, "wait-orders-line-held", title = esc(&offer.title), id = id),
        (None, None) => esc(&offer.title),
    }
}
