//! Fairness of the update runner through the real bot (issue 15): a
//! chat's updates are handled in order, once each, whether they wait in
//! memory or in the inbound table (a flood, or updates stored before a
//! restart), and a chat flooding the bot doesn't hold another back.

use std::time::Duration;

use glean::store::InboundUpdate;
use glean_fakes::telegram::{BotMessage, FakeUser};
use serde_json::json;

use crate::support::app::{TestApp, said};
use crate::support::db::Backend;
use crate::support::fixtures::shop_with_offer;

/// More than the runner holds in memory for one chat (`PER_CHAT`), so
/// some of them are read back from the table.
const IN_A_ROW: usize = 12;
const FLOOD: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_is_handled_in_order_and_a_flood_holds_no_one_back_sqlite() {
    in_order_and_no_one_held_back(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_is_handled_in_order_and_a_flood_holds_no_one_back_postgres() {
    in_order_and_no_one_held_back(Backend::Postgres).await;
}

/// Active deals titled "Shop 0 bag", "Shop 1 bag", …: their ids.
async fn deals(app: &TestApp, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let o = shop_with_offer(app.store(), 5000 + i as i64, &format!("Shop {i}"), (52.52, 13.40), 5, 200).await;
        ids.push(o.id);
    }
    ids
}

fn is_card(m: &BotMessage) -> bool {
    m.button_labels().contains(&"🛒 Buy")
}

/// The next `n` deal cards in the chat, by their shop's number.
async fn cards(user: &FakeUser, n: usize) -> Vec<usize> {
    let mut seen = Vec::new();
    for _ in 0..n {
        let card = user.reply_matching(is_card).await;
        let number = card.text.split("Shop ").nth(1).and_then(|s| s.split(' ').next()).and_then(|s| s.parse().ok());
        seen.push(number.unwrap_or_else(|| panic!("a card of one of the test's shops: {}", card.text)));
    }
    seen
}

async fn in_order_and_no_one_held_back(backend: Backend) {
    // The flood must reach the runner, not the per-user flood limit.
    let Some(app) = TestApp::spawn_with(backend, &[("USER_RATE_BURST", "10000")]).await else { return };
    let ids = deals(&app, IN_A_ROW).await;
    let flooder = app.user(6001, "Flo");
    let other = app.user(6002, "Olga");
    let reader = app.user(6003, "Rita");

    // A flood of cheap updates, then one that shows a card; then someone else.
    for _ in 0..FLOOD {
        flooder.send("/help");
    }
    flooder.send(&format!("/start offer_{}", ids[0]));
    other.send("/help");
    said(&other, "What I can do").await;
    // The other chat was answered while the flood was still being handled.
    assert!(
        !flooder.messages().iter().any(is_card),
        "the other chat waited for the whole flood of {FLOOD} updates before it"
    );
    assert_eq!(cards(&flooder, 1).await, [0], "the flood is handled to its end");

    // One chat's updates in a row: answered in the order sent, once each.
    for id in &ids {
        reader.send(&format!("/start offer_{id}"));
    }
    assert_eq!(cards(&reader, IN_A_ROW).await, (0..IN_A_ROW).collect::<Vec<_>>());
    assert!(reader.no_reply_for(Duration::from_millis(300)).await, "no update handled twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_stored_before_a_restart_are_handled_in_order_once_sqlite() {
    stored_before_restart(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_stored_before_a_restart_are_handled_in_order_once_postgres() {
    stored_before_restart(Backend::Postgres).await;
}

/// Updates stored but not handled when the app stopped (as after a crash)
/// are read back from the table on start: each chat's in order, each once.
async fn stored_before_restart(backend: Backend) {
    let Some(mut app) = TestApp::spawn(backend).await else { return };
    let ids = deals(&app, IN_A_ROW).await;
    let a = app.user(6101, "Anna");
    let b = app.user(6102, "Ben");
    app.stop().await;

    // Interleaved, far above the ids the fake has given out.
    let mut stored = Vec::new();
    for id in &ids {
        for chat in [a.id(), b.id()] {
            let update_id = 1_000_000 + stored.len() as i64;
            let payload = json!({
                "update_id": update_id,
                "message": {
                    "message_id": 900_000 + update_id,
                    "date": chrono::Utc::now().timestamp(),
                    "chat": {"id": chat, "type": "private", "first_name": "C"},
                    "from": {"id": chat, "is_bot": false, "first_name": "C"},
                    "text": format!("/start offer_{id}"),
                    "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
                },
            });
            stored.push(InboundUpdate { update_id, chat_id: chat, payload: payload.to_string() });
        }
    }
    let fresh = app.store().insert_inbound(&stored, chrono::Utc::now()).await.unwrap();
    assert_eq!(fresh.len(), stored.len());

    app.restart().await;
    let expected: Vec<usize> = (0..IN_A_ROW).collect();
    assert_eq!(cards(&a, IN_A_ROW).await, expected);
    assert_eq!(cards(&b, IN_A_ROW).await, expected);
    assert!(a.no_reply_for(Duration::from_millis(300)).await && b.no_reply_for(Duration::ZERO).await, "once each");
    let pending = app.store().pending_inbound(100).await.unwrap();
    assert!(pending.is_empty(), "every stored update marked handled: {pending:?}");
}
