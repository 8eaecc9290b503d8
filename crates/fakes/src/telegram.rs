//! A fake Telegram Bot API server with simulated users.
//!
//! [`FakeTelegram::start`] serves the real HTTP protocol on `127.0.0.1` (JSON,
//! form and multipart requests to `/bot{token}/{method}`, file downloads from
//! `/file/bot{token}/{path}`), so the real bot, built on teloxide, talks to it
//! unchanged. Tests act as users through [`FakeUser`]: they send messages and
//! press buttons (which become updates for `getUpdates`) and wait for what the
//! bot sends back ([`BotMessage`]).
//!
//! The fake is as strict as Telegram where bots commonly go wrong: text and
//! caption limits, `HTML`/`MarkdownV2` parsing, inline keyboard rules, editing
//! with nothing changed, answering unknown callback queries, flood limits. It
//! answers with Telegram's own error descriptions, so teloxide maps them to the
//! same `ApiError`s as in production, and it keeps every rejection in
//! [`FakeTelegram::rejected`] for tests to assert on.
//!
//! Layout: `server` speaks HTTP, `params` normalises the three request
//! encodings, `methods` implements the Bot API methods on the shared `state`,
//! `formatting` parses message entities, `markup` checks keyboards, `user` is
//! the test-facing side of a private chat.

mod formatting;
mod inline;
mod markup;
mod methods;
mod params;
mod server;
mod state;
mod user;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;
use tokio::sync::Notify;

pub use inline::{InlineAnswer, InlineMessage};
use state::State;
pub use user::{BotMessage, Button, FakeUser, TEST_LOCATION, TEST_PHONE};

/// The bot's user id; the part of [`FakeTelegram::token`] before the colon.
const BOT_USER_ID: i64 = 123_456;
const BOT_TOKEN: &str = "123456:TEST-TOKEN";
const BOT_USERNAME: &str = "glean_test_bot";
const BOT_FIRST_NAME: &str = "Glean Test Bot";

/// A running fake Bot API server. Cloning gives another handle to the same
/// server; it serves until the tokio runtime that started it shuts down.
#[derive(Clone)]
pub struct FakeTelegram {
    shared: Arc<Shared>,
}

/// Flood limits in the shape of Telegram's: a token bucket per chat and one
/// for the whole bot. Sends and edits that find a bucket empty are answered
/// with 429 and a `retry_after` of the seconds until a token is back.
///
/// A rate of zero or less disables that bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimits {
    /// Messages per second a single chat refills at (Telegram: about 1).
    pub per_chat_per_sec: f64,
    /// How many messages a chat may receive at once before the per-chat rate
    /// applies.
    pub per_chat_burst: u32,
    /// Messages per second across all chats (Telegram: about 30); the global
    /// bucket holds one second's worth.
    pub global_per_sec: f64,
}

/// How the bot answered a callback query (`answerCallbackQuery`).
#[derive(Clone, Debug, PartialEq)]
pub struct CallbackAnswer {
    /// The notification text, if any.
    pub text: Option<String>,
    /// Whether the text is shown as an alert rather than a toast.
    pub show_alert: bool,
    /// A URL the client should open, if any.
    pub url: Option<String>,
}

/// What the HTTP handlers, the users and the test-facing handle share.
struct Shared {
    api_url: String,
    state: Mutex<State>,
    /// Woken when updates are added or a newer `getUpdates` arrives.
    updates_changed: Notify,
    /// Woken when the bot sends, edits, deletes or answers a callback query.
    bot_acted: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not take the server down with it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl FakeTelegram {
    /// Binds `127.0.0.1:0` and serves the Bot API in a task on the current
    /// tokio runtime.
    pub async fn start() -> FakeTelegram {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("fake Telegram: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake Telegram: local address");
        let shared = Arc::new(Shared {
            api_url: format!("http://{addr}"),
            state: Mutex::new(State::default()),
            updates_changed: Notify::new(),
            bot_acted: Notify::new(),
        });
        let app = server::router(shared.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("fake Telegram stopped: {error}");
            }
        });
        FakeTelegram { shared }
    }

    /// The base URL to give the bot, e.g. `http://127.0.0.1:40123` (no trailing
    /// slash); requests go to `{api_url}/bot{token}/{method}`.
    pub fn api_url(&self) -> String {
        self.shared.api_url.clone()
    }

    /// The one token the server accepts; any other gets 404 `Not Found`, as
    /// from Telegram.
    pub fn token(&self) -> &str {
        BOT_TOKEN
    }

    /// The bot's user id, as `getMe` reports it.
    pub fn bot_user_id(&self) -> i64 {
        BOT_USER_ID
    }

    /// The bot's username (without `@`), as `getMe` reports it.
    pub fn bot_username(&self) -> &str {
        BOT_USERNAME
    }

    /// A simulated user with a private chat with the bot (chat id == user id).
    /// Calling it again with the same id gives a handle to the same chat.
    pub fn user(&self, id: i64, first_name: &str) -> FakeUser {
        assert!(id > 0, "Telegram user ids are positive, got {id}");
        self.shared.lock().ensure_chat(id, first_name);
        FakeUser::new(self.shared.clone(), id)
    }

    /// Turns flood limits on (`Some`) or off (`None`, the default). Buckets
    /// start full.
    pub fn set_rate_limits(&self, limits: Option<RateLimits>) {
        self.shared.lock().rate.set_limits(limits);
    }

    /// Answers the next message the bot sends (to any chat) with 429 Too
    /// Many Requests and this `retry_after`, as Telegram does when the bot
    /// went over its limits; the sends after it are judged as usual.
    pub fn refuse_next_send(&self, retry_after: u64) {
        self.shared.lock().refuse_next = Some(retry_after);
    }

    /// How many requests were answered with 429 Too Many Requests.
    pub fn count_429(&self) -> usize {
        self.shared.lock().count_429
    }

    /// The parameters of every request to `method` (case-insensitive), oldest
    /// first, whether it succeeded or not. Parameters are normalised across
    /// JSON, form and multipart bodies: ids and flags are numbers and booleans,
    /// `reply_markup`, `entities` and the like are JSON values, and uploaded
    /// files read `{"file": "<len> bytes"}` (a file id or URL stays a string).
    pub fn calls(&self, method: &str) -> Vec<Value> {
        let method = methods::canonical_name(method).unwrap_or(method);
        self.shared.lock().calls.iter().filter(|(m, _)| m.as_str() == method).map(|(_, p)| p.clone()).collect()
    }

    /// `(method, description)` of every 4xx answer except 429, oldest first.
    pub fn rejected(&self) -> Vec<(String, String)> {
        self.shared.lock().rejected.clone()
    }

    /// `(command, description)` pairs of the default menu (default scope,
    /// every language) set by `setMyCommands` (empty after
    /// `deleteMyCommands`).
    pub fn my_commands(&self) -> Vec<(String, String)> {
        self.my_commands_for(None, "")
    }

    /// The menu set for one scope (`Some(chat)` for a single chat, `None`
    /// for the default) and `language_code` (`""` for every language).
    pub fn my_commands_for(&self, chat: Option<i64>, language_code: &str) -> Vec<(String, String)> {
        self.shared.lock().commands.get(&(chat, language_code.to_owned())).cloned().unwrap_or_default()
    }

    /// The menu button set for `chat` (or the default one, `None`) by
    /// `setChatMenuButton`, as sent; `None` when never set.
    pub fn menu_button(&self, chat: Option<i64>) -> Option<Value> {
        self.shared.lock().menu_buttons.get(&chat).cloned()
    }

    /// The bytes behind a file id, whoever uploaded them (`None` for unknown
    /// ids and for files the bot sent by URL, which the fake does not fetch).
    pub fn file_bytes(&self, file_id: &str) -> Option<Vec<u8>> {
        self.shared.lock().files.get(file_id).filter(|file| !file.from_url).map(|file| file.bytes.to_vec())
    }

    /// Queues an arbitrary update for `getUpdates`, setting its `update_id`,
    /// which it returns.
    pub fn push_raw_update(&self, mut update: Value) -> i64 {
        assert!(update.is_object(), "an update is a JSON object, got {update}");
        let id = self.shared.lock().push_update(&mut update);
        self.shared.updates_changed.notify_waiters();
        id
    }

    /// Switches to webhook delivery, as Telegram does once a webhook is set:
    /// every queued and future update is POSTed to `targets` (round robin,
    /// like a load balancer in front of several instances), each in its own
    /// request so deliveries may overlap, with the secret token header, and
    /// retried until answered 200. Returns how many were delivered so far
    /// through the counter it hands back.
    pub fn deliver_webhooks(&self, targets: Vec<String>, secret: String) -> Arc<std::sync::atomic::AtomicUsize> {
        assert!(!targets.is_empty(), "at least one webhook target");
        let delivered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let shared = self.shared.clone();
        let count = delivered.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut next = 0usize;
            loop {
                let notified = shared.updates_changed.notified();
                let batch: Vec<Value> = {
                    let mut state = shared.lock();
                    let all: Vec<Value> = state.updates.drain(..).collect();
                    all.into_iter().filter(|u| state.allows(u)).collect()
                };
                if batch.is_empty() {
                    notified.await;
                    continue;
                }
                for update in batch {
                    let first = next;
                    next += 1;
                    let (client, secret, count, targets) =
                        (client.clone(), secret.clone(), count.clone(), targets.clone());
                    tokio::spawn(async move {
                        for attempt in 0..50u64 {
                            // A failed delivery goes to the next target, as a
                            // load balancer fails over from a stopped instance.
                            let url = &targets[(first + attempt as usize) % targets.len()];
                            let sent = client
                                .post(url)
                                .header("X-Telegram-Bot-Api-Secret-Token", &secret)
                                .json(&update)
                                .send()
                                .await;
                            if matches!(&sent, Ok(r) if r.status().is_success()) {
                                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                return;
                            }
                            tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
                        }
                    });
                }
            }
        });
        delivered
    }

    /// BotFather's `/setinlinefeedback` (off by default, as for a new bot):
    /// with it on, a user choosing an inline result sends the bot a
    /// `chosen_inline_result` update.
    pub fn set_inline_feedback(&self, on: bool) {
        self.shared.lock().inline_feedback = on;
    }

    /// A message posted through inline mode, as readers see it now.
    pub fn inline_message(&self, inline_message_id: &str) -> Option<InlineMessage> {
        let state = self.shared.lock();
        let (stored, edits) = state.inline_messages.get(inline_message_id)?;
        Some(inline::view(inline_message_id, stored, *edits))
    }

    /// Waits up to 30 s until the inline message matches `pred`.
    pub async fn inline_message_matching(
        &self,
        inline_message_id: &str,
        pred: impl Fn(&InlineMessage) -> bool,
    ) -> InlineMessage {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let notified = self.shared.bot_acted.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = self.inline_message(inline_message_id);
            if let Some(m) = now.as_ref().filter(|m| pred(m)) {
                return m.clone();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "inline message {inline_message_id} did not change as expected within 30 s; it is {now:#?}; \
                     rejected requests: {:#?}",
                    self.rejected()
                );
            }
        }
    }

    /// Updates not yet confirmed by a `getUpdates` with a higher offset.
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().updates.len()
    }

    /// Callback query ids that users sent and the bot has not answered yet
    /// (Telegram shows the user a spinner until it does).
    pub fn unanswered_callbacks(&self) -> Vec<String> {
        self.shared.lock().unanswered_callbacks()
    }

    /// `(unix second, count)` of messages the bot successfully sent (edits not
    /// included), in time order, for checking send rates.
    pub fn sent_per_second(&self) -> Vec<(u64, usize)> {
        self.shared.lock().sent_per_second.iter().map(|(s, n)| (*s, *n)).collect()
    }
}
