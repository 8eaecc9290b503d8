//! Prices that drop as pickup nears, through the real bot: a business
//! posts a deal with "−10 % every 30 min in the last 2 h" and a floor
//! (refused while the floor is garbage, above the deal price or below
//! Stripe's minimum); the card shows the price now and the next drop, and
//! steps as the app's clock moves, on the venue's wall clock across the
//! night the clocks spring forward; a reservation made before a drop keeps
//! its price, and the Checkout amount the fake Stripe sees is the locked
//! price; a follower who asked to hear below a price is told once.

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use glean::domain::{NoticeKind, PurchaseStatus};
use glean::store::{Offer, StoredQuiet};
use glean_fakes::telegram::FakeUser;

use crate::support::app::{TestApp, said};
use crate::support::db::Backend;
use crate::support::fixtures::{OWNER, verified_business};
use crate::support::shop::{buy, compose_offer_start, order_id, pay_at_stripe, session_of};

const ANNA: i64 = 7401;
const BEN: i64 = 7402;
const CARA: i64 = 7403;
const DAN: i64 = 7404;
const PRESET: &str = "−10 % every 30 min in the last 2 h";
const WATCH: &str = "🔔 Tell me below …";

fn berlin() -> Tz {
    "Europe/Berlin".parse().unwrap()
}

/// Composes the "Veg box" deal (€12 → €5, 4 units) picked up in `window`,
/// choosing the first drop schedule; the floor answers are typed in turn
/// (each but the last refused with its `because`). Returns the preview.
async fn compose(owner: &FakeUser, window: &str, floors: &[(&str, &str)]) -> glean_fakes::telegram::BotMessage {
    compose_offer_start(owner, "Fresh veg").await;
    owner.send("5 kg box");
    said(owner, "usual price").await;
    owner.send("12");
    said(owner, "deal price").await;
    owner.send("5");
    said(owner, "How many units").await;
    owner.send("4");
    said(owner, "Items so far").await;
    owner.press("Continue ➡️");
    said(owner, "When can customers pick it up?").await;
    owner.send(window);
    let ask = said(owner, "Should the price drop").await;
    assert_eq!(
        ask.button_labels(),
        vec![
            PRESET,
            "−20 % every 60 min in the last 3 h",
            "−5 % every 15 min in the last 1 h",
            "No price drops",
            "⬅️ Back",
            "✖️ Cancel"
        ]
    );
    owner.press(PRESET);
    said(owner, "lowest price").await;
    for (typed, because) in floors {
        owner.send(typed);
        if because.is_empty() {
            break;
        }
        said(owner, because).await;
        said(owner, "lowest price").await;
    }
    said(owner, "Send a photo").await;
    owner.press("Skip ➡️");
    owner.reply_matching(|m| m.button_labels().contains(&"✅ Publish")).await
}

async fn publish(app: &TestApp, owner: &FakeUser) -> Offer {
    owner.press("✅ Publish");
    let live = said(owner, "is live!").await;
    let id: i64 = live.text.rsplit("offer_").next().unwrap().trim().parse().unwrap();
    app.store().offer(id).await.unwrap()
}

/// The card a customer gets for the deal now.
async fn card(customer: &FakeUser, offer: &Offer) -> glean_fakes::telegram::BotMessage {
    customer.send(&format!("/start offer_{}", offer.id));
    customer
        .reply_matching(|m| !m.edited && m.text.contains(&offer.title) && m.button_labels().contains(&"📍 Show on map"))
        .await
}

fn hhmm(t: DateTime<Utc>) -> String {
    t.with_timezone(&berlin()).format("%H:%M").to_string()
}

/// Moves the app's clock to just after `t`.
fn move_to(app: &TestApp, t: DateTime<Utc>) {
    app.clock.advance(t - app.clock.now() + Duration::seconds(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prices_drop_lock_and_notify_sqlite() {
    prices_drop_lock_and_notify(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prices_drop_lock_and_notify_postgres() {
    prices_drop_lock_and_notify(Backend::Postgres).await;
}

async fn prices_drop_lock_and_notify(backend: Backend) {
    let Some(app) = TestApp::spawn_with_stripe(backend).await else { return };
    verified_business(app.store()).await;
    let owner = app.user(OWNER, "Kalle");

    // A two-hour window a few hours ahead, on one day of the venue's clock.
    let local = app.clock.now().with_timezone(&berlin()) + Duration::hours(3);
    let start = if (2..=21).contains(&local.hour()) {
        local.date_naive().and_hms_opt(local.hour(), 0, 0).unwrap()
    } else {
        (local - Duration::hours(6)).date_naive().succ_opt().unwrap().and_hms_opt(10, 0, 0).unwrap()
    };
    let window = format!(
        "{} {}-{}",
        start.format("%Y-%m-%d"),
        start.format("%H:%M"),
        (start + Duration::hours(2)).format("%H:%M")
    );

    // Bad floors: garbage, above the deal price, below Stripe's minimum.
    let preview = compose(
        &owner,
        &window,
        &[
            ("cheap", "doesn't look like a price"),
            ("6", "can't be above the deal price (€5.00)"),
            ("0.30", "card payments need at least €0.50"),
            ("3.20", ""),
        ],
    )
    .await;
    // The first drop comes as the window opens (its last two hours).
    let first = start.format("%H:%M").to_string();
    assert!(preview.text.contains(&format!("€5.00 now, €4.50 from {first}")), "{}", preview.text);
    let offer = publish(&app, &owner).await;
    let drop = offer.price_drop.expect("a drop schedule");
    assert_eq!((drop.rule().percent(), drop.floor().minor()), (10, 320));
    let times = drop.drop_times(offer.pickup_end);
    assert_eq!(times.len(), 4);

    // Anna asks to hear below €3.50: followers only, and a price that can be.
    let anna = app.user(ANNA, "Anna");
    let shown = card(&anna, &offer).await;
    assert!(shown.text.contains(&format!("€5.00 now, €4.50 from {first}")), "{}", shown.text);
    let press = anna.press(WATCH);
    let toast = anna.callback_answer(&press).await.text.unwrap_or_default();
    assert!(toast.contains("Follow Bäckerei Kalle first"), "{toast}");
    anna.press("⭐ Follow Bäckerei Kalle");
    anna.press(WATCH);
    let ask = said(&anna, "Tell you when").await;
    assert!(ask.text.contains("It's €5.00 now and can drop to €3.20"), "{}", ask.text);
    assert_eq!(ask.button_labels(), vec!["€4.50", "€4.00", "€3.50", "€3.20", "✖️ Cancel"]);
    for (typed, because) in [
        ("soon", "doesn't look like a price"),
        ("5.50", "not below today's price (€5.00)"),
        ("3", "never goes below €3.20"),
    ] {
        anna.send(typed);
        said(&anna, because).await;
        said(&anna, "Tell you when").await;
    }
    assert_eq!(app.store().price_watch(offer.id, ANNA).await.unwrap(), None, "bad answers change nothing");
    anna.press("€3.50");
    said(&anna, "I'll tell you when Veg box costs €3.50 or less").await;
    assert_eq!(app.store().price_watch(offer.id, ANNA).await.unwrap(), Some((350, false)));

    // Dan asks for the same, but sleeps from 30 minutes before the drop to
    // €3.50 until 20 minutes after it.
    let dan = app.user(DAN, "Dan");
    card(&dan, &offer).await;
    dan.press("⭐ Follow Bäckerei Kalle");
    dan.press(WATCH);
    said(&dan, "Tell you when").await;
    dan.press("€3.50");
    said(&dan, "I'll tell you when").await;
    let local = times[2].with_timezone(&berlin());
    let at = (local.hour() * 60 + local.minute()) as u16;
    let quiet = StoredQuiet {
        timezone: Some("Europe/Berlin".into()),
        quiet: Some(((at + 1440 - 30) % 1440, (at + 20) % 1440)),
    };
    app.store().set_quiet(DAN, &quiet, app.clock.now()).await.unwrap();

    // Ben reserves just before the first drop: €5.00, and Stripe is asked
    // for it.
    move_to(&app, times[0] - Duration::minutes(5));
    let ben = app.user(BEN, "Ben");
    let bens = order_id(&buy(&ben, &offer, "1").await.text);
    assert_eq!(session_of(&app, bens).amount_total, 500);
    assert_eq!(app.store().purchase(bens).await.unwrap().lines[0].unit_price.minor(), 500);

    // The first drop: the card steps, Cara pays the new price.
    move_to(&app, times[0]);
    let cara = app.user(CARA, "Cara");
    let shown = card(&cara, &offer).await;
    let next = hhmm(times[1]);
    assert!(shown.text.contains(&format!("€4.50 now, €4.00 from {next}")), "{}", shown.text);
    let caras = order_id(&buy(&cara, &offer, "2").await.text);
    assert_eq!(session_of(&app, caras).amount_total, 900);
    let p = app.store().purchase(caras).await.unwrap();
    assert_eq!((p.total.minor(), p.lines[0].unit_price.minor()), (900, 450));

    // Ben's reservation kept its price: he pays €5.00 and the order stands.
    assert_eq!(app.store().purchase(bens).await.unwrap().total.minor(), 500);
    let event = pay_at_stripe(&app, bens);
    assert_eq!(app.deliver_stripe(&event).await, 200);
    said(&ben, "confirmed!").await;
    assert_eq!(app.store().purchase(bens).await.unwrap().status, PurchaseStatus::Paid);

    // Not yet below Anna's price: nothing for her.
    let ctx = app.side_ctx().await;
    glean::jobs::tick(&ctx).await;
    assert_eq!(app.store().price_watch(offer.id, ANNA).await.unwrap(), Some((350, false)));

    // The third drop reaches €3.50: Anna is told, once.
    move_to(&app, times[2]);
    let told = said(&anna, "you asked to hear below €3.50").await;
    assert!(told.text.contains("Veg box") && told.text.contains("is now €3.50"), "{}", told.text);
    assert!(told.button_labels().contains(&"🛒 Buy"), "{:?}", told.button_labels());
    // Dan's waits for the end of his quiet hours.
    glean::jobs::tick(&ctx).await;
    assert_eq!(app.store().price_watch(offer.id, DAN).await.unwrap(), Some((350, true)));
    let held = app.store().notices_of_chat(DAN).await.unwrap();
    assert_eq!(held.last().map(|(k, _, s)| (*k, s.as_str())), Some((NoticeKind::PriceDropped, "pending")), "{held:?}");
    move_to(&app, times[2] + Duration::minutes(20));
    said(&dan, "is now €3.50 – you asked to hear below €3.50").await;
    move_to(&app, times[3]);
    glean::jobs::tick(&ctx).await;
    glean::jobs::tick(&ctx).await;
    let notices = app.store().notices_of_chat(ANNA).await.unwrap();
    assert_eq!(notices.iter().filter(|(k, _, _)| *k == NoticeKind::PriceDropped).count(), 1, "{notices:?}");
    assert_eq!(app.store().price_watch(offer.id, ANNA).await.unwrap(), Some((350, true)));
    // Her export holds the watch; her erasure takes it.
    let data = app.store().personal_data(ANNA).await.unwrap();
    assert_eq!(data.price_watches.iter().map(|w| (w.offer_id, w.below_minor)).collect::<Vec<_>>(), [(offer.id, 350)]);
    app.store().erase_person(ANNA, -74_010, &glean::store::Actor::User(ANNA), app.clock.now()).await.unwrap();
    assert_eq!(app.store().price_watch(offer.id, ANNA).await.unwrap(), None);
    let shown = card(&cara, &offer).await;
    assert!(shown.text.contains("Veg box (5 kg box): €3.20 €12.00"), "{}", shown.text);
    assert!(!shown.button_labels().contains(&WATCH), "no more drops to watch");

    assert!(app.tg.rejected().is_empty(), "Telegram refused requests: {:?}", app.tg.rejected());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prices_step_across_the_clock_change_sqlite() {
    prices_step_across_the_clock_change(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prices_step_across_the_clock_change_postgres() {
    prices_step_across_the_clock_change(Backend::Postgres).await;
}

/// Pay at pickup (no Stripe), the night of 28 March 2027 in Berlin, when
/// 02:00 CET becomes 03:00 CEST: a window 00:30–03:30 steps at 01:30 CET,
/// then at 03:00 CEST for the three steps of 02:00, 02:30 and 03:00 at once.
async fn prices_step_across_the_clock_change(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    verified_business(app.store()).await;
    let owner = app.user(OWNER, "Kalle");
    move_to(&app, Utc.with_ymd_and_hms(2027, 3, 27, 11, 0, 0).unwrap());
    // Without card payments, Stripe's minimum doesn't bind the floor.
    compose(&owner, "2027-03-28 0:30-3:30", &[("9", "can't be above the deal price (€5.00)"), ("0.30", "")]).await;
    let offer = publish(&app, &owner).await;
    assert_eq!(offer.pickup_end, Utc.with_ymd_and_hms(2027, 3, 28, 1, 30, 0).unwrap());
    let api = |id: i64| {
        let url = format!("{}/api/v1/offers/{id}", app.base_url);
        async move { reqwest::get(url).await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };

    let anna = app.user(ANNA, "Anna");
    move_to(&app, Utc.with_ymd_and_hms(2027, 3, 28, 0, 29, 0).unwrap());
    let shown = card(&anna, &offer).await;
    assert!(shown.text.contains("€5.00 now, €4.50 from 01:30"), "{}", shown.text);

    // 01:30 CET (00:30 UTC): the first step.
    move_to(&app, Utc.with_ymd_and_hms(2027, 3, 28, 0, 30, 0).unwrap());
    let shown = card(&anna, &offer).await;
    assert!(shown.text.contains("€4.50 now, €3.00 from 03:00"), "{}", shown.text);
    let view = api(offer.id).await;
    assert_eq!(view["items"][0]["deal_price"]["amount_minor"], 450, "{view}");
    assert_eq!(view["items"][0]["next_drop"]["at_local"], "03:00", "{view}");
    assert_eq!(view["items"][0]["next_drop"]["price"]["amount_minor"], 300, "{view}");
    // Reserved now (pay at pickup): €4.50 for good.
    let reserved = buy(&anna, &offer, "1").await;
    let order = order_id(&reserved.text);
    assert_eq!(app.store().purchase(order).await.unwrap().total.minor(), 450);

    // 03:00 CEST (01:00 UTC), an hour of real time later: three steps at once.
    move_to(&app, Utc.with_ymd_and_hms(2027, 3, 28, 0, 59, 0).unwrap());
    let shown = card(&anna, &offer).await;
    assert!(shown.text.contains("€4.50 now, €3.00 from 03:00"), "{}", shown.text);
    move_to(&app, Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 0).unwrap());
    let shown = card(&anna, &offer).await;
    assert!(shown.text.contains("Veg box (5 kg box): €3.00 €12.00 −75%"), "{}", shown.text);
    assert_eq!(api(offer.id).await["items"][0]["deal_price"]["amount_minor"], 300);
    assert_eq!(app.store().purchase(order).await.unwrap().total.minor(), 450, "the reservation kept its price");
}
