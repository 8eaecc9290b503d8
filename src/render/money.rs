//! What Glean shows about getting paid: the onboarding dialogue's texts
//! and keyboards, the pages of `/connect/{token}`, the Connect notices,
//! `/sales`, the monthly statement (text and CSV) and the admins'
//! `/finance`. Amounts are formatted by `domain::money` only.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ReplyMarkup};

use super::callback::{Cb, Wiz};
use super::i18n::Lang;
use super::keyboards;
use super::texts::esc;
use crate::actions::ledger::{ByCurrency, Finance, Sales, Statement};
use crate::domain::Currency;
use crate::domain::connect::{AccountState, Country};
use crate::domain::ledger::{FeeRule, Month};
use crate::domain::money::{signed_amount, signed_decimal};
use crate::store::ConnectAccount;

pub const GET_PAID_BUTTON: &str = "💶 Get paid by card";
pub const STATEMENT_BUTTON: &str = "📄 Statement";
pub const CONTINUE_WITH_STRIPE: &str = "Continue with Stripe";

pub const CONNECT_OFF: &str = "Card payouts through Stripe aren't switched on here: customers' card payments reach \
Glean, which pays you by hand. /sales shows what you're owed.";
pub const CONNECT_NO_BUSINESS: &str = "Register your business first with /register.";
pub const CONNECT_NOT_VERIFIED: &str =
    "Your business isn't verified yet. Once an admin has verified it, you can set up card payouts.";
pub const ASK_EMAIL: &str = "<b>Get paid by card · 2/2</b>\nWhich email address should Stripe use for your \
payouts account? Stripe sends its messages there.";
pub const STRIPE_UNAVAILABLE: &str =
    "Stripe can't be reached right now. Please try again in a minute: nothing was set up yet.";
pub const NO_BUSINESS_FOR_SALES: &str = "You don't have a business yet. /register one to sell here.";
pub const STATEMENT_PICK_MONTH: &str = "Which month's statement?";
pub const API_KEY_REVOKED_NONE: &str = "There was no live API key to revoke.";

pub fn ask_country(default: Country) -> String {
    format!(
        "<b>Get paid by card · 1/2</b>\nCard payments go straight to your own Stripe account, and Stripe pays \
         them out to your bank.\n\nWhich country is your business in? Tap it, or type its two-letter code \
         (default: {}).",
        default.name()
    )
}

/// Country buttons (two a row), then Cancel.
pub fn country_buttons(l: Lang, countries: &[Country], seq: u32) -> ReplyMarkup {
    let labels: Vec<String> = countries.iter().map(|c| format!("{} {}", c.code(), c.name())).collect();
    let mut rows: Vec<Vec<(&str, Cb)>> = labels
        .chunks(2)
        .enumerate()
        .map(|(r, pair)| {
            pair.iter()
                .enumerate()
                .map(|(i, l)| (l.as_str(), Cb::Wizard { seq, action: Wiz::Pick((r * 2 + i) as u16) }))
                .collect()
        })
        .collect();
    rows.push(keyboards::nav(l, seq, false));
    ReplyMarkup::InlineKeyboard(keyboards::inline(rows))
}

pub fn bad_country(problem: &str) -> String {
    format!("{}. Tap a country or type its two-letter code.", esc(problem))
}

pub fn bad_email(problem: &str) -> String {
    format!("{}.", esc(problem))
}

/// Where the onboarding stands, with the link button when there is one.
pub fn account_status(business: &str, account: &ConnectAccount) -> String {
    let state = &account.state;
    let mut s = format!("<b>Card payouts · {}</b>\n", esc(business));
    s.push_str(&state_lines(state));
    s
}

fn state_lines(state: &AccountState) -> String {
    let mut s = String::new();
    if state.can_charge() {
        s.push_str("✅ You can take card payments: customers pay by card and the money goes to your Stripe account.\n");
    } else {
        s.push_str(
            "⏳ Card payments aren't on yet: until Stripe has everything it needs, your customers pay at pickup.\n",
        );
    }
    s.push_str(if state.payouts_enabled {
        "✅ Payouts to your bank are on.\n"
    } else {
        "⏳ Payouts to your bank aren't on yet.\n"
    });
    if state.needs_something() {
        s.push_str("Stripe needs a few details from you: tap the button below to finish with Stripe.\n");
    }
    s
}

/// The URL button to Glean's own onboarding route.
pub fn continue_button(url: &str) -> Option<ReplyMarkup> {
    let url = url::Url::parse(url).ok()?;
    Some(ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::url(
        CONTINUE_WITH_STRIPE,
        url,
    )]])))
}

pub fn account_created(hours: u32) -> String {
    format!(
        "Your payouts account is ready to set up. Tap <b>{CONTINUE_WITH_STRIPE}</b>: Stripe asks for your \
         business and bank details. The button works for {hours} hours; /payouts gives you a new one."
    )
}

/// On publishing, with Connect on and no account that can take charges.
pub const PICKUP_ONLY_ON_PUBLISH: &str = "💡 Customers pay this deal at pickup: card payments start once your \
Stripe account is set up. /payouts";

// --- pages of /connect/{token} -----------------------------------------

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title></head><body style=\"font-family: \
         system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem\"><h1>{title}</h1>{body}</body></html>"
    )
}

/// An unknown or expired onboarding token: nothing happened.
pub fn page_invalid_link() -> String {
    page(
        "This link has expired",
        "<p>This setup link isn't valid any more. Go back to Telegram and send <b>/payouts</b> (or tap \
         <b>💶 Get paid by card</b>) again for a fresh one.</p>",
    )
}

pub fn page_stripe_down() -> String {
    page("Stripe can't be reached", "<p>Stripe can't be reached right now. Please try again in a minute.</p>")
}

pub fn page_not_switched_on() -> String {
    page("Not available", "<p>Card payouts aren't switched on here. You can go back to Telegram.</p>")
}

/// The return page: the account as just re-read.
pub fn page_returned(state: &AccountState) -> String {
    let status = if state.can_charge() {
        "Your account is set up: you can take card payments."
    } else if state.needs_something() {
        "Stripe still needs a few details. We've sent you the link again in Telegram."
    } else {
        "Stripe is checking your details."
    };
    page(
        "Thank you!",
        &format!("<p>{status}</p><p>You can go back to Telegram now: we've told you there where things stand.</p>"),
    )
}

// --- notices ------------------------------------------------------------

pub fn notice_status(business: &str, account: Option<&ConnectAccount>) -> String {
    match account {
        Some(a) => account_status(business, a),
        None => format!("<b>Card payouts · {}</b>\nNothing set up yet: /payouts", esc(business)),
    }
}

pub fn notice_ready(business: &str) -> String {
    format!(
        "🎉 <b>{}</b> can take card payments now. Customers pay by card; the money goes to your Stripe \
         account and from there to your bank. /sales shows the figures.",
        esc(business)
    )
}

pub fn notice_needs_info(business: &str, reason: Option<&str>) -> String {
    let why = reason.map(|r| format!(" (Stripe says: {})", esc(r))).unwrap_or_default();
    format!(
        "⚠️ Stripe needs something from <b>{}</b>{why}. Until then customers pay at pickup. Send /payouts \
         to finish with Stripe.",
        esc(business)
    )
}

/// `detail` is `amount|CODE|reason`, as the store writes it.
fn payout_detail(detail: Option<&str>) -> (String, String) {
    let mut parts = detail.unwrap_or_default().splitn(3, '|');
    let (amount, code, reason) = (parts.next(), parts.next(), parts.next());
    let money = match (amount.and_then(|a| a.parse::<i64>().ok()), code.and_then(|c| Currency::from_code(c).ok())) {
        (Some(a), Some(c)) => signed_amount(a, c),
        _ => "a payout".to_owned(),
    };
    (money, reason.filter(|r| !r.is_empty()).unwrap_or("not given").to_owned())
}

pub fn notice_payout_paid(business: &str, detail: Option<&str>) -> String {
    let (money, _) = payout_detail(detail);
    format!("🏦 A payout of {money} to the bank of <b>{}</b> has arrived.", esc(business))
}

pub fn notice_payout_failed(business: &str, detail: Option<&str>) -> String {
    let (money, reason) = payout_detail(detail);
    format!(
        "❗ A payout of {money} to the bank of <b>{}</b> failed: {}. The money is back in the Stripe balance; \
         check the bank details with /payouts.",
        esc(business),
        esc(&reason)
    )
}

// --- /sales and the statement -------------------------------------------

fn totals_lines(by: &ByCurrency) -> String {
    if by.is_empty() {
        return "nothing yet\n".to_owned();
    }
    by.values()
        .map(|(c, t)| {
            format!(
                "gross {} · fees {} · refunds {} · net {} · paid out {}\n",
                signed_amount(t.gross, *c),
                signed_amount(t.fees, *c),
                signed_amount(t.refunds, *c),
                signed_amount(t.net(), *c),
                signed_amount(-t.paid_out, *c),
            )
        })
        .collect()
}

pub fn sales(business: &str, s: &Sales, connect: bool) -> String {
    let balance = if s.balance.is_empty() {
        "0".to_owned()
    } else {
        s.balance.values().map(|(c, t)| signed_amount(t.change(), *c)).collect::<Vec<_>>().join(", ")
    };
    let balance_label = if connect { "Balance at Stripe" } else { "Glean owes you" };
    format!(
        "<b>Sales · {}</b> (card payments)\n\n<b>Today</b>\n{}\n<b>This week</b>\n{}\n<b>This month</b>\n{}\n\
         <b>{balance_label}:</b> {balance}",
        esc(business),
        totals_lines(&s.today),
        totals_lines(&s.week),
        totals_lines(&s.month),
    )
}

pub fn sales_buttons(get_paid: bool) -> ReplyMarkup {
    let mut rows = vec![vec![(STATEMENT_BUTTON, Cb::Statement)]];
    if get_paid {
        rows.push(vec![(GET_PAID_BUTTON, Cb::Payouts)]);
    }
    ReplyMarkup::InlineKeyboard(keyboards::inline(rows))
}

/// This month and the five before, newest first.
pub fn month_buttons(now: Month) -> ReplyMarkup {
    let mut months = vec![now];
    for _ in 0..5 {
        let last = months[months.len() - 1];
        months.push(last.previous());
    }
    let labels: Vec<(String, Month)> = months.iter().map(|m| (m.to_string(), *m)).collect();
    let rows = labels
        .chunks(3)
        .map(|row| row.iter().map(|(l, m)| (l.as_str(), Cb::StatementMonth(month_code(*m)))).collect())
        .collect();
    ReplyMarkup::InlineKeyboard(keyboards::inline(rows))
}

/// `202611` for November 2026: how a month travels in callback data.
pub fn month_code(m: Month) -> u32 {
    let s = m.to_string().replace('-', "");
    s.parse().unwrap_or_default()
}

pub fn month_of_code(code: u32) -> Option<Month> {
    let s = code.to_string();
    if s.len() != 6 {
        return None;
    }
    Month::parse(&format!("{}-{}", &s[..4], &s[4..])).ok()
}

pub fn statement_caption(st: &Statement) -> String {
    let totals = if st.totals.is_empty() {
        "No entries this month.".to_owned()
    } else {
        st.totals.values().map(|(c, t)| format!("net {}", signed_amount(t.net(), *c))).collect::<Vec<_>>().join(", ")
    };
    format!("📄 Statement {} · {} · {totals}", st.month, esc(&st.business.name))
}

pub fn statement_file_name(st: &Statement) -> String {
    format!("glean-statement-{}-{}.csv", st.business.id, st.month)
}

/// The statement as CSV: a header, one row per entry (local date and
/// time, kind, order, Stripe object, amount as an exact decimal, currency,
/// note), then a total row per currency that sums the rows exactly. An
/// empty month is the header and a zero total in the business's currency.
pub fn statement_csv(st: &Statement) -> String {
    let tz = st.business.timezone;
    let mut out = String::from("date,kind,order,stripe_object,amount,currency,note\r\n");
    for e in &st.entries {
        let row = [
            e.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            e.kind.as_str().to_owned(),
            e.purchase_id.map(|p| p.to_string()).unwrap_or_default(),
            e.stripe_object.clone().unwrap_or_default(),
            signed_decimal(e.amount, e.currency),
            e.currency.code().to_owned(),
            e.note.clone().unwrap_or_default(),
        ];
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    let mut sums: Vec<(Currency, i64)> = st.totals.values().map(|(c, t)| (*c, t.change())).collect();
    if sums.is_empty() {
        sums.push((st.business.currency, 0));
    }
    for (c, sum) in sums {
        out.push_str(&format!("total,,,,{},{},\r\n", signed_decimal(sum, c), c.code()));
    }
    out
}

/// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` in text is prefixed
/// with `'` so spreadsheets don't run it (amounts are numbers, not text).
fn csv_field(s: &str) -> String {
    let numeric = s.parse::<f64>().is_ok();
    let s = if !numeric && s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

// --- admins -------------------------------------------------------------

pub fn finance(f: &Finance) -> String {
    let mut s = String::from("<b>Finance</b>\n\n<b>Platform margin</b>\n");
    if f.platform.is_empty() {
        s.push_str("nothing yet\n");
    }
    for (c, fees, back, processing) in f.platform.values() {
        s.push_str(&format!(
            "{}: fees {} · fees refunded {} · Stripe fees {} · margin {}\n",
            c.code(),
            signed_amount(*fees, *c),
            signed_amount(*back, *c),
            signed_amount(*processing, *c),
            signed_amount(fees + back + processing, *c)
        ));
    }
    s.push_str("\n<b>Businesses with a balance</b>\n");
    if f.balances.is_empty() {
        s.push_str("none\n");
    }
    for (b, c, balance) in &f.balances {
        s.push_str(&format!("#{} {}: {}\n", b.id, esc(&b.name), signed_amount(*balance, *c)));
    }
    s.push_str("\n<b>Failed payouts</b>\n");
    if f.failed_payouts.is_empty() {
        s.push_str("none\n");
    }
    for e in &f.failed_payouts {
        s.push_str(&format!(
            "business #{}: {} ({}) {}\n",
            e.business_id,
            signed_amount(e.amount, e.currency),
            esc(e.stripe_object.as_deref().unwrap_or("")),
            esc(e.note.as_deref().unwrap_or(""))
        ));
    }
    s.push_str("\n<b>Accounts needing attention</b>\n");
    if f.attention.is_empty() {
        s.push_str("none\n");
    }
    for (b, a) in &f.attention {
        let why = a
            .state
            .disabled_reason
            .clone()
            .or_else(|| (!a.state.past_due.is_empty()).then(|| format!("past due: {}", a.state.past_due.join(", "))))
            .unwrap_or_else(|| "onboarding not finished".to_owned());
        s.push_str(&format!("#{} {}: {}\n", b.id, esc(&b.name), esc(&why)));
    }
    s
}

pub const FEE_USAGE: &str = "Use /fee &lt;business id&gt; &lt;percent&gt; [fixed], e.g. /fee 12 7.5 0.30";
pub const ADJUST_USAGE: &str = "Use /adjust &lt;business id&gt; &lt;amount&gt; &lt;reason&gt;, e.g. /adjust 12 -45.00 paid by bank transfer \
     (negative: paid to the business).";

pub fn fee_set(business: &str, id: i64, rule: FeeRule, currency: Currency) -> String {
    format!("Fee for #{id} {}: {} per order, from the next checkout.", esc(business), rule.describe(currency))
}

pub fn fee_refused(problem: &str) -> String {
    format!("Not changed: {}.", esc(problem))
}

pub fn adjusted(business: &str, id: i64, amount: i64, currency: Currency) -> String {
    format!("Recorded {} for #{id} {} in the ledger.", signed_amount(amount, currency), esc(business))
}

pub fn api_key_created(key: &str, business_id: i64) -> String {
    format!(
        "🔑 Your API key (shown once; keep it safe):\n<code>{key}</code>\n\nGET /api/v1/businesses/{business_id}/statement?month=YYYY-MM \
         with the header <code>Authorization: Bearer {key}</code>. /apikey revoke stops every key."
    )
}

pub fn api_keys_revoked(n: u64) -> String {
    format!("Revoked {n} API key(s). /apikey makes a new one.")
}
