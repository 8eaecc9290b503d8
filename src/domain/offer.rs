//! Offers and their items: the offer state machine and the price rules.

use super::money::Money;
use super::text::{Name, Quantity, UnitText};
use super::{TransitionError, string_enum, transition};

string_enum! {
    /// Where an offer is in its life. See SPEC §2.
    pub enum OfferStatus: "offer status" {
        Draft = "draft",
        Active = "active",
        Paused = "paused",
        SoldOut = "sold_out",
        Expired = "expired",
        Withdrawn = "withdrawn",
    }
}

string_enum! {
    pub enum OfferEvent: "offer event" {
        Publish = "publish",
        Pause = "pause",
        Resume = "resume",
        /// Nothing left: the last unit was reserved or sold.
        SellOut = "sell_out",
        /// The business marked it sold out by hand.
        MarkSoldOut = "mark_sold_out",
        /// Stock came back (quantity added, reservation released) after an
        /// automatic sell-out.
        Restock = "restock",
        Expire = "expire",
        Withdraw = "withdraw",
    }
}

impl OfferEvent {
    /// `(from, to)` pairs this event allows. The store builds its
    /// conditional `WHERE status IN (…)` from these, so the database and
    /// the domain agree by construction.
    pub fn table(self) -> &'static [(OfferStatus, OfferStatus)] {
        use OfferStatus::*;
        match self {
            OfferEvent::Publish => &[(Draft, Active)],
            OfferEvent::Pause => &[(Active, Paused)],
            // A business may also take back its own "sold out" mark.
            OfferEvent::Resume => &[(Paused, Active), (SoldOut, Active)],
            OfferEvent::SellOut => &[(Active, SoldOut)],
            OfferEvent::MarkSoldOut => &[(Active, SoldOut), (Paused, SoldOut)],
            OfferEvent::Restock => &[(SoldOut, Active)],
            OfferEvent::Expire => &[(Active, Expired), (Paused, Expired), (SoldOut, Expired)],
            OfferEvent::Withdraw => {
                &[(Draft, Withdrawn), (Active, Withdrawn), (Paused, Withdrawn), (SoldOut, Withdrawn)]
            }
        }
    }

    pub fn from_states(self) -> impl Iterator<Item = OfferStatus> {
        self.table().iter().map(|(f, _)| *f)
    }

    pub fn target(self) -> OfferStatus {
        self.table()[0].1
    }
}

impl OfferStatus {
    /// The state after `event`. `sold_out_by_hand` tells a sold-out offer
    /// that the business marked (which stays sold out when stock returns)
    /// from one that sold out by itself.
    pub fn apply(self, event: OfferEvent, sold_out_by_hand: bool) -> Result<Self, TransitionError> {
        if event == OfferEvent::Restock && sold_out_by_hand {
            return Err(TransitionError { entity: "the offer", event: "restock", from: "sold out by hand" });
        }
        transition(event.table(), self, "the offer", event.as_str(), Self::as_str)
    }

    /// Whether a customer can buy from an offer in this state.
    pub fn is_buyable(self) -> bool {
        self == OfferStatus::Active
    }

    /// Whether the offer's life is over (nothing can change it any more).
    pub fn is_final(self) -> bool {
        matches!(self, OfferStatus::Expired | OfferStatus::Withdrawn)
    }

    /// A customer-facing reason why it can't be bought, if it can't.
    pub fn unavailable_reason(self) -> Option<&'static str> {
        match self {
            OfferStatus::Active => None,
            OfferStatus::Draft => Some("This deal isn't published yet."),
            OfferStatus::Paused => Some("This deal is paused by the shop right now."),
            OfferStatus::SoldOut => Some("Sorry, this deal is sold out."),
            OfferStatus::Expired => Some("This deal has ended: its pickup window is over."),
            OfferStatus::Withdrawn => Some("This deal was withdrawn by the shop."),
        }
    }
}

/// One item of an offer as the business described it, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub name: Name,
    pub unit: UnitText,
    pub original_price: Money,
    pub deal_price: Money,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemError {
    #[error("the deal price ({deal}) can't be higher than the original price ({original})")]
    DealAboveOriginal { deal: String, original: String },
    #[error("both prices must be in the same currency")]
    MixedCurrencies,
}

impl NewItem {
    pub fn new(
        name: Name,
        unit: UnitText,
        original_price: Money,
        deal_price: Money,
        quantity: Quantity,
    ) -> Result<Self, ItemError> {
        check_prices(original_price, deal_price)?;
        Ok(NewItem { name, unit, original_price, deal_price, quantity })
    }
}

/// Deal price ≤ original price, same currency.
pub fn check_prices(original: Money, deal: Money) -> Result<(), ItemError> {
    if original.currency() != deal.currency() {
        return Err(ItemError::MixedCurrencies);
    }
    if deal.minor() > original.minor() {
        return Err(ItemError::DealAboveOriginal { deal: deal.to_string(), original: original.to_string() });
    }
    Ok(())
}

/// Most items one offer may carry.
pub const MAX_ITEMS: usize = 10;

#[cfg(test)]
mod tests {
    use super::OfferEvent::*;
    use super::OfferStatus::*;
    use super::*;
    use crate::domain::money::Currency;

    #[test]
    fn every_transition_of_the_spec() {
        // (from, event, by_hand, expected)
        let allowed = [
            (Draft, Publish, false, Active),
            (Active, Pause, false, Paused),
            (Paused, Resume, false, Active),
            (SoldOut, Resume, true, Active),
            (Active, SellOut, false, SoldOut),
            (Active, MarkSoldOut, false, SoldOut),
            (Paused, MarkSoldOut, false, SoldOut),
            (SoldOut, Restock, false, Active),
            (Active, Expire, false, Expired),
            (Paused, Expire, false, Expired),
            (SoldOut, Expire, true, Expired),
            (Draft, Withdraw, false, Withdrawn),
            (Active, Withdraw, false, Withdrawn),
            (Paused, Withdraw, false, Withdrawn),
            (SoldOut, Withdraw, true, Withdrawn),
        ];
        for (from, event, by_hand, to) in allowed {
            assert_eq!(from.apply(event, by_hand), Ok(to), "{from} --{event}-->");
        }
        // Everything not listed is refused.
        for &from in OfferStatus::ALL {
            for &event in OfferEvent::ALL {
                let listed = allowed.iter().any(|(f, e, _, _)| *f == from && *e == event);
                if !listed {
                    assert!(from.apply(event, false).is_err(), "{from} --{event}--> should be refused");
                }
            }
        }
    }

    #[test]
    fn sold_out_by_hand_does_not_come_back_by_itself() {
        assert!(SoldOut.apply(Restock, true).is_err());
        assert_eq!(SoldOut.apply(Restock, false), Ok(Active));
        // A paused offer whose stock returns stays paused: Restock only leaves SoldOut.
        assert!(Paused.apply(Restock, false).is_err());
    }

    #[test]
    fn only_active_offers_are_buyable() {
        for &s in OfferStatus::ALL {
            assert_eq!(s.is_buyable(), s == Active);
            assert_eq!(s.unavailable_reason().is_none(), s == Active);
        }
    }

    #[test]
    fn deal_price_at_most_original() {
        let eur = Currency::from_code("EUR").unwrap();
        let usd = Currency::from_code("USD").unwrap();
        let m = |n, c| Money::from_minor(n, c).unwrap();
        assert!(check_prices(m(500, eur), m(300, eur)).is_ok());
        assert!(check_prices(m(500, eur), m(500, eur)).is_ok());
        assert!(matches!(check_prices(m(500, eur), m(501, eur)), Err(ItemError::DealAboveOriginal { .. })));
        assert_eq!(check_prices(m(500, eur), m(300, usd)), Err(ItemError::MixedCurrencies));
    }

    #[test]
    fn statuses_round_trip_through_their_encoding() {
        for &s in OfferStatus::ALL {
            assert_eq!(OfferStatus::parse(s.as_str()), Ok(s));
        }
        assert!(OfferStatus::parse("bogus").is_err());
    }
}
