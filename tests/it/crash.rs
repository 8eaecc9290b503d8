//! Crash safety, with real crashes: the `glean` binary runs as a child
//! process and gets SIGKILL at seeded random moments between customers'
//! presses and the bot's replies, then starts again on the same database.
//! An update handled again must find what its first handling did.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use glean::domain::PurchaseStatus;
use glean_fakes::telegram::FakeUser;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::support::app::{TestApp, said};

use crate::support::db::Backend;
use crate::support::fixtures::shop_with_offer;
use crate::support::shop::{all_to_quantity, compose_offer_finish, compose_offer_start};

const AT: (f64, f64) = (52.5200, 13.4050);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buying_survives_sigkill_sqlite() {
    buying_survives_sigkill(Backend::Sqlite, 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buying_survives_sigkill_postgres() {
    buying_survives_sigkill(Backend::Postgres, 4).await;
}

/// 20 customers press "1" on a 12-unit deal (pay at pickup) while 40 others
/// browse; the process is killed somewhere in the middle and restarted.
/// Every customer holding an order learns its code, none of them is told
/// "sold out", no code is given without an order, stock equals the orders,
/// and everyone browsing is answered.
async fn buying_survives_sigkill(backend: Backend, seeds: u64) {
    for seed in 0..seeds {
        let mut rng = StdRng::seed_from_u64(seed);
        let Some(mut app) = TestApp::spawn(backend).await else { return };
        let offer = shop_with_offer(app.store(), 1401 + seed as i64, "Crash Bakery", AT, 12, 150).await;
        // The bot runs as a process of its own from here on.
        app.stop().await;
        let mut first = app.start_process(&[]).await;

        let buyers: Vec<FakeUser> = (0..20).map(|n| app.user(6000 + n, "Buyer")).collect();
        all_to_quantity(&buyers, &offer).await;
        let browsers: Vec<FakeUser> = (0..40).map(|n| app.user(7000 + n, "Browser")).collect();
        for b in &buyers {
            b.press("1");
        }
        for b in &browsers {
            b.send("/deals");
        }
        tokio::time::sleep(StdDuration::from_millis(rng.gen_range(0..400))).await;
        first.kill();
        let _second = app.start_process(&[]).await;

        for b in &browsers {
            // The list, or "No deals right now" once the 12 are gone.
            b.reply_matching(|m| m.text.contains("Deals") || m.text.contains("No deals")).await;
        }
        let mut answers: HashMap<i64, String> = HashMap::new();
        for b in &buyers {
            let answer = b.reply_matching(|m| m.edited && !m.text.contains("How many?")).await;
            answers.insert(b.id(), answer.text);
        }
        // Replies still in flight settle.
        tokio::time::sleep(StdDuration::from_millis(300)).await;

        let orders = app.store().purchases_of_offer(offer.id, &[]).await.unwrap();
        let live: Vec<_> = orders.iter().filter(|p| p.status == PurchaseStatus::Confirmed).collect();
        assert_eq!(live.len(), 12, "seed {seed}: the 12 units sold, once each: {orders:?}");
        let o = app.store().offer(offer.id).await.unwrap();
        assert_eq!(o.items[0].sold, 12, "seed {seed}: stock equals the live orders");
        for b in &buyers {
            let shown: Vec<String> = b.messages().into_iter().map(|m| m.text).collect();
            let mine: Vec<_> = live.iter().filter(|p| p.customer_tg_id == b.id()).collect();
            assert!(mine.len() <= 1, "seed {seed}: one order per press: {mine:?}");
            match mine.first() {
                Some(p) => {
                    assert!(
                        shown.iter().any(|t| t.contains(p.pickup_code.as_str())),
                        "seed {seed}: customer {} holds order {} but never saw its code: {shown:?}",
                        b.id(),
                        p.id
                    );
                    assert!(
                        !answers[&b.id()].contains("not enough left"),
                        "seed {seed}: customer {} holds an order but was told it's sold out",
                        b.id()
                    );
                }
                None => {
                    assert!(
                        !shown.iter().any(|t| t.contains("confirmed!")),
                        "seed {seed}: customer {} was given a code without an order: {shown:?}",
                        b.id()
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_survives_sigkill_sqlite() {
    publishing_survives_sigkill(Backend::Sqlite, 12).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_survives_sigkill_postgres() {
    publishing_survives_sigkill(Backend::Postgres, 6).await;
}

/// A business presses Publish and the process dies at a seeded random
/// moment around it: after the restart there is one published offer and
/// the dialogue is over. (With the offer not keyed by its composition,
/// seed 8 on SQLite dies between publishing and ending the dialogue and
/// publishes twice.)
async fn publishing_survives_sigkill(backend: Backend, seeds: u64) {
    for seed in 0..seeds {
        let mut rng = StdRng::seed_from_u64(100 + seed);
        let Some(mut app) = TestApp::spawn(backend).await else { return };
        let (business, _) = crate::support::fixtures::verified_business(app.store()).await;
        app.stop().await;
        let mut first = app.start_process(&[]).await;
        let owner = app.user(business.owner_tg_id, "Kalle");
        compose_offer_start(&owner, "Carrots and leeks").await;
        compose_offer_finish(&owner).await;
        owner.press("✅ Publish");
        tokio::time::sleep(StdDuration::from_millis(rng.gen_range(0..60))).await;
        first.kill();
        let _second = app.start_process(&[]).await;

        said(&owner, "is live!").await;
        tokio::time::sleep(StdDuration::from_millis(300)).await;
        let offers = app
            .store()
            .offers(&glean::store::OfferFilter { business_id: Some(business.id), statuses: vec![], limit: 10 })
            .await
            .unwrap();
        assert_eq!(offers.len(), 1, "seed {seed}: one offer made: {offers:?}");
        assert_eq!(offers[0].status, glean::domain::OfferStatus::Active, "seed {seed}");
        assert_eq!(app.store().dialogue(owner.id()).await.unwrap(), None, "seed {seed}: the dialogue is over");
        owner.send("/newoffer");
        said(&owner, "What's its title?").await;
    }
}
