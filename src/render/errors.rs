//! Why an input or a request was refused, in the user's language: every
//! domain and use-case error a user can see, by Fluent message id. Their
//! `Display` (English) is for logs only.

use super::i18n::Lang;
use super::texts::{self, esc};
use crate::actions::alerts::{AlertInputError, MAX_KEYWORD_CHARS, MAX_KEYWORDS};
use crate::actions::ledger::AdjustError;
use crate::actions::offers::{ManageError, PickupRefused, PublishError};
use crate::actions::pricing::WatchError;
use crate::actions::purchases::{BuyError, CancelOrderError};
use crate::domain::business::{CoordinatesError, PhoneError};
use crate::domain::connect::{CountryError, EmailError};
use crate::domain::ledger::FeeError;
use crate::domain::money::UnknownCurrency;
use crate::domain::offer::ItemError;
use crate::domain::pricing::FloorError;
use crate::domain::purchase::CancelError;
use crate::domain::{MoneyError, PurchaseStatus, QuantityError, TextError, WindowError};
use crate::media::PhotoError;
use crate::t;

/// A refusal a user can be shown.
pub trait Explain {
    /// The reason as a sentence, HTML-safe.
    fn explain(&self, l: Lang) -> String;
}

/// The reason as a sentence, HTML-safe.
pub fn explain(l: Lang, e: &impl Explain) -> String {
    e.explain(l)
}

/// The status behind an order status label, in words.
fn order_label(l: Lang, label: &str) -> String {
    match PurchaseStatus::ALL.iter().find(|s| s.label() == label) {
        Some(s) => texts::order_status(l, s.as_str()),
        None => esc(label),
    }
}

impl Explain for MoneyError {
    fn explain(&self, l: Lang) -> String {
        match self {
            MoneyError::Empty => t!(l, "err-price-empty").into(),
            MoneyError::Negative => t!(l, "err-price-negative").into(),
            MoneyError::TooManyDecimals(code, n) => t!(l, "err-price-decimals", currency = *code, n = *n),
            MoneyError::TooLarge => t!(l, "err-price-too-large").into(),
            MoneyError::Zero => t!(l, "err-price-zero").into(),
            MoneyError::NotANumber => t!(l, "err-price-unreadable").into(),
        }
    }
}

impl Explain for FloorError {
    fn explain(&self, l: Lang) -> String {
        match self {
            FloorError::AboveDeal { deal, .. } => t!(l, "err-floor-above-deal", deal = l.money(*deal)),
            FloorError::BelowStripeMinimum { minimum, .. } => t!(l, "err-floor-below-stripe", min = l.money(*minimum)),
            FloorError::MixedCurrencies => t!(l, "err-floor-currency").into(),
        }
    }
}

impl Explain for WatchError {
    fn explain(&self, l: Lang) -> String {
        match self {
            WatchError::NotFound => texts::offer_not_found(l).into(),
            WatchError::NotFollowing { shop } => t!(l, "watch-follow-first", shop = esc(shop)),
            WatchError::NoMoreDrops => t!(l, "watch-gone").into(),
            WatchError::NotBelow { now, .. } => t!(l, "err-watch-not-below", now = l.money(*now)),
            WatchError::BelowFloor { floor, .. } => t!(l, "err-watch-below-floor", floor = l.money(*floor)),
            WatchError::Unexpected(_) => texts::something_went_wrong(l).into(),
        }
    }
}

impl Explain for UnknownCurrency {
    fn explain(&self, l: Lang) -> String {
        t!(l, "err-currency", code = esc(&self.0))
    }
}

impl Explain for CountryError {
    fn explain(&self, l: Lang) -> String {
        match self {
            CountryError::NotACode => t!(l, "connect-country-not-a-code").into(),
            CountryError::Unsupported(code) => t!(l, "connect-country-unsupported", code = esc(code)),
        }
    }
}

impl Explain for EmailError {
    fn explain(&self, l: Lang) -> String {
        t!(l, "connect-bad-email").into()
    }
}

impl Explain for FeeError {
    fn explain(&self, l: Lang) -> String {
        match self {
            FeeError::Negative => t!(l, "err-fee-negative").into(),
            FeeError::AboveTotal => t!(l, "err-fee-above-total").into(),
            FeeError::NotAPercent => t!(l, "err-fee-not-a-percent").into(),
            FeeError::Fixed(e) => t!(l, "err-fee-fixed", reason = e.explain(l)),
        }
    }
}

/// `NotFound` and `Unexpected` are answered by the bot itself.
impl Explain for AdjustError {
    fn explain(&self, l: Lang) -> String {
        match self {
            AdjustError::Amount(e) => t!(l, "err-adjust-amount", reason = e.explain(l)),
            AdjustError::Zero => t!(l, "err-adjust-zero").into(),
            AdjustError::NoReason => t!(l, "err-adjust-no-reason").into(),
            AdjustError::NotFound(id) => texts::no_business(l, *id),
            AdjustError::Unexpected(_) => texts::something_went_wrong(l).into(),
        }
    }
}

impl Explain for TextError {
    fn explain(&self, l: Lang) -> String {
        match self {
            TextError::Empty => t!(l, "err-text-empty").into(),
            TextError::TooLong { max, got } => t!(l, "err-text-too-long", max = *max, got = *got),
        }
    }
}

impl Explain for QuantityError {
    fn explain(&self, l: Lang) -> String {
        match self {
            QuantityError::NotANumber => t!(l, "err-quantity-unreadable").into(),
            QuantityError::Zero => t!(l, "err-quantity-zero").into(),
            QuantityError::TooMany(n) => t!(l, "err-quantity-too-many", max = *n),
        }
    }
}

impl Explain for WindowError {
    fn explain(&self, l: Lang) -> String {
        match self {
            WindowError::EndsBeforeStart => t!(l, "err-window-ends-before-start").into(),
            WindowError::TooShort => t!(l, "err-window-too-short").into(),
            WindowError::TooLong => t!(l, "err-window-too-long").into(),
            WindowError::InPast => t!(l, "err-window-in-past").into(),
            WindowError::TooFarAhead => t!(l, "err-window-too-far").into(),
            WindowError::NoSuchLocalTime(time) => t!(l, "err-window-no-such-time", time = esc(time)),
            WindowError::Unreadable => t!(l, "err-window-unreadable").into(),
        }
    }
}

impl Explain for ItemError {
    fn explain(&self, l: Lang) -> String {
        match self {
            ItemError::DealAboveOriginal { deal, original } => {
                t!(l, "err-deal-above-original", deal = esc(deal), original = esc(original))
            }
            ItemError::MixedCurrencies => t!(l, "err-mixed-currencies").into(),
        }
    }
}

impl Explain for PhoneError {
    fn explain(&self, l: Lang) -> String {
        match self {
            PhoneError::Invalid => t!(l, "err-phone").into(),
        }
    }
}

impl Explain for CoordinatesError {
    fn explain(&self, l: Lang) -> String {
        match self {
            CoordinatesError::OutOfRange => t!(l, "err-coordinates-range").into(),
            CoordinatesError::Unreadable => t!(l, "err-coordinates-unreadable").into(),
        }
    }
}

impl Explain for CancelError {
    fn explain(&self, l: Lang) -> String {
        match self {
            CancelError::PastCutoff { cutoff_hours } => t!(l, "err-cancel-past-cutoff", hours = *cutoff_hours),
            CancelError::NotCancellable(label) => t!(l, "err-not-cancellable", status = order_label(l, label)),
        }
    }
}

impl Explain for CancelOrderError {
    fn explain(&self, l: Lang) -> String {
        match self {
            CancelOrderError::Policy(e) => e.explain(l),
            CancelOrderError::NotYours => t!(l, "err-order-not-yours").into(),
            CancelOrderError::TryAgain => t!(l, "err-payments-try-again").into(),
            CancelOrderError::Unexpected(_) => texts::something_went_wrong(l).into(),
        }
    }
}

impl Explain for BuyError {
    fn explain(&self, l: Lang) -> String {
        match self {
            BuyError::SoldOut => texts::sold_out_now(l).into(),
            BuyError::Unavailable(why) => {
                match crate::domain::OfferStatus::ALL.iter().find(|s| s.unavailable_reason() == Some(why)) {
                    Some(s) => texts::offer_unavailable(l, s.as_str()),
                    None => t!(l, "err-quantity-impossible").into(),
                }
            }
            BuyError::PaymentUnavailable => texts::payment_unavailable(l).into(),
            BuyError::NotFound => texts::offer_not_found(l).into(),
            BuyError::Unexpected(_) => texts::something_went_wrong(l).into(),
        }
    }
}

impl Explain for PublishError {
    fn explain(&self, l: Lang) -> String {
        match self {
            PublishError::NotNow(status) => t!(l, "err-publish-not-now", status = texts::offer_status(l, status)),
            PublishError::Gone => t!(l, "err-publish-gone").into(),
            PublishError::BelowStripeMinimum(min) => texts::below_stripe_minimum(l, &l.money(*min)),
            PublishError::Unexpected(_) => texts::something_went_wrong(l).into(),
        }
    }
}

impl Explain for ManageError {
    fn explain(&self, l: Lang) -> String {
        match self {
            ManageError::NotYours => texts::not_yours(l).into(),
            ManageError::NotNow(status) => texts::not_now(l, status),
            ManageError::Gone => t!(l, "err-offer-gone").into(),
            ManageError::Unexpected(_) => texts::something_went_wrong(l).into(),
        }
    }
}

impl Explain for PickupRefused {
    fn explain(&self, l: Lang) -> String {
        match self {
            PickupRefused::UnknownCode => t!(l, "err-pickup-unknown-code").into(),
            PickupRefused::NotCollectable(label) => t!(l, "err-pickup-not-collectable", status = order_label(l, label)),
            PickupRefused::TooManyTries => t!(l, "err-pickup-too-many-tries").into(),
            PickupRefused::Unexpected(_) => texts::something_went_wrong(l).into(),
        }
    }
}

impl Explain for AlertInputError {
    fn explain(&self, l: Lang) -> String {
        match self {
            AlertInputError::Radius => t!(l, "err-alert-radius").into(),
            AlertInputError::Keywords => t!(l, "err-alert-keywords", max = MAX_KEYWORDS, chars = MAX_KEYWORD_CHARS),
            AlertInputError::QuietHours => t!(l, "err-alert-quiet-hours").into(),
        }
    }
}

impl Explain for PhotoError {
    fn explain(&self, l: Lang) -> String {
        match self {
            PhotoError::TooLarge { max_mb } => t!(l, "err-photo-too-large", max = *max_mb),
            PhotoError::TooManyPixels { max_mp } => t!(l, "err-photo-too-many-pixels", max = *max_mp),
            PhotoError::NotAnImage => t!(l, "err-photo-unreadable").into(),
            PhotoError::Unexpected(_) => texts::something_went_wrong(l).into(),
        }
    }
}
