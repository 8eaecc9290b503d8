//! `/venues`: a business's pickup places, and adding one (name, address,
//! location; the business's time zone).

use serde::{Deserialize, Serialize};
use teloxide::types::{ButtonRequest, ReplyMarkup};

use super::dialogue::{Dialogue, Flow};
use super::{Bot, From, Input, Press};
use crate::domain::text::{Address, Name};
use crate::domain::{BusinessStatus, Coordinates};
use crate::render::callback::{Cb, Wiz};
use crate::render::errors::explain;
use crate::render::{keyboards, texts};
use crate::store::NewVenue;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Name,
    Address,
    Location,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Form {
    step: Step,
    business_id: i64,
    name: Option<String>,
    address: Option<String>,
}

fn form(d: &Dialogue) -> Form {
    match &d.flow {
        Flow::AddVenue(f) => f.clone(),
        _ => unreachable!("venue handlers only see venue dialogues"),
    }
}

pub async fn list(bot: &Bot, from: &From) -> anyhow::Result<()> {
    let mine = bot.store.businesses_of_owner(from.user_id).await?;
    let Some(b) = mine.iter().rev().find(|b| b.status != BusinessStatus::Rejected) else {
        return bot.say(from.chat, texts::need_verified_business(from.lang)).await;
    };
    let venues = bot.store.venues_of(b.id).await?;
    let lines: Vec<String> =
        venues.iter().map(|v| format!("📍 <b>{}</b>, {}", texts::esc(&v.name), texts::esc(&v.address))).collect();
    let markup =
        ReplyMarkup::InlineKeyboard(keyboards::inline(vec![vec![(texts::add_venue(from.lang), Cb::AddVenue)]]));
    bot.send(from.chat, &texts::venues_list(from.lang, &lines.join("\n")), Some(markup)).await.map(drop)
}

/// The "Add a pickup place" button of `/venues`.
pub async fn add_pressed(bot: &Bot, from: &From, press: &Press) -> anyhow::Result<()> {
    bot.answer(press, None).await?;
    let mine = bot.store.businesses_of_owner(from.user_id).await?;
    let Some(b) = mine.iter().rev().find(|b| b.status != BusinessStatus::Rejected) else {
        return bot.say(from.chat, texts::need_verified_business(from.lang)).await;
    };
    let d = Dialogue::new(Flow::AddVenue(Form { step: Step::Name, business_id: b.id, name: None, address: None }));
    bot.save(from.chat, &d).await?;
    ask(bot, from, &d).await
}

async fn ask(bot: &Bot, from: &From, d: &Dialogue) -> anyhow::Result<()> {
    let (text, markup) = match form(d).step {
        Step::Name => (texts::venue_name(from.lang), keyboards::reply(from.lang, None, false, false)),
        Step::Address => (texts::reg_address(from.lang), keyboards::reply(from.lang, None, false, true)),
        Step::Location => (
            texts::reg_location(from.lang),
            keyboards::reply(from.lang, Some((texts::share_location(from.lang), ButtonRequest::Location)), false, true),
        ),
    };
    bot.send(from.chat, text, Some(markup)).await.map(drop)
}

pub async fn on_input(bot: &Bot, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
    if let Input::Text(t) = &input
        && let Some(nav) = keyboards::nav_of(t)
    {
        return navigate(bot, from, d, nav).await;
    }
    let mut f = form(&d);
    let result: Result<Step, String> = match (f.step, &input) {
        (Step::Name, Input::Text(t)) => Name::parse(t).map_err(|e| explain(from.lang, &e)).map(|n| {
            f.name = Some(n.into_string());
            Step::Address
        }),
        (Step::Address, Input::Text(t)) => Address::parse(t).map_err(|e| explain(from.lang, &e)).map(|a| {
            f.address = Some(a.into_string());
            Step::Location
        }),
        (Step::Location, Input::Location { lat, lng }) => match Coordinates::new(*lat, *lng) {
            Ok(at) => return finish(bot, from, f, at).await,
            Err(e) => Err(explain(from.lang, &e)),
        },
        (Step::Location, Input::Text(t)) => match Coordinates::parse(t) {
            Ok(at) => return finish(bot, from, f, at).await,
            Err(e) => Err(explain(from.lang, &e)),
        },
        _ => Err(texts::text_expected(from.lang).to_string()),
    };
    match result {
        Ok(step) => {
            f.step = step;
            let d = d.next(Flow::AddVenue(f));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d).await
        }
        Err(problem) => {
            bot.say(from.chat, &texts::problem(from.lang, &problem)).await?;
            ask(bot, from, &d).await
        }
    }
}

async fn finish(bot: &Bot, from: &From, f: Form, at: Coordinates) -> anyhow::Result<()> {
    let business = bot.store.business(f.business_id).await?;
    let venue = NewVenue {
        name: Name::parse(f.name.as_deref().unwrap_or_default())?,
        address: Address::parse(f.address.as_deref().unwrap_or_default())?,
        location: at,
        timezone: business.timezone,
    };
    let v = bot.store.add_venue(f.business_id, &venue, bot.clock.now()).await?;
    bot.end_dialogue(from.chat).await?;
    bot.send(from.chat, &texts::venue_added(from.lang, &v.name), Some(keyboards::remove())).await.map(drop)
}

pub async fn on_button(bot: &Bot, from: &From, press: &Press, d: Dialogue, action: Wiz) -> anyhow::Result<()> {
    bot.answer(press, None).await?;
    press.clear_buttons(bot, from.chat).await;
    navigate(bot, from, d, action).await
}

async fn navigate(bot: &Bot, from: &From, d: Dialogue, nav: Wiz) -> anyhow::Result<()> {
    let mut f = form(&d);
    let previous = match f.step {
        Step::Name => None,
        Step::Address => Some(Step::Name),
        Step::Location => Some(Step::Address),
    };
    match (nav, previous) {
        (Wiz::Back, Some(p)) => {
            f.step = p;
            let d = d.next(Flow::AddVenue(f));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d).await
        }
        (Wiz::Cancel, _) => {
            bot.end_dialogue(from.chat).await?;
            bot.send(from.chat, texts::cancelled(from.lang), Some(keyboards::remove())).await.map(drop)
        }
        _ => ask(bot, from, &d).await,
    }
}
