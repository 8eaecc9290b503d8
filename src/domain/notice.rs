//! Notices: the messages that report a state change to one person. A use
//! case writes a notice (a kind plus the ids it is about) in the same
//! transaction as the change; the notice sender renders it when it sends.

use super::string_enum;

string_enum! {
    /// What a notice tells. The text is rendered at send time from the ids
    /// the notice carries, so nothing but this kind is decided up front.
    pub enum NoticeKind: "notice kind" {
        /// To the customer: the order stands (paid, or pay at pickup), with
        /// its pickup code.
        OrderConfirmed = "order_confirmed",
        /// To the business owner: a new order.
        NewOrder = "new_order",
        /// To the business owner: a customer cancelled an order.
        OrderCancelled = "order_cancelled",
        /// To the customer: an unpaid reservation lapsed.
        ReservationLapsed = "reservation_lapsed",
        /// To the customer: a payment came after the units were gone; it is
        /// refunded in full.
        PaidTooLate = "paid_too_late",
        /// To the customer: the deal was withdrawn; a paid order is refunded.
        WithdrawnRefund = "withdrawn_refund",
        /// To the customer: the deal was withdrawn; nothing was charged.
        WithdrawnReleased = "withdrawn_released",
        /// To the customer: the refund reached Stripe's `succeeded`.
        Refunded = "refunded",
        /// To the customer: the refund failed; we are on it.
        RefundFailed = "refund_failed",
        /// To the business owner and each admin: a refund failed, with the
        /// order, amount and reason.
        RefundFailedStaff = "refund_failed_staff",
        /// To the customer: thanks for picking up.
        PickedUp = "picked_up",
        /// To each admin: a business asks to be verified (with buttons).
        BusinessReview = "business_review",
        /// To the owner: the business was verified, rejected, suspended or
        /// reinstated (`detail`: the event, and the reason).
        BusinessDecision = "business_decision",
        /// To the owner: where the Stripe onboarding stands, after the
        /// return page re-read the account.
        ConnectStatus = "connect_status",
        /// To the owner: Stripe says the business can take card payments.
        ConnectReady = "connect_ready",
        /// To the owner: Stripe needs something before card payments or
        /// payouts work (`detail`: the reason or the requirements).
        ConnectNeedsInfo = "connect_needs_info",
        /// To the owner: a payout reached the bank (`detail`: the amount).
        PayoutPaid = "payout_paid",
        /// To the owner and each admin: a payout failed (`detail`: amount
        /// and reason).
        PayoutFailed = "payout_failed",
        /// To a registered charity: a deal's unsold remainder is theirs if
        /// they accept first (with Accept / Not this time buttons).
        DonationOffered = "donation_offered",
        /// To a charity: another charity accepted first; nothing is left.
        DonationGone = "donation_gone",
        /// To the charity that accepted: the donation, with its pickup code.
        DonationTaken = "donation_taken",
        /// To the business owner: which charity is coming, for what.
        DonationComing = "donation_coming",
        /// To a person on a waitlist: units came back and are held for
        /// them (with Pay or Confirm, and Pass).
        WaitlistHold = "waitlist_hold",
        /// To a person whose hold lapsed unanswered: the units went on.
        HoldLapsed = "hold_lapsed",
        /// To a person waiting: the deal was withdrawn; the waitlist is over.
        WaitlistClosed = "waitlist_closed",
        /// To a customer watching a deal's price: it costs at most what
        /// they asked for (`detail`: that price in minor units).
        PriceDropped = "price_dropped",
    }
}
