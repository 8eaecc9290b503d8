//! Everything the fake remembers: chats and their messages, files, the update
//! queue, callback queries, flood-control buckets and the request log.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::inline::InlineQuery;
use super::markup::ReplyKeyboard;
use super::user::BotMessage;
use super::{BOT_FIRST_NAME, BOT_USER_ID, BOT_USERNAME, CallbackAnswer, RateLimits};

/// `(command, description)` pairs of one command menu.
pub(super) type Menu = Vec<(String, String)>;

#[derive(Default)]
pub(super) struct State {
    pub next_update_id: i64,
    /// Updates not yet confirmed by `getUpdates`, oldest first.
    pub updates: VecDeque<Value>,
    /// Bumped by every `getUpdates`, so an older long poll knows it was
    /// superseded.
    pub poll_generation: u64,
    pub webhook_url: Option<String>,
    pub chats: HashMap<i64, Chat>,
    pub files: HashMap<String, StoredFile>,
    next_file: u64,
    pub callbacks: HashMap<String, Callback>,
    next_callback: u64,
    /// `(canonical method, normalised params)` of every request.
    pub calls: Vec<(String, Value)>,
    pub rejected: Vec<(String, String)>,
    /// Command menus by `(scope chat, language_code)`: `None` is the
    /// default scope, `""` every language.
    pub commands: HashMap<(Option<i64>, String), Menu>,
    /// `setChatMenuButton`'s buttons: per chat, and the default under `None`.
    pub menu_buttons: HashMap<Option<i64>, Value>,
    pub rate: RateLimiter,
    /// Set by `refuse_next_send`: the next send gets 429 with this
    /// `retry_after`.
    pub refuse_next: Option<u64>,
    pub count_429: usize,
    pub sent_per_second: BTreeMap<u64, usize>,
    /// The update types the bot asked for (`allowed_updates` of its last
    /// `getUpdates` or `setWebhook`); `None` until it said, which means
    /// Telegram's default set.
    pub allowed_updates: Option<Vec<String>>,
    /// Inline queries users sent, by id.
    pub inline_queries: HashMap<String, InlineQuery>,
    next_inline_query: u64,
    /// Messages posted through inline mode: content and edit count.
    pub inline_messages: HashMap<String, (Value, usize)>,
    pub next_inline_message: u64,
    /// BotFather's `/setinlinefeedback`: whether choices are reported.
    pub inline_feedback: bool,
}

/// A private chat between the bot and one simulated user.
pub(super) struct Chat {
    pub id: i64,
    pub first_name: String,
    /// The user's @username (without `@`), if they set one.
    pub username: Option<String>,
    next_message_id: i64,
    /// Messages of both sides still in the chat, by id.
    pub messages: BTreeMap<i64, StoredMessage>,
    /// Every bot send and edit, as the user saw it at the time.
    pub events: Vec<BotMessage>,
    /// How many of `events` tests have consumed through `reply`.
    pub consumed: usize,
    /// The custom keyboard currently shown under the input field.
    pub reply_keyboard: Option<ReplyKeyboard>,
    pub blocked: bool,
    /// The user's app language, sent as `from.language_code`.
    pub language_code: String,
}

pub(super) struct StoredMessage {
    /// The message as the Bot API returns it, kept current through edits.
    pub json: Value,
    pub from_bot: bool,
    pub parse_mode: Option<String>,
    pub reply_keyboard: Option<Vec<Vec<String>>>,
    pub edited: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum FileKind {
    Photo,
    Document,
}

pub(super) struct StoredFile {
    pub unique_id: String,
    pub bytes: Arc<[u8]>,
    pub path: String,
    pub kind: FileKind,
    /// For photos, every size of the photo this file belongs to, smallest
    /// first; sending any of them sends all.
    pub photo_sizes: Vec<Value>,
    /// For documents, the `Document` object.
    pub document: Option<Value>,
    /// Set when the file came from a URL the fake did not fetch.
    pub from_url: bool,
}

pub(super) struct Callback {
    pub answer: Option<CallbackAnswer>,
}

pub(super) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

pub(super) fn bot_user_json() -> Value {
    json!({"id": BOT_USER_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME})
}

impl Chat {
    pub fn user_json(&self) -> Value {
        let mut user =
            json!({"id": self.id, "is_bot": false, "first_name": self.first_name, "language_code": self.language_code});
        if let Some(u) = &self.username {
            user["username"] = json!(u);
        }
        user
    }

    pub fn chat_json(&self) -> Value {
        let mut chat = json!({"id": self.id, "type": "private", "first_name": self.first_name});
        if let Some(u) = &self.username {
            chat["username"] = json!(u);
        }
        chat
    }

    /// Message ids count up per chat, shared by both sides.
    pub fn next_message_id(&mut self) -> i64 {
        self.next_message_id += 1;
        self.next_message_id
    }

    pub fn chat_instance(&self) -> String {
        (7_000_000_000_000_000_000_i64 + self.id).to_string()
    }

    /// The chat's bot messages as the user sees them now, oldest first.
    pub fn bot_messages(&self) -> impl DoubleEndedIterator<Item = BotMessage> + '_ {
        self.messages.values().filter(|m| m.from_bot).map(|m| BotMessage::from_stored(self.id, m))
    }
}

impl State {
    pub fn ensure_chat(&mut self, id: i64, first_name: &str) -> &mut Chat {
        self.chats.entry(id).or_insert_with(|| Chat {
            id,
            first_name: first_name.to_owned(),
            username: None,
            next_message_id: 0,
            messages: BTreeMap::new(),
            events: Vec::new(),
            consumed: 0,
            reply_keyboard: None,
            blocked: false,
            language_code: "en".to_owned(),
        })
    }

    /// Sets the update's `update_id`, queues it and returns the id.
    pub fn push_update(&mut self, update: &mut Value) -> i64 {
        self.next_update_id += 1;
        update["update_id"] = json!(self.next_update_id);
        self.updates.push_back(update.clone());
        self.next_update_id
    }

    pub fn new_inline_query_id(&mut self) -> String {
        self.next_inline_query += 1;
        (6_000_000_000_000_000_000_u64 + self.next_inline_query).to_string()
    }

    /// Whether the bot's `allowed_updates` lets `update` through. Without
    /// a list, Telegram sends every type but a few (chat_member, reactions).
    pub fn allows(&self, update: &Value) -> bool {
        let kind = update.as_object().and_then(|o| o.keys().find(|k| k.as_str() != "update_id").cloned());
        let Some(kind) = kind else { return true };
        match &self.allowed_updates {
            None => !["chat_member", "message_reaction", "message_reaction_count"].contains(&kind.as_str()),
            Some(list) if list.is_empty() => true,
            Some(list) => list.contains(&kind),
        }
    }

    pub fn new_callback_id(&mut self) -> String {
        self.next_callback += 1;
        let id = (4_000_000_000_000_000_000_u64 + self.next_callback).to_string();
        self.callbacks.insert(id.clone(), Callback { answer: None });
        id
    }

    pub fn unanswered_callbacks(&self) -> Vec<String> {
        let mut ids: Vec<String> =
            self.callbacks.iter().filter(|(_, c)| c.answer.is_none()).map(|(id, _)| id.clone()).collect();
        ids.sort();
        ids
    }

    pub fn record_send(&mut self) {
        *self.sent_per_second.entry(unix_now() as u64).or_default() += 1;
    }

    fn new_file(&mut self, kind: FileKind, extension: &str) -> (String, String, String) {
        self.next_file += 1;
        let n = self.next_file;
        let (prefix, folder) = match kind {
            FileKind::Photo => ("AgACAgIAAxkBAAI", "photos"),
            FileKind::Document => ("BQACAgIAAxkBAAI", "documents"),
        };
        (format!("{prefix}{n:08}"), format!("AQAD{n:08}"), format!("{folder}/file_{n}.{extension}"))
    }

    /// Stores a photo under one file id per size (Telegram's thumbnails
    /// `s`, `m`, `x` for sides up to 90, 320 and 800 px when the photo is
    /// larger, then the photo itself). All sizes share the same bytes.
    pub fn store_photo(&mut self, bytes: Vec<u8>, (width, height): (u32, u32), from_url: bool) -> Vec<Value> {
        let bytes: Arc<[u8]> = bytes.into();
        let longest = width.max(height).max(1);
        let mut dimensions: Vec<(u32, u32)> = [90, 320, 800]
            .into_iter()
            .filter(|&side| side < longest)
            .map(|side| ((width * side / longest).max(1), (height * side / longest).max(1)))
            .collect();
        dimensions.push((width, height));
        let mut sizes = Vec::new();
        let mut ids = Vec::new();
        for (w, h) in dimensions {
            let (file_id, unique_id, path) = self.new_file(FileKind::Photo, "jpg");
            sizes.push(json!({
                "file_id": file_id, "file_unique_id": unique_id, "file_size": bytes.len(), "width": w, "height": h
            }));
            ids.push((file_id, unique_id, path));
        }
        for (file_id, unique_id, path) in ids {
            let file = StoredFile {
                unique_id,
                bytes: bytes.clone(),
                path,
                kind: FileKind::Photo,
                photo_sizes: sizes.clone(),
                document: None,
                from_url,
            };
            self.files.insert(file_id, file);
        }
        sizes
    }

    /// Stores a document and returns its `Document` object.
    pub fn store_document(&mut self, bytes: Vec<u8>, file_name: &str, mime_type: &str, from_url: bool) -> Value {
        let extension = file_name.rsplit_once('.').map_or("bin", |(_, ext)| ext);
        let (file_id, unique_id, path) = self.new_file(FileKind::Document, extension);
        let document = json!({
            "file_id": file_id, "file_unique_id": unique_id, "file_name": file_name,
            "mime_type": mime_type, "file_size": bytes.len()
        });
        let file = StoredFile {
            unique_id,
            bytes: bytes.into(),
            path,
            kind: FileKind::Document,
            photo_sizes: Vec::new(),
            document: Some(document.clone()),
            from_url,
        };
        self.files.insert(file_id, file);
        document
    }

    pub fn file_by_path(&self, path: &str) -> Option<&StoredFile> {
        self.files.values().find(|f| f.path == path)
    }
}

/// Width and height of an image, if `bytes` is one the `image` crate reads.
pub(super) fn image_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().ok()?.into_dimensions().ok()
}

/// Token buckets per chat and for the whole bot.
#[derive(Default)]
pub(super) struct RateLimiter {
    limits: Option<RateLimits>,
    global: Bucket,
    chats: HashMap<i64, Bucket>,
}

#[derive(Clone, Copy, Default)]
struct Bucket {
    tokens: f64,
    last: Option<Instant>,
}

impl Bucket {
    fn refill(&mut self, now: Instant, per_sec: f64, capacity: f64) {
        let elapsed = self.last.map_or(f64::INFINITY, |last| now.duration_since(last).as_secs_f64());
        self.tokens = (self.tokens + elapsed * per_sec).min(capacity);
        self.last = Some(now);
    }

    /// Seconds until one token is available.
    fn wait(&self, per_sec: f64) -> f64 {
        if self.tokens >= 1.0 { 0.0 } else { (1.0 - self.tokens) / per_sec }
    }
}

impl RateLimiter {
    pub fn set_limits(&mut self, limits: Option<RateLimits>) {
        *self = RateLimiter { limits, ..RateLimiter::default() };
    }

    /// Takes a token for a message to `chat`, or says how many whole seconds
    /// to wait (at least 1, as Telegram's `retry_after`).
    pub fn take(&mut self, chat: i64, now: Instant) -> Result<(), u64> {
        let Some(limits) = self.limits else { return Ok(()) };
        let mut wait: f64 = 0.0;
        if limits.per_chat_per_sec > 0.0 {
            let bucket = self.chats.entry(chat).or_default();
            bucket.refill(now, limits.per_chat_per_sec, f64::from(limits.per_chat_burst.max(1)));
            wait = wait.max(bucket.wait(limits.per_chat_per_sec));
        }
        if limits.global_per_sec > 0.0 {
            self.global.refill(now, limits.global_per_sec, limits.global_per_sec.max(1.0));
            wait = wait.max(self.global.wait(limits.global_per_sec));
        }
        if wait > 0.0 {
            return Err((wait.ceil() as u64).max(1));
        }
        if limits.per_chat_per_sec > 0.0 {
            self.chats.entry(chat).or_default().tokens -= 1.0;
        }
        if limits.global_per_sec > 0.0 {
            self.global.tokens -= 1.0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn per_chat_burst_then_rate() {
        let mut limiter = RateLimiter::default();
        limiter.set_limits(Some(RateLimits { per_chat_per_sec: 1.0, per_chat_burst: 3, global_per_sec: 0.0 }));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take(1, start), Ok(()));
        }
        assert_eq!(limiter.take(1, start), Err(1));
        assert_eq!(limiter.take(2, start), Ok(()), "other chats have their own bucket");
        assert_eq!(limiter.take(1, start + Duration::from_millis(1100)), Ok(()));
        assert_eq!(limiter.take(1, start + Duration::from_millis(1200)), Err(1));
    }

    #[test]
    fn global_rate() {
        let mut limiter = RateLimiter::default();
        limiter.set_limits(Some(RateLimits { per_chat_per_sec: 0.0, per_chat_burst: 0, global_per_sec: 2.0 }));
        let start = Instant::now();
        assert_eq!(limiter.take(1, start), Ok(()));
        assert_eq!(limiter.take(2, start), Ok(()));
        assert_eq!(limiter.take(3, start), Err(1));
    }
}
