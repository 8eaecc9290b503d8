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
    let (text, markup) = overview(bot, from, b.id).await?;
    bot.send(from.chat, &text, Some(ReplyMarkup::InlineKeyboard(markup))).await.map(drop)
}

/// The list of pickup places with, per place, giving leftovers to
/// charities (on/off) and the unit weight.
async fn overview(
    bot: &Bot,
    from: &From,
    business_id: i64,
) -> anyhow::Result<(String, teloxide::types::InlineKeyboardMarkup)> {
    let venues = bot.store.venues_of(business_id).await?;
    let lines: Vec<String> =
        venues.iter().map(|v| texts::venue_line(from.lang, &v.name, &v.address, v.donate, v.unit_grams)).collect();
    let labels: Vec<(String, String, i64, bool)> = venues
        .iter()
        .map(|v| {
            (
                texts::venue_donate_button(from.lang, &v.name, v.donate),
                texts::venue_weight_button(from.lang, &v.name),
                v.id,
                v.donate,
            )
        })
        .collect();
    let mut rows: Vec<Vec<(&str, Cb)>> = labels
        .iter()
        .map(|(donate, weight, id, on)| {
            vec![(donate.as_str(), Cb::VenueDonate { venue: *id, on: !*on }), (weight.as_str(), Cb::VenueWeight(*id))]
        })
        .collect();
    rows.push(vec![(texts::add_venue(from.lang), Cb::AddVenue)]);
    Ok((texts::venues_list(from.lang, &lines.join("\n")), keyboards::inline(rows)))
}

/// The venue `venue_id` if it belongs to a business of `from`.
async fn own_venue(bot: &Bot, from: &From, venue_id: i64) -> anyhow::Result<Option<crate::store::Venue>> {
    let venue = match bot.store.venue(venue_id).await {
        Ok(v) => v,
        Err(crate::store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mine = bot.store.businesses_of_owner(from.user_id).await?;
    Ok(mine.iter().any(|b| b.id == venue.business_id).then_some(venue))
}

/// "🤝 donate leftovers" / "stop donating": sets what the button says
/// and redraws the list in place (a replay sets the same again).
pub async fn on_donate(bot: &Bot, from: &From, press: &Press, venue_id: i64, on: bool) -> anyhow::Result<()> {
    let Some(venue) = own_venue(bot, from, venue_id).await? else {
        return bot.answer(press, Some(texts::not_yours(from.lang))).await;
    };
    let venue = bot.store.set_venue_donate(venue.id, venue.business_id, on).await?;
    bot.answer(press, None).await?;
    let (text, markup) = overview(bot, from, venue.business_id).await?;
    bot.tg.edit_text(from.chat, press.message_id, &text, Some(markup)).await?;
    Ok(())
}

/// "⚖️ unit weight": asks for the weight of one unit.
pub async fn on_weight(bot: &Bot, from: &From, press: &Press, venue_id: i64) -> anyhow::Result<()> {
    let Some(venue) = own_venue(bot, from, venue_id).await? else {
        return bot.answer(press, Some(texts::not_yours(from.lang))).await;
    };
    bot.answer(press, None).await?;
    let d = Dialogue::new(Flow::UnitWeight { venue_id: venue.id, business_id: venue.business_id });
    bot.save(from.chat, &d).await?;
    bot.send(
        from.chat,
        &texts::ask_unit_weight(from.lang, &venue.name),
        Some(keyboards::reply(from.lang, None, true, false)),
    )
    .await
    .map(drop)
}

/// The typed unit weight (or Skip, to leave it unknown).
pub async fn on_weight_input(
    bot: &Bot,
    from: &From,
    venue_id: i64,
    business_id: i64,
    input: Input,
) -> anyhow::Result<()> {
    let Input::Text(t) = &input else { return bot.say(from.chat, texts::unit_weight_bad(from.lang)).await };
    let grams = match keyboards::nav_of(t) {
        Some(Wiz::Cancel) => {
            bot.end_dialogue(from.chat).await?;
            return bot.send(from.chat, texts::cancelled(from.lang), Some(keyboards::remove())).await.map(drop);
        }
        Some(Wiz::Skip) => None,
        _ => match crate::domain::charity::parse_grams(t) {
            Some(g) => Some(g),
            None => return bot.say(from.chat, texts::unit_weight_bad(from.lang)).await,
        },
    };
    let venue = bot.store.set_venue_unit_grams(venue_id, business_id, grams).await?;
    bot.end_dialogue(from.chat).await?;
    bot.send(from.chat, &texts::unit_weight_saved(from.lang, &venue.name, venue.unit_grams), Some(keyboards::remove()))
        .await?;
    list(bot, from).await
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
