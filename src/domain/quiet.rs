//! Quiet hours: a daily stretch of local time in which a person is not
//! to be disturbed — no deal alerts, and no waitlist hold offered (a hold
//! asks for an answer within minutes). Pure time arithmetic in the
//! person's zone; no I/O.

use chrono::{DateTime, Duration, LocalResult, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("type quiet hours like 22:00-07:00 (from and to must differ)")]
pub struct BadQuietHours;

/// A daily stretch of local time without alerts, possibly across
/// midnight: `from` inclusive, `to` exclusive, minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    from: u16,
    to: u16,
}

impl QuietHours {
    pub fn new(from: u16, to: u16) -> Result<QuietHours, BadQuietHours> {
        if from >= 1440 || to >= 1440 || from == to {
            return Err(BadQuietHours);
        }
        Ok(QuietHours { from, to })
    }

    /// "22:00-07:00", "22-7", "22.30 – 6.45".
    pub fn parse(input: &str) -> Result<QuietHours, BadQuietHours> {
        let t = input.trim().replace(['–', '—'], "-").replace(" to ", "-");
        let (a, b) = t.split_once('-').ok_or(BadQuietHours)?;
        let from = parse_hm(a).ok_or(BadQuietHours)?;
        let to = parse_hm(b).ok_or(BadQuietHours)?;
        Self::new(from, to)
    }

    /// Minutes after midnight, `(from, to)`.
    pub fn minutes(self) -> (u16, u16) {
        (self.from, self.to)
    }

    /// "22:00–07:00".
    pub fn label(self) -> String {
        format!("{:02}:{:02}–{:02}:{:02}", self.from / 60, self.from % 60, self.to / 60, self.to % 60)
    }

    pub fn contains(self, t: NaiveTime) -> bool {
        let m = (t.hour() * 60 + t.minute()) as u16;
        if self.from < self.to { self.from <= m && m < self.to } else { m >= self.from || m < self.to }
    }

    /// When the quiet stretch around `at` ends, or `None` if `at` is not
    /// quiet in `tz`. An end that falls into a clock change's gap moves to
    /// the first local time that exists.
    pub fn ends_after(self, at: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&tz);
        if !self.contains(local.time()) {
            return None;
        }
        let m = (local.hour() * 60 + local.minute()) as u16;
        let mut date = local.date_naive();
        if self.from > self.to && m >= self.from {
            date = date.succ_opt()?;
        }
        let mut end = date.and_hms_opt(u32::from(self.to / 60), u32::from(self.to % 60), 0)?;
        for _ in 0..16 {
            match tz.from_local_datetime(&end) {
                LocalResult::Single(t) => return Some(t.with_timezone(&Utc).max(at)),
                LocalResult::Ambiguous(earliest, _) => return Some(earliest.with_timezone(&Utc).max(at)),
                LocalResult::None => end += Duration::minutes(15),
            }
        }
        None
    }
}

fn parse_hm(s: &str) -> Option<u16> {
    let s = s.trim();
    let (h, m) = match s.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h, m),
        Some(_) => return None,
        None => (s, "00"),
    };
    if h.is_empty() || h.len() > 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// A person's quiet hours (if any) and zone in their stored form (minutes
/// after midnight, a zone name; `default_tz` when none or unknown).
pub fn of_stored(zone: Option<&str>, quiet: Option<(u16, u16)>, default_tz: Tz) -> (Option<QuietHours>, Tz) {
    let tz = zone.and_then(|z| z.parse().ok()).unwrap_or(default_tz);
    (quiet.and_then(|(f, t)| QuietHours::new(f, t).ok()), tz)
}

/// Whether a person with these quiet hours is asleep at `at`.
pub fn asleep(quiet: Option<QuietHours>, tz: Tz, at: DateTime<Utc>) -> bool {
    quiet.is_some_and(|q| q.contains(at.with_timezone(&tz).time()))
}
