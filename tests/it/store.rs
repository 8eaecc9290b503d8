//! The store suite: every test runs on SQLite and on PostgreSQL.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Duration;
use glean::domain::business::BusinessEvent;
use glean::domain::purchase::PurchaseEvent;
use glean::domain::{BusinessStatus, OfferEvent, OfferStatus, PurchaseStatus};
use glean::store::{
    Actor, EventRef, NewPurchase, PaidOutcome, PaymentMethod, QuantityError, ReserveError, Store, StoreError,
    StoredImage,
};
use proptest::prelude::*;

use crate::on_both_backends;
use crate::support::db::{self, Backend, TestDb};
use crate::support::fixtures::*;

on_both_backends!(
    business_verification_is_conditional_and_audited,
    publishing_needs_a_verified_business_and_an_open_window,
    reservation_takes_all_lines_or_none,
    no_oversell_across_two_pools,
    sell_out_and_restock_follow_the_rules,
    payment_is_applied_once_and_late_payments_are_safe,
    quantity_never_goes_below_what_is_committed,
    expired_windows_expire_offers,
    cancelling_a_paid_order_returns_stock_and_awaits_refund,
    pickup_by_code,
    events_dialogues_and_images,
    lowering_quantity_while_customers_buy,
    nearest_deals_match_a_brute_force_ranking,
    lists_of_offers_keep_their_order,
    followers_are_seeded_once,
    expired_onboarding_tokens_are_pruned,
    the_shared_ranking_pool_follows_every_change,
    many_writes_at_once_fail_alone_and_stall_no_one,
    last_units_of_different_items_sell_the_offer_out,
    a_request_key_reserves_once,
);

fn reserve_req(offer_id: i64, customer: i64, lines: Vec<(i64, u32)>, method: PaymentMethod) -> NewPurchase {
    NewPurchase {
        customer_tg_id: customer,
        offer_id,
        lines,
        method,
        expires_at: (method == PaymentMethod::Stripe).then(|| now() + Duration::minutes(30)),
        request_key: None,
    }
}

async fn business_verification_is_conditional_and_audited(db: TestDb) {
    let s = &db.store;
    let (b, _) = verified_business(s).await;
    assert_eq!(b.status, BusinessStatus::Verified);
    let again = s.apply_business_event(b.id, BusinessEvent::Verify, None, &Actor::Admin(ADMIN), now()).await;
    assert!(matches!(again, Err(StoreError::Transition(_))), "{again:?}");
    let rejected = s.apply_business_event(b.id, BusinessEvent::Reject, Some("no"), &Actor::Admin(ADMIN), now()).await;
    assert!(matches!(rejected, Err(StoreError::Transition(_))));
    let suspended =
        s.apply_business_event(b.id, BusinessEvent::Suspend, Some("complaints"), &Actor::Admin(ADMIN), now()).await;
    assert_eq!(suspended.unwrap().status, BusinessStatus::Suspended);
    let missing = s.apply_business_event(999_999, BusinessEvent::Verify, None, &Actor::Admin(ADMIN), now()).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));

    let trail = s.audit_trail("business", b.id).await.unwrap();
    let actions: Vec<_> = trail.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(actions, [("register", "user:1001"), ("verify", "admin:9001"), ("suspend", "admin:9001")]);
    assert_eq!(trail[2].before.as_deref(), Some("verified"));
    assert_eq!(trail[2].after.as_deref(), Some("suspended"));
}

async fn publishing_needs_a_verified_business_and_an_open_window(db: TestDb) {
    let s = &db.store;
    let (b, v) = verified_business(s).await;
    // Suspended: can't publish.
    s.apply_business_event(b.id, BusinessEvent::Suspend, None, &Actor::Admin(ADMIN), now()).await.unwrap();
    let d = s.create_offer(&draft(&b, &v, vec![item("Bread", 500, 200, 5)]), &Actor::User(OWNER), now()).await.unwrap();
    assert_eq!(d.status, OfferStatus::Draft);
    let refused = s.apply_offer_event(d.id, OfferEvent::Publish, &Actor::User(OWNER), now()).await;
    assert!(matches!(refused, Err(StoreError::Transition(ref e)) if e.from.contains("not verified")), "{refused:?}");
    s.apply_business_event(b.id, BusinessEvent::Unsuspend, None, &Actor::Admin(ADMIN), now()).await.unwrap();
    // Window over by the time of publishing.
    let late = now() + Duration::hours(7);
    let refused = s.apply_offer_event(d.id, OfferEvent::Publish, &Actor::User(OWNER), late).await;
    assert!(matches!(refused, Err(StoreError::Transition(ref e)) if e.from.contains("pickup window")), "{refused:?}");
    let o = s.apply_offer_event(d.id, OfferEvent::Publish, &Actor::User(OWNER), now()).await.unwrap();
    assert_eq!(o.status, OfferStatus::Active);
    assert!(o.published_at.is_some());
    assert_eq!(o.items.len(), 1);
    assert_eq!(o.items[0].deal_price, eur_cents(200));
    // Publishing twice is refused, state unchanged.
    assert!(s.apply_offer_event(d.id, OfferEvent::Publish, &Actor::User(OWNER), now()).await.is_err());
    assert_eq!(s.offer(d.id).await.unwrap().status, OfferStatus::Active);
}

async fn reservation_takes_all_lines_or_none(db: TestDb) {
    let s = &db.store;
    let offer = active_offer(s, &[5, 2]).await;
    let (a, b) = (offer.items[0].id, offer.items[1].id);
    let too_many = s.reserve(&reserve_req(offer.id, 1, vec![(a, 3), (b, 3)], PaymentMethod::Stripe), now()).await;
    assert!(matches!(too_many, Err(ReserveError::SoldOut)), "{too_many:?}");
    let o = s.offer(offer.id).await.unwrap();
    assert_eq!((o.items[0].reserved, o.items[1].reserved), (0, 0), "nothing reserved after a refused order");

    let (p, remaining) =
        s.reserve(&reserve_req(offer.id, 1, vec![(a, 3), (b, 2)], PaymentMethod::Stripe), now()).await.unwrap();
    assert_eq!(p.status, PurchaseStatus::Reserved);
    assert_eq!(p.total, eur_cents(5 * 250));
    assert_eq!(remaining, 2);
    assert_eq!(p.lines.len(), 2);
    let o = s.offer(offer.id).await.unwrap();
    assert_eq!((o.items[0].reserved, o.items[1].reserved), (3, 2));

    // Pay at pickup counts as sold at once.
    let (p2, _) = s.reserve(&reserve_req(offer.id, 2, vec![(a, 1)], PaymentMethod::AtPickup), now()).await.unwrap();
    assert_eq!(p2.status, PurchaseStatus::Confirmed);
    assert_eq!(s.offer(offer.id).await.unwrap().items[0].sold, 1);

    // Bad requests change nothing.
    let unknown = s.reserve(&reserve_req(offer.id, 1, vec![(999_999, 1)], PaymentMethod::Stripe), now()).await;
    assert!(matches!(unknown, Err(ReserveError::NotFound)));
    let empty = s.reserve(&reserve_req(offer.id, 1, vec![], PaymentMethod::Stripe), now()).await;
    assert!(matches!(empty, Err(ReserveError::Empty)));
    let dup = s.reserve(&reserve_req(offer.id, 1, vec![(a, 1), (a, 1)], PaymentMethod::Stripe), now()).await;
    assert!(matches!(dup, Err(ReserveError::Empty)));
    let ended =
        s.reserve(&reserve_req(offer.id, 1, vec![(a, 1)], PaymentMethod::Stripe), now() + Duration::hours(7)).await;
    assert!(matches!(ended, Err(ReserveError::Ended)), "{ended:?}");

    s.apply_offer_event(offer.id, OfferEvent::Pause, &Actor::User(OWNER), now()).await.unwrap();
    let paused = s.reserve(&reserve_req(offer.id, 1, vec![(a, 1)], PaymentMethod::Stripe), now()).await;
    assert!(matches!(paused, Err(ReserveError::Unavailable(OfferStatus::Paused))), "{paused:?}");
    let o = s.offer(offer.id).await.unwrap();
    assert_eq!((o.items[0].reserved, o.items[0].sold, o.items[1].reserved), (3, 1, 2));
}

/// 50 customers, two independent pools (as two processes), 10 units.
async fn no_oversell_across_two_pools(db: TestDb) {
    let offer = active_offer(&db.store, &[10]).await;
    let item = offer.items[0].id;
    let stores = Arc::new([db.store.clone(), db.another_store().await]);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let stores = stores.clone();
            tokio::spawn(async move {
                let store = &stores[i % 2];
                store
                    .reserve(&reserve_req(offer.id, 100 + i as i64, vec![(item, 1)], PaymentMethod::Stripe), now())
                    .await
            })
        })
        .collect();
    let (mut ok, mut sold_out) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(ReserveError::SoldOut) | Err(ReserveError::Unavailable(OfferStatus::SoldOut)) => sold_out += 1,
            Err(e) => panic!("unexpected error: {e:?}"),
        }
    }
    assert_eq!((ok, sold_out), (10, 40));
    let o = db.store.offer(offer.id).await.unwrap();
    assert_eq!(o.items[0].reserved, 10);
    assert_eq!(o.remaining(), 0);
    assert_eq!(o.status, OfferStatus::SoldOut, "sold out automatically");
}

/// Buyers of an offer's different items take the last unit of each at the
/// same time, through two pools (as two processes): whoever commits last
/// must see the others' units gone and mark the offer sold out, once.
async fn last_units_of_different_items_sell_the_offer_out(db: TestDb) {
    let stores = Arc::new([db.store.clone(), db.another_store().await]);
    for round in 0..8_i64 {
        let offer = active_offer(&db.store, &[1, 1, 1, 1]).await;
        let tasks: Vec<_> = offer
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let (stores, item) = (stores.clone(), it.id);
                let customer = 500 + round * 10 + i as i64;
                tokio::spawn(async move {
                    let req = reserve_req(offer.id, customer, vec![(item, 1)], PaymentMethod::AtPickup);
                    stores[i % 2].reserve(&req, now()).await
                })
            })
            .collect();
        for t in tasks {
            let (p, _) = t.await.unwrap().expect("each item had one unit for one buyer");
            assert_eq!(p.status, PurchaseStatus::Confirmed);
        }
        let o = db.store.offer(offer.id).await.unwrap();
        assert_eq!(o.remaining(), 0);
        assert_eq!((o.status, o.sold_out_by_hand), (OfferStatus::SoldOut, false), "round {round}");
        let sell_outs = db.store.audit_trail("offer", offer.id).await.unwrap();
        let sell_outs: Vec<_> = sell_outs.iter().filter(|e| e.action == "sell_out").collect();
        assert_eq!(sell_outs.len(), 1, "round {round}: {sell_outs:?}");
        assert_eq!(sell_outs[0].actor, "system");
    }
}

/// A request carried out twice (a replayed update, a double press, two
/// instances) makes one purchase: the second gets the first's, and takes
/// no stock.
async fn a_request_key_reserves_once(db: TestDb) {
    let offer = active_offer(&db.store, &[5]).await;
    let item = offer.items[0].id;
    let keyed = |customer| NewPurchase {
        request_key: Some("chat:1:msg:2".into()),
        ..reserve_req(offer.id, customer, vec![(item, 2)], PaymentMethod::AtPickup)
    };
    let (first, remaining) = db.store.reserve(&keyed(1), now()).await.unwrap();
    assert_eq!(remaining, 3);
    let again = db.store.reserve(&keyed(1), now()).await;
    assert!(matches!(again, Err(ReserveError::AlreadyMade(id)) if id == first.id), "{again:?}");
    let elsewhere = db.another_store().await.reserve(&keyed(1), now()).await;
    assert!(matches!(elsewhere, Err(ReserveError::AlreadyMade(id)) if id == first.id), "{elsewhere:?}");
    let o = db.store.offer(offer.id).await.unwrap();
    assert_eq!((o.items[0].sold, o.remaining()), (2, 3), "stock taken once");
    assert_eq!(db.store.purchases_of_offer(offer.id, &[]).await.unwrap().len(), 1);
    let trail = db.store.audit_trail("purchase", first.id).await.unwrap();
    assert_eq!(trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["purchase"]);

    // Replayed once the rest sold out: still the first purchase, not
    // "sold out".
    db.store.reserve(&reserve_req(offer.id, 2, vec![(item, 3)], PaymentMethod::AtPickup), now()).await.unwrap();
    assert_eq!(db.store.offer(offer.id).await.unwrap().status, OfferStatus::SoldOut);
    let replayed = db.store.reserve(&keyed(1), now()).await;
    assert!(matches!(replayed, Err(ReserveError::AlreadyMade(id)) if id == first.id), "{replayed:?}");
}

async fn sell_out_and_restock_follow_the_rules(db: TestDb) {
    let s = &db.store;
    let offer = active_offer(s, &[1]).await;
    let item = offer.items[0].id;
    let (p, remaining) =
        s.reserve(&reserve_req(offer.id, 1, vec![(item, 1)], PaymentMethod::Stripe), now()).await.unwrap();
    assert_eq!(remaining, 0);
    assert_eq!(s.offer(offer.id).await.unwrap().status, OfferStatus::SoldOut);
    // Released: back to active by itself.
    assert!(s.release(p.id, PurchaseEvent::Expire, &Actor::System, &[], now()).await.unwrap());
    assert!(
        !s.release(p.id, PurchaseEvent::Expire, &Actor::System, &[], now()).await.unwrap(),
        "second release is a no-op"
    );
    let o = s.offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.items[0].reserved), (OfferStatus::Active, 0));

    // Marked sold out by hand: stays sold out when stock comes back.
    s.apply_offer_event(offer.id, OfferEvent::MarkSoldOut, &Actor::User(OWNER), now()).await.unwrap();
    let o = s.offer(offer.id).await.unwrap();
    assert_eq!((o.status, o.sold_out_by_hand), (OfferStatus::SoldOut, true));
    s.set_item_quantity(item, 5, &Actor::User(OWNER), now()).await.unwrap();
    assert_eq!(s.offer(offer.id).await.unwrap().status, OfferStatus::SoldOut, "by hand stays sold out");
    let restock = s.apply_offer_event(offer.id, OfferEvent::Restock, &Actor::System, now()).await;
    assert!(matches!(restock, Err(StoreError::Transition(_))));
    // Withdraw is allowed from sold out.
    let w = s.apply_offer_event(offer.id, OfferEvent::Withdraw, &Actor::User(OWNER), now()).await.unwrap();
    assert_eq!(w.status, OfferStatus::Withdrawn);
}

async fn payment_is_applied_once_and_late_payments_are_safe(db: TestDb) {
    let s = &db.store;
    let offer = active_offer(s, &[3]).await;
    let item = offer.items[0].id;
    let req = |c| reserve_req(offer.id, c, vec![(item, 1)], PaymentMethod::Stripe);

    let (p1, _) = s.reserve(&req(1), now()).await.unwrap();
    let ev = EventRef { source: "stripe", id: "evt_1" };
    assert_eq!(s.mark_paid(p1.id, Some("pi_1"), Some(ev), now()).await.unwrap(), PaidOutcome::Confirmed);
    assert_eq!(s.mark_paid(p1.id, Some("pi_1"), Some(ev), now()).await.unwrap(), PaidOutcome::Duplicate, "same event");
    assert_eq!(
        s.mark_paid(p1.id, Some("pi_1"), None, now()).await.unwrap(),
        PaidOutcome::AlreadyKnown,
        "a replay changes nothing"
    );
    let p1 = s.purchase(p1.id).await.unwrap();
    assert_eq!((p1.status, p1.stripe_payment_intent.as_deref()), (PurchaseStatus::Paid, Some("pi_1")));

    // Late payment with stock left: taken.
    let (p2, _) = s.reserve(&req(2), now()).await.unwrap();
    assert!(s.release(p2.id, PurchaseEvent::Expire, &Actor::System, &[], now()).await.unwrap());
    assert_eq!(s.mark_paid(p2.id, Some("pi_2"), None, now()).await.unwrap(), PaidOutcome::Confirmed);
    assert_eq!(s.purchase(p2.id).await.unwrap().status, PurchaseStatus::Paid);

    // Late payment with nothing left: refund pending, stock untouched.
    let (p3, _) = s.reserve(&req(3), now()).await.unwrap();
    assert!(s.release(p3.id, PurchaseEvent::Expire, &Actor::System, &[], now()).await.unwrap());
    let (_p4, _) = s.reserve(&req(4), now()).await.unwrap();
    let o = s.offer(offer.id).await.unwrap();
    assert_eq!(o.remaining(), 0);
    assert_eq!(s.mark_paid(p3.id, Some("pi_3"), None, now()).await.unwrap(), PaidOutcome::MustRefund);
    assert_eq!(s.purchase(p3.id).await.unwrap().status, PurchaseStatus::RefundPending);
    let o2 = s.offer(offer.id).await.unwrap();
    assert_eq!((o2.items[0].reserved, o2.items[0].sold), (o.items[0].reserved, o.items[0].sold));
    assert!(s.mark_refunded(p3.id, Some("re_3"), None, now()).await.unwrap());
    assert!(!s.mark_refunded(p3.id, Some("re_3"), None, now()).await.unwrap());
    // A card refund can fail after it succeeded; an admin then settles it.
    assert!(s.mark_refund_failed(p3.id, "expired_or_canceled_card", &[ADMIN], None, now()).await.unwrap());
    assert_eq!(s.purchase(p3.id).await.unwrap().status, PurchaseStatus::RefundFailed);
    let settled = s.resolve_failed_refund(p3.id, PurchaseEvent::SettleRefund, &Actor::Admin(ADMIN), now()).await;
    assert_eq!(settled.unwrap(), PurchaseStatus::RefundSettled);
    assert!(matches!(
        s.resolve_failed_refund(p3.id, PurchaseEvent::RetryRefund, &Actor::Admin(ADMIN), now()).await,
        Err(StoreError::Transition(_))
    ));
}

async fn quantity_never_goes_below_what_is_committed(db: TestDb) {
    let s = &db.store;
    let offer = active_offer(s, &[5]).await;
    let item = offer.items[0].id;
    s.reserve(&reserve_req(offer.id, 1, vec![(item, 2)], PaymentMethod::Stripe), now()).await.unwrap();
    s.reserve(&reserve_req(offer.id, 2, vec![(item, 1)], PaymentMethod::AtPickup), now()).await.unwrap();
    let r = s.set_item_quantity(item, 2, &Actor::User(OWNER), now()).await;
    assert!(matches!(r, Err(QuantityError::BelowCommitted { committed: 3 })), "{r:?}");
    assert_eq!(s.offer(offer.id).await.unwrap().items[0].quantity, 5);
    let o = s.set_item_quantity(item, 3, &Actor::User(OWNER), now()).await.unwrap();
    assert_eq!((o.items[0].quantity, o.status), (3, OfferStatus::SoldOut), "exactly committed: sold out");
    let o = s.set_item_quantity(item, 8, &Actor::User(OWNER), now()).await.unwrap();
    assert_eq!((o.items[0].quantity, o.status), (8, OfferStatus::Active), "units added: back by itself");
    assert!(matches!(
        s.set_item_quantity(999_999, 1, &Actor::User(OWNER), now()).await,
        Err(QuantityError::Store(StoreError::NotFound))
    ));
}

async fn expired_windows_expire_offers(db: TestDb) {
    let s = &db.store;
    let offer = active_offer(s, &[2]).await;
    assert!(s.expire_offers(now()).await.unwrap().is_empty());
    let later = offer.pickup_end + Duration::seconds(1);
    assert_eq!(s.expire_offers(later).await.unwrap(), vec![offer.id]);
    assert!(s.expire_offers(later).await.unwrap().is_empty(), "runs twice, acts once");
    assert_eq!(s.offer(offer.id).await.unwrap().status, OfferStatus::Expired);
    let r = s.reserve(&reserve_req(offer.id, 1, vec![(offer.items[0].id, 1)], PaymentMethod::Stripe), now()).await;
    assert!(matches!(r, Err(ReserveError::Unavailable(OfferStatus::Expired))));
}

async fn cancelling_a_paid_order_returns_stock_and_awaits_refund(db: TestDb) {
    let s = &db.store;
    let offer = active_offer(s, &[2]).await;
    let item = offer.items[0].id;
    let (p, _) = s.reserve(&reserve_req(offer.id, 1, vec![(item, 2)], PaymentMethod::Stripe), now()).await.unwrap();
    s.mark_paid(p.id, Some("pi_x"), None, now()).await.unwrap();
    assert_eq!(s.offer(offer.id).await.unwrap().status, OfferStatus::SoldOut);
    assert!(s.request_refund(p.id, &Actor::User(1), now()).await.unwrap());
    assert!(!s.request_refund(p.id, &Actor::User(1), now()).await.unwrap(), "double press: once");
    let o = s.offer(offer.id).await.unwrap();
    assert_eq!((o.items[0].sold, o.status), (0, OfferStatus::Active));
    assert_eq!(s.purchase(p.id).await.unwrap().status, PurchaseStatus::RefundPending);
}

async fn pickup_by_code(db: TestDb) {
    let s = &db.store;
    let offer = active_offer(s, &[3]).await;
    let item = offer.items[0].id;
    let (p, _) = s.reserve(&reserve_req(offer.id, 1, vec![(item, 1)], PaymentMethod::AtPickup), now()).await.unwrap();
    let other = glean::domain::PickupCode::parse("ZZZZZZ").unwrap();
    assert!(matches!(
        s.pick_up(offer.business_id, &other, &Actor::User(OWNER), now()).await,
        Err(glean::store::PickupError::UnknownCode)
    ));
    // Another business can't collect it.
    assert!(s.pick_up(offer.business_id + 1000, &p.pickup_code, &Actor::User(OWNER), now()).await.is_err());
    let done = s.pick_up(offer.business_id, &p.pickup_code, &Actor::User(OWNER), now()).await.unwrap();
    assert_eq!(done.status, PurchaseStatus::PickedUp);
    assert!(matches!(
        s.pick_up(offer.business_id, &p.pickup_code, &Actor::User(OWNER), now()).await,
        Err(glean::store::PickupError::NotCollectable(PurchaseStatus::PickedUp))
    ));
}

async fn events_dialogues_and_images(db: TestDb) {
    let s = &db.store;
    assert!(s.first_time("stripe", "evt_1", now()).await.unwrap());
    assert!(!s.first_time("stripe", "evt_1", now()).await.unwrap());
    assert!(s.first_time("telegram", "evt_1", now()).await.unwrap());

    assert_eq!(s.dialogue(42).await.unwrap(), None);
    s.save_dialogue(42, r#"{"step":1}"#, now()).await.unwrap();
    s.save_dialogue(42, r#"{"step":2}"#, now()).await.unwrap();
    assert_eq!(s.dialogue(42).await.unwrap().as_deref(), Some(r#"{"step":2}"#));
    s.clear_dialogue(42).await.unwrap();
    assert_eq!(s.dialogue(42).await.unwrap(), None);

    let img = StoredImage {
        name: "abc-display.jpg".into(),
        content_type: "image/jpeg".into(),
        width: 2,
        height: 1,
        bytes: vec![0xff, 0xd8, 0, 1, 2],
    };
    s.put_image(&img, now()).await.unwrap();
    s.put_image(&img, now()).await.unwrap();
    let back = s.image("abc-display.jpg").await.unwrap().unwrap();
    assert_eq!((back.bytes, back.width, back.height), (img.bytes.clone(), 2, 1));
    assert!(s.image("nope.jpg").await.unwrap().is_none());
}

// ---------------------------------------------------------------------------
// Property: any sequence of store operations keeps the stock counters equal
// to what the purchases hold, and within quantity.

#[derive(Debug, Clone)]
enum Op {
    Reserve { customer: u8, item: usize, units: u32, at_pickup: bool },
    Pay { nth: usize },
    Expire { nth: usize },
    Cancel { nth: usize },
    Refund { nth: usize },
    SetQuantity { item: usize, quantity: u32 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..5, 0usize..2, 1u32..4, any::<bool>())
            .prop_map(|(customer, item, units, at_pickup)| Op::Reserve { customer, item, units, at_pickup }),
        2 => any::<usize>().prop_map(|nth| Op::Pay { nth }),
        1 => any::<usize>().prop_map(|nth| Op::Expire { nth }),
        1 => any::<usize>().prop_map(|nth| Op::Cancel { nth }),
        1 => any::<usize>().prop_map(|nth| Op::Refund { nth }),
        1 => (0usize..2, 0u32..12).prop_map(|(item, quantity)| Op::SetQuantity { item, quantity }),
    ]
}

async fn run_ops(store: &Store, ops: &[Op]) -> Result<(), TestCaseError> {
    let offer = active_offer(store, &[6, 4]).await;
    let mut purchases: Vec<i64> = Vec::new();
    let pick = |v: &Vec<i64>, nth: usize| (!v.is_empty()).then(|| v[nth % v.len()]);
    for op in ops {
        match op {
            Op::Reserve { customer, item, units, at_pickup } => {
                let method = if *at_pickup { PaymentMethod::AtPickup } else { PaymentMethod::Stripe };
                let req = reserve_req(offer.id, i64::from(*customer), vec![(offer.items[*item].id, *units)], method);
                match store.reserve(&req, now()).await {
                    Ok((p, _)) => purchases.push(p.id),
                    Err(ReserveError::SoldOut | ReserveError::Unavailable(_)) => {}
                    Err(e) => return Err(TestCaseError::fail(format!("reserve: {e:?}"))),
                }
            }
            Op::Pay { nth } => {
                if let Some(id) = pick(&purchases, *nth) {
                    store
                        .mark_paid(id, Some("pi"), None, now())
                        .await
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
            Op::Expire { nth } | Op::Cancel { nth } => {
                if let Some(id) = pick(&purchases, *nth) {
                    let ev =
                        if matches!(op, Op::Expire { .. }) { PurchaseEvent::Expire } else { PurchaseEvent::Cancel };
                    store
                        .release(id, ev, &Actor::System, &[], now())
                        .await
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
            Op::Refund { nth } => {
                if let Some(id) = pick(&purchases, *nth) {
                    store
                        .request_refund(id, &Actor::System, now())
                        .await
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
            Op::SetQuantity { item, quantity } => {
                match store.set_item_quantity(offer.items[*item].id, *quantity, &Actor::User(OWNER), now()).await {
                    Ok(_) | Err(QuantityError::BelowCommitted { .. }) => {}
                    Err(e) => return Err(TestCaseError::fail(format!("set quantity: {e:?}"))),
                }
            }
        }
        // The invariant after every step.
        let o = store.offer(offer.id).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut held: HashMap<i64, (u32, u32)> = HashMap::new();
        for id in &purchases {
            let p = store.purchase(*id).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
            for l in &p.lines {
                let e = held.entry(l.item_id).or_default();
                if p.status.holds_reservation() {
                    e.0 += l.quantity;
                } else if p.status.counts_as_sold() {
                    e.1 += l.quantity;
                }
            }
        }
        for it in &o.items {
            let (reserved, sold) = held.get(&it.id).copied().unwrap_or_default();
            prop_assert_eq!((it.reserved, it.sold), (reserved, sold), "item {} after {:?}", it.id, op);
            prop_assert!(
                it.reserved + it.sold + it.remaining() == it.quantity,
                "sold + reserved + remaining = quantity"
            );
        }
        let should_be_sold_out = o.remaining() == 0;
        if o.status == OfferStatus::Active {
            prop_assert!(!should_be_sold_out, "active with nothing left after {:?}", op);
        }
    }
    Ok(())
}

fn stock_invariant_holds(backend: Backend) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let Some(db) = rt.block_on(db::fresh(backend)) else { return };
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 24, ..ProptestConfig::default() });
    runner.run(&proptest::collection::vec(op(), 1..25), |ops| rt.block_on(run_ops(&db.store, &ops))).unwrap();
}

#[test]
fn stock_invariant_holds_sqlite() {
    stock_invariant_holds(Backend::Sqlite);
}

#[test]
fn stock_invariant_holds_postgres() {
    stock_invariant_holds(Backend::Postgres);
}

/// The business lowers the quantity while customers buy: never oversold,
/// never below what is sold or reserved.
async fn lowering_quantity_while_customers_buy(db: TestDb) {
    let offer = active_offer(&db.store, &[20]).await;
    let item = offer.items[0].id;
    let stores = Arc::new([db.store.clone(), db.another_store().await]);
    let mut tasks = Vec::new();
    for i in 0..30 {
        let stores = stores.clone();
        tasks.push(tokio::spawn(async move {
            let req = reserve_req(offer.id, 200 + i, vec![(item, 1)], PaymentMethod::AtPickup);
            stores[(i % 2) as usize].reserve(&req, now()).await.is_ok()
        }));
    }
    let mut edits = Vec::new();
    for q in [15u32, 8, 12, 5, 18, 3, 10] {
        let stores = stores.clone();
        edits.push(tokio::spawn(async move {
            match stores[(q % 2) as usize].set_item_quantity(item, q, &Actor::User(OWNER), now()).await {
                Ok(_) => Some(q),
                Err(QuantityError::BelowCommitted { .. }) => None,
                Err(e) => panic!("{e:?}"),
            }
        }));
    }
    let mut bought = 0;
    for t in tasks {
        if t.await.unwrap() {
            bought += 1;
        }
    }
    for e in edits {
        e.await.unwrap();
    }
    let o = db.store.offer(offer.id).await.unwrap();
    let it = &o.items[0];
    assert_eq!(it.sold, bought, "every successful reservation counted");
    assert!(it.sold + it.reserved <= it.quantity, "never oversold: {it:?}");
    assert_eq!(db.store.purchases_of_offer(offer.id, &[]).await.unwrap().len() as u32, bought);
}

/// The band-by-band search with its ranking in SQL gives what ranking
/// every active deal by exact distance gives, across band edges, for
/// radii that need the box widened and for limits above what is there.
async fn nearest_deals_match_a_brute_force_ranking(db: TestDb) {
    use glean::domain::{Coordinates, Currency};
    use glean::store::OfferFilter;
    let s = &db.store;
    let center = Coordinates::new(52.52, 13.40).unwrap();
    let spec = glean::seed::SeedSpec {
        businesses: 3,
        offers: 400,
        center,
        radius_km: 4.0,
        currency: Currency::from_code("EUR").unwrap(),
        timezone: chrono_tz::Europe::Berlin,
        rng_seed: 11,
    };
    let t = now();
    glean::seed::seed(s, &spec, t).await.unwrap();
    let all =
        s.offers(&OfferFilter { business_id: None, statuses: vec![OfferStatus::Active], limit: 500 }).await.unwrap();
    assert_eq!(all.len(), 400);
    // A withdrawn deal is never found, however near.
    s.apply_offer_event(all[0].id, OfferEvent::Withdraw, &Actor::System, t).await.unwrap();
    let points = [
        center,
        // On a band edge: 52.52 + 90 = 142.52 is a multiple of 0.01.
        Coordinates::new(52.53, 13.41).unwrap(),
        Coordinates::new(52.549_99, 13.38).unwrap(),
        Coordinates::new(52.50, 13.45).unwrap(),
    ];
    for at in points {
        for (radius_m, limit) in [(500.0, 5), (2_000.0, 20), (3_000.0, 100), (50_000.0, 500)] {
            let mut expected: Vec<(f64, i64)> =
                all[1..].iter().map(|o| (o.location.distance_m(at), o.id)).filter(|(d, _)| *d <= radius_m).collect();
            expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            expected.truncate(limit);
            let found = s.nearest_active(at, radius_m, None, limit as i64, t).await.unwrap();
            let got: Vec<i64> = found.iter().map(|c| c.offer_id).collect();
            let want: Vec<i64> = expected.iter().map(|(_, id)| *id).collect();
            assert_eq!(got, want, "at {at:?}, radius {radius_m} m, limit {limit}");
            let ids = s.nearest_active_ids(at, radius_m, None, limit as i64, t).await.unwrap();
            assert_eq!(ids.iter().map(|(id, _)| *id).collect::<Vec<_>>(), want, "the ids alone, likewise");
            for (c, (d, _)) in found.iter().zip(&expected) {
                assert!((c.distance_m.unwrap() - d).abs() < 0.01, "exact distances are reported");
            }
        }
    }
}

/// Offers, their list context and pages of a list (offers, items, shop
/// and zone in one statement) come back in the order asked for, for
/// lists of any length (the statement pads them), skipping unknown ids.
async fn lists_of_offers_keep_their_order(db: TestDb) {
    let s = &db.store;
    let (b, v) = verified_business(s).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let o =
            s.create_offer(&draft(&b, &v, vec![item("Rolls", 400, 200, 3)]), &Actor::User(OWNER), now()).await.unwrap();
        ids.push(s.apply_offer_event(o.id, OfferEvent::Publish, &Actor::User(OWNER), now()).await.unwrap().id);
    }
    for n in 1..=5 {
        let mut asked: Vec<i64> = ids[..n].iter().rev().copied().collect();
        asked.insert(0, 999_999);
        let got: Vec<i64> = s.offers_by_ids(&asked).await.unwrap().iter().map(|o| o.id).collect();
        assert_eq!(got, asked[1..].to_vec(), "{n} ids and a missing one");
        let context = s.listing_context(&asked).await.unwrap();
        assert_eq!(context.len(), n);
        assert!(context.values().all(|(name, tz)| *name == b.name && *tz == v.timezone));
        let page = s.listing_page(&asked).await.unwrap();
        assert_eq!(page.iter().map(|(o, _, _)| o.id).collect::<Vec<_>>(), asked[1..].to_vec(), "a page likewise");
        assert!(page.iter().all(|(_, name, tz)| *name == b.name && *tz == v.timezone), "with shop and zone");
        let alone = s.offers_by_ids(&asked).await.unwrap();
        let page_offers: Vec<_> = page.iter().map(|(o, _, _)| o).collect();
        assert_eq!(
            format!("{page_offers:?}"),
            format!("{:?}", alone.iter().collect::<Vec<_>>()),
            "the same offers and items"
        );
    }
    assert!(s.offers_by_ids(&[]).await.unwrap().is_empty());
    assert!(s.listing_page(&[]).await.unwrap().is_empty());
}

async fn followers_are_seeded_once(db: TestDb) {
    let s = &db.store;
    let (b, _) = verified_business(s).await;
    let customers: Vec<i64> = (1..=250).collect();
    assert_eq!(s.seed_followers(b.id, &customers, now()).await.unwrap(), 250);
    assert_eq!(s.seed_followers(b.id, &customers[..10], now()).await.unwrap(), 0, "already following");
    assert!(s.is_following(250, b.id).await.unwrap());
}

async fn expired_onboarding_tokens_are_pruned(db: TestDb) {
    let s = &db.store;
    let (b, _) = verified_business(s).await;
    let expires = now() + Duration::hours(24);
    s.add_connect_token(b.id, "hash-of-a-token", expires, now()).await.unwrap();
    assert_eq!(s.prune_connect_tokens(now()).await.unwrap(), 0, "a live token stays");
    assert_eq!(s.connect_token_business("hash-of-a-token", now()).await.unwrap(), Some(b.id));
    let later = expires + Duration::seconds(1);
    assert_eq!(s.prune_connect_tokens(later).await.unwrap(), 1);
    assert_eq!(s.prune_connect_tokens(later).await.unwrap(), 0, "once");
    assert_eq!(
        s.connect_token_business("hash-of-a-token", now()).await.unwrap(),
        None,
        "gone, even for a clock behind"
    );
}

/// The ranking pool without a location is read once and shared; every
/// change it depends on, made through this store or another one (as
/// another process), shows in the next read at once.
async fn the_shared_ranking_pool_follows_every_change(db: TestDb) {
    let s = &db.store;
    let other = db.another_store().await;
    let pool = |store: Store| async move {
        let mut p: Vec<(i64, i64, i64)> = store
            .fresh_active(None, now())
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.offer_id, c.demand, c.views))
            .collect();
        p.sort_unstable();
        p
    };
    let first = active_offer(s, &[3]).await;
    assert_eq!(pool(s.clone()).await, vec![(first.id, 0, 0)]);
    assert_eq!(pool(s.clone()).await, vec![(first.id, 0, 0)], "read again, unchanged");

    // Published elsewhere: another process's change.
    let second = active_offer(&other, &[2]).await;
    assert_eq!(pool(s.clone()).await, vec![(first.id, 0, 0), (second.id, 0, 0)]);

    // A reservation moves demand; a view moves views.
    let item = first.items[0].id;
    let (p, _) = other.reserve(&reserve_req(first.id, 7, vec![(item, 2)], PaymentMethod::Stripe), now()).await.unwrap();
    assert_eq!(pool(s.clone()).await, vec![(first.id, 2, 0), (second.id, 0, 0)]);
    s.count_view(second.id).await.unwrap();
    assert_eq!(pool(s.clone()).await, vec![(first.id, 2, 0), (second.id, 0, 1)]);

    // Released, then withdrawn: demand back to 0, then gone from the pool.
    assert!(other.release(p.id, PurchaseEvent::Expire, &Actor::System, &[], now()).await.unwrap());
    assert_eq!(pool(s.clone()).await, vec![(first.id, 0, 0), (second.id, 0, 1)]);
    other.apply_offer_event(first.id, OfferEvent::Withdraw, &Actor::User(OWNER), now()).await.unwrap();
    assert_eq!(pool(s.clone()).await, vec![(second.id, 0, 1)]);

    // A pickup that ended is left out without any write: the pool is read
    // for the second it was asked for.
    let later = second.pickup_end + Duration::seconds(1);
    assert!(s.fresh_active(None, later).await.unwrap().is_empty(), "ended pickups leave the pool");
}

/// Many writes at once (on SQLite they commit in groups, each in a
/// savepoint): one that fails leaves the others of its group written, a
/// writer cancelled while it waits stalls no one, and every write that
/// says it succeeded is there.
async fn many_writes_at_once_fail_alone_and_stall_no_one(db: TestDb) {
    let s = &db.store;
    s.save_deal_list("taken", 1, &[(1, None)], now()).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200_i64 {
        let store = s.clone();
        tasks.spawn(async move {
            let id = if i % 20 == 0 { "taken".to_string() } else { format!("list-{i}") };
            (i, store.save_deal_list(&id, i, &[(i, Some(i as f64 * 10.0))], now()).await)
        });
        if i % 10 == 0 {
            // Cancelled while queued, or while leading its group.
            let store = s.clone();
            tasks
                .spawn(async move { (-1, store.save_deal_list(&format!("gone-{i}"), 7, &[(1, None)], now()).await) })
                .abort();
        }
    }
    let mut failed = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok((i, r)) = joined else { continue };
        if r.is_err() {
            failed.push(i);
        }
    }
    failed.sort_unstable();
    assert_eq!(failed, (0..200).step_by(20).collect::<Vec<_>>(), "exactly the duplicates fail");
    for i in (0..200_i64).filter(|i| i % 20 != 0) {
        let (owner, list) = s.deal_list(&format!("list-{i}")).await.unwrap().expect("written");
        assert_eq!((owner, list), (i, vec![(i, Some(i as f64 * 10.0))]));
    }
    assert_eq!(s.deal_list("taken").await.unwrap().map(|(owner, _)| owner), Some(1), "the first write stands");
    let after = tokio::time::timeout(std::time::Duration::from_secs(10), s.save_deal_list("after", 2, &[], now()));
    after.await.expect("writers after the cancelled ones are not stalled").unwrap();
}
