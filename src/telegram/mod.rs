//! Our side of the Bot API: one client that every send goes through, so
//! Telegram's limits are respected and 429 `retry_after` is honoured in one
//! place (the `limiter`: per-chat buckets, the bulk lane, their holds).
//! Telegram is reached only at `TELEGRAM_API_URL`.

mod limiter;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, BotCommandScope, ChatId, InlineKeyboardMarkup, InlineQueryResult, InputFile, Message, MessageId,
    ParseMode, Recipient, ReplyMarkup,
};
use teloxide::{ApiError, RequestError};
use url::Url;

pub use limiter::{Limiter, SendEvent};

use crate::config::TelegramLimits;
use crate::coord::Coord;

/// The updates Glean asks Telegram for: messages and button presses, and
/// inline mode (`@bot bread` in any chat, and which result was chosen).
pub const ALLOWED_UPDATES: [&str; 4] = ["message", "callback_query", "inline_query", "chosen_inline_result"];

/// How many times a send is retried after 429 or a connection failure.
const MAX_RETRIES: u32 = 5;

#[derive(Clone)]
pub struct TgClient {
    bot: Bot,
    http: reqwest::Client,
    api_url: Url,
    token: SecretString,
    limiter: Arc<Limiter>,
}

/// What a photo to send is.
pub enum Photo {
    /// A file Telegram already has (our own earlier upload).
    FileId(String),
    /// JPEG bytes to upload.
    Upload(Vec<u8>),
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("download failed: {0}")]
    Http(String),
}

impl TgClient {
    pub fn new(api_url: Url, token: SecretString, limits: TelegramLimits, coord: Coord) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()?;
        let bot = Bot::with_client(token.expose_secret(), http.clone()).set_api_url(api_url.clone());
        Ok(TgClient { bot, http, api_url, token, limiter: Arc::new(Limiter::new(limits, coord)) })
    }

    /// `{base}/bot{token}/{rest}`. Built as text: the token's colon would make
    /// `Url::join` read it as a scheme.
    fn bot_url(&self, prefix: &str, rest: &str) -> anyhow::Result<Url> {
        let base = self.api_url.as_str().trim_end_matches('/');
        Ok(Url::parse(&format!("{base}/{prefix}bot{}/{rest}", self.token.expose_secret()))?)
    }

    /// Long-polls for updates after `offset`, returning them as raw JSON so
    /// they can be stored verbatim before being confirmed.
    pub async fn get_updates(&self, offset: i64, timeout_secs: u32) -> anyhow::Result<Vec<serde_json::Value>> {
        let body = serde_json::json!({
            "offset": offset,
            "timeout": timeout_secs,
            "allowed_updates": ALLOWED_UPDATES,
        });
        let resp = self
            .http
            .post(self.bot_url("", "getUpdates")?)
            .timeout(Duration::from_secs(u64::from(timeout_secs) + 15))
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                crate::metrics::telegram_call("network");
                anyhow::anyhow!("getUpdates failed: {}", e.without_url())
            })?;
        let v: serde_json::Value = resp.json().await.map_err(|e| {
            crate::metrics::telegram_call("other");
            anyhow::anyhow!("getUpdates: {}", e.without_url())
        })?;
        let refused = v["ok"] != serde_json::Value::Bool(true);
        let rate_limited = refused && v["parameters"]["retry_after"].is_u64();
        crate::metrics::telegram_call(match (refused, rate_limited) {
            (false, _) => "ok",
            (true, true) => "rate_limited",
            (true, false) => "api_error",
        });
        if refused {
            if let Some(retry) = v["parameters"]["retry_after"].as_u64() {
                tokio::time::sleep(Duration::from_secs(retry)).await;
            }
            anyhow::bail!("getUpdates refused: {}", v["description"].as_str().unwrap_or("unknown error"));
        }
        Ok(v["result"].as_array().cloned().unwrap_or_default())
    }

    /// This process's record of when it let each send go and when it held
    /// off after a 429, oldest first (the newest few thousand).
    pub fn send_log(&self) -> Vec<SendEvent> {
        self.limiter.log().events()
    }

    /// Runs a request, honouring 429 `retry_after` and retrying connection
    /// failures (the request never reached Telegram) with backoff.
    async fn call<T, Fut>(&self, f: impl Fn() -> Fut) -> Result<T, RequestError>
    where
        Fut: Future<Output = Result<T, RequestError>>,
    {
        let mut attempt = 0;
        loop {
            let result = f().await;
            count_call(&result);
            match result {
                Ok(v) => return Ok(v),
                Err(RequestError::RetryAfter(s)) if attempt < MAX_RETRIES => {
                    tracing::warn!(retry_after = s.seconds(), "Telegram said 429; waiting");
                    crate::metrics::telegram_held_off("other", s.duration().as_secs_f64());
                    tokio::time::sleep(s.duration()).await;
                }
                Err(RequestError::Network(e)) if e.is_connect() && attempt < MAX_RETRIES => {
                    retry_pause(&e, attempt).await;
                }
                Err(e) => return Err(e),
            }
            attempt += 1;
        }
    }

    /// Sends one message through the limiter: each attempt waits for its
    /// turn (bulk: the bot's bulk lane). A 429 holds the chat, or for a
    /// bulk send the whole bulk lane, for `retry_after`; a reply is then
    /// tried again, while a bulk send's 429 is returned at once: the
    /// caller's queue holds it (not delivered, so safe to send later) and
    /// the bulk lane's hold keeps the rest back meanwhile.
    async fn send<T, Fut>(&self, chat: i64, bulk: bool, f: impl Fn() -> Fut) -> Result<T, RequestError>
    where
        Fut: Future<Output = Result<T, RequestError>>,
    {
        let mut attempt = 0;
        loop {
            let turn = self.limiter.acquire(chat, bulk).await;
            let result = f().await;
            drop(turn);
            count_call(&result);
            match result {
                Err(RequestError::RetryAfter(s)) => {
                    tracing::warn!(retry_after = s.seconds(), bulk, "Telegram said 429; holding off");
                    self.limiter.back_off(chat, bulk, s.duration()).await;
                    if bulk || attempt >= MAX_RETRIES {
                        return Err(RequestError::RetryAfter(s));
                    }
                }
                Err(RequestError::Network(e)) if e.is_connect() && attempt < MAX_RETRIES => {
                    retry_pause(&e, attempt).await;
                }
                result => return result,
            }
            attempt += 1;
        }
    }

    pub async fn send_text(
        &self,
        chat: i64,
        text: &str,
        markup: Option<ReplyMarkup>,
        bulk: bool,
    ) -> Result<Message, RequestError> {
        self.send(chat, bulk, || {
            let mut req = self.bot.send_message(ChatId(chat), text).parse_mode(ParseMode::Html);
            if let Some(m) = &markup {
                req = req.reply_markup(m.clone());
            }
            req.into_future()
        })
        .await
    }

    pub async fn send_photo(
        &self,
        chat: i64,
        photo: Photo,
        caption: &str,
        markup: Option<ReplyMarkup>,
        bulk: bool,
    ) -> Result<Message, RequestError> {
        self.send(chat, bulk, || {
            let file = match &photo {
                Photo::FileId(id) => InputFile::file_id(teloxide::types::FileId(id.clone())),
                Photo::Upload(bytes) => InputFile::memory(bytes.clone()).file_name("photo.jpg"),
            };
            let mut req = self.bot.send_photo(ChatId(chat), file).caption(caption).parse_mode(ParseMode::Html);
            if let Some(m) = &markup {
                req = req.reply_markup(m.clone());
            }
            req.into_future()
        })
        .await
    }

    /// Sends a file (uploaded from memory) as a document with a caption.
    pub async fn send_document(
        &self,
        chat: i64,
        bytes: Vec<u8>,
        file_name: &str,
        caption: &str,
    ) -> Result<Message, RequestError> {
        self.send(chat, false, || {
            let file = InputFile::memory(bytes.clone()).file_name(file_name.to_string());
            self.bot.send_document(ChatId(chat), file).caption(caption).parse_mode(ParseMode::Html).into_future()
        })
        .await
    }

    pub async fn send_location(&self, chat: i64, lat: f64, lng: f64) -> Result<Message, RequestError> {
        self.send(chat, false, || self.bot.send_location(ChatId(chat), lat, lng).into_future()).await
    }

    /// Edits a text message in place. "Not modified" counts as success.
    pub async fn edit_text(
        &self,
        chat: i64,
        message_id: i32,
        text: &str,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Result<(), RequestError> {
        let r = self
            .call(|| {
                let mut req =
                    self.bot.edit_message_text(ChatId(chat), MessageId(message_id), text).parse_mode(ParseMode::Html);
                if let Some(m) = &markup {
                    req = req.reply_markup(m.clone());
                }
                req.into_future()
            })
            .await;
        not_modified_is_ok(r.map(drop))
    }

    /// Edits a photo message's caption in place.
    pub async fn edit_caption(
        &self,
        chat: i64,
        message_id: i32,
        caption: &str,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Result<(), RequestError> {
        let r = self
            .call(|| {
                let mut req = self
                    .bot
                    .edit_message_caption(ChatId(chat), MessageId(message_id))
                    .caption(caption)
                    .parse_mode(ParseMode::Html);
                if let Some(m) = &markup {
                    req = req.reply_markup(m.clone());
                }
                req.into_future()
            })
            .await;
        not_modified_is_ok(r.map(drop))
    }

    /// Replaces (or, with `None`, removes) a message's inline keyboard.
    pub async fn edit_markup(
        &self,
        chat: i64,
        message_id: i32,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Result<(), RequestError> {
        let r = self
            .call(|| {
                let mut req = self.bot.edit_message_reply_markup(ChatId(chat), MessageId(message_id));
                if let Some(m) = &markup {
                    req = req.reply_markup(m.clone());
                }
                req.into_future()
            })
            .await;
        not_modified_is_ok(r.map(drop))
    }

    /// Answers an inline query with `results`, cached by Telegram for
    /// `cache_time` seconds for this user only (results depend on where
    /// they are).
    pub async fn answer_inline(
        &self,
        query_id: &str,
        results: Vec<InlineQueryResult>,
        cache_time: u32,
    ) -> Result<(), RequestError> {
        self.call(|| {
            self.bot
                .answer_inline_query(teloxide::types::InlineQueryId(query_id.to_string()), results.clone())
                .cache_time(cache_time)
                .is_personal(true)
                .into_future()
        })
        .await
        .map(drop)
    }

    /// Edits a message posted through inline mode: its text, or (`photo`)
    /// its caption. "Not modified" counts as success.
    pub async fn edit_inline(
        &self,
        inline_message_id: &str,
        photo: bool,
        text: &str,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Result<(), RequestError> {
        let r = self
            .call(|| async {
                if photo {
                    let mut req = self
                        .bot
                        .edit_message_caption_inline(inline_message_id.to_string())
                        .caption(text)
                        .parse_mode(ParseMode::Html);
                    if let Some(m) = &markup {
                        req = req.reply_markup(m.clone());
                    }
                    req.await.map(drop)
                } else {
                    let mut req = self
                        .bot
                        .edit_message_text_inline(inline_message_id.to_string(), text)
                        .parse_mode(ParseMode::Html);
                    if let Some(m) = &markup {
                        req = req.reply_markup(m.clone());
                    }
                    req.await.map(drop)
                }
            })
            .await;
        not_modified_is_ok(r)
    }

    /// Answers a button press; every press gets exactly one answer.
    pub async fn answer_callback(&self, id: &str, text: Option<&str>, alert: bool) -> Result<(), RequestError> {
        let r = self
            .call(|| {
                let mut req = self.bot.answer_callback_query(teloxide::types::CallbackQueryId(id.to_string()));
                if let Some(t) = text {
                    req = req.text(t).show_alert(alert);
                }
                req.into_future()
            })
            .await;
        // Best-effort: the spinner stops by itself after a while, and a
        // press replayed after a crash is always "too old". The reply the
        // handler sends next must never wait on this.
        match r {
            Ok(_) | Err(RequestError::Api(ApiError::InvalidQueryId)) => {}
            Err(e) => tracing::warn!(error = %e, "couldn't answer a button press; going on"),
        }
        Ok(())
    }

    /// Sets the command menu for everyone (or one admin's chat), for users
    /// whose Telegram language is `language` (or any other, with `None`).
    pub async fn set_commands(
        &self,
        commands: Vec<BotCommand>,
        admin_chat: Option<i64>,
        language: Option<&str>,
    ) -> Result<(), RequestError> {
        self.call(|| {
            let mut req = self.bot.set_my_commands(commands.clone());
            if let Some(chat) = admin_chat {
                req = req.scope(BotCommandScope::Chat { chat_id: Recipient::Id(ChatId(chat)) });
            }
            if let Some(code) = language {
                req = req.language_code(code.to_string());
            }
            req.into_future()
        })
        .await
        .map(drop)
    }

    /// Sets the bot's default menu button to open the Mini App at `url`.
    pub async fn set_menu_app(&self, text: &str, url: &Url) -> Result<(), RequestError> {
        use teloxide::types::{MenuButton, WebAppInfo};
        self.call(|| {
            self.bot
                .set_chat_menu_button()
                .menu_button(MenuButton::WebApp { text: text.to_string(), web_app: WebAppInfo { url: url.clone() } })
                .into_future()
        })
        .await
        .map(drop)
    }

    /// Registers our webhook with the secret Telegram will echo back.
    pub async fn set_webhook(&self, url: &Url, secret: &str) -> Result<(), RequestError> {
        use teloxide::types::AllowedUpdate;
        self.call(|| {
            self.bot
                .set_webhook(url.clone())
                .secret_token(secret.to_string())
                .allowed_updates(vec![
                    AllowedUpdate::Message,
                    AllowedUpdate::CallbackQuery,
                    AllowedUpdate::InlineQuery,
                    AllowedUpdate::ChosenInlineResult,
                ])
                .into_future()
        })
        .await
        .map(drop)
    }

    pub async fn delete_webhook(&self) -> Result<(), RequestError> {
        self.call(|| self.bot.delete_webhook().into_future()).await.map(drop)
    }

    pub async fn bot_username(&self) -> Result<String, RequestError> {
        let me = self.call(|| self.bot.get_me().into_future()).await?;
        Ok(me.user.username.clone().unwrap_or_default())
    }

    /// Downloads a file a user sent, refusing anything over `max_bytes`
    /// before and while downloading.
    pub async fn download(&self, file_id: &str, max_bytes: usize) -> Result<Vec<u8>, DownloadError> {
        let file = self.call(|| self.bot.get_file(teloxide::types::FileId(file_id.to_string())).into_future()).await?;
        if file.size as usize > max_bytes {
            return Err(DownloadError::TooLarge(max_bytes));
        }
        let url = self.bot_url("file/", &file.path).map_err(|e| DownloadError::Http(e.to_string()))?;
        let mut resp = self.http.get(url).send().await.map_err(|e| DownloadError::Http(e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(DownloadError::Http(format!("status {}", resp.status())));
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| DownloadError::Http(e.without_url().to_string()))? {
            if out.len() + chunk.len() > max_bytes {
                return Err(DownloadError::TooLarge(max_bytes));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

/// Counts one Bot API call attempt by outcome.
fn count_call<T>(result: &Result<T, RequestError>) {
    crate::metrics::telegram_call(match result {
        Ok(_) => "ok",
        Err(RequestError::RetryAfter(_)) => "rate_limited",
        Err(RequestError::Network(_)) => "network",
        Err(RequestError::Api(_)) => "api_error",
        Err(_) => "other",
    });
}

/// Waits before retrying a request that never reached Telegram.
async fn retry_pause(e: &reqwest::Error, attempt: u32) {
    let backoff = Duration::from_millis(250 << attempt.min(5));
    tracing::warn!(error = %e.without_url_ref(), ?backoff, "Telegram unreachable; retrying");
    tokio::time::sleep(backoff).await;
}

fn not_modified_is_ok(r: Result<(), RequestError>) -> Result<(), RequestError> {
    match r {
        Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        r => r,
    }
}

/// `reqwest::Error` Display includes the URL, which holds the bot token.
trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut s = String::new();
        if self.is_connect() {
            s.push_str("connection failed");
        } else if self.is_timeout() {
            s.push_str("timed out");
        } else {
            s.push_str("request failed");
        }
        s
    }
}
