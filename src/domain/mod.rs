//! The domain: value types that are valid by construction, and the state
//! machines of businesses, offers and purchases. No I/O happens here.

pub mod business;
pub mod charity;
pub mod connect;
pub mod ledger;
pub mod money;
pub mod notice;
pub mod offer;
pub mod pricing;
pub mod purchase;
pub mod quiet;
pub mod text;
pub mod waitlist;
pub mod window;

pub use business::{BusinessStatus, Coordinates, Phone};
pub use charity::Impact;
pub use money::{Currency, Money, MoneyError, MoneyFormat};
pub use notice::NoticeKind;
pub use offer::{OfferEvent, OfferStatus};
pub use purchase::{PickupCode, PurchaseEvent, PurchaseStatus};
pub use text::{Quantity, QuantityError, TextError};
pub use window::{PickupWindow, WindowError};

/// A state change that the current state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("can't {event} when {entity} is {from}")]
pub struct TransitionError {
    pub entity: &'static str,
    pub event: &'static str,
    pub from: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?} in the database")]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
}

/// An enum stored as a short lowercase string, with both directions.
macro_rules! string_enum {
    ($(#[$m:meta])* pub enum $name:ident : $kind:literal { $($(#[$vm:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Result<Self, $crate::domain::UnknownVariant> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err($crate::domain::UnknownVariant { kind: $kind, value: s.to_string() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

/// Applies a transition table: `(event, from) -> to`.
pub(crate) fn transition<S: Copy + PartialEq>(
    table: &[(S, S)],
    from: S,
    entity: &'static str,
    event: &'static str,
    name: impl Fn(S) -> &'static str,
) -> Result<S, TransitionError> {
    table.iter().find(|(f, _)| *f == from).map(|(_, to)| *to).ok_or(TransitionError { entity, event, from: name(from) })
}
