//! `/newoffer`: title, description, items, pickup window, price drops
//! (a preset schedule and a floor, or none) and photo, one question at a
//! time; then a preview exactly as customers will see it,
//! with Publish / Edit / Discard. The draft lives in the dialogue (in the
//! database) until it is published or discarded.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use teloxide::types::{Message, ReplyMarkup};

use super::dialogue::{Dialogue, Flow};
use super::{Bot, From, Input, Press};
use crate::actions;
use crate::actions::offers::PublishError;
use crate::domain::offer::{MAX_ITEMS, NewItem, check_prices};
use crate::domain::pricing::{DropRule, PRESETS, PriceDrop};
use crate::domain::text::{Description, Name, Title, UnitText};
use crate::domain::{BusinessStatus, Currency, Money, OfferStatus, PickupWindow, Quantity};
use crate::media::{self, PhotoError};
use crate::render::callback::{Cb, Wiz};
use crate::render::cards::{CardItem, CardView};
use crate::render::errors::explain;
use crate::render::i18n::Lang;
use crate::render::{keyboards, texts};
use crate::store::{Actor, Business, NewOffer, OfferFilter, Venue};
use crate::telegram::{DownloadError, Photo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Venue,
    Title,
    Description,
    ItemName,
    ItemUnit,
    ItemOriginal,
    ItemDeal,
    ItemQuantity,
    MoreItems,
    Window,
    /// Whether the price drops as pickup nears: a preset or none.
    Drops,
    /// The lowest price a unit may drop to.
    DropFloor,
    Photo,
    Preview,
    EditMenu,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ItemDraft {
    name: Option<String>,
    unit: Option<String>,
    original: Option<i64>,
    deal: Option<i64>,
    quantity: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Form {
    step: Step,
    business_id: i64,
    venue_id: Option<i64>,
    /// Whether the business has more than one venue (so Back can reach the choice).
    many_venues: bool,
    currency: String,
    title: Option<String>,
    description: Option<String>,
    items: Vec<ItemDraft>,
    item: ItemDraft,
    window: Option<(i64, i64)>,
    /// Stored image names: display size and thumbnail.
    photo: Option<(String, String)>,
    /// Telegram's file_id of our own stripped upload, once uploaded.
    photo_file_id: Option<String>,
    /// Editing from the preview: a finished step returns to the preview.
    editing: bool,
    /// Names this composition: the offer it publishes is keyed by it, so a
    /// Publish handled again (after a crash, or pressed twice) publishes once.
    /// 0 for dialogues saved before it existed.
    #[serde(default)]
    nonce: u64,
    /// The drop schedule chosen: percent, every and span in minutes;
    /// `None`: no price drops.
    #[serde(default)]
    drop_rule: Option<(u8, u16, u16)>,
    /// The floor of the drops, in minor units.
    #[serde(default)]
    drop_floor: Option<i64>,
}

fn form(d: &Dialogue) -> Form {
    match &d.flow {
        Flow::NewOffer(f) => (**f).clone(),
        _ => unreachable!("offer handlers only see offer dialogues"),
    }
}

/// The business an owner posts for: their verified one, newest first.
async fn verified_business(bot: &Bot, from: &From) -> anyhow::Result<Result<Business, &'static str>> {
    let mine = bot.store.businesses_of_owner(from.user_id).await?;
    if let Some(b) = mine.iter().rev().find(|b| b.status == BusinessStatus::Verified) {
        return Ok(Ok(b.clone()));
    }
    Ok(Err(if mine.iter().any(|b| b.status == BusinessStatus::Pending) {
        texts::pending_business(from.lang)
    } else {
        texts::need_verified_business(from.lang)
    }))
}

pub async fn begin(bot: &Bot, from: &From) -> anyhow::Result<()> {
    let business = match verified_business(bot, from).await? {
        Ok(b) => b,
        Err(why) => return bot.say(from.chat, why).await,
    };
    let venues = bot.store.venues_of(business.id).await?;
    let f = Form {
        step: if venues.len() == 1 { Step::Title } else { Step::Venue },
        business_id: business.id,
        venue_id: (venues.len() == 1).then(|| venues[0].id),
        many_venues: venues.len() > 1,
        currency: business.currency.code().to_string(),
        title: None,
        description: None,
        items: Vec::new(),
        item: ItemDraft::default(),
        window: None,
        photo: None,
        photo_file_id: None,
        editing: false,
        nonce: rand::random::<u64>().max(1),
        drop_rule: None,
        drop_floor: None,
    };
    let d = Dialogue::new(Flow::NewOffer(Box::new(f)));
    bot.save(from.chat, &d).await?;
    ask(bot, from, &d).await
}

fn currency(f: &Form) -> anyhow::Result<Currency> {
    Ok(Currency::from_code(&f.currency)?)
}

/// The cheapest deal price of the draft's items: the floor's ceiling.
fn cheapest_deal(f: &Form, cur: Currency) -> Option<Money> {
    f.items.iter().filter_map(|i| i.deal).min().and_then(|n| Money::from_minor(n, cur))
}

fn chosen_rule(f: &Form) -> Option<DropRule> {
    f.drop_rule.and_then(|(p, e, s)| DropRule::new(p, e, s))
}

/// The draft's drop schedule, as chosen (checked when the floor was typed
/// and again when publishing).
fn chosen_drop(f: &Form, cur: Currency, tz: Tz) -> Option<PriceDrop> {
    let floor = Money::from_minor(f.drop_floor?, cur)?;
    Some(PriceDrop::from_stored(chosen_rule(f)?, floor, tz))
}

async fn venue(bot: &Bot, f: &Form) -> anyhow::Result<Venue> {
    let id = f.venue_id.ok_or_else(|| anyhow::anyhow!("no venue chosen"))?;
    Ok(bot.store.venue(id).await?)
}

fn item_line(l: Lang, i: &ItemDraft, cur: Currency) -> String {
    let m = |v: Option<i64>| v.and_then(|n| Money::from_minor(n, cur)).map(|m| l.money(m)).unwrap_or_default();
    texts::offer_item_line(
        l,
        i.name.as_deref().unwrap_or(""),
        i.unit.as_deref().unwrap_or(""),
        &m(i.deal),
        &m(i.original),
        i.quantity.unwrap_or(0),
    )
}

async fn ask(bot: &Bot, from: &From, d: &Dialogue) -> anyhow::Result<()> {
    let f = form(d);
    let cur = currency(&f)?;
    let typed = |skip: bool, back: bool| Some(keyboards::reply(from.lang, None, skip, back));
    let (text, markup): (String, Option<ReplyMarkup>) = match f.step {
        Step::Venue => {
            let venues = bot.store.venues_of(f.business_id).await?;
            let mut rows: Vec<Vec<(&str, Cb)>> = venues
                .iter()
                .enumerate()
                .map(|(i, v)| vec![(v.name.as_str(), Cb::Wizard { seq: d.seq, action: Wiz::Pick(i as u16) })])
                .collect();
            rows.push(keyboards::nav(from.lang, d.seq, false));
            let markup = ReplyMarkup::InlineKeyboard(keyboards::inline(rows));
            return bot.send(from.chat, texts::offer_venue(from.lang), Some(markup)).await.map(drop);
        }
        Step::Title => (texts::offer_title(from.lang).into(), typed(false, f.many_venues || f.editing)),
        Step::Description => (texts::offer_description(from.lang).into(), typed(true, true)),
        Step::ItemName => (texts::offer_item_name(from.lang, f.items.len()), typed(false, true)),
        Step::ItemUnit => (texts::offer_item_unit(from.lang).into(), typed(false, true)),
        Step::ItemOriginal => (texts::offer_item_original(from.lang, cur.code()), typed(false, true)),
        Step::ItemDeal => {
            let original = f.item.original.and_then(|n| Money::from_minor(n, cur)).map(|m| from.lang.money(m));
            (texts::offer_item_deal(from.lang, cur.code(), &original.unwrap_or_default()), typed(false, true))
        }
        Step::ItemQuantity => (texts::offer_item_quantity(from.lang).into(), typed(false, true)),
        Step::MoreItems => {
            let lines: Vec<String> = f.items.iter().map(|i| item_line(from.lang, i, cur)).collect();
            let mut rows =
                vec![vec![(texts::items_done(from.lang), Cb::Wizard { seq: d.seq, action: Wiz::ItemsDone })]];
            if f.items.len() < MAX_ITEMS {
                rows.insert(0, vec![(texts::add_item(from.lang), Cb::Wizard { seq: d.seq, action: Wiz::AddItem })]);
            }
            rows.push(keyboards::nav(from.lang, d.seq, true));
            let markup = ReplyMarkup::InlineKeyboard(keyboards::inline(rows));
            return bot
                .send(from.chat, &texts::offer_items_so_far(from.lang, &lines.join("\n")), Some(markup))
                .await
                .map(drop);
        }
        Step::Window => {
            let v = venue(bot, &f).await?;
            (texts::offer_window(from.lang, v.timezone.name()), typed(false, true))
        }
        Step::Drops => {
            let labels: Vec<String> = PRESETS.iter().map(|r| texts::drop_rule(from.lang, *r)).collect();
            let mut rows: Vec<Vec<(&str, Cb)>> = labels
                .iter()
                .enumerate()
                .map(|(i, label)| vec![(label.as_str(), Cb::Wizard { seq: d.seq, action: Wiz::Pick(i as u16) })])
                .collect();
            let none = Wiz::Pick(PRESETS.len() as u16);
            rows.push(vec![(texts::no_drops(from.lang), Cb::Wizard { seq: d.seq, action: none })]);
            rows.push(keyboards::nav(from.lang, d.seq, true));
            let markup = ReplyMarkup::InlineKeyboard(keyboards::inline(rows));
            return bot.send(from.chat, texts::offer_drops(from.lang), Some(markup)).await.map(drop);
        }
        Step::DropFloor => {
            let deal = cheapest_deal(&f, cur).map(|m| from.lang.money(m)).unwrap_or_default();
            (texts::offer_drop_floor(from.lang, cur.code(), &deal), typed(false, true))
        }
        Step::Photo => (texts::offer_photo(from.lang).into(), typed(true, true)),
        Step::Preview => return show_preview(bot, from, d).await,
        Step::EditMenu => {
            let mut rows: Vec<Vec<(&str, Cb)>> = texts::edit_fields(from.lang)
                .iter()
                .enumerate()
                .map(|(i, label)| vec![(*label, Cb::Wizard { seq: d.seq, action: Wiz::Pick(i as u16) })])
                .collect();
            rows.push(vec![(texts::back_to_preview(from.lang), Cb::Wizard { seq: d.seq, action: Wiz::Back })]);
            let markup = ReplyMarkup::InlineKeyboard(keyboards::inline(rows));
            return bot.send(from.chat, texts::edit_what(from.lang), Some(markup)).await.map(drop);
        }
    };
    bot.send(from.chat, &text, markup).await.map(drop)
}

fn end_at(end: i64) -> DateTime<Utc> {
    crate::store::dt(end)
}

/// The card of the draft, exactly as customers will see it.
async fn card(bot: &Bot, l: Lang, f: &Form, now: DateTime<Utc>) -> anyhow::Result<String> {
    let cur = currency(f)?;
    let v = venue(bot, f).await?;
    let b = bot.store.business(f.business_id).await?;
    let (start, end) = f.window.ok_or_else(|| anyhow::anyhow!("no window"))?;
    let window = PickupWindow::from_stored(crate::store::dt(start), crate::store::dt(end))?;
    let money = |n: Option<i64>| n.and_then(|n| Money::from_minor(n, cur)).ok_or_else(|| anyhow::anyhow!("bad price"));
    let drop = chosen_drop(f, cur, v.timezone);
    let items = f
        .items
        .iter()
        .map(|i| {
            let deal = money(i.deal)?;
            Ok(CardItem {
                name: i.name.clone().unwrap_or_default(),
                unit: i.unit.clone().unwrap_or_default(),
                original: money(i.original)?,
                deal: drop.map_or(deal, |d| d.price_at(deal, end_at(end), now)),
                remaining: i.quantity,
                next: drop.and_then(|d| d.next_drop(deal, end_at(end), now)),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let view = CardView {
        title: f.title.clone().unwrap_or_default(),
        business: b.name,
        description: f.description.clone().unwrap_or_default(),
        items,
        window,
        tz: v.timezone,
        venue_name: v.name,
        venue_address: v.address,
        status: None,
    };
    Ok(view.render(l, now))
}

async fn show_preview(bot: &Bot, from: &From, d: &Dialogue) -> anyhow::Result<()> {
    let mut f = form(d);
    let caption = card(bot, from.lang, &f, bot.clock.now()).await?;
    let buttons = ReplyMarkup::InlineKeyboard(keyboards::inline(vec![
        vec![(texts::publish(from.lang), Cb::Wizard { seq: d.seq, action: Wiz::Publish })],
        vec![
            (texts::edit(from.lang), Cb::Wizard { seq: d.seq, action: Wiz::Edit }),
            (texts::discard(from.lang), Cb::Wizard { seq: d.seq, action: Wiz::Discard }),
        ],
    ]));
    bot.send(from.chat, texts::preview_intro(from.lang), Some(keyboards::remove())).await?;
    let Some((display, _)) = &f.photo else {
        return bot.send(from.chat, &caption, Some(buttons)).await.map(drop);
    };
    let photo = match &f.photo_file_id {
        Some(id) => Photo::FileId(id.clone()),
        None => {
            let img =
                bot.store.image(display).await?.ok_or_else(|| anyhow::anyhow!("stored photo {display} missing"))?;
            Photo::Upload(img.bytes)
        }
    };
    let sent = bot.tg.send_photo(from.chat, photo, &caption, Some(buttons), false).await?;
    if f.photo_file_id.is_none() {
        // Our stripped upload: its file_id is what customers will be sent.
        f.photo_file_id = largest_photo(&sent);
        bot.save(from.chat, &Dialogue { seq: d.seq, flow: Flow::NewOffer(Box::new(f)) }).await?;
    }
    Ok(())
}

fn largest_photo(m: &Message) -> Option<String> {
    m.photo()?.iter().max_by_key(|p| u64::from(p.width) * u64::from(p.height)).map(|p| p.file.id.0.clone())
}

/// Moves to `step` (or back to the preview when editing), saves, asks.
async fn advance(bot: &Bot, from: &From, d: Dialogue, mut f: Form, step: Step) -> anyhow::Result<()> {
    // Editing one field from the preview: done with it, back to the preview.
    let single_field = matches!(f.step, Step::Title | Step::Description | Step::Window | Step::DropFloor | Step::Photo);
    f.step = if f.editing && single_field { Step::Preview } else { step };
    if f.step == Step::Preview {
        f.editing = false;
    }
    let d = d.next(Flow::NewOffer(Box::new(f)));
    bot.save(from.chat, &d).await?;
    ask(bot, from, &d).await
}

pub async fn on_input(bot: &Bot, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
    if let Input::Text(t) = &input
        && let Some(nav) = keyboards::nav_of(t)
    {
        return navigate(bot, from, d, nav).await;
    }
    let mut f = form(&d);
    let cur = currency(&f)?;
    let text = match &input {
        Input::Text(t) => Some(t.as_str()),
        _ => None,
    };
    let result: Result<Step, String> = match (f.step, text) {
        (Step::Title, Some(t)) => Title::parse(t).map_err(|e| explain(from.lang, &e)).map(|v| {
            f.title = Some(v.into_string());
            Step::Description
        }),
        (Step::Description, Some(t)) => Description::parse(t).map_err(|e| explain(from.lang, &e)).map(|v| {
            f.description = Some(v.into_string());
            if f.items.is_empty() { Step::ItemName } else { Step::Window }
        }),
        (Step::ItemName, Some(t)) => Name::parse(t).map_err(|e| explain(from.lang, &e)).map(|v| {
            f.item.name = Some(v.into_string());
            Step::ItemUnit
        }),
        (Step::ItemUnit, Some(t)) => UnitText::parse(t).map_err(|e| explain(from.lang, &e)).map(|v| {
            f.item.unit = Some(v.into_string());
            Step::ItemOriginal
        }),
        (Step::ItemOriginal, Some(t)) => Money::parse_price(t, cur).map_err(|e| explain(from.lang, &e)).map(|v| {
            f.item.original = Some(v.minor());
            Step::ItemDeal
        }),
        (Step::ItemDeal, Some(t)) => Money::parse_price(t, cur)
            .map_err(|e| explain(from.lang, &e))
            .and_then(|deal| {
                let original = f.item.original.and_then(|n| Money::from_minor(n, cur)).unwrap_or(deal);
                check_prices(original, deal).map(|()| deal).map_err(|e| explain(from.lang, &e))
            })
            .and_then(|deal| {
                // Stripe won't charge less than its minimum for the currency.
                let min = cur.stripe_minimum();
                if bot.stripe.is_some() && deal.minor() < min.minor() {
                    Err(texts::below_stripe_minimum(from.lang, &from.lang.money(min)))
                } else {
                    Ok(deal)
                }
            })
            .map(|v| {
                f.item.deal = Some(v.minor());
                Step::ItemQuantity
            }),
        (Step::ItemQuantity, Some(t)) => Quantity::parse(t).map_err(|e| explain(from.lang, &e)).map(|q| {
            f.item.quantity = Some(q.get());
            f.items.push(std::mem::take(&mut f.item));
            Step::MoreItems
        }),
        (Step::Window, Some(t)) => {
            let tz: Tz = venue(bot, &f).await?.timezone;
            match PickupWindow::parse(t, tz, bot.clock.now()) {
                Ok(w) => {
                    f.window = Some((w.start().timestamp(), w.end().timestamp()));
                    Ok(Step::Drops)
                }
                Err(e) => Err(explain(from.lang, &e)),
            }
        }
        (Step::DropFloor, Some(t)) => {
            let tz: Tz = venue(bot, &f).await?.timezone;
            match (chosen_rule(&f), cheapest_deal(&f, cur)) {
                (Some(rule), Some(cheapest)) => Money::parse_price(t, cur)
                    .map_err(|e| explain(from.lang, &e))
                    .and_then(|floor| {
                        PriceDrop::new(rule, floor, cheapest, bot.stripe.is_some(), tz)
                            .map_err(|e| explain(from.lang, &e))
                    })
                    .map(|d| {
                        f.drop_floor = Some(d.floor().minor());
                        Step::Photo
                    }),
                _ => Ok(Step::Drops),
            }
        }
        (Step::Photo, _) => match &input {
            Input::Photo { file_id, size } => take_photo(bot, from, file_id, *size, None).await?.map(|p| {
                f.photo = Some(p);
                f.photo_file_id = None;
                Step::Preview
            }),
            Input::Document { file_id, size, mime } => {
                take_photo(bot, from, file_id, *size, mime.as_deref()).await?.map(|p| {
                    f.photo = Some(p);
                    f.photo_file_id = None;
                    Step::Preview
                })
            }
            _ => Err(texts::photo_expected(from.lang).to_string()),
        },
        (Step::Venue | Step::MoreItems | Step::Drops | Step::Preview | Step::EditMenu, _) => {
            return ask(bot, from, &d).await;
        }
        _ => Err(texts::text_expected(from.lang).to_string()),
    };
    match result {
        Ok(next) => advance(bot, from, d, f, next).await,
        Err(problem) => {
            bot.say(from.chat, &texts::problem(from.lang, &problem)).await?;
            ask(bot, from, &d).await
        }
    }
}

/// Downloads, checks and stores a photo. `Ok(Err(msg))` is a refusal to
/// show the owner.
async fn take_photo(
    bot: &Bot,
    from: &From,
    file_id: &str,
    size: u32,
    mime: Option<&str>,
) -> anyhow::Result<Result<(String, String), String>> {
    if size as usize > media::MAX_BYTES {
        return Ok(Err(explain(from.lang, &PhotoError::TooLarge { max_mb: media::MAX_BYTES >> 20 })));
    }
    if let Some(m) = mime
        && !matches!(m, "image/jpeg" | "image/png" | "image/webp")
    {
        return Ok(Err(explain(from.lang, &PhotoError::NotAnImage)));
    }
    let bytes = match bot.tg.download(file_id, media::MAX_BYTES).await {
        Ok(b) => b,
        Err(DownloadError::TooLarge(_)) => {
            return Ok(Err(explain(from.lang, &PhotoError::TooLarge { max_mb: media::MAX_BYTES >> 20 })));
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(tg_user = from.user_id, bytes = bytes.len(), "processing offer photo");
    let processed = match tokio::task::spawn_blocking(move || media::process_photo(&bytes)).await? {
        Ok(p) => p,
        Err(PhotoError::Unexpected(e)) => return Err(e),
        Err(refusal) => return Ok(Err(explain(from.lang, &refusal))),
    };
    let now = bot.clock.now();
    for jpeg in [&processed.display, &processed.thumb] {
        bot.store.put_image(&jpeg.stored(), now).await?;
    }
    Ok(Ok((processed.display.name, processed.thumb.name)))
}

pub async fn on_button(bot: &Bot, from: &From, press: &Press, d: Dialogue, action: Wiz) -> anyhow::Result<()> {
    let mut f = form(&d);
    match (f.step, action) {
        (_, Wiz::Back | Wiz::Cancel | Wiz::Skip) => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            navigate(bot, from, d, action).await
        }
        (Step::Venue, Wiz::Pick(i)) => {
            let venues = bot.store.venues_of(f.business_id).await?;
            let Some(v) = venues.get(i as usize) else {
                return bot.answer(press, Some(texts::stale_button(from.lang))).await;
            };
            bot.answer(press, None).await?;
            bot.tg.edit_text(from.chat, press.message_id, &format!("📍 {}", texts::esc(&v.name)), None).await?;
            f.venue_id = Some(v.id);
            advance(bot, from, d, f, Step::Title).await
        }
        (Step::MoreItems, Wiz::AddItem) if f.items.len() < MAX_ITEMS => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            advance(bot, from, d, f, Step::ItemName).await
        }
        (Step::MoreItems, Wiz::AddItem) => bot.answer(press, Some(texts::too_many_items(from.lang))).await,
        (Step::MoreItems, Wiz::ItemsDone) => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            let next = if f.editing { Step::Preview } else { Step::Window };
            advance(bot, from, d, f, next).await
        }
        (Step::Drops, Wiz::Pick(i)) if usize::from(i) <= PRESETS.len() => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            f.drop_floor = None;
            let next = match PRESETS.get(usize::from(i)) {
                Some(rule) => {
                    f.drop_rule = Some((rule.percent(), rule.every_min(), rule.span_min()));
                    Step::DropFloor
                }
                None => {
                    f.drop_rule = None;
                    if f.editing { Step::Preview } else { Step::Photo }
                }
            };
            advance(bot, from, d, f, next).await
        }
        (Step::Preview, Wiz::Publish) => {
            bot.answer(press, None).await?;
            publish(bot, from, Some(press), d).await
        }
        (Step::Preview, Wiz::Edit) => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            advance(bot, from, d, f, Step::EditMenu).await
        }
        (Step::Preview, Wiz::Discard) => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            bot.end_dialogue(from.chat).await?;
            bot.say(from.chat, texts::discarded(from.lang)).await
        }
        (Step::EditMenu, Wiz::Pick(i)) => {
            bot.answer(press, None).await?;
            press.clear_buttons(bot, from.chat).await;
            f.editing = true;
            let step = match i {
                0 => Step::Title,
                1 => Step::Description,
                2 => {
                    f.items.clear();
                    f.item = ItemDraft::default();
                    Step::ItemName
                }
                3 => Step::Window,
                4 => Step::Drops,
                _ => Step::Photo,
            };
            f.step = step;
            let d = d.next(Flow::NewOffer(Box::new(f)));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d).await
        }
        _ => bot.answer(press, Some(texts::stale_button(from.lang))).await,
    }
}

async fn navigate(bot: &Bot, from: &From, d: Dialogue, nav: Wiz) -> anyhow::Result<()> {
    let mut f = form(&d);
    match nav {
        Wiz::Cancel => {
            bot.end_dialogue(from.chat).await?;
            return bot.send(from.chat, texts::cancelled(from.lang), Some(keyboards::remove())).await.map(drop);
        }
        Wiz::Skip => {
            return match f.step {
                Step::Description => {
                    f.description = None;
                    let next = if f.items.is_empty() { Step::ItemName } else { Step::Window };
                    advance(bot, from, d, f, next).await
                }
                Step::Photo => {
                    f.photo = None;
                    f.photo_file_id = None;
                    advance(bot, from, d, f, Step::Preview).await
                }
                _ => ask(bot, from, &d).await,
            };
        }
        _ => {}
    }
    if f.editing && !matches!(f.step, Step::ItemUnit | Step::ItemOriginal | Step::ItemDeal | Step::ItemQuantity) {
        return advance(bot, from, d, f, Step::Preview).await;
    }
    let previous = match f.step {
        Step::Venue => None,
        Step::Title => f.many_venues.then_some(Step::Venue),
        Step::Description => Some(Step::Title),
        Step::ItemName if f.items.is_empty() => Some(Step::Description),
        Step::ItemName => Some(Step::MoreItems),
        Step::ItemUnit => Some(Step::ItemName),
        Step::ItemOriginal => Some(Step::ItemUnit),
        Step::ItemDeal => Some(Step::ItemOriginal),
        Step::ItemQuantity => Some(Step::ItemDeal),
        Step::MoreItems => {
            // Reopen the last item at its quantity.
            f.item = f.items.pop().unwrap_or_default();
            Some(Step::ItemQuantity)
        }
        Step::Window => Some(Step::MoreItems),
        Step::Drops => Some(Step::Window),
        Step::DropFloor => Some(Step::Drops),
        Step::Photo => Some(Step::Drops),
        Step::Preview => Some(Step::Photo),
        Step::EditMenu => Some(Step::Preview),
    };
    match previous {
        Some(step) => {
            f.step = step;
            let d = d.next(Flow::NewOffer(Box::new(f)));
            bot.save(from.chat, &d).await?;
            ask(bot, from, &d).await
        }
        None => ask(bot, from, &d).await,
    }
}

/// Publishes the draft in the dialogue.
async fn publish(bot: &Bot, from: &From, press: Option<&Press>, d: Dialogue) -> anyhow::Result<()> {
    let mut f = form(&d);
    let now = bot.clock.now();
    let cur = currency(&f)?;
    let (start, end) = f.window.ok_or_else(|| anyhow::anyhow!("no window"))?;
    let window = match PickupWindow::new(crate::store::dt(start), crate::store::dt(end), now) {
        Ok(w) => w,
        Err(_) => {
            bot.say(from.chat, texts::window_ended_send_new(from.lang)).await?;
            f.editing = true;
            return advance(bot, from, d, f, Step::Window).await;
        }
    };
    let items = f
        .items
        .iter()
        .map(|i| {
            let money =
                |n: Option<i64>| n.and_then(|n| Money::from_minor(n, cur)).ok_or_else(|| anyhow::anyhow!("bad price"));
            Ok(NewItem::new(
                Name::parse(i.name.as_deref().unwrap_or_default())?,
                UnitText::parse(i.unit.as_deref().unwrap_or_default())?,
                money(i.original)?,
                money(i.deal)?,
                Quantity::new(i.quantity.unwrap_or(0))?,
            )?)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    // The floor again: the items may have changed since it was typed.
    let price_drop = match (chosen_rule(&f), f.drop_floor.and_then(|n| Money::from_minor(n, cur))) {
        (Some(rule), Some(floor)) => {
            let tz = venue(bot, &f).await?.timezone;
            let cheapest = items.iter().map(|i| i.deal_price).min_by_key(|m| m.minor()).unwrap_or(floor);
            match PriceDrop::new(rule, floor, cheapest, bot.stripe.is_some(), tz) {
                Ok(d) => Some(d),
                Err(e) => {
                    bot.say(from.chat, &texts::problem(from.lang, &explain(from.lang, &e))).await?;
                    f.editing = true;
                    f.step = Step::DropFloor;
                    let d = d.next(Flow::NewOffer(Box::new(f)));
                    bot.save(from.chat, &d).await?;
                    return ask(bot, from, &d).await;
                }
            }
        }
        _ => None,
    };
    let new = NewOffer {
        business_id: f.business_id,
        venue_id: f.venue_id.ok_or_else(|| anyhow::anyhow!("no venue"))?,
        title: Title::parse(f.title.as_deref().unwrap_or_default())?,
        description: f.description.as_deref().map(Description::parse).transpose()?,
        currency: cur,
        window,
        items,
        photo: f.photo.as_ref().map(|p| p.0.clone()),
        thumb: f.photo.as_ref().map(|p| p.1.clone()),
        price_drop,
    };
    let key = (f.nonce != 0).then(|| format!("offer:{}:{}", from.chat, f.nonce));
    let actor = Actor::User(from.user_id);
    match actions::offers::create_and_publish(bot, &new, f.photo_file_id.as_deref(), key, &actor).await {
        Ok(offer) => {
            // Replies first, then the dialogue ends: a crash in between
            // replays the press, which finds the offer it published (keyed by
            // the composition) and says so again; at least once, never twice
            // published.
            if let Some(press) = press {
                let shown = card(bot, from.lang, &f, now).await? + &texts::published_mark(from.lang);
                if f.photo.is_some() {
                    let _ = bot.tg.edit_caption(from.chat, press.message_id, &shown, None).await;
                } else {
                    let _ = bot.tg.edit_text(from.chat, press.message_id, &shown, None).await;
                }
            }
            let link = bot.deep_link(&format!("offer_{}", offer.id));
            let mut said = texts::published(from.lang, &offer.title, &link);
            // With Connect on, a business Stripe can't charge for yet sells
            // pay-at-pickup only: say so where it publishes.
            if bot.stripe.is_some()
                && bot.settings.connect_enabled()
                && actions::connect::chargeable_account(bot, offer.business_id).await?.is_none()
            {
                said.push_str("\n\n");
                said.push_str(crate::render::money::pickup_only_on_publish(from.lang));
            }
            bot.say(from.chat, &said).await?;
            bot.end_dialogue(from.chat).await
        }
        Err(PublishError::Unexpected(e)) => Err(e),
        Err(refused) => bot.say(from.chat, &texts::publish_refused(from.lang, &explain(from.lang, &refused))).await,
    }
}

/// `/publish`: the draft being previewed, or the business's latest saved draft.
pub async fn publish_command(bot: &Bot, from: &From, d: Option<Dialogue>) -> anyhow::Result<()> {
    if let Some(d) = d {
        return match &d.flow {
            Flow::NewOffer(f) if f.step == Step::Preview => publish(bot, from, None, d).await,
            Flow::NewOffer(_) => {
                bot.say(from.chat, texts::draft_incomplete(from.lang)).await?;
                ask(bot, from, &d).await
            }
            _ => bot.say(from.chat, texts::busy_in_dialogue(from.lang)).await,
        };
    }
    let business = match verified_business(bot, from).await? {
        Ok(b) => b,
        Err(why) => return bot.say(from.chat, why).await,
    };
    let drafts = bot
        .store
        .offers(&OfferFilter { business_id: Some(business.id), statuses: vec![OfferStatus::Draft], limit: 1 })
        .await?;
    let Some(draft) = drafts.into_iter().next() else { return bot.say(from.chat, texts::no_draft(from.lang)).await };
    match actions::offers::publish_draft(bot, draft.id, &Actor::User(from.user_id)).await {
        Ok(offer) => {
            let link = bot.deep_link(&format!("offer_{}", offer.id));
            bot.say(from.chat, &texts::published(from.lang, &offer.title, &link)).await
        }
        Err(PublishError::Unexpected(e)) => Err(e),
        Err(refused) => bot.say(from.chat, &texts::publish_refused(from.lang, &explain(from.lang, &refused))).await,
    }
}
