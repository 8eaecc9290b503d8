//! Keyboards: inline buttons carry typed callback data; reply keyboards
//! offer Telegram's share-contact and share-location buttons.

use teloxide::types::{
    ButtonRequest, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup, KeyboardRemove,
    ReplyMarkup,
};

use super::callback::{Cb, Wiz};
use super::i18n::Lang;
use super::texts;

pub fn inline(rows: Vec<Vec<(&str, Cb)>>) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(
        rows.into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|(label, cb)| InlineKeyboardButton::callback(label, cb.encode()))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>(),
    )
}

/// `markup` with one more row: a button that opens the Mini App at `url`
/// (none when there is no https app URL).
pub fn with_app_button(mut markup: InlineKeyboardMarkup, label: &str, url: Option<url::Url>) -> InlineKeyboardMarkup {
    if let Some(url) = url {
        markup.inline_keyboard.push(vec![InlineKeyboardButton::web_app(label, teloxide::types::WebAppInfo { url })]);
    }
    markup
}

/// Back / Cancel for a dialogue step.
pub fn nav(l: Lang, seq: u32, back: bool) -> Vec<(&'static str, Cb)> {
    let mut row = Vec::new();
    if back {
        row.push((texts::back(l), Cb::Wizard { seq, action: Wiz::Back }));
    }
    row.push((texts::cancel(l), Cb::Wizard { seq, action: Wiz::Cancel }));
    row
}

/// Just the navigation row, as a markup.
pub fn nav_markup(l: Lang, seq: u32, back: bool) -> ReplyMarkup {
    ReplyMarkup::InlineKeyboard(inline(vec![nav(l, seq, back)]))
}

/// The reply keyboard of a typed step: an optional request button
/// (share contact or location), an optional Skip, then Back / Cancel. It
/// stays on screen through the choice steps, so a way back is always there.
pub fn reply(l: Lang, request: Option<(&str, ButtonRequest)>, skip: bool, back: bool) -> ReplyMarkup {
    let mut rows = Vec::new();
    if let Some((label, what)) = request {
        rows.push(vec![KeyboardButton::new(label).request(what)]);
    }
    if skip {
        rows.push(vec![KeyboardButton::new(texts::skip(l))]);
    }
    reply_rows(l, rows, back)
}

/// A reply keyboard: the rows given, then Back (unless `back` is false) and
/// Cancel.
pub fn reply_rows(l: Lang, mut rows: Vec<Vec<KeyboardButton>>, back: bool) -> ReplyMarkup {
    let mut nav = Vec::new();
    if back {
        nav.push(KeyboardButton::new(texts::back(l)));
    }
    nav.push(KeyboardButton::new(texts::cancel(l)));
    rows.push(nav);
    ReplyMarkup::Keyboard(KeyboardMarkup::new(rows).resize_keyboard())
}

/// A typed answer that is really one of the reply keyboard's buttons (in
/// any language: the keyboard may predate a language switch).
pub fn nav_of(text: &str) -> Option<Wiz> {
    let t = text.trim();
    let is = |label: fn(Lang) -> &'static str| Lang::all().any(|l| t == label(l));
    if is(texts::back) || t.eq_ignore_ascii_case("back") {
        Some(Wiz::Back)
    } else if is(texts::cancel) || t.eq_ignore_ascii_case("cancel") {
        Some(Wiz::Cancel)
    } else if is(texts::skip) || t.eq_ignore_ascii_case("skip") {
        Some(Wiz::Skip)
    } else {
        None
    }
}

pub fn remove() -> ReplyMarkup {
    ReplyMarkup::KeyboardRemove(KeyboardRemove::new())
}

/// Approve / Reject under a business waiting for verification.
pub fn review_buttons(l: Lang, business_id: i64) -> ReplyMarkup {
    ReplyMarkup::InlineKeyboard(inline(vec![vec![
        (texts::approve(l), Cb::Approve(business_id)),
        (texts::reject(l), Cb::Reject(business_id)),
    ]]))
}

/// The buttons of `/privacy`.
pub fn privacy_buttons(l: Lang) -> ReplyMarkup {
    use super::callback::PrivacyAct;
    use super::privacy;
    ReplyMarkup::InlineKeyboard(inline(vec![
        vec![(privacy::export_button(l), Cb::Privacy(PrivacyAct::Export))],
        vec![(privacy::forget_location_button(l), Cb::Privacy(PrivacyAct::ForgetLocation))],
        vec![(privacy::delete_button(l), Cb::Privacy(PrivacyAct::Delete))],
    ]))
}

/// Delete for good, or keep everything.
pub fn privacy_confirm(l: Lang) -> ReplyMarkup {
    use super::callback::PrivacyAct;
    use super::privacy;
    ReplyMarkup::InlineKeyboard(inline(vec![
        vec![(privacy::confirm_delete_button(l), Cb::Privacy(PrivacyAct::DeleteConfirm))],
        vec![(privacy::keep_button(l), Cb::Privacy(PrivacyAct::Keep))],
    ]))
}

/// Accept / Not this time under a donation offer.
pub fn donation_buttons(l: Lang, offer_id: i64) -> ReplyMarkup {
    ReplyMarkup::InlineKeyboard(inline(vec![vec![
        (texts::accept_donation(l), Cb::Donation { offer: offer_id, accept: true }),
        (texts::decline_donation(l), Cb::Donation { offer: offer_id, accept: false }),
    ]]))
}
