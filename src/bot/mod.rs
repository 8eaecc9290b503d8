//! The Telegram bot: turns one stored update into actions and replies.
//! Handlers are thin: they parse input into domain types, call the store or
//! an action, and render the result. Dialogue state lives in the database.
//!
//! - `runner`: long polling into the inbound table, per-chat ordered dispatch.
//! - `dialogue`: the typed dialogue state, saved per chat.
//! - `callback`: typed, versioned callback data.
//! - `register`, `newoffer`, `venues`, `admin`, `start`, `alerts` (following,
//!   `/alerts`), `privacy` (`/privacy`, `/privacy_request`), `inline` (inline
//!   mode: `@bot bread`), `charity` (charities and their donations),
//!   `payouts` (getting paid, `/sales`, statements, API keys), `finance`
//!   (admins' `/finance`, `/fee`, `/adjust`), `language` (`/language`),
//!   `waitlist` (joining a sold-out deal's waitlist, answering a hold): one
//!   file per flow.
//!
//! Every update is answered in its user's language (`From::lang`): the one
//! they chose with `/language`, else Telegram's `language_code`.
//!
//! What the bot shows (texts, cards, keyboards, callback data) is in
//! `render`, shared with the senders.

mod admin;
mod alerts;
mod charity;
mod deals;
mod dialogue;
mod finance;
mod inline;
mod language;
mod myoffers;
mod newoffer;
mod orders;
mod payouts;
mod pricewatch;
mod privacy;
pub(crate) mod register;
pub mod runner;
mod start;
mod venues;
mod waitlist;

use teloxide::types::{
    BotCommand, CallbackQuery, MaybeInaccessibleMessage, Message, ReplyMarkup, Update, UpdateKind, User as TgUser,
};

use self::dialogue::{Dialogue, Flow};
use crate::actions::Ctx;
use tracing::Instrument as _;

use crate::render::callback::Cb;
use crate::render::i18n::Lang;
use crate::render::{keyboards, texts};
use crate::store::InboundUpdate;

/// Everything a handler needs: the shared services, and who the bot is.
pub struct Bot {
    pub ctx: Ctx,
    /// The bot's @username, for deep links.
    pub username: String,
}

impl std::ops::Deref for Bot {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

/// Who is talking to us, in which chat.
#[derive(Debug, Clone)]
pub struct From {
    pub chat: i64,
    pub user_id: i64,
    pub name: String,
    pub username: Option<String>,
    /// The language to answer in.
    pub lang: Lang,
    /// Their record as read for this update (`Bot::language_of`), so the
    /// handler needn't read it again; `None` for someone new.
    pub known: Option<crate::store::User>,
}

impl From {
    fn of(chat: i64, u: &TgUser) -> Self {
        From {
            chat,
            user_id: u.id.0 as i64,
            name: u.full_name(),
            username: u.username.clone(),
            lang: Lang::of_telegram(u.language_code.as_deref()),
            known: None,
        }
    }

    /// The same sender, with their record to be read again: for a handler
    /// that changed it and goes on to another that reads it.
    pub fn reread(&self) -> From {
        From { known: None, ..self.clone() }
    }

    /// "Anna (@anna, id 42)" for admins' eyes.
    pub fn describe(&self) -> String {
        match &self.username {
            Some(u) => format!("{} (@{u}, id {})", self.name, self.user_id),
            None => format!("{} (id {})", self.name, self.user_id),
        }
    }
}

/// A user's message, reduced to what the flows care about.
#[derive(Debug, Clone)]
pub enum Input {
    Command { name: String, args: String },
    Text(String),
    Contact(String),
    Location { lat: f64, lng: f64 },
    Photo { file_id: String, size: u32 },
    Document { file_id: String, size: u32, mime: Option<String> },
    Other,
}

impl Input {
    fn of(msg: &Message, bot_username: &str) -> Input {
        if let Some(text) = msg.text() {
            if let Some(rest) = text.strip_prefix('/') {
                let (head, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                let name = match head.split_once('@') {
                    Some((n, at)) if at.eq_ignore_ascii_case(bot_username) => n,
                    Some(_) => return Input::Other,
                    None => head,
                };
                return Input::Command { name: name.to_ascii_lowercase(), args: args.trim().to_string() };
            }
            return Input::Text(text.to_string());
        }
        if let Some(c) = msg.contact() {
            return Input::Contact(c.phone_number.clone());
        }
        if let Some(l) = msg.location() {
            return Input::Location { lat: l.latitude, lng: l.longitude };
        }
        if let Some(sizes) = msg.photo()
            && let Some(largest) = sizes.iter().max_by_key(|p| u64::from(p.width) * u64::from(p.height))
        {
            return Input::Photo { file_id: largest.file.id.0.clone(), size: largest.file.size };
        }
        if let Some(d) = msg.document() {
            return Input::Document {
                file_id: d.file.id.0.clone(),
                size: d.file.size,
                mime: d.mime_type.as_ref().map(|m| m.essence_str().to_string()),
            };
        }
        Input::Other
    }
}

/// How often a flooding user is told to slow down.
const WARN_RATE: crate::coord::Bucket = crate::coord::Bucket { rate: 0.1, burst: 1.0 };

/// The commands shown in Telegram's menu, in language `l`.
pub fn command_menu(l: Lang, admin: bool) -> Vec<BotCommand> {
    texts::command_menu(l, admin).into_iter().map(|(c, d)| BotCommand::new(c, d)).collect()
}

impl Bot {
    /// Handles one stored update. Errors are answered kindly here and
    /// logged with the update id; they never stop the runner.
    pub async fn handle(&self, inbound: &InboundUpdate) {
        let update: Update = match serde_json::from_str(&inbound.payload) {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(update_id = inbound.update_id, error = %e, "unreadable update skipped");
                return;
            }
        };
        if !self.within_rate_limit(&update).await {
            return;
        }
        let result = match &update.kind {
            UpdateKind::Message(m) => self.on_message(m).await,
            UpdateKind::CallbackQuery(q) => self.on_callback(q).await,
            UpdateKind::InlineQuery(q) => inline::on_query(self, q).await,
            UpdateKind::ChosenInlineResult(r) => inline::on_chosen(self, r).await,
            _ => Ok(()),
        };
        if let Err(e) = result {
            tracing::error!(update_id = inbound.update_id, chat_id = inbound.chat_id, error = ?e, "handler failed");
            let l = Lang::of_telegram(sender(&update).and_then(|u| u.language_code.as_deref()));
            match &update.kind {
                UpdateKind::CallbackQuery(q) => {
                    let _ = self.tg.answer_callback(&q.id.0, Some(texts::something_went_wrong(l)), true).await;
                }
                // Typed into another chat: the next keystroke asks again.
                UpdateKind::InlineQuery(_) | UpdateKind::ChosenInlineResult(_) => {}
                _ if inbound.chat_id != 0 => {
                    let _ = self.say(inbound.chat_id, texts::something_went_wrong(l)).await;
                }
                _ => {}
            }
        }
    }

    /// Per-user flood control: a user sending faster than `USER_RATE_*`
    /// gets a polite "slow down" (once in a while, not per update) and the
    /// excess is dropped; everyone else is unaffected.
    async fn within_rate_limit(&self, update: &Update) -> bool {
        let user = match &update.kind {
            UpdateKind::Message(m) => m.from.as_ref().map(|u| u.id.0),
            UpdateKind::CallbackQuery(q) => Some(q.from.id.0),
            UpdateKind::InlineQuery(q) => Some(q.from.id.0),
            _ => None,
        };
        let Some(user) = user else { return true };
        let (rate, burst) = self.settings.user_rate;
        let bucket = crate::coord::Bucket { rate, burst: f64::from(burst) };
        if self.coord.take(&format!("user:{user}"), bucket).await.is_zero() {
            return true;
        }
        crate::metrics::telegram_error("user_rate_limited");
        let warn_now = self.coord.take(&format!("user-warned:{user}"), WARN_RATE).await.is_zero();
        // No database read for a flooding user: Telegram's language will do.
        let l = Lang::of_telegram(sender(update).and_then(|u| u.language_code.as_deref()));
        match &update.kind {
            UpdateKind::CallbackQuery(q) => {
                let _ = self.tg.answer_callback(&q.id.0, warn_now.then_some(texts::slow_down(l)), false).await;
            }
            UpdateKind::Message(m) if warn_now => {
                let _ = self.say(m.chat.id.0, texts::slow_down(l)).await;
            }
            _ => {}
        }
        false
    }

    async fn on_message(&self, msg: &Message) -> anyhow::Result<()> {
        let Some(user) = msg.from.as_ref() else { return Ok(()) };
        if !msg.chat.is_private() {
            return Ok(());
        }
        let mut from = From::of(msg.chat.id.0, user);
        (from.lang, from.known) = self.language_of(&from).await?;
        let span = tracing::info_span!("message", tg_user = from.user_id);
        self.message_from(&from, msg).instrument(span).await
    }

    async fn message_from(&self, from: &From, msg: &Message) -> anyhow::Result<()> {
        let from = from.clone();
        let input = Input::of(msg, &self.username);
        if let Input::Command { name, args } = &input {
            return self.on_command(&from, name, args, msg.id.0).await;
        }
        match self.dialogue(from.chat).await? {
            Some(d) => self.continue_dialogue(&from, d, input).await,
            None => match input {
                Input::Location { lat, lng } => match crate::domain::Coordinates::new(lat, lng) {
                    Ok(at) => deals::location_shared(self, &from, at).await,
                    Err(e) => self.say(from.chat, &crate::render::errors::explain(from.lang, &e)).await,
                },
                _ => self.say(from.chat, texts::dont_understand(from.lang)).await,
            },
        }
    }

    /// A command; `message` (its message's id) keys what it asks for where
    /// a replay could otherwise do it twice (`/adjust`, `/apikey`).
    async fn on_command(&self, from: &From, name: &str, args: &str, message: i32) -> anyhow::Result<()> {
        // Only the commands that depend on a running dialogue read it.
        let in_dialogue = match name {
            "cancel" | "publish" | "pickup" | "register" | "newoffer" | "venues" | "payouts" => {
                self.dialogue(from.chat).await?
            }
            _ => None,
        };
        match name {
            "start" => start::start(self, from, args).await,
            "help" => {
                let owner = !self.store.businesses_of_owner(from.user_id).await?.is_empty();
                self.say(from.chat, &texts::help(from.lang, owner, self.settings.is_admin(from.user_id))).await
            }
            "cancel" => {
                if in_dialogue.is_some() {
                    self.store.clear_dialogue(from.chat).await?;
                    self.send(from.chat, texts::cancelled(from.lang), Some(keyboards::remove())).await.map(drop)
                } else {
                    self.send(from.chat, texts::nothing_to_cancel(from.lang), Some(keyboards::remove())).await.map(drop)
                }
            }
            "publish" => newoffer::publish_command(self, from, in_dialogue).await,
            "deals" => deals::deals(self, from).await,
            "orders" => orders::list(self, from).await,
            "following" => alerts::following(self, from).await,
            "alerts" => alerts::overview(self, from, None).await,
            "language" => language::command(self, from, args).await,
            "privacy" => privacy::overview(self, from).await,
            "privacy_request" => privacy::request(self, from, args).await,
            "myoffers" => myoffers::list(self, from, None).await,
            "pause" => myoffers::pause_command(self, from, args).await,
            "edit" => myoffers::edit_command(self, from, args).await,
            "pickup" if in_dialogue.is_some() && args.is_empty() => {
                self.say(from.chat, texts::busy_in_dialogue(from.lang)).await
            }
            "pickup" => myoffers::pickup_command(self, from, args).await,
            "register" | "newoffer" | "venues" | "payouts" if in_dialogue.is_some() => {
                self.say(from.chat, texts::busy_in_dialogue(from.lang)).await
            }
            "register" => register::begin(self, from).await,
            "newoffer" => newoffer::begin(self, from).await,
            "venues" => venues::list(self, from).await,
            "payouts" => payouts::begin(self, from).await,
            "sales" => payouts::sales(self, from).await,
            "apikey" => payouts::api_key(self, from, args, message).await,
            "finance" | "fee" | "adjust" => finance::command(self, from, name, args, message).await,
            "charity" => charity::command(self, from, args).await,
            "impact" => orders::impact(self, from).await,
            "pending" | "verify" | "reject" | "suspend" | "unsuspend" | "refunds" | "refund_retry"
            | "refund_settled" => admin::command(self, from, name, args).await,
            _ => self.say(from.chat, texts::unknown_command(from.lang)).await,
        }
    }

    async fn continue_dialogue(&self, from: &From, d: Dialogue, input: Input) -> anyhow::Result<()> {
        match d.flow {
            Flow::Register(_) => register::on_input(self, from, d, input).await,
            Flow::NewOffer(_) => newoffer::on_input(self, from, d, input).await,
            Flow::AddVenue(_) => venues::on_input(self, from, d, input).await,
            Flow::RejectReason { .. } => admin::on_reason(self, from, d, input).await,
            Flow::EditItem { .. } => myoffers::on_edit_input(self, from, d, input).await,
            Flow::PickupCode { .. } => myoffers::on_pickup_input(self, from, d, input).await,
            Flow::Alerts(_) => alerts::on_input(self, from, d, input).await,
            Flow::Payouts(_) => payouts::on_input(self, from, d, input).await,
            Flow::CharityPlace => charity::on_place(self, from, input).await,
            Flow::UnitWeight { venue_id, business_id } => {
                venues::on_weight_input(self, from, venue_id, business_id, input).await
            }
            Flow::PriceWatch { .. } => pricewatch::on_input(self, from, d, input).await,
        }
    }

    async fn on_callback(&self, q: &CallbackQuery) -> anyhow::Result<()> {
        let Some(message) = q.message.as_ref() else {
            let l = Lang::of_telegram(q.from.language_code.as_deref());
            return self.tg.answer_callback(&q.id.0, Some(texts::unknown_button(l)), false).await.map_err(Into::into);
        };
        let mut from = From::of(message.chat().id.0, &q.from);
        (from.lang, from.known) = self.language_of(&from).await?;
        let span = tracing::info_span!("callback", tg_user = from.user_id);
        self.callback_from(&from, q, message).instrument(span).await
    }

    async fn callback_from(
        &self,
        from: &From,
        q: &CallbackQuery,
        message: &MaybeInaccessibleMessage,
    ) -> anyhow::Result<()> {
        let from = from.clone();
        let regular = message.regular_message();
        let shown = regular.and_then(|m| m.text().or(m.caption())).unwrap_or_default();
        let has_buttons = regular.and_then(|m| m.reply_markup()).is_some_and(|k| !k.inline_keyboard.is_empty());
        let press = Press { id: q.id.0.clone(), message_id: message.id().0, text: shown.to_string(), has_buttons };
        let Some(cb) = q.data.as_deref().and_then(Cb::decode) else {
            tracing::info!(data = ?q.data, "unknown callback data");
            return self.answer(&press, Some(texts::unknown_button(from.lang))).await;
        };
        match cb {
            Cb::Approve(id) => admin::approve(self, &from, &press, id).await,
            Cb::Reject(id) => admin::reject_button(self, &from, &press, id).await,
            Cb::ShowOffer(id) => {
                self.answer(&press, None).await?;
                start::show_offer(self, &from, id).await
            }
            Cb::Language(code) => language::on_button(self, &from, &press, code).await,
            Cb::AddVenue if self.dialogue(from.chat).await?.is_some() => {
                self.answer(&press, Some(texts::busy_in_dialogue(from.lang))).await
            }
            Cb::AddVenue => venues::add_pressed(self, &from, &press).await,
            Cb::DealsPage { list, page } => deals::on_page(self, &from, &press, list, page).await,
            Cb::Buy(offer) => orders::on_buy(self, &from, &press, offer).await,
            Cb::BuyItem { offer, item } => orders::on_item(self, &from, &press, offer, item).await,
            Cb::BuyQty { offer, item, qty } => orders::on_quantity(self, &from, &press, offer, item, qty).await,
            Cb::Join(offer) => waitlist::on_join(self, &from, &press, offer).await,
            Cb::JoinItem { offer, item } => waitlist::on_item(self, &from, &press, offer, item).await,
            Cb::JoinQty { offer, item, qty } => waitlist::on_quantity(self, &from, &press, offer, item, qty).await,
            Cb::LeaveWait(offer) => waitlist::on_leave(self, &from, &press, offer).await,
            Cb::Hold { purchase, act } => waitlist::on_hold(self, &from, &press, purchase, act).await,
            Cb::CancelOrder(id) => orders::on_cancel(self, &from, &press, id).await,
            Cb::ConfirmCancel(id) => orders::on_confirm_cancel(self, &from, &press, id).await,
            Cb::KeepOrder(_) => orders::on_keep(self, &from, &press).await,
            Cb::MyOffers => {
                self.answer(&press, None).await?;
                myoffers::list(self, &from, Some(press.message_id)).await
            }
            Cb::Manage(offer) => myoffers::on_manage(self, &from, &press, offer).await,
            Cb::OfferAct { offer, act } => myoffers::on_act(self, &from, &press, offer, act).await,
            Cb::EditItem { offer, item, price } => {
                myoffers::on_edit_item(self, &from, &press, offer, item, price).await
            }
            Cb::PickupStart if self.dialogue(from.chat).await?.is_some() => {
                self.answer(&press, Some(texts::busy_in_dialogue(from.lang))).await
            }
            Cb::PickupStart => {
                self.answer(&press, None).await?;
                myoffers::pickup_command(self, &from, "").await
            }
            Cb::Follow(b) | Cb::Unfollow(b) => {
                let shown = regular.and_then(|m| m.reply_markup());
                alerts::on_follow(self, &from, &press, shown, b, matches!(cb, Cb::Follow(_))).await
            }
            Cb::Alerts(act) => alerts::on_button(self, &from, &press, act).await,
            Cb::WatchPrice(_) if self.dialogue(from.chat).await?.is_some() => {
                self.answer(&press, Some(texts::busy_in_dialogue(from.lang))).await
            }
            Cb::WatchPrice(offer) => pricewatch::on_press(self, &from, &press, offer).await,
            Cb::Payouts if self.dialogue(from.chat).await?.is_some() => {
                self.answer(&press, Some(texts::busy_in_dialogue(from.lang))).await
            }
            Cb::Payouts => {
                self.answer(&press, None).await?;
                payouts::begin(self, &from).await
            }
            Cb::Statement => payouts::statement_pressed(self, &from, &press).await,
            Cb::StatementMonth(m) => payouts::statement_month(self, &from, &press, m).await,
            Cb::Privacy(act) => privacy::on_button(self, &from, &press, act).await,
            Cb::Donation { offer, accept } => charity::on_answer(self, &from, &press, offer, accept).await,
            Cb::VenueDonate { venue, on } => venues::on_donate(self, &from, &press, venue, on).await,
            Cb::VenueWeight(_) if self.dialogue(from.chat).await?.is_some() => {
                self.answer(&press, Some(texts::busy_in_dialogue(from.lang))).await
            }
            Cb::VenueWeight(venue) => venues::on_weight(self, &from, &press, venue).await,
            Cb::VenueLocation(id) => {
                self.answer(&press, None).await?;
                match self.store.venue(id).await {
                    Ok(v) => self.tg.send_location(from.chat, v.location.lat(), v.location.lng()).await.map(drop)?,
                    Err(_) => self.say(from.chat, texts::offer_not_found(from.lang)).await?,
                }
                Ok(())
            }
            Cb::Wizard { seq, action } => {
                let d = self.dialogue(from.chat).await?;
                match d {
                    Some(d) if d.seq == seq => match d.flow {
                        Flow::Register(_) => register::on_button(self, &from, &press, d, action).await,
                        Flow::Payouts(_) => payouts::on_button(self, &from, &press, d, action).await,
                        Flow::NewOffer(_) => newoffer::on_button(self, &from, &press, d, action).await,
                        Flow::AddVenue(_) => venues::on_button(self, &from, &press, d, action).await,
                        Flow::RejectReason { .. } => admin::on_reason_button(self, &from, &press, d, action).await,
                        Flow::EditItem { .. } | Flow::PickupCode { .. } => {
                            myoffers::on_dialogue_button(self, &from, &press, d, action).await
                        }
                        Flow::PriceWatch { .. } => pricewatch::on_button(self, &from, &press, d, action).await,
                        // Their steps use reply keyboards: no inline step buttons.
                        Flow::Alerts(_) | Flow::CharityPlace | Flow::UnitWeight { .. } => {
                            self.answer(&press, Some(texts::stale_button(from.lang))).await
                        }
                    },
                    _ => {
                        // A button of a step that is over: say so and tidy it away.
                        self.answer(&press, Some(texts::stale_button(from.lang))).await?;
                        press.clear_buttons(self, from.chat).await;
                        Ok(())
                    }
                }
            }
        }
    }

    // --- small helpers shared by the flows -------------------------------

    pub(crate) async fn say(&self, chat: i64, text: &str) -> anyhow::Result<()> {
        self.send(chat, text, None).await.map(drop)
    }

    pub(crate) async fn send(&self, chat: i64, text: &str, markup: Option<ReplyMarkup>) -> anyhow::Result<Message> {
        Ok(self.tg.send_text(chat, text, markup, false).await?)
    }

    pub(crate) async fn answer(&self, press: &Press, text: Option<&str>) -> anyhow::Result<()> {
        Ok(self.tg.answer_callback(&press.id, text, false).await?)
    }

    pub(crate) async fn dialogue(&self, chat: i64) -> anyhow::Result<Option<Dialogue>> {
        Ok(match self.store.dialogue(chat).await? {
            Some(json) => match serde_json::from_str(&json) {
                Ok(d) => Some(d),
                Err(e) => {
                    // A dialogue saved by an incompatible version: start over.
                    tracing::warn!(chat, error = %e, "dropping unreadable dialogue");
                    self.store.clear_dialogue(chat).await?;
                    None
                }
            },
            None => None,
        })
    }

    pub(crate) async fn save(&self, chat: i64, d: &Dialogue) -> anyhow::Result<()> {
        self.store.save_dialogue(chat, &serde_json::to_string(d)?, self.clock.now()).await?;
        Ok(())
    }

    pub(crate) async fn end_dialogue(&self, chat: i64) -> anyhow::Result<()> {
        Ok(self.store.clear_dialogue(chat).await?)
    }

    /// The language to answer `from` in: the one they chose with
    /// /language, else Telegram's. Keeps the stored language current for
    /// the senders, which run without an update (one write when it changed).
    /// With their record as it is now, if they have one.
    async fn language_of(&self, from: &From) -> anyhow::Result<(Lang, Option<crate::store::User>)> {
        let Some(mut u) = self.store.user(from.user_id).await? else { return Ok((from.lang, None)) };
        let stored = u.language.as_deref().and_then(Lang::from_code);
        if u.language_chosen
            && let Some(l) = stored
        {
            return Ok((l, Some(u)));
        }
        if stored != Some(from.lang) {
            self.store.set_user_language(from.user_id, from.lang.code(), false).await?;
            u.language = Some(from.lang.code().to_string());
        }
        Ok((from.lang, Some(u)))
    }

    /// Notes that `from` talked to us (name, username, reachable again)
    /// and returns their record. Writes only when something changed: most
    /// updates come from a user whose record is already current.
    pub(crate) async fn touch_user(&self, from: &From) -> anyhow::Result<crate::store::User> {
        let known = match &from.known {
            Some(u) => Some(u.clone()),
            None => self.store.user(from.user_id).await?,
        };
        if let Some(u) = known
            && u.first_name == from.name
            && u.username == from.username
            && !u.unreachable
        {
            return Ok(u);
        }
        let lang = Some(from.lang.code());
        self.store.upsert_user(from.user_id, &from.name, from.username.as_deref(), lang, self.clock.now()).await?;
        self.store.user(from.user_id).await?.ok_or_else(|| anyhow::anyhow!("user {} vanished", from.user_id))
    }
}

/// The Telegram user an update comes from.
fn sender(update: &Update) -> Option<&TgUser> {
    match &update.kind {
        UpdateKind::Message(m) => m.from.as_ref(),
        UpdateKind::CallbackQuery(q) => Some(&q.from),
        _ => None,
    }
}

/// A button press being handled: answer it exactly once.
pub struct Press {
    pub id: String,
    pub message_id: i32,
    /// The pressed message's text as shown (entities stripped).
    pub text: String,
    /// Whether the pressed message still shows inline buttons.
    pub has_buttons: bool,
}

impl Press {
    /// Removes the pressed message's buttons (a decided question keeps no
    /// live buttons). Failing to tidy up is not worth failing the press for.
    pub async fn clear_buttons(&self, bot: &Bot, chat: i64) {
        if self.has_buttons
            && let Err(e) = bot.tg.edit_markup(chat, self.message_id, None).await
        {
            tracing::debug!(error = %e, "couldn't remove buttons");
        }
    }
}
