//! Admin commands and buttons: verify, reject, suspend, unsuspend; failed
//! refunds (list, retry, settled outside Stripe).

use super::dialogue::{Dialogue, Flow};
use super::{Bot, From, Input, Press};
use crate::actions;
use crate::domain::business::BusinessEvent;
use crate::domain::text::Reason;
use crate::domain::{BusinessStatus, PurchaseStatus};
use crate::render::callback::Wiz;
use crate::render::errors::explain;
use crate::render::{keyboards, texts};
use crate::store::{Actor, StoreError};

fn is_admin(bot: &Bot, from: &From) -> bool {
    bot.settings.is_admin(from.user_id)
}

pub async fn command(bot: &Bot, from: &From, name: &str, args: &str) -> anyhow::Result<()> {
    if !is_admin(bot, from) {
        tracing::info!(tg_user = from.user_id, command = name, "admin command refused");
        return bot.say(from.chat, texts::admins_only(from.lang)).await;
    }
    let (id, rest) = match args.split_once(char::is_whitespace) {
        Some((id, rest)) => (id, rest.trim()),
        None => (args, ""),
    };
    let id = id.trim_start_matches('#').parse::<i64>().ok().filter(|n| *n > 0);
    let (event, usage) = match name {
        "pending" => return pending(bot, from).await,
        "refunds" => return failed_refunds(bot, from).await,
        "refund_retry" | "refund_settled" => return resolve_refund(bot, from, id, name == "refund_retry").await,
        "verify" => (BusinessEvent::Verify, texts::usage_verify(from.lang)),
        "reject" => (BusinessEvent::Reject, texts::usage_reject(from.lang)),
        "suspend" => (BusinessEvent::Suspend, texts::usage_suspend(from.lang)),
        _ => (BusinessEvent::Unsuspend, texts::usage_unsuspend(from.lang)),
    };
    let Some(id) = id else { return bot.say(from.chat, usage).await };
    let reason = match event {
        BusinessEvent::Reject => match Reason::parse(rest) {
            Ok(r) => Some(r.into_string()),
            Err(_) => return bot.say(from.chat, usage).await,
        },
        _ => Reason::parse(rest).ok().map(Reason::into_string),
    };
    match actions::businesses::review(bot, id, event, reason.as_deref(), from.user_id).await {
        Ok(b) => bot.say(from.chat, &texts::business_now(from.lang, &b.name, b.status.as_str())).await,
        Err(StoreError::NotFound) => bot.say(from.chat, &texts::no_business(from.lang, id)).await,
        Err(StoreError::Transition(_)) => {
            let b = bot.store.business(id).await?;
            bot.say(from.chat, &texts::already(from.lang, &b.name, b.status.as_str())).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn pending(bot: &Bot, from: &From) -> anyhow::Result<()> {
    let list = bot.store.businesses_with_status(BusinessStatus::Pending, 20).await?;
    if list.is_empty() {
        return bot.say(from.chat, texts::no_pending(from.lang)).await;
    }
    for b in list {
        let venue = bot.store.venues_of(b.id).await?.into_iter().next();
        let address = venue.map(|v| v.address).unwrap_or_default();
        let owner = texts::owner_id(from.lang, b.owner_tg_id);
        let text = texts::admin_new_business(from.lang, b.id, &b.name, &b.phone, &address, &owner);
        bot.send(from.chat, &text, Some(keyboards::review_buttons(from.lang, b.id))).await?;
    }
    Ok(())
}

/// A refused press from someone who is not an admin: answered, logged, and
/// written to the audit log, since it means forged callback data.
async fn refuse_non_admin(bot: &Bot, from: &From, press: &Press, business_id: i64) -> anyhow::Result<()> {
    tracing::warn!(tg_user = from.user_id, business_id, "non-admin pressed an admin button");
    bot.store
        .audit(&Actor::User(from.user_id), "forged_admin_button", "business", business_id, bot.clock.now())
        .await?;
    bot.tg.answer_callback(&press.id, Some(texts::admins_only(from.lang)), true).await?;
    Ok(())
}

pub async fn approve(bot: &Bot, from: &From, press: &Press, id: i64) -> anyhow::Result<()> {
    if !is_admin(bot, from) {
        return refuse_non_admin(bot, from, press, id).await;
    }
    match actions::businesses::review(bot, id, BusinessEvent::Verify, None, from.user_id).await {
        Ok(_) => {
            bot.answer(press, Some(texts::approved_toast(from.lang))).await?;
            let text = texts::esc(&press.text) + &texts::approved_note(from.lang, &from.name);
            bot.tg.edit_text(from.chat, press.message_id, &text, None).await?;
            Ok(())
        }
        Err(StoreError::Transition(_)) => {
            let b = bot.store.business(id).await?;
            bot.answer(press, Some(&texts::already(from.lang, &b.name, b.status.as_str()))).await?;
            press.clear_buttons(bot, from.chat).await;
            Ok(())
        }
        Err(StoreError::NotFound) => bot.answer(press, Some(&texts::no_business(from.lang, id))).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn reject_button(bot: &Bot, from: &From, press: &Press, id: i64) -> anyhow::Result<()> {
    if !is_admin(bot, from) {
        return refuse_non_admin(bot, from, press, id).await;
    }
    let b = match bot.store.business(id).await {
        Ok(b) => b,
        Err(StoreError::NotFound) => return bot.answer(press, Some(&texts::no_business(from.lang, id))).await,
        Err(e) => return Err(e.into()),
    };
    if b.status != BusinessStatus::Pending {
        bot.answer(press, Some(&texts::already(from.lang, &b.name, b.status.as_str()))).await?;
        press.clear_buttons(bot, from.chat).await;
        return Ok(());
    }
    bot.answer(press, None).await?;
    let d = Dialogue::new(Flow::RejectReason { business_id: id, admin_message_id: press.message_id });
    bot.save(from.chat, &d).await?;
    bot.send(
        from.chat,
        &texts::ask_reject_reason(from.lang, &b.name),
        Some(keyboards::nav_markup(from.lang, d.seq, false)),
    )
    .await
    .map(drop)
}

pub async fn on_reason(bot: &Bot, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
    let Flow::RejectReason { business_id, admin_message_id } = d.flow else { return Ok(()) };
    let reason = match &input {
        Input::Text(t) => match Reason::parse(t) {
            Ok(r) => r,
            Err(e) => return bot.say(from.chat, &texts::problem(from.lang, &explain(from.lang, &e))).await,
        },
        _ => return bot.say(from.chat, texts::text_expected(from.lang)).await,
    };
    bot.end_dialogue(from.chat).await?;
    match actions::businesses::review(bot, business_id, BusinessEvent::Reject, Some(reason.as_str()), from.user_id)
        .await
    {
        Ok(b) => {
            let _ = bot.tg.edit_markup(from.chat, admin_message_id, None).await;
            let _ = bot.say(from.chat, &texts::rejected_note(from.lang, &from.name, reason.as_str())).await;
            bot.say(from.chat, &texts::business_now(from.lang, &b.name, b.status.as_str())).await
        }
        Err(StoreError::Transition(_)) => {
            let b = bot.store.business(business_id).await?;
            bot.say(from.chat, &texts::already(from.lang, &b.name, b.status.as_str())).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn on_reason_button(bot: &Bot, from: &From, press: &Press, _d: Dialogue, _a: Wiz) -> anyhow::Result<()> {
    // The only button of this step is Cancel.
    bot.answer(press, None).await?;
    bot.end_dialogue(from.chat).await?;
    press.clear_buttons(bot, from.chat).await;
    bot.say(from.chat, texts::cancelled(from.lang)).await
}

/// `/refunds`: orders whose refund failed, with amount and reason.
async fn failed_refunds(bot: &Bot, from: &From) -> anyhow::Result<()> {
    let failed = bot.store.purchases_in(PurchaseStatus::RefundFailed, 50).await?;
    let list = failed
        .iter()
        .map(|p| {
            let reason = p.refund_failure.as_deref().unwrap_or(texts::refund_reason_unknown(from.lang));
            texts::failed_refund_line(from.lang, p.id, &from.lang.money(p.total), p.customer_tg_id, reason)
        })
        .collect::<Vec<_>>()
        .join("\n");
    bot.say(from.chat, &texts::failed_refunds(from.lang, &list)).await
}

/// `/refund_retry <id>` and `/refund_settled <id>`.
async fn resolve_refund(bot: &Bot, from: &From, id: Option<i64>, retry: bool) -> anyhow::Result<()> {
    let Some(id) = id else { return bot.say(from.chat, texts::refund_usage(from.lang)).await };
    match actions::purchases::resolve_failed_refund(bot, from.user_id, id, retry).await {
        Ok(_) if retry => bot.say(from.chat, &texts::refund_retried(from.lang, id)).await,
        Ok(_) => bot.say(from.chat, &texts::refund_settled(from.lang, id)).await,
        Err(StoreError::NotFound | StoreError::Transition(_)) => {
            bot.say(from.chat, texts::refund_usage(from.lang)).await
        }
        Err(e) => Err(e.into()),
    }
}
