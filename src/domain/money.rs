//! Money: integer minor units plus an ISO 4217 currency. Parsing what a shop
//! owner types and formatting for display both live here, and only here.

use std::fmt;

/// What we know about a currency: its code, how many decimals Stripe uses
/// for it, how we show it, and the smallest amount Stripe will charge.
#[derive(Debug)]
pub struct CurrencyInfo {
    pub code: &'static str,
    /// Number of decimals in Stripe's minor unit (0 for JPY, 2 for EUR).
    pub exponent: u8,
    /// Symbol written before the amount, or `None` to write the code after it.
    pub symbol: Option<&'static str>,
    /// Stripe's minimum charge, in minor units.
    pub stripe_minimum: i64,
}

/// Currencies Glean accepts: those Stripe charges in without special rules
/// (no "amount must be divisible by 100" cases), with Stripe's minimums.
static CURRENCIES: &[CurrencyInfo] = &[
    CurrencyInfo { code: "EUR", exponent: 2, symbol: Some("€"), stripe_minimum: 50 },
    CurrencyInfo { code: "USD", exponent: 2, symbol: Some("$"), stripe_minimum: 50 },
    CurrencyInfo { code: "GBP", exponent: 2, symbol: Some("£"), stripe_minimum: 30 },
    CurrencyInfo { code: "CHF", exponent: 2, symbol: None, stripe_minimum: 50 },
    CurrencyInfo { code: "PLN", exponent: 2, symbol: None, stripe_minimum: 200 },
    CurrencyInfo { code: "CZK", exponent: 2, symbol: None, stripe_minimum: 1500 },
    CurrencyInfo { code: "SEK", exponent: 2, symbol: None, stripe_minimum: 300 },
    CurrencyInfo { code: "NOK", exponent: 2, symbol: None, stripe_minimum: 300 },
    CurrencyInfo { code: "DKK", exponent: 2, symbol: None, stripe_minimum: 250 },
    CurrencyInfo { code: "RON", exponent: 2, symbol: None, stripe_minimum: 200 },
    CurrencyInfo { code: "BGN", exponent: 2, symbol: None, stripe_minimum: 100 },
    CurrencyInfo { code: "CAD", exponent: 2, symbol: Some("CA$"), stripe_minimum: 50 },
    CurrencyInfo { code: "AUD", exponent: 2, symbol: Some("A$"), stripe_minimum: 50 },
    CurrencyInfo { code: "NZD", exponent: 2, symbol: Some("NZ$"), stripe_minimum: 50 },
    CurrencyInfo { code: "SGD", exponent: 2, symbol: Some("S$"), stripe_minimum: 50 },
    CurrencyInfo { code: "HKD", exponent: 2, symbol: Some("HK$"), stripe_minimum: 400 },
    CurrencyInfo { code: "MXN", exponent: 2, symbol: None, stripe_minimum: 1000 },
    CurrencyInfo { code: "BRL", exponent: 2, symbol: Some("R$"), stripe_minimum: 50 },
    CurrencyInfo { code: "INR", exponent: 2, symbol: Some("₹"), stripe_minimum: 50 },
    CurrencyInfo { code: "AED", exponent: 2, symbol: None, stripe_minimum: 200 },
    CurrencyInfo { code: "THB", exponent: 2, symbol: None, stripe_minimum: 1000 },
    CurrencyInfo { code: "MYR", exponent: 2, symbol: None, stripe_minimum: 200 },
    CurrencyInfo { code: "JPY", exponent: 0, symbol: Some("¥"), stripe_minimum: 50 },
];

/// Largest amount we accept, in minor units: Stripe's eight-digit maximum.
pub const MAX_MINOR: i64 = 99_999_999;

/// A supported currency. Compare and store it by its code.
#[derive(Clone, Copy)]
pub struct Currency(&'static CurrencyInfo);

impl Currency {
    /// Looks a currency up by its ISO 4217 code, in any case.
    pub fn from_code(code: &str) -> Result<Self, UnknownCurrency> {
        let code = code.trim();
        CURRENCIES
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
            .map(Currency)
            .ok_or_else(|| UnknownCurrency(code.chars().take(12).collect()))
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    pub fn exponent(self) -> u8 {
        self.0.exponent
    }

    pub fn stripe_minimum(self) -> Money {
        Money { minor: self.0.stripe_minimum, currency: self }
    }

    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES.iter().map(Currency)
    }
}

impl PartialEq for Currency {
    fn eq(&self, other: &Self) -> bool {
        self.0.code == other.0.code
    }
}
impl Eq for Currency {}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a currency Glean supports (use a code such as EUR, USD or GBP)")]
pub struct UnknownCurrency(pub String);

/// An amount of money: integer minor units of one currency. Never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("please type a price, for example 3.50")]
    Empty,
    #[error("a price can't be negative")]
    Negative,
    #[error("{0} has at most {1} decimals")]
    TooManyDecimals(&'static str, u8),
    #[error("that price is too large")]
    TooLarge,
    #[error("a price must be more than zero")]
    Zero,
    #[error("that doesn't look like a price; type it like 3.50")]
    NotANumber,
}

impl Money {
    /// An amount in minor units; `None` when negative or above [`MAX_MINOR`].
    pub fn from_minor(minor: i64, currency: Currency) -> Option<Self> {
        (0..=MAX_MINOR).contains(&minor).then_some(Money { minor, currency })
    }

    pub fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    /// Parses a positive price as typed: "3.50", "3,50", "3", "€3.50",
    /// "3.50 EUR". Only this currency's symbol or code may accompany it.
    pub fn parse_price(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let m = Self::parse(input, currency)?;
        if m.minor == 0 {
            return Err(MoneyError::Zero);
        }
        Ok(m)
    }

    /// Like [`Money::parse_price`] but accepts zero.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let mut s = input.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.contains('-') || s.contains('−') {
            return Err(MoneyError::Negative);
        }
        // Strip this currency's symbol or code, before or after the number.
        let mut marks: Vec<&str> = vec![currency.code()];
        if let Some(sym) = currency.0.symbol {
            marks.push(sym);
        }
        for mark in &marks {
            if let Some(rest) = strip_prefix_ci(s, mark) {
                s = rest.trim_start();
                break;
            }
            if let Some(rest) = strip_suffix_ci(s, mark) {
                s = rest.trim_end();
                break;
            }
        }
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (whole, frac) = match s.find(['.', ',']) {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => (s, ""),
        };
        let digits_only = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if !digits_only(whole) || !digits_only(frac) || (whole.is_empty() && frac.is_empty()) {
            return Err(MoneyError::NotANumber);
        }
        let exp = currency.exponent();
        // Trailing zeros beyond the currency's precision carry no value.
        let frac = frac.trim_end_matches('0');
        if frac.len() > exp as usize {
            return Err(MoneyError::TooManyDecimals(currency.code(), exp));
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 12 {
            return Err(MoneyError::TooLarge);
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyError::TooLarge)? };
        let mut frac_minor: i64 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| MoneyError::NotANumber)? };
        for _ in frac.len()..exp as usize {
            frac_minor *= 10;
        }
        let minor = whole
            .checked_mul(10_i64.pow(exp as u32))
            .and_then(|w| w.checked_add(frac_minor))
            .filter(|m| *m <= MAX_MINOR)
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money { minor, currency })
    }

    /// Sum of two amounts of the same currency; `None` on overflow past
    /// [`MAX_MINOR`] times a thousand (an order total) or mixed currencies.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        self.minor.checked_add(other.minor).map(|minor| Money { minor, currency: self.currency })
    }

    pub fn checked_mul(self, n: u32) -> Option<Money> {
        self.minor.checked_mul(i64::from(n)).map(|minor| Money { minor, currency: self.currency })
    }

    /// Whole-percent discount of `self` (the deal price) against `original`,
    /// rounded down so we never overstate it.
    pub fn discount_percent(self, original: Money) -> u8 {
        if original.minor == 0 || self.minor >= original.minor {
            return 0;
        }
        let pct = (original.minor - self.minor) * 100 / original.minor;
        pct.clamp(0, 100) as u8
    }

    /// The amount without the currency mark, e.g. "3.50".
    pub fn amount_string(self) -> String {
        let exp = self.currency.exponent() as u32;
        if exp == 0 {
            return self.minor.to_string();
        }
        let scale = 10_i64.pow(exp);
        format!("{}.{:0width$}", self.minor / scale, self.minor % scale, width = exp as usize)
    }
}

/// A signed amount of minor units as plain text for statements and CSV:
/// "-3.50 EUR", "12 JPY". Exact: no rounding ever happens.
pub fn signed_amount(minor: i64, currency: Currency) -> String {
    format!("{} {}", signed_decimal(minor, currency), currency.code())
}

/// A signed amount of minor units as a decimal number: "-3.50", "0.00".
pub fn signed_decimal(minor: i64, currency: Currency) -> String {
    let exp = currency.exponent() as u32;
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if exp == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10_u64.pow(exp);
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exp as usize)
}

/// Parses a signed amount as an admin types it ("-120.50", "+3"):
/// minor units, negative allowed.
pub fn parse_signed(input: &str, currency: Currency) -> Result<i64, MoneyError> {
    let s = input.trim();
    let (negative, rest) = match s.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let m = Money::parse(rest, currency)?;
    Ok(if negative { -m.minor() } else { m.minor() })
}

/// How a locale writes amounts: its decimal mark, its thousands separator,
/// and whether the currency mark follows the amount ("3,50 €") or, when the
/// currency has a symbol, precedes it ("€3.50").
#[derive(Debug, Clone, Copy)]
pub struct MoneyFormat {
    pub decimal: char,
    pub group: Option<char>,
    pub symbol_after: bool,
}

impl Money {
    /// The amount as a locale writes it: "€3.50", "1.234,50 €", "12,00 CHF".
    /// Exact: digits come from the integer minor units. The mark after the
    /// amount is separated by a no-break space.
    pub fn format(self, f: &MoneyFormat) -> String {
        let exp = self.currency.exponent() as u32;
        let scale = 10_i64.pow(exp);
        let whole = (self.minor / scale).to_string();
        let mut number = String::with_capacity(whole.len() + 8);
        for (i, c) in whole.chars().enumerate() {
            if let Some(g) = f.group
                && i > 0
                && (whole.len() - i).is_multiple_of(3)
            {
                number.push(g);
            }
            number.push(c);
        }
        if exp > 0 {
            number.push(f.decimal);
            number.push_str(&format!("{:0width$}", self.minor % scale, width = exp as usize));
        }
        match (self.currency.0.symbol, f.symbol_after) {
            (Some(sym), false) => format!("{sym}{number}"),
            (Some(sym), true) => format!("{number}\u{a0}{sym}"),
            (None, false) => format!("{number} {}", self.currency.code()),
            (None, true) => format!("{number}\u{a0}{}", self.currency.code()),
        }
    }
}

/// Display for customers: "€3.50", "¥350", "3.50 CHF".
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.currency.0.symbol {
            Some(sym) => write!(f, "{sym}{}", self.amount_string()),
            None => write!(f, "{} {}", self.amount_string(), self.currency.code()),
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let start = s.len().checked_sub(suffix.len())?;
    let tail = s.get(start..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &s[..start])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    #[test]
    fn parses_what_shop_owners_type() {
        let jpy = Currency::from_code("jpy").unwrap();
        let chf = Currency::from_code("CHF").unwrap();
        let cases: &[(&str, Currency, Result<i64, MoneyError>)] = &[
            ("3.50", eur(), Ok(350)),
            ("3,50", eur(), Ok(350)),
            ("3", eur(), Ok(300)),
            ("€3.50", eur(), Ok(350)),
            ("€ 3.5", eur(), Ok(350)),
            ("3.50 EUR", eur(), Ok(350)),
            ("eur 3.50", eur(), Ok(350)),
            (" 0.99 ", eur(), Ok(99)),
            (".5", eur(), Ok(50)),
            ("3.500", eur(), Ok(350)),
            ("350", jpy, Ok(350)),
            ("¥350", jpy, Ok(350)),
            ("3.50 CHF", chf, Ok(350)),
            ("999999.99", eur(), Ok(99_999_999)),
            ("", eur(), Err(MoneyError::Empty)),
            ("€", eur(), Err(MoneyError::Empty)),
            ("-3", eur(), Err(MoneyError::Negative)),
            ("abc", eur(), Err(MoneyError::NotANumber)),
            ("3.5.0", eur(), Err(MoneyError::NotANumber)),
            ("1,234.50", eur(), Err(MoneyError::NotANumber)),
            ("$3.50", eur(), Err(MoneyError::NotANumber)),
            ("3.505", eur(), Err(MoneyError::TooManyDecimals("EUR", 2))),
            ("3.5", jpy, Err(MoneyError::TooManyDecimals("JPY", 0))),
            ("1000000", eur(), Err(MoneyError::TooLarge)),
            ("1000000000000", eur(), Err(MoneyError::TooLarge)),
            ("99999999999999999999999", eur(), Err(MoneyError::TooLarge)),
            ("1e3", eur(), Err(MoneyError::NotANumber)),
            (".", eur(), Err(MoneyError::NotANumber)),
        ];
        for (input, cur, expected) in cases {
            let got = Money::parse(input, *cur).map(Money::minor);
            assert_eq!(&got, expected, "parsing {input:?} in {cur}");
        }
    }

    #[test]
    fn a_price_is_positive() {
        assert_eq!(Money::parse_price("0", eur()), Err(MoneyError::Zero));
        assert_eq!(Money::parse_price("0.00", eur()), Err(MoneyError::Zero));
        assert_eq!(Money::parse_price("0.01", eur()).map(Money::minor), Ok(1));
    }

    #[test]
    fn formats_for_display() {
        let cases = [
            ("EUR", 350, "€3.50"),
            ("EUR", 5, "€0.05"),
            ("JPY", 350, "¥350"),
            ("CHF", 1200, "12.00 CHF"),
            ("GBP", 0, "£0.00"),
        ];
        for (code, minor, shown) in cases {
            let m = Money::from_minor(minor, Currency::from_code(code).unwrap()).unwrap();
            assert_eq!(m.to_string(), shown);
        }
    }

    #[test]
    fn formats_per_locale() {
        let en = MoneyFormat { decimal: '.', group: None, symbol_after: false };
        let de = MoneyFormat { decimal: ',', group: Some('.'), symbol_after: true };
        let cases = [
            ("EUR", 350, en, "€3.50"),
            ("EUR", 350, de, "3,50\u{a0}€"),
            ("EUR", 100, de, "1,00\u{a0}€"),
            ("EUR", 99_999_999, de, "999.999,99\u{a0}€"),
            ("EUR", 100_000, de, "1.000,00\u{a0}€"),
            ("EUR", 10_000, de, "100,00\u{a0}€"),
            ("JPY", 1_234_567, de, "1.234.567\u{a0}¥"),
            ("JPY", 350, en, "¥350"),
            ("CHF", 1200, en, "12.00 CHF"),
            ("SEK", 5, de, "0,05\u{a0}SEK"),
        ];
        for (code, minor, f, shown) in cases {
            let m = Money::from_minor(minor, Currency::from_code(code).unwrap()).unwrap();
            assert_eq!(m.format(&f), shown, "{minor} {code}");
        }
        // English without grouping is exactly the Display form.
        for c in Currency::all() {
            let m = Money::from_minor(123_456, c).unwrap();
            assert_eq!(m.format(&en), m.to_string());
        }
    }

    #[test]
    fn discount_rounds_down() {
        let m = |n| Money::from_minor(n, eur()).unwrap();
        assert_eq!(m(350).discount_percent(m(500)), 30);
        assert_eq!(m(333).discount_percent(m(1000)), 66);
        assert_eq!(m(500).discount_percent(m(500)), 0);
        assert_eq!(m(1).discount_percent(m(1000)), 99);
    }

    #[test]
    fn unknown_currencies_are_refused() {
        assert!(Currency::from_code("XXX").is_err());
        assert!(Currency::from_code("").is_err());
        assert_eq!(Currency::from_code(" gbp ").unwrap().code(), "GBP");
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(minor in 0..=MAX_MINOR, idx in 0usize..CURRENCIES.len()) {
            let cur = Currency(&CURRENCIES[idx]);
            let m = Money::from_minor(minor, cur).unwrap();
            prop_assert_eq!(Money::parse(&m.to_string(), cur), Ok(m));
            prop_assert_eq!(Money::parse(&m.amount_string(), cur), Ok(m));
            prop_assert_eq!(Money::parse(&m.amount_string().replace('.', ","), cur), Ok(m));
        }

        #[test]
        fn parse_never_panics_and_never_goes_negative(s in "\\PC{0,40}") {
            if let Ok(m) = Money::parse(&s, eur()) {
                prop_assert!(m.minor() >= 0 && m.minor() <= MAX_MINOR);
            }
        }
    }
}
