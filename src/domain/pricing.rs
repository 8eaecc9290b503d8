//! Prices that drop as pickup nears: a deal's optional schedule, and the
//! price it gives at any instant. Pure: the price is computed whenever it
//! is asked for (a card, a reservation, a price watch), never stored by a
//! job that could miss a step.
//!
//! The rule. A schedule is "−`percent` % every `every` minutes during the
//! last `span` minutes before the pickup window ends", on the venue's wall
//! clock: with a window ending at 20:00, "−10 % every 30 min in the last
//! 2 h" drops at 18:00, 18:30, 19:00 and 19:30 local time. After `k`
//! drops an item costs its deal price less `k × percent` % of the deal
//! price (not compounded), rounded half-up to the minor unit, and never
//! less than the floor (nor more than the deal price, should the deal
//! price be set below the floor later). Around a clock change a step's
//! local time may not exist (clocks spring forward): that step happens
//! when the clocks jump past it; a step in the repeated hour (clocks go
//! back) happens the first time that hour comes.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::money::Money;

/// How the price steps down: by `percent` of the deal price every
/// `every_min` minutes during the last `span_min` minutes of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DropRule {
    percent: u8,
    every_min: u16,
    span_min: u16,
}

/// The schedules a business chooses from when posting, in button order.
pub const PRESETS: [DropRule; 3] = [
    DropRule { percent: 10, every_min: 30, span_min: 120 },
    DropRule { percent: 20, every_min: 60, span_min: 180 },
    DropRule { percent: 5, every_min: 15, span_min: 60 },
];

impl DropRule {
    /// A rule read back from the store: a step of 1–90 %, every 5 minutes
    /// to 24 hours, over a span that is a whole number of steps up to 24 h.
    pub fn new(percent: u8, every_min: u16, span_min: u16) -> Option<DropRule> {
        let ok = (1..=90).contains(&percent)
            && (5..=1440).contains(&every_min)
            && (every_min..=1440).contains(&span_min)
            && span_min.is_multiple_of(every_min);
        ok.then_some(DropRule { percent, every_min, span_min })
    }

    pub fn percent(self) -> u8 {
        self.percent
    }

    pub fn every_min(self) -> u16 {
        self.every_min
    }

    pub fn span_min(self) -> u16 {
        self.span_min
    }

    /// How many drops the schedule makes.
    pub fn steps(self) -> u16 {
        self.span_min / self.every_min
    }
}

/// Why a floor price was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FloorError {
    #[error("the floor ({floor}) can't be above the deal price ({deal})")]
    AboveDeal { floor: Money, deal: Money },
    #[error("the floor ({floor}) is below Stripe's minimum charge ({minimum})")]
    BelowStripeMinimum { floor: Money, minimum: Money },
    #[error("the floor must be in the deal's currency")]
    MixedCurrencies,
}

/// A deal's drop schedule: the rule, the floor and the zone whose wall
/// clock the steps follow (the venue's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceDrop {
    rule: DropRule,
    floor: Money,
    tz: Tz,
}

impl PriceDrop {
    /// A schedule for a deal whose cheapest item costs `cheapest`: the
    /// floor may not be above it, nor below Stripe's minimum charge when
    /// the deal is paid by card (`card_payments`).
    pub fn new(
        rule: DropRule,
        floor: Money,
        cheapest: Money,
        card_payments: bool,
        tz: Tz,
    ) -> Result<PriceDrop, FloorError> {
        if floor.currency() != cheapest.currency() {
            return Err(FloorError::MixedCurrencies);
        }
        if floor.minor() > cheapest.minor() {
            return Err(FloorError::AboveDeal { floor, deal: cheapest });
        }
        let minimum = floor.currency().stripe_minimum();
        if card_payments && floor.minor() < minimum.minor() {
            return Err(FloorError::BelowStripeMinimum { floor, minimum });
        }
        Ok(PriceDrop { rule, floor, tz })
    }

    /// A schedule read back from the store, as it was accepted.
    pub fn from_stored(rule: DropRule, floor: Money, tz: Tz) -> PriceDrop {
        PriceDrop { rule, floor, tz }
    }

    pub fn rule(&self) -> DropRule {
        self.rule
    }

    pub fn floor(&self) -> Money {
        self.floor
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The instants of the drops for a window ending at `end`, in order
    /// (two may coincide when a clock change skips the time between them).
    pub fn drop_times(&self, end: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let local_end = end.with_timezone(&self.tz).naive_local();
        let first = local_end - Duration::minutes(i64::from(self.rule.span_min));
        (0..self.rule.steps())
            .map(|k| resolve(self.tz, first + Duration::minutes(i64::from(k) * i64::from(self.rule.every_min))))
            .filter(|t| *t < end)
            .collect()
    }

    /// The price of an item whose deal price is `deal` after `k` drops.
    fn after(&self, deal: Money, k: usize) -> Money {
        let off = i64::from(self.rule.percent) * k as i64;
        let floor = self.floor.minor().min(deal.minor());
        let stepped = if off >= 100 { 0 } else { (deal.minor() * (100 - off) + 50) / 100 };
        Money::from_minor(stepped.max(floor), deal.currency()).unwrap_or(deal)
    }

    /// The price at `at` of an item whose deal price is `deal`, in a
    /// window ending at `end`.
    pub fn price_at(&self, deal: Money, end: DateTime<Utc>, at: DateTime<Utc>) -> Money {
        let k = self.drop_times(end).iter().filter(|t| **t <= at).count();
        self.after(deal, k)
    }

    /// The next drop after `at` that lowers the price, and the price from
    /// then; `None` when the price won't drop again (the floor, or the
    /// last step, is reached).
    pub fn next_drop(&self, deal: Money, end: DateTime<Utc>, at: DateTime<Utc>) -> Option<(DateTime<Utc>, Money)> {
        let times = self.drop_times(end);
        let now = self.after(deal, times.iter().filter(|t| **t <= at).count());
        times.iter().filter(|t| **t > at).find_map(|t| {
            let then = self.after(deal, times.iter().filter(|u| *u <= t).count());
            (then.minor() < now.minor()).then_some((*t, then))
        })
    }

    /// Every price the item will still cost after `at`, lowest last.
    pub fn prices_after(&self, deal: Money, end: DateTime<Utc>, at: DateTime<Utc>) -> Vec<Money> {
        let mut out: Vec<Money> = Vec::new();
        let mut t = at;
        while let Some((when, price)) = self.next_drop(deal, end, t) {
            out.push(price);
            t = when;
        }
        out
    }
}

/// The instant a wall-clock time happens in `tz`: a time skipped by a
/// clock change happens when the clocks jump past it, a repeated one the
/// first time.
fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    // Gaps are at most a few hours; look minute by minute for their end.
    for _ in 0..=24 * 60 {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => probe += Duration::minutes(1),
        }
    }
    // No zone has a gap this long; read the time as UTC rather than fail.
    Utc.from_utc_datetime(&local)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn eur(n: i64) -> Money {
        Money::from_minor(n, Currency::from_code("EUR").unwrap()).unwrap()
    }

    fn berlin() -> Tz {
        "Europe/Berlin".parse().unwrap()
    }

    fn schedule(preset: usize, floor: i64) -> PriceDrop {
        PriceDrop::new(PRESETS[preset], eur(floor), eur(500), true, berlin()).unwrap()
    }

    /// `(instant, expected price)` pairs for a €5.00 deal.
    fn check(drop: &PriceDrop, end: &str, cases: &[(&str, i64)]) {
        for (when, expected) in cases {
            assert_eq!(drop.price_at(eur(500), at(end), at(when)).minor(), *expected, "at {when}, window ending {end}");
        }
    }

    #[test]
    fn steps_on_the_venues_wall_clock() {
        // Window ends 20:00 in Berlin (CET, UTC+1): drops at 18:00, 18:30,
        // 19:00 and 19:30 local.
        let d = schedule(0, 200);
        check(
            &d,
            "2026-11-26T19:00:00Z",
            &[
                ("2026-11-26T16:59:59Z", 500),
                ("2026-11-26T17:00:00Z", 450),
                ("2026-11-26T17:29:59Z", 450),
                ("2026-11-26T17:30:00Z", 400),
                ("2026-11-26T18:00:00Z", 350),
                ("2026-11-26T18:30:00Z", 300),
                ("2026-11-26T18:59:59Z", 300),
                ("2026-11-26T19:30:00Z", 300),
            ],
        );
    }

    #[test]
    fn never_below_the_floor() {
        // −20 % every hour for 3 h would reach €2.00; the floor is €3.50.
        let d = schedule(1, 350);
        check(
            &d,
            "2026-11-26T19:00:00Z",
            &[("2026-11-26T16:00:00Z", 400), ("2026-11-26T17:00:00Z", 350), ("2026-11-26T18:00:00Z", 350)],
        );
        assert_eq!(d.next_drop(eur(500), at("2026-11-26T16:00:00Z"), at("2026-11-26T16:30:00Z")), None);
        assert_eq!(
            d.next_drop(eur(500), at("2026-11-26T19:00:00Z"), at("2026-11-26T16:30:00Z")),
            Some((at("2026-11-26T17:00:00Z"), eur(350)))
        );
        assert_eq!(d.next_drop(eur(500), at("2026-11-26T19:00:00Z"), at("2026-11-26T17:30:00Z")), None);
        assert_eq!(
            d.next_drop(eur(500), at("2026-11-26T19:00:00Z"), at("2026-11-26T15:30:00Z")),
            Some((at("2026-11-26T16:00:00Z"), eur(400)))
        );
        // A deal price set below the floor later is not raised to it.
        assert_eq!(d.price_at(eur(300), at("2026-11-26T19:00:00Z"), at("2026-11-26T18:30:00Z")), eur(300));
    }

    #[test]
    fn rounds_half_up_against_the_deal_price() {
        let d = PriceDrop::new(PRESETS[2], eur(50), eur(50), true, berlin()).unwrap();
        let end = at("2026-11-26T19:00:00Z");
        // €3.33 − 5 % = 316.35 → 316; − 10 % = 299.7 → 300; − 15 % = 283.05 → 283.
        for (when, expected) in
            [("2026-11-26T18:00:00Z", 316), ("2026-11-26T18:15:00Z", 300), ("2026-11-26T18:30:00Z", 283)]
        {
            assert_eq!(d.price_at(eur(333), end, at(when)).minor(), expected, "{when}");
        }
        // 0.5 of a cent rounds up: €0.90 − 5 % = 85.5 → 86.
        assert_eq!(d.price_at(eur(90), end, at("2026-11-26T18:00:00Z")).minor(), 86);
    }

    #[test]
    fn clocks_springing_forward() {
        // 28 March 2027, Berlin: 02:00 CET becomes 03:00 CEST. A window
        // ending 03:30 CEST (01:30 UTC) steps at 01:30, 02:00, 02:30 and
        // 03:00 local; 02:00 and 02:30 don't exist, so those drops come
        // with 03:00 CEST (01:00 UTC).
        let d = schedule(0, 200);
        let end = "2027-03-28T01:30:00Z";
        assert_eq!(
            d.drop_times(at(end)),
            vec![
                at("2027-03-28T00:30:00Z"),
                at("2027-03-28T01:00:00Z"),
                at("2027-03-28T01:00:00Z"),
                at("2027-03-28T01:00:00Z")
            ]
        );
        check(&d, end, &[("2027-03-28T00:29:59Z", 500), ("2027-03-28T00:30:00Z", 450), ("2027-03-28T01:00:00Z", 300)]);
        assert_eq!(
            d.next_drop(eur(500), at(end), at("2027-03-28T00:40:00Z")),
            Some((at("2027-03-28T01:00:00Z"), eur(300)))
        );
        // A window ending at 20:00 that day: CEST (UTC+2) all along.
        check(&d, "2027-03-28T18:00:00Z", &[("2027-03-28T15:59:00Z", 500), ("2027-03-28T16:00:00Z", 450)]);
    }

    #[test]
    fn clocks_going_back() {
        // 31 October 2027, Berlin: 03:00 CEST becomes 02:00 CET. A window
        // ending 03:00 CET (02:00 UTC), −10 % every 30 min for 2 h: steps at
        // 01:00, 01:30 (CEST), 02:00 and 02:30 local, taken the first time
        // (CEST: 00:00 and 00:30 UTC), three real hours before the end.
        let d = schedule(0, 200);
        let end = "2027-10-31T02:00:00Z";
        assert_eq!(
            d.drop_times(at(end)),
            vec![
                at("2027-10-30T23:00:00Z"),
                at("2027-10-30T23:30:00Z"),
                at("2027-10-31T00:00:00Z"),
                at("2027-10-31T00:30:00Z")
            ]
        );
        check(
            &d,
            end,
            &[
                ("2027-10-30T22:59:59Z", 500),
                ("2027-10-30T23:00:00Z", 450),
                ("2027-10-31T00:00:00Z", 350),
                ("2027-10-31T00:30:00Z", 300),
                ("2027-10-31T01:30:00Z", 300),
            ],
        );
    }

    #[test]
    fn the_floor_is_checked() {
        let tz = berlin();
        assert_eq!(
            PriceDrop::new(PRESETS[0], eur(600), eur(500), true, tz),
            Err(FloorError::AboveDeal { floor: eur(600), deal: eur(500) })
        );
        assert_eq!(
            PriceDrop::new(PRESETS[0], eur(20), eur(500), true, tz),
            Err(FloorError::BelowStripeMinimum { floor: eur(20), minimum: eur(50) })
        );
        // Without card payments Stripe's minimum doesn't apply.
        assert!(PriceDrop::new(PRESETS[0], eur(20), eur(500), false, tz).is_ok());
        assert!(PriceDrop::new(PRESETS[0], eur(500), eur(500), true, tz).is_ok());
        let usd = Money::from_minor(100, Currency::from_code("USD").unwrap()).unwrap();
        assert_eq!(PriceDrop::new(PRESETS[0], usd, eur(500), true, tz), Err(FloorError::MixedCurrencies));
    }

    #[test]
    fn rules_are_sane() {
        for p in PRESETS {
            assert_eq!(DropRule::new(p.percent, p.every_min, p.span_min), Some(p));
        }
        assert_eq!(DropRule::new(0, 30, 120), None);
        assert_eq!(DropRule::new(10, 0, 120), None);
        assert_eq!(DropRule::new(10, 45, 120), None);
        assert_eq!(DropRule::new(10, 30, 1500), None);
    }

    #[test]
    fn prices_still_to_come() {
        let d = schedule(0, 320);
        let end = at("2026-11-26T19:00:00Z");
        assert_eq!(
            d.prices_after(eur(500), end, at("2026-11-26T16:00:00Z")),
            vec![eur(450), eur(400), eur(350), eur(320)]
        );
        assert_eq!(d.prices_after(eur(500), end, at("2026-11-26T18:10:00Z")), vec![eur(320)]);
        assert!(d.prices_after(eur(500), end, at("2026-11-26T18:40:00Z")).is_empty());
    }
}
