//! The ledger's vocabulary and the platform fee rule: what each kind of
//! entry means, which side of the platform it belongs to, and how the fee
//! on an order is computed. Pure; the store keeps the entries.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::money::{Currency, MoneyError};
use super::string_enum;

string_enum! {
    /// What a ledger entry records. Amounts are signed from the point of
    /// view of the party the entry belongs to (see [`Party`]): positive is
    /// money that party is owed or holds, negative money it gave up.
    pub enum EntryKind: "ledger entry kind" {
        /// A card payment for an order (gross), as the business is owed it
        /// (Connect: transferred to its account).
        Sale = "sale",
        /// The platform's fee on a sale: negative for the business,
        /// positive for the platform.
        PlatformFee = "platform_fee",
        /// A refund without Connect: the platform paid the order back, so
        /// the business is owed nothing for it.
        Refund = "refund",
        /// A refund of a destination charge: the transfer pulled back from
        /// the business's account (`reverse_transfer`).
        TransferReversal = "transfer_reversal",
        /// The platform fee given back on a refund (`refund_application_fee`).
        FeeRefund = "fee_refund",
        /// Stripe's processing fee on a charge: the platform's cost
        /// (Express accounts: the platform pays Stripe's fees).
        ProcessingFee = "processing_fee",
        /// Money paid out to the business's bank (Stripe payout, or by hand).
        Payout = "payout",
        /// A payout that failed: the money is back in the balance.
        PayoutFailure = "payout_failure",
        /// An admin's correction, with a reason.
        Adjustment = "adjustment",
    }
}

string_enum! {
    /// Whose account an entry is on.
    pub enum Party: "ledger party" {
        /// The business's balance: what it holds at Stripe (Connect) or
        /// what the platform owes it (without Connect).
        Business = "business",
        /// The platform's margin: fees earned minus fees refunded minus
        /// Stripe's processing fees.
        Platform = "platform",
    }
}

impl EntryKind {
    /// The statement column an entry of the business adds to.
    pub fn column(self) -> Column {
        match self {
            EntryKind::Sale => Column::Gross,
            EntryKind::PlatformFee | EntryKind::FeeRefund | EntryKind::ProcessingFee => Column::Fees,
            EntryKind::Refund | EntryKind::TransferReversal => Column::Refunds,
            EntryKind::Payout | EntryKind::PayoutFailure => Column::PaidOut,
            EntryKind::Adjustment => Column::Adjustments,
        }
    }
}

/// The columns of a statement; `net = gross + fees + refunds + adjustments`
/// (fees and refunds are negative), `balance = net + paid_out` (paid out is
/// negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Gross,
    Fees,
    Refunds,
    PaidOut,
    Adjustments,
}

/// Sums of a business's entries over a period, in minor units of one
/// currency, signed as the entries are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub gross: i64,
    pub fees: i64,
    pub refunds: i64,
    pub adjustments: i64,
    pub paid_out: i64,
}

impl Totals {
    pub fn add(&mut self, kind: EntryKind, amount: i64) {
        match kind.column() {
            Column::Gross => self.gross += amount,
            Column::Fees => self.fees += amount,
            Column::Refunds => self.refunds += amount,
            Column::PaidOut => self.paid_out += amount,
            Column::Adjustments => self.adjustments += amount,
        }
    }

    /// What the period earned: gross less fees and refunds, plus adjustments.
    pub fn net(&self) -> i64 {
        self.gross + self.fees + self.refunds + self.adjustments
    }

    /// What changed in the balance over the period: net less payouts.
    pub fn change(&self) -> i64 {
        self.net() + self.paid_out
    }
}

/// The largest fee rate: 100 %.
pub const MAX_BPS: u32 = 10_000;

/// The platform fee: basis points of the order total plus a fixed amount in
/// minor units, rounded half-up, never above the charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeRule {
    bps: u32,
    fixed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("a fee can't be negative")]
    Negative,
    #[error("a fee can't be above 100 %")]
    AboveTotal,
    #[error("type the percentage like 7.5 (at most two decimals)")]
    NotAPercent,
    #[error("the fixed part: {0}")]
    Fixed(MoneyError),
}

impl FeeRule {
    pub fn new(bps: u32, fixed: i64) -> Result<FeeRule, FeeError> {
        if fixed < 0 {
            return Err(FeeError::Negative);
        }
        if bps > MAX_BPS {
            return Err(FeeError::AboveTotal);
        }
        Ok(FeeRule { bps, fixed })
    }

    /// Parses an admin's `/fee` arguments: a percentage ("7.5", "7,5 %")
    /// and an optional fixed part in the currency ("0.30").
    pub fn parse(percent: &str, fixed: Option<&str>, currency: Currency) -> Result<FeeRule, FeeError> {
        let p = percent.trim().trim_end_matches('%').trim();
        if p.starts_with('-') || p.starts_with('−') || fixed.is_some_and(|f| f.trim().starts_with(['-', '−'])) {
            return Err(FeeError::Negative);
        }
        let (whole, frac) = match p.find(['.', ',']) {
            Some(i) => (&p[..i], &p[i + 1..]),
            None => (p, ""),
        };
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        let frac = frac.trim_end_matches('0');
        if whole.is_empty() && frac.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 || whole.len() > 6 {
            return Err(FeeError::NotAPercent);
        }
        let whole: u32 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| FeeError::NotAPercent)? };
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| FeeError::NotAPercent)?;
        let bps = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or(FeeError::AboveTotal)?;
        let fixed = match fixed {
            None => 0,
            Some(f) => super::Money::parse(f, currency).map_err(FeeError::Fixed)?.minor(),
        };
        FeeRule::new(bps, fixed)
    }

    pub fn bps(self) -> u32 {
        self.bps
    }

    pub fn fixed(self) -> i64 {
        self.fixed
    }

    /// The fee on an order of `total` minor units: `total × bps / 10 000`
    /// rounded half-up, plus the fixed part, at most `total`.
    pub fn fee(self, total: i64) -> i64 {
        if total <= 0 {
            return 0;
        }
        let scaled = i128::from(total) * i128::from(self.bps);
        let percent = ((scaled + 5_000) / 10_000) as i64;
        percent.saturating_add(self.fixed).min(total)
    }
}

/// A calendar month, as statements are asked for ("2026-11").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a month is written YYYY-MM, like 2026-03")]
pub struct MonthError;

impl Month {
    pub fn parse(input: &str) -> Result<Month, MonthError> {
        let s = input.trim();
        let (y, m) = s.split_once('-').ok_or(MonthError)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(MonthError);
        }
        let (year, month) = (y.parse().map_err(|_| MonthError)?, m.parse().map_err(|_| MonthError)?);
        if !(1..=12).contains(&month) || !(2000..=2999).contains(&year) {
            return Err(MonthError);
        }
        Ok(Month { year, month })
    }

    /// The month `t` falls in, in `tz`.
    pub fn of(t: DateTime<Utc>, tz: Tz) -> Month {
        let local = t.with_timezone(&tz);
        Month { year: local.year(), month: local.month() }
    }

    /// The month before.
    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 for January.
    pub fn month(self) -> u32 {
        self.month
    }

    pub fn previous(self) -> Month {
        if self.month == 1 { Month { year: self.year - 1, month: 12 } } else { Month { month: self.month - 1, ..self } }
    }

    /// `[start, end)` of the month in `tz`, as instants.
    pub fn range(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let first = NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default();
        let next = if self.month == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.month + 1, 1)
        }
        .unwrap_or_default();
        (local_midnight(first, tz), local_midnight(next, tz))
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The start of a local day as an instant (a midnight that a DST change
/// skips is taken as the first instant after it).
fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match tz.from_local_datetime(&naive).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc)),
    }
}

/// The starts of today, this week (Monday) and this month in `tz`.
pub fn period_starts(now: DateTime<Utc>, tz: Tz) -> [DateTime<Utc>; 3] {
    let today = now.with_timezone(&tz).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    [local_midnight(today, tz), local_midnight(monday, tz), Month::of(now, tz).range(tz).0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    #[test]
    fn the_fee_rounds_half_up_on_the_total_and_never_exceeds_it() {
        fn check(bps: u32, fixed: i64, total: i64, expected: i64) {
            assert_eq!(FeeRule::new(bps, fixed).unwrap().fee(total), expected, "{bps} bps + {fixed} on {total}");
        }
        check(1_000, 0, 500, 50);
        check(1_000, 0, 505, 51); // 50.5 → 51
        check(1_000, 0, 504, 50); // 50.4 → 50
        check(1_000, 0, 495, 50); // 49.5 → 50
        check(750, 30, 1_000, 105);
        check(750, 30, 2, 2); // 0.15 + 30 → capped at the charge
        check(0, 0, 1_000, 0);
        check(10_000, 0, 999, 999);
        check(10_000, 100, 999, 999);
        check(1, 0, 4_999, 0); // 0.4999 → 0
        check(1, 0, 5_000, 1); // 0.5 → 1
        check(250, 25, 0, 0);
        check(1_000, 0, 99_999_999, 10_000_000); // 9 999 999.9 → 10 000 000
    }

    #[test]
    fn admins_fee_arguments_parse_or_say_why_not() {
        fn ok(p: &str, f: Option<&str>, bps: u32, fixed: i64) {
            assert_eq!(FeeRule::parse(p, f, eur()), Ok(FeeRule { bps, fixed }), "{p} {f:?}");
        }
        fn err(p: &str, f: Option<&str>, e: FeeError) {
            assert_eq!(FeeRule::parse(p, f, eur()), Err(e), "{p} {f:?}");
        }
        ok("10", None, 1_000, 0);
        ok("7.5", Some("0.30"), 750, 30);
        ok("7,25 %", None, 725, 0);
        ok("100", None, 10_000, 0);
        ok("0", Some("0"), 0, 0);
        ok("12.50", None, 1_250, 0);
        err("100.01", None, FeeError::AboveTotal);
        err("150", None, FeeError::AboveTotal);
        err("-1", None, FeeError::Negative);
        err("5", Some("-0.10"), FeeError::Negative);
        err("abc", None, FeeError::NotAPercent);
        err("1.234", None, FeeError::NotAPercent);
        err("", None, FeeError::NotAPercent);
        err("5", Some("x"), FeeError::Fixed(MoneyError::NotANumber));
    }

    #[test]
    fn statement_columns_add_up() {
        let mut t = Totals::default();
        for (kind, amount) in [
            (EntryKind::Sale, 1_000),
            (EntryKind::PlatformFee, -100),
            (EntryKind::TransferReversal, -1_000),
            (EntryKind::FeeRefund, 100),
            (EntryKind::Sale, 500),
            (EntryKind::PlatformFee, -50),
            (EntryKind::Payout, -450),
            (EntryKind::Adjustment, 7),
        ] {
            t.add(kind, amount);
        }
        assert_eq!(t, Totals { gross: 1_500, fees: -50, refunds: -1_000, adjustments: 7, paid_out: -450 });
        assert_eq!(t.net(), 457);
        assert_eq!(t.change(), 7);
    }

    #[test]
    fn months_parse_and_span_local_time() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let m = Month::parse("2026-03").unwrap();
        assert_eq!(m.to_string(), "2026-03");
        let (from, to) = m.range(berlin);
        assert_eq!(from.to_rfc3339(), "2026-02-28T23:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-03-31T22:00:00+00:00"); // summer time from 29 March
        assert_eq!(Month::parse("2026-12").unwrap().range(Tz::UTC).1.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert_eq!(Month::parse("2026-01").unwrap().previous().to_string(), "2025-12");
        for bad in ["2026-13", "2026-00", "26-03", "2026/03", "2026-3", "", "abcd-ef"] {
            assert_eq!(Month::parse(bad), Err(MonthError), "{bad}");
        }
        let t = DateTime::parse_from_rfc3339("2026-11-30T23:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(Month::of(t, berlin).to_string(), "2026-12");
        assert_eq!(Month::of(t, Tz::UTC).to_string(), "2026-11");
    }

    #[test]
    fn periods_start_at_local_midnight_monday_and_the_first() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // Wednesday 18 November 2026, 10:00 UTC.
        let now = DateTime::parse_from_rfc3339("2026-11-18T10:00:00Z").unwrap().with_timezone(&Utc);
        let [day, week, month] = period_starts(now, berlin);
        assert_eq!(day.to_rfc3339(), "2026-11-17T23:00:00+00:00");
        assert_eq!(week.to_rfc3339(), "2026-11-15T23:00:00+00:00");
        assert_eq!(month.to_rfc3339(), "2026-10-31T23:00:00+00:00");
    }
}
