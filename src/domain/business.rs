//! Businesses and their pickup places: verification states, phone numbers,
//! coordinates.

use super::{TransitionError, string_enum, transition};

string_enum! {
    /// Verification state of a business. Only a verified one may publish.
    pub enum BusinessStatus: "business status" {
        Pending = "pending",
        Verified = "verified",
        Rejected = "rejected",
        Suspended = "suspended",
    }
}

string_enum! {
    pub enum BusinessEvent: "business event" {
        Verify = "verify",
        Reject = "reject",
        Suspend = "suspend",
        Unsuspend = "unsuspend",
    }
}

impl BusinessEvent {
    /// `(from, to)` pairs this event allows.
    pub fn table(self) -> &'static [(BusinessStatus, BusinessStatus)] {
        use BusinessStatus::*;
        match self {
            BusinessEvent::Verify => &[(Pending, Verified)],
            BusinessEvent::Reject => &[(Pending, Rejected)],
            BusinessEvent::Suspend => &[(Verified, Suspended)],
            BusinessEvent::Unsuspend => &[(Suspended, Verified)],
        }
    }
}

impl BusinessStatus {
    pub fn apply(self, event: BusinessEvent) -> Result<Self, TransitionError> {
        transition(event.table(), self, "the business", event.as_str(), Self::as_str)
    }

    pub fn can_publish(self) -> bool {
        self == BusinessStatus::Verified
    }
}

/// A contact phone number: digits with an optional leading +, 6 to 15 digits
/// (E.164's limit), separators removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("that doesn't look like a phone number; type it like +49 30 1234567")]
    Invalid,
}

impl Phone {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let t = input.trim();
        if t.len() > 40 {
            return Err(PhoneError::Invalid);
        }
        let plus = t.starts_with('+');
        let body = if plus { &t[1..] } else { t };
        let mut digits = String::with_capacity(16);
        for c in body.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '.' | '/' => {}
                _ => return Err(PhoneError::Invalid),
            }
        }
        if !(6..=15).contains(&digits.len()) {
            return Err(PhoneError::Invalid);
        }
        Ok(Phone(if plus { format!("+{digits}") } else { digits }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A point on Earth in degrees. Coordinates are measurements, not money:
/// floating point is right here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    lat: f64,
    lng: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoordinatesError {
    #[error("latitude must be between -90 and 90 and longitude between -180 and 180")]
    OutOfRange,
    #[error("send your location with the button, or type it like 52.5200, 13.4050")]
    Unreadable,
}

impl Coordinates {
    pub fn new(lat: f64, lng: f64) -> Result<Self, CoordinatesError> {
        if !lat.is_finite() || !lng.is_finite() || !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
            return Err(CoordinatesError::OutOfRange);
        }
        Ok(Coordinates { lat, lng })
    }

    /// "52.52, 13.405" or "52.52 13.405".
    pub fn parse(input: &str) -> Result<Self, CoordinatesError> {
        let t = input.trim();
        if t.len() > 60 {
            return Err(CoordinatesError::Unreadable);
        }
        let mut parts = t.split([',', ' ', ';']).filter(|p| !p.is_empty());
        let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CoordinatesError::Unreadable);
        };
        let lat: f64 = a.parse().map_err(|_| CoordinatesError::Unreadable)?;
        let lng: f64 = b.parse().map_err(|_| CoordinatesError::Unreadable)?;
        Self::new(lat, lng)
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lng(self) -> f64 {
        self.lng
    }

    /// Great-circle distance in metres (haversine, mean Earth radius).
    pub fn distance_m(self, other: Coordinates) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lng - self.lng).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BusinessEvent::*;
    use BusinessStatus::*;

    #[test]
    fn verification_transitions() {
        let cases = [
            (Pending, Verify, Some(Verified)),
            (Pending, Reject, Some(Rejected)),
            (Pending, Suspend, None),
            (Verified, Suspend, Some(Suspended)),
            (Verified, Verify, None),
            (Verified, Reject, None),
            (Suspended, Unsuspend, Some(Verified)),
            (Suspended, Verify, None),
            (Rejected, Verify, None),
            (Rejected, Unsuspend, None),
        ];
        for (from, event, to) in cases {
            assert_eq!(from.apply(event).ok(), to, "{from} --{event}-->");
        }
        assert!(Verified.can_publish());
        for s in [Pending, Rejected, Suspended] {
            assert!(!s.can_publish());
        }
    }

    #[test]
    fn phones() {
        let cases = [
            ("+49 30 1234567", Some("+49301234567")),
            ("030/123-4567", Some("0301234567")),
            ("(555) 123.4567", Some("5551234567")),
            ("12345", None),
            ("+1234567890123456", None),
            ("call me", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(Phone::parse(input).ok().as_ref().map(Phone::as_str), expected, "{input:?}");
        }
    }

    #[test]
    fn coordinates() {
        assert_eq!(Coordinates::parse("52.52, 13.405"), Coordinates::new(52.52, 13.405));
        assert_eq!(Coordinates::parse("52.52 13.405"), Coordinates::new(52.52, 13.405));
        assert_eq!(Coordinates::parse("91, 0"), Err(CoordinatesError::OutOfRange));
        assert_eq!(Coordinates::parse("0, 181"), Err(CoordinatesError::OutOfRange));
        assert_eq!(Coordinates::parse("NaN, 1"), Err(CoordinatesError::OutOfRange));
        assert_eq!(Coordinates::parse("here"), Err(CoordinatesError::Unreadable));
        assert_eq!(Coordinates::parse("1, 2, 3"), Err(CoordinatesError::Unreadable));
    }

    #[test]
    fn distances() {
        let berlin = Coordinates::new(52.5200, 13.4050).unwrap();
        let potsdam = Coordinates::new(52.3906, 13.0645).unwrap();
        let d = berlin.distance_m(potsdam);
        assert!((26_000.0..28_000.0).contains(&d), "{d}");
        assert_eq!(berlin.distance_m(berlin), 0.0);
    }
}
