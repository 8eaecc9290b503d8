//! Languages through the real bot: a German shop owner registers and posts
//! a deal entirely in German, Ukrainian customers buy it and read the right
//! plural forms, `/language` switches and survives a restart, and the
//! command menu is set per language.

use glean_fakes::telegram::FakeUser;

use crate::support::app::{TestApp, eventually, said};
use crate::support::db::Backend;

const OWNER: i64 = 1601;
const OLENA: i64 = 2601;
const TARAS: i64 = 2602;
const ANNA: i64 = 2603;
const NBSP: char = '\u{a0}';

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_shop_and_ukrainian_customers_sqlite() {
    german_shop_ukrainian_customers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_shop_and_ukrainian_customers_postgres() {
    german_shop_ukrainian_customers(Backend::Postgres).await;
}

/// Sends `bad`, expects `problem` and the same question again.
async fn refused(user: &FakeUser, bad: &str, problem: &str, question: &str) {
    user.send(bad);
    said(user, problem).await;
    said(user, question).await;
}

async fn german_shop_ukrainian_customers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = app.admin();
    let owner = app.user(OWNER, "Kalle");
    owner.set_language("de-AT");

    // The menu in German for German-speaking users, English by default.
    eventually("the German menu", || async { !app.tg.my_commands_for(None, "de").is_empty() }).await;
    let de_menu = app.tg.my_commands_for(None, "de");
    assert!(de_menu.contains(&("newoffer".into(), "Neues Angebot einstellen".into())), "{de_menu:?}");
    assert!(app.tg.my_commands_for(None, "uk").contains(&("deals".into(), "Пропозиції поруч".into())));
    assert!(app.tg.my_commands().contains(&("deals".into(), "Deals near you".into())));
    let admin_de = app.tg.my_commands_for(Some(admin.id()), "de");
    assert!(admin_de.iter().any(|(c, d)| c == "verify" && d.starts_with("Betrieb freischalten")), "{admin_de:?}");

    owner.send("/start");
    said(&owner, "Willkommen bei Glean").await;

    // Registration, in German, with a German refusal on the way.
    owner.send("/register");
    said(&owner, "Wie heißt er?").await;
    owner.send("Bäckerei Kalle");
    said(&owner, "Telefonnummer").await;
    refused(&owner, "ruf mich an", "sieht nicht nach einer Telefonnummer aus", "Telefonnummer").await;
    owner.send_contact("+49 30 1234567");
    said(&owner, "Wo holen Kunden ab?").await;
    owner.send("Torstraße 1, 10119 Berlin");
    said(&owner, "Schick den Abholort").await;
    owner.send_location(52.5290, 13.4010);
    said(&owner, "In welcher Zeitzone").await;
    owner.press("Europe/Berlin");
    said(&owner, "In welcher Währung").await;
    owner.press("EUR");
    said(&owner, "ist angemeldet und wartet auf die Prüfung").await;
    assert_eq!(app.store().user(OWNER).await.unwrap().unwrap().language.as_deref(), Some("de"));

    // The admin reads English; the owner's notice comes in German.
    said(&admin, "to verify").await;
    admin.press("✅ Approve");
    said(&owner, "ist freigeschaltet!").await;

    // The deal.
    owner.send("/newoffer");
    said(&owner, "Wie soll es heißen?").await;
    owner.send("Brottüte");
    said(&owner, "Eine kurze Beschreibung?").await;
    owner.send("Sauerteig und Gebäck von heute");
    said(&owner, "Was ist der erste Artikel?").await;
    owner.send("Sauerteigbrot");
    said(&owner, "Was ist eine Einheit?").await;
    owner.send("1 Laib");
    said(&owner, "normale Preis").await;
    refused(&owner, "abc", "sieht nicht nach einem Preis aus", "normale Preis").await;
    owner.send("5,00");
    let deal = said(&owner, "Angebotspreis").await;
    assert!(deal.text.contains(&format!("normale Preis von 5,00{NBSP}€")), "{}", deal.text);
    owner.send("2,00");
    said(&owner, "Wie viele Einheiten").await;
    owner.send("5");
    let so_far = said(&owner, "Bisherige Artikel").await;
    let line = format!("Sauerteigbrot (1 Laib): 2,00{NBSP}€ statt 5,00{NBSP}€, 5 Einheiten");
    assert!(so_far.text.contains(&line), "{}", so_far.text);
    assert_eq!(
        so_far.button_labels(),
        vec!["➕ Weiteren Artikel hinzufügen", "Weiter ➡️", "⬅️ Zurück", "✖️ Abbrechen"]
    );
    owner.press("Weiter ➡️");
    said(&owner, "Wann können Kunden abholen? Die Zeiten gelten in Europe/Berlin").await;
    refused(&owner, "irgendwann", "Diesen Zeitraum konnte ich nicht lesen", "Wann können Kunden abholen?").await;
    owner.send("morgen 18:00-20:00");
    said(&owner, "Soll der Preis").await;
    owner.press("Keine Preissenkungen");
    said(&owner, "Schick ein Foto").await;
    owner.press("Überspringen ➡️");
    said(&owner, "Vorschau").await;
    let preview = owner.reply_matching(|m| m.button_labels().contains(&"✅ Veröffentlichen")).await;
    for part in [
        format!("Sauerteigbrot (1 Laib): 2,00{NBSP}€ 5,00{NBSP}€ −60% · 5 Einheiten übrig"),
        "Abholung: Morgen 18:00–20:00 (Europe/Berlin)".to_string(),
    ] {
        assert!(preview.text.contains(&part), "missing {part:?} in {}", preview.text);
    }
    assert_eq!(preview.button_labels(), vec!["✅ Veröffentlichen", "✏️ Bearbeiten", "🗑 Verwerfen"]);
    owner.press("✅ Veröffentlichen");
    let live = said(&owner, "ist online!").await;
    let offer_id: i64 = live.text.rsplit("offer_").next().unwrap().trim().parse().unwrap();
    let offer = app.store().offer(offer_id).await.unwrap();

    // Entirely in German: no English sentence reached the owner.
    for m in owner.messages() {
        for english in ["What", "Please", "Your ", " your ", " the ", "Thanks", " left", "Pickup"] {
            assert!(!m.text.contains(english), "English {english:?} in a German chat: {}", m.text);
        }
    }

    // A Ukrainian customer finds it: plural "many" for 5.
    let olena = app.user(OLENA, "Олена");
    olena.set_language("uk");
    olena.send("/deals");
    let list = said(&olena, "Пропозиції").await;
    assert!(list.text.contains(&format!("від 2,00{NBSP}€ (−60%) · залишилося 5 одиниць")), "{}", list.text);
    olena.send(&format!("/start offer_{offer_id}"));
    let card = olena.reply_matching(|m| m.text.contains("Brottüte")).await;
    assert!(card.text.contains("Видача: Завтра 18:00–20:00 (Europe/Berlin)"), "{}", card.text);
    olena.press("🛒 Купити");
    said(&olena, "Скільки?").await;
    olena.press("2");
    // Pay at pickup (no Stripe here): confirmed at once; 3 left is "few".
    let confirmed = olena.reply_matching(|m| m.edited && m.text.contains("підтверджено")).await;
    assert!(confirmed.text.contains(&format!("Оплата 4,00{NBSP}€ під час отримання")), "{}", confirmed.text);
    assert!(confirmed.text.contains("2 × Sauerteigbrot"), "{}", confirmed.text);
    assert!(confirmed.text.contains("залишилося 3 одиниці"), "{}", confirmed.text);
    // The shop hears of it in German.
    let new_order = said(&owner, "Neue Bestellung").await;
    assert!(new_order.text.contains("3 Einheiten übrig"), "{}", new_order.text);

    // Another buys 2: 1 left is "one".
    let taras = app.user(TARAS, "Тарас");
    taras.set_language("uk");
    taras.send(&format!("/start offer_{offer_id}"));
    taras.reply_matching(|m| m.button_labels().contains(&"🛒 Купити")).await;
    taras.press("🛒 Купити");
    said(&taras, "Скільки?").await;
    taras.press("2");
    let confirmed = taras.reply_matching(|m| m.edited && m.text.contains("підтверджено")).await;
    assert!(confirmed.text.contains("залишилася 1 одиниця"), "{}", confirmed.text);
    let new_order = said(&owner, "Neue Bestellung").await;
    assert!(new_order.text.contains("1 Einheit übrig"), "{}", new_order.text);
    assert_eq!(app.store().offer(offer.id).await.unwrap().remaining(), 1);

    // Getting paid speaks German too: /sales, its statement's months, /payouts.
    owner.send("/sales");
    let sales = said(&owner, "Verkäufe · Bäckerei Kalle").await;
    assert!(sales.text.contains("Glean schuldet dir: 0"), "{}", sales.text);
    assert!(sales.text.contains("Heute\nnoch nichts"), "{}", sales.text);
    owner.press("📄 Abrechnung");
    let months = said(&owner, "Für welchen Monat?").await;
    let month = glean::domain::ledger::Month::of(app.clock.now(), chrono_tz::Europe::Berlin);
    let de = glean::render::i18n::Lang::from_code("de").unwrap();
    let label = glean::render::money::month_label(de, month);
    assert_ne!(label, glean::render::money::month_label(glean::render::i18n::Lang::EN, month));
    assert_eq!(months.button_labels().first(), Some(&label.as_str()), "{:?}", months.button_labels());
    owner.send("/payouts");
    said(&owner, "Auszahlungen über Stripe sind hier nicht eingeschaltet").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_switches_and_survives_a_restart_sqlite() {
    language_switches(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_switches_and_survives_a_restart_postgres() {
    language_switches(Backend::Postgres).await;
}

async fn language_switches(backend: Backend) {
    let Some(mut app) = TestApp::spawn(backend).await else { return };
    let anna = app.user(ANNA, "Anna");
    anna.send("/start");
    said(&anna, "Welcome to Glean").await;

    // Unsupported: the supported ones are listed, nothing changes.
    anna.send("/language xx");
    let answer = said(&anna, "I don't speak “xx” yet").await;
    assert!(answer.text.contains("English (en), Deutsch (de), Українська (uk)"), "{}", answer.text);
    assert!(!app.store().user(ANNA).await.unwrap().unwrap().language_chosen);

    // A button per language.
    anna.send("/language");
    let picker = said(&anna, "Which language").await;
    assert_eq!(picker.button_labels(), vec!["English", "Deutsch", "Українська"]);
    let press = anna.press("Deutsch");
    anna.callback_answer(&press).await;
    said(&anna, "Ab jetzt schreibe ich Deutsch").await;
    anna.send("/help");
    said(&anna, "Was ich kann").await;

    // The choice outlives a restart, although Telegram still says "en".
    app.restart().await;
    anna.send("/start");
    said(&anna, "Willkommen bei Glean").await;
    let u = app.store().user(ANNA).await.unwrap().unwrap();
    assert_eq!((u.language.as_deref(), u.language_chosen), (Some("de"), true));

    // Typed with a code, and a regional one.
    anna.send("/language uk-UA");
    said(&anna, "Відтепер пишу українською").await;
    anna.send("/frobnicate");
    said(&anna, "Я не знаю такої команди").await;
    anna.send("/language en");
    said(&anna, "I'll speak English from now on").await;
}
