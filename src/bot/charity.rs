//! Charities: an admin's `/charity invite <name>, <area>` (a one-time deep
//! link) and `/charity` (the list); the contact opening the link
//! (`/start charity_<token>`) and saying where they collect; and their
//! answer to a donation offer (Accept / Not this time), which is replay
//! safe by the round's state: a second press finds the order it made.

use teloxide::types::ButtonRequest;

use super::dialogue::{Dialogue, Flow};
use super::{Bot, From, Input, Press};
use crate::actions::donations;
use crate::domain::Coordinates;
use crate::domain::charity::parse_invite;
use crate::render::callback::Wiz;
use crate::render::errors::explain;
use crate::render::{keyboards, texts};
use crate::store::{DonationOutcome, Registration};

/// `/charity` and `/charity invite …` (admins only).
pub async fn command(bot: &Bot, from: &From, args: &str) -> anyhow::Result<()> {
    if !bot.settings.is_admin(from.user_id) {
        return bot.say(from.chat, texts::admins_only(from.lang)).await;
    }
    let args = args.trim();
    if args.is_empty() || args.eq_ignore_ascii_case("list") {
        let all = bot.store.charities(50).await?;
        if all.is_empty() {
            return bot.say(from.chat, texts::no_charities(from.lang)).await;
        }
        let lines: Vec<String> = all
            .iter()
            .map(|c| texts::charity_line(from.lang, c.id, &c.name, &c.area, c.tg_id.is_some(), c.location.is_some()))
            .collect();
        return bot.say(from.chat, &texts::charities_list(from.lang, &lines.join("\n"))).await;
    }
    let rest = match args.split_once(char::is_whitespace) {
        Some((verb, rest)) if verb.eq_ignore_ascii_case("invite") => rest,
        _ => return bot.say(from.chat, texts::charity_usage(from.lang)).await,
    };
    let Some((name, area)) = parse_invite(rest) else {
        return bot.say(from.chat, texts::charity_usage(from.lang)).await;
    };
    let (charity, link) = donations::invite(bot, from.user_id, &name, &area).await?;
    bot.say(from.chat, &texts::charity_invited(from.lang, &charity.name, &charity.area, &link)).await
}

/// `/start charity_<token>`.
pub async fn start(bot: &Bot, from: &From, token: &str) -> anyhow::Result<()> {
    match donations::register(bot, from.user_id, token).await? {
        Registration::Unknown => bot.say(from.chat, texts::charity_link_unknown(from.lang)).await,
        Registration::Used => bot.say(from.chat, texts::charity_link_used(from.lang)).await,
        Registration::OtherCharity(c) => bot.say(from.chat, &texts::charity_other(from.lang, &c.name)).await,
        Registration::AlreadyYours(c) if c.location.is_some() => {
            bot.say(from.chat, &texts::charity_already(from.lang, &c.name)).await
        }
        Registration::AlreadyYours(c) => {
            bot.say(from.chat, &texts::charity_already(from.lang, &c.name)).await?;
            ask_place(bot, from).await
        }
        Registration::Registered(c) => {
            bot.say(from.chat, &texts::charity_welcome(from.lang, &c.name)).await?;
            ask_place(bot, from).await
        }
    }
}

async fn ask_place(bot: &Bot, from: &From) -> anyhow::Result<()> {
    bot.save(from.chat, &Dialogue::new(Flow::CharityPlace)).await?;
    let markup =
        keyboards::reply(from.lang, Some((texts::share_location(from.lang), ButtonRequest::Location)), false, false);
    bot.send(from.chat, texts::charity_where(from.lang), Some(markup)).await.map(drop)
}

/// The answer to "where do you collect?".
pub async fn on_place(bot: &Bot, from: &From, input: Input) -> anyhow::Result<()> {
    if let Input::Text(t) = &input
        && keyboards::nav_of(t) == Some(Wiz::Cancel)
    {
        bot.end_dialogue(from.chat).await?;
        return bot.send(from.chat, texts::cancelled(from.lang), Some(keyboards::remove())).await.map(drop);
    }
    let at = match &input {
        Input::Location { lat, lng } => Coordinates::new(*lat, *lng).map_err(|e| explain(from.lang, &e)),
        Input::Text(t) => Coordinates::parse(t).map_err(|e| explain(from.lang, &e)),
        _ => Err(texts::text_expected(from.lang).to_string()),
    };
    match at {
        Ok(at) => {
            bot.store.set_charity_location(from.user_id, at).await?;
            bot.end_dialogue(from.chat).await?;
            bot.send(from.chat, texts::charity_location_saved(from.lang), Some(keyboards::remove())).await.map(drop)
        }
        Err(problem) => {
            bot.say(from.chat, &texts::problem(from.lang, &problem)).await?;
            ask_place(bot, from).await
        }
    }
}

/// Accept or "Not this time" under a donation offer.
pub async fn on_answer(bot: &Bot, from: &From, press: &Press, offer: i64, accept: bool) -> anyhow::Result<()> {
    if !accept {
        let declined = donations::decline(bot, offer, from.user_id).await?;
        bot.answer(
            press,
            Some(if declined { texts::donation_declined(from.lang) } else { texts::donation_gone_answer(from.lang) }),
        )
        .await?;
        press.clear_buttons(bot, from.chat).await;
        return Ok(());
    }
    match donations::accept(bot, offer, from.user_id).await? {
        // The notice with the pickup code is on its way (written with the order).
        DonationOutcome::Taken { purchase_id } | DonationOutcome::AlreadyYours { purchase_id } => {
            bot.answer(press, Some(&texts::donation_taken_answer(from.lang, purchase_id))).await?;
            press.clear_buttons(bot, from.chat).await;
            Ok(())
        }
        DonationOutcome::Gone => {
            bot.answer(press, Some(texts::donation_gone_answer(from.lang))).await?;
            press.clear_buttons(bot, from.chat).await;
            Ok(())
        }
        DonationOutcome::NotOffered => bot.answer(press, Some(texts::donation_not_offered(from.lang))).await,
    }
}
