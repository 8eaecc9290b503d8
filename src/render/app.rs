//! The Mini App's texts, in the customer's language: the messages of its
//! API's errors, and the page's own labels ([`PAGE_TEXTS`]), which the page
//! receives from the server (`/app/api/me`, `/app/api/texts`) as a map of
//! message id to text, so `assets/app/` holds no words of its own. Every
//! text is plain (the page escapes it). A page text with variables comes
//! with `{name}` in their place, which the page fills with a name, an
//! order number or a price the server already formatted; anything with a
//! plural or a number to format is formatted here and sent as a display
//! string.

use std::collections::BTreeMap;

use super::i18n::{Arg, Lang, format, plain};
use crate::t;

/// Lists the page's messages: `"id"` or `"id"(var, …)`. tests/it/locales.rs
/// reads this block as it reads `t!` calls, so every id here counts as used
/// and is checked in every locale, and it checks that every text the page
/// asks for (`T("…")` in `assets/app/*.js`) is listed.
macro_rules! page_texts {
    ($($id:literal $(($($var:ident),*))?),* $(,)?) => {
        /// The page's messages and their variables.
        pub const PAGE_TEXTS: &[(&str, &[&str])] = &[$(($id, &[$($(stringify!($var)),*)?])),*];
    };
}

page_texts! {
    "app-title",
    "app-loading",
    "app-tab-list",
    "app-tab-map",
    "app-tab-orders",
    "app-when-any",
    "app-when-now",
    "app-when-today",
    "app-when-tomorrow",
    "app-search-placeholder",
    "app-search-label",
    "app-ranked-nearest",
    "app-ranked-popular",
    "app-empty",
    "app-empty-filtered",
    "app-map-label",
    "app-map-failed",
    "app-map-you",
    "app-reopen",
    "app-try-again",
    "app-offline",
    "app-rate-limited",
    "app-internal",
    "app-reserve",
    "app-reserve-qty"(qty, price),
    "app-next-drop"(price, at),
    "app-one-less",
    "app-one-more",
    "app-follow"(name),
    "app-unfollow"(name),
    "app-followed"(name),
    "app-unfollowed"(name),
    "app-open-in-maps",
    "app-whats-in-it",
    "app-how-many",
    "app-order-title"(id),
    "app-show-at-pickup",
    "app-pay-to-confirm",
    "app-pay-to-confirm-by"(time),
    "app-pay"(total),
    "app-total"(total),
    "app-pickup-code",
    "app-cancel",
    "app-cancel-reservation",
    "app-cancel-order",
    "app-reserved-toast"(code),
    "app-my-orders",
    "app-no-orders",
    "app-cancel-question"(id),
    "app-cancel-question-refund"(id, amount),
    "app-order-is"(id, status),
    "app-qr-label",
}

/// The page's texts in `l`, by message id without its `app-` prefix;
/// variables stand as `{name}`.
pub fn page_texts(l: Lang) -> BTreeMap<&'static str, String> {
    PAGE_TEXTS
        .iter()
        .map(|(id, vars)| {
            let key = id.strip_prefix("app-").unwrap_or(id);
            let text = if vars.is_empty() {
                plain(l, id).to_string()
            } else {
                let args: Vec<(&str, Arg)> = vars.iter().map(|v| (*v, Arg::Str(format!("{{{v}}}")))).collect();
                format(l, id, &args)
            };
            (key, text)
        })
        .collect()
}

pub fn open_from_telegram(l: Lang) -> &'static str {
    t!(l, "app-open-from-telegram")
}
pub fn not_confirmed(l: Lang) -> &'static str {
    t!(l, "app-not-confirmed")
}
pub fn stale(l: Lang) -> &'static str {
    t!(l, "app-stale")
}
pub fn malformed(l: Lang) -> &'static str {
    t!(l, "app-malformed")
}
pub fn no_bot_token(l: Lang) -> &'static str {
    t!(l, "app-no-bot-token")
}
pub fn sold_out(l: Lang) -> &'static str {
    t!(l, "app-sold-out")
}
pub fn payment_unavailable(l: Lang) -> &'static str {
    t!(l, "app-payment-unavailable")
}
pub fn cancel_try_again(l: Lang) -> &'static str {
    t!(l, "app-cancel-try-again")
}
pub fn no_such_deal(l: Lang) -> &'static str {
    t!(l, "app-no-such-deal")
}
pub fn no_such_order(l: Lang) -> &'static str {
    t!(l, "app-no-such-order")
}
pub fn no_such_shop(l: Lang) -> &'static str {
    t!(l, "app-no-such-shop")
}
pub fn bad_key(l: Lang) -> &'static str {
    t!(l, "app-bad-key")
}
pub fn bad_quantity(l: Lang) -> &'static str {
    t!(l, "app-bad-quantity")
}
pub fn bad_near(l: Lang) -> &'static str {
    t!(l, "app-bad-near")
}
pub fn bad_when(l: Lang) -> &'static str {
    t!(l, "app-bad-when")
}
pub fn bad_body(l: Lang, detail: &str) -> String {
    t!(l, "app-bad-body", detail = detail)
}
