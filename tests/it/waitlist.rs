//! The waitlist of a sold-out deal, through the real bot: three people
//! wait; a reservation lapses and the first is offered the unit and pays
//! at the fake Stripe (signed webhook); a cancellation follows, the second
//! ignores the hold until it lapses, and the third gets it. Quiet hours:
//! a sleeper is skipped without losing their place and offered units
//! after their quiet hours. Stale and bad presses change nothing. And a
//! seeded property test of the store: random joins, leaves, purchases,
//! releases, passes, lapses and edits never oversell, never hold a unit
//! twice, and never pass over a waiting person who is awake.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Timelike, Utc};
use glean::domain::quiet::{QuietHours, asleep};
use glean::domain::waitlist::WaitStatus;
use glean::domain::{OfferStatus, PurchaseEvent, PurchaseStatus};
use glean::store::{
    Actor, JoinError, NewPurchase, NewWait, PaymentMethod, Store, StoredQuiet, To, WaitEntry, WaitlistRules,
};
use glean_fakes::telegram::{BotMessage, FakeUser};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::on_both_backends;
use crate::support::app::{TestApp, said};
use crate::support::db::{Backend, TestDb};
use crate::support::fixtures::{active_offer, now, shop_with_offer};
use crate::support::shop::{buy, buy_and_pay, order_id, pay_at_stripe};

const SHOP: i64 = 4101;
const AT: (f64, f64) = (52.5200, 13.4050);

on_both_backends!(
    random_releases_never_oversell_or_skip_an_awake_person,
    concurrent_releases_go_down_the_line,
    a_hold_locks_the_price_due_when_it_is_made,
);

/// Opens the card and joins the waitlist for one unit; returns the answer.
async fn join(person: &FakeUser, offer_id: i64) -> BotMessage {
    person.send(&format!("/start offer_{offer_id}"));
    let card = person.reply_matching(|m| m.button_labels().iter().any(|b| b.contains("Join the waitlist"))).await;
    assert!(!card.button_labels().contains(&"🛒 Buy"), "Buy on a sold-out card: {:?}", card.button_labels());
    person.press("⏳ Join the waitlist");
    said(person, "How many do you want?").await;
    person.press("1");
    said(person, "You're on the waitlist").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_wait_one_pays_one_ignores_sqlite() {
    three_wait_one_pays_one_ignores(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_wait_one_pays_one_ignores_postgres() {
    three_wait_one_pays_one_ignores(Backend::Postgres).await;
}

async fn three_wait_one_pays_one_ignores(backend: Backend) {
    let Some(app) = TestApp::spawn_with_stripe(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Corner Bakery", AT, 2, 200).await;
    let owner = app.user(SHOP, "Baker");
    let (xena, yuri) = (app.user(7001, "Xena"), app.user(7002, "Yuri"));
    let (anna, ben, cleo) = (app.user(7011, "Anna"), app.user(7012, "Ben"), app.user(7013, "Cleo"));

    // Sold out: one unit reserved (unpaid), one paid.
    let reserved = buy(&xena, &offer, "1").await;
    let xena_order = order_id(&reserved.text);
    let yuri_order = buy_and_pay(&app, &yuri, &offer, "1").await;
    assert_eq!(app.store().offer(offer.id).await.unwrap().status, OfferStatus::SoldOut);

    // Three people wait, in this order.
    assert!(join(&anna, offer.id).await.text.contains("#1 of 1"));
    assert!(join(&ben, offer.id).await.text.contains("#2 of 2"));
    let third = join(&cleo, offer.id).await;
    assert!(third.text.contains("#3 of 3"), "{}", third.text);
    assert!(third.button_labels().contains(&"🚪 Leave the waitlist (#3 of 3)"), "{:?}", third.button_labels());

    // The business sees the line on its management card.
    owner.send("/myoffers");
    said(&owner, "Your offers").await;
    owner.press("1");
    let card = owner.reply_matching(|m| m.text.contains("waiting")).await;
    assert!(card.text.contains("⏳ 3 waiting"), "{}", card.text);

    // Xena's reservation lapses (its session expired at Stripe first): the
    // unit goes to Anna, not back on sale.
    app.clock.advance(Duration::minutes(31));
    said(&xena, "reservation lapsed").await;
    let hold = said(&anna, "It's your turn!").await;
    assert!(hold.text.contains("1 × Bread bag") && hold.text.contains("10 minutes"), "{}", hold.text);
    assert_eq!(hold.button_labels(), vec!["💳 Pay €2.00", "↪️ Pass"]);
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.items[0].reserved, o.remaining()), (OfferStatus::SoldOut, 1, 0));
    assert_eq!(app.store().purchase(xena_order).await.unwrap().status, PurchaseStatus::Expired);
    let anna_hold = app.store().purchases_of_customer(7011, 5).await.unwrap().remaining_one();
    assert_eq!((anna_hold.status, anna_hold.total.minor()), (PurchaseStatus::Reserved, 200));
    assert!(app.store().purchase_checkout_missing(anna_hold.id).await);
    // Ben is #1 of 2 now.
    ben.send("/orders");
    let orders = said(&ben, "Waiting for").await;
    assert!(orders.text.contains("#1 of 2"), "{}", orders.text);

    // Anna pays: a Checkout Session that lives Stripe's 30+ minutes, paid
    // at the fake Stripe, confirmed by the signed webhook.
    anna.press("💳 Pay €2.00");
    let link = anna.reply_matching(|m| m.edited && m.text.contains("within")).await;
    let pay = link.inline_buttons[0][0].clone();
    assert!(pay.url.is_some() && pay.text == "💳 Pay €2.00", "{:?}", link.inline_buttons);
    let session = crate::support::shop::session_of(&app, anna_hold.id);
    assert!(session.expires_at - session.created >= 30 * 60, "{session:?}");
    let event = pay_at_stripe(&app, anna_hold.id);
    assert_eq!(app.deliver_stripe(&event).await, 200);
    said(&anna, "confirmed!").await;
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.items[0].sold, o.items[0].reserved), (2, 0));

    // Yuri cancels his paid order: the unit goes straight to Ben.
    yuri.send("/orders");
    said(&yuri, "Your orders").await;
    yuri.press(&format!("Cancel #{yuri_order}"));
    said(&yuri, "You'll get").await;
    yuri.press("Yes, cancel it");
    said(&yuri, "will be refunded").await;
    let ben_hold = said(&ben, "It's your turn!").await;
    assert_eq!(app.store().offer(offer.id).await.unwrap().status, OfferStatus::SoldOut);

    // Ben opens the checkout but never pays; after the hold's 10 minutes
    // (his session still had 25 to go) the session is expired at Stripe
    // first, then the hold released, and Cleo gets the unit.
    let ben_purchase = app.store().purchases_of_customer(7012, 5).await.unwrap().remaining_one();
    ben.press("💳 Pay €2.00");
    ben.reply_matching(|m| m.edited && m.text.contains("within")).await;
    let ben_session = crate::support::shop::session_of(&app, ben_purchase.id);
    app.clock.advance(Duration::minutes(11));
    said(&ben, "lapsed, so the units went to the next person").await;
    assert_eq!(app.fake_stripe().session(&ben_session.id).unwrap().status, "expired");
    assert_eq!(app.store().purchase(ben_purchase.id).await.unwrap().status, PurchaseStatus::Expired);
    let cleo_hold = said(&cleo, "It's your turn!").await;
    assert!(cleo_hold.button_labels().contains(&"↪️ Pass"));
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.items[0].reserved, o.items[0].sold), (OfferStatus::SoldOut, 1, 1));

    // Told once, as a hold (not as an ordinary reservation); his stale
    // buttons change nothing.
    assert!(!ben.messages().iter().any(|m| m.text.contains("reservation lapsed")));
    let pay = ben.press_data(ben_hold.message_id, &ben_hold.inline_buttons[0][0].callback_data.clone().unwrap());
    assert!(ben.callback_answer(&pay).await.text.unwrap_or_default().contains("has lapsed"));
    let pass = ben.press_data(ben_hold.message_id, &ben_hold.inline_buttons[0][1].callback_data.clone().unwrap());
    assert!(ben.callback_answer(&pass).await.text.unwrap_or_default().contains("has lapsed"));
    // Someone else's hold is refused.
    let forged = anna.press_data(link.message_id, &cleo_hold.inline_buttons[0][1].callback_data.clone().unwrap());
    assert_eq!(anna.callback_answer(&forged).await.text.as_deref(), Some("That hold isn't yours."));

    // Cleo opens the checkout, then passes after all: her session is
    // expired at Stripe first; nobody waits any more, so the unit goes back
    // on sale.
    let cleo_purchase = app.store().purchases_of_customer(7013, 5).await.unwrap().remaining_one();
    cleo.press("💳 Pay €2.00");
    cleo.reply_matching(|m| m.edited && m.text.contains("within")).await;
    let cleo_session = crate::support::shop::session_of(&app, cleo_purchase.id);
    cleo.press("↪️ Pass");
    said(&cleo, "Passed on").await;
    assert_eq!(app.fake_stripe().session(&cleo_session.id).unwrap().status, "expired");
    assert_eq!(app.store().purchase(cleo_purchase.id).await.unwrap().status, PurchaseStatus::Cancelled);
    let again = cleo.press_data(cleo_hold.message_id, &cleo_hold.inline_buttons[0][1].callback_data.clone().unwrap());
    assert!(cleo.callback_answer(&again).await.text.unwrap_or_default().contains("passed this hold on already"));
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.remaining()), (OfferStatus::Active, 1));
    let entries = app.store().waitlist_of(offer.id).await.unwrap();
    let states: Vec<WaitStatus> = entries.iter().map(|e| e.status).collect();
    assert_eq!(states, vec![WaitStatus::Bought, WaitStatus::Lapsed, WaitStatus::Passed]);
    // Every hold was offered once.
    let holds: Vec<i64> = entries.iter().filter_map(|e| e.purchase_id).collect();
    assert_eq!(holds.len(), 3);
    assert!(holds.windows(2).all(|w| w[0] != w[1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sleeper_keeps_their_place_sqlite() {
    a_sleeper_keeps_their_place(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sleeper_keeps_their_place_postgres() {
    a_sleeper_keeps_their_place(Backend::Postgres).await;
}

/// Quiet hours from 30 minutes ago to an hour from now, in Berlin.
fn quiet_around(t: DateTime<Utc>) -> StoredQuiet {
    let local = t.with_timezone(&chrono_tz::Europe::Berlin);
    let m = (local.hour() * 60 + local.minute()) as i32;
    let at = |d: i32| (m + d).rem_euclid(1440) as u16;
    StoredQuiet { timezone: Some("Europe/Berlin".into()), quiet: Some((at(-30), at(60))) }
}

async fn cancel_order(person: &FakeUser, id: i64) {
    person.send("/orders");
    said(person, "Your orders").await;
    person.press(&format!("Cancel #{id}"));
    said(person, &format!("Cancel order #{id}?")).await;
    person.press("Yes, cancel it");
    said(person, &format!("Order #{id} is cancelled")).await;
}

async fn a_sleeper_keeps_their_place(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Night Bakery", AT, 1, 200).await;
    let (xena, sleeper, wakeful) = (app.user(7101, "Xena"), app.user(7102, "Sam"), app.user(7103, "Will"));
    let bought = buy(&xena, &offer, "1").await;
    let xena_order = order_id(&bought.text);

    // Sam joins first, then falls asleep; Will joins second.
    assert!(join(&sleeper, offer.id).await.text.contains("#1 of 1"));
    assert!(join(&wakeful, offer.id).await.text.contains("#2 of 2"));
    app.store().set_quiet(7102, &quiet_around(app.clock.now()), app.clock.now()).await.unwrap();

    // A unit comes back: Sam sleeps, so Will gets it; Sam keeps #1.
    cancel_order(&xena, xena_order).await;
    let hold = said(&wakeful, "It's your turn!").await;
    assert_eq!(hold.button_labels(), vec!["✅ Confirm", "↪️ Pass"]);
    assert!(hold.text.contains("pay at pickup"), "{}", hold.text);
    sleeper.send("/orders");
    assert!(said(&sleeper, "Waiting for").await.text.contains("#1 of 1"));
    wakeful.press("✅ Confirm");
    let confirmed = said(&wakeful, "confirmed!").await;
    let will_order = order_id(&confirmed.text);
    // A replayed Confirm answers with the same order and changes nothing.
    let again = wakeful.press_data(hold.message_id, &hold.inline_buttons[0][0].callback_data.clone().unwrap());
    assert!(wakeful.callback_answer(&again).await.text.is_some());
    assert_eq!(app.store().purchases_of_customer(7103, 5).await.unwrap().len(), 1);
    assert_eq!(app.store().offer(offer.id).await.unwrap().items[0].sold, 1);

    // Will cancels while the only person waiting sleeps: the unit goes back
    // on sale (food shouldn't wait for the night), Sam keeps the place.
    cancel_order(&wakeful, will_order).await;
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.remaining()), (OfferStatus::Active, 1));
    assert!(sleeper.no_reply_for(std::time::Duration::from_millis(400)).await);

    // Sam's quiet hours end while the unit is still free: it is his now.
    app.clock.advance(Duration::minutes(75));
    let hold = said(&sleeper, "It's your turn!").await;
    assert!(hold.button_labels().contains(&"✅ Confirm"));
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.items[0].reserved), (OfferStatus::SoldOut, 1));

    // Will waits again; the business withdraws the deal: the line closes,
    // Will is told, and Sam's hold is released like any reservation.
    assert!(join(&wakeful, offer.id).await.text.contains("#1 of 1"));
    app.store().withdraw_offer(offer.id, &Actor::User(SHOP), app.clock.now()).await.unwrap();
    said(&wakeful, "was withdrawn, so its waitlist is closed").await;
    said(&sleeper, "the shop withdrew").await;
    let states: Vec<WaitStatus> = app.store().waitlist_of(offer.id).await.unwrap().iter().map(|e| e.status).collect();
    assert_eq!(
        states,
        vec![WaitStatus::Closed, WaitStatus::Bought, WaitStatus::Closed],
        "Sam's place, Will's first, Will's second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_and_bad_presses_change_nothing_sqlite() {
    stale_and_bad_presses_change_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_and_bad_presses_change_nothing_postgres() {
    stale_and_bad_presses_change_nothing(Backend::Postgres).await;
}

async fn stale_and_bad_presses_change_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Tiny Bakery", AT, 1, 200).await;
    let (xena, anna, dora) = (app.user(7201, "Xena"), app.user(7202, "Anna"), app.user(7203, "Dora"));
    let bought = buy(&xena, &offer, "1").await;
    let xena_order = order_id(&bought.text);

    // Join twice: the second press says where she stands.
    let joined = join(&anna, offer.id).await;
    anna.send(&format!("/start offer_{}", offer.id));
    let card = said(&anna, "Tiny Bakery bag").await;
    assert!(card.button_labels().contains(&"🚪 Leave the waitlist (#1 of 1)"), "{:?}", card.button_labels());
    let twice = anna.press_data(card.message_id, &format!("1:J:{}", offer.id));
    assert!(anna.callback_answer(&twice).await.text.unwrap_or_default().contains("already: #1 of 1"));
    // The same quantity keyboard again (a replay): the same place, no second one.
    let replay = anna.press_data(joined.message_id, &joined_qty_data(&offer));
    anna.callback_answer(&replay).await;
    assert_eq!(app.store().waitlist_of(offer.id).await.unwrap().len(), 1);

    // Leaving a waitlist one isn't on.
    dora.send("/help");
    let help = said(&dora, "What I can do").await;
    let leave = dora.press_data(help.message_id, &format!("1:Z:{}", offer.id));
    assert_eq!(dora.callback_answer(&leave).await.text.as_deref(), Some("You're not on this waitlist."));

    // Anna's hold lapses unanswered; nobody else waits, so it goes on sale.
    cancel_order(&xena, xena_order).await;
    let hold = said(&anna, "It's your turn!").await;
    app.clock.advance(Duration::minutes(11));
    said(&anna, "lapsed").await;
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.remaining()), (OfferStatus::Active, 1));

    // Pass and Confirm on the lapsed hold, Leave after it: nothing changes.
    let pass = anna.press_data(hold.message_id, &hold.inline_buttons[0][1].callback_data.clone().unwrap());
    assert!(anna.callback_answer(&pass).await.text.unwrap_or_default().contains("has lapsed"));
    let take = anna.press_data(hold.message_id, &hold.inline_buttons[0][0].callback_data.clone().unwrap());
    assert!(anna.callback_answer(&take).await.text.unwrap_or_default().contains("has lapsed"));
    let leave = anna.press_data(card.message_id, &format!("1:Z:{}", offer.id));
    assert_eq!(anna.callback_answer(&leave).await.text.as_deref(), Some("You're not on this waitlist."));
    // With units on sale, joining is refused in favour of buying.
    let stale = anna.press_data(card.message_id, &joined_qty_data(&offer));
    assert!(anna.callback_answer(&stale).await.text.unwrap_or_default().contains("buy them now"));
    let o = app.store().offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.remaining(), o.items[0].reserved, o.items[0].sold), (OfferStatus::Active, 1, 0, 0));
    assert_eq!(app.store().waitlist_of(offer.id).await.unwrap()[0].status, WaitStatus::Lapsed);
    assert!(app.tg.unanswered_callbacks().is_empty(), "{:?}", app.tg.unanswered_callbacks());
}

fn joined_qty_data(offer: &glean::store::Offer) -> String {
    format!("1:Q:{}:{}:1", offer.id, offer.items[0].id)
}

trait One {
    fn remaining_one(self) -> glean::store::Purchase;
}

impl One for Vec<glean::store::Purchase> {
    fn remaining_one(self) -> glean::store::Purchase {
        assert_eq!(self.len(), 1, "{self:?}");
        self.into_iter().next().unwrap()
    }
}

trait NoSession {
    async fn purchase_checkout_missing(&self, id: i64) -> bool;
}

impl NoSession for Store {
    async fn purchase_checkout_missing(&self, id: i64) -> bool {
        self.purchase(id).await.unwrap().stripe_session_id.is_none()
    }
}

/// Six reservations lapse at once, through two stores (two processes'
/// pools), while ten people wait: the first six get one hold each, in line
/// order, and nothing is oversold or held twice.
async fn concurrent_releases_go_down_the_line(db: TestDb) {
    let rules = WaitlistRules { hold: Duration::minutes(10), default_tz: chrono_tz::UTC };
    let stores = [db.store.clone().with_waitlist(rules), db.another_store().await.with_waitlist(rules)];
    let offer = active_offer(&stores[0], &[6]).await;
    let item = offer.items[0].id;
    let t = now();
    let mut reservations = Vec::new();
    for n in 0..6 {
        let new = NewPurchase {
            customer_tg_id: 600 + n,
            offer_id: offer.id,
            lines: vec![(item, 1)],
            method: PaymentMethod::Stripe,
            expires_at: Some(t + Duration::minutes(30)),
            request_key: None,
        };
        reservations.push(stores[0].reserve(&new, t).await.unwrap().0.id);
    }
    for n in 0..10 {
        let new = NewWait {
            offer_id: offer.id,
            item_id: item,
            customer_tg_id: 700 + n,
            quantity: 1,
            method: PaymentMethod::AtPickup,
            request_key: None,
        };
        stores[0].join_waitlist(&new, t).await.unwrap();
    }
    let later = t + Duration::minutes(31);
    let tasks: Vec<_> = reservations
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (store, id) = (stores[i % 2].clone(), *id);
            tokio::spawn(async move { store.release(id, PurchaseEvent::Expire, &Actor::System, &[], later).await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().unwrap());
    }
    let entries = stores[0].waitlist_of(offer.id).await.unwrap();
    let states: Vec<WaitStatus> = entries.iter().map(|e| e.status).collect();
    assert_eq!(states[..6], [WaitStatus::Held; 6], "{states:?}");
    assert_eq!(states[6..], [WaitStatus::Waiting; 4], "{states:?}");
    let mut holds: Vec<i64> = entries.iter().filter_map(|e| e.purchase_id).collect();
    holds.sort_unstable();
    holds.dedup();
    assert_eq!(holds.len(), 6);
    let o = stores[0].offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.items[0].reserved, o.items[0].sold), (OfferStatus::SoldOut, 6, 0));
}

/// A deal whose price drops: the unit handed to the person waiting costs
/// what it costs at that moment, as a reservation made then would.
async fn a_hold_locks_the_price_due_when_it_is_made(db: TestDb) {
    use glean::domain::pricing::{DropRule, PriceDrop};
    let store = db.store.clone();
    let (b, v) = crate::support::fixtures::verified_business(&store).await;
    let mut d = crate::support::fixtures::draft(&b, &v, vec![crate::support::fixtures::item("Bag", 500, 250, 1)]);
    let rule = DropRule::new(10, 30, 120).unwrap();
    let drop =
        PriceDrop::new(rule, crate::support::fixtures::eur_cents(100), d.items[0].deal_price, false, chrono_tz::UTC)
            .unwrap();
    d.price_drop = Some(drop);
    let offer = store.create_offer(&d, &Actor::User(b.owner_tg_id), now()).await.unwrap();
    let offer = store
        .apply_offer_event(offer.id, glean::domain::OfferEvent::Publish, &Actor::User(b.owner_tg_id), now())
        .await
        .unwrap();
    let item = offer.items[0].id;
    let new = NewPurchase {
        customer_tg_id: 801,
        offer_id: offer.id,
        lines: vec![(item, 1)],
        method: PaymentMethod::AtPickup,
        expires_at: None,
        request_key: None,
    };
    let (first, _) = store.reserve(&new, now()).await.unwrap();
    assert_eq!(first.total.minor(), 250);
    let wait = NewWait {
        offer_id: offer.id,
        item_id: item,
        customer_tg_id: 802,
        quantity: 1,
        method: PaymentMethod::AtPickup,
        request_key: None,
    };
    store.join_waitlist(&wait, now()).await.unwrap();
    // An hour before the end, three drops are due.
    let later = offer.pickup_end - Duration::minutes(59);
    assert!(store.release(first.id, PurchaseEvent::Cancel, &Actor::User(801), &[], later).await.unwrap());
    let hold = store.purchases_of_customer(802, 5).await.unwrap().remaining_one();
    let due = drop.price_at(offer.items[0].deal_price, offer.pickup_end, later).minor();
    assert!(due < 250, "{due}");
    assert_eq!(
        (hold.status, hold.total.minor(), hold.lines[0].unit_price.minor()),
        (PurchaseStatus::Reserved, due, due)
    );
}

// --- the property test ------------------------------------------------------

/// Who sleeps when (UTC minutes after midnight), for the model.
struct Person {
    id: i64,
    quiet: Option<QuietHours>,
}

async fn random_releases_never_oversell_or_skip_an_awake_person(db: TestDb) {
    let store =
        db.store.clone().with_waitlist(WaitlistRules { hold: Duration::minutes(10), default_tz: chrono_tz::UTC });
    let mut seen = Seen::default();
    for seed in 1..=6_u64 {
        run_seed(&store, seed, &mut seen).await;
    }
    // Not vacuous: holds were made, sleepers passed over, and holds ended
    // every way.
    assert!(seen.holds >= 50 && seen.sleepers_passed >= 1, "{seen:?}");
    assert!(seen.lapsed >= 1 && seen.passed >= 1 && seen.bought >= 1, "{seen:?}");
}

/// What the runs exercised.
#[derive(Debug, Default)]
struct Seen {
    holds: u32,
    asleep_waiting: u32,
    sleepers_passed: u32,
    lapsed: u32,
    passed: u32,
    bought: u32,
}

async fn run_seed(store: &Store, seed: u64, seen: &mut Seen) {
    let mut rng = StdRng::seed_from_u64(seed);
    let offer = active_offer(store, &[3, 2]).await;
    let items: Vec<i64> = offer.items.iter().map(|i| i.id).collect();
    let start = now();
    let mut t = start;
    // Eight people; some have quiet hours somewhere in the next hours.
    let mut people = Vec::new();
    for n in 0..8_i64 {
        let id = seed as i64 * 1000 + n;
        let quiet = (n % 2 == 0).then(|| {
            let m = (t.hour() * 60 + t.minute()) as u16 + 1440;
            let from = (m + rng.gen_range(0..180) - 60) % 1440;
            QuietHours::new(from, (from + rng.gen_range(30..150)) % 1440).unwrap()
        });
        let stored = StoredQuiet { timezone: Some("UTC".into()), quiet: quiet.map(QuietHours::minutes) };
        store.set_quiet(id, &stored, t).await.unwrap();
        people.push(Person { id, quiet });
    }
    let mut keys = 0;
    for step in 0..240 {
        let before = store.waitlist_of(offer.id).await.unwrap();
        let p = &people[rng.gen_range(0..people.len())];
        let item = items[rng.gen_range(0..items.len())];
        let what = rng.gen_range(0..100);
        let op: &str = match what {
            0..=24 => {
                keys += 1;
                let new = NewWait {
                    offer_id: offer.id,
                    item_id: item,
                    customer_tg_id: p.id,
                    quantity: rng.gen_range(1..=3),
                    method: PaymentMethod::AtPickup,
                    request_key: Some(format!("prop:{seed}:{keys}")),
                };
                match store.join_waitlist(&new, t).await {
                    Ok(_) | Err(JoinError::Already(..) | JoinError::Available) => {}
                    Err(e) => panic!("join: {e:?}"),
                }
                "join"
            }
            25..=28 => {
                store.leave_waitlist(offer.id, p.id, t).await.unwrap();
                "leave"
            }
            29..=53 => {
                let card = rng.gen_bool(0.5);
                let new = NewPurchase {
                    customer_tg_id: 500 + rng.gen_range(0..5),
                    offer_id: offer.id,
                    lines: vec![(item, rng.gen_range(1..=2))],
                    method: if card { PaymentMethod::Stripe } else { PaymentMethod::AtPickup },
                    expires_at: card.then(|| t + Duration::minutes(30)),
                    request_key: None,
                };
                let _ = store.reserve(&new, t).await;
                "buy"
            }
            54..=69 => {
                // A reservation lapses or an order is cancelled.
                let open = store
                    .purchases_of_offer(offer.id, &[PurchaseStatus::Reserved, PurchaseStatus::Confirmed])
                    .await
                    .unwrap();
                if let Some(pu) = open.get(rng.gen_range(0..open.len().max(1))) {
                    let event = if pu.status == PurchaseStatus::Reserved && rng.gen_bool(0.5) {
                        PurchaseEvent::Expire
                    } else {
                        PurchaseEvent::Cancel
                    };
                    let tell = [(To::Customer, glean::domain::NoticeKind::ReservationLapsed)];
                    store.release(pu.id, event, &Actor::System, &tell[..0], t).await.unwrap();
                }
                "release"
            }
            70..=77 => {
                // A hold is confirmed (or paid by card).
                let held: Vec<WaitEntry> = before.iter().filter(|e| e.status == WaitStatus::Held).cloned().collect();
                if let Some(e) = held.get(rng.gen_range(0..held.len().max(1))) {
                    let id = e.purchase_id.unwrap();
                    if rng.gen_bool(0.5) {
                        assert!(store.confirm_hold(id, &Actor::User(e.customer_tg_id), t).await.unwrap());
                    } else {
                        store.mark_paid(id, Some("pi_test"), None, t).await.unwrap();
                    }
                }
                "take"
            }
            78..=81 => {
                let qty = store.offer(offer.id).await.unwrap();
                let it = qty.items.iter().find(|i| i.id == item).unwrap();
                store.set_item_quantity(item, it.quantity + rng.gen_range(1..=2), &Actor::User(1), t).await.unwrap();
                "raise"
            }
            _ => {
                // Time passes (people fall asleep and wake), then the sweep.
                if t < start + Duration::hours(5) {
                    t += Duration::minutes(rng.gen_range(1..40));
                }
                store.waitlist_sweep(t).await.unwrap();
                "tick"
            }
        };
        check(store, offer.id, &people, &before, t, seen)
            .await
            .unwrap_or_else(|e| panic!("seed {seed} step {step} ({op}): {e}"));
    }
    for e in store.waitlist_of(offer.id).await.unwrap() {
        match e.status {
            WaitStatus::Lapsed => seen.lapsed += 1,
            WaitStatus::Passed => seen.passed += 1,
            WaitStatus::Bought => seen.bought += 1,
            _ => {}
        }
    }
}

fn is_asleep(people: &[Person], id: i64, t: DateTime<Utc>) -> bool {
    people.iter().find(|p| p.id == id).is_some_and(|p| asleep(p.quiet, chrono_tz::UTC, t))
}

/// The invariants after one step, at time `t`; `before` is the line before it.
async fn check(
    store: &Store,
    offer_id: i64,
    people: &[Person],
    before: &[WaitEntry],
    t: DateTime<Utc>,
    seen: &mut Seen,
) -> Result<(), String> {
    let offer = store.offer(offer_id).await.map_err(|e| e.to_string())?;
    let purchases = store.purchases_of_offer(offer_id, &[]).await.map_err(|e| e.to_string())?;
    let entries = store.waitlist_of(offer_id).await.map_err(|e| e.to_string())?;
    // Stock: never oversold, and every unit accounted for exactly once.
    for item in &offer.items {
        let units = |held: fn(PurchaseStatus) -> bool| -> u32 {
            purchases
                .iter()
                .filter(|p| held(p.status))
                .flat_map(|p| p.lines.iter().filter(|l| l.item_id == item.id).map(|l| l.quantity))
                .sum()
        };
        let (reserved, sold) = (units(|s| s.holds_reservation()), units(|s| s.counts_as_sold()));
        if (reserved, sold) != (item.reserved, item.sold) || reserved + sold > item.quantity {
            return Err(format!("item {}: {reserved}+{sold} in orders, {item:?}", item.id));
        }
    }
    // Holds: each an open reservation of its person, for what they asked,
    // and no purchase held for two places.
    let mut held_for = HashMap::new();
    for e in &entries {
        let Some(pid) = e.purchase_id else { continue };
        if let Some(other) = held_for.insert(pid, e.id) {
            return Err(format!("purchase {pid} held for places {other} and {}", e.id));
        }
        let p = purchases.iter().find(|p| p.id == pid).ok_or("a hold without its purchase")?;
        let line = (p.lines.len(), p.lines[0].item_id, p.lines[0].quantity, p.customer_tg_id);
        if line != (1, e.item_id, e.quantity, e.customer_tg_id) {
            return Err(format!("hold {pid} is not what place {} asked for", e.id));
        }
        if (e.status == WaitStatus::Held) != (p.status == PurchaseStatus::Reserved) {
            return Err(format!("place {} is {} but its hold is {}", e.id, e.status, p.status));
        }
    }
    // Nobody awake waits while units their quantity fits are free.
    let free: HashMap<i64, u32> = offer.items.iter().map(|i| (i.id, i.remaining())).collect();
    for e in entries.iter().filter(|e| e.status == WaitStatus::Waiting) {
        if !is_asleep(people, e.customer_tg_id, t) && free[&e.item_id] >= e.quantity {
            return Err(format!(
                "place {} (awake, {} units) waits while {} are free",
                e.id, e.quantity, free[&e.item_id]
            ));
        }
    }
    // In line order: a hold made in this step passed over nobody before it
    // who was awake and whose quantity fitted what was free at their turn.
    let now_of = |id: i64| entries.iter().find(|e| e.id == id).map(|e| e.status);
    let new_holds: Vec<&WaitEntry> = before
        .iter()
        .filter(|b| b.status == WaitStatus::Waiting && now_of(b.id).is_some_and(|s| s != WaitStatus::Waiting))
        .filter(|b| entries.iter().any(|e| e.id == b.id && e.purchase_id.is_some()))
        .collect();
    seen.holds += new_holds.len() as u32;
    if let Some(h) = new_holds.iter().find(|h| is_asleep(people, h.customer_tg_id, t)) {
        return Err(format!("place {} got a hold in its quiet hours", h.id));
    }
    seen.asleep_waiting +=
        before.iter().filter(|b| b.status == WaitStatus::Waiting && is_asleep(people, b.customer_tg_id, t)).count()
            as u32;
    for w in before.iter().filter(|b| b.status == WaitStatus::Waiting && now_of(b.id) == Some(WaitStatus::Waiting)) {
        if is_asleep(people, w.customer_tg_id, t) {
            seen.sleepers_passed += u32::from(new_holds.iter().any(|h| h.id > w.id));
            continue;
        }
        let later: u32 = new_holds.iter().filter(|h| h.id > w.id && h.item_id == w.item_id).map(|h| h.quantity).sum();
        if w.quantity <= free[&w.item_id] + later {
            return Err(format!("place {} was passed over for a later one", w.id));
        }
    }
    if offer.status == OfferStatus::Active && offer.remaining() == 0 {
        return Err("an active offer with nothing left".into());
    }
    Ok(())
}
