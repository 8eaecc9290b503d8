//! Simulated users: what a test does in a private chat with the bot, and what
//! it sees there.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::markup::{self, ReplyButton};
use super::state::{self, Chat, StoredMessage, unix_now};
use super::{CallbackAnswer, Shared};

/// The phone number a user shares through a `request_contact` button.
pub const TEST_PHONE: &str = "+15555550123";
/// The `(latitude, longitude)` a user shares through a `request_location`
/// button (Berlin, Alexanderplatz).
pub const TEST_LOCATION: (f64, f64) = (52.521_918, 13.413_215);

/// How long `reply` and `callback_answer` wait before failing the test.
/// Generous: a loaded 2-core CI machine runs many bots at once; only a
/// failing test ever waits this long.
const WAIT: Duration = Duration::from_secs(30);

/// A Telegram user in a private chat with the bot (chat id == user id).
#[derive(Clone)]
pub struct FakeUser {
    shared: Arc<Shared>,
    id: i64,
}

/// A bot message as the user sees it: for an event from [`FakeUser::reply`],
/// as it was at that send or edit; from [`FakeUser::messages`], as it is now.
#[derive(Clone, Debug)]
pub struct BotMessage {
    pub message_id: i64,
    pub chat_id: i64,
    /// The text after entity parsing (what the user reads), or the caption.
    pub text: String,
    /// The largest size of an attached photo.
    pub photo_file_id: Option<String>,
    /// `(latitude, longitude)` of a location or venue.
    pub location: Option<(f64, f64)>,
    pub inline_buttons: Vec<Vec<Button>>,
    /// Button labels of a reply keyboard sent with this message.
    pub reply_keyboard: Option<Vec<Vec<String>>>,
    /// Whether this is (or the message has had) an edit.
    pub edited: bool,
    /// The `parse_mode` the bot used.
    pub parse_mode: Option<String>,
    /// The full `Message` object as the Bot API returned it (entities,
    /// document, venue…).
    pub raw: Value,
}

/// An inline keyboard button.
#[derive(Clone, Debug, PartialEq)]
pub struct Button {
    pub text: String,
    pub callback_data: Option<String>,
    pub url: Option<String>,
    /// The Mini App a `web_app` button opens.
    pub web_app_url: Option<String>,
}

impl BotMessage {
    pub(super) fn from_stored(chat_id: i64, stored: &StoredMessage) -> BotMessage {
        let json = &stored.json;
        let text = json.get("text").or_else(|| json.get("caption")).and_then(Value::as_str).unwrap_or_default();
        let photo_file_id = json["photo"].as_array().and_then(|sizes| sizes.last()).and_then(|s| s["file_id"].as_str());
        let location = json.get("location").and_then(|l| Some((l["latitude"].as_f64()?, l["longitude"].as_f64()?)));
        BotMessage {
            message_id: json["message_id"].as_i64().unwrap_or_default(),
            chat_id,
            text: text.to_owned(),
            photo_file_id: photo_file_id.map(str::to_owned),
            location,
            inline_buttons: markup::inline_buttons(json),
            reply_keyboard: stored.reply_keyboard.clone(),
            edited: stored.edited,
            parse_mode: stored.parse_mode.clone(),
            raw: json.clone(),
        }
    }

    /// The labels of the inline buttons, row by row.
    pub fn button_labels(&self) -> Vec<&str> {
        self.inline_buttons.iter().flatten().map(|b| b.text.as_str()).collect()
    }

    fn summary(&self) -> String {
        let mut summary = format!("#{}{} {:?}", self.message_id, if self.edited { " (edited)" } else { "" }, self.text);
        if self.photo_file_id.is_some() {
            summary.push_str(" [photo]");
        }
        if let Some((lat, lng)) = self.location {
            let _ = write!(summary, " [location {lat}, {lng}]");
        }
        for row in &self.inline_buttons {
            let labels: Vec<String> = row.iter().map(|b| format!("[{}]", b.text)).collect();
            let _ = write!(summary, " {}", labels.join(" "));
        }
        if let Some(keyboard) = &self.reply_keyboard {
            let _ = write!(summary, " reply keyboard {keyboard:?}");
        }
        summary
    }
}

/// What `press` found for a label.
enum Target {
    Inline { message: Value, data: String },
    Reply(ReplyButton),
}

impl FakeUser {
    pub(super) fn new(shared: Arc<Shared>, id: i64) -> FakeUser {
        FakeUser { shared, id }
    }

    /// Sets the user's app language, sent as `language_code` with
    /// everything they do from now on.
    pub fn set_language(&self, code: &str) {
        if let Some(chat) = self.shared.lock().chats.get_mut(&self.id) {
            chat.language_code = code.to_owned();
        }
    }

    /// The user's id, which is also the chat id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Sets the user's @username (without `@`), which Telegram then sends
    /// with everything they do.
    pub fn set_username(&self, username: &str) {
        self.with_chat(|chat| chat.username = Some(username.to_owned()));
    }

    /// Blocks the bot: its sends to this user fail with 403 `Forbidden: bot
    /// was blocked by the user` until the user sends something again.
    pub fn block(&self) {
        self.with_chat(|chat| chat.blocked = true);
    }

    /// Sends a text message; a leading `/command` gets its `bot_command`
    /// entity. Returns the message id.
    pub fn send(&self, text: &str) -> i64 {
        assert!(!text.trim().is_empty(), "Telegram clients cannot send an empty message");
        let mut content = json!({"text": text});
        if let Some(length) = command_length(text) {
            content["entities"] = json!([{"offset": 0, "length": length, "type": "bot_command"}]);
        }
        self.push_message(content)
    }

    /// Shares a contact with the user's own name and id, as the
    /// `request_contact` button does.
    pub fn send_contact(&self, phone: &str) -> i64 {
        let first_name = self.with_chat(|chat| chat.first_name.clone());
        self.push_message(json!({"contact": {"phone_number": phone, "first_name": first_name, "user_id": self.id}}))
    }

    pub fn send_location(&self, lat: f64, lng: f64) -> i64 {
        self.push_message(json!({"location": {"latitude": lat, "longitude": lng}}))
    }

    /// Sends a photo; `message.photo` lists a few sizes, the largest last,
    /// with the dimensions read from the image header. Telegram would
    /// recompress the photo (dropping EXIF, applying the orientation, at most
    /// 1280 px); the fake keeps the bytes exactly as given, so tests can show
    /// the bot metadata-laden or hostile images. Bytes that are no image get
    /// 1280×960.
    pub fn send_photo(&self, bytes: Vec<u8>, caption: Option<&str>) -> i64 {
        let dimensions = state::image_dimensions(&bytes).unwrap_or((1280, 960));
        let sizes = self.shared.lock().store_photo(bytes, dimensions, false);
        let mut content = json!({"photo": sizes});
        if let Some(caption) = caption {
            content["caption"] = json!(caption);
        }
        self.push_message(content)
    }

    /// Sends a file as a document; its bytes are kept exactly.
    pub fn send_document(&self, bytes: Vec<u8>, file_name: &str, mime: &str) -> i64 {
        let document = self.shared.lock().store_document(bytes, file_name, mime, false);
        self.push_message(json!({"document": document}))
    }

    /// Presses a button. Looks for an inline button labelled exactly `label`
    /// on the newest bot message that has one, then on the reply keyboard;
    /// failing that, for a label containing `label` (case-insensitive), which
    /// must then be unambiguous. An inline button sends a callback query and
    /// returns its id; a reply keyboard button sends its text (or the
    /// [`TEST_PHONE`] contact / [`TEST_LOCATION`] it requests) and returns the
    /// new message's id as a string. Panics with the visible buttons if none
    /// matches.
    pub fn press(&self, label: &str) -> String {
        let found = {
            let state = self.shared.lock();
            let chat = &state.chats[&self.id];
            find_button(chat, label)
        };
        match found {
            Ok(Target::Inline { message, data }) => self.push_callback(message, data),
            Ok(Target::Reply(button)) => {
                self.with_chat(|chat| {
                    if chat.reply_keyboard.as_ref().is_some_and(|k| k.one_time) {
                        chat.reply_keyboard = None;
                    }
                });
                let message_id = if button.request_contact {
                    self.send_contact(TEST_PHONE)
                } else if button.request_location {
                    self.send_location(TEST_LOCATION.0, TEST_LOCATION.1)
                } else {
                    self.send(&button.text)
                };
                message_id.to_string()
            }
            Err(report) => panic!("user {}: {report}", self.id),
        }
    }

    /// Sends a callback query with arbitrary `data` from the bot message
    /// `message_id`, as a stale or forged button would. Returns the query id.
    pub fn press_data(&self, message_id: i64, data: &str) -> String {
        let message =
            self.with_chat(|chat| chat.messages.get(&message_id).filter(|m| m.from_bot).map(|m| m.json.clone()));
        let message =
            message.unwrap_or_else(|| panic!("user {}: no bot message {message_id} in the chat to press on", self.id));
        self.push_callback(message, data.to_owned())
    }

    /// Waits up to 30 s for the next bot send or edit in this chat that the
    /// test has not consumed yet, and consumes it.
    pub async fn reply(&self) -> BotMessage {
        self.next_event(|_| true, "reply").await
    }

    /// Like [`FakeUser::reply`], but consumes and skips events until one
    /// matches `pred`.
    pub async fn reply_matching(&self, pred: impl Fn(&BotMessage) -> bool) -> BotMessage {
        self.next_event(pred, "reply matching the predicate").await
    }

    /// True if no unconsumed send or edit is waiting after `d`; returns false
    /// as soon as one is there. Consumes nothing.
    pub async fn no_reply_for(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        loop {
            let notified = self.shared.bot_acted.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.with_chat(|chat| chat.consumed < chat.events.len()) {
                return false;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return !self.with_chat(|chat| chat.consumed < chat.events.len());
            }
        }
    }

    /// Every bot message in the chat as it is now (edits applied, deleted
    /// ones gone), oldest first.
    pub fn messages(&self) -> Vec<BotMessage> {
        self.with_chat(|chat| chat.bot_messages().collect())
    }

    /// The newest bot message still in the chat.
    pub fn last_message(&self) -> Option<BotMessage> {
        self.with_chat(|chat| chat.bot_messages().next_back())
    }

    /// Types `@bot <query>` in some chat: an `inline_query` update, with
    /// the user's location when given (Telegram sends it only to bots with
    /// BotFather's `/setinlinegeo`, and only if the user allows). Returns
    /// the query id.
    pub fn inline_query(&self, query: &str, location: Option<(f64, f64)>) -> String {
        let id = {
            let mut state = self.shared.lock();
            let id = state.new_inline_query_id();
            let from = state.chats[&self.id].user_json();
            let mut q = json!({"id": id, "from": from, "query": query, "offset": "", "chat_type": "supergroup"});
            if let Some((lat, lng)) = location {
                q["location"] = json!({"latitude": lat, "longitude": lng});
            }
            state.inline_queries.insert(
                id.clone(),
                super::inline::InlineQuery { from: self.id, query: query.to_owned(), answer: None },
            );
            state.push_update(&mut json!({ "inline_query": q }));
            id
        };
        self.shared.updates_changed.notify_waiters();
        id
    }

    /// Waits up to 30 s for the bot's answer to inline query `query_id`.
    pub async fn inline_answer(&self, query_id: &str) -> super::InlineAnswer {
        let deadline = Instant::now() + WAIT;
        loop {
            let notified = self.shared.bot_acted.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(answer) = self.shared.lock().inline_queries.get(query_id).and_then(|q| q.answer.clone()) {
                return answer;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let rejected = self.shared.lock().rejected.clone();
                panic!(
                    "user {}: no answer to inline query {query_id} within {WAIT:?}; rejected: {rejected:#?}",
                    self.id
                );
            }
        }
    }

    /// Picks result `result_id` of the answered inline query `query_id`:
    /// its message is posted (into a group the fake doesn't model) and,
    /// with inline feedback on, the bot gets `chosen_inline_result`.
    /// Returns the posted message's `inline_message_id`.
    pub fn choose_inline_result(&self, query_id: &str, result_id: &str) -> String {
        let id = {
            let mut state = self.shared.lock();
            super::inline::choose(&mut state, self.id, query_id, result_id)
                .unwrap_or_else(|e| panic!("user {}: {e}", self.id))
        };
        self.shared.updates_changed.notify_waiters();
        id
    }

    /// Waits up to 30 s for the bot to answer the callback query `callback_id`.
    pub async fn callback_answer(&self, callback_id: &str) -> CallbackAnswer {
        let deadline = Instant::now() + WAIT;
        loop {
            let notified = self.shared.bot_acted.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let state = self.shared.lock();
                let callback = state
                    .callbacks
                    .get(callback_id)
                    .unwrap_or_else(|| panic!("user {}: no callback query {callback_id:?} was sent", self.id));
                if let Some(answer) = &callback.answer {
                    return answer.clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let rejected = self.shared.lock().rejected.clone();
                panic!(
                    "user {}: the bot did not answer callback query {callback_id} within {WAIT:?}; rejected requests: \
                     {rejected:#?}",
                    self.id
                );
            }
        }
    }

    fn with_chat<T>(&self, f: impl FnOnce(&mut Chat) -> T) -> T {
        let mut state = self.shared.lock();
        let chat = state.chats.get_mut(&self.id).unwrap_or_else(|| unreachable!("users are created with their chat"));
        f(chat)
    }

    /// Adds a user message to the chat and queues its update.
    fn push_message(&self, content: Value) -> i64 {
        let message_id = {
            let mut state = self.shared.lock();
            let chat = state.chats.get_mut(&self.id).unwrap_or_else(|| unreachable!("users have a chat"));
            // Writing to a bot again unblocks it, as the Restart button does.
            chat.blocked = false;
            let message_id = chat.next_message_id();
            let mut message = json!({
                "message_id": message_id, "from": chat.user_json(), "chat": chat.chat_json(), "date": unix_now()
            });
            if let (Value::Object(message), Value::Object(content)) = (&mut message, content) {
                message.extend(content);
            }
            let stored = StoredMessage {
                json: message.clone(),
                from_bot: false,
                parse_mode: None,
                reply_keyboard: None,
                edited: false,
            };
            chat.messages.insert(message_id, stored);
            state.push_update(&mut json!({ "message": message }));
            message_id
        };
        self.shared.updates_changed.notify_waiters();
        message_id
    }

    fn push_callback(&self, message: Value, data: String) -> String {
        let id = {
            let mut state = self.shared.lock();
            let id = state.new_callback_id();
            let chat = &state.chats[&self.id];
            let mut update = json!({"callback_query": {
                "id": id, "from": chat.user_json(), "message": message,
                "chat_instance": chat.chat_instance(), "data": data
            }});
            state.push_update(&mut update);
            id
        };
        self.shared.updates_changed.notify_waiters();
        id
    }

    async fn next_event(&self, pred: impl Fn(&BotMessage) -> bool, what: &str) -> BotMessage {
        let deadline = Instant::now() + WAIT;
        let mut skipped = Vec::new();
        loop {
            let notified = self.shared.bot_acted.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            loop {
                let next = self.with_chat(|chat| {
                    let next = chat.events.get(chat.consumed).cloned();
                    chat.consumed += usize::from(next.is_some());
                    next
                });
                match next {
                    Some(event) if pred(&event) => return event,
                    Some(event) => skipped.push(event),
                    None => break,
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("{}", self.timeout_report(what, &skipped));
            }
        }
    }

    fn timeout_report(&self, what: &str, skipped: &[BotMessage]) -> String {
        let state = self.shared.lock();
        let chat = &state.chats[&self.id];
        let mut report = format!("user {} ({}): no {what} from the bot within {WAIT:?}.", self.id, chat.first_name);
        if !skipped.is_empty() {
            report.push_str("\nSkipped while waiting:");
            for event in skipped {
                let _ = write!(report, "\n  {}", event.summary());
            }
        }
        report.push_str("\nEverything the bot sent or edited in this chat:");
        for event in &chat.events {
            let _ = write!(report, "\n  {}", event.summary());
        }
        if chat.events.is_empty() {
            report.push_str(" nothing");
        }
        if !state.rejected.is_empty() {
            report.push_str("\nRequests the fake rejected:");
            for (method, description) in &state.rejected {
                let _ = write!(report, "\n  {method}: {description}");
            }
        }
        report
    }
}

/// The button a label refers to, or a report of what is visible.
fn find_button(chat: &Chat, label: &str) -> Result<Target, String> {
    let newest_first: Vec<&StoredMessage> = chat.messages.values().rev().filter(|m| m.from_bot).collect();
    let inline = |matches: &dyn Fn(&str) -> bool| -> Result<Option<Target>, String> {
        for message in &newest_first {
            let buttons = markup::inline_buttons(&message.json);
            let hits: Vec<_> = buttons.iter().flatten().filter(|b| matches(&b.text)).collect();
            match hits.as_slice() {
                [] => continue,
                [button, ..] if hits.iter().all(|b| b.text == button.text) => {
                    let Some(data) = &button.callback_data else {
                        return Err(format!(
                            "button {:?} has no callback_data (url: {:?}); pressing it sends nothing to the bot",
                            button.text, button.url
                        ));
                    };
                    return Ok(Some(Target::Inline { message: message.json.clone(), data: data.clone() }));
                }
                _ => {
                    let labels: Vec<_> = hits.iter().map(|b| b.text.as_str()).collect();
                    return Err(format!(
                        "{label:?} is ambiguous on message {}: {labels:?}",
                        message.json["message_id"]
                    ));
                }
            }
        }
        Ok(None)
    };
    let reply = |matches: &dyn Fn(&str) -> bool| -> Result<Option<Target>, String> {
        let Some(keyboard) = &chat.reply_keyboard else { return Ok(None) };
        let hits: Vec<&ReplyButton> = keyboard.rows.iter().flatten().filter(|b| matches(&b.text)).collect();
        match hits.as_slice() {
            [] => Ok(None),
            [button] => Ok(Some(Target::Reply((*button).clone()))),
            _ => Err(format!("{label:?} is ambiguous on the reply keyboard: {:?}", keyboard.labels())),
        }
    };
    let exact = |text: &str| text == label;
    let lowered = label.to_lowercase();
    let contains = |text: &str| text.to_lowercase().contains(&lowered);
    // In order, and lazily: an exact match wins even if a looser one would be ambiguous.
    if let Some(target) = inline(&exact)? {
        return Ok(target);
    }
    if let Some(target) = reply(&exact)? {
        return Ok(target);
    }
    if let Some(target) = inline(&contains)? {
        return Ok(target);
    }
    if let Some(target) = reply(&contains)? {
        return Ok(target);
    }
    let mut report = format!("no button matches {label:?}. Visible buttons:");
    let mut any = false;
    for message in newest_first.iter().rev() {
        let labels: Vec<String> =
            markup::inline_buttons(&message.json).iter().flatten().map(|b| format!("[{}]", b.text)).collect();
        if !labels.is_empty() {
            any = true;
            let _ = write!(report, "\n  message {}: {}", message.json["message_id"], labels.join(" "));
        }
    }
    if let Some(keyboard) = &chat.reply_keyboard {
        any = true;
        let _ = write!(report, "\n  reply keyboard: {:?}", keyboard.labels());
    }
    if !any {
        report.push_str(" none");
    }
    Err(report)
}

/// The length of a leading `/command` or `/command@bot`, for its entity.
fn command_length(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('/')?;
    let word = |s: &str| s.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    let name = word(rest);
    if name == 0 || name > 32 {
        return None;
    }
    let mut length = 1 + name;
    if let Some(mention) = rest[name..].strip_prefix('@') {
        let username = word(mention);
        if username > 0 {
            length += 1 + username;
        }
    }
    Some(length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_entities() {
        assert_eq!(command_length("/start"), Some(6));
        assert_eq!(command_length("/start payload"), Some(6));
        assert_eq!(command_length("/new_offer@glean_test_bot now"), Some(25));
        assert_eq!(command_length("hello"), None);
        assert_eq!(command_length("/ start"), None);
    }
}
