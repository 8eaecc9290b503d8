//! Ready-made businesses and offers for store-level tests.

use chrono::{DateTime, Duration, Utc};
use glean::domain::business::BusinessEvent;
use glean::domain::offer::NewItem;
use glean::domain::text::{Address, Name, Title, UnitText};
use glean::domain::{Coordinates, Currency, Money, OfferEvent, Phone, PickupWindow, Quantity};
use glean::store::{Actor, Business, NewBusiness, NewOffer, NewVenue, Offer, Store, Venue};

pub const OWNER: i64 = 1001;
pub const ADMIN: i64 = 9001;

pub fn eur() -> Currency {
    Currency::from_code("EUR").unwrap()
}

pub fn eur_cents(n: i64) -> Money {
    Money::from_minor(n, eur()).unwrap()
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub async fn verified_business(store: &Store) -> (Business, Venue) {
    let new = NewBusiness {
        owner_tg_id: OWNER,
        name: Name::parse("Bäckerei Kalle").unwrap(),
        phone: Phone::parse("+49 30 1234567").unwrap(),
        currency: eur(),
        timezone: "Europe/Berlin".parse().unwrap(),
        venue: NewVenue {
            name: Name::parse("Shop").unwrap(),
            address: Address::parse("Torstraße 1, Berlin").unwrap(),
            location: Coordinates::new(52.5290, 13.4010).unwrap(),
            timezone: "Europe/Berlin".parse().unwrap(),
        },
    };
    let (b, v) = store.create_business(&new, now()).await.unwrap();
    let b = store.apply_business_event(b.id, BusinessEvent::Verify, None, &Actor::Admin(ADMIN), now()).await.unwrap();
    (b, v)
}

pub fn item(name: &str, original: i64, deal: i64, qty: u32) -> NewItem {
    NewItem::new(
        Name::parse(name).unwrap(),
        UnitText::parse("1 box").unwrap(),
        eur_cents(original),
        eur_cents(deal),
        Quantity::new(qty).unwrap(),
    )
    .unwrap()
}

pub fn draft(business: &Business, venue: &Venue, items: Vec<NewItem>) -> NewOffer {
    let start = now() + Duration::hours(4);
    NewOffer {
        business_id: business.id,
        venue_id: venue.id,
        title: Title::parse("Surprise bag").unwrap(),
        description: None,
        currency: eur(),
        window: PickupWindow::new(start, start + Duration::hours(2), now()).unwrap(),
        items,
        photo: None,
        thumb: None,
        price_drop: None,
    }
}

/// A verified business with one active offer of the given item quantities.
pub async fn active_offer(store: &Store, quantities: &[u32]) -> Offer {
    let (b, v) = verified_business(store).await;
    let items = quantities.iter().enumerate().map(|(i, q)| item(&format!("Item {i}"), 500, 250, *q)).collect();
    let offer = store.create_offer(&draft(&b, &v, items), &Actor::User(OWNER), now()).await.unwrap();
    store.apply_offer_event(offer.id, OfferEvent::Publish, &Actor::User(OWNER), now()).await.unwrap()
}

/// A verified business of `owner` at `at`, with one active single-item
/// offer of `qty` units at `deal` cents (usual price 500).
pub async fn shop_with_offer(store: &Store, owner: i64, name: &str, at: (f64, f64), qty: u32, deal: i64) -> Offer {
    let new = NewBusiness {
        owner_tg_id: owner,
        name: Name::parse(name).unwrap(),
        phone: Phone::parse("+49 30 7654321").unwrap(),
        currency: eur(),
        timezone: "Europe/Berlin".parse().unwrap(),
        venue: NewVenue {
            name: Name::parse(name).unwrap(),
            address: Address::parse("Somewhere 1, Berlin").unwrap(),
            location: Coordinates::new(at.0, at.1).unwrap(),
            timezone: "Europe/Berlin".parse().unwrap(),
        },
    };
    let (b, v) = store.create_business(&new, now()).await.unwrap();
    let b = store.apply_business_event(b.id, BusinessEvent::Verify, None, &Actor::Admin(ADMIN), now()).await.unwrap();
    let mut d = draft(&b, &v, vec![item("Bread bag", 500, deal, qty)]);
    d.title = Title::parse(&format!("{name} bag")).unwrap();
    let offer = store.create_offer(&d, &Actor::User(owner), now()).await.unwrap();
    store.apply_offer_event(offer.id, OfferEvent::Publish, &Actor::User(owner), now()).await.unwrap()
}
