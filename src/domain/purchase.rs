//! Purchases (orders): their state machine, pickup codes and the
//! cancellation policy.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

use super::{TransitionError, string_enum, transition};

string_enum! {
    /// Where an order is. See SPEC §2.
    pub enum PurchaseStatus: "purchase status" {
        /// Stock held, waiting for payment until the reservation TTL.
        Reserved = "reserved",
        /// Pay at pickup: stock committed, no payment step.
        Confirmed = "confirmed",
        Paid = "paid",
        PickedUp = "picked_up",
        /// Not paid within the TTL; stock released.
        Expired = "expired",
        Cancelled = "cancelled",
        /// Paid, and the money is going back: waiting for Stripe to say the
        /// refund succeeded.
        RefundPending = "refund_pending",
        Refunded = "refunded",
        /// Stripe refused or failed the refund (possibly days after it said
        /// `succeeded`): admins and the business are told; an admin retries
        /// it or settles it outside Stripe.
        RefundFailed = "refund_failed",
        /// A failed refund an admin settled outside Stripe.
        RefundSettled = "refund_settled",
        NoShow = "no_show",
        /// Unsold units given to a charity: a zero-price order with a
        /// pickup code, taken through the same stock guard as a sale.
        Donated = "donated",
    }
}

string_enum! {
    pub enum PurchaseEvent: "purchase event" {
        Pay = "pay",
        /// A payment arrived that can't become an order (the offer is over,
        /// withdrawn, or its stock is gone): it is refunded in full.
        PayUnfulfillable = "pay_unfulfillable",
        Expire = "expire",
        Cancel = "cancel",
        RequestRefund = "request_refund",
        Refunded = "refunded",
        RefundFailed = "refund_failed",
        /// An admin tries a failed refund again (with a new idempotency key).
        RetryRefund = "retry_refund",
        /// An admin records that a failed refund was settled outside Stripe.
        SettleRefund = "settle_refund",
        PickUp = "pick_up",
        NoShow = "no_show",
        /// A waitlist hold paid at pickup: the person confirms it.
        ConfirmHold = "confirm_hold",
    }
}

impl PurchaseEvent {
    /// `(from, to)` pairs this event allows; the store's conditional
    /// updates are built from these.
    pub fn table(self) -> &'static [(PurchaseStatus, PurchaseStatus)] {
        use PurchaseStatus::*;
        match self {
            // A payment that arrives after the reservation expired is taken
            // if stock remains (the store re-reserves it in the same step).
            PurchaseEvent::Pay => &[(Reserved, Paid), (Expired, Paid)],
            // Whatever happened to the reservation meanwhile, captured money
            // ends in an order or a full refund.
            PurchaseEvent::PayUnfulfillable => {
                &[(Reserved, RefundPending), (Expired, RefundPending), (Cancelled, RefundPending)]
            }
            PurchaseEvent::Expire => &[(Reserved, Expired)],
            // Pay-at-pickup orders can be cancelled like unpaid ones.
            // A withdrawn deal also cancels a donation.
            PurchaseEvent::Cancel => &[(Reserved, Cancelled), (Confirmed, Cancelled), (Donated, Cancelled)],
            PurchaseEvent::RequestRefund => &[(Paid, RefundPending)],
            PurchaseEvent::Refunded => &[(RefundPending, Refunded)],
            // A card refund can still fail days after Stripe said `succeeded`.
            PurchaseEvent::RefundFailed => &[(RefundPending, RefundFailed), (Refunded, RefundFailed)],
            PurchaseEvent::RetryRefund => &[(RefundFailed, RefundPending)],
            PurchaseEvent::SettleRefund => &[(RefundFailed, RefundSettled)],
            PurchaseEvent::PickUp => &[(Paid, PickedUp), (Confirmed, PickedUp), (Donated, PickedUp)],
            PurchaseEvent::NoShow => &[(Paid, NoShow), (Confirmed, NoShow), (Donated, NoShow)],
            PurchaseEvent::ConfirmHold => &[(Reserved, Confirmed)],
        }
    }

    pub fn from_states(self) -> impl Iterator<Item = PurchaseStatus> {
        self.table().iter().map(|(f, _)| *f)
    }

    pub fn target(self) -> PurchaseStatus {
        self.table()[0].1
    }
}

impl PurchaseStatus {
    pub fn apply(self, event: PurchaseEvent) -> Result<Self, TransitionError> {
        transition(event.table(), self, "the order", event.as_str(), Self::as_str)
    }

    /// Whether the order holds stock as `reserved` (unpaid, TTL running).
    pub fn holds_reservation(self) -> bool {
        self == PurchaseStatus::Reserved
    }

    /// Whether the order's units count as sold.
    pub fn counts_as_sold(self) -> bool {
        matches!(
            self,
            PurchaseStatus::Confirmed
                | PurchaseStatus::Paid
                | PurchaseStatus::PickedUp
                | PurchaseStatus::NoShow
                | PurchaseStatus::Donated
        )
    }

    /// Customer-facing label.
    pub fn label(self) -> &'static str {
        match self {
            PurchaseStatus::Reserved => "reserved, awaiting payment",
            PurchaseStatus::Confirmed => "confirmed, pay at pickup",
            PurchaseStatus::Paid => "paid",
            PurchaseStatus::PickedUp => "picked up",
            PurchaseStatus::Expired => "expired (not paid in time)",
            PurchaseStatus::Cancelled => "cancelled",
            PurchaseStatus::RefundPending => "cancelled, refund on its way",
            PurchaseStatus::Refunded => "refunded",
            PurchaseStatus::RefundFailed => "refund failed, we're on it",
            PurchaseStatus::RefundSettled => "refunded outside Stripe",
            PurchaseStatus::NoShow => "not picked up",
            PurchaseStatus::Donated => "donated, free to pick up",
        }
    }
}

/// What cancelling an order means right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// Unpaid: release the reservation (or the pay-at-pickup commitment).
    Release,
    /// Paid: refund in full.
    Refund,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    #[error("paid orders can be cancelled until {cutoff_hours} h before pickup starts; that time has passed")]
    PastCutoff { cutoff_hours: i64 },
    #[error("this order is {0} and can't be cancelled")]
    NotCancellable(&'static str),
}

/// The cancellation policy. An unpaid reservation can be dropped any time
/// before the window ends; paid and pay-at-pickup orders until `cutoff`
/// before pickup starts.
pub fn cancellation(
    status: PurchaseStatus,
    pickup_start: DateTime<Utc>,
    pickup_end: DateTime<Utc>,
    cutoff: Duration,
    now: DateTime<Utc>,
) -> Result<Cancellation, CancelError> {
    match status {
        PurchaseStatus::Reserved if now < pickup_end => Ok(Cancellation::Release),
        PurchaseStatus::Paid | PurchaseStatus::Confirmed => {
            if now < pickup_start - cutoff {
                Ok(if status == PurchaseStatus::Paid { Cancellation::Refund } else { Cancellation::Release })
            } else {
                Err(CancelError::PastCutoff { cutoff_hours: cutoff.num_hours() })
            }
        }
        other => Err(CancelError::NotCancellable(other.label())),
    }
}

/// A short code the customer shows at pickup. Unambiguous characters only
/// (no 0/O, 1/I/L).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupCode(String);

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 6;

impl PickupCode {
    pub fn generate() -> Self {
        let mut rng = rand::thread_rng();
        PickupCode((0..CODE_LEN).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect())
    }

    /// Reads a code as typed: any case, spaces and dashes ignored.
    pub fn parse(input: &str) -> Option<Self> {
        let code: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).map(|c| c.to_ascii_uppercase()).collect();
        (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(PickupCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PickupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::PurchaseEvent::{
        Cancel, ConfirmHold, Expire, Pay, PayUnfulfillable, PickUp, RequestRefund, RetryRefund, SettleRefund,
    };
    use super::PurchaseStatus::{
        Cancelled, Confirmed, Donated, Expired, Paid, PickedUp, RefundFailed, RefundPending, RefundSettled, Reserved,
    };
    use super::*;

    #[test]
    fn every_transition_of_the_spec() {
        let allowed = [
            (Reserved, Pay, Paid),
            (Expired, Pay, Paid),
            (Reserved, Expire, Expired),
            (Reserved, Cancel, Cancelled),
            (Confirmed, Cancel, Cancelled),
            (Reserved, PayUnfulfillable, RefundPending),
            (Expired, PayUnfulfillable, RefundPending),
            (Cancelled, PayUnfulfillable, RefundPending),
            (Paid, RequestRefund, RefundPending),
            (RefundPending, PurchaseEvent::Refunded, PurchaseStatus::Refunded),
            (RefundPending, PurchaseEvent::RefundFailed, RefundFailed),
            (PurchaseStatus::Refunded, PurchaseEvent::RefundFailed, RefundFailed),
            (RefundFailed, RetryRefund, RefundPending),
            (RefundFailed, SettleRefund, RefundSettled),
            (Paid, PickUp, PickedUp),
            (Confirmed, PickUp, PickedUp),
            (Paid, PurchaseEvent::NoShow, PurchaseStatus::NoShow),
            (Confirmed, PurchaseEvent::NoShow, PurchaseStatus::NoShow),
            (Donated, Cancel, Cancelled),
            (Donated, PickUp, PickedUp),
            (Donated, PurchaseEvent::NoShow, PurchaseStatus::NoShow),
            (Reserved, ConfirmHold, Confirmed),
        ];
        for (from, event, to) in allowed {
            assert_eq!(from.apply(event), Ok(to), "{from} --{event}-->");
        }
        for &from in PurchaseStatus::ALL {
            for &event in PurchaseEvent::ALL {
                if !allowed.iter().any(|(f, e, _)| *f == from && *e == event) {
                    assert!(from.apply(event).is_err(), "{from} --{event}--> should be refused");
                }
            }
        }
    }

    #[test]
    fn cancellation_policy_at_the_cutoff() {
        let start = DateTime::parse_from_rfc3339("2026-12-01T18:00:00Z").unwrap().with_timezone(&Utc);
        let end = start + Duration::hours(2);
        let cutoff = Duration::hours(2);
        let t = |mins: i64| start + Duration::minutes(mins);
        let cases = [
            // (status, now relative to pickup start in minutes, expected)
            (Paid, -121, Ok(Cancellation::Refund)),
            (Paid, -120, Err(CancelError::PastCutoff { cutoff_hours: 2 })),
            (Paid, -119, Err(CancelError::PastCutoff { cutoff_hours: 2 })),
            (Paid, 30, Err(CancelError::PastCutoff { cutoff_hours: 2 })),
            (Confirmed, -121, Ok(Cancellation::Release)),
            (Confirmed, -60, Err(CancelError::PastCutoff { cutoff_hours: 2 })),
            (Reserved, -60, Ok(Cancellation::Release)),
            (Reserved, 119, Ok(Cancellation::Release)),
            (Reserved, 120, Err(CancelError::NotCancellable("reserved, awaiting payment"))),
            (PickedUp, -500, Err(CancelError::NotCancellable("picked up"))),
            (PurchaseStatus::Refunded, -500, Err(CancelError::NotCancellable("refunded"))),
            (Cancelled, -500, Err(CancelError::NotCancellable("cancelled"))),
        ];
        for (status, mins, expected) in cases {
            assert_eq!(cancellation(status, start, end, cutoff, t(mins)), expected, "{status} at {mins} min");
        }
    }

    #[test]
    fn pickup_codes() {
        for _ in 0..100 {
            let c = PickupCode::generate();
            assert_eq!(PickupCode::parse(c.as_str()), Some(c.clone()));
            assert_eq!(PickupCode::parse(&c.as_str().to_lowercase()), Some(c));
        }
        assert_eq!(PickupCode::parse("abc-def").map(|c| c.to_string()), Some("ABCDEF".into()));
        assert_eq!(PickupCode::parse("ABCDE0"), None);
        assert_eq!(PickupCode::parse("ABCDE"), None);
        assert_eq!(PickupCode::parse("ABCDEFG"), None);
    }

    #[test]
    fn sold_and_reserved_are_disjoint() {
        for &s in PurchaseStatus::ALL {
            assert!(!(s.holds_reservation() && s.counts_as_sold()), "{s}");
        }
    }
}
