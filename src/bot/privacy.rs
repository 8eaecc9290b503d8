//! `/privacy`: what Glean keeps and for how long, with 📦 Download my data
//! (a JSON document), 🗑 Delete my data (after a confirmation) and
//! 📍 Forget my location; and the admins' `/privacy_request <user id>
//! export|delete` for requests that come by email. None of it reads or
//! changes a running dialogue, so it works in the middle of one (a
//! deletion ends it).

use super::{Bot, From, Press};
use crate::actions;
use crate::render::callback::PrivacyAct;
use crate::render::i18n::Lang;
use crate::render::{keyboards, privacy};
use crate::store::{Actor, Erasure};

/// `/privacy`.
pub async fn overview(bot: &Bot, from: &From) -> anyhow::Result<()> {
    let has_location = bot.store.user(from.user_id).await?.and_then(|u| u.location).is_some();
    let owner = !bot.store.businesses_of_owner(from.user_id).await?.is_empty();
    let s = &bot.settings;
    let text = privacy::overview(from.lang, s.retention_updates_days, s.retention_location_days, has_location, owner);
    bot.send(from.chat, &text, Some(keyboards::privacy_buttons(from.lang))).await.map(drop)
}

/// A button of `/privacy` or of its confirmation.
pub async fn on_button(bot: &Bot, from: &From, press: &Press, act: PrivacyAct) -> anyhow::Result<()> {
    let me = Actor::User(from.user_id);
    match act {
        PrivacyAct::Export => {
            bot.answer(press, Some(privacy::export_started(from.lang))).await?;
            match actions::privacy::export(bot, from.user_id, &me).await? {
                Some(export) => {
                    let name = format!("glean-data-{}.json", from.user_id);
                    bot.tg.send_document(from.chat, export.json, &name, privacy::export_caption(from.lang)).await?;
                    Ok(())
                }
                None => bot.say(from.chat, privacy::nothing_held(from.lang)).await,
            }
        }
        PrivacyAct::Delete => {
            bot.answer(press, None).await?;
            match bot.store.erase_refusal(from.user_id).await? {
                Some(refused) => bot.say(from.chat, &privacy::refused(from.lang, &refused)).await,
                None => bot
                    .send(from.chat, privacy::confirm_delete(from.lang), Some(keyboards::privacy_confirm(from.lang)))
                    .await
                    .map(drop),
            }
        }
        PrivacyAct::DeleteConfirm => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            // The reply goes out after the erasure committed; the update
            // itself is erased with the rest, so it is never replayed. A
            // second press finds nothing left and says so.
            match actions::privacy::erase(bot, from.user_id, &me).await? {
                Erasure::Done(erased) => {
                    bot.send(from.chat, &privacy::erased(from.lang, &erased), Some(keyboards::remove())).await.map(drop)
                }
                Erasure::Refused(refused) => bot.say(from.chat, &privacy::refused(from.lang, &refused)).await,
            }
        }
        PrivacyAct::Keep => {
            bot.answer(press, Some(privacy::kept(from.lang))).await?;
            press.clear_buttons(bot, from.chat).await;
            bot.say(from.chat, privacy::kept(from.lang)).await
        }
        PrivacyAct::ForgetLocation => {
            let forgot = actions::privacy::forget_location(bot, from.user_id).await?;
            let text = if forgot { privacy::location_forgotten(from.lang) } else { privacy::no_location(from.lang) };
            bot.answer(press, Some(text)).await?;
            bot.say(from.chat, text).await
        }
    }
}

/// `/privacy_request <user id> export|delete`, admins only: the export is
/// sent to the admin; a deletion sends the person the same last message
/// they would get themselves. Both are audited with the admin as actor.
pub async fn request(bot: &Bot, from: &From, args: &str) -> anyhow::Result<()> {
    if !bot.settings.is_admin(from.user_id) {
        tracing::info!(tg_user = from.user_id, "privacy request refused: not an admin");
        return bot.say(from.chat, crate::render::texts::admins_only(from.lang)).await;
    }
    let mut parts = args.split_whitespace();
    let user = parts.next().and_then(|s| s.parse::<i64>().ok()).filter(|n| *n > 0);
    let what = parts.next().map(str::to_ascii_lowercase);
    let (Some(user), Some(what), None) = (user, what, parts.next()) else {
        return bot.say(from.chat, privacy::request_usage(from.lang)).await;
    };
    let admin = Actor::Admin(from.user_id);
    match what.as_str() {
        "export" => match actions::privacy::export(bot, user, &admin).await? {
            Some(export) => {
                let name = format!("glean-data-{user}.json");
                let caption = privacy::request_export_caption(from.lang, user);
                bot.tg.send_document(from.chat, export.json, &name, &caption).await?;
                Ok(())
            }
            None => bot.say(from.chat, &privacy::request_nothing_held(from.lang, user)).await,
        },
        "delete" => {
            // Their language, read before it is erased with the rest.
            let theirs = bot.store.user_language(user).await?.as_deref().and_then(Lang::from_code).unwrap_or(Lang::EN);
            match actions::privacy::erase(bot, user, &admin).await? {
                Erasure::Done(erased) => {
                    let told = erased.found && bot.say(user, &privacy::erased(theirs, &erased)).await.is_ok();
                    bot.say(from.chat, &privacy::request_erased(from.lang, user, &erased, told)).await
                }
                Erasure::Refused(refused) => {
                    bot.say(from.chat, &privacy::request_refused(from.lang, user, &refused)).await
                }
            }
        }
        _ => bot.say(from.chat, privacy::request_usage(from.lang)).await,
    }
}
