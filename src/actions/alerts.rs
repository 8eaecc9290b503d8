//! Following businesses and nearby alerts: what a customer asks to hear
//! about, and the pure rules that decide who hears about a deal (radius,
//! keywords) and when (quiet hours, in the customer's time zone).
//!
//! The rules are plain values and functions with table-driven tests below;
//! the store keeps their stored forms, `notify` applies them.

use chrono_tz::Tz;

use super::Ctx;
use crate::domain::Coordinates;
pub use crate::domain::quiet::QuietHours;
use crate::store::{FollowedBusiness, GeoBox, StoreError, StoredAlert, StoredQuiet};

/// The radii a customer can pick, in kilometres.
pub const RADII_KM: [u32; 4] = [1, 3, 5, 10];
/// The farthest any alert reaches; candidates are searched within it.
pub const MAX_RADIUS_M: f64 = 10_000.0;
/// Most keywords one alert holds, and the longest keyword.
pub const MAX_KEYWORDS: usize = 5;
pub const MAX_KEYWORD_CHARS: usize = 30;
/// Quiet hours offered as buttons, as `(from, to)` in minutes after midnight.
pub const QUIET_CHOICES: [(u16, u16); 3] = [(22 * 60, 7 * 60), (21 * 60, 8 * 60), (23 * 60, 6 * 60)];

/// Mean Earth radius, as `Coordinates::distance_m` uses.
const EARTH_R: f64 = 6_371_008.8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertInputError {
    #[error("pick a radius: 1, 3, 5 or 10 km")]
    Radius,
    #[error("at most {MAX_KEYWORDS} keywords, each up to {MAX_KEYWORD_CHARS} characters, separated by commas")]
    Keywords,
    #[error("type quiet hours like 22:00-07:00 (from and to must differ)")]
    QuietHours,
}

impl From<crate::domain::quiet::BadQuietHours> for AlertInputError {
    fn from(_: crate::domain::quiet::BadQuietHours) -> Self {
        AlertInputError::QuietHours
    }
}

/// How far from the customer's point a deal may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Radius(u32);

impl Radius {
    /// One of [`RADII_KM`].
    pub fn from_km(km: u32) -> Option<Radius> {
        RADII_KM.contains(&km).then_some(Radius(km * 1000))
    }

    /// "3", "3 km", "3km".
    pub fn parse(input: &str) -> Result<Radius, AlertInputError> {
        let t = input.trim().to_ascii_lowercase();
        let n = t.strip_suffix("km").or_else(|| t.strip_suffix("км")).unwrap_or(&t).trim();
        n.parse().ok().and_then(Radius::from_km).ok_or(AlertInputError::Radius)
    }

    /// A stored radius, whatever it is (the choices may change).
    pub fn from_metres(m: u32) -> Radius {
        Radius(m.clamp(1, MAX_RADIUS_M as u32))
    }

    pub fn metres(self) -> u32 {
        self.0
    }

    /// "3 km", "500 m".
    pub fn label(self) -> String {
        if self.0.is_multiple_of(1000) { format!("{} km", self.0 / 1000) } else { format!("{} m", self.0) }
    }
}

/// Words a deal must mention (any of them) to be worth an alert; none
/// means every deal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keywords(Vec<String>);

impl Keywords {
    /// "bread, Vegan" → `bread`, `vegan`: comma-separated, trimmed,
    /// lowercased, without repeats. Nothing but commas and spaces is an
    /// error (Skip means "every deal").
    pub fn parse(input: &str) -> Result<Keywords, AlertInputError> {
        if input.chars().count() > MAX_KEYWORDS * (MAX_KEYWORD_CHARS + 2) {
            return Err(AlertInputError::Keywords);
        }
        let mut words: Vec<String> = Vec::new();
        for w in input.split(',').map(|w| w.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()) {
            if w.is_empty() || words.contains(&w) {
                continue;
            }
            if w.chars().count() > MAX_KEYWORD_CHARS || w.chars().any(char::is_control) {
                return Err(AlertInputError::Keywords);
            }
            words.push(w);
        }
        if words.is_empty() || words.len() > MAX_KEYWORDS {
            return Err(AlertInputError::Keywords);
        }
        Ok(Keywords(words))
    }

    /// The stored form (comma-separated); anything unreadable is ignored.
    pub fn from_stored(s: &str) -> Keywords {
        Keywords(s.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_lowercase).collect())
    }

    pub fn to_stored(&self) -> String {
        self.0.join(",")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn words(&self) -> &[String] {
        &self.0
    }

    /// Whether a deal described by `text` matches: no keywords, or any
    /// keyword appears in it (case-insensitive; "bread" finds "Breadsticks").
    pub fn matches(&self, text: &str) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let text = text.to_lowercase();
        self.0.iter().any(|w| text.contains(w.as_str()))
    }
}

/// The smallest latitude/longitude box holding every point within
/// `radius_m` of `centre` (with a small margin; the whole width of the
/// map near the poles or across the antimeridian).
pub fn bounding_box(centre: Coordinates, radius_m: f64) -> GeoBox {
    let margin = 1.01;
    let angle = radius_m * margin / EARTH_R;
    let dlat = angle.to_degrees();
    let lat_min = (centre.lat() - dlat).max(-90.0);
    let lat_max = (centre.lat() + dlat).min(90.0);
    let s = angle.sin() / centre.lat().to_radians().cos();
    let (lng_min, lng_max) = if !(0.0..1.0).contains(&s) || lat_min <= -90.0 || lat_max >= 90.0 {
        (-180.0, 180.0)
    } else {
        let dlng = s.asin().to_degrees();
        let (a, b) = (centre.lng() - dlng, centre.lng() + dlng);
        if a < -180.0 || b > 180.0 { (-180.0, 180.0) } else { (a, b) }
    };
    GeoBox { lat_min, lat_max, lng_min, lng_max }
}

/// The distance from an alert's point to a deal, if the deal is within
/// the alert's radius (the boundary included).
pub fn within(point: Coordinates, radius: Radius, deal: Coordinates) -> Option<f64> {
    let d = point.distance_m(deal);
    (d <= f64::from(radius.metres())).then_some(d)
}

/// A customer's alert settings: the nearby alert (if on), quiet hours and
/// the time zone they are read in.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub nearby: Option<Nearby>,
    pub quiet: Option<QuietHours>,
    pub tz: Tz,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Nearby {
    pub at: Coordinates,
    pub radius: Radius,
    pub keywords: Keywords,
}

/// The customer's time zone and quiet hours from their stored form.
pub fn quiet_of(stored: &StoredQuiet, default_tz: Tz) -> (Option<QuietHours>, Tz) {
    crate::domain::quiet::of_stored(stored.timezone.as_deref(), stored.quiet, default_tz)
}

pub async fn settings(ctx: &Ctx, customer: i64) -> Result<Settings, StoreError> {
    let nearby = ctx.store.alert(customer).await?.map(|a| Nearby {
        at: a.location,
        radius: Radius::from_metres(a.radius_m),
        keywords: Keywords::from_stored(&a.keywords),
    });
    let (quiet, tz) = quiet_of(&ctx.store.quiet(customer).await?, ctx.settings.default_timezone);
    Ok(Settings { nearby, quiet, tz })
}

/// Turns the nearby alert on (or changes it).
pub async fn set_nearby(ctx: &Ctx, customer: i64, nearby: &Nearby) -> Result<(), StoreError> {
    let alert = StoredAlert {
        customer_tg_id: customer,
        location: nearby.at,
        radius_m: nearby.radius.metres(),
        keywords: nearby.keywords.to_stored(),
    };
    ctx.store.set_alert(&alert, ctx.clock.now()).await?;
    tracing::info!(tg_user = customer, radius_m = nearby.radius.metres(), "nearby alert set");
    Ok(())
}

/// Turns the nearby alert off; false if it was off.
pub async fn turn_off(ctx: &Ctx, customer: i64) -> Result<bool, StoreError> {
    let was_on = ctx.store.delete_alert(customer).await?;
    tracing::info!(tg_user = customer, was_on, "nearby alert off");
    Ok(was_on)
}

/// Sets quiet hours (`None`: none) and the zone they are read in.
pub async fn set_quiet(ctx: &Ctx, customer: i64, quiet: Option<QuietHours>, tz: Tz) -> Result<(), StoreError> {
    let stored = StoredQuiet { timezone: Some(tz.name().to_string()), quiet: quiet.map(QuietHours::minutes) };
    ctx.store.set_quiet(customer, &stored, ctx.clock.now()).await
}

#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error("that business doesn't exist")]
    NoSuchBusiness,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Follows a business; returns its name and whether it was new.
pub async fn follow(ctx: &Ctx, customer: i64, business_id: i64) -> Result<(String, bool), FollowError> {
    let business = match ctx.store.business(business_id).await {
        Ok(b) => b,
        Err(StoreError::NotFound) => return Err(FollowError::NoSuchBusiness),
        Err(e) => return Err(e.into()),
    };
    let new = ctx.store.follow(customer, business_id, ctx.clock.now()).await?;
    tracing::info!(tg_user = customer, business_id, new, "follow");
    Ok((business.name, new))
}

/// Stops following; returns the business's name.
pub async fn unfollow(ctx: &Ctx, customer: i64, business_id: i64) -> Result<String, FollowError> {
    let business = match ctx.store.business(business_id).await {
        Ok(b) => b,
        Err(StoreError::NotFound) => return Err(FollowError::NoSuchBusiness),
        Err(e) => return Err(e.into()),
    };
    let was = ctx.store.unfollow(customer, business_id).await?;
    tracing::info!(tg_user = customer, business_id, was, "unfollow");
    Ok(business.name)
}

pub async fn following(ctx: &Ctx, customer: i64) -> Result<Vec<FollowedBusiness>, StoreError> {
    ctx.store.followed_businesses(customer, ctx.clock.now()).await
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn radius_choices() {
        for (input, expected) in [
            ("1", Some(1000)),
            ("3 km", Some(3000)),
            ("5km", Some(5000)),
            (" 10 KM ", Some(10_000)),
            ("2", None),
            ("0", None),
            ("-3", None),
            ("100", None),
            ("three", None),
            ("", None),
        ] {
            assert_eq!(Radius::parse(input).ok().map(Radius::metres), expected, "{input:?}");
        }
        assert_eq!(Radius::from_km(3).unwrap().label(), "3 km");
        assert_eq!(Radius::from_metres(999_999).metres(), 10_000, "stored radii are capped at the search box");
    }

    /// The point `d` metres from `from` at `bearing` degrees (great circle).
    fn destination(from: Coordinates, bearing: f64, d: f64) -> Coordinates {
        let (p1, l1, th, dl) = (from.lat().to_radians(), from.lng().to_radians(), bearing.to_radians(), d / EARTH_R);
        let p2 = (p1.sin() * dl.cos() + p1.cos() * dl.sin() * th.cos()).asin();
        let l2 = l1 + (th.sin() * dl.sin() * p1.cos()).atan2(dl.cos() - p1.sin() * p2.sin());
        Coordinates::new(p2.to_degrees(), (l2.to_degrees() + 540.0) % 360.0 - 180.0).unwrap()
    }

    #[test]
    fn radius_boundaries() {
        let shop = Coordinates::new(52.5200, 13.4050).unwrap();
        // (radius km, distance m, bearing, within?)
        let cases = [
            (1, 0.0, 0.0, true),
            (1, 999.0, 0.0, true),
            (1, 999.9, 90.0, true),
            (1, 1000.1, 90.0, false),
            (1, 1001.0, 180.0, false),
            (3, 2999.5, 45.0, true),
            (3, 3000.5, 45.0, false),
            (5, 4999.5, 270.0, true),
            (5, 5000.5, 270.0, false),
            (10, 9999.5, 135.0, true),
            (10, 10_000.5, 135.0, false),
            (10, 27_000.0, 0.0, false),
        ];
        for (km, d, bearing, expected) in cases {
            let customer = destination(shop, bearing, d);
            let got = within(customer, Radius::from_km(km).unwrap(), shop);
            assert_eq!(got.is_some(), expected, "{km} km, {d} m at {bearing}°: {got:?}");
            if let Some(got) = got {
                assert!((got - d).abs() < 0.01, "distance {got} vs {d}");
            }
        }
    }

    #[test]
    fn the_search_box_holds_the_whole_circle() {
        for (lat, lng) in [(0.0, 0.0), (52.52, 13.405), (-33.86, 151.2), (69.65, 18.96), (78.22, 15.65), (0.0, 179.99)]
        {
            let centre = Coordinates::new(lat, lng).unwrap();
            let b = bounding_box(centre, MAX_RADIUS_M);
            for i in 0..72 {
                let p = destination(centre, f64::from(i) * 5.0, MAX_RADIUS_M);
                let inside = (b.lat_min..=b.lat_max).contains(&p.lat()) && (b.lng_min..=b.lng_max).contains(&p.lng());
                assert!(inside, "{p:?} at {}° outside the box of {centre:?}: {b:?}", i * 5);
            }
            assert!(b.lat_max - b.lat_min < 0.5, "the box stays small: {b:?}");
        }
    }

    #[test]
    fn keywords() {
        let cases: [(&str, Option<&[&str]>); 9] = [
            ("bread", Some(&["bread"])),
            ("Bread, VEGAN ,, ", Some(&["bread", "vegan"])),
            ("bread, bread", Some(&["bread"])),
            ("gluten  free", Some(&["gluten free"])),
            ("Käse", Some(&["käse"])),
            (" , ,", None),
            ("", None),
            ("a,b,c,d,e,f", None),
            ("this keyword is far too long to be one", None),
        ];
        for (input, expected) in cases {
            let got = Keywords::parse(input).ok();
            assert_eq!(
                got.as_ref().map(|k| k.words().to_vec()),
                expected.map(|e| e.iter().map(|s| s.to_string()).collect()),
                "{input:?}"
            );
        }
        let k = Keywords::parse("bread, vegan").unwrap();
        assert_eq!(Keywords::from_stored(&k.to_stored()), k);
        assert!(k.matches("Sourdough BREADsticks"));
        assert!(k.matches("Vegan box"));
        assert!(!k.matches("Cheese platter"));
        assert!(Keywords::default().matches("anything"));
        assert!(Keywords::parse("käse").unwrap().matches("KÄSE-Reste"));
    }

    #[test]
    fn quiet_hours_parse() {
        for (input, expected) in [
            ("22:00-07:00", Some((1320, 420))),
            ("22-7", Some((1320, 420))),
            ("22.30 – 6.45", Some((1350, 405))),
            ("13:00 to 15:00", Some((780, 900))),
            ("0-6", Some((0, 360))),
            ("22:00-22:00", None),
            ("24:00-07:00", None),
            ("22:60-07:00", None),
            ("22:0-07:00", None),
            ("22", None),
            ("night", None),
        ] {
            assert_eq!(QuietHours::parse(input).ok().map(QuietHours::minutes), expected, "{input:?}");
        }
        assert_eq!(QuietHours::new(1320, 420).unwrap().label(), "22:00–07:00");
    }

    #[test]
    fn quiet_hours_end_in_the_customers_zone() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let night = QuietHours::new(22 * 60, 7 * 60).unwrap();
        let lunch = QuietHours::new(12 * 60, 14 * 60).unwrap();
        let spring = QuietHours::new(60, 150).unwrap(); // 01:00–02:30; 02:00–03:00 doesn't exist on 29 Mar 2026
        // (quiet hours, zone, now, quiet until)
        let cases = [
            // Berlin in winter is UTC+1.
            (night, berlin, "2026-01-10T20:59:00Z", None),
            (night, berlin, "2026-01-10T21:00:00Z", Some("2026-01-11T06:00:00Z")),
            (night, berlin, "2026-01-10T23:30:00Z", Some("2026-01-11T06:00:00Z")),
            (night, berlin, "2026-01-11T05:59:59Z", Some("2026-01-11T06:00:00Z")),
            (night, berlin, "2026-01-11T06:00:00Z", None),
            // Summer: UTC+2.
            (night, berlin, "2026-07-10T20:30:00Z", Some("2026-07-11T05:00:00Z")),
            (night, berlin, "2026-07-10T19:59:00Z", None),
            // The same instant is day in Tokyo (UTC+9).
            (night, tokyo, "2026-01-10T23:30:00Z", None),
            (night, tokyo, "2026-01-10T13:30:00Z", Some("2026-01-10T22:00:00Z")),
            // Within one day.
            (lunch, berlin, "2026-01-10T11:00:00Z", Some("2026-01-10T13:00:00Z")),
            (lunch, berlin, "2026-01-10T13:00:00Z", None),
            // The end falls into the spring-forward gap: the first time that exists.
            (spring, berlin, "2026-03-29T00:30:00Z", Some("2026-03-29T01:00:00Z")),
        ];
        for (q, tz, now, until) in cases {
            assert_eq!(q.ends_after(utc(now), tz), until.map(utc), "{} in {tz} at {now}", q.label());
        }
    }
}
