//! Stripe Connect's vocabulary: the countries a business can get paid in
//! (ISO 3166-1 alpha-2 codes Stripe supports for Express accounts, with
//! neighbours for the onboarding buttons), the email Stripe gets, and what
//! Stripe says about an account (whether Glean may charge for it).

use std::fmt;

/// Countries where Stripe offers Express accounts (docs.stripe.com/connect,
/// "supported countries"), with their English names.
const COUNTRIES: &[(&str, &str)] = &[
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("CA", "Canada"),
    ("CH", "Switzerland"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("GR", "Greece"),
    ("HR", "Croatia"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("NZ", "New Zealand"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SE", "Sweden"),
    ("SG", "Singapore"),
    ("SI", "Slovenia"),
    ("SK", "Slovakia"),
    ("US", "United States"),
];

/// Land neighbours (and the obvious ones across a short sea), for the
/// buttons offered next to `DEFAULT_COUNTRY`.
const NEIGHBOURS: &[(&str, &[&str])] = &[
    ("AT", &["DE", "CH", "IT", "CZ", "SK", "HU", "SI"]),
    ("BE", &["NL", "FR", "DE", "LU"]),
    ("CH", &["DE", "FR", "IT", "AT", "LI"]),
    ("CZ", &["DE", "PL", "SK", "AT"]),
    ("DE", &["AT", "CH", "FR", "NL", "BE", "PL", "CZ", "DK", "LU"]),
    ("DK", &["DE", "SE", "NO"]),
    ("ES", &["PT", "FR"]),
    ("FR", &["BE", "LU", "DE", "CH", "IT", "ES"]),
    ("GB", &["IE", "FR", "NL"]),
    ("IE", &["GB"]),
    ("IT", &["FR", "CH", "AT", "SI"]),
    ("NL", &["DE", "BE"]),
    ("PL", &["DE", "CZ", "SK", "LT"]),
    ("US", &["CA"]),
    ("CA", &["US"]),
];

/// A country Stripe Connect supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country(&'static str);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryError {
    #[error("please type a two-letter country code such as DE or FR")]
    NotACode,
    #[error("card payouts through Stripe aren't available in {0}")]
    Unsupported(String),
}

impl Country {
    /// Parses a two-letter ISO code, any case.
    pub fn parse(input: &str) -> Result<Country, CountryError> {
        let code = input.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(CountryError::NotACode);
        }
        COUNTRIES.iter().find(|(c, _)| *c == code).map(|(c, _)| Country(c)).ok_or(CountryError::Unsupported(code))
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    pub fn name(self) -> &'static str {
        COUNTRIES.iter().find(|(c, _)| *c == self.0).map_or(self.0, |(_, n)| n)
    }

    /// This country, then its neighbours that Stripe supports: the
    /// onboarding's country buttons.
    pub fn with_neighbours(self) -> Vec<Country> {
        let mut out = vec![self];
        if let Some((_, list)) = NEIGHBOURS.iter().find(|(c, _)| *c == self.0) {
            out.extend(list.iter().filter_map(|c| Country::parse(c).ok()));
        }
        out
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// An email address as Stripe will take it: one `@`, a dot in the domain,
/// no spaces, at most 254 characters. Stripe checks deliverability itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("that doesn't look like an email address; type one like shop@example.com")]
pub struct EmailError;

impl Email {
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let s = input.trim();
        let (local, domain) = s.split_once('@').ok_or(EmailError)?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        ok.then(|| Email(s.to_owned())).ok_or(EmailError)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What Stripe says about a connected account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountState {
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    /// `capabilities.transfers == "active"`.
    pub transfers_active: bool,
    /// `requirements.currently_due`.
    pub currently_due: Vec<String>,
    /// `requirements.past_due`.
    pub past_due: Vec<String>,
    /// `requirements.disabled_reason`.
    pub disabled_reason: Option<String>,
}

impl AccountState {
    /// Whether Glean may charge for this business: Stripe's own checklist
    /// (charges enabled, transfers active, not disabled, nothing past due).
    pub fn can_charge(&self) -> bool {
        self.charges_enabled && self.transfers_active && self.disabled_reason.is_none() && self.past_due.is_empty()
    }

    /// Whether Stripe is waiting for the business to do something.
    pub fn needs_something(&self) -> bool {
        self.disabled_reason.is_some() || !self.past_due.is_empty() || !self.currently_due.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_any_case_and_unknown_ones_say_why() {
        assert_eq!(Country::parse(" de ").unwrap().code(), "DE");
        assert_eq!(Country::parse("fr").unwrap().name(), "France");
        assert_eq!(Country::parse("Germany"), Err(CountryError::NotACode));
        assert_eq!(Country::parse("D1"), Err(CountryError::NotACode));
        assert_eq!(Country::parse("XX"), Err(CountryError::Unsupported("XX".into())));
    }

    #[test]
    fn neighbours_come_after_the_country_and_are_all_supported() {
        let de = Country::parse("DE").unwrap().with_neighbours();
        assert_eq!(de[0].code(), "DE");
        assert!(de.iter().any(|c| c.code() == "AT"));
        for (c, list) in NEIGHBOURS {
            assert!(Country::parse(c).is_ok(), "{c}");
            for n in *list {
                assert!(Country::parse(n).is_ok(), "{c} → {n}");
            }
        }
        assert_eq!(Country::parse("JP").unwrap().with_neighbours().len(), 1);
    }

    #[test]
    fn emails() {
        assert!(Email::parse("shop@example.com").is_ok());
        assert!(Email::parse(" a.b+c@sub.example.de ").is_ok());
        for bad in ["", "shop", "shop@", "@example.com", "shop@example", "sh op@example.com", "a@b@c.de", "a@.de"] {
            assert_eq!(Email::parse(bad), Err(EmailError), "{bad}");
        }
    }
}
