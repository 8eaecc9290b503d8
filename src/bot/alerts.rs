//! Following and alerts as a customer meets them: ⭐ Follow / ✖️ Unfollow
//! on cards, shop pages and alerts (the button flips in place);
//! `/following`; and `/alerts`, which shows the settings and walks through
//! a nearby alert (place → radius → keywords → quiet hours) or just the
//! quiet hours, with reply-keyboard buttons and typed answers alike.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use teloxide::types::{
    ButtonRequest, InlineKeyboardButton, InlineKeyboardButtonKind, InlineKeyboardMarkup, KeyboardButton, ReplyMarkup,
};

use super::dialogue::{Dialogue, Flow};
use super::{Bot, From, Input, Press};
use crate::actions::alerts::{
    self as rules, FollowError, Keywords, Nearby, QUIET_CHOICES, QuietHours, RADII_KM, Radius,
};
use crate::domain::Coordinates;
use crate::domain::business::CoordinatesError;
use crate::render::callback::{AlertAct, Cb, Wiz};
use crate::render::errors::explain;
use crate::render::i18n::Lang;
use crate::render::{keyboards, texts};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Location,
    Radius,
    Keywords,
    Quiet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Form {
    step: Step,
    /// Only quiet hours (the overview's 🌙 button): no nearby steps.
    quiet_only: bool,
    location: Option<(f64, f64)>,
    radius_m: Option<u32>,
    /// Stored form; empty: every deal.
    keywords: Option<String>,
    timezone: Option<String>,
}

fn form(d: &Dialogue) -> Form {
    match &d.flow {
        Flow::Alerts(f) => f.clone(),
        _ => unreachable!("alert handlers only see alert dialogues"),
    }
}

// --- following ----------------------------------------------------------

/// The ⭐ Follow / ✖️ Unfollow button for a business.
pub fn follow_row(l: Lang, business_id: i64, name: &str, following: bool) -> (String, Cb) {
    if following {
        (texts::unfollow_button(l, name), Cb::Unfollow(business_id))
    } else {
        (texts::follow_button(l, name), Cb::Follow(business_id))
    }
}

/// `/following`: the shops followed, each with its Unfollow button.
pub async fn following(bot: &Bot, from: &From) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    let shops = rules::following(bot, from.user_id).await?;
    if shops.is_empty() {
        return bot.say(from.chat, texts::following_empty(from.lang)).await;
    }
    let lines: Vec<String> = shops.iter().map(|s| texts::following_line(from.lang, &s.name, s.active_offers)).collect();
    let buttons: Vec<(String, Cb)> =
        shops.iter().map(|s| follow_row(from.lang, s.business_id, &s.name, true)).collect();
    let rows = buttons.iter().map(|(l, cb)| vec![(l.as_str(), *cb)]).collect();
    let markup = ReplyMarkup::InlineKeyboard(keyboards::inline(rows));
    bot.send(from.chat, &texts::following_list(from.lang, &lines.join("\n")), Some(markup)).await.map(drop)
}

/// ⭐ Follow or ✖️ Unfollow pressed, wherever it was: do it, say so, and
/// flip that button in place so the next press undoes it.
pub async fn on_follow(
    bot: &Bot,
    from: &From,
    press: &Press,
    shown: Option<&InlineKeyboardMarkup>,
    business_id: i64,
    follow: bool,
) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    let result = if follow {
        rules::follow(bot, from.user_id, business_id).await.map(|(name, _)| name)
    } else {
        rules::unfollow(bot, from.user_id, business_id).await
    };
    let name = match result {
        Ok(name) => name,
        Err(FollowError::NoSuchBusiness) => return bot.answer(press, Some(texts::business_not_found(from.lang))).await,
        Err(FollowError::Store(e)) => return Err(e.into()),
    };
    let toast =
        if follow { texts::now_following(from.lang, &name) } else { texts::no_longer_following(from.lang, &name) };
    bot.answer(press, Some(&toast)).await?;
    if let Some(markup) = shown {
        let flipped = flip_follow(from.lang, markup, business_id, follow, &name);
        if flipped != *markup
            && let Err(e) = bot.tg.edit_markup(from.chat, press.message_id, Some(flipped)).await
        {
            tracing::debug!(error = %e, "couldn't flip the follow button");
        }
    }
    Ok(())
}

/// The keyboard with the business's Follow button turned into Unfollow
/// (`now_following`) or back.
fn flip_follow(
    l: Lang,
    markup: &InlineKeyboardMarkup,
    business_id: i64,
    now_following: bool,
    name: &str,
) -> InlineKeyboardMarkup {
    let targets = [Cb::Follow(business_id).encode(), Cb::Unfollow(business_id).encode()];
    let (label, cb) = follow_row(l, business_id, name, now_following);
    let rows = markup
        .inline_keyboard
        .iter()
        .map(|row| {
            row.iter()
                .map(|b| match &b.kind {
                    InlineKeyboardButtonKind::CallbackData(d) if targets.contains(d) => {
                        InlineKeyboardButton::callback(label.clone(), cb.encode())
                    }
                    _ => b.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>();
    InlineKeyboardMarkup::new(rows)
}

// --- the /alerts overview ------------------------------------------------

/// `/alerts`: what is set, with buttons to change it. `edit` replaces an
/// earlier overview in place.
pub async fn overview(bot: &Bot, from: &From, edit: Option<i32>) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    let s = rules::settings(bot, from.user_id).await?;
    let follows = rules::following(bot, from.user_id).await?.len();
    let nearby = s
        .nearby
        .as_ref()
        .map(|n| texts::nearby_summary(from.lang, &texts::radius(from.lang, n.radius.metres()), n.keywords.words()));
    let text = texts::alerts_overview(
        from.lang,
        nearby.as_deref(),
        s.quiet.map(QuietHours::label).as_deref(),
        s.tz.name(),
        follows,
    );
    let mut rows: Vec<Vec<(&str, Cb)>> = Vec::new();
    if s.nearby.is_some() {
        rows.push(vec![(texts::change_alerts(from.lang), Cb::Alerts(AlertAct::Nearby))]);
        rows.push(vec![(texts::turn_off_alerts(from.lang), Cb::Alerts(AlertAct::Off))]);
    } else {
        rows.push(vec![(texts::set_up_alerts(from.lang), Cb::Alerts(AlertAct::Nearby))]);
    }
    rows.push(vec![(texts::quiet_hours_button(from.lang), Cb::Alerts(AlertAct::Quiet))]);
    let markup = keyboards::inline(rows);
    match edit {
        Some(id) => bot.tg.edit_text(from.chat, id, &text, Some(markup)).await.map_err(Into::into),
        None => bot.send(from.chat, &text, Some(ReplyMarkup::InlineKeyboard(markup))).await.map(drop),
    }
}

/// A button of the overview.
pub async fn on_button(bot: &Bot, from: &From, press: &Press, act: AlertAct) -> anyhow::Result<()> {
    if act != AlertAct::Off
        && let Some(d) = bot.dialogue(from.chat).await?
        && !matches!(d.flow, Flow::Alerts(_))
    {
        return bot.answer(press, Some(texts::busy_in_dialogue(from.lang))).await;
    }
    match act {
        AlertAct::Off => {
            let was_on = rules::turn_off(bot, from.user_id).await?;
            let toast = if was_on { texts::alerts_turned_off(from.lang) } else { texts::alerts_already_off(from.lang) };
            bot.tg.answer_callback(&press.id, Some(toast), false).await?;
            overview(bot, from, Some(press.message_id)).await
        }
        AlertAct::Nearby | AlertAct::Quiet => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            let s = rules::settings(bot, from.user_id).await?;
            let quiet_only = act == AlertAct::Quiet;
            // A first alert may keep the last location the customer shared
            // ("Keep my place"); offering it counts as using it.
            let last_shared = match (&s.nearby, quiet_only) {
                (None, false) => bot.store.use_location(from.user_id, bot.clock.now()).await?,
                _ => None,
            };
            let place = s.nearby.as_ref().map(|n| n.at).or(last_shared);
            let f = Form {
                step: if quiet_only { Step::Quiet } else { Step::Location },
                quiet_only,
                location: place.map(|at| (at.lat(), at.lng())),
                radius_m: s.nearby.as_ref().map(|n| n.radius.metres()),
                keywords: s.nearby.as_ref().map(|n| n.keywords.to_stored()),
                timezone: Some(s.tz.name().to_string()),
            };
            let d = Dialogue::new(Flow::Alerts(f));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d, place.is_some()).await
        }
    }
}

// --- the dialogue ----------------------------------------------------------

fn zone(bot: &Bot, f: &Form) -> Tz {
    f.timezone.as_deref().and_then(|z| z.parse().ok()).unwrap_or(bot.settings.default_timezone)
}

fn quiet_label(from: u16, to: u16) -> String {
    QuietHours::new(from, to).map(QuietHours::label).unwrap_or_default()
}

async fn ask(bot: &Bot, from: &From, d: &Dialogue, has_place: bool) -> anyhow::Result<()> {
    let f = form(d);
    let (text, markup) = match f.step {
        Step::Location => {
            let mut rows =
                vec![vec![KeyboardButton::new(texts::share_location(from.lang)).request(ButtonRequest::Location)]];
            if has_place {
                rows.push(vec![KeyboardButton::new(texts::keep_place(from.lang))]);
            }
            (texts::alerts_ask_location(from.lang).to_string(), keyboards::reply_rows(from.lang, rows, false))
        }
        Step::Radius => {
            let labels: Vec<KeyboardButton> =
                RADII_KM.iter().map(|km| KeyboardButton::new(texts::radius_button(from.lang, *km))).collect();
            let rows = labels.chunks(2).map(<[KeyboardButton]>::to_vec).collect();
            (texts::alerts_ask_radius(from.lang).to_string(), keyboards::reply_rows(from.lang, rows, true))
        }
        Step::Keywords => (
            texts::alerts_ask_keywords(from.lang).to_string(),
            keyboards::reply_rows(from.lang, vec![vec![KeyboardButton::new(texts::skip(from.lang))]], true),
        ),
        Step::Quiet => {
            let mut labels: Vec<KeyboardButton> =
                QUIET_CHOICES.iter().map(|(a, b)| KeyboardButton::new(quiet_label(*a, *b))).collect();
            labels.push(KeyboardButton::new(texts::no_quiet_hours(from.lang)));
            let rows = labels.chunks(2).map(<[KeyboardButton]>::to_vec).collect();
            (
                texts::alerts_ask_quiet(from.lang, zone(bot, &f).name()),
                keyboards::reply_rows(from.lang, rows, !f.quiet_only),
            )
        }
    };
    bot.send(from.chat, &text, Some(markup)).await.map(drop)
}

/// What one answer does.
enum Answer {
    Next(Form),
    Finish(Form, Option<QuietHours>),
    Problem(String),
}

pub async fn on_input(bot: &Bot, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
    let mut f = form(&d);
    if let Input::Text(t) = &input
        && let Some(nav) = keyboards::nav_of(t)
        && nav != Wiz::Skip
    {
        return navigate(bot, from, d, nav).await;
    }
    let answer = match (f.step, &input) {
        (Step::Location, Input::Location { lat, lng }) => match Coordinates::new(*lat, *lng) {
            Ok(at) => {
                f.location = Some((at.lat(), at.lng()));
                f.step = Step::Radius;
                Answer::Next(f)
            }
            Err(e) => Answer::Problem(explain(from.lang, &e)),
        },
        (Step::Location, Input::Text(t)) if t.trim() == texts::keep_place(from.lang) && f.location.is_some() => {
            f.step = Step::Radius;
            Answer::Next(f)
        }
        (Step::Location, Input::Text(t)) => match Coordinates::parse(t) {
            Ok(at) => {
                f.location = Some((at.lat(), at.lng()));
                f.step = Step::Radius;
                Answer::Next(f)
            }
            Err(e) => Answer::Problem(explain(from.lang, &e)),
        },
        (Step::Radius, Input::Text(t)) => match Radius::parse(t) {
            Ok(r) => {
                f.radius_m = Some(r.metres());
                f.step = Step::Keywords;
                Answer::Next(f)
            }
            Err(e) => Answer::Problem(explain(from.lang, &e)),
        },
        (Step::Keywords, Input::Text(t)) => {
            let skip = keyboards::nav_of(t) == Some(Wiz::Skip);
            match if skip { Ok(Keywords::default()) } else { Keywords::parse(t) } {
                Ok(k) => {
                    f.keywords = Some(k.to_stored());
                    f.step = Step::Quiet;
                    Answer::Next(f)
                }
                Err(e) => Answer::Problem(explain(from.lang, &e)),
            }
        }
        (Step::Quiet, Input::Text(t)) => {
            let t = t.trim();
            if t == texts::no_quiet_hours(from.lang) || t.eq_ignore_ascii_case("none") {
                Answer::Finish(f, None)
            } else if let Ok(q) = QuietHours::parse(t) {
                Answer::Finish(f, Some(q))
            } else if let Ok(tz) = t.parse::<Tz>() {
                // A new time zone: ask again, with the hours read in it.
                f.timezone = Some(tz.name().to_string());
                Answer::Next(f)
            } else {
                Answer::Problem(explain(from.lang, &rules::AlertInputError::QuietHours))
            }
        }
        (Step::Location, _) => Answer::Problem(explain(from.lang, &CoordinatesError::Unreadable)),
        _ => Answer::Problem(texts::text_expected(from.lang).to_string()),
    };
    match answer {
        Answer::Next(f) => {
            let has_place = f.location.is_some();
            let d = d.next(Flow::Alerts(f));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d, has_place).await
        }
        Answer::Finish(f, quiet) => finish(bot, from, f, quiet).await,
        Answer::Problem(problem) => {
            bot.say(from.chat, &texts::problem(from.lang, &problem)).await?;
            let has_place = form(&d).location.is_some();
            ask(bot, from, &d, has_place).await
        }
    }
}

async fn navigate(bot: &Bot, from: &From, d: Dialogue, nav: Wiz) -> anyhow::Result<()> {
    let mut f = form(&d);
    let previous = match (f.step, f.quiet_only) {
        (Step::Location, _) | (Step::Quiet, true) => None,
        (Step::Radius, _) => Some(Step::Location),
        (Step::Keywords, _) => Some(Step::Radius),
        (Step::Quiet, false) => Some(Step::Keywords),
    };
    match (nav, previous) {
        (Wiz::Cancel, _) => {
            bot.end_dialogue(from.chat).await?;
            bot.send(from.chat, texts::cancelled(from.lang), Some(keyboards::remove())).await.map(drop)
        }
        (Wiz::Back, Some(p)) => {
            f.step = p;
            let has_place = f.location.is_some();
            let d = d.next(Flow::Alerts(f));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d, has_place).await
        }
        _ => {
            let has_place = f.location.is_some();
            ask(bot, from, &d, has_place).await
        }
    }
}

async fn finish(bot: &Bot, from: &From, f: Form, quiet: Option<QuietHours>) -> anyhow::Result<()> {
    let tz = zone(bot, &f);
    let quiet_text = quiet.map(QuietHours::label);
    let text = if f.quiet_only {
        rules::set_quiet(bot, from.user_id, quiet, tz).await?;
        texts::quiet_saved(from.lang, quiet_text.as_deref(), tz.name())
    } else {
        let missing = || anyhow::anyhow!("alert form incomplete");
        let (lat, lng) = f.location.ok_or_else(missing)?;
        let nearby = Nearby {
            at: Coordinates::new(lat, lng)?,
            radius: Radius::from_metres(f.radius_m.ok_or_else(missing)?),
            keywords: Keywords::from_stored(f.keywords.as_deref().unwrap_or_default()),
        };
        rules::set_nearby(bot, from.user_id, &nearby).await?;
        rules::set_quiet(bot, from.user_id, quiet, tz).await?;
        let radius = texts::radius(from.lang, nearby.radius.metres());
        let summary = texts::nearby_summary(from.lang, &radius, nearby.keywords.words());
        texts::alerts_saved(from.lang, &summary, quiet_text.as_deref(), tz.name())
    };
    bot.end_dialogue(from.chat).await?;
    bot.send(from.chat, &text, Some(keyboards::remove())).await.map(drop)
}
