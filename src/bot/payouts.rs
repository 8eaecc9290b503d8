//! Getting paid, for a business owner: "💶 Get paid by card" / `/payouts`
//! (country → email → the account created once → a button to Glean's
//! `/connect/{token}`), `/sales` with "📄 Statement" (a month's CSV as a
//! document), and `/apikey` for the statement API.
//!
//! Replays: the account is created at most once per business (the store
//! keeps one, and Stripe's idempotency key replays the first answer), so a
//! replayed email step finds it and sends the link again.

use serde::{Deserialize, Serialize};

use super::dialogue::{Dialogue, Flow};
use super::{Bot, From, Input, Press};
use crate::actions;
use crate::actions::connect::ConnectError;
use crate::domain::BusinessStatus;
use crate::domain::connect::{Country, Email};
use crate::domain::ledger::Month;
use crate::render::callback::Wiz;
use crate::render::errors::explain;
use crate::render::money as r;
use crate::render::{keyboards, texts};
use crate::store::Business;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Country,
    Email,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Form {
    pub business_id: i64,
    pub step: Step,
    pub country: Option<String>,
}

fn form(d: &Dialogue) -> Form {
    match &d.flow {
        Flow::Payouts(f) => f.clone(),
        _ => Form { business_id: 0, step: Step::Country, country: None },
    }
}

/// The owner's business for money matters: the first verified one, else
/// the first (to say why not).
async fn business(bot: &Bot, from: &From) -> anyhow::Result<Option<Business>> {
    Ok(actions::connect::business_of(bot, from.user_id).await?)
}

/// `/payouts` or "💶 Get paid by card".
pub async fn begin(bot: &Bot, from: &From) -> anyhow::Result<()> {
    if bot.stripe.is_none() || !bot.settings.connect_enabled() {
        return bot.say(from.chat, r::connect_off(from.lang)).await;
    }
    let Some(b) = business(bot, from).await? else {
        return bot.say(from.chat, r::connect_no_business(from.lang)).await;
    };
    if b.status != BusinessStatus::Verified {
        return bot.say(from.chat, r::connect_not_verified(from.lang)).await;
    }
    if let Some(account) = bot.store.connect_account(b.id).await? {
        let url = actions::connect::onboarding_url(bot, b.id).await?;
        let markup = if account.state.can_charge() && !account.state.needs_something() {
            None
        } else {
            r::continue_button(from.lang, &url)
        };
        return bot.send(from.chat, &r::account_status(from.lang, &b.name, &account), markup).await.map(drop);
    }
    let d = Dialogue::new(Flow::Payouts(Form { business_id: b.id, step: Step::Country, country: None }));
    bot.save(from.chat, &d).await?;
    ask(bot, from, &d).await
}

fn countries(bot: &Bot) -> Vec<Country> {
    bot.settings.default_country.with_neighbours()
}

async fn ask(bot: &Bot, from: &From, d: &Dialogue) -> anyhow::Result<()> {
    match form(d).step {
        Step::Country => {
            let markup = r::country_buttons(from.lang, &countries(bot), d.seq);
            bot.send(from.chat, &r::ask_country(from.lang, bot.settings.default_country), Some(markup)).await.map(drop)
        }
        Step::Email => bot
            .send(from.chat, r::ask_email(from.lang), Some(keyboards::nav_markup(from.lang, d.seq, true)))
            .await
            .map(drop),
    }
}

pub async fn on_input(bot: &Bot, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
    let Input::Text(text) = input else { return ask(bot, from, &d).await };
    if let Some(nav) = keyboards::nav_of(&text) {
        return navigate(bot, from, d, nav).await;
    }
    let mut f = form(&d);
    match f.step {
        Step::Country => match Country::parse(&text) {
            Ok(c) => {
                f.country = Some(c.code().to_owned());
                f.step = Step::Email;
                let d = d.next(Flow::Payouts(f));
                bot.save(from.chat, &d).await?;
                ask(bot, from, &d).await
            }
            Err(e) => bot.say(from.chat, &explain(from.lang, &e)).await,
        },
        Step::Email => match Email::parse(&text) {
            Ok(email) => create(bot, from, &f, &email).await,
            Err(e) => bot.say(from.chat, &explain(from.lang, &e)).await,
        },
    }
}

pub async fn on_button(bot: &Bot, from: &From, press: &Press, d: Dialogue, action: Wiz) -> anyhow::Result<()> {
    bot.answer(press, None).await?;
    press.clear_buttons(bot, from.chat).await;
    let mut f = form(&d);
    match (f.step, action) {
        (Step::Country, Wiz::Pick(i)) => match countries(bot).get(usize::from(i)) {
            Some(c) => {
                f.country = Some(c.code().to_owned());
                f.step = Step::Email;
                let d = d.next(Flow::Payouts(f));
                bot.save(from.chat, &d).await?;
                ask(bot, from, &d).await
            }
            None => ask(bot, from, &d).await,
        },
        (_, nav) => navigate(bot, from, d, nav).await,
    }
}

async fn navigate(bot: &Bot, from: &From, d: Dialogue, nav: Wiz) -> anyhow::Result<()> {
    let mut f = form(&d);
    match (nav, f.step) {
        (Wiz::Back, Step::Email) => {
            f.step = Step::Country;
            let d = d.next(Flow::Payouts(f));
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

/// The last step: the account at Stripe (once), then the link. The
/// dialogue ends after the reply, so a crash in between replays this step,
/// which finds the account and sends the link again.
async fn create(bot: &Bot, from: &From, f: &Form, email: &Email) -> anyhow::Result<()> {
    let business = bot.store.business(f.business_id).await?;
    let country = f.country.as_deref().and_then(|c| Country::parse(c).ok()).unwrap_or(bot.settings.default_country);
    match actions::connect::create_account(bot, &business, country, email).await {
        Ok(_) => {
            let url = actions::connect::onboarding_url(bot, business.id).await?;
            bot.send(
                from.chat,
                &r::account_created(from.lang, bot.settings.connect_link_hours),
                r::continue_button(from.lang, &url),
            )
            .await?;
            bot.end_dialogue(from.chat).await
        }
        Err(ConnectError::Stripe(e)) => {
            tracing::warn!(business_id = business.id, error = %e, "creating the connected account failed");
            bot.say(from.chat, r::stripe_unavailable(from.lang)).await
        }
        Err(ConnectError::Off) => {
            bot.end_dialogue(from.chat).await?;
            bot.say(from.chat, r::connect_off(from.lang)).await
        }
        Err(ConnectError::NotVerified | ConnectError::NotFound) => {
            bot.end_dialogue(from.chat).await?;
            bot.say(from.chat, r::connect_not_verified(from.lang)).await
        }
        Err(ConnectError::Unexpected(e)) => Err(e),
    }
}

/// `/sales`: today, this week, this month, and the balance.
pub async fn sales(bot: &Bot, from: &From) -> anyhow::Result<()> {
    let Some(b) = business(bot, from).await? else {
        return bot.say(from.chat, r::no_business_for_sales(from.lang)).await;
    };
    let figures = actions::ledger::sales(bot, &b).await?;
    let connect = bot.settings.connect_enabled() && bot.stripe.is_some();
    let get_paid = connect && actions::connect::chargeable_account(bot, b.id).await?.is_none();
    let impact = bot.store.impact_of_business(b.id).await?;
    let text = r::sales(from.lang, &b.name, &figures, connect, &impact);
    bot.send(from.chat, &text, Some(r::sales_buttons(from.lang, get_paid))).await.map(drop)
}

/// "📄 Statement": which month?
pub async fn statement_pressed(bot: &Bot, from: &From, press: &Press) -> anyhow::Result<()> {
    bot.answer(press, None).await?;
    let Some(b) = business(bot, from).await? else {
        return bot.say(from.chat, r::no_business_for_sales(from.lang)).await;
    };
    let now = Month::of(bot.clock.now(), b.timezone);
    bot.send(from.chat, r::statement_pick_month(from.lang), Some(r::month_buttons(from.lang, now))).await.map(drop)
}

/// A month picked: its statement as a CSV document.
pub async fn statement_month(bot: &Bot, from: &From, press: &Press, code: u32) -> anyhow::Result<()> {
    bot.answer(press, None).await?;
    let Some(month) = r::month_of_code(code) else { return bot.say(from.chat, texts::unknown_button(from.lang)).await };
    let Some(b) = business(bot, from).await? else {
        return bot.say(from.chat, r::no_business_for_sales(from.lang)).await;
    };
    let (from_t, to_t) = month.range(b.timezone);
    let donated = bot.store.impact_of_business_between(b.id, from_t, to_t).await?.donated_units;
    let st = actions::ledger::statement(&bot.store, b, month).await?;
    let csv = r::statement_csv(&st);
    let caption = r::statement_caption(from.lang, &st, donated);
    bot.tg.send_document(from.chat, csv.into_bytes(), &r::statement_file_name(&st), &caption).await?;
    Ok(())
}

/// `/apikey` makes a key for the statement API, once per message (a
/// replay finds the key made and says it was shown); `/apikey revoke`
/// revokes all.
pub async fn api_key(bot: &Bot, from: &From, args: &str, message: i32) -> anyhow::Result<()> {
    let Some(b) = business(bot, from).await? else {
        return bot.say(from.chat, r::no_business_for_sales(from.lang)).await;
    };
    if args.trim().eq_ignore_ascii_case("revoke") {
        let n = actions::ledger::revoke_api_keys(bot, &b).await?;
        return bot.say(from.chat, &r::api_keys_revoked(from.lang, n)).await;
    }
    let request = format!("tg:{}:{message}", from.chat);
    match actions::ledger::create_api_key(bot, &b, &request).await? {
        Some(key) => bot.say(from.chat, &r::api_key_created(from.lang, &key, b.id)).await,
        None => bot.say(from.chat, r::api_key_shown_already(from.lang)).await,
    }
}
