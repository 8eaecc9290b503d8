//! Use cases as plain async functions over the shared services, called by
//! the bot, the HTTP API and the jobs alike. Business rules live here and in
//! `domain`; SQL stays in `store`; rendering stays with the caller.

pub mod businesses;
pub mod offers;

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::store::Store;
use crate::telegram::TgClient;

/// The services every use case may need.
#[derive(Clone)]
pub struct Ctx {
    pub store: Store,
    pub tg: TgClient,
    pub settings: Arc<Settings>,
    pub clock: Clock,
}
