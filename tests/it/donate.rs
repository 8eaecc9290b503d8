//! Unsold food to charities, through the real bot: an admin invites two
//! charities (one-time links), their contacts register and say where they
//! collect, a business opts its pickup place in and gives a unit weight;
//! 30 minutes before the window ends the 3 units left are offered to both,
//! the first acceptance wins (a zero-price order with a pickup code), the
//! second is told it's gone, the business who is coming, and stock ends at
//! 0. Bad links, stale and forged buttons change nothing. Impact follows.

use std::sync::Arc;

use chrono::Duration;
use glean::domain::charity::InviteToken;
use glean::domain::{Coordinates, NoticeKind, OfferStatus, PurchaseStatus};
use glean::store::{Actor, DonationOutcome, NewPurchase, PaymentMethod, Registration};
use glean_fakes::telegram::FakeUser;

use crate::on_both_backends;
use crate::support::app::{TestApp, said};
use crate::support::db::{Backend, TestDb};
use crate::support::fixtures::{ADMIN, OWNER, active_offer, now, shop_with_offer};
use crate::support::shop::buy;

const SHOP: i64 = 3101;
const AT: (f64, f64) = (52.5200, 13.4050);

/// The `charity_<token>` payload of the invitation link in an admin's reply.
fn invite_payload(text: &str) -> String {
    let link = text.split_whitespace().find(|w| w.contains("?start=charity_")).unwrap_or_else(|| panic!("{text}"));
    link.split("start=").nth(1).unwrap().to_string()
}

async fn invite(admin: &FakeUser, args: &str) -> String {
    admin.send(&format!("/charity invite {args}"));
    invite_payload(&said(admin, "Invitation for").await.text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leftovers_go_to_the_first_charity_sqlite() {
    leftovers_go_to_the_first_charity(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leftovers_go_to_the_first_charity_postgres() {
    leftovers_go_to_the_first_charity(Backend::Postgres).await;
}

async fn leftovers_go_to_the_first_charity(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Kiez Bakery", AT, 5, 150).await;
    let owner = app.user(SHOP, "Baker");
    let admin = app.admin();
    let customer = app.user(7101, "Anna");
    buy(&customer, &offer, "2").await;

    // Invitations: admins only, and with a name and an area.
    customer.send("/charity invite Fake, Somewhere");
    said(&customer, "admins only").await;
    admin.send("/charity invite Tafel");
    said(&admin, "Usage").await;
    let first = invite(&admin, "Tafel Mitte, Berlin-Mitte").await;
    let second = invite(&admin, "Suppenküche, Kreuzberg").await;
    assert_ne!(first, second);

    // The contacts register: one with the location button, one typed.
    let tafel = app.user(7201, "Tafel");
    tafel.send(&format!("/start {first}"));
    said(&tafel, "registered for Tafel Mitte").await;
    said(&tafel, "Where do you collect food").await;
    tafel.press("📍 Send location");
    said(&tafel, "I'll offer you leftovers").await;
    let soup = app.user(7202, "Soup");
    soup.send(&format!("/start {second}"));
    said(&soup, "Where do you collect food").await;
    soup.send("somewhere");
    said(&soup, "⚠️").await;
    soup.send("52.51, 13.40");
    said(&soup, "I'll offer you leftovers").await;

    // Bad links: unknown, malformed, used by someone else; a second tap is fine.
    let mallory = app.user(7301, "Mallory");
    mallory.send(&format!("/start charity_{}", "0".repeat(32)));
    said(&mallory, "isn't valid").await;
    mallory.send("/start charity_nothex");
    said(&mallory, "isn't valid").await;
    mallory.send(&format!("/start {first}"));
    said(&mallory, "already used by someone else").await;
    tafel.send(&format!("/start {first}"));
    said(&tafel, "registered for Tafel Mitte already").await;
    assert!(app.store().charity_of(7301).await.unwrap().is_none());
    admin.send("/charity");
    let list = said(&admin, "Charities").await;
    assert_eq!(list.text.matches("– registered").count(), 2, "{}", list.text);

    // The business opts its pickup place in and gives a unit weight.
    owner.send("/venues");
    said(&owner, "Your pickup places").await;
    owner.press("🤝 Kiez Bakery: donate leftovers");
    let list = owner.reply_matching(|m| m.edited && m.text.contains("leftovers go to charities")).await;
    assert!(list.button_labels().contains(&"🤝 Kiez Bakery: stop donating"), "{:?}", list.button_labels());
    owner.press("⚖️ Kiez Bakery: unit weight");
    said(&owner, "How much does one unit weigh").await;
    owner.send("a lot");
    said(&owner, "isn't a weight").await;
    owner.send("0.4 kg");
    said(&owner, "weighs 400 g").await;

    // 30 minutes before the end, 3 units are left: both charities are asked.
    let end = app.store().offer(offer.id).await.unwrap().pickup_end;
    app.clock.advance(end - app.clock.now() - Duration::minutes(30) + Duration::seconds(5));
    let asked_tafel = said(&tafel, "Food to collect for free").await;
    assert!(asked_tafel.text.contains("3 × Bread bag"), "{}", asked_tafel.text);
    let asked_soup = said(&soup, "Food to collect for free").await;

    // The first acceptance wins; the second is told it's gone.
    let press = tafel.press("🤝 We'll collect it");
    assert!(tafel.callback_answer(&press).await.text.unwrap_or_default().contains("is yours"));
    let yours = said(&tafel, "It's yours, free").await;
    let press = soup.press("🤝 We'll collect it");
    assert!(soup.callback_answer(&press).await.text.unwrap_or_default().contains("Another charity was quicker"));
    said(&soup, "has gone to another charity").await;
    let coming = said(&owner, "is coming for").await;
    assert!(coming.text.contains("Tafel Mitte") && coming.text.contains("3 × Bread bag"), "{}", coming.text);

    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.remaining(), o.items[0].sold, o.status), (0, 5, OfferStatus::SoldOut));
    let donations = app.store().purchases_of_customer(7201, 10).await.unwrap();
    assert_eq!(donations.len(), 1);
    let donation = &donations[0];
    assert_eq!(
        (donation.status, donation.method, donation.total.minor(), donation.lines[0].quantity),
        (PurchaseStatus::Donated, PaymentMethod::Donation, 0, 3)
    );
    assert!(yours.text.contains(donation.pickup_code.as_str()) && coming.text.contains(donation.pickup_code.as_str()));
    assert!(app.store().purchases_of_customer(7202, 10).await.unwrap().is_empty());

    // Stale and forged presses change nothing.
    let again = tafel.press_data(asked_tafel.message_id, &format!("1:D:{}:y", offer.id));
    assert!(tafel.callback_answer(&again).await.text.unwrap_or_default().contains("is yours"));
    let again = soup.press_data(asked_soup.message_id, &format!("1:D:{}:y", offer.id));
    assert!(soup.callback_answer(&again).await.text.unwrap_or_default().contains("Another charity"));
    mallory.send("/help");
    let help = said(&mallory, "What I can do").await;
    let forged = mallory.press_data(help.message_id, &format!("1:D:{}:y", offer.id));
    assert_eq!(mallory.callback_answer(&forged).await.text.as_deref(), Some("This offer wasn't made to you."));
    assert_eq!(app.store().purchases_of_customer(7201, 10).await.unwrap().len(), 1);
    assert_eq!(app.store().offer(offer.id).await.unwrap().items[0].sold, 5);

    // The charity picks up with its code, like any customer.
    owner.send(&format!("/pickup {}", donation.pickup_code));
    said(&owner, &format!("Order #{} picked up", donation.id)).await;
    assert_eq!(app.store().purchase(donation.id).await.unwrap().status, PurchaseStatus::PickedUp);

    // Impact: 3 meals saved (1.2 kg), all donated; the customer's 2 aren't picked up yet.
    owner.send("/impact");
    let impact = said(&owner, "Kiez Bakery saved").await;
    assert!(
        impact.text.contains("3 meals") && impact.text.contains("1.2 kg") && impact.text.contains("3 of them donated"),
        "{}",
        impact.text
    );
    // `/sales` says so too, and the month's statement counts the donated units.
    owner.send("/sales");
    let sales = said(&owner, "Sales · Kiez Bakery").await;
    assert!(
        sales.text.contains("Kiez Bakery saved 3 meals") && sales.text.contains("3 of them donated"),
        "{}",
        sales.text
    );
    owner.press("📄 Statement");
    said(&owner, "Which month's statement?").await;
    let start = app.store().offer(offer.id).await.unwrap().window().expect("a window").start();
    let month = glean::domain::ledger::Month::of(start, chrono_tz::Europe::Berlin);
    owner.press(&glean::render::money::month_label(glean::render::i18n::Lang::EN, month));
    let doc = owner.reply_matching(|m| m.raw.get("document").is_some()).await;
    assert!(doc.text.contains("3 units donated to charities"), "{}", doc.text);
    admin.send("/impact");
    said(&admin, "Glean saved 3 meals").await;
    customer.send("/orders");
    said(&customer, "Pick up your first deal").await;

    // The round is keyed by the offer: opening it again does nothing.
    let now = app.clock.now();
    assert!(!app.store().open_donation_round(offer.id, &[1, 2], now).await.unwrap());
    let ctx = app.side_ctx().await;
    assert_eq!(glean::actions::donations::offer_leftovers(&ctx).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_is_offered_what_a_shop_does_not_donate() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), 3201, "Closed Shop", AT, 2, 150).await;
    let admin = app.admin();
    let link = invite(&admin, "Tafel Nord, Pankow").await;
    let tafel = app.user(7401, "Tafel");
    tafel.send(&format!("/start {link}"));
    said(&tafel, "Where do you collect food").await;
    tafel.send("52.52, 13.405");
    said(&tafel, "I'll offer you leftovers").await;
    // Not opted in: the window nears its end, and no round opens.
    let end = app.store().offer(offer.id).await.unwrap().pickup_end;
    app.clock.advance(end - app.clock.now() - Duration::minutes(10));
    let o = app.store().offer(offer.id).await.unwrap();
    assert!(
        app.store()
            .donation_candidates(app.clock.now(), app.clock.now() + Duration::minutes(30))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(o.remaining(), 2);
    // A press on a donation that was never offered.
    tafel.send("/help");
    let help = said(&tafel, "What I can do").await;
    let forged = tafel.press_data(help.message_id, &format!("1:D:{}:y", offer.id));
    assert_eq!(tafel.callback_answer(&forged).await.text.as_deref(), Some("This offer wasn't made to you."));
    assert_eq!(app.store().offer(offer.id).await.unwrap().remaining(), 2);
}

on_both_backends!(charities_race_for_one_remainder);

/// Six charities accept at once through two connection pools: one gets
/// every unit left (a reservation's units stay reserved), the others are
/// told it's gone; a link registers once; a withdrawal cancels the
/// donation and returns its units.
async fn charities_race_for_one_remainder(db: TestDb) {
    let s = &db.store;
    let offer = active_offer(s, &[2, 1]).await;
    let (a, b) = (offer.items[0].id, offer.items[1].id);
    let held = NewPurchase {
        customer_tg_id: 4242,
        offer_id: offer.id,
        lines: vec![(a, 1)],
        method: PaymentMethod::Stripe,
        expires_at: Some(now() + Duration::minutes(30)),
        request_key: None,
    };
    s.reserve(&held, now()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..6 {
        let token = InviteToken::generate();
        let c = s.create_charity(&format!("Charity {i}"), "Mitte", &token.hash(), ADMIN, now()).await.unwrap();
        assert!(matches!(
            s.register_charity(&token.hash(), 8000 + i, now()).await.unwrap(),
            Registration::Registered(_)
        ));
        assert!(s.set_charity_location(8000 + i, Coordinates::new(52.52, 13.40).unwrap()).await.unwrap());
        if i == 0 {
            assert_eq!(s.register_charity(&token.hash(), 9999, now()).await.unwrap(), Registration::Used);
            assert!(matches!(
                s.register_charity(&token.hash(), 8000, now()).await.unwrap(),
                Registration::AlreadyYours(_)
            ));
        }
        ids.push(c.id);
    }
    assert_eq!(s.register_charity(&InviteToken::generate().hash(), 9999, now()).await.unwrap(), Registration::Unknown);
    assert!(s.open_donation_round(offer.id, &ids, now()).await.unwrap());
    assert!(!s.open_donation_round(offer.id, &ids, now()).await.unwrap(), "one round per offer");

    let stores = Arc::new([s.clone(), db.another_store().await]);
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let stores = stores.clone();
            tokio::spawn(async move { stores[i % 2].accept_donation(offer.id, 8000 + i as i64, now()).await })
        })
        .collect();
    let mut winner = None;
    let mut gone = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap().unwrap() {
            DonationOutcome::Taken { purchase_id } => {
                assert!(winner.replace((8000 + i as i64, purchase_id)).is_none(), "two winners");
            }
            DonationOutcome::Gone => gone += 1,
            other => panic!("{other:?}"),
        }
    }
    let (winner, purchase_id) = winner.expect("one winner");
    assert_eq!(gone, 5);
    let o = s.offer(offer.id).await.unwrap();
    let stock: Vec<(u32, u32)> = o.items.iter().map(|i| (i.reserved, i.sold)).collect();
    assert_eq!((stock, o.remaining(), o.status), (vec![(1, 1), (0, 1)], 0, OfferStatus::SoldOut));
    let p = s.purchase(purchase_id).await.unwrap();
    let lines: Vec<(i64, u32, i64)> = p.lines.iter().map(|l| (l.item_id, l.quantity, l.unit_price.minor())).collect();
    assert_eq!(
        (p.status, p.total.minor(), p.customer_tg_id, lines),
        (PurchaseStatus::Donated, 0, winner, vec![(a, 1, 0), (b, 1, 0)])
    );
    for i in 0..6 {
        let kinds: Vec<NoticeKind> = s.notices_of_chat(8000 + i).await.unwrap().into_iter().map(|n| n.0).collect();
        let expected = if 8000 + i == winner {
            vec![NoticeKind::DonationOffered, NoticeKind::DonationTaken]
        } else {
            vec![NoticeKind::DonationOffered, NoticeKind::DonationGone]
        };
        assert_eq!(kinds, expected, "charity {i}");
    }
    assert_eq!(
        s.accept_donation(offer.id, winner, now()).await.unwrap(),
        DonationOutcome::AlreadyYours { purchase_id }
    );
    assert_eq!(s.accept_donation(offer.id, 9999, now()).await.unwrap(), DonationOutcome::NotOffered);

    s.withdraw_offer(offer.id, &Actor::User(OWNER), now()).await.unwrap();
    assert_eq!(s.purchase(purchase_id).await.unwrap().status, PurchaseStatus::Cancelled);
    let o = s.offer(offer.id).await.unwrap();
    assert_eq!(o.items.iter().map(|i| i.sold).sum::<u32>(), 0);
}
