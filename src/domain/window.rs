//! Pickup windows: when a customer may collect an order, in the venue's
//! time zone, and the forms in which a shop owner can type one.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Shortest window a customer can realistically make.
pub const MIN_LENGTH: Duration = Duration::minutes(15);
/// Longest window: a whole day.
pub const MAX_LENGTH: Duration = Duration::hours(24);
/// How far ahead a window may start.
pub const MAX_AHEAD: Duration = Duration::days(30);

/// A pickup window that ends after it starts and lasts a sensible time.
/// Whether it is still in the future is checked where it matters (publishing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickupWindow {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("the pickup window must end after it starts")]
    EndsBeforeStart,
    #[error("the pickup window must be at least 15 minutes long")]
    TooShort,
    #[error("the pickup window can be at most 24 hours long")]
    TooLong,
    #[error("that pickup window has already ended; pick a time in the future")]
    InPast,
    #[error("the pickup window must start within the next 30 days")]
    TooFarAhead,
    #[error("{0} doesn't exist on that day in your time zone (the clocks change); pick another time")]
    NoSuchLocalTime(String),
    #[error("I couldn't read that window. Try \"today 18:00-20:00\", \"tomorrow 9-11\" or \"2026-12-01 18:00-20:00\"")]
    Unreadable,
}

impl PickupWindow {
    /// A window that is valid now: ends after it starts, sensible length,
    /// not yet over and not too far ahead.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> Result<Self, WindowError> {
        let w = Self::from_stored(start, end)?;
        if end <= now {
            return Err(WindowError::InPast);
        }
        if start > now + MAX_AHEAD {
            return Err(WindowError::TooFarAhead);
        }
        Ok(w)
    }

    /// A window read back from the store: shape rules only, since a stored
    /// window may lie in the past.
    pub fn from_stored(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, WindowError> {
        if end <= start {
            return Err(WindowError::EndsBeforeStart);
        }
        if end - start < MIN_LENGTH {
            return Err(WindowError::TooShort);
        }
        if end - start > MAX_LENGTH {
            return Err(WindowError::TooLong);
        }
        Ok(PickupWindow { start, end })
    }

    /// Reads a window typed in `tz`: "today 18:00-20:00", "tomorrow 9-11",
    /// "2026-12-01 18:00-20:00", or just "18:00-20:00" (today).
    pub fn parse(input: &str, tz: Tz, now: DateTime<Utc>) -> Result<Self, WindowError> {
        let text = input.trim().to_lowercase();
        if text.len() > 100 {
            return Err(WindowError::Unreadable);
        }
        let today = now.with_timezone(&tz).date_naive();
        let (date, times) = match text.split_once(char::is_whitespace) {
            // The shipped languages' words for today and tomorrow.
            Some(("today" | "heute" | "сьогодні", rest)) => (today, rest),
            Some(("tomorrow" | "morgen" | "завтра", rest)) => {
                (today.succ_opt().ok_or(WindowError::Unreadable)?, rest)
            }
            Some((day, rest)) if day.contains('-') && day.starts_with(|c: char| c.is_ascii_digit()) => {
                (parse_date(day, today)?, rest)
            }
            _ => (today, text.as_str()),
        };
        let times = times.trim().replace(['–', '—'], "-").replace(" to ", "-");
        let (from, to) = times.split_once('-').ok_or(WindowError::Unreadable)?;
        let start = local(tz, date, parse_time(from)?)?;
        let end = local(tz, date, parse_time(to)?)?;
        Self::new(start, end, now)
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// "Today 18:00–20:00", "Tomorrow 09:00–11:00" or "Mon 1 Dec 18:00–20:00",
    /// in the venue's time zone, relative to `now`.
    pub fn display(&self, tz: Tz, now: DateTime<Utc>) -> String {
        let s = self.start.with_timezone(&tz);
        let e = self.end.with_timezone(&tz);
        let today = now.with_timezone(&tz).date_naive();
        let day = if s.date_naive() == today {
            "Today".to_string()
        } else if Some(s.date_naive()) == today.succ_opt() {
            "Tomorrow".to_string()
        } else if s.year() == today.year() {
            s.format("%a %-d %b").to_string()
        } else {
            s.format("%a %-d %b %Y").to_string()
        };
        let end = if e.date_naive() == s.date_naive() {
            e.format("%H:%M").to_string()
        } else {
            e.format("%a %H:%M").to_string()
        };
        format!("{day} {}–{end}", s.format("%H:%M"))
    }
}

fn parse_date(day: &str, today: NaiveDate) -> Result<NaiveDate, WindowError> {
    if let Ok(d) = NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        return Ok(d);
    }
    // "12-01" means the next 1 December (this year or, if passed, next).
    if let Ok(d) = NaiveDate::parse_from_str(&format!("{}-{day}", today.year()), "%Y-%m-%d") {
        if d >= today {
            return Ok(d);
        }
        return NaiveDate::parse_from_str(&format!("{}-{day}", today.year() + 1), "%Y-%m-%d")
            .map_err(|_| WindowError::Unreadable);
    }
    Err(WindowError::Unreadable)
}

fn parse_time(t: &str) -> Result<NaiveTime, WindowError> {
    let t = t.trim().trim_end_matches('h');
    let (h, m) = match t.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None => (t, "0"),
    };
    let h: u32 = h.parse().map_err(|_| WindowError::Unreadable)?;
    let m: u32 = m.parse().map_err(|_| WindowError::Unreadable)?;
    if h == 24 && m == 0 {
        return NaiveTime::from_hms_opt(23, 59, 59).ok_or(WindowError::Unreadable);
    }
    NaiveTime::from_hms_opt(h, m, 0).ok_or(WindowError::Unreadable)
}

fn local(tz: Tz, date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, WindowError> {
    match tz.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        // In the repeated hour after clocks go back, take the first one.
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(WindowError::NoSuchLocalTime(time.format("%H:%M").to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn reads_the_forms_we_promise() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 10:00 in Berlin on 26 Nov 2026.
        let now = at("2026-11-26T09:00:00Z");
        type Case<'a> = (&'a str, Result<(&'a str, &'a str), WindowError>);
        let cases: &[Case] = &[
            ("today 18:00-20:00", Ok(("2026-11-26T17:00:00Z", "2026-11-26T19:00:00Z"))),
            ("Today 18-20", Ok(("2026-11-26T17:00:00Z", "2026-11-26T19:00:00Z"))),
            ("tomorrow 9-11", Ok(("2026-11-27T08:00:00Z", "2026-11-27T10:00:00Z"))),
            ("tomorrow 9:30 – 11", Ok(("2026-11-27T08:30:00Z", "2026-11-27T10:00:00Z"))),
            ("2026-12-01 18:00-20:00", Ok(("2026-12-01T17:00:00Z", "2026-12-01T19:00:00Z"))),
            ("12-01 18:00-20:00", Ok(("2026-12-01T17:00:00Z", "2026-12-01T19:00:00Z"))),
            ("18:00-20:00", Ok(("2026-11-26T17:00:00Z", "2026-11-26T19:00:00Z"))),
            ("today 18 to 24", Ok(("2026-11-26T17:00:00Z", "2026-11-26T22:59:59Z"))),
            ("today 8-9", Err(WindowError::InPast)),
            ("today 20-18", Err(WindowError::EndsBeforeStart)),
            ("today 18:00-18:10", Err(WindowError::TooShort)),
            ("2027-03-01 18-20", Err(WindowError::TooFarAhead)),
            ("2025-12-01 18-20", Err(WindowError::InPast)),
            ("yesterday 18-20", Err(WindowError::Unreadable)),
            ("today 25-26", Err(WindowError::Unreadable)),
            ("soon", Err(WindowError::Unreadable)),
            ("", Err(WindowError::Unreadable)),
        ];
        for (input, expected) in cases {
            let got = PickupWindow::parse(input, berlin, now);
            let expected = expected.clone().map(|(s, e)| PickupWindow { start: at(s), end: at(e) });
            assert_eq!(got, expected, "parsing {input:?}");
        }
    }

    #[test]
    fn a_time_skipped_by_daylight_saving_is_refused() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let now = at("2027-03-27T09:00:00Z");
        assert_eq!(
            PickupWindow::parse("2027-03-28 2:30-4", berlin, now),
            Err(WindowError::NoSuchLocalTime("02:30".into()))
        );
    }

    #[test]
    fn displays_in_the_venue_time_zone() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let now = at("2026-11-26T00:00:00Z");
        let w = PickupWindow::from_stored(at("2026-11-26T09:00:00Z"), at("2026-11-26T11:00:00Z")).unwrap();
        assert_eq!(w.display(tokyo, now), "Today 18:00–20:00");
        let w = PickupWindow::from_stored(at("2026-12-01T09:00:00Z"), at("2026-12-01T11:00:00Z")).unwrap();
        assert_eq!(w.display(tokyo, now), "Tue 1 Dec 18:00–20:00");
    }

    #[test]
    fn length_limits() {
        let now = at("2026-11-26T00:00:00Z");
        let s = at("2026-11-26T10:00:00Z");
        assert_eq!(PickupWindow::new(s, s + Duration::hours(25), now), Err(WindowError::TooLong));
        assert!(PickupWindow::new(s, s + Duration::hours(24), now).is_ok());
        assert!(PickupWindow::new(s, s + MIN_LENGTH, now).is_ok());
        assert!(PickupWindow::new(s, s, now).is_err());
    }
}
