//! Inline mode: queries a simulated user types after `@bot`, the bot's
//! `answerInlineQuery` (every `InlineQueryResult` checked the way Telegram
//! checks it), the message a chosen result posts into some chat, the
//! `chosen_inline_result` update (only with inline feedback switched on, as
//! with BotFather's `/setinlinefeedback`, and with an `inline_message_id`
//! only when the result had an inline keyboard), and edits of that message
//! by `inline_message_id`.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::formatting::{self, Formatted};
use super::markup;
use super::methods::{ApiError, NOT_MODIFIED, QUERY_TOO_OLD};
use super::params::Params;
use super::state::State;

/// The most results one answer may carry.
const MAX_RESULTS: usize = 50;
const MAX_TEXT: usize = 4096;
const MAX_CAPTION: usize = 1024;
/// The result types the fake knows; Telegram has more (gif, video, …).
const RESULT_TYPES: &[&str] = &["article", "photo"];

/// An inline query a user sent, and the bot's answer once it came.
pub(super) struct InlineQuery {
    pub from: i64,
    pub query: String,
    pub answer: Option<InlineAnswer>,
}

/// What `answerInlineQuery` said.
#[derive(Clone, Debug)]
pub struct InlineAnswer {
    /// The results as the bot sent them (validated).
    pub results: Vec<Value>,
    pub cache_time: Option<i64>,
    pub is_personal: bool,
}

/// A message posted through inline mode, as the chat it went to shows it.
#[derive(Clone, Debug)]
pub struct InlineMessage {
    pub inline_message_id: String,
    /// The text (or caption) as readers see it.
    pub text: String,
    pub photo: bool,
    /// `(label, url or callback data)` of its inline buttons, row by row.
    pub buttons: Vec<Vec<(String, String)>>,
    /// How many times the bot edited it.
    pub edits: usize,
    /// The message content as stored (text/caption, entities, reply_markup).
    pub raw: Value,
}

fn is_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && s.len() > "https://".len() && !s.contains(' ')
}

/// Checks one result, returning its id and the content it would post.
fn check_result(r: &Value) -> Result<(String, Map<String, Value>), ApiError> {
    let r = r.as_object().ok_or_else(|| ApiError::bad_request("can't parse InlineQueryResult JSON object"))?;
    let kind = r.get("type").and_then(Value::as_str).unwrap_or_default();
    if !RESULT_TYPES.contains(&kind) {
        return Err(ApiError::bad_request("RESULT_TYPE_INVALID"));
    }
    let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
    if id.is_empty() || id.len() > 64 {
        return Err(ApiError::bad_request("RESULT_ID_INVALID"));
    }
    let keyboard = markup::parse_inline_only(r.get("reply_markup"))?;
    for field in ["thumbnail_url", "url"] {
        if let Some(v) = r.get(field)
            && !v.as_str().is_some_and(is_url)
        {
            return Err(ApiError::bad_request(format!("{} is invalid", field.to_uppercase())));
        }
    }
    let mut content = Map::new();
    match kind {
        "article" => {
            if r.get("title").and_then(Value::as_str).is_none_or(|t| t.trim().is_empty()) {
                return Err(ApiError::bad_request("RESULT_TITLE_EMPTY"));
            }
            let input = r
                .get("input_message_content")
                .and_then(Value::as_object)
                .ok_or_else(|| ApiError::bad_request("input_message_content is required"))?;
            let text = input.get("message_text").and_then(Value::as_str).unwrap_or_default();
            let formatted =
                formatting::format(text, input.get("parse_mode").and_then(Value::as_str), input.get("entities"))?;
            if formatted.text.is_empty() {
                return Err(ApiError::bad_request("MESSAGE_EMPTY"));
            }
            if formatting::utf16_len(&formatted.text) > MAX_TEXT {
                return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
            }
            put(&mut content, "text", "entities", formatted);
        }
        _ => {
            if !r.get("photo_url").and_then(Value::as_str).is_some_and(is_url) {
                return Err(ApiError::bad_request("PHOTO_URL_INVALID"));
            }
            if !r.get("thumbnail_url").and_then(Value::as_str).is_some_and(is_url) {
                return Err(ApiError::bad_request("THUMBNAIL_URL_INVALID"));
            }
            let caption = formatting::format(
                r.get("caption").and_then(Value::as_str).unwrap_or_default(),
                r.get("parse_mode").and_then(Value::as_str),
                r.get("caption_entities"),
            )?;
            if formatting::utf16_len(&caption.text) > MAX_CAPTION {
                return Err(ApiError::bad_request("message caption is too long"));
            }
            content.insert(
                "photo".into(),
                json!([{"file_id": format!("inline-photo-{id}"), "width": 1280, "height": 960}]),
            );
            put(&mut content, "caption", "caption_entities", caption);
        }
    }
    if let Some(keyboard) = keyboard {
        content.insert("reply_markup".into(), keyboard);
    }
    Ok((id.to_owned(), content))
}

fn put(message: &mut Map<String, Value>, field: &str, entities_field: &str, formatted: Formatted) {
    message.remove(field);
    message.remove(entities_field);
    if !formatted.text.is_empty() {
        message.insert(field.into(), json!(formatted.text));
    }
    if !formatted.entities.is_empty() {
        message.insert(entities_field.into(), Value::Array(formatted.entities));
    }
}

/// `answerInlineQuery`.
pub(super) fn answer_inline_query(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let id = p.string("inline_query_id").unwrap_or_default();
    let results = p
        .json("results", "can't parse inline query results JSON object")?
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("results must be an Array"))?
        .clone();
    if results.len() > MAX_RESULTS {
        return Err(ApiError::bad_request("RESULTS_TOO_MUCH"));
    }
    let mut ids = HashSet::new();
    for r in &results {
        let (rid, _) = check_result(r)?;
        if !ids.insert(rid) {
            return Err(ApiError::bad_request("RESULT_ID_DUPLICATE"));
        }
    }
    let cache_time = p.int("cache_time")?;
    if cache_time.is_some_and(|c| c < 0) {
        return Err(ApiError::bad_request("cache_time is invalid"));
    }
    let is_personal = p.boolean("is_personal")?;
    let query = state.inline_queries.get_mut(&id).filter(|q| q.answer.is_none());
    let query = query.ok_or_else(|| ApiError::bad_request(QUERY_TOO_OLD))?;
    query.answer = Some(InlineAnswer { results, cache_time, is_personal });
    Ok(json!(true))
}

/// What a user choosing result `result_id` of query `query_id` posts:
/// the message is stored, and (with feedback on) the update is queued.
/// Returns the posted message's inline id.
pub(super) fn choose(state: &mut State, user: i64, query_id: &str, result_id: &str) -> Result<String, String> {
    let query = state.inline_queries.get(query_id).ok_or_else(|| format!("no inline query {query_id}"))?;
    if query.from != user {
        return Err(format!("inline query {query_id} is not user {user}'s"));
    }
    let answer = query.answer.as_ref().ok_or_else(|| format!("inline query {query_id} was not answered"))?;
    let result = answer
        .results
        .iter()
        .find(|r| r["id"].as_str() == Some(result_id))
        .ok_or_else(|| format!("no result {result_id:?} in the answer to {query_id}"))?;
    let (_, content) = check_result(result).map_err(|e| e.description)?;
    let has_keyboard = content.contains_key("reply_markup");
    let query_text = query.query.clone();
    state.next_inline_message += 1;
    let inline_message_id = format!("AgAAA{:012}", state.next_inline_message);
    state.inline_messages.insert(inline_message_id.clone(), (Value::Object(content), 0));
    if state.inline_feedback {
        let from = state.chats.get(&user).map(|c| c.user_json()).unwrap_or_else(|| json!({"id": user}));
        let mut chosen = json!({"result_id": result_id, "from": from, "query": query_text});
        if has_keyboard {
            chosen["inline_message_id"] = json!(inline_message_id);
        }
        state.push_update(&mut json!({ "chosen_inline_result": chosen }));
    }
    Ok(inline_message_id)
}

/// `editMessageText` / `editMessageCaption` with `inline_message_id`.
pub(super) fn edit(state: &mut State, p: &Params, caption: bool) -> Result<Value, ApiError> {
    if p.get("chat_id").is_some() || p.get("message_id").is_some() {
        return Err(ApiError::bad_request("can't use inline_message_id together with chat_id or message_id"));
    }
    let id = p.string("inline_message_id").unwrap_or_default();
    let (stored, edits) = state.inline_messages.get(&id).ok_or_else(|| ApiError::bad_request("MESSAGE_ID_INVALID"))?;
    let has_photo = stored.get("photo").is_some();
    if caption && !has_photo {
        return Err(ApiError::bad_request("there is no caption in the message to edit"));
    }
    if !caption && has_photo {
        return Err(ApiError::bad_request("there is no text in the message to edit"));
    }
    let parse_mode = p.string("parse_mode");
    let formatted = if caption {
        let f = formatting::format(
            &p.string("caption").unwrap_or_default(),
            parse_mode.as_deref(),
            p.json("caption_entities", "can't parse entities JSON object")?,
        )?;
        if formatting::utf16_len(&f.text) > MAX_CAPTION {
            return Err(ApiError::bad_request("message caption is too long"));
        }
        f
    } else {
        let f = formatting::format(
            &p.string("text").unwrap_or_default(),
            parse_mode.as_deref(),
            p.json("entities", "can't parse entities JSON object")?,
        )?;
        if f.text.is_empty() {
            return Err(ApiError::bad_request("message text is empty"));
        }
        if formatting::utf16_len(&f.text) > MAX_TEXT {
            return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
        }
        f
    };
    let keyboard = markup::parse_inline_only(p.json("reply_markup", "can't parse reply keyboard markup JSON object")?)?;
    let mut edited = stored.as_object().cloned().unwrap_or_default();
    if caption {
        put(&mut edited, "caption", "caption_entities", formatted);
    } else {
        put(&mut edited, "text", "entities", formatted);
    }
    match keyboard {
        Some(k) => edited.insert("reply_markup".into(), k),
        None => edited.remove("reply_markup"),
    };
    let edited = Value::Object(edited);
    if &edited == stored {
        return Err(ApiError::bad_request(NOT_MODIFIED));
    }
    let edits = edits + 1;
    state.inline_messages.insert(id, (edited, edits));
    Ok(json!(true))
}

/// The posted message as readers see it now.
pub(super) fn view(id: &str, stored: &Value, edits: usize) -> InlineMessage {
    let text = stored.get("text").or_else(|| stored.get("caption")).and_then(Value::as_str).unwrap_or_default();
    let buttons = stored["reply_markup"]["inline_keyboard"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    row.as_array()
                        .map(|row| {
                            row.iter()
                                .map(|b| {
                                    let target = b["url"].as_str().or(b["callback_data"].as_str()).unwrap_or_default();
                                    (b["text"].as_str().unwrap_or_default().to_owned(), target.to_owned())
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    InlineMessage {
        inline_message_id: id.to_owned(),
        text: text.to_owned(),
        photo: stored.get("photo").is_some(),
        buttons,
        edits,
        raw: stored.clone(),
    }
}
