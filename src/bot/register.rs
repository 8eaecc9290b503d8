//! `/register`: business name, phone, pickup address and location, time
//! zone and currency, one question at a time; then the admins are asked.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use teloxide::types::{ButtonRequest, ReplyMarkup};

use super::dialogue::{Dialogue, Flow};
use super::{Bot, From, Input, Press};
use crate::actions;
use crate::domain::text::{Address, Name};
use crate::domain::{Coordinates, Currency, Phone};
use crate::render::callback::{Cb, Wiz};
use crate::render::errors::explain;
use crate::render::{keyboards, texts};
use crate::store::{NewBusiness, NewVenue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Name,
    Phone,
    Address,
    Location,
    TimeZone,
    Currency,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Form {
    step: Step,
    name: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    location: Option<(f64, f64)>,
    timezone: Option<String>,
    /// Names this registration: the business it makes is keyed by it, so
    /// a last step handled again registers once. 0 for older dialogues.
    #[serde(default)]
    nonce: u64,
}

const COMMON_ZONES: [&str; 5] = ["Europe/Berlin", "Europe/London", "Europe/Paris", "Europe/Warsaw", "America/New_York"];
const COMMON_CURRENCIES: [&str; 5] = ["EUR", "GBP", "USD", "CHF", "PLN"];

pub async fn begin(bot: &Bot, from: &From) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    let form = Form {
        step: Step::Name,
        name: None,
        phone: None,
        address: None,
        location: None,
        timezone: None,
        nonce: rand::random::<u64>().max(1),
    };
    let d = Dialogue::new(Flow::Register(form));
    bot.save(from.chat, &d).await?;
    ask(bot, from, &d).await
}

fn form(d: &Dialogue) -> Form {
    match &d.flow {
        Flow::Register(f) => f.clone(),
        _ => unreachable!("register handlers only see register dialogues"),
    }
}

/// The zones offered as buttons: the configured default first.
fn zones(bot: &Bot) -> Vec<String> {
    with_default_first(bot.settings.default_timezone.name(), &COMMON_ZONES)
}

fn currencies(bot: &Bot) -> Vec<String> {
    with_default_first(bot.settings.default_currency.code(), &COMMON_CURRENCIES)
}

fn with_default_first(default: &str, common: &[&str]) -> Vec<String> {
    let mut v = vec![default.to_string()];
    v.extend(common.iter().filter(|s| **s != default).map(|s| s.to_string()));
    v.truncate(5);
    v
}

async fn ask(bot: &Bot, from: &From, d: &Dialogue) -> anyhow::Result<()> {
    let f = form(d);
    let (text, markup): (String, ReplyMarkup) = match f.step {
        Step::Name => (texts::reg_name(from.lang).into(), keyboards::reply(from.lang, None, false, false)),
        Step::Phone => (
            texts::reg_phone(from.lang).into(),
            keyboards::reply(from.lang, Some((texts::reg_share_phone(from.lang), ButtonRequest::Contact)), false, true),
        ),
        Step::Address => (texts::reg_address(from.lang).into(), keyboards::reply(from.lang, None, false, true)),
        Step::Location => (
            texts::reg_location(from.lang).into(),
            keyboards::reply(from.lang, Some((texts::share_location(from.lang), ButtonRequest::Location)), false, true),
        ),
        Step::TimeZone => {
            let rows = choice_rows(from, &zones(bot), d.seq);
            (texts::reg_timezone(from.lang, bot.settings.default_timezone.name()), ReplyMarkup::InlineKeyboard(rows))
        }
        Step::Currency => {
            let rows = choice_rows(from, &currencies(bot), d.seq);
            (texts::reg_currency(from.lang).into(), ReplyMarkup::InlineKeyboard(rows))
        }
    };
    bot.send(from.chat, &text, Some(markup)).await.map(drop)
}

fn choice_rows(from: &From, choices: &[String], seq: u32) -> teloxide::types::InlineKeyboardMarkup {
    let mut rows: Vec<Vec<(&str, Cb)>> = choices
        .iter()
        .enumerate()
        .map(|(i, c)| vec![(c.as_str(), Cb::Wizard { seq, action: Wiz::Pick(i as u16) })])
        .collect();
    rows.push(keyboards::nav(from.lang, seq, true));
    keyboards::inline(rows)
}

pub async fn on_input(bot: &Bot, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
    if let Input::Text(t) = &input
        && let Some(nav) = keyboards::nav_of(t)
    {
        return navigate(bot, from, d, nav).await;
    }
    let mut f = form(&d);
    let answer: Result<Step, String> = match (f.step, &input) {
        (Step::Name, Input::Text(t)) => Name::parse(t)
            .map(|n| {
                f.name = Some(n.into_string());
                Step::Phone
            })
            .map_err(|e| explain(from.lang, &e)),
        (Step::Phone, Input::Text(t) | Input::Contact(t)) => Phone::parse(t)
            .map(|p| {
                f.phone = Some(p.as_str().to_string());
                Step::Address
            })
            .map_err(|e| explain(from.lang, &e)),
        (Step::Address, Input::Text(t)) => Address::parse(t)
            .map(|a| {
                f.address = Some(a.into_string());
                Step::Location
            })
            .map_err(|e| explain(from.lang, &e)),
        (Step::Location, Input::Location { lat, lng }) => Coordinates::new(*lat, *lng)
            .map(|c| {
                f.location = Some((c.lat(), c.lng()));
                Step::TimeZone
            })
            .map_err(|e| explain(from.lang, &e)),
        (Step::Location, Input::Text(t)) => Coordinates::parse(t)
            .map(|c| {
                f.location = Some((c.lat(), c.lng()));
                Step::TimeZone
            })
            .map_err(|e| explain(from.lang, &e)),
        (Step::TimeZone, Input::Text(t)) => match t.trim().parse::<Tz>() {
            Ok(tz) => {
                f.timezone = Some(tz.name().to_string());
                Ok(Step::Currency)
            }
            Err(_) => Err(texts::reg_timezone_unknown(from.lang).to_string()),
        },
        (Step::Currency, Input::Text(t)) => match Currency::from_code(t) {
            Ok(c) => return finish(bot, from, f, c).await,
            Err(e) => Err(explain(from.lang, &e)),
        },
        _ => Err(texts::text_expected(from.lang).to_string()),
    };
    match answer {
        Ok(next) => {
            f.step = next;
            let d = d.next(Flow::Register(f));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d).await
        }
        Err(problem) => refuse(bot, from, &d, &problem).await,
    }
}

/// A bad answer: say what's wrong, ask the same question again.
async fn refuse(bot: &Bot, from: &From, d: &Dialogue, problem: &str) -> anyhow::Result<()> {
    bot.say(from.chat, &texts::problem(from.lang, problem)).await?;
    ask(bot, from, d).await
}

pub async fn on_button(bot: &Bot, from: &From, press: &Press, d: Dialogue, action: Wiz) -> anyhow::Result<()> {
    let mut f = form(&d);
    match (f.step, action) {
        (Step::TimeZone, Wiz::Pick(i)) => {
            let Some(zone) = zones(bot).get(i as usize).cloned() else {
                return bot.answer(press, Some(texts::stale_button(from.lang))).await;
            };
            bot.answer(press, None).await?;
            bot.tg
                .edit_text(from.chat, press.message_id, &format!("🕒 Time zone: {}", texts::esc(&zone)), None)
                .await?;
            f.timezone = Some(zone);
            f.step = Step::Currency;
            let d = d.next(Flow::Register(f));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d).await
        }
        (Step::Currency, Wiz::Pick(i)) => {
            let Some(code) = currencies(bot).get(i as usize).cloned() else {
                return bot.answer(press, Some(texts::stale_button(from.lang))).await;
            };
            bot.answer(press, None).await?;
            bot.tg.edit_text(from.chat, press.message_id, &format!("💶 Currency: {code}"), None).await?;
            let currency = Currency::from_code(&code)?;
            finish(bot, from, f, currency).await
        }
        (_, Wiz::Back | Wiz::Cancel) => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            navigate(bot, from, d, action).await
        }
        _ => bot.answer(press, Some(texts::stale_button(from.lang))).await,
    }
}

async fn navigate(bot: &Bot, from: &From, d: Dialogue, nav: Wiz) -> anyhow::Result<()> {
    let mut f = form(&d);
    let previous = match f.step {
        Step::Name => None,
        Step::Phone => Some(Step::Name),
        Step::Address => Some(Step::Phone),
        Step::Location => Some(Step::Address),
        Step::TimeZone => Some(Step::Location),
        Step::Currency => Some(Step::TimeZone),
    };
    match (nav, previous) {
        (Wiz::Back, Some(prev)) => {
            f.step = prev;
            let d = d.next(Flow::Register(f));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d).await
        }
        (Wiz::Back, None) | (Wiz::Skip, _) => ask(bot, from, &d).await,
        _ => {
            bot.end_dialogue(from.chat).await?;
            bot.send(from.chat, texts::cancelled(from.lang), Some(keyboards::remove())).await.map(drop)
        }
    }
}

async fn finish(bot: &Bot, from: &From, f: Form, currency: Currency) -> anyhow::Result<()> {
    let missing = || anyhow::anyhow!("registration form incomplete");
    let tz: Tz =
        f.timezone.as_deref().unwrap_or(bot.settings.default_timezone.name()).parse().map_err(|_| missing())?;
    let (lat, lng) = f.location.ok_or_else(missing)?;
    let name = Name::parse(f.name.as_deref().ok_or_else(missing)?)?;
    let new = NewBusiness {
        owner_tg_id: from.user_id,
        name: name.clone(),
        phone: Phone::parse(f.phone.as_deref().ok_or_else(missing)?)?,
        currency,
        timezone: tz,
        venue: NewVenue {
            name: name.clone(),
            address: Address::parse(f.address.as_deref().ok_or_else(missing)?)?,
            location: Coordinates::new(lat, lng)?,
            timezone: tz,
        },
    };
    let key = (f.nonce != 0).then(|| format!("business:{}:{}", from.chat, f.nonce));
    let business = actions::businesses::register(bot, &new, &from.describe(), key.as_deref()).await?;
    bot.end_dialogue(from.chat).await?;
    bot.send(from.chat, &texts::reg_done(from.lang, &business.name), Some(keyboards::remove())).await.map(drop)
}
