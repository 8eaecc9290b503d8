//! `/language`: one button per shipped language; `/language de` switches at
//! once. The choice is stored per user and outlives Telegram's
//! `language_code` (see `Bot::language_of`).

use teloxide::types::ReplyMarkup;

use super::{Bot, From, Press};
use crate::render::callback::Cb;
use crate::render::i18n::Lang;
use crate::render::{keyboards, texts};

pub async fn command(bot: &Bot, from: &From, args: &str) -> anyhow::Result<()> {
    let args = args.trim();
    if args.is_empty() {
        let rows = Lang::all().map(|l| vec![(texts::language_name(l), Cb::Language(l))]).collect();
        let markup = ReplyMarkup::InlineKeyboard(keyboards::inline(rows));
        return bot.send(from.chat, texts::language_choose(from.lang), Some(markup)).await.map(drop);
    }
    match Lang::from_code(args) {
        Some(l) => choose(bot, from, l).await,
        None => bot.say(from.chat, &texts::language_unsupported(from.lang, args)).await,
    }
}

pub async fn on_button(bot: &Bot, from: &From, press: &Press, l: Lang) -> anyhow::Result<()> {
    bot.answer(press, None).await?;
    press.clear_buttons(bot, from.chat).await;
    choose(bot, from, l).await
}

/// Stores the choice (a replay stores it again, harmlessly) and confirms
/// in the new language.
async fn choose(bot: &Bot, from: &From, l: Lang) -> anyhow::Result<()> {
    bot.touch_user(from).await?;
    bot.store.set_user_language(from.user_id, l.code(), true).await?;
    bot.say(from.chat, texts::language_set(l)).await
}
