//! Businesses get paid: Stripe Connect onboarding through the bot, the
//! `/connect/{token}` route and the return page, the Connect webhook,
//! destination charges with the platform fee, refunds with a reversal,
//! payouts, and the ledger behind `/sales`, the CSV statement and the
//! statement API; every figure checked against what the fake Stripe moved.

use chrono::Duration;
use glean::domain::PurchaseStatus;
use glean::domain::ledger::{EntryKind, Month, Party};
use glean::render::i18n::Lang;
use glean_fakes::stripe::LinkVisit;
use glean_fakes::telegram::{BotMessage, FakeUser};
use serde_json::Value;

use crate::support::app::{ADMIN_ID, TestApp, eventually, said};
use crate::support::db::Backend;
use crate::support::fixtures::shop_with_offer;
use crate::support::shop::{buy, compose_offer_finish, compose_offer_start, order_id, pay_at_stripe, session_of};

const SHOP: i64 = 1401;
const SHOP2: i64 = 1402;
const AT: (f64, f64) = (52.5200, 13.4050);
/// 10 % + 0.20 EUR per order.
const FEES: [(&str, &str); 2] = [("PLATFORM_FEE_BPS", "1000"), ("PLATFORM_FEE_FIXED", "EUR:20")];

macro_rules! on_both {
    ($($name:ident => $body:ident),+ $(,)?) => {
        mod both {
            $(
                pub mod $name {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn sqlite() {
                        super::super::$body(crate::support::db::Backend::Sqlite).await;
                    }
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn postgres() {
                        super::super::$body(crate::support::db::Backend::Postgres).await;
                    }
                }
            )+
        }
    };
}

on_both! {
    a_business_onboards_sells_refunds_and_is_paid_out_to_the_cent => full_story,
    bad_onboarding_links_and_bad_events_change_nothing => bad_input,
    fee_overrides_are_refused_above_100_percent_or_below_zero => fee_overrides,
    without_connect_the_ledger_says_what_the_platform_owes => without_connect,
    a_month_without_entries_is_a_header_and_a_zero_total => empty_statement,
    randomized_ledgers_match_what_stripe_holds => randomized,
    the_ledger_is_append_only => append_only,
    a_refund_that_fails_later_is_undone_in_the_ledger => refund_fails_later,
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

fn button_url(m: &BotMessage, label: &str) -> String {
    m.inline_buttons
        .iter()
        .flatten()
        .find(|b| b.text == label)
        .and_then(|b| b.url.clone())
        .unwrap_or_else(|| panic!("no URL button {label:?} on: {}", m.text))
}

/// The owner goes through "Get paid by card" (country, email) and gets the
/// button to Glean's onboarding link; returns its URL.
async fn ask_for_payouts(owner: &FakeUser, email: &str) -> String {
    owner.send("/payouts");
    said(owner, "Which country").await;
    owner.press("🇩🇪 DE");
    said(owner, "Which email").await;
    owner.send("not an email");
    said(owner, "doesn't look like an email").await;
    owner.send(email);
    let m = owner.reply_matching(|m| m.text.contains("ready to set up")).await;
    button_url(&m, "Continue with Stripe")
}

/// Opens Glean's link in the browser: a 303 to a fresh account link.
async fn open_link(app: &TestApp, url: &str) -> String {
    let r = http().get(app.local(url)).send().await.expect("GET /connect");
    assert_eq!(r.status().as_u16(), 303, "{url}");
    r.headers()["location"].to_str().expect("location").to_owned()
}

/// The whole onboarding: the dialogue, the link, Stripe's page, the
/// return page; Stripe then verifies the account and says so by webhook.
/// Returns the account id.
async fn onboard(app: &TestApp, owner: &FakeUser, email: &str) -> String {
    let url = ask_for_payouts(owner, email).await;
    let stripe_link = open_link(app, &url).await;
    let LinkVisit::Opened { account, return_url } = app.fake_stripe().visit_account_link(&stripe_link) else {
        panic!("the account link didn't open")
    };
    let page = http().get(app.local(&return_url)).send().await.expect("return page");
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("go back to Telegram"));
    said(owner, "Card payouts ·").await;
    let object = app.fake_stripe().verify_account(&account);
    let event = app.fake_stripe().connect_event("account.updated", &account, object);
    assert_eq!(app.deliver_connect(&event).await, 200);
    said(owner, "can take card payments now").await;
    account
}

async fn cancel(customer: &FakeUser, id: i64) {
    customer.send("/orders");
    said(customer, "Your orders").await;
    customer.press(&format!("Cancel #{id}"));
    said(customer, "back in full").await;
    customer.press("Yes, cancel it");
    said(customer, "will be refunded").await;
}

/// The sum of a business's (or the platform's) entries, all time.
async fn ledger_sum(app: &TestApp, business: Option<i64>, party: Party) -> i64 {
    let (from, to) = (chrono::DateTime::<chrono::Utc>::MIN_UTC, app.clock.now() + Duration::days(1));
    app.store().ledger_sums(business, party, from, to).await.unwrap().iter().map(|r| r.3).sum()
}

async fn entries(app: &TestApp, business: i64) -> Vec<glean::store::LedgerEntry> {
    let (from, to) = (chrono::DateTime::<chrono::Utc>::MIN_UTC, app.clock.now() + Duration::days(1));
    app.store().ledger_entries(Some(business), Party::Business, from, to).await.unwrap()
}

/// "12.34" or "-0.05" as minor units.
fn minor(decimal: &str) -> i64 {
    let negative = decimal.starts_with('-');
    let digits: String = decimal.chars().filter(char::is_ascii_digit).collect();
    let n: i64 = digits.parse().unwrap_or_else(|_| panic!("not an amount: {decimal}"));
    assert!(decimal.contains('.'), "{decimal}");
    if negative { -n } else { n }
}

/// Asks for a month's statement through the bot; returns the CSV.
async fn statement_csv(app: &TestApp, owner: &FakeUser, month: &str) -> String {
    owner.send("/sales");
    said(owner, "Sales ·").await;
    owner.press("📄 Statement");
    said(owner, "Which month's statement?").await;
    let label = glean::render::money::month_label(Lang::EN, Month::parse(month).expect("a month"));
    owner.press(&label);
    let doc = owner.reply_matching(|m| m.raw.get("document").is_some()).await;
    assert!(doc.text.contains(&label), "{}", doc.text);
    let file_id = doc.raw["document"]["file_id"].as_str().expect("file id").to_owned();
    String::from_utf8(app.tg.file_bytes(&file_id).expect("the document's bytes")).expect("UTF-8")
}

/// The CSV's rows (without header and totals) and its total rows, checking
/// that each currency's rows sum to its total exactly.
fn check_csv(csv: &str) -> (Vec<Vec<String>>, Vec<(String, i64)>) {
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(lines.next(), Some("date,kind,order,stripe_object,amount,currency,note"), "{csv}");
    let mut rows = Vec::new();
    let mut totals = Vec::new();
    for line in lines {
        let fields: Vec<String> = line.split(',').map(str::to_owned).collect();
        assert!(fields.len() >= 7, "{line}");
        if fields[0] == "total" {
            totals.push((fields[5].clone(), minor(&fields[4])));
        } else {
            assert!(totals.is_empty(), "a row after the totals: {csv}");
            rows.push(fields);
        }
    }
    for (currency, total) in &totals {
        let sum: i64 = rows.iter().filter(|r| &r[5] == currency).map(|r| minor(&r[4])).sum();
        assert_eq!(sum, *total, "{currency} rows don't sum to the total:\n{csv}");
    }
    (rows, totals)
}

fn this_month(app: &TestApp) -> String {
    Month::of(app.clock.now(), "Europe/Berlin".parse().unwrap()).to_string()
}

/// Onboarding, a destination charge with the fee, a refund with a
/// reversal, a payout: `/sales`, the CSV and the ledger agree to the cent
/// with the fake Stripe, for the business and for the platform.
async fn full_story(backend: Backend) {
    let Some(app) = TestApp::spawn_with_connect(backend, &FEES).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Connect Bakery", AT, 10, 250).await;
    let owner = app.user(SHOP, "Baker");
    let stripe = app.fake_stripe();

    // Before onboarding the business sells pay-at-pickup only.
    let early = app.user(4101, "Early");
    let answer = buy(&early, &offer, "1").await;
    assert!(answer.text.contains("at pickup"), "{}", answer.text);
    assert!(stripe.sessions().is_empty());

    let account = onboard(&app, &owner, "baker@example.com").await;
    let accounts = stripe.accounts();
    assert_eq!(accounts.len(), 1);
    let a = &accounts[0];
    assert_eq!((a.country.as_str(), a.email.as_deref()), ("DE", Some("baker@example.com")));
    assert_eq!(a.metadata.get("business_id"), Some(&offer.business_id.to_string()));
    assert_eq!(a.controller.get("fees[payer]").map(String::as_str), Some("application"));
    assert_eq!(a.controller.get("losses[payments]").map(String::as_str), Some("application"));
    assert_eq!(a.controller.get("stripe_dashboard[type]").map(String::as_str), Some("express"));
    assert_eq!(a.controller.get("requirement_collection").map(String::as_str), Some("stripe"));
    assert!(a.capabilities.contains(&"card_payments".to_owned()) && a.capabilities.contains(&"transfers".to_owned()));
    // The same event again is recorded once: no second notice.
    let again = stripe.connect_event("account.updated", &account, stripe.account_object(&account).unwrap());
    assert_eq!(app.deliver_connect(&again).await, 200);
    assert_eq!(app.deliver_connect(&again).await, 200);
    assert!(owner.no_reply_for(std::time::Duration::from_millis(300)).await);

    // Publishing now says nothing about paying at pickup.
    compose_offer_start(&owner, "Fresh from the field").await;
    compose_offer_finish(&owner).await;
    owner.press("✅ Publish");
    let published = said(&owner, "is live!").await;
    assert!(!published.text.contains("at pickup"), "{}", published.text);

    // A customer pays: a destination charge carrying the fee, 10 % + 0.20.
    let carla = app.user(4102, "Carla");
    let first = order_id(&buy(&carla, &offer, "2").await.text);
    let session = session_of(&app, first);
    assert_eq!(session.destination.as_deref(), Some(account.as_str()));
    assert_eq!(session.application_fee_amount, Some(70));
    assert_eq!(session.on_behalf_of, None, "same country as the platform");
    assert_eq!(app.deliver_stripe(&pay_at_stripe(&app, first)).await, 200);
    said(&carla, "confirmed!").await;

    // She cancels: the refund reverses the transfer and gives the fee back.
    cancel(&carla, first).await;
    eventually("the refund settles", || async {
        app.store().purchase(first).await.unwrap().status == PurchaseStatus::Refunded
    })
    .await;
    let refund = stripe.requests("/v1/refunds").into_iter().find(|r| r.method == "POST").expect("a refund");
    let param = |k: &str| refund.params.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    assert_eq!(param("reverse_transfer").as_deref(), Some("true"));
    assert_eq!(param("refund_application_fee").as_deref(), Some("true"));

    // Another customer buys one unit and keeps it.
    let dana = app.user(4103, "Dana");
    let second = order_id(&buy(&dana, &offer, "1").await.text);
    assert_eq!(session_of(&app, second).application_fee_amount, Some(45));
    assert_eq!(app.deliver_stripe(&pay_at_stripe(&app, second)).await, 200);
    said(&dana, "confirmed!").await;

    // Stripe's processing fees reach the ledger as the platform's cost.
    eventually("processing fees recorded", || async { processing_fees(&app).await == 2 }).await;
    let business = offer.business_id;
    assert_eq!(stripe.account_balance(&account), 250 - 45);
    assert_eq!(ledger_sum(&app, Some(business), Party::Business).await, stripe.account_balance(&account));
    assert_eq!(ledger_sum(&app, None, Party::Platform).await, stripe.platform_margin());

    // A payout lands; the event again changes nothing.
    let payout = stripe.create_payout(&account, 205);
    let event = stripe.connect_event("payout.paid", &account, stripe.settle_payout(&payout, true, None));
    assert_eq!(app.deliver_connect(&event).await, 200);
    said(&owner, "has arrived").await;
    assert_eq!(app.deliver_connect(&event).await, 200);
    assert_eq!(stripe.account_balance(&account), 0);
    assert_eq!(ledger_sum(&app, Some(business), Party::Business).await, 0);

    // `/sales` says what Stripe moved.
    owner.send("/sales");
    let sales = said(&owner, "Sales ·").await;
    for figure in ["gross €7.50", "fees −€0.45", "refunds −€5.00", "net €2.05", "paid out €2.05"] {
        assert!(sales.text.contains(figure), "{figure} missing in:\n{}", sales.text);
    }
    assert!(sales.text.contains("Balance at Stripe: €0.00"), "{}", sales.text);

    // The CSV: one row per entry, rows summing to the total, which is
    // what the account holds.
    let csv = statement_csv(&app, &owner, &this_month(&app)).await;
    let (rows, totals) = check_csv(&csv);
    assert_eq!(totals, vec![("EUR".to_owned(), stripe.account_balance(&account))]);
    assert_eq!(rows.len(), entries(&app, business).await.len());
    let kinds: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    for kind in ["sale", "platform_fee", "transfer_reversal", "fee_refund", "payout"] {
        assert!(kinds.contains(&kind), "{kind} missing: {kinds:?}");
    }
    let gross: i64 = rows.iter().filter(|r| r[1] == "sale").map(|r| minor(&r[4])).sum();
    let charged: i64 = stripe.payments().iter().map(|p| p.1).sum();
    assert_eq!(gross, charged);

    // Admins see the platform's margin.
    let admin = app.admin();
    admin.send("/finance");
    let finance = said(&admin, "Platform margin").await;
    let margin = Lang::EN.signed_money(stripe.platform_margin(), glean::domain::Currency::from_code("EUR").unwrap());
    assert!(finance.text.contains(&format!("margin {margin}")), "{margin} not in:\n{}", finance.text);
}

/// Expired and unknown tokens, another business's link, a forged Connect
/// event, an account Stripe disables: clear answers, nothing touched.
async fn bad_input(backend: Backend) {
    let Some(app) = TestApp::spawn_with_connect(backend, &FEES).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "First Bakery", AT, 10, 250).await;
    let other = shop_with_offer(app.store(), SHOP2, "Second Bakery", (52.53, 13.41), 10, 300).await;
    let (owner, owner2) = (app.user(SHOP, "Baker"), app.user(SHOP2, "Other"));
    let stripe = app.fake_stripe();
    let admin = app.admin();
    admin.send("/start");
    said(&admin, "Welcome").await;

    // An unknown token: a clear page, nothing made at Stripe.
    for token in ["0123456789abcdef0123456789abcdef0123456789abcdef", "not-hex", "x"] {
        let r = http().get(format!("{}/connect/{token}", app.base_url)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404);
        assert!(r.text().await.unwrap().contains("/payouts"));
        let r = http().get(format!("{}/connect/{token}/return", app.base_url)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404);
    }
    assert!(stripe.accounts().is_empty() && stripe.account_links().is_empty());

    // Two businesses onboard; each link leads to its own account only.
    let url1 = ask_for_payouts(&owner, "one@example.com").await;
    let url2 = ask_for_payouts(&owner2, "two@example.com").await;
    assert_eq!(stripe.accounts().len(), 2);
    let account_of = |business: i64| {
        stripe.accounts().into_iter().find(|a| a.metadata.get("business_id") == Some(&business.to_string())).unwrap().id
    };
    let (acct1, acct2) = (account_of(offer.business_id), account_of(other.business_id));
    assert_ne!(acct1, acct2);
    let link1 = open_link(&app, &url1).await;
    let link2 = open_link(&app, &url2).await;
    let again1 = open_link(&app, &url1).await;
    assert_ne!(link1, again1, "every visit mints a fresh account link");
    let account_of_link =
        |url: &str| stripe.account_links().into_iter().find(|l| l.url == url).expect("a link Stripe made").account;
    assert_eq!(account_of_link(&link1), acct1);
    assert_eq!(account_of_link(&again1), acct1);
    assert_eq!(account_of_link(&link2), acct2);
    // A used Stripe link sends the browser to refresh_url: our same route.
    assert!(matches!(stripe.visit_account_link(&link1), LinkVisit::Opened { .. }));
    let LinkVisit::Refresh(refresh) = stripe.visit_account_link(&link1) else { panic!("a used link worked again") };
    assert_eq!(app.local(&refresh), app.local(&url1));
    assert_eq!(account_of_link(&open_link(&app, &refresh).await), acct1);
    // A second /payouts never makes a second account.
    owner.send("/payouts");
    said(&owner, "Card payouts ·").await;
    assert_eq!(stripe.accounts().len(), 2);

    // A Connect event signed with another secret (or none) is refused.
    let object = stripe.verify_account(&acct1);
    let event = stripe.connect_event("account.updated", &acct1, object);
    let url = format!("{}/webhooks/stripe/connect", app.base_url);
    assert_eq!(stripe.deliver(&url, stripe.webhook_secret(), &event).await.0, 400);
    let unsigned = http().post(&url).body(event.clone()).send().await.unwrap();
    assert_eq!(unsigned.status().as_u16(), 400);
    assert!(!app.store().connect_account(offer.business_id).await.unwrap().unwrap().state.charges_enabled);
    // Signed right, it takes effect.
    assert_eq!(app.deliver_connect(&event).await, 200);
    said(&owner, "can take card payments now").await;
    assert!(app.store().connect_account(offer.business_id).await.unwrap().unwrap().state.can_charge());

    // Stripe disables the account: the owner is told, customers pay at pickup.
    let object = stripe.require(&acct1, &["external_account"], Some("requirements.past_due"));
    assert_eq!(app.deliver_connect(&stripe.connect_event("account.updated", &acct1, object)).await, 200);
    said(&owner, "Stripe needs something").await;
    let customer = app.user(4201, "Carla");
    let answer = buy(&customer, &offer, "1").await;
    assert!(answer.text.contains("at pickup"), "{}", answer.text);
    assert!(stripe.sessions().is_empty());
    // Publishing says so.
    compose_offer_start(&owner, "Fresh from the field").await;
    compose_offer_finish(&owner).await;
    owner.press("✅ Publish");
    let published = said(&owner, "is live!").await;
    assert!(published.text.contains("Customers pay this deal at pickup"), "{}", published.text);

    // A payout that fails: the owner and the admins are told.
    let object = stripe.verify_account(&acct2);
    assert_eq!(app.deliver_connect(&stripe.connect_event("account.updated", &acct2, object)).await, 200);
    said(&owner2, "can take card payments now").await;
    let buyer = app.user(4202, "Dana");
    let id = order_id(&buy(&buyer, &other, "1").await.text);
    assert_eq!(app.deliver_stripe(&pay_at_stripe(&app, id)).await, 200);
    said(&buyer, "confirmed!").await;
    let payout = stripe.create_payout(&acct2, 100);
    let failed = stripe.settle_payout(&payout, false, Some("The bank account has been closed"));
    let event = stripe.connect_event("payout.failed", &acct2, failed);
    assert_eq!(app.deliver_connect(&event).await, 200);
    said(&owner2, "failed").await;
    said(&admin, "bank account has been closed").await;
    assert_eq!(ledger_sum(&app, Some(other.business_id), Party::Business).await, stripe.account_balance(&acct2));
    // A canceled payout is money back in the balance too, told once.
    let payout = stripe.create_payout(&acct2, 60);
    let event = stripe.connect_event("payout.canceled", &acct2, stripe.cancel_payout(&payout));
    assert_eq!(app.deliver_connect(&event).await, 200);
    said(&owner2, "the payout was canceled").await;
    assert_eq!(app.deliver_connect(&event).await, 200);
    assert_eq!(ledger_sum(&app, Some(other.business_id), Party::Business).await, stripe.account_balance(&acct2));

    // The token expires after CONNECT_LINK_HOURS: a clear page, no link.
    app.clock.advance(Duration::hours(25));
    let made = stripe.account_links().len();
    let r = http().get(app.local(&url1)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.text().await.unwrap().contains("expired"));
    assert_eq!(stripe.account_links().len(), made);
    assert_eq!(stripe.accounts().len(), 2);
}

/// `/fee`: above 100 % or negative is refused with the reason and changes
/// nothing; a valid one applies to the next checkout.
async fn fee_overrides(backend: Backend) {
    let Some(app) = TestApp::spawn_with_connect(backend, &FEES).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Fee Bakery", AT, 10, 400).await;
    let b = offer.business_id;
    let admin = app.admin();
    for (args, reason) in [
        (format!("{b} 150"), "above 100 %"),
        (format!("{b} 100.5"), "above 100 %"),
        (format!("{b} -5"), "can't be negative"),
        (format!("{b} 5 -0.30"), "can't be negative"),
        (format!("{b} five"), "like 7.5"),
    ] {
        admin.send(&format!("/fee {args}"));
        let m = said(&admin, "Not changed").await;
        assert!(m.text.contains(reason), "/fee {args}: {}", m.text);
    }
    assert_eq!(app.store().fee_override(b).await.unwrap(), None);
    admin.send("/fee 999999 5");
    said(&admin, "999999").await;
    let owner = app.user(SHOP, "Baker");
    owner.send(&format!("/fee {b} 0"));
    said(&owner, "admins only").await;
    admin.send(&format!("/fee {b} 5 0.30"));
    said(&admin, "5 % + €0.30").await;

    let account = onboard(&app, &owner, "fee@example.com").await;
    let customer = app.user(4301, "Carla");
    let id = order_id(&buy(&customer, &offer, "1").await.text);
    let session = session_of(&app, id);
    assert_eq!((session.destination.as_deref(), session.application_fee_amount), (Some(account.as_str()), Some(50)));
}

/// Connect off: card payments stay with the platform; the ledger says
/// what it owes, `/adjust` records paying by hand, the API shows the same.
async fn without_connect(backend: Backend) {
    let Some(mut app) = TestApp::spawn_with_stripe_and(backend, &FEES).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Manual Bakery", AT, 10, 250).await;
    let b = offer.business_id;
    let owner = app.user(SHOP, "Baker");
    owner.send("/payouts");
    said(&owner, "aren't switched on").await;

    let customer = app.user(4401, "Carla");
    let id = order_id(&buy(&customer, &offer, "1").await.text);
    let session = session_of(&app, id);
    assert_eq!(session.destination, None);
    assert_eq!(session.application_fee_amount, None);
    assert_eq!(app.deliver_stripe(&pay_at_stripe(&app, id)).await, 200);
    said(&customer, "confirmed!").await;

    owner.send("/sales");
    let sales = said(&owner, "Sales ·").await;
    assert!(sales.text.contains("Glean owes you: €2.05"), "{}", sales.text);
    assert!(!sales.inline_buttons.iter().flatten().any(|b| b.text.contains("Get paid")), "no Connect, no button");

    let admin = app.admin();
    admin.send("/finance");
    let finance = said(&admin, "Businesses with a balance").await;
    assert!(finance.text.contains(&format!("#{b} Manual Bakery: €2.05")), "{}", finance.text);
    for (args, answer) in
        [(format!("{b} 0 nothing"), "zero"), (format!("{b} -2.05"), "Say why"), (format!("{b} abc x"), "Not changed")]
    {
        admin.send(&format!("/adjust {args}"));
        said(&admin, answer).await;
    }
    admin.send(&format!("/adjust {b} -2.05 paid by bank transfer"));
    said(&admin, "Recorded −€2.05").await;
    assert_eq!(ledger_sum(&app, Some(b), Party::Business).await, 0);
    // Handled again after a crash before its mark: recorded once.
    replay_last_update(&mut app).await;
    said(&admin, "Recorded −€2.05").await;
    assert_eq!(ledger_sum(&app, Some(b), Party::Business).await, 0);

    // The statement API, with the owner's key.
    owner.send("/apikey");
    let m = said(&owner, "API key").await;
    let key = m.text.split_whitespace().find(|w| w.starts_with("glk_")).expect("a key").to_owned();
    // A replayed /apikey makes no second key; it says the key was shown.
    replay_last_update(&mut app).await;
    let again = said(&owner, "made its key already").await;
    assert!(!again.text.contains("glk_"), "{}", again.text);
    let month = this_month(&app);
    let url = format!("{}/api/v1/businesses/{b}/statement?month={month}", app.base_url);
    let r = http().get(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["totals"][0]["gross"], 250);
    assert_eq!(body["totals"][0]["fees"], -45);
    assert_eq!(body["totals"][0]["adjustments"], -205);
    assert_eq!(body["totals"][0]["closing_balance"], 0);
    let entry_sum: i64 = body["entries"].as_array().unwrap().iter().map(|e| e["amount"].as_i64().unwrap()).sum();
    assert_eq!(entry_sum, 0);
    let csv = statement_csv(&app, &owner, &month).await;
    let (rows, totals) = check_csv(&csv);
    assert_eq!(rows.len(), body["entries"].as_array().unwrap().len());
    assert_eq!(totals, vec![("EUR".to_owned(), 0)]);
    assert!(csv.contains("paid by bank transfer"));

    for (url, key) in [
        (url.clone(), None),
        (url.clone(), Some("glk_wrong")),
        (format!("{}/api/v1/businesses/{}/statement", app.base_url, b + 1), Some(key.as_str())),
    ] {
        let mut req = http().get(&url);
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        assert_eq!(req.send().await.unwrap().status().as_u16(), 401, "{url} {key:?}");
    }
    let bad = format!("{}/api/v1/businesses/{b}/statement?month=2026-13", app.base_url);
    assert_eq!(http().get(&bad).bearer_auth(&key).send().await.unwrap().status().as_u16(), 400);
    owner.send("/apikey revoke");
    said(&owner, "Revoked 1").await;
    assert_eq!(http().get(&url).bearer_auth(&key).send().await.unwrap().status().as_u16(), 401);
}

/// How many Stripe processing fees the platform's ledger holds.
async fn processing_fees(app: &TestApp) -> usize {
    let (from, to) = (chrono::DateTime::<chrono::Utc>::MIN_UTC, app.clock.now() + Duration::days(1));
    let all = app.store().ledger_entries(None, Party::Platform, from, to).await.unwrap();
    all.iter().filter(|e| e.kind == EntryKind::ProcessingFee).count()
}

/// The last update the bot handled, handled again after a restart, as a
/// crash between the handler's reply and its handled mark would have it.
async fn replay_last_update(app: &mut TestApp) {
    app.stop().await;
    app.db
        .execute(
            "UPDATE inbound_updates SET handled_at = NULL \
             WHERE update_id = (SELECT MAX(update_id) FROM inbound_updates)",
        )
        .await;
    app.restart().await;
}

/// A month with no entries: the header and a zero total.
async fn empty_statement(backend: Backend) {
    let Some(app) = TestApp::spawn_with_connect(backend, &FEES).await else { return };
    shop_with_offer(app.store(), SHOP, "Quiet Bakery", AT, 10, 250).await;
    let owner = app.user(SHOP, "Baker");
    let month = Month::parse(&this_month(&app)).unwrap().previous().to_string();
    let csv = statement_csv(&app, &owner, &month).await;
    assert_eq!(csv, "date,kind,order,stripe_object,amount,currency,note\r\ntotal,,,,0.00,EUR,\r\n");
}

/// Many sales, refunds and payouts over three businesses (one without a
/// fee, so refunds there must not ask for the fee back): each business's
/// ledger balance is what the fake Stripe holds for its account, and the
/// platform's margin is application fees less fees refunded less Stripe's
/// processing fees.
async fn randomized(backend: Backend) {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    let seeds: u64 = if backend == Backend::Sqlite { 3 } else { 2 };
    let mut seen: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for seed in 0..seeds {
        let Some(app) = TestApp::spawn_with_connect(backend, &FEES).await else { return };
        let ctx = app.side_ctx().await;
        let stripe = app.fake_stripe();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut shops = Vec::new();
        for (n, price) in [(0_i64, 250_i64), (1, 399), (2, 455)] {
            let owner = SHOP + 10 * n;
            let offer =
                shop_with_offer(app.store(), owner, &format!("Shop {n}"), (52.5 + n as f64 / 100.0, 13.4), 40, price)
                    .await;
            let business = app.store().business(offer.business_id).await.unwrap();
            let email = glean::domain::connect::Email::parse("shop@example.com").unwrap();
            let country = glean::domain::connect::Country::parse(if n == 2 { "AT" } else { "DE" }).unwrap();
            let account = glean::actions::connect::create_account(&ctx, &business, country, &email).await.unwrap();
            let object = stripe.verify_account(&account.account_id);
            let event = stripe.connect_event("account.updated", &account.account_id, object);
            assert_eq!(app.deliver_connect(&event).await, 200);
            if n == 1 {
                glean::actions::ledger::set_fee(&ctx, ADMIN_ID, business.id, "0", None).await.unwrap();
            }
            shops.push((offer, account.account_id));
        }
        eventually("accounts can charge", || async {
            let mut all = true;
            for (o, _) in &shops {
                all &= app.store().connect_account(o.business_id).await.unwrap().unwrap().state.can_charge();
            }
            all
        })
        .await;
        let mut paid: Vec<i64> = Vec::new();
        for _ in 0..40 {
            let (offer, account) = &shops[rng.gen_range(0..shops.len())];
            match rng.gen_range(0..10) {
                0..=4 => {
                    let customer = 6000 + rng.gen_range(0..50);
                    let bought = glean::actions::purchases::buy(
                        &ctx,
                        customer,
                        offer.id,
                        offer.items[0].id,
                        rng.gen_range(1..=3),
                        None,
                    )
                    .await;
                    if let Ok(glean::actions::purchases::Bought::AwaitingPayment { purchase, .. }) = bought {
                        let session = purchase.stripe_session_id.clone().unwrap();
                        stripe.complete_session(&session);
                        let event =
                            stripe.event("checkout.session.completed", stripe.session_object(&session).unwrap());
                        assert_eq!(app.deliver_stripe(&event).await, 200);
                        if rng.gen_bool(0.2) {
                            assert_eq!(app.deliver_stripe(&event).await, 200);
                        }
                        paid.push(purchase.id);
                        *seen.entry("sale").or_default() += 1;
                    }
                }
                5 | 6 => {
                    if paid.is_empty() {
                        continue;
                    }
                    let id = paid.swap_remove(rng.gen_range(0..paid.len()));
                    let customer = app.store().purchase(id).await.unwrap().customer_tg_id;
                    if glean::actions::purchases::cancel(&ctx, customer, id).await.is_ok() {
                        *seen.entry("refund").or_default() += 1;
                    }
                }
                _ => {
                    let balance = stripe.account_balance(account);
                    if balance <= 0 {
                        continue;
                    }
                    let payout = stripe.create_payout(account, rng.gen_range(1..=balance));
                    let ok = rng.gen_bool(0.8);
                    let object = stripe.settle_payout(&payout, ok, (!ok).then_some("account_closed"));
                    let kind = if ok { "payout.paid" } else { "payout.failed" };
                    let event = stripe.connect_event(kind, account, object);
                    assert_eq!(app.deliver_connect(&event).await, 200);
                    if rng.gen_bool(0.3) {
                        assert_eq!(app.deliver_connect(&event).await, 200);
                    }
                    *seen.entry(if ok { "payout" } else { "payout_failed" }).or_default() += 1;
                }
            }
        }
        // The refund queue and the processing-fee job catch up.
        eventually("refunds settle", || async {
            app.store().purchases_in(PurchaseStatus::RefundPending, 10).await.unwrap().is_empty()
        })
        .await;
        let charged = stripe.payments().len();
        eventually("every processing fee recorded", || async { processing_fees(&app).await == charged }).await;
        for (offer, account) in &shops {
            assert_eq!(
                ledger_sum(&app, Some(offer.business_id), Party::Business).await,
                stripe.account_balance(account),
                "seed {seed}: business {} against {account}",
                offer.business_id
            );
        }
        assert_eq!(ledger_sum(&app, None, Party::Platform).await, stripe.platform_margin(), "seed {seed}: margin");
        // Every refund reversed its transfer; those of the fee-less shop
        // never asked for a fee back (Stripe would have refused).
        for p in app.store().purchases_in(PurchaseStatus::Refunded, 1000).await.unwrap() {
            let pi = p.stripe_payment_intent.clone().unwrap();
            let r = stripe.refunds().into_iter().find(|r| r.payment_intent == pi).expect("its refund");
            assert_eq!(r.transfer_reversed, r.amount);
            if p.connect_account.as_deref() == Some(shops[1].1.as_str()) {
                assert_eq!(r.fee_refunded, 0);
                *seen.entry("refund_without_fee").or_default() += 1;
            }
        }
        // A cross-border business charges on its own behalf.
        let at_sessions: Vec<_> =
            stripe.sessions().into_iter().filter(|s| s.destination.as_ref() == Some(&shops[2].1)).collect();
        assert!(at_sessions.iter().all(|s| s.on_behalf_of.as_ref() == Some(&shops[2].1)));
    }
    for what in ["sale", "refund", "payout"] {
        assert!(seen.get(what).copied().unwrap_or(0) > 0, "the runs never did a {what}: {seen:?}");
    }
}

/// The database itself refuses to change or delete a ledger entry.
async fn append_only(backend: Backend) {
    let Some(app) = TestApp::spawn_with_stripe_and(backend, &FEES).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Ledger Bakery", AT, 10, 250).await;
    let customer = app.user(4501, "Carla");
    let id = order_id(&buy(&customer, &offer, "1").await.text);
    assert_eq!(app.deliver_stripe(&pay_at_stripe(&app, id)).await, 200);
    said(&customer, "confirmed!").await;
    assert!(!entries(&app, offer.business_id).await.is_empty());
    let update = app.db.try_execute("UPDATE ledger_entries SET amount = amount + 1").await;
    assert!(update.is_err_and(|e| e.contains("never")), "an update went through");
    let delete = app.db.try_execute("DELETE FROM ledger_entries").await;
    assert!(delete.is_err(), "a delete went through");
    assert_eq!(ledger_sum(&app, Some(offer.business_id), Party::Business).await, 250 - 45);
}

/// Stripe said a refund succeeded, then that it failed: the reversal and
/// the fee's return are undone in the ledger; the admin's retry refunds
/// again, recorded as its own attempt. The ledger follows Stripe throughout.
async fn refund_fails_later(backend: Backend) {
    let Some(app) = TestApp::spawn_with_connect(backend, &FEES).await else { return };
    let offer = shop_with_offer(app.store(), SHOP, "Unlucky Bakery", AT, 10, 250).await;
    let (owner, admin) = (app.user(SHOP, "Baker"), app.admin());
    admin.send("/start");
    said(&admin, "Welcome").await;
    let account = onboard(&app, &owner, "unlucky@example.com").await;
    let stripe = app.fake_stripe();
    let b = offer.business_id;
    let check = || async {
        assert_eq!(ledger_sum(&app, Some(b), Party::Business).await, stripe.account_balance(&account));
    };

    let carla = app.user(4601, "Carla");
    let id = order_id(&buy(&carla, &offer, "1").await.text);
    assert_eq!(app.deliver_stripe(&pay_at_stripe(&app, id)).await, 200);
    said(&carla, "confirmed!").await;
    cancel(&carla, id).await;
    eventually("refunded", || async { app.store().purchase(id).await.unwrap().status == PurchaseStatus::Refunded })
        .await;
    check().await;
    assert_eq!(stripe.account_balance(&account), 0);

    let refund = stripe.refunds()[0].id.clone();
    let object = stripe.settle_refund(&refund, "failed", Some("lost_or_stolen_card"));
    assert_eq!(app.deliver_stripe(&stripe.event("refund.failed", object)).await, 200);
    said(&admin, "lost_or_stolen_card").await;
    assert_eq!(app.store().purchase(id).await.unwrap().status, PurchaseStatus::RefundFailed);
    check().await;
    assert_eq!(stripe.account_balance(&account), 250 - 45);

    admin.send(&format!("/refund_retry {id}"));
    eventually("refunded again", || async {
        app.store().purchase(id).await.unwrap().status == PurchaseStatus::Refunded
    })
    .await;
    check().await;
    assert_eq!(stripe.account_balance(&account), 0);
    let kinds: Vec<EntryKind> = entries(&app, b).await.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| **k == EntryKind::TransferReversal).count(), 3, "{kinds:?}");
}
