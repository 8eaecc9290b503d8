//! Admins and money: `/finance` (the platform's margin, balances, failed
//! payouts, accounts needing attention), `/fee <business> <percent>
//! [fixed]` (refused above 100 % or below zero, with the reason) and
//! `/adjust <business> <amount> <reason>` (a manual payment or correction
//! in the ledger; without Connect, how the platform records paying a
//! business by hand; keyed by its message, so a replay records it once).

use super::{Bot, From};
use crate::actions;
use crate::actions::ledger::{AdjustError, SetFeeError};
use crate::render::errors::explain;
use crate::render::money as r;
use crate::render::texts;

pub async fn command(bot: &Bot, from: &From, name: &str, args: &str, message: i32) -> anyhow::Result<()> {
    if !bot.settings.is_admin(from.user_id) {
        tracing::info!(tg_user = from.user_id, command = name, "admin command refused");
        return bot.say(from.chat, texts::admins_only(from.lang)).await;
    }
    let mut words = args.split_whitespace();
    let business =
        words.next().map(|w| w.trim_start_matches('#')).and_then(|w| w.parse::<i64>().ok()).filter(|n| *n > 0);
    match name {
        "finance" => {
            let f = actions::ledger::finance(bot).await?;
            bot.say(from.chat, &r::finance(from.lang, &f)).await
        }
        "fee" => {
            let (Some(id), Some(percent)) = (business, words.next()) else {
                return bot.say(from.chat, r::fee_usage(from.lang)).await;
            };
            let fixed = words.next();
            if words.next().is_some() {
                return bot.say(from.chat, r::fee_usage(from.lang)).await;
            }
            match actions::ledger::set_fee(bot, from.user_id, id, percent, fixed).await {
                Ok((b, rule)) => bot.say(from.chat, &r::fee_set(from.lang, &b.name, b.id, rule, b.currency)).await,
                Err(SetFeeError::NotFound(id)) => bot.say(from.chat, &texts::no_business(from.lang, id)).await,
                Err(SetFeeError::Fee(e)) => {
                    bot.say(from.chat, &r::fee_refused(from.lang, &explain(from.lang, &e))).await
                }
                Err(SetFeeError::Unexpected(e)) => Err(e),
            }
        }
        _ => {
            let (Some(id), Some(amount)) = (business, words.next()) else {
                return bot.say(from.chat, r::adjust_usage(from.lang)).await;
            };
            let reason = words.collect::<Vec<_>>().join(" ");
            let request = format!("tg:{}:{message}", from.chat);
            match actions::ledger::adjust(bot, from.user_id, id, amount, &reason, &request).await {
                Ok((b, minor)) => bot.say(from.chat, &r::adjusted(from.lang, &b.name, b.id, minor, b.currency)).await,
                Err(AdjustError::NotFound(id)) => bot.say(from.chat, &texts::no_business(from.lang, id)).await,
                Err(AdjustError::Unexpected(e)) => Err(e),
                Err(e) => bot.say(from.chat, &r::fee_refused(from.lang, &explain(from.lang, &e))).await,
            }
        }
    }
}
