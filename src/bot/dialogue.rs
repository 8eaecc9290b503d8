//! The dialogue a chat is in, saved as JSON in the `dialogues` table after
//! every step, so a restart (or another instance) continues where it was.

use serde::{Deserialize, Serialize};

use super::{alerts, newoffer, payouts, register, venues};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dialogue {
    /// Bumped on every step; buttons carry it, so a press on an earlier
    /// step's button is recognised as stale.
    pub seq: u32,
    pub flow: Flow,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flow {
    Register(register::Form),
    /// Boxed: the draft is by far the largest form.
    NewOffer(Box<newoffer::Form>),
    AddVenue(venues::Form),
    /// An admin pressed Reject and is asked for the reason.
    RejectReason {
        business_id: i64,
        admin_message_id: i32,
    },
    /// A business types a new deal price (`price`) or quantity for an item.
    EditItem {
        offer_id: i64,
        item_id: i64,
        price: bool,
    },
    /// A business types a customer's pickup code.
    PickupCode {
        business_id: i64,
    },
    /// A customer sets up nearby alerts or quiet hours (`/alerts`).
    Alerts(alerts::Form),
    /// An owner sets up card payouts: country, then email.
    Payouts(payouts::Form),
    /// A charity's contact says where they collect food.
    CharityPlace,
    /// A business types the weight of one unit at a venue.
    UnitWeight {
        venue_id: i64,
        business_id: i64,
    },
    /// A customer chooses (or types) the price to be told of: the choices
    /// offered, in minor units.
    PriceWatch {
        offer_id: i64,
        choices: Vec<i64>,
    },
}

impl Dialogue {
    pub fn new(flow: Flow) -> Self {
        Dialogue { seq: 1, flow }
    }

    /// The next step: a new `seq`, so earlier buttons go stale.
    pub fn next(mut self, flow: Flow) -> Self {
        self.seq = self.seq.wrapping_add(1);
        self.flow = flow;
        self
    }
}
