//! Languages: the shipped locales, the translator and locale formatting.
//!
//! Every user-facing text is a message in `locales/<code>/glean.ftl`
//! (Project Fluent), embedded in the binary. Code names a message with the
//! [`t!`](crate::t) macro, `t!(lang, "message-id", var = value, …)`, so a
//! test (tests/it/locales.rs) can find every id and the variables each
//! call passes, and check them against every locale.
//!
//! Adding a language: write `locales/<code>/glean.ftl` (every message of
//! the English file) and add its line to [`LOCALES`].

use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::domain::{Currency, Money, MoneyFormat, PickupWindow};

/// One shipped locale: its code (Telegram's `language_code`, ISO 639-1),
/// its messages, and how it writes amounts of money.
pub struct Locale {
    pub code: &'static str,
    pub ftl: &'static str,
    pub money: MoneyFormat,
}

/// The shipped locales; the first is the default (English).
pub static LOCALES: &[Locale] = &[
    Locale {
        code: "en",
        ftl: include_str!("../../locales/en/glean.ftl"),
        money: MoneyFormat { decimal: '.', group: None, symbol_after: false },
    },
    Locale {
        code: "de",
        ftl: include_str!("../../locales/de/glean.ftl"),
        money: MoneyFormat { decimal: ',', group: Some('.'), symbol_after: true },
    },
    Locale {
        code: "uk",
        ftl: include_str!("../../locales/uk/glean.ftl"),
        money: MoneyFormat { decimal: ',', group: Some('\u{a0}'), symbol_after: true },
    },
];

/// A shipped language: an index into [`LOCALES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lang(u8);

impl Lang {
    /// English, the default.
    pub const EN: Lang = Lang(0);

    pub fn all() -> impl Iterator<Item = Lang> {
        (0..LOCALES.len()).map(|i| Lang(i as u8))
    }

    fn locale(self) -> &'static Locale {
        &LOCALES[usize::from(self.0)]
    }

    /// The language's code, as stored per user ("en", "de", "uk").
    pub fn code(self) -> &'static str {
        self.locale().code
    }

    /// A shipped language by its code or a regional variant of it
    /// ("de", "de-AT", "DE_ch"); `None` when we don't ship it.
    pub fn from_code(code: &str) -> Option<Lang> {
        let base = code.trim().split(['-', '_']).next().unwrap_or_default();
        LOCALES.iter().position(|l| l.code.eq_ignore_ascii_case(base)).map(|i| Lang(i as u8))
    }

    /// The language for Telegram's `language_code`: ours if we ship it,
    /// English otherwise.
    pub fn of_telegram(code: Option<&str>) -> Lang {
        code.and_then(Lang::from_code).unwrap_or(Lang::EN)
    }

    /// The decimal mark of numbers ("." or ",").
    pub fn decimal_mark(self) -> char {
        self.locale().money.decimal
    }

    /// "€3.50" in English, "3,50 €" in German and Ukrainian.
    pub fn money(self, m: Money) -> String {
        m.format(&self.locale().money)
    }

    /// A signed amount for statements: "−€3.50", "-3,50 €"... with a
    /// minus sign (U+2212) before the amount as the language writes it.
    pub fn signed_money(self, minor: i64, currency: Currency) -> String {
        let abs = i64::try_from(minor.unsigned_abs()).ok().and_then(|a| Money::from_minor(a, currency));
        match abs {
            Some(m) if minor < 0 => format!("−{}", self.money(m)),
            Some(m) => self.money(m),
            // Beyond what a price can be: the plain decimal.
            None => crate::domain::money::signed_amount(minor, currency),
        }
    }

    /// A pickup window in the venue's time zone, relative to `now`: "Today
    /// 18:00–20:00", "Tue 1 Dec 18:00–20:00" (24-hour times).
    pub fn window(self, w: &PickupWindow, tz: Tz, now: DateTime<Utc>) -> String {
        let s = w.start().with_timezone(&tz);
        let e = w.end().with_timezone(&tz);
        let today = now.with_timezone(&tz).date_naive();
        let day = if s.date_naive() == today {
            crate::t!(self, "day-today").to_string()
        } else if Some(s.date_naive()) == today.succ_opt() {
            crate::t!(self, "day-tomorrow").to_string()
        } else {
            let weekday = crate::t!(self, "weekday", n = s.weekday().number_from_monday());
            let month = crate::t!(self, "month", n = s.month());
            if s.year() == today.year() {
                crate::t!(self, "date-short", weekday = weekday, day = s.day(), month = month)
            } else {
                crate::t!(self, "date-long", weekday = weekday, day = s.day(), month = month, year = s.year())
            }
        };
        let end = if e.date_naive() == s.date_naive() {
            e.format("%H:%M").to_string()
        } else {
            let weekday = crate::t!(self, "weekday", n = e.weekday().number_from_monday());
            format!("{weekday} {}", e.format("%H:%M"))
        };
        format!("{day} {}–{end}", s.format("%H:%M"))
    }
}

/// A value for a message's variable.
pub enum Arg {
    Str(String),
    Num(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Str(s.clone())
    }
}
macro_rules! num_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Num(n as i64)
            }
        }
    )*};
}
num_arg!(i64, i32, u32, u8, usize, u64);

/// Names a message, with its variables: `t!(lang, "id")` gives a
/// `&'static str`, `t!(lang, "id", name = value, …)` a `String`.
#[macro_export]
macro_rules! t {
    ($l:expr, $id:literal) => {
        $crate::render::i18n::plain($l, $id)
    };
    ($l:expr, $id:literal, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::render::i18n::format($l, $id, &[$((stringify!($k), $crate::render::i18n::Arg::from($v))),+])
    };
}

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| LOCALES.iter().map(bundle).collect());

/// A locale's bundle. Its `.ftl` is part of the binary and checked by the
/// tests, so a syntax error in it is a bug caught before release.
pub fn bundle(locale: &Locale) -> Bundle {
    let lang: unic_langid::LanguageIdentifier = locale.code.parse().expect("a valid language code");
    let mut b = FluentBundle::new_concurrent(vec![lang]);
    // Telegram shows Unicode isolation marks as stray characters.
    b.set_use_isolating(false);
    let res = FluentResource::try_new(locale.ftl.to_string()).unwrap_or_else(|(res, errors)| {
        tracing::error!(locale = locale.code, ?errors, "syntax errors in a locale");
        res
    });
    if let Err(errors) = b.add_resource(res) {
        tracing::error!(locale = locale.code, ?errors, "duplicate messages in a locale");
    }
    b
}

/// Formats a message with its variables. A missing message or variable is
/// logged and shows as its id, never as a failure to answer.
pub fn format(l: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let mut fa = FluentArgs::with_capacity(args.len());
    for (k, v) in args {
        match v {
            Arg::Str(s) => fa.set(*k, FluentValue::from(s.as_str())),
            Arg::Num(n) => fa.set(*k, FluentValue::from(*n)),
        }
    }
    format_with(&BUNDLES[usize::from(l.0)], l.code(), id, Some(&fa))
}

/// Formats a message without variables, once per language.
pub fn plain(l: Lang, id: &'static str) -> &'static str {
    static CACHE: LazyLock<RwLock<HashMap<(Lang, &'static str), &'static str>>> = LazyLock::new(Default::default);
    if let Some(s) = CACHE.read().unwrap_or_else(|p| p.into_inner()).get(&(l, id)) {
        return s;
    }
    let text = format_with(&BUNDLES[usize::from(l.0)], l.code(), id, None);
    // Bounded: one string per language and message id in the code.
    let text: &'static str = Box::leak(text.into_boxed_str());
    CACHE.write().unwrap_or_else(|p| p.into_inner()).insert((l, id), text);
    text
}

fn format_with(b: &Bundle, code: &str, id: &str, args: Option<&FluentArgs>) -> String {
    let Some(pattern) = b.get_message(id).and_then(|m| m.value()) else {
        tracing::error!(locale = code, id, "no such message");
        return id.to_string();
    };
    let mut errors = Vec::new();
    let text = b.format_pattern(pattern, args, &mut errors).into_owned();
    if !errors.is_empty() {
        tracing::error!(locale = code, id, ?errors, "message formatted with errors");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_telegram() {
        let code = |c: Option<&str>| Lang::of_telegram(c).code();
        assert_eq!(code(Some("de")), "de");
        assert_eq!(code(Some("de-AT")), "de");
        assert_eq!(code(Some("uk")), "uk");
        assert_eq!(code(Some("fr")), "en");
        assert_eq!(code(Some("")), "en");
        assert_eq!(code(None), "en");
    }

    #[test]
    fn money_per_locale() {
        let de = Lang::from_code("de").unwrap();
        let uk = Lang::from_code("uk").unwrap();
        let cases = [
            ("EUR", 350, Lang::EN, "€3.50"),
            ("EUR", 350, de, "3,50\u{a0}€"),
            ("EUR", 350, uk, "3,50\u{a0}€"),
            ("EUR", 5, de, "0,05\u{a0}€"),
            ("EUR", 123_456_789 / 10, de, "123.456,78\u{a0}€"),
            ("EUR", 123_456_789 / 10, uk, "123\u{a0}456,78\u{a0}€"),
            ("EUR", 100_000, Lang::EN, "€1000.00"),
            ("JPY", 1500, de, "1.500\u{a0}¥"),
            ("CHF", 1200, de, "12,00\u{a0}CHF"),
            ("CHF", 1200, Lang::EN, "12.00 CHF"),
            ("GBP", 99_999_999, uk, "999\u{a0}999,99\u{a0}£"),
        ];
        for (code, minor, lang, shown) in cases {
            let m = Money::from_minor(minor, Currency::from_code(code).unwrap()).unwrap();
            assert_eq!(lang.money(m), shown, "{minor} {code} in {}", lang.code());
        }
    }

    #[test]
    fn signed_money_per_locale() {
        let de = Lang::from_code("de").unwrap();
        let eur = Currency::from_code("EUR").unwrap();
        assert_eq!(Lang::EN.signed_money(-350, eur), "−€3.50");
        assert_eq!(Lang::EN.signed_money(350, eur), "€3.50");
        assert_eq!(de.signed_money(-123_456, eur), "−1.234,56\u{a0}€");
        assert_eq!(de.signed_money(0, eur), "0,00\u{a0}€");
        assert_eq!(Lang::EN.signed_money(i64::MIN, eur), "-92233720368547758.08 EUR");
    }

    #[test]
    fn windows_per_locale() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let now = at("2026-11-26T09:00:00Z");
        let w = PickupWindow::from_stored(at("2026-12-01T17:00:00Z"), at("2026-12-01T19:30:00Z")).unwrap();
        let de = Lang::from_code("de").unwrap();
        let uk = Lang::from_code("uk").unwrap();
        assert_eq!(Lang::EN.window(&w, tz, now), "Tue 1 Dec 18:00–20:30");
        assert_eq!(de.window(&w, tz, now), "Di., 1. Dez. 18:00–20:30");
        assert_eq!(uk.window(&w, tz, now), "вт, 1 груд. 18:00–20:30");
        let today = PickupWindow::from_stored(at("2026-11-26T17:00:00Z"), at("2026-11-26T19:00:00Z")).unwrap();
        assert_eq!(de.window(&today, tz, now), "Heute 18:00–20:00");
        assert_eq!(uk.window(&today, tz, now), "Сьогодні 18:00–20:00");
        let next_year = PickupWindow::from_stored(at("2027-01-04T08:00:00Z"), at("2027-01-04T09:00:00Z")).unwrap();
        assert_eq!(Lang::EN.window(&next_year, tz, now), "Mon 4 Jan 2027 09:00–10:00");
        assert_eq!(de.window(&next_year, tz, now), "Mo., 4. Jan. 2027 09:00–10:00");
    }

    #[test]
    fn no_isolation_marks() {
        for l in Lang::all() {
            let s = t!(l, "day-tomorrow");
            assert!(!s.contains(['\u{2068}', '\u{2069}']));
            let s = t!(l, "date-short", weekday = "x", day = 3, month = "y");
            assert!(!s.contains(['\u{2068}', '\u{2069}']), "{s:?}");
        }
    }
}
