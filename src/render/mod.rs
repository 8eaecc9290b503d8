//! Rendering: every text, card and keyboard Glean shows in Telegram, and the
//! typed callback data its buttons carry. Used by the bot and the senders
//! (notices and deal alerts); `actions` never import it: they return typed
//! outcomes and write typed notices, and whoever shows them renders here.
//!
//! - `i18n`: the languages (`Lang`), the Fluent translator (`t!`) and
//!   locale formatting of money, dates and times.
//! - `texts`: every text the bot says, by Fluent message id (HTML-escaped
//!   where a user typed it).
//! - `cards`: the offer card, one renderer for the preview and for customers.
//! - `inline`: inline mode's results and the deal card posted into a chat.
//! - `keyboards`: inline and reply keyboards.
//! - `orders`: the order confirmation and an order's lines.
//! - `notices`: the text of each kind of notice.
//! - `money`: getting paid: onboarding, Connect pages and notices, `/sales`,
//!   statements (text and CSV), `/finance`.
//! - `errors`: why an input or request was refused, per language.
//! - `privacy`: `/privacy` and `/privacy_request`: what Glean keeps, export,
//!   deletion.
//! - `callback`: `Cb`, the versioned callback data under 64 bytes.
//! - `app`: the Mini App's server-side texts (its API's error messages).
//! - `waitlist`: the waitlist's buttons, place, hold notice and answers.

pub mod app;
pub mod callback;
pub mod cards;
pub mod errors;
pub mod i18n;
pub mod inline;
pub mod keyboards;
pub mod money;
pub mod notices;
pub mod orders;
pub mod privacy;
pub mod texts;
pub mod waitlist;
