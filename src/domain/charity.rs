//! Charities and impact: the one-time invitation token (only its hash is
//! stored), how `/charity invite` reads its arguments, unit weights, and
//! what "meals saved" adds up.

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::text::Name;

/// The deep-link payload prefix of a charity invitation.
pub const INVITE_PREFIX: &str = "charity_";

/// A fresh invitation token: 16 random bytes as 32 hex digits, so
/// `charity_<token>` fits Telegram's 64-character start parameter.
pub struct InviteToken(String);

impl InviteToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        InviteToken(hex::encode(bytes))
    }

    /// Reads a token from a deep link's payload (after `charity_`); `None`
    /// for anything that can't be one of ours.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
            .then(|| InviteToken(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps: SHA-256 of the token, in hex. A leaked
    /// table registers nobody.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// `/charity invite <name>, <area>` (or, without a comma, the last word
/// is the area).
pub fn parse_invite(args: &str) -> Option<(Name, Name)> {
    let args = args.trim();
    let (name, area) = match args.split_once(',') {
        Some((n, a)) => (n.trim(), a.trim()),
        None => args.rsplit_once(char::is_whitespace).map(|(n, a)| (n.trim(), a.trim()))?,
    };
    Some((Name::parse(name).ok()?, Name::parse(area).ok()?))
}

/// The weight of one unit in grams, as a business types it ("400", "0.4
/// kg", "1,5kg"); 1 g to 100 kg.
pub fn parse_grams(input: &str) -> Option<u32> {
    let t = input.trim().to_ascii_lowercase().replace(',', ".");
    // Latin or Cyrillic units (кг, г) alike.
    let (number, factor) = if let Some(n) = t.strip_suffix("kg").or_else(|| t.strip_suffix("кг")) {
        (n.trim(), 1000.0)
    } else if let Some(n) = t.strip_suffix('g').or_else(|| t.strip_suffix('г')) {
        (n.trim(), 1.0)
    } else {
        (t.as_str(), 1.0)
    };
    let v: f64 = number.parse().ok()?;
    let grams = (v * factor).round();
    (v.is_finite() && (1.0..=100_000.0).contains(&grams)).then_some(grams as u32)
}

/// What was saved from the bin: units picked up (by customers and
/// charities) and units donated and not yet picked up; of those, the
/// donated ones; and the weight of the units whose pickup place has a unit
/// weight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Impact {
    pub saved_units: i64,
    pub donated_units: i64,
    pub saved_grams: i64,
}

impl Impact {
    pub fn is_empty(&self) -> bool {
        self.saved_units == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_hex_and_hashed() {
        let t = InviteToken::generate();
        assert_eq!(t.as_str().len(), 32);
        assert!(InviteToken::parse(t.as_str()).is_some());
        assert_eq!(t.hash().len(), 64);
        assert_ne!(t.hash(), t.as_str());
        assert_eq!(t.hash(), InviteToken::parse(t.as_str()).unwrap().hash());
        assert_ne!(InviteToken::generate().as_str(), t.as_str());
        for bad in ["", "abc", "g".repeat(32).as_str(), "A".repeat(32).as_str(), "a".repeat(33).as_str()] {
            assert!(InviteToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn invite_arguments() {
        let check = |args: &str, expected: Option<(&str, &str)>| {
            let got = parse_invite(args);
            let got = got.as_ref().map(|(n, a)| (n.as_str(), a.as_str()));
            assert_eq!(got, expected, "{args:?}");
        };
        check("Tafel Mitte, Berlin Mitte", Some(("Tafel Mitte", "Berlin Mitte")));
        check("Foodbank Kreuzberg", Some(("Foodbank", "Kreuzberg")));
        check("Tafel", None);
        check("", None);
        check(", Mitte", None);
    }

    #[test]
    fn unit_weights() {
        for (input, grams) in [
            ("400", Some(400)),
            ("0.4 kg", Some(400)),
            ("1,5kg", Some(1500)),
            ("250 g", Some(250)),
            ("1,5 кг", Some(1500)),
            ("300 г", Some(300)),
            ("0", None),
        ] {
            assert_eq!(parse_grams(input), grams, "{input}");
        }
        for bad in ["abc", "-3", "1e9", "NaN", "200 kg"] {
            assert_eq!(parse_grams(bad), None, "{bad}");
        }
    }
}
