//! Senders: the tasks that turn what the database says is due into
//! Telegram messages, rendered with `render`.
//!
//! - `notices`: the priority lane for notices about a change (a payment,
//!   a refund, an order): claimed within a fraction of a second, subject
//!   only to Telegram's per-chat limit, never held by quiet hours or
//!   behind deal alerts.
//! - `alerts`: the deal-alert sender, draining the notification outbox at
//!   the bulk rate, with quiet hours.
//! - `cards`: edits deal cards shared into chats through inline mode when
//!   their deal's status changes.

pub mod alerts;
pub mod cards;
pub mod notices;
