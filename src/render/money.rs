//! What Glean shows about getting paid: the onboarding dialogue's texts
//! and keyboards, the pages of `/connect/{token}`, the Connect notices,
//! `/sales`, the monthly statement (text and CSV) and the admins'
//! `/finance`, in the user's language (the words are in
//! `locales/*/glean.ftl`). Amounts are formatted by `Lang::money` and
//! `Lang::signed_money`; the statement's CSV is a data file with fixed
//! English column names and exact decimals.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ReplyMarkup};

use super::callback::{Cb, Wiz};
use super::i18n::Lang;
use super::keyboards;
use super::texts::esc;
use crate::actions::ledger::{ByCurrency, Finance, Sales, Statement};
use crate::domain::connect::{AccountState, Country};
use crate::domain::ledger::{FeeRule, Month};
use crate::domain::money::signed_decimal;
use crate::domain::{Currency, Impact};
use crate::store::ConnectAccount;
use crate::t;

/// The button that starts onboarding (under `/sales`).
pub fn get_paid_button(l: Lang) -> &'static str {
    t!(l, "connect-get-paid-button")
}

pub fn connect_off(l: Lang) -> &'static str {
    t!(l, "connect-off")
}
pub fn connect_no_business(l: Lang) -> &'static str {
    t!(l, "connect-no-business")
}
pub fn connect_not_verified(l: Lang) -> &'static str {
    t!(l, "connect-not-verified")
}
pub fn ask_email(l: Lang) -> &'static str {
    t!(l, "connect-ask-email")
}
pub fn stripe_unavailable(l: Lang) -> &'static str {
    t!(l, "connect-stripe-unavailable")
}
pub fn no_business_for_sales(l: Lang) -> &'static str {
    t!(l, "sales-no-business")
}
pub fn statement_pick_month(l: Lang) -> &'static str {
    t!(l, "statement-pick-month")
}
/// On publishing, with Connect on and no account that can take charges.
pub fn pickup_only_on_publish(l: Lang) -> &'static str {
    t!(l, "connect-pickup-only-on-publish")
}

/// A country as its flag and code ("🇩🇪 DE"): the same in every language.
pub fn country_label(c: Country) -> String {
    let flag: String = c.code().chars().filter_map(|ch| char::from_u32(0x1F1E6 + (ch as u32 - 'A' as u32))).collect();
    format!("{flag} {}", c.code())
}

pub fn ask_country(l: Lang, default: Country) -> String {
    t!(l, "connect-ask-country", country = country_label(default))
}

/// Country buttons (three a row), then Cancel.
pub fn country_buttons(l: Lang, countries: &[Country], seq: u32) -> ReplyMarkup {
    let labels: Vec<String> = countries.iter().map(|c| country_label(*c)).collect();
    let mut rows: Vec<Vec<(&str, Cb)>> = labels
        .chunks(3)
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(i, l)| (l.as_str(), Cb::Wizard { seq, action: Wiz::Pick((r * 3 + i) as u16) }))
                .collect()
        })
        .collect();
    rows.push(keyboards::nav(l, seq, false));
    ReplyMarkup::InlineKeyboard(keyboards::inline(rows))
}

/// Where the onboarding stands.
pub fn account_status(l: Lang, business: &str, account: &ConnectAccount) -> String {
    let state = &account.state;
    let mut s = t!(l, "connect-status-title", business = esc(business));
    s.push('\n');
    s.push_str(&state_lines(l, state));
    s
}

fn state_lines(l: Lang, state: &AccountState) -> String {
    let mut lines = vec![
        if state.can_charge() { t!(l, "connect-can-charge") } else { t!(l, "connect-cannot-charge") },
        if state.payouts_enabled { t!(l, "connect-payouts-on") } else { t!(l, "connect-payouts-off") },
    ];
    if state.needs_something() {
        lines.push(t!(l, "connect-needs-details"));
    }
    lines.join("\n")
}

/// The URL button to Glean's own onboarding route.
pub fn continue_button(l: Lang, url: &str) -> Option<ReplyMarkup> {
    let url = url::Url::parse(url).ok()?;
    Some(ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::url(
        t!(l, "connect-continue-button"),
        url,
    )]])))
}

pub fn account_created(l: Lang, hours: u32) -> String {
    t!(l, "connect-account-created", hours = hours)
}

// --- pages of /connect/{token} -----------------------------------------

fn page(l: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title></head><body style=\"font-family: \
         system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem\"><h1>{title}</h1>{body}</body></html>",
        l.code()
    )
}

/// An unknown or expired onboarding token: nothing happened.
pub fn page_invalid_link(l: Lang) -> String {
    page(l, t!(l, "connect-page-expired-title"), &format!("<p>{}</p>", t!(l, "connect-page-expired")))
}

pub fn page_stripe_down(l: Lang) -> String {
    page(l, t!(l, "connect-page-stripe-down-title"), &format!("<p>{}</p>", t!(l, "connect-page-stripe-down")))
}

pub fn page_not_switched_on(l: Lang) -> String {
    page(l, t!(l, "connect-page-off-title"), &format!("<p>{}</p>", t!(l, "connect-page-off")))
}

/// The return page: the account as just re-read.
pub fn page_returned(l: Lang, state: &AccountState) -> String {
    let status = if state.can_charge() {
        t!(l, "connect-page-ready")
    } else if state.needs_something() {
        t!(l, "connect-page-needs-details")
    } else {
        t!(l, "connect-page-checking")
    };
    page(l, t!(l, "connect-page-thanks-title"), &format!("<p>{status}</p><p>{}</p>", t!(l, "connect-page-back")))
}

// --- notices ------------------------------------------------------------

pub fn notice_status(l: Lang, business: &str, account: Option<&ConnectAccount>) -> String {
    match account {
        Some(a) => account_status(l, business, a),
        None => {
            format!("{}\n{}", t!(l, "connect-status-title", business = esc(business)), t!(l, "connect-nothing-yet"))
        }
    }
}

pub fn notice_ready(l: Lang, business: &str) -> String {
    t!(l, "connect-notice-ready", business = esc(business))
}

pub fn notice_needs_info(l: Lang, business: &str, reason: Option<&str>) -> String {
    match reason.filter(|r| !r.is_empty()) {
        Some(r) => t!(l, "connect-notice-needs-info-why", business = esc(business), reason = esc(r)),
        None => t!(l, "connect-notice-needs-info", business = esc(business)),
    }
}

/// `detail` is `amount|CODE|reason`, as the store writes it.
fn payout_detail(l: Lang, detail: Option<&str>) -> (String, String) {
    let mut parts = detail.unwrap_or_default().splitn(3, '|');
    let (amount, code, reason) = (parts.next(), parts.next(), parts.next());
    let money = match (amount.and_then(|a| a.parse::<i64>().ok()), code.and_then(|c| Currency::from_code(c).ok())) {
        (Some(a), Some(c)) => l.signed_money(a, c),
        _ => "?".to_owned(),
    };
    let reason = reason.filter(|r| !r.is_empty()).map_or_else(|| t!(l, "payout-reason-unknown").to_owned(), esc);
    (money, reason)
}

pub fn notice_payout_paid(l: Lang, business: &str, detail: Option<&str>) -> String {
    let (money, _) = payout_detail(l, detail);
    t!(l, "payout-paid", amount = money, business = esc(business))
}

pub fn notice_payout_failed(l: Lang, business: &str, detail: Option<&str>) -> String {
    let (money, reason) = payout_detail(l, detail);
    t!(l, "payout-failed", amount = money, business = esc(business), reason = reason)
}

// --- /sales and the statement -------------------------------------------

fn totals_lines(l: Lang, by: &ByCurrency) -> String {
    if by.is_empty() {
        return t!(l, "sales-nothing").to_owned();
    }
    by.values()
        .map(|(c, t)| {
            t!(
                l,
                "sales-line",
                gross = l.signed_money(t.gross, *c),
                fees = l.signed_money(t.fees, *c),
                refunds = l.signed_money(t.refunds, *c),
                net = l.signed_money(t.net(), *c),
                paid = l.signed_money(-t.paid_out, *c),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `/sales`: the periods' figures, the balance, and what the business
/// saved (`impact`, donated units included).
pub fn sales(l: Lang, business: &str, s: &Sales, connect: bool, impact: &Impact) -> String {
    let balance = if s.balance.is_empty() {
        "0".to_owned()
    } else {
        s.balance.values().map(|(c, t)| l.signed_money(t.change(), *c)).collect::<Vec<_>>().join(", ")
    };
    let balance = if connect {
        t!(l, "sales-balance-stripe", balance = balance)
    } else {
        t!(l, "sales-balance-owed", balance = balance)
    };
    let mut out = format!(
        "{}\n\n{}\n{}\n\n{}\n{}\n\n{}\n{}\n\n{balance}",
        t!(l, "sales-title", business = esc(business)),
        t!(l, "sales-today"),
        totals_lines(l, &s.today),
        t!(l, "sales-week"),
        totals_lines(l, &s.week),
        t!(l, "sales-month"),
        totals_lines(l, &s.month),
    );
    if !impact.is_empty() {
        out.push_str("\n\n");
        out.push_str(&super::texts::impact_business(l, business, impact));
    }
    out
}

pub fn sales_buttons(l: Lang, get_paid: bool) -> ReplyMarkup {
    let mut rows = vec![vec![(t!(l, "connect-statement-button"), Cb::Statement)]];
    if get_paid {
        rows.push(vec![(get_paid_button(l), Cb::Payouts)]);
    }
    ReplyMarkup::InlineKeyboard(keyboards::inline(rows))
}

/// "Nov 2026".
pub fn month_label(l: Lang, m: Month) -> String {
    format!("{} {}", t!(l, "month", n = m.month()), m.year())
}

/// This month and the five before, newest first.
pub fn month_buttons(l: Lang, now: Month) -> ReplyMarkup {
    let mut months = vec![now];
    for _ in 0..5 {
        let last = months[months.len() - 1];
        months.push(last.previous());
    }
    let labels: Vec<(String, Month)> = months.iter().map(|m| (month_label(l, *m), *m)).collect();
    let rows = labels
        .chunks(3)
        .map(|row| row.iter().map(|(label, m)| (label.as_str(), Cb::StatementMonth(month_code(*m)))).collect())
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

/// The document's caption: the month, the net per currency, and the units
/// donated to charities that month, if any.
pub fn statement_caption(l: Lang, st: &Statement, donated_units: i64) -> String {
    let mut totals = if st.totals.is_empty() {
        t!(l, "statement-empty").to_owned()
    } else {
        st.totals
            .values()
            .map(|(c, t)| t!(l, "statement-net", amount = l.signed_money(t.net(), *c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if donated_units > 0 {
        totals.push_str(" · ");
        totals.push_str(&t!(l, "statement-donated", units = donated_units));
    }
    t!(l, "statement-caption", month = month_label(l, st.month), business = esc(&st.business.name), totals = totals)
}

pub fn statement_file_name(st: &Statement) -> String {
    format!("glean-statement-{}-{}.csv", st.business.id, st.month)
}

/// The statement as CSV, a data file for spreadsheets and accountants:
/// its column names and entry kinds are fixed English codes (as in the
/// statement API), the same in every language. A header, one row per
/// entry (local date and time, kind, order, Stripe object, amount as an
/// exact decimal, currency, note), then a total row per currency that sums
/// the rows exactly. An empty month is the header and a zero total in the
/// business's currency.
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

fn heading(s: &mut String, title: &str, empty: bool, l: Lang) {
    s.push_str("\n\n");
    s.push_str(title);
    if empty {
        s.push('\n');
        s.push_str(t!(l, "finance-none"));
    }
}

pub fn finance(l: Lang, f: &Finance) -> String {
    let mut s = format!("{}\n\n{}", t!(l, "finance-title"), t!(l, "finance-margin"));
    if f.platform.is_empty() {
        s.push('\n');
        s.push_str(t!(l, "finance-nothing"));
    }
    for (c, fees, back, processing) in f.platform.values() {
        s.push('\n');
        s.push_str(&t!(
            l,
            "finance-margin-line",
            currency = c.code(),
            fees = l.signed_money(*fees, *c),
            back = l.signed_money(*back, *c),
            processing = l.signed_money(*processing, *c),
            margin = l.signed_money(fees + back + processing, *c),
        ));
    }
    heading(&mut s, t!(l, "finance-balances"), f.balances.is_empty(), l);
    for (b, c, balance) in &f.balances {
        s.push_str(&format!("\n#{} {}: {}", b.id, esc(&b.name), l.signed_money(*balance, *c)));
    }
    heading(&mut s, t!(l, "finance-failed-payouts"), f.failed_payouts.is_empty(), l);
    for e in &f.failed_payouts {
        s.push('\n');
        s.push_str(&t!(
            l,
            "finance-failed-payout",
            id = e.business_id,
            amount = l.signed_money(e.amount, e.currency),
            object = esc(e.stripe_object.as_deref().unwrap_or("")),
            note = esc(e.note.as_deref().unwrap_or("")),
        ));
    }
    heading(&mut s, t!(l, "finance-attention"), f.attention.is_empty(), l);
    for (b, a) in &f.attention {
        let why = match (&a.state.disabled_reason, a.state.past_due.is_empty()) {
            (Some(r), _) => esc(r),
            (None, false) => t!(l, "finance-past-due", fields = esc(&a.state.past_due.join(", "))),
            (None, true) => t!(l, "finance-onboarding-unfinished").to_owned(),
        };
        s.push_str(&format!("\n#{} {}: {why}", b.id, esc(&b.name)));
    }
    s
}

pub fn fee_usage(l: Lang) -> &'static str {
    t!(l, "fee-usage")
}
pub fn adjust_usage(l: Lang) -> &'static str {
    t!(l, "adjust-usage")
}

/// "7.5 % + €0.30", with the language's decimal mark.
pub fn fee_rule(l: Lang, rule: FeeRule, currency: Currency) -> String {
    let bps = rule.bps();
    let pct = format!("{}{}{:02}", bps / 100, l.decimal_mark(), bps % 100);
    let pct = pct.trim_end_matches('0').trim_end_matches(l.decimal_mark()).to_owned();
    if rule.fixed() == 0 {
        t!(l, "fee-rule", percent = pct)
    } else {
        t!(l, "fee-rule-fixed", percent = pct, fixed = l.signed_money(rule.fixed(), currency))
    }
}

pub fn fee_set(l: Lang, business: &str, id: i64, rule: FeeRule, currency: Currency) -> String {
    t!(l, "fee-set", id = id, business = esc(business), rule = fee_rule(l, rule, currency))
}

/// A refused `/fee` or `/adjust`: the reason, from `errors::explain`.
pub fn fee_refused(l: Lang, reason: &str) -> String {
    t!(l, "fee-refused", reason = reason)
}

pub fn adjusted(l: Lang, business: &str, id: i64, amount: i64, currency: Currency) -> String {
    t!(l, "adjusted", amount = l.signed_money(amount, currency), id = id, business = esc(business))
}

pub fn api_key_created(l: Lang, key: &str, business_id: i64) -> String {
    t!(l, "apikey-created", key = key, business = business_id)
}

/// A replayed `/apikey`: its key was shown once, by the first handling.
pub fn api_key_shown_already(l: Lang) -> &'static str {
    t!(l, "apikey-shown-already")
}

pub fn api_keys_revoked(l: Lang, n: u64) -> String {
    if n == 0 { t!(l, "apikey-revoked-none").to_owned() } else { t!(l, "apikey-revoked", n = n) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_rules_in_each_language() {
        let eur = Currency::from_code("EUR").unwrap();
        let de = Lang::from_code("de").unwrap();
        let rule = |bps, fixed| FeeRule::new(bps, fixed).unwrap();
        assert_eq!(fee_rule(Lang::EN, rule(750, 30), eur), "7.5 % + €0.30");
        assert_eq!(fee_rule(de, rule(750, 30), eur), "7,5 % + 0,30\u{a0}€");
        assert_eq!(fee_rule(Lang::EN, rule(1_000, 0), eur), "10 %");
        assert_eq!(fee_rule(de, rule(5, 0), eur), "0,05 %");
    }

    #[test]
    fn countries_are_flags_and_codes() {
        assert_eq!(country_label(Country::parse("de").unwrap()), "🇩🇪 DE");
        assert_eq!(country_label(Country::parse("GB").unwrap()), "🇬🇧 GB");
    }

    #[test]
    fn months_travel_as_numbers_and_show_in_words() {
        let m = Month::parse("2026-11").unwrap();
        assert_eq!(month_of_code(month_code(m)), Some(m));
        assert_eq!(month_of_code(12), None);
        assert_eq!(month_label(Lang::EN, m), "Nov 2026");
        assert_eq!(month_label(Lang::from_code("de").unwrap(), m), "Nov. 2026");
    }
}
