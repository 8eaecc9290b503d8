//! US1 through the real bot over HTTP: a business registers, is verified by
//! an admin's button, posts a deal with two items and a photo, previews and
//! publishes it; bad input at every step is refused and asked again.

use chrono::{Datelike, Duration, TimeZone, Timelike};
use glean::domain::{BusinessStatus, OfferStatus};
use glean::store::OfferFilter;
use glean_fakes::images;
use glean_fakes::telegram::FakeUser;

use crate::support::app::{TestApp, eventually, said};
use crate::support::db::Backend;
use crate::support::shop::{compose_offer_finish, compose_offer_start};

pub(crate) const OWNER: i64 = 1001;
const CUSTOMER: i64 = 2002;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_registers_is_verified_and_posts_a_deal_sqlite() {
    business_posts_a_deal(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_registers_is_verified_and_posts_a_deal_postgres() {
    business_posts_a_deal(Backend::Postgres).await;
}

/// Sends `bad`, expects `problem` in the answer and the same question again.
async fn refused(user: &FakeUser, bad: &str, problem: &str, question: &str) {
    user.send(bad);
    said(user, problem).await;
    said(user, question).await;
}

pub(crate) async fn register(app: &TestApp, owner: &FakeUser) -> i64 {
    owner.send("/register");
    said(owner, "What's its name?").await;
    refused(owner, &"x".repeat(100_000), "too long: at most 80 characters", "What's its name?").await;
    owner.send("Bäckerei Kalle <&>");
    said(owner, "contact phone number").await;
    refused(owner, "call me maybe", "doesn't look like a phone number", "contact phone number").await;
    owner.send_contact("+49 30 1234567");
    said(owner, "Where do customers pick up?").await;
    owner.send("Torstraße 1, 10119 Berlin");
    said(owner, "Send the pickup location").await;
    refused(owner, "here", "type it like 52.5200, 13.4050", "Send the pickup location").await;
    owner.send_location(52.5290, 13.4010);
    let tz = said(owner, "Which time zone").await;
    assert_eq!(tz.button_labels()[0], "Europe/Berlin", "configured default first");
    owner.press("Europe/Berlin");
    said(owner, "Which currency").await;
    owner.press("EUR");
    said(owner, "is registered and waiting for verification").await;
    let b = app.store().businesses_of_owner(OWNER).await.unwrap().pop().expect("business stored");
    assert_eq!(
        (b.status, b.name.as_str(), b.phone.as_str()),
        (BusinessStatus::Pending, "Bäckerei Kalle <&>", "+49301234567")
    );
    assert_eq!((b.timezone.name(), b.currency.code()), ("Europe/Berlin", "EUR"));
    b.id
}

async fn business_posts_a_deal(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = app.admin();
    let owner = app.user(OWNER, "Kalle");
    let customer = app.user(CUSTOMER, "Carla");

    // The command menu is registered, admin commands only for admins.
    eventually("setMyCommands", || async { !app.tg.my_commands().is_empty() }).await;
    assert!(app.tg.my_commands().iter().any(|(c, _)| c == "newoffer"));

    owner.send("/start");
    said(&owner, "Welcome to Glean").await;
    owner.send("/frobnicate");
    said(&owner, "I don't know that command").await;

    let business_id = register(&app, &owner).await;

    // Admins get the request with buttons.
    let request = said(&admin, &format!("Business #{business_id} to verify")).await;
    assert!(request.text.contains("Bäckerei Kalle <&>"), "{}", request.text);
    assert_eq!(request.button_labels(), vec!["✅ Approve", "❌ Reject"]);

    // A customer forging the admin's callback data is refused; nothing changes.
    customer.send("/start");
    let theirs = said(&customer, "Welcome").await;
    let forged = customer.press_data(theirs.message_id, &format!("1:a:{business_id}"));
    let answer = customer.callback_answer(&forged).await;
    assert_eq!(answer.text.as_deref(), Some("Sorry, that's for Glean's admins only."));
    assert_eq!(app.store().business(business_id).await.unwrap().status, BusinessStatus::Pending);
    customer.send(&format!("/verify {business_id}"));
    said(&customer, "for Glean's admins only").await;
    assert!(
        app.store()
            .audit_trail("business", business_id)
            .await
            .unwrap()
            .iter()
            .any(|e| e.action == "forged_admin_button")
    );

    // The admin approves with the button; the owner is told.
    let press = admin.press("✅ Approve");
    assert_eq!(admin.callback_answer(&press).await.text.as_deref(), Some("Approved"));
    said(&owner, "is verified!").await;
    let edited = said(&admin, "Approved by").await;
    assert!(edited.inline_buttons.is_empty(), "buttons removed once decided");
    assert_eq!(app.store().business(business_id).await.unwrap().status, BusinessStatus::Verified);
    // Pressing the old button again (stale) is answered and changes nothing.
    let again = admin.press_data(request.message_id, &format!("1:a:{business_id}"));
    assert!(admin.callback_answer(&again).await.text.unwrap_or_default().contains("already verified"));

    // The deal, with bad input at every step.
    owner.send("/newoffer");
    said(&owner, "What's its title?").await;
    owner.send("Bread bag");
    said(&owner, "A short description?").await;
    owner.send("Sourdough and pastries from today");
    said(&owner, "What's the first item?").await;
    owner.send("Sourdough loaf");
    said(&owner, "What's one unit?").await;
    owner.send("1 loaf");
    said(&owner, "usual price").await;
    refused(&owner, "abc", "doesn't look like a price", "usual price").await;
    refused(&owner, "-3", "can't be negative", "usual price").await;
    refused(&owner, "3.505", "at most 2 decimals", "usual price").await;
    owner.send("5,00");
    said(&owner, "deal price").await;
    refused(&owner, "6", "can't be higher than the original price (€5.00)", "deal price").await;
    owner.send("€2");
    said(&owner, "How many units").await;
    refused(&owner, "0", "at least 1", "How many units").await;
    refused(&owner, "1000000000000", "more than 10000 units", "How many units").await;
    owner.send("5");
    let more = said(&owner, "Items so far").await;
    assert!(more.text.contains("Sourdough loaf (1 loaf): €2.00 instead of €5.00, 5 units"), "{}", more.text);
    owner.press("➕ Add another item");
    said(&owner, "Item 2: its name?").await;
    owner.send("Croissants");
    said(&owner, "What's one unit?").await;
    owner.send("bag of 4");
    said(&owner, "usual price").await;
    owner.send("4");
    said(&owner, "deal price").await;
    owner.send("1.50");
    said(&owner, "How many units").await;
    owner.send("3");
    said(&owner, "Items so far").await;
    owner.press("Continue ➡️");
    said(&owner, "When can customers pick it up? Times are in Europe/Berlin").await;
    refused(&owner, "sometime", "I couldn't read that window", "When can customers pick it up").await;
    refused(&owner, "tomorrow 20-18", "must end after it starts", "When can customers pick it up").await;
    refused(&owner, "2020-01-01 18:00-20:00", "already ended", "When can customers pick it up").await;
    owner.send("tomorrow 18:00-20:00");
    said(&owner, "Should the price drop").await;
    owner.press("No price drops");
    said(&owner, "Send a photo").await;
    owner.send_document(images::fake_pdf(), "menu.pdf", "application/pdf");
    said(&owner, "isn't a photo I can read").await;
    said(&owner, "Send a photo").await;
    owner.send_document(images::truncated_jpeg(), "broken.jpg", "image/jpeg");
    said(&owner, "isn't a photo I can read").await;
    said(&owner, "Send a photo").await;
    let original = images::jpeg_with_gps_exif(1600, 1200, 6);
    assert!(images::has_exif(&original));
    owner.send_document(original, "bread.jpg", "image/jpeg");

    // The preview is the customer's card.
    said(&owner, "Preview").await;
    let preview = owner.reply_matching(|m| m.photo_file_id.is_some()).await;
    for part in [
        "Bread bag",
        "Bäckerei Kalle &lt;&amp;&gt;",
        "Sourdough loaf (1 loaf): €2.00 €5.00 −60% · 5 left",
        "Croissants (bag of 4): €1.50 €4.00 −62% · 3 left",
        "Tomorrow 18:00–20:00 (Europe/Berlin)",
        "Torstraße 1, 10119 Berlin",
    ] {
        // The fake shows text with entities stripped; escaping survives only where we escaped.
        let shown = preview.text.replace("&lt;&amp;&gt;", "<&>");
        assert!(shown.contains(&part.replace("&lt;&amp;&gt;", "<&>")), "missing {part:?} in {shown}");
    }
    assert_eq!(preview.button_labels(), vec!["✅ Publish", "✏️ Edit", "🗑 Discard"]);
    let sent = app.tg.file_bytes(preview.photo_file_id.as_deref().unwrap()).expect("uploaded photo");
    assert!(!images::has_exif(&sent), "the preview photo is our stripped upload");

    owner.press("✅ Publish");
    let live = said(&owner, "is live!").await;
    assert!(live.text.contains("https://t.me/glean_test_bot?start=offer_"), "{}", live.text);
    let offer_id: i64 = live.text.rsplit("offer_").next().unwrap().trim().parse().unwrap();

    // The offer in the store: active, both items, the window in Berlin time.
    let offer = app.store().offer(offer_id).await.unwrap();
    assert_eq!(offer.status, OfferStatus::Active);
    let items: Vec<_> = offer.items.iter().map(|i| (i.name.as_str(), i.deal_price.minor(), i.quantity)).collect();
    assert_eq!(items, vec![("Sourdough loaf", 200, 5), ("Croissants", 150, 3)]);
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    let start = offer.pickup_start.with_timezone(&berlin);
    let tomorrow = app.clock.now().with_timezone(&berlin).date_naive().succ_opt().unwrap();
    assert_eq!((start.date_naive(), start.hour(), start.minute()), (tomorrow, 18, 0));
    assert_eq!(offer.pickup_end - offer.pickup_start, Duration::hours(2));
    let expected_start = berlin.with_ymd_and_hms(tomorrow.year(), tomorrow.month(), tomorrow.day(), 18, 0, 0).unwrap();
    assert_eq!(offer.pickup_start, expected_start.with_timezone(&chrono::Utc));

    // Stored images: stripped, upright (portrait after orientation 6), resized.
    let display = app.store().image(offer.photo.as_deref().unwrap()).await.unwrap().unwrap();
    let thumb = app.store().image(offer.thumb.as_deref().unwrap()).await.unwrap().unwrap();
    assert!(!images::has_exif(&display.bytes) && !images::has_exif(&thumb.bytes));
    assert_eq!((display.width, display.height), (960, 1280));
    assert!(thumb.width.max(thumb.height) <= 320);
    assert_eq!(offer.photo_file_id, preview.photo_file_id, "customers get our upload's file_id");

    // A customer opening the deep link gets the card with our stripped photo.
    customer.send(&format!("/start offer_{offer_id}"));
    let card = customer.reply_matching(|m| m.photo_file_id.is_some()).await;
    assert_eq!(card.photo_file_id, offer.photo_file_id);
    assert!(!images::has_exif(&app.tg.file_bytes(card.photo_file_id.as_deref().unwrap()).unwrap()));
    assert!(card.text.contains("5 left") && card.text.contains("3 left"), "{}", card.text);
    customer.press("📍 Show on map");
    let map = customer.reply_matching(|m| m.location.is_some()).await;
    assert_eq!(map.location, Some((52.5290, 13.4010)));

    // A stale wizard button is answered and changes nothing.
    let stale = owner.press_data(preview.message_id, "1:w:1:u");
    assert!(owner.callback_answer(&stale).await.text.unwrap().contains("earlier step"));
    let drafts =
        app.store().offers(&OfferFilter { business_id: Some(business_id), statuses: vec![], limit: 10 }).await.unwrap();
    assert_eq!(drafts.len(), 1, "published once");

    // The window ends: the offer expires by itself.
    app.clock.advance(Duration::days(3));
    eventually("offer expired", || async { app.store().offer(offer_id).await.unwrap().status == OfferStatus::Expired })
        .await;
    customer.send(&format!("/start offer_{offer_id}"));
    let card = customer.reply_matching(|m| m.photo_file_id.is_some()).await;
    assert!(card.text.contains("This deal has ended"), "{}", card.text);

    assert!(app.tg.rejected().is_empty(), "Telegram refused requests: {:?}", app.tg.rejected());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offer_wizard_survives_a_restart() {
    let Some(mut app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let (business, _) = crate::support::fixtures::verified_business(app.store()).await;
    let owner = app.user(business.owner_tg_id, "Kalle");
    compose_offer_start(&owner, "Carrots, leeks and apples").await;

    app.restart().await;

    let preview = compose_offer_finish(&owner).await;
    assert!(preview.text.contains("Carrots, leeks and apples"), "{}", preview.text);
    owner.send("/publish");
    said(&owner, "is live!").await;
    let offers = app
        .store()
        .offers(&OfferFilter { business_id: Some(business.id), statuses: vec![OfferStatus::Active], limit: 5 })
        .await
        .unwrap();
    assert_eq!(offers.len(), 1);
    assert_eq!((offers[0].title.as_str(), offers[0].items[0].unit.as_str()), ("Veg box", "5 kg box"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_and_cancel_are_always_there() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let owner = app.user(OWNER, "Kalle");
    owner.send("/cancel");
    said(&owner, "nothing to cancel").await;
    owner.send("/register");
    said(&owner, "What's its name?").await;
    owner.send("Farm Shop");
    said(&owner, "contact phone number").await;
    owner.press("⬅️ Back");
    said(&owner, "What's its name?").await;
    owner.send("Farm Shop Two");
    said(&owner, "contact phone number").await;
    owner.send("/newoffer");
    said(&owner, "in the middle of something").await;
    owner.send("/cancel");
    said(&owner, "Cancelled").await;
    assert!(app.store().businesses_of_owner(OWNER).await.unwrap().is_empty(), "nothing saved");
    assert!(app.store().dialogue(OWNER).await.unwrap().is_none());
    // Offers need a verified business.
    owner.send("/newoffer");
    said(&owner, "You need a verified business").await;
}
