//! Keyboards: inline buttons carry typed callback data; reply keyboards
//! offer Telegram's share-contact and share-location buttons.

use teloxide::types::{
    ButtonRequest, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup, KeyboardRemove,
    ReplyMarkup,
};

use super::callback::{Cb, Wiz};
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
pub fn nav(seq: u32, back: bool) -> Vec<(&'static str, Cb)> {
    let mut row = Vec::new();
    if back {
        row.push((texts::BACK, Cb::Wizard { seq, action: Wiz::Back }));
    }
    row.push((texts::CANCEL, Cb::Wizard { seq, action: Wiz::Cancel }));
    row
}

/// Just the navigation row, as a markup.
pub fn nav_markup(seq: u32, back: bool) -> ReplyMarkup {
    ReplyMarkup::InlineKeyboard(inline(vec![nav(seq, back)]))
}

/// The reply keyboard of a typed step: an optional request button
/// (share contact or location), an optional Skip, then Back / Cancel. It
/// stays on screen through the choice steps, so a way back is always there.
pub fn reply(request: Option<(&str, ButtonRequest)>, skip: bool, back: bool) -> ReplyMarkup {
    let mut rows = Vec::new();
    if let Some((label, what)) = request {
        rows.push(vec![KeyboardButton::new(label).request(what)]);
    }
    if skip {
        rows.push(vec![KeyboardButton::new(texts::SKIP)]);
    }
    reply_rows(rows, back)
}

/// A reply keyboard: the rows given, then Back (unless `back` is false) and
/// Cancel.
pub fn reply_rows(mut rows: Vec<Vec<KeyboardButton>>, back: bool) -> ReplyMarkup {
    let mut nav = Vec::new();
    if back {
        nav.push(KeyboardButton::new(texts::BACK));
    }
    nav.push(KeyboardButton::new(texts::CANCEL));
    rows.push(nav);
    ReplyMarkup::Keyboard(KeyboardMarkup::new(rows).resize_keyboard())
}

/// A typed answer that is really one of the reply keyboard's buttons.
pub fn nav_of(text: &str) -> Option<Wiz> {
    let t = text.trim();
    if t == texts::BACK || t.eq_ignore_ascii_case("back") {
        Some(Wiz::Back)
    } else if t == texts::CANCEL || t.eq_ignore_ascii_case("cancel") {
        Some(Wiz::Cancel)
    } else if t == texts::SKIP || t.eq_ignore_ascii_case("skip") {
        Some(Wiz::Skip)
    } else {
        None
    }
}

pub fn remove() -> ReplyMarkup {
    ReplyMarkup::KeyboardRemove(KeyboardRemove::new())
}

/// Approve / Reject under a business waiting for verification.
pub fn review_buttons(business_id: i64) -> ReplyMarkup {
    ReplyMarkup::InlineKeyboard(inline(vec![vec![
        (texts::APPROVE, Cb::Approve(business_id)),
        (texts::REJECT, Cb::Reject(business_id)),
    ]]))
}

/// The buttons of `/privacy`.
pub fn privacy_buttons() -> ReplyMarkup {
    use super::callback::PrivacyAct;
    use super::privacy;
    ReplyMarkup::InlineKeyboard(inline(vec![
        vec![(privacy::EXPORT_BUTTON, Cb::Privacy(PrivacyAct::Export))],
        vec![(privacy::FORGET_LOCATION_BUTTON, Cb::Privacy(PrivacyAct::ForgetLocation))],
        vec![(privacy::DELETE_BUTTON, Cb::Privacy(PrivacyAct::Delete))],
    ]))
}

/// Delete for good, or keep everything.
pub fn privacy_confirm() -> ReplyMarkup {
    use super::callback::PrivacyAct;
    use super::privacy;
    ReplyMarkup::InlineKeyboard(inline(vec![
        vec![(privacy::CONFIRM_DELETE_BUTTON, Cb::Privacy(PrivacyAct::DeleteConfirm))],
        vec![(privacy::KEEP_BUTTON, Cb::Privacy(PrivacyAct::Keep))],
    ]))
}

/// Accept / Not this time under a donation offer.
pub fn donation_buttons(offer_id: i64) -> ReplyMarkup {
    ReplyMarkup::InlineKeyboard(inline(vec![vec![
        (texts::ACCEPT_DONATION, Cb::Donation { offer: offer_id, accept: true }),
        (texts::DECLINE_DONATION, Cb::Donation { offer: offer_id, accept: false }),
    ]]))
}
