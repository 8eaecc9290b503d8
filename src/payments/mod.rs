//! Card payments through Stripe: a thin client of our own for the few
//! endpoints Glean uses (`stripe`), and the verification and parsing of the
//! events Stripe posts to our webhook (`webhook`).
//!
//! Stripe is reached only at the configured base URL (`STRIPE_API_BASE`), so
//! tests point the real client at `glean_fakes::stripe::FakeStripe`. Amounts
//! are integer minor units, as Stripe counts them; never floats.

pub mod stripe;
pub mod webhook;

pub use stripe::{CheckoutLine, CheckoutRequest, CheckoutSession, Refund, StripeClient, StripeError};
pub use webhook::{Event, RefundNotice, SignatureError, TOLERANCE_SECS, parse_event, verify_signature};
