//! `glean seed`: synthetic verified businesses and active deals spread over
//! a city, for benchmarks and demos. The same spec and `rng_seed` give the
//! same shops, places, deals and prices; only the pickup times follow the
//! clock. Every value is built through the domain types, so seeded data is
//! data the bot could have produced.
//!
//! Shape: `businesses` shops, each with enough venues that a venue holds
//! about ten deals (200 shops and 100,000 deals give 50 venues a shop), the
//! venues uniform over a disk of `radius_km` around `center`; deals go to
//! the shops in turn, at a random venue of the shop, with one to three items
//! and a pickup window starting within the next eight hours.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, DurationRound as _, Utc};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::domain::offer::NewItem;
use crate::domain::text::{Address, Description, Name, Title, UnitText};
use crate::domain::{Coordinates, Currency, Money, Phone, PickupWindow, Quantity};
use crate::store::{NewBusiness, NewOffer, NewVenue, Store};

/// Telegram ids of seeded shop owners start here, far above the ids
/// Telegram hands out today, so they never collide with a real user.
pub const OWNER_ID_BASE: i64 = 1_000_000_000_000;

/// About this many deals share a venue.
const OFFERS_PER_VENUE: u32 = 10;
/// Deals are built and written this many at a time.
const BATCH: usize = 10_000;

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedSpec {
    pub businesses: u32,
    pub offers: u32,
    /// The middle of the city.
    pub center: Coordinates,
    /// Venues lie within this distance of `center`.
    pub radius_km: f64,
    pub currency: Currency,
    pub timezone: Tz,
    /// Seed of the random generator: same seed, same data.
    pub rng_seed: u64,
}

/// What was seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// Business ids, in creation order.
    pub business_ids: Vec<i64>,
    pub venues: usize,
    /// Offer ids, in creation order.
    pub offer_ids: Vec<i64>,
    pub elapsed: Duration,
}

/// Seeds `spec` into `store` (already migrated).
pub async fn seed(store: &Store, spec: &SeedSpec, now: DateTime<Utc>) -> anyhow::Result<Seeded> {
    anyhow::ensure!(spec.businesses > 0, "--businesses must be at least 1");
    anyhow::ensure!(spec.radius_km > 0.0 && spec.radius_km <= 500.0, "--radius-km must be above 0 and at most 500");
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(spec.rng_seed);
    let venues_per_business = spec.offers.div_ceil(spec.businesses * OFFERS_PER_VENUE).max(1);

    let mut shops: Vec<(i64, Vec<i64>)> = Vec::with_capacity(spec.businesses as usize);
    let mut venue_count = 0;
    for b in 0..spec.businesses {
        let name = SHOPS[b as usize % SHOPS.len()];
        let venues: Vec<NewVenue> = (0..venues_per_business)
            .map(|v| -> anyhow::Result<NewVenue> {
                let at = random_point(&mut rng, spec.center, spec.radius_km * 1000.0)?;
                Ok(NewVenue {
                    name: Name::parse(&format!("{name} #{} branch {}", b + 1, v + 1))?,
                    address: Address::parse(&format!("{} Seed Street, near {:.4}, {:.4}", v + 1, at.lat(), at.lng()))?,
                    location: at,
                    timezone: spec.timezone,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let (first, more) = venues.split_first().context("a business has at least one venue")?;
        let new = NewBusiness {
            owner_tg_id: OWNER_ID_BASE + i64::from(b),
            name: Name::parse(&format!("{name} #{}", b + 1))?,
            phone: Phone::parse(&format!("+4930{:07}", b + 1))?,
            currency: spec.currency,
            timezone: spec.timezone,
            venue: first.clone(),
        };
        let (id, venue_ids) = store.seed_business(&new, more, now).await?;
        venue_count += venue_ids.len();
        shops.push((id, venue_ids));
    }

    let quarter = now.duration_trunc(chrono::Duration::minutes(15)).unwrap_or(now);
    let mut offer_ids = Vec::with_capacity(spec.offers as usize);
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..spec.offers {
        let (business_id, venues) = &shops[i as usize % shops.len()];
        let venue_id = venues[rng.gen_range(0..venues.len())];
        batch.push(random_offer(&mut rng, spec.currency, *business_id, venue_id, quarter, now)?);
        if batch.len() == BATCH || i + 1 == spec.offers {
            offer_ids.extend(store.seed_offers(&batch, now).await?);
            batch.clear();
        }
    }
    Ok(Seeded {
        business_ids: shops.into_iter().map(|(id, _)| id).collect(),
        venues: venue_count,
        offer_ids,
        elapsed: started.elapsed(),
    })
}

/// A point uniform over the disk of `radius_m` around `center`.
pub fn random_point(rng: &mut impl Rng, center: Coordinates, radius_m: f64) -> anyhow::Result<Coordinates> {
    let r = radius_m * rng.r#gen::<f64>().sqrt();
    let theta = rng.r#gen::<f64>() * std::f64::consts::TAU;
    let dlat = r * theta.cos() / 111_320.0;
    let dlng = r * theta.sin() / (111_320.0 * center.lat().to_radians().cos().max(0.01));
    Ok(Coordinates::new(center.lat() + dlat, center.lng() + dlng)?)
}

fn random_offer(
    rng: &mut impl Rng,
    currency: Currency,
    business_id: i64,
    venue_id: i64,
    quarter: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<NewOffer> {
    let (title, goods) = DEALS[rng.gen_range(0..DEALS.len())];
    let items = (0..rng.gen_range(1..=3usize))
        .map(|k| -> anyhow::Result<NewItem> {
            let (name, unit) = goods[k % goods.len()];
            let original = rng.gen_range(300..=1_500i64);
            let deal = original * rng.gen_range(30..=70i64) / 100;
            let money = |m| Money::from_minor(m, currency).context("seeded prices are in range");
            Ok(NewItem::new(
                Name::parse(name)?,
                UnitText::parse(unit)?,
                money(original)?,
                money(deal)?,
                Quantity::new(rng.gen_range(1..=20))?,
            )?)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let start = quarter + chrono::Duration::minutes(15 * rng.gen_range(0..32i64));
    let end = start + chrono::Duration::minutes(60 * rng.gen_range(1..=4i64));
    Ok(NewOffer {
        business_id,
        venue_id,
        title: Title::parse(title)?,
        description: Some(Description::parse("Surplus from today, still good. Synthetic deal from `glean seed`.")?),
        currency,
        window: PickupWindow::new(start, end, now)?,
        items,
        photo: None,
        thumb: None,
        price_drop: None,
    })
}

const SHOPS: &[&str] = &[
    "Corner Bakery",
    "Green Grocer",
    "Daily Deli",
    "Farm Stand",
    "Sushi Bar",
    "Café Crumb",
    "Pizza Oven",
    "Bio Markt",
];

type Goods = &'static [(&'static str, &'static str)];

const DEALS: &[(&str, Goods)] = &[
    ("Bread bag", &[("Mixed bread", "1 bag"), ("Rolls", "6 rolls"), ("Pretzels", "4 pieces")]),
    ("Veg box", &[("Vegetables", "1 box"), ("Salad", "1 head"), ("Herbs", "1 bunch")]),
    ("Pastry surprise", &[("Pastries", "1 bag"), ("Croissants", "3 pieces")]),
    ("Sushi set", &[("Maki set", "12 pieces"), ("Nigiri set", "8 pieces")]),
    ("Fruit crate", &[("Apples", "1 kg"), ("Bananas", "1 bunch"), ("Berries", "250 g")]),
    ("Deli lunch", &[("Sandwich", "1 piece"), ("Soup", "500 ml"), ("Salad bowl", "1 bowl")]),
    ("Pizza slices", &[("Margherita", "2 slices"), ("Veggie", "2 slices")]),
    ("Dairy bundle", &[("Yoghurt", "4 cups"), ("Cheese", "200 g")]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_stay_inside_the_disk() {
        let center = Coordinates::new(52.52, 13.40).unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..1_000 {
            let p = random_point(&mut rng, center, 15_000.0).unwrap();
            assert!(p.distance_m(center) <= 15_100.0, "{p:?}");
        }
    }

    #[test]
    fn offers_are_valid_and_open() {
        let eur = Currency::from_code("EUR").unwrap();
        let now = Utc::now();
        let quarter = now.duration_trunc(chrono::Duration::minutes(15)).unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..500 {
            let o = random_offer(&mut rng, eur, 1, 1, quarter, now).unwrap();
            assert!(o.window.end() > now + chrono::Duration::minutes(44));
            assert!((1..=3).contains(&o.items.len()));
        }
    }
}
