//! Callback data: a typed, versioned encoding that always fits Telegram's
//! 64 bytes. Anything that does not decode is a stale or forged button.

/// Version tag of the encoding; bump it when the meaning of a tag changes,
/// so old buttons in chats decode as stale instead of doing something new.
const VERSION: &str = "1";

use super::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cb {
    /// Admin: approve a business.
    Approve(i64),
    /// Admin: reject a business (asks for the reason).
    Reject(i64),
    /// A button of the current dialogue step; `seq` tells stale presses.
    Wizard { seq: u32, action: Wiz },
    /// Show an offer's card.
    ShowOffer(i64),
    /// Send a venue's location.
    VenueLocation(i64),
    /// `/venues`: start adding a pickup place.
    AddVenue,
    /// A page of a frozen `/deals` list.
    DealsPage { list: i64, page: u16 },
    /// Start buying from an offer.
    Buy(i64),
    /// Buy this item of the offer (quantity next).
    BuyItem { offer: i64, item: i64 },
    /// Reserve `qty` units of the item.
    BuyQty { offer: i64, item: i64, qty: u16 },
    /// Ask to cancel an order.
    CancelOrder(i64),
    /// Confirmed: cancel the order.
    ConfirmCancel(i64),
    /// Not cancelling after all.
    KeepOrder(i64),
    /// `/myoffers`: the list.
    MyOffers,
    /// The management card of one offer.
    Manage(i64),
    /// A business action on an offer.
    OfferAct { offer: i64, act: Act },
    /// Edit the price (`price: true`) or quantity of one item.
    EditItem { offer: i64, item: i64, price: bool },
    /// Start confirming a pickup by code.
    PickupStart,
    /// Follow a business.
    Follow(i64),
    /// Stop following a business.
    Unfollow(i64),
    /// A button of the `/alerts` overview.
    Alerts(AlertAct),
    /// An owner: "💶 Get paid by card".
    Payouts,
    /// An owner: "📄 Statement" (then a month).
    Statement,
    /// An owner picked a statement month (`YYYYMM`).
    StatementMonth(u32),
    /// A charity accepts (`accept: true`) or declines an offer's remainder.
    Donation { offer: i64, accept: bool },
    /// `/venues`: turn giving leftovers to charities on (`on: true`) or off
    /// at a venue (the state to set, so a replay sets the same).
    VenueDonate { venue: i64, on: bool },
    /// `/venues`: set the weight of one unit at a venue.
    VenueWeight(i64),
    /// A button of `/privacy`.
    Privacy(PrivacyAct),
    /// `/language`: speak this language.
    Language(Lang),
    /// "🔔 Tell me below …" on a deal whose price drops.
    WatchPrice(i64),
    /// "⏳ Join the waitlist" on a sold-out deal (an item next, or the quantity).
    Join(i64),
    /// Wait for this item of the offer (quantity next).
    JoinItem { offer: i64, item: i64 },
    /// Wait for `qty` units of the item.
    JoinQty { offer: i64, item: i64, qty: u16 },
    /// Leave the waitlist of an offer.
    LeaveWait(i64),
    /// An answer to a waitlist hold (the hold's purchase).
    Hold { purchase: i64, act: HoldAct },
}

/// What a person does with units held for them from a waitlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldAct {
    /// Pay (card) or Confirm (pay at pickup).
    Take,
    /// Not this time: the units go to the next person.
    Pass,
}

/// What a person does from `/privacy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivacyAct {
    /// 📦 Download my data.
    Export,
    /// 🗑 Delete my data: asks for a confirmation.
    Delete,
    /// Confirmed: delete it.
    DeleteConfirm,
    /// Not deleting after all.
    Keep,
    /// 📍 Forget my location.
    ForgetLocation,
}

impl PrivacyAct {
    const CODES: [(PrivacyAct, char); 5] = [
        (PrivacyAct::Export, 'e'),
        (PrivacyAct::Delete, 'd'),
        (PrivacyAct::DeleteConfirm, 'D'),
        (PrivacyAct::Keep, 'k'),
        (PrivacyAct::ForgetLocation, 'f'),
    ];

    fn code(self) -> char {
        Self::CODES.iter().find(|(a, _)| *a == self).map_or('?', |(_, c)| *c)
    }

    fn from_code(s: &str) -> Option<PrivacyAct> {
        let mut chars = s.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else { return None };
        Self::CODES.iter().find(|(_, k)| *k == c).map(|(a, _)| *a)
    }
}

/// What a customer does from the `/alerts` overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAct {
    /// Turn nearby alerts on, or change them.
    Nearby,
    /// Turn nearby alerts off.
    Off,
    /// Set quiet hours.
    Quiet,
}

impl AlertAct {
    const CODES: [(AlertAct, char); 3] = [(AlertAct::Nearby, 'n'), (AlertAct::Off, 'o'), (AlertAct::Quiet, 'q')];

    fn code(self) -> char {
        Self::CODES.iter().find(|(a, _)| *a == self).map_or('?', |(_, c)| *c)
    }

    fn from_code(s: &str) -> Option<AlertAct> {
        let mut chars = s.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else { return None };
        Self::CODES.iter().find(|(_, k)| *k == c).map(|(a, _)| *a)
    }
}

/// What a business does to an offer from its management card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Pause,
    Resume,
    SoldOut,
    Price,
    Quantity,
    Withdraw,
    WithdrawConfirm,
    Orders,
    /// End the offer's price drops.
    StopDrops,
}

impl Act {
    const CODES: [(Act, char); 9] = [
        (Act::Pause, 'p'),
        (Act::Resume, 'r'),
        (Act::SoldOut, 's'),
        (Act::Price, 'e'),
        (Act::Quantity, 'q'),
        (Act::Withdraw, 'w'),
        (Act::WithdrawConfirm, 'W'),
        (Act::Orders, 'o'),
        (Act::StopDrops, 'd'),
    ];

    fn code(self) -> char {
        Self::CODES.iter().find(|(a, _)| *a == self).map_or('?', |(_, c)| *c)
    }

    fn from_code(s: &str) -> Option<Act> {
        let mut chars = s.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else { return None };
        Self::CODES.iter().find(|(_, k)| *k == c).map(|(a, _)| *a)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wiz {
    Back,
    Cancel,
    Skip,
    /// The n-th of the offered choices.
    Pick(u16),
    AddItem,
    ItemsDone,
    Publish,
    Edit,
    Discard,
    Confirm,
}

impl Cb {
    pub fn encode(self) -> String {
        let s = match self {
            Cb::Approve(id) => format!("{VERSION}:a:{id}"),
            Cb::Reject(id) => format!("{VERSION}:r:{id}"),
            Cb::ShowOffer(id) => format!("{VERSION}:o:{id}"),
            Cb::VenueLocation(id) => format!("{VERSION}:l:{id}"),
            Cb::AddVenue => format!("{VERSION}:v"),
            Cb::DealsPage { list, page } => format!("{VERSION}:p:{list}:{page}"),
            Cb::Buy(id) => format!("{VERSION}:b:{id}"),
            Cb::BuyItem { offer, item } => format!("{VERSION}:i:{offer}:{item}"),
            Cb::BuyQty { offer, item, qty } => format!("{VERSION}:q:{offer}:{item}:{qty}"),
            Cb::CancelOrder(id) => format!("{VERSION}:c:{id}"),
            Cb::ConfirmCancel(id) => format!("{VERSION}:y:{id}"),
            Cb::KeepOrder(id) => format!("{VERSION}:n:{id}"),
            Cb::MyOffers => format!("{VERSION}:M"),
            Cb::Manage(id) => format!("{VERSION}:m:{id}"),
            Cb::OfferAct { offer, act } => format!("{VERSION}:x:{offer}:{}", act.code()),
            Cb::EditItem { offer, item, price } => {
                format!("{VERSION}:e:{offer}:{item}:{}", if price { 'p' } else { 'q' })
            }
            Cb::PickupStart => format!("{VERSION}:k"),
            Cb::Follow(id) => format!("{VERSION}:f:{id}"),
            Cb::Unfollow(id) => format!("{VERSION}:u:{id}"),
            Cb::Alerts(act) => format!("{VERSION}:A:{}", act.code()),
            Cb::Payouts => format!("{VERSION}:E"),
            Cb::Statement => format!("{VERSION}:S"),
            Cb::StatementMonth(m) => format!("{VERSION}:T:{m}"),
            Cb::Donation { offer, accept } => format!("{VERSION}:D:{offer}:{}", if accept { 'y' } else { 'n' }),
            Cb::VenueDonate { venue, on } => format!("{VERSION}:V:{venue}:{}", u8::from(on)),
            Cb::VenueWeight(id) => format!("{VERSION}:G:{id}"),
            Cb::Language(l) => format!("{VERSION}:L:{}", l.code()),
            Cb::Privacy(act) => format!("{VERSION}:P:{}", act.code()),
            Cb::Join(id) => format!("{VERSION}:J:{id}"),
            Cb::JoinItem { offer, item } => format!("{VERSION}:j:{offer}:{item}"),
            Cb::JoinQty { offer, item, qty } => format!("{VERSION}:Q:{offer}:{item}:{qty}"),
            Cb::LeaveWait(id) => format!("{VERSION}:Z:{id}"),
            Cb::Hold { purchase, act } => {
                format!("{VERSION}:H:{purchase}:{}", if act == HoldAct::Take { 't' } else { 'x' })
            }
            Cb::WatchPrice(id) => format!("{VERSION}:pw:{id}"),
            Cb::Wizard { seq, action } => {
                let a = match action {
                    Wiz::Back => "b".to_string(),
                    Wiz::Cancel => "c".to_string(),
                    Wiz::Skip => "s".to_string(),
                    Wiz::Pick(n) => format!("p{n}"),
                    Wiz::AddItem => "i".to_string(),
                    Wiz::ItemsDone => "d".to_string(),
                    Wiz::Publish => "u".to_string(),
                    Wiz::Edit => "e".to_string(),
                    Wiz::Discard => "x".to_string(),
                    Wiz::Confirm => "k".to_string(),
                };
                format!("{VERSION}:w:{seq}:{a}")
            }
        };
        debug_assert!(s.len() <= 64);
        s
    }

    /// `None` for anything we did not produce in this version.
    pub fn decode(data: &str) -> Option<Cb> {
        if data.len() > 64 {
            return None;
        }
        let mut parts = data.split(':');
        if parts.next()? != VERSION {
            return None;
        }
        let tag = parts.next()?;
        let id = |s: Option<&str>| s.and_then(|s| s.parse::<i64>().ok()).filter(|n| *n > 0);
        let cb = match tag {
            "a" => Cb::Approve(id(parts.next())?),
            "r" => Cb::Reject(id(parts.next())?),
            "o" => Cb::ShowOffer(id(parts.next())?),
            "l" => Cb::VenueLocation(id(parts.next())?),
            "v" => Cb::AddVenue,
            "p" => Cb::DealsPage { list: id(parts.next())?, page: parts.next()?.parse().ok()? },
            "b" => Cb::Buy(id(parts.next())?),
            "i" => Cb::BuyItem { offer: id(parts.next())?, item: id(parts.next())? },
            "q" => Cb::BuyQty {
                offer: id(parts.next())?,
                item: id(parts.next())?,
                qty: parts.next()?.parse().ok().filter(|q| *q > 0)?,
            },
            "c" => Cb::CancelOrder(id(parts.next())?),
            "y" => Cb::ConfirmCancel(id(parts.next())?),
            "n" => Cb::KeepOrder(id(parts.next())?),
            "M" => Cb::MyOffers,
            "m" => Cb::Manage(id(parts.next())?),
            "x" => Cb::OfferAct { offer: id(parts.next())?, act: Act::from_code(parts.next()?)? },
            "e" => Cb::EditItem {
                offer: id(parts.next())?,
                item: id(parts.next())?,
                price: match parts.next()? {
                    "p" => true,
                    "q" => false,
                    _ => return None,
                },
            },
            "k" => Cb::PickupStart,
            "f" => Cb::Follow(id(parts.next())?),
            "u" => Cb::Unfollow(id(parts.next())?),
            "A" => Cb::Alerts(AlertAct::from_code(parts.next()?)?),
            "E" => Cb::Payouts,
            "S" => Cb::Statement,
            "T" => Cb::StatementMonth(parts.next()?.parse().ok().filter(|m| (200_001..=299_912).contains(m))?),
            "D" => Cb::Donation {
                offer: id(parts.next())?,
                accept: match parts.next()? {
                    "y" => true,
                    "n" => false,
                    _ => return None,
                },
            },
            "V" => Cb::VenueDonate {
                venue: id(parts.next())?,
                on: match parts.next()? {
                    "1" => true,
                    "0" => false,
                    _ => return None,
                },
            },
            "G" => Cb::VenueWeight(id(parts.next())?),
            "L" => {
                let code = parts.next()?;
                Cb::Language(Lang::all().find(|l| l.code() == code)?)
            }
            "P" => Cb::Privacy(PrivacyAct::from_code(parts.next()?)?),
            "J" => Cb::Join(id(parts.next())?),
            "j" => Cb::JoinItem { offer: id(parts.next())?, item: id(parts.next())? },
            "Q" => Cb::JoinQty {
                offer: id(parts.next())?,
                item: id(parts.next())?,
                qty: parts.next()?.parse().ok().filter(|q| *q > 0)?,
            },
            "Z" => Cb::LeaveWait(id(parts.next())?),
            "H" => Cb::Hold {
                purchase: id(parts.next())?,
                act: match parts.next()? {
                    "t" => HoldAct::Take,
                    "x" => HoldAct::Pass,
                    _ => return None,
                },
            },
            "pw" => Cb::WatchPrice(id(parts.next())?),
            "w" => {
                let seq = parts.next()?.parse().ok()?;
                let a = parts.next()?;
                let action = match a {
                    "b" => Wiz::Back,
                    "c" => Wiz::Cancel,
                    "s" => Wiz::Skip,
                    "i" => Wiz::AddItem,
                    "d" => Wiz::ItemsDone,
                    "u" => Wiz::Publish,
                    "e" => Wiz::Edit,
                    "x" => Wiz::Discard,
                    "k" => Wiz::Confirm,
                    p if p.starts_with('p') => Wiz::Pick(p[1..].parse().ok()?),
                    _ => return None,
                };
                Cb::Wizard { seq, action }
            }
            _ => return None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(cb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_fits_64_bytes() {
        let all = [
            Cb::Approve(i64::MAX),
            Cb::Reject(1),
            Cb::ShowOffer(42),
            Cb::VenueLocation(7),
            Cb::AddVenue,
            Cb::Language(Lang::EN),
            Cb::DealsPage { list: i64::MAX, page: u16::MAX },
            Cb::Buy(i64::MAX),
            Cb::BuyItem { offer: i64::MAX, item: i64::MAX },
            Cb::BuyQty { offer: i64::MAX, item: i64::MAX, qty: u16::MAX },
            Cb::CancelOrder(5),
            Cb::ConfirmCancel(5),
            Cb::KeepOrder(5),
            Cb::MyOffers,
            Cb::Manage(9),
            Cb::EditItem { offer: i64::MAX, item: i64::MAX, price: true },
            Cb::EditItem { offer: 1, item: 2, price: false },
            Cb::PickupStart,
            Cb::Follow(i64::MAX),
            Cb::Unfollow(3),
            Cb::Alerts(AlertAct::Nearby),
            Cb::Alerts(AlertAct::Off),
            Cb::Alerts(AlertAct::Quiet),
            Cb::Payouts,
            Cb::Statement,
            Cb::StatementMonth(202_611),
            Cb::Donation { offer: i64::MAX, accept: true },
            Cb::Donation { offer: 3, accept: false },
            Cb::VenueDonate { venue: i64::MAX, on: true },
            Cb::VenueDonate { venue: 2, on: false },
            Cb::VenueWeight(4),
            Cb::Privacy(PrivacyAct::Export),
            Cb::Privacy(PrivacyAct::Delete),
            Cb::Privacy(PrivacyAct::DeleteConfirm),
            Cb::Privacy(PrivacyAct::Keep),
            Cb::Privacy(PrivacyAct::ForgetLocation),
            Cb::Join(i64::MAX),
            Cb::JoinItem { offer: i64::MAX, item: i64::MAX },
            Cb::JoinQty { offer: i64::MAX, item: i64::MAX, qty: u16::MAX },
            Cb::LeaveWait(7),
            Cb::Hold { purchase: i64::MAX, act: HoldAct::Take },
            Cb::Hold { purchase: 1, act: HoldAct::Pass },
            Cb::WatchPrice(i64::MAX),
            Cb::Wizard { seq: u32::MAX, action: Wiz::Pick(u16::MAX) },
            Cb::Wizard { seq: 0, action: Wiz::Back },
            Cb::Wizard { seq: 3, action: Wiz::Cancel },
            Cb::Wizard { seq: 3, action: Wiz::Skip },
            Cb::Wizard { seq: 3, action: Wiz::AddItem },
            Cb::Wizard { seq: 3, action: Wiz::ItemsDone },
            Cb::Wizard { seq: 3, action: Wiz::Publish },
            Cb::Wizard { seq: 3, action: Wiz::Edit },
            Cb::Wizard { seq: 3, action: Wiz::Discard },
            Cb::Wizard { seq: 3, action: Wiz::Confirm },
        ];
        let acts = [
            Act::Pause,
            Act::Resume,
            Act::SoldOut,
            Act::Price,
            Act::Quantity,
            Act::Withdraw,
            Act::WithdrawConfirm,
            Act::Orders,
            Act::StopDrops,
        ];
        let all: Vec<Cb> = all.into_iter().chain(acts.map(|act| Cb::OfferAct { offer: i64::MAX, act })).collect();
        for cb in all {
            let s = cb.encode();
            assert!(s.len() <= 64, "{s}");
            assert_eq!(Cb::decode(&s), Some(cb), "{s}");
        }
    }

    #[test]
    fn forged_and_old_data_is_refused() {
        for bad in [
            "",
            "x",
            "0:a:1",
            "2:a:1",
            "1:a:",
            "1:a:-5",
            "1:a:0",
            "1:a:1:extra",
            "1:w:1:zz",
            "1:w:x:b",
            "1:q:1",
            "1:w:1:p",
            "1:q:1:2:0",
            "1:q:1:2",
            "1:p:1",
            "1:b:abc",
            "1:x:1:Z",
            "1:x:1:pp",
            "1:e:1:2:z",
            "1:f:",
            "1:f:0",
            "1:u:x",
            "1:A",
            "1:A:z",
            "1:A:nn",
            "1:T:",
            "1:T:99",
            "1:E:1",
            "1:D:1",
            "1:D:1:x",
            "1:D:0:y",
            "1:V:",
            "1:V:1",
            "1:V:1:2",
            "1:G:-1",
            "1:P",
            "1:P:x",
            "1:P:dd",
            "1:J:0",
            "1:j:1",
            "1:Q:1:2:0",
            "1:Z:",
            "1:H:1",
            "1:H:1:p",
            "1:H:0:t",
            "1:pw:",
            "1:pw:0",
            "1:pw:1:2",
        ] {
            assert_eq!(Cb::decode(bad), None, "{bad:?}");
        }
        assert_eq!(Cb::decode(&"1:a:1".repeat(20)), None);
    }
}
