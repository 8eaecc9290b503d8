//! Sharing deals into groups through inline mode, through the real bot and
//! the fake Telegram: `@bot bread` answers with valid `InlineQueryResult`s
//! (nearest first with a location, photos with thumbnails when the deal
//! has one and `PUBLIC_BASE_URL` is set); choosing one posts a card whose
//! button lands on the deal; with inline feedback on, the card is edited
//! when the deal sells out; without it nothing is followed and nothing
//! breaks.

use glean::domain::OfferEvent;
use glean::store::{Actor, StoredImage};
use glean_fakes::telegram::InlineAnswer;
use serde_json::Value;

use crate::support::app::{TestApp, eventually, said};
use crate::support::db::Backend;
use crate::support::fixtures::{draft, item, now, shop_with_offer, verified_business};
use crate::support::shop::buy;

const NEAR: (f64, f64) = (52.5200, 13.4050);
const FAR: (f64, f64) = (52.4000, 13.0600);

/// Every result as Telegram requires it: a known type, a unique id of at
/// most 64 bytes, content to post, and the "Buy in Glean" deep link.
fn check_results(answer: &InlineAnswer) {
    let mut ids = std::collections::HashSet::new();
    for r in &answer.results {
        let id = r["id"].as_str().expect("an id");
        assert!(!id.is_empty() && id.len() <= 64 && ids.insert(id.to_string()), "{r}");
        match r["type"].as_str() {
            Some("article") => {
                assert!(!r["title"].as_str().unwrap_or_default().is_empty(), "{r}");
                assert!(!r["input_message_content"]["message_text"].as_str().unwrap_or_default().is_empty(), "{r}");
                assert_eq!(r["input_message_content"]["parse_mode"], "HTML", "{r}");
            }
            Some("photo") => {
                assert!(r["photo_url"].as_str().unwrap_or_default().starts_with("https://"), "{r}");
                assert!(r["thumbnail_url"].as_str().unwrap_or_default().starts_with("https://"), "{r}");
                assert!(!r["caption"].as_str().unwrap_or_default().is_empty(), "{r}");
            }
            other => panic!("unexpected result type {other:?}: {r}"),
        }
        let button = &r["reply_markup"]["inline_keyboard"][0][0];
        assert_eq!(button["text"], "🛒 Buy in Glean", "{r}");
        assert!(
            button["url"].as_str().unwrap_or_default().starts_with("https://t.me/glean_test_bot?start=offer_"),
            "{r}"
        );
    }
    assert!(answer.is_personal, "results depend on where the user is");
    assert!(answer.cache_time.is_some_and(|c| (0..=60).contains(&c)), "a short cache time: {:?}", answer.cache_time);
}

fn ids(answer: &InlineAnswer) -> Vec<String> {
    answer.results.iter().map(|r| r["id"].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_card_follows_its_deal_sqlite() {
    shared_card_follows_its_deal(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_card_follows_its_deal_postgres() {
    shared_card_follows_its_deal(Backend::Postgres).await;
}

async fn shared_card_follows_its_deal(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, &[("PUBLIC_BASE_URL", "https://glean.example")]).await else {
        return;
    };
    app.tg.set_inline_feedback(true);
    let near = shop_with_offer(app.store(), 2101, "Kiez Bakery", NEAR, 2, 150).await;
    let far = shop_with_offer(app.store(), 2102, "Havel Grocer", FAR, 3, 100).await;
    // The shops' owners, so their order notices have a chat to go to.
    let _owners = (app.user(2101, "Kiez"), app.user(2102, "Havel"));
    let nina = app.user(5101, "Nina");

    // With a location: both bread deals, the near one first.
    let q = nina.inline_query("bread", Some(NEAR));
    let answer = nina.inline_answer(&q).await;
    check_results(&answer);
    assert_eq!(ids(&answer), vec![format!("o{}t", near.id), format!("o{}t", far.id)]);
    let text = answer.results[0]["input_message_content"]["message_text"].as_str().unwrap();
    assert!(text.contains("Kiez Bakery bag") && text.contains("€1.50"), "{text}");
    assert!(answer.results[0]["description"].as_str().unwrap().contains("Kiez Bakery"), "{}", answer.results[0]);

    // Words narrow it down; nothing matching is an empty, valid answer.
    let q2 = nina.inline_query("havel bread", None);
    assert_eq!(ids(&nina.inline_answer(&q2).await), vec![format!("o{}t", far.id)]);
    let q3 = nina.inline_query("caviar", None);
    assert!(nina.inline_answer(&q3).await.results.is_empty());

    // Nina posts the near deal into her group; the bot learns the card.
    let posted = nina.choose_inline_result(&q, &format!("o{}t", near.id));
    let card = app.tg.inline_message(&posted).expect("the card is in the group");
    assert!(card.text.contains("Kiez Bakery bag"), "{}", card.text);
    assert_eq!(card.buttons[0][0].0, "🛒 Buy in Glean");
    let link = card.buttons[0][0].1.clone();
    assert_eq!(link, format!("https://t.me/glean_test_bot?start=offer_{}", near.id));
    eventually("the shared card is recorded", || async {
        app.store().shared_cards_of(near.id).await.unwrap() == (1, 1)
    })
    .await;

    // A group member follows the link and lands on the deal.
    let member = app.user(5102, "Omar");
    member.send(&format!("/start {}", link.split("start=").nth(1).unwrap()));
    let shown = member.reply_matching(|m| m.text.contains("Kiez Bakery bag")).await;
    assert!(shown.button_labels().contains(&"🛒 Buy"), "{}", shown.text);

    // The deal sells out: the card in the group says so and links the shop.
    buy(&member, &near, "2").await;
    let edited = app.tg.inline_message_matching(&posted, |m| m.text.contains("Sold out")).await;
    assert_eq!(edited.buttons[0][0].0, "🏪 More from this shop");
    assert_eq!(edited.buttons[0][0].1, format!("https://t.me/glean_test_bot?start=biz_{}", near.business_id));
    assert!(!edited.text.contains("left"), "a shared card shows no stock counts: {}", edited.text);
    assert_eq!(edited.edits, 1);

    // Sold out, it is no longer offered inline.
    let q4 = nina.inline_query("bread", Some(NEAR));
    assert_eq!(ids(&nina.inline_answer(&q4).await), vec![format!("o{}t", far.id)]);

    // The card changes no more while the deal stays as it is.
    let late = app.user(5103, "Pia");
    late.send(&format!("/start offer_{}", near.id));
    let shown = late.reply_matching(|m| m.text.contains("Kiez Bakery bag")).await;
    assert!(!shown.button_labels().contains(&"🛒 Buy"), "{}", shown.text);
    assert_eq!(app.tg.inline_message(&posted).unwrap().edits, 1);
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_inline_feedback_or_a_public_url_sharing_still_works() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let offer = shop_with_offer(app.store(), 2201, "Ecke Bakery", NEAR, 1, 150).await;
    let _owner = app.user(2201, "Ecke");
    let nina = app.user(5201, "Nina");
    // No location from Telegram, but one Nina shared with the bot before.
    nina.send_location(NEAR.0, NEAR.1);
    said(&nina, "saved your location").await;
    said(&nina, "Ecke Bakery bag").await;
    let q = nina.inline_query("", None);
    let answer = nina.inline_answer(&q).await;
    check_results(&answer);
    assert_eq!(ids(&answer), vec![format!("o{}t", offer.id)]);
    assert!(answer.results[0].get("thumbnail_url").is_none(), "no public URL, no thumbnail");
    let posted = nina.choose_inline_result(&q, &format!("o{}t", offer.id));
    // Feedback is off: Telegram never says what was chosen; the card stays as posted.
    buy(&nina, &offer, "1").await;
    assert_eq!(app.store().shared_cards_of(offer.id).await.unwrap(), (0, 0));
    assert_eq!(app.tg.inline_message(&posted).unwrap().edits, 0);
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deal_with_a_photo_is_offered_as_a_photo() {
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &[("PUBLIC_BASE_URL", "https://glean.example/")]).await else {
        return;
    };
    app.tg.set_inline_feedback(true);
    let store = app.store();
    for name in ["p1.jpg", "t1.jpg"] {
        let img = StoredImage {
            name: name.into(),
            content_type: "image/jpeg".into(),
            width: 10,
            height: 10,
            bytes: vec![0xFF, 0xD8, 0xFF],
        };
        store.put_image(&img, now()).await.unwrap();
    }
    let (b, v) = verified_business(store).await;
    let mut d = draft(&b, &v, vec![item("Croissants", 400, 200, 3)]);
    d.photo = Some("p1.jpg".into());
    d.thumb = Some("t1.jpg".into());
    let offer = store.create_offer(&d, &Actor::User(b.owner_tg_id), now()).await.unwrap();
    let offer =
        store.apply_offer_event(offer.id, OfferEvent::Publish, &Actor::User(b.owner_tg_id), now()).await.unwrap();
    let nina = app.user(5301, "Nina");
    let q = nina.inline_query("croissant", None);
    let answer = nina.inline_answer(&q).await;
    check_results(&answer);
    let r: &Value = &answer.results[0];
    assert_eq!(r["type"], "photo");
    assert_eq!(r["photo_url"], "https://glean.example/media/p1.jpg");
    assert_eq!(r["thumbnail_url"], "https://glean.example/media/t1.jpg");
    let posted = nina.choose_inline_result(&q, r["id"].as_str().unwrap());
    assert!(app.tg.inline_message(&posted).unwrap().photo);
    eventually("recorded", || async { app.store().shared_cards_of(offer.id).await.unwrap() == (1, 1) }).await;
    // Withdrawn: the caption is edited, and the card is never edited again.
    store.withdraw_offer(offer.id, &Actor::User(b.owner_tg_id), now()).await.unwrap();
    let edited = app.tg.inline_message_matching(&posted, |m| m.text.contains("withdrawn")).await;
    assert!(edited.photo);
    eventually("the card is done", || async { app.store().shared_cards_of(offer.id).await.unwrap() == (1, 0) }).await;
    assert!(app.tg.rejected().is_empty(), "{:?}", app.tg.rejected());
}
