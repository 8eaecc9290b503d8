//! A lean fake of the Telegram Bot API for load: the same protocol as
//! `glean-fakes`' `FakeTelegram` (JSON requests to `/bot{token}/{method}`,
//! method names in any case, `getUpdates` long polling, `sendMessage`,
//! `editMessageText`, `answerCallbackQuery`, …) but it keeps nothing:
//! updates leave the queue once confirmed, and what the bot sends is handed
//! to the simulated user of that chat as an [`Event`] stamped with the
//! moment the request arrived. The test fake records every call and checks
//! HTML and keyboards, which is right for tests and too slow for thousands
//! of updates a second; this one parses requests into borrowed structs and
//! writes JSON by hand to stay out of the way of what is measured.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::{Notify, mpsc};

pub const TOKEN: &str = "4242:BENCH-TOKEN";
const BOT_ID: i64 = 4242;
const BOT_JSON: &str = r#"{"id":4242,"is_bot":true,"first_name":"Glean Bench","username":"glean_bench_bot"}"#;

/// What the bot did in a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Send,
    Edit,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Button {
    pub text: String,
    #[serde(default)]
    pub callback_data: Option<String>,
}

/// One bot action, as the user receives it.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: Kind,
    /// When the request reached the fake.
    pub at: Instant,
    pub message_id: i64,
    pub text: String,
    /// The inline keyboard, row by row (empty without one).
    pub rows: Vec<Vec<Button>>,
}

impl Event {
    /// The callback data of the inline button labelled `label`.
    pub fn button(&self, label: &str) -> Option<String> {
        self.rows.iter().flatten().find(|b| b.text == label).and_then(|b| b.callback_data.clone())
    }
}

/// The request parameters the fake looks at; the rest is ignored.
#[derive(Default, Deserialize)]
struct Params<'a> {
    offset: Option<i64>,
    timeout: Option<u64>,
    limit: Option<u64>,
    chat_id: Option<i64>,
    message_id: Option<i64>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    caption: Option<Cow<'a, str>>,
    reply_markup: Option<Markup>,
}

#[derive(Deserialize)]
struct Markup {
    inline_keyboard: Option<Vec<Vec<Button>>>,
}

const METHODS: [&str; 8] = [
    "getupdates",
    "sendmessage",
    "editmessagetext",
    "answercallbackquery",
    "sendphoto",
    "editmessagereplymarkup",
    "getme",
    "other",
];

#[derive(Default)]
struct Queue {
    next_id: i64,
    updates: VecDeque<(i64, String)>,
}

struct Inner {
    queue: Mutex<Queue>,
    /// One poller (the bot); `notify_one` keeps a permit if it isn't waiting.
    updates_added: Notify,
    users: RwLock<HashMap<i64, mpsc::UnboundedSender<Event>>>,
    next_message_id: AtomicI64,
    next_callback_id: AtomicU64,
    /// Updates handed out by `getUpdates`.
    delivered: AtomicU64,
    /// Requests by method (indexes of [`METHODS`]).
    calls: [AtomicU64; METHODS.len()],
    polling: Notify,
    /// `(arrived, chat)` of every `sendMessage`/`sendPhoto`, when asked
    /// for with [`LeanTelegram::record_sends`].
    sends: Mutex<Option<Vec<(Instant, i64)>>>,
}

/// A running lean fake; clones share it.
#[derive(Clone)]
pub struct LeanTelegram {
    inner: Arc<Inner>,
    pub url: String,
}

impl LeanTelegram {
    /// Serves on `127.0.0.1:0` in the current runtime.
    pub async fn start() -> anyhow::Result<LeanTelegram> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let inner = Arc::new(Inner {
            queue: Mutex::new(Queue::default()),
            updates_added: Notify::new(),
            users: RwLock::new(HashMap::new()),
            next_message_id: AtomicI64::new(1),
            next_callback_id: AtomicU64::new(1),
            delivered: AtomicU64::new(0),
            calls: Default::default(),
            polling: Notify::new(),
            sends: Mutex::new(None),
        });
        let app = Router::new().fallback(handle).with_state(inner.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("lean fake Telegram stopped: {e}");
            }
        });
        Ok(LeanTelegram { inner, url })
    }

    /// A simulated user with a private chat (chat id == user id).
    pub fn user(&self, id: i64) -> User {
        let (tx, rx) = mpsc::unbounded_channel();
        self.inner.users.write().unwrap_or_else(|p| p.into_inner()).insert(id, tx);
        User { id, rx, inner: self.inner.clone() }
    }

    /// Resolves once the bot has long-polled at least once.
    pub async fn polled(&self, within: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + within;
        while self.inner.calls[0].load(Ordering::Relaxed) == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            anyhow::ensure!(!left.is_zero(), "the bot never called getUpdates");
            let _ = tokio::time::timeout(left.min(Duration::from_millis(50)), self.inner.polling.notified()).await;
        }
        Ok(())
    }

    /// `(getUpdates calls, updates handed out)`.
    pub fn poll_stats(&self) -> (u64, u64) {
        (self.inner.calls[0].load(Ordering::Relaxed), self.inner.delivered.load(Ordering::Relaxed))
    }

    /// From now on, note the arrival time and chat of every message sent.
    pub fn record_sends(&self) {
        *self.inner.sends.lock().unwrap_or_else(|p| p.into_inner()) = Some(Vec::new());
    }

    /// How many sends were noted so far.
    pub fn sends_recorded(&self) -> usize {
        self.inner.sends.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map_or(0, Vec::len)
    }

    /// The sends noted so far, in arrival order.
    pub fn send_log(&self) -> Vec<(Instant, i64)> {
        self.inner.sends.lock().unwrap_or_else(|p| p.into_inner()).clone().unwrap_or_default()
    }

    /// Requests per method so far.
    pub fn calls(&self) -> Vec<(String, u64)> {
        METHODS.iter().zip(&self.inner.calls).map(|(m, n)| (m.to_string(), n.load(Ordering::Relaxed))).collect()
    }
}

/// The user's side of one private chat.
pub struct User {
    pub id: i64,
    rx: mpsc::UnboundedReceiver<Event>,
    inner: Arc<Inner>,
}

impl User {
    fn user_json(&self) -> String {
        format!(r#"{{"id":{0},"is_bot":false,"first_name":"U{0}","language_code":"en"}}"#, self.id)
    }

    fn chat_json(&self) -> String {
        format!(r#"{{"id":{0},"type":"private","first_name":"U{0}"}}"#, self.id)
    }

    /// Sends a text message; returns when it became available to `getUpdates`.
    pub fn send(&self, text: &str) -> Instant {
        let message_id = self.inner.next_message_id.fetch_add(1, Ordering::Relaxed);
        let mut m = format!(
            r#"{{"message_id":{message_id},"from":{},"chat":{},"date":{},"text":{}"#,
            self.user_json(),
            self.chat_json(),
            unix_now(),
            esc(text)
        );
        if text.starts_with('/') {
            let len = text.split_whitespace().next().map_or(0, |c| c.encode_utf16().count());
            let _ = write!(m, r#","entities":[{{"offset":0,"length":{len},"type":"bot_command"}}]"#);
        }
        m.push('}');
        push(&self.inner, |id| format!(r#"{{"update_id":{id},"message":{m}}}"#))
    }

    /// Presses the button with callback `data` under the bot message `on`.
    pub fn press(&self, on: &Event, data: &str) -> Instant {
        let message = format!(
            r#"{{"message_id":{},"from":{BOT_JSON},"chat":{},"date":{},"text":{}{}}}"#,
            on.message_id,
            self.chat_json(),
            unix_now(),
            esc(&on.text),
            markup_field(&on.rows)
        );
        let id = self.inner.next_callback_id.fetch_add(1, Ordering::Relaxed);
        let q = format!(
            r#"{{"id":"{id}","from":{},"message":{message},"chat_instance":"{}","data":{}}}"#,
            self.user_json(),
            7_000_000_000_i64 + self.id,
            esc(data)
        );
        push(&self.inner, |uid| format!(r#"{{"update_id":{uid},"callback_query":{q}}}"#))
    }

    /// The next bot action in this chat matching `pred`, skipping others
    /// (counted in `skipped`); `None` after `timeout`.
    pub async fn wait(&mut self, timeout: Duration, skipped: &mut u64, pred: impl Fn(&Event) -> bool) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(e)) if pred(&e) => return Some(e),
                Ok(Some(e)) => {
                    *skipped += 1;
                    report_unexpected(self.id, &e);
                }
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// Drops whatever arrived and was not waited for.
    pub fn drain(&mut self) {
        while self.rx.try_recv().is_ok() {}
    }
}

/// Shows the first few unexpected bot actions, for diagnosis.
fn report_unexpected(user: i64, e: &Event) {
    static SHOWN: AtomicU64 = AtomicU64::new(0);
    if SHOWN.fetch_add(1, Ordering::Relaxed) < 3 {
        let text: String = e.text.chars().take(160).collect();
        eprintln!("  unexpected {:?} to user {user}: {text:?}", e.kind);
    }
}

fn push(inner: &Inner, update: impl FnOnce(i64) -> String) -> Instant {
    {
        let mut q = inner.queue.lock().unwrap_or_else(|p| p.into_inner());
        q.next_id += 1;
        let id = q.next_id;
        q.updates.push_back((id, update(id)));
    }
    inner.updates_added.notify_one();
    Instant::now()
}

/// A JSON string literal.
fn esc(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// `,"reply_markup":{…}` for an inline keyboard, or nothing.
fn markup_field(rows: &[Vec<Button>]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut s = String::from(r#","reply_markup":{"inline_keyboard":["#);
    for (i, row) in rows.iter().enumerate() {
        s.push_str(if i == 0 { "[" } else { ",[" });
        for (j, b) in row.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            let _ = write!(s, r#"{{"text":{}"#, esc(&b.text));
            if let Some(d) = &b.callback_data {
                let _ = write!(s, r#","callback_data":{}"#, esc(d));
            }
            s.push('}');
        }
        s.push(']');
    }
    s.push_str("]}");
    s
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn json_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn ok(result: &str) -> Response {
    json_response(format!(r#"{{"ok":true,"result":{result}}}"#))
}

async fn handle(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let method = request.uri().path().rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20).await.unwrap_or_else(|_| Bytes::new());
    let at = Instant::now();
    let p: Params = if body.is_empty() { Params::default() } else { serde_json::from_slice(&body).unwrap_or_default() };
    let index = METHODS.iter().position(|m| *m == method).unwrap_or(METHODS.len() - 1);
    inner.calls[index].fetch_add(1, Ordering::Relaxed);
    match method.as_str() {
        "getupdates" => get_updates(&inner, &p).await,
        "getme" => ok(&format!(
            r#"{{"id":{BOT_ID},"is_bot":true,"first_name":"Glean Bench","username":"glean_bench_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false,"can_connect_to_business":false,"has_main_web_app":false}}"#
        )),
        "sendmessage" | "sendphoto" | "sendlocation" => message(&inner, p, at, Kind::Send),
        "editmessagetext" | "editmessagecaption" | "editmessagereplymarkup" => message(&inner, p, at, Kind::Edit),
        _ => ok("true"),
    }
}

/// Echoes a sent or edited message as Telegram returns it and hands it to
/// the chat's user.
fn message(inner: &Inner, p: Params<'_>, at: Instant, kind: Kind) -> Response {
    let chat = p.chat_id.unwrap_or(0);
    let message_id = match kind {
        Kind::Send => inner.next_message_id.fetch_add(1, Ordering::Relaxed),
        Kind::Edit => p.message_id.unwrap_or(0),
    };
    if kind == Kind::Send
        && let Some(log) = inner.sends.lock().unwrap_or_else(|p| p.into_inner()).as_mut()
    {
        log.push((at, chat));
    }
    let text = p.text.or(p.caption).unwrap_or_default().into_owned();
    let rows = p.reply_markup.and_then(|m| m.inline_keyboard).unwrap_or_default();
    let edit = if kind == Kind::Edit { format!(r#","edit_date":{}"#, unix_now()) } else { String::new() };
    let response = ok(&format!(
        r#"{{"message_id":{message_id},"from":{BOT_JSON},"chat":{{"id":{chat},"type":"private","first_name":"U{chat}"}},"date":{},"text":{}{}{edit}}}"#,
        unix_now(),
        esc(&text),
        markup_field(&rows)
    ));
    if let Some(tx) = inner.users.read().unwrap_or_else(|p| p.into_inner()).get(&chat) {
        let _ = tx.send(Event { kind, at, message_id, text, rows });
    }
    response
}

async fn get_updates(inner: &Inner, p: &Params<'_>) -> Response {
    inner.polling.notify_waiters();
    let offset = p.offset.unwrap_or(0);
    let limit = p.limit.unwrap_or(100).clamp(1, 100) as usize;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(p.timeout.unwrap_or(0).min(50));
    loop {
        {
            let mut q = inner.queue.lock().unwrap_or_else(|p| p.into_inner());
            while q.updates.front().is_some_and(|(id, _)| *id < offset) {
                q.updates.pop_front();
            }
            if !q.updates.is_empty() {
                let mut body = String::from(r#"{"ok":true,"result":["#);
                let mut n = 0;
                for (_, u) in q.updates.iter().take(limit) {
                    if n > 0 {
                        body.push(',');
                    }
                    body.push_str(u);
                    n += 1;
                }
                body.push_str("]}");
                inner.delivered.fetch_add(n, Ordering::Relaxed);
                return json_response(body);
            }
        }
        if tokio::time::timeout_at(deadline, inner.updates_added.notified()).await.is_err() {
            return ok("[]");
        }
    }
}
