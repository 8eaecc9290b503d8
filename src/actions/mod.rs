//! Use cases as plain async functions over the shared services, called by
//! the bot, the HTTP API and the jobs alike. Business rules live here and in
//! `domain`; SQL stays in `store`; rendering stays with the caller.

pub mod alerts;
pub mod businesses;
pub mod connect;
pub mod donations;
pub mod ledger;
pub mod notify;
pub mod offers;
pub mod pricing;
pub mod privacy;
pub mod purchases;
pub mod sharing;
pub mod waitlist;

use std::sync::{Arc, OnceLock};

use crate::clock::Clock;
use crate::config::Settings;
use crate::coord::Coord;
use crate::payments::stripe::StripeClient;
use crate::store::Store;
use crate::telegram::TgClient;

/// The services every use case may need.
#[derive(Clone)]
pub struct Ctx {
    pub store: Store,
    pub tg: TgClient,
    /// Present when `STRIPE_SECRET_KEY` is set; otherwise orders are paid at pickup.
    pub stripe: Option<StripeClient>,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    /// Locks, leases and rate buckets shared by all instances.
    pub coord: Coord,
    /// The bot's @username, known once Telegram's getMe answered.
    pub bot_username: Arc<OnceLock<String>>,
}

impl Ctx {
    /// `https://t.me/<bot>?start=<payload>`: a link that opens the bot.
    pub fn deep_link(&self, payload: &str) -> String {
        let bot = self.bot_username.get().map_or("", String::as_str);
        format!("https://t.me/{bot}?start={payload}")
    }

    /// The Mini App at `PUBLIC_BASE_URL/app` (with `query`), only when that
    /// is https: Telegram opens Mini Apps from https pages only.
    pub fn app_url(&self, query: Option<&str>) -> Option<url::Url> {
        let base = self.settings.public_base_url.as_ref().filter(|u| u.scheme() == "https")?;
        let mut url = url::Url::parse(&format!("{}/app", base.as_str().trim_end_matches('/'))).ok()?;
        url.set_query(query);
        Some(url)
    }
}
