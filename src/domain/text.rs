//! Bounded user text and small counted values: names, titles, quantities.

/// Text a user typed, trimmed, non-empty and at most `MAX` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText<const MAX: usize>(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("please type something")]
    Empty,
    #[error("that's too long: at most {max} characters, you sent {got}")]
    TooLong { max: usize, got: usize },
}

impl<const MAX: usize> BoundedText<MAX> {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(TextError::Empty);
        }
        let got = t.chars().count();
        if got > MAX {
            return Err(TextError::TooLong { max: MAX, got });
        }
        Ok(BoundedText(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> std::fmt::Display for BoundedText<MAX> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Name = BoundedText<80>;
pub type Title = BoundedText<80>;
pub type Description = BoundedText<600>;
pub type Address = BoundedText<200>;
pub type UnitText = BoundedText<40>;
pub type Reason = BoundedText<300>;

/// Units of stock of one item: at least 1, at most [`Quantity::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("please type a whole number, like 5")]
    NotANumber,
    #[error("the quantity must be at least 1")]
    Zero,
    #[error("that's more than {0} units; please type a smaller number")]
    TooMany(u32),
}

impl Quantity {
    pub const MAX: u32 = 10_000;

    pub fn new(n: u32) -> Result<Self, QuantityError> {
        match n {
            0 => Err(QuantityError::Zero),
            n if n > Self::MAX => Err(QuantityError::TooMany(Self::MAX)),
            n => Ok(Quantity(n)),
        }
    }

    pub fn parse(input: &str) -> Result<Self, QuantityError> {
        let t = input.trim();
        if t.starts_with('-') {
            return Err(QuantityError::Zero);
        }
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(QuantityError::NotANumber);
        }
        // Longer than u32 can hold is certainly too many.
        let n: u64 = t.parse().unwrap_or(u64::MAX);
        Self::new(u32::try_from(n).unwrap_or(u32::MAX))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        let cases: &[(&str, Result<u32, QuantityError>)] = &[
            ("1", Ok(1)),
            (" 25 ", Ok(25)),
            ("10000", Ok(10_000)),
            ("10001", Err(QuantityError::TooMany(10_000))),
            ("1000000000000", Err(QuantityError::TooMany(10_000))),
            ("0", Err(QuantityError::Zero)),
            ("-3", Err(QuantityError::Zero)),
            ("abc", Err(QuantityError::NotANumber)),
            ("2.5", Err(QuantityError::NotANumber)),
            ("", Err(QuantityError::NotANumber)),
        ];
        for (input, expected) in cases {
            assert_eq!(&Quantity::parse(input).map(Quantity::get), expected, "{input:?}");
        }
    }

    #[test]
    fn bounded_text() {
        assert_eq!(Title::parse("  Bread box ").unwrap().as_str(), "Bread box");
        assert_eq!(Title::parse("   "), Err(TextError::Empty));
        let long = "x".repeat(100_000);
        assert_eq!(Title::parse(&long), Err(TextError::TooLong { max: 80, got: 100_000 }));
        // Counted in characters, not bytes.
        assert!(Title::parse(&"ü".repeat(80)).is_ok());
    }
}
