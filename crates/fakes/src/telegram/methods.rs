//! The Bot API methods the fake implements, one function each, working on
//! the shared state under its lock. `getUpdates` waits, so it lives in
//! `server`.

use std::fmt::Display;
use std::time::Instant;

use serde_json::{Map, Value, json};

use super::formatting::{self, Formatted};
use super::inline;
use super::markup::{self, Markup};
use super::params::{InputFile, Params};
use super::state::{self, FileKind, State, StoredMessage, bot_user_json, unix_now};
use super::user::BotMessage;
use super::{BOT_FIRST_NAME, BOT_USER_ID, BOT_USERNAME, CallbackAnswer};

const MAX_TEXT: usize = 4096;
const MAX_CAPTION: usize = 1024;
const MAX_CALLBACK_ANSWER: usize = 200;
/// Bots may download files up to 20 MB.
const MAX_DOWNLOAD: usize = 20 * 1024 * 1024;

pub(super) const NOT_MODIFIED: &str = "message is not modified: specified new message content and reply markup are \
                                       exactly the same as a current content and reply markup of the message";
pub(super) const QUERY_TOO_OLD: &str = "query is too old and response timeout expired or query ID is invalid";

const METHODS: &[&str] = &[
    "getMe",
    "getUpdates",
    "setMyCommands",
    "deleteMyCommands",
    "getMyCommands",
    "setChatMenuButton",
    "getChatMenuButton",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendLocation",
    "sendVenue",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "editMessageMedia",
    "deleteMessage",
    "answerCallbackQuery",
    "answerInlineQuery",
    "getFile",
    "sendChatAction",
];

const CHAT_ACTIONS: &[&str] = &[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

/// A Bot API error answer.
#[derive(Debug)]
pub(super) struct ApiError {
    pub code: u16,
    pub description: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn bad_request(detail: impl Display) -> ApiError {
        ApiError { code: 400, description: format!("Bad Request: {detail}"), retry_after: None }
    }

    pub fn forbidden(detail: impl Display) -> ApiError {
        ApiError { code: 403, description: format!("Forbidden: {detail}"), retry_after: None }
    }

    pub fn not_found() -> ApiError {
        ApiError { code: 404, description: "Not Found".into(), retry_after: None }
    }

    pub fn conflict(detail: impl Display) -> ApiError {
        ApiError { code: 409, description: format!("Conflict: {detail}"), retry_after: None }
    }

    pub fn too_many_requests(retry_after: u64) -> ApiError {
        ApiError {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }

    pub fn entity_too_large() -> ApiError {
        ApiError { code: 413, description: "Request Entity Too Large".into(), retry_after: None }
    }
}

/// The method's canonical spelling, if the fake implements it (names are
/// case-insensitive, as in Telegram).
pub(super) fn canonical_name(name: &str) -> Option<&'static str> {
    METHODS.iter().find(|m| m.eq_ignore_ascii_case(name)).copied()
}

/// Runs every method but `getUpdates`.
pub(super) fn call(state: &mut State, method: &str, p: &Params) -> Result<Value, ApiError> {
    match method {
        "getMe" => Ok(json!({
            "id": BOT_USER_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false
        })),
        "setMyCommands" => set_my_commands(state, p),
        "deleteMyCommands" => {
            let key = commands_key(p)?;
            state.commands.remove(&key);
            Ok(json!(true))
        }
        "getMyCommands" => {
            let key = commands_key(p)?;
            let menu = state.commands.get(&key).cloned().unwrap_or_default();
            Ok(menu.iter().map(|(c, d)| json!({"command": c, "description": d})).collect())
        }
        "setChatMenuButton" => set_chat_menu_button(state, p),
        "getChatMenuButton" => {
            let chat = p.get("chat_id").and_then(Value::as_i64);
            let button = chat.and_then(|c| state.menu_buttons.get(&Some(c))).or_else(|| state.menu_buttons.get(&None));
            Ok(button.cloned().unwrap_or_else(|| json!({"type": "default"})))
        }
        "setWebhook" => set_webhook(state, p),
        "deleteWebhook" => {
            if p.boolean("drop_pending_updates")? {
                state.updates.clear();
            }
            state.webhook_url = None;
            Ok(json!(true))
        }
        "getWebhookInfo" => Ok(json!({
            "url": state.webhook_url.clone().unwrap_or_default(),
            "has_custom_certificate": false,
            "pending_update_count": state.updates.len()
        })),
        "sendMessage" => send_message(state, p),
        "sendPhoto" => send_photo(state, p),
        "sendDocument" => send_document(state, p),
        "sendLocation" => send_location(state, p),
        "sendVenue" => send_venue(state, p),
        "editMessageText" => edit_message_text(state, p),
        "editMessageCaption" => edit_message_caption(state, p),
        "editMessageReplyMarkup" => edit_message_reply_markup(state, p),
        "editMessageMedia" => edit_message_media(state, p),
        "deleteMessage" => delete_message(state, p),
        "answerCallbackQuery" => answer_callback_query(state, p),
        "answerInlineQuery" => inline::answer_inline_query(state, p),
        "getFile" => get_file(state, p),
        "sendChatAction" => send_chat_action(state, p),
        _ => Err(ApiError::not_found()),
    }
}

fn set_my_commands(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let commands = p
        .json("commands", "can't parse commands JSON object")?
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("parameter \"commands\" is required"))?;
    if commands.len() > 100 {
        return Err(ApiError::bad_request("BOT_COMMANDS_TOO_MUCH"));
    }
    let mut parsed = Vec::new();
    for command in commands {
        let name = command["command"].as_str().unwrap_or_default();
        let description = command["description"].as_str().unwrap_or_default();
        let valid_name = (1..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_name {
            return Err(ApiError::bad_request("BOT_COMMAND_INVALID"));
        }
        if !(1..=256).contains(&description.chars().count()) {
            return Err(ApiError::bad_request("BOT_COMMAND_DESCRIPTION_INVALID"));
        }
        parsed.push((name.to_owned(), description.to_owned()));
    }
    let key = commands_key(p)?;
    state.commands.insert(key, parsed);
    Ok(json!(true))
}

/// Which menu a `*MyCommands` call is about: its scope (only the default
/// and single-chat scopes are modelled) and its `language_code` (two
/// lowercase letters, or empty for every language).
fn commands_key(p: &Params) -> Result<(Option<i64>, String), ApiError> {
    let language = p.string("language_code").unwrap_or_default();
    if !(language.is_empty() || (language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase()))) {
        return Err(ApiError::bad_request("LANG_CODE_INVALID"));
    }
    let chat = match p.json("scope", "can't parse BotCommandScope")? {
        None => None,
        Some(scope) => match scope["type"].as_str() {
            Some("default") => None,
            Some("chat") => Some(scope["chat_id"].as_i64().ok_or_else(|| ApiError::bad_request("chat not found"))?),
            _ => return Err(ApiError::bad_request("can't parse BotCommandScope")),
        },
    };
    Ok((chat, language))
}

/// `setChatMenuButton`: `commands`, `default`, or `web_app` with a text and
/// an https `WebAppInfo`; for one private chat (`chat_id`) or the default.
fn set_chat_menu_button(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let chat = match p.get("chat_id") {
        None => None,
        Some(v) => {
            let id = v.as_i64().ok_or_else(|| ApiError::bad_request("chat not found"))?;
            if !state.chats.contains_key(&id) {
                return Err(ApiError::bad_request("chat not found"));
            }
            Some(id)
        }
    };
    let button = match p.json("menu_button", "can't parse menu button JSON object")? {
        None => json!({"type": "default"}),
        Some(b) => b.clone(),
    };
    match button["type"].as_str() {
        Some("commands" | "default") => {}
        Some("web_app") => {
            let text = button["text"].as_str().unwrap_or_default();
            if text.trim().is_empty() || text.chars().count() > 64 {
                return Err(ApiError::bad_request("BUTTON_TEXT_INVALID"));
            }
            markup::web_app_info(&button["web_app"])?;
        }
        _ => return Err(ApiError::bad_request("can't parse menu button: unsupported menu button type")),
    }
    state.menu_buttons.insert(chat, button);
    Ok(json!(true))
}

fn set_webhook(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let url = p.string("url").unwrap_or_default();
    if url.is_empty() {
        state.webhook_url = None;
    } else if !url.starts_with("https://") {
        return Err(ApiError::bad_request("bad webhook: HTTPS url must be provided for webhook"));
    } else {
        state.webhook_url = Some(url);
    }
    if p.boolean("drop_pending_updates")? {
        state.updates.clear();
    }
    if let Some(list) = allowed_updates(p)? {
        state.allowed_updates = Some(list);
    }
    Ok(json!(true))
}

/// `allowed_updates` as a list of update types, if given.
pub(super) fn allowed_updates(p: &Params) -> Result<Option<Vec<String>>, ApiError> {
    let Some(v) = p.json("allowed_updates", "can't parse allowed updates JSON object")? else { return Ok(None) };
    let list = v.as_array().ok_or_else(|| ApiError::bad_request("allowed_updates must be an Array"))?;
    Ok(Some(list.iter().filter_map(Value::as_str).map(str::to_owned).collect()))
}

/// The target chat of a send: it must exist and not have blocked the bot.
fn target_chat(state: &State, p: &Params) -> Result<i64, ApiError> {
    let chat_id = match p.get("chat_id") {
        None => return Err(ApiError::bad_request("chat_id is empty")),
        Some(value) => value.as_i64().ok_or_else(|| ApiError::bad_request("chat not found"))?,
    };
    let chat = state.chats.get(&chat_id).ok_or_else(|| ApiError::bad_request("chat not found"))?;
    if chat.blocked {
        return Err(ApiError::forbidden("bot was blocked by the user"));
    }
    Ok(chat_id)
}

fn format_text(p: &Params, parse_mode: Option<&str>) -> Result<Formatted, ApiError> {
    let text = p.string("text").unwrap_or_default();
    let entities = p.json("entities", "can't parse entities JSON object")?;
    formatting::format(&text, parse_mode, entities)
}

fn format_caption(
    caption: Option<&str>,
    parse_mode: Option<&str>,
    entities: Option<&Value>,
) -> Result<Formatted, ApiError> {
    let caption = formatting::format(caption.unwrap_or_default(), parse_mode, entities)?;
    if formatting::utf16_len(&caption.text) > MAX_CAPTION {
        return Err(ApiError::bad_request("message caption is too long"));
    }
    Ok(caption)
}

fn caption_params(p: &Params) -> Result<Formatted, ApiError> {
    let entities = p.json("caption_entities", "can't parse entities JSON object")?;
    format_caption(p.string("caption").as_deref(), p.string("parse_mode").as_deref(), entities)
}

/// Puts `text`/`caption` and its entities into a message.
fn put_text(message: &mut Map<String, Value>, field: &str, entities_field: &str, formatted: Formatted) {
    message.remove(field);
    message.remove(entities_field);
    if !formatted.text.is_empty() {
        message.insert(field.into(), json!(formatted.text));
    }
    if !formatted.entities.is_empty() {
        message.insert(entities_field.into(), Value::Array(formatted.entities));
    }
}

fn send_message(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let chat_id = target_chat(state, p)?;
    let parse_mode = p.string("parse_mode");
    let formatted = format_text(p, parse_mode.as_deref())?;
    if formatted.text.is_empty() {
        return Err(ApiError::bad_request("message text is empty"));
    }
    if formatting::utf16_len(&formatted.text) > MAX_TEXT {
        return Err(ApiError::bad_request("message is too long"));
    }
    let mut content = Map::new();
    put_text(&mut content, "text", "entities", formatted);
    p.json("link_preview_options", "can't parse link preview options JSON object")?;
    deliver(state, p, chat_id, content, parse_mode)
}

/// The photo sizes of a photo parameter, storing an upload.
fn photo_sizes(state: &mut State, input: InputFile<'_>) -> Result<Vec<Value>, ApiError> {
    match input {
        InputFile::Upload(upload) => {
            let dimensions =
                state::image_dimensions(&upload.bytes).ok_or_else(|| ApiError::bad_request("IMAGE_PROCESS_FAILED"))?;
            let (w, h) = dimensions;
            if w + h > 10_000 || w.max(h) > 20 * w.min(h).max(1) {
                return Err(ApiError::bad_request("PHOTO_INVALID_DIMENSIONS"));
            }
            Ok(state.store_photo(upload.bytes.clone(), dimensions, false))
        }
        InputFile::FileId(id) => match state.files.get(&id) {
            Some(file) if file.kind == FileKind::Photo => Ok(file.photo_sizes.clone()),
            Some(_) => Err(ApiError::bad_request("type of file mismatch")),
            None => Err(ApiError::bad_request("wrong file identifier/HTTP URL specified")),
        },
        // The fake does not fetch URLs; it keeps a placeholder without bytes.
        InputFile::Url(_) => Ok(state.store_photo(Vec::new(), (800, 600), true)),
    }
}

fn document_object(state: &mut State, input: InputFile<'_>) -> Result<Value, ApiError> {
    match input {
        InputFile::Upload(upload) => {
            let file_name = upload.file_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "file".into());
            let mime = guess_mime(&file_name)
                .map(str::to_owned)
                .or_else(|| upload.content_type.clone())
                .unwrap_or_else(|| "application/octet-stream".into());
            Ok(state.store_document(upload.bytes.clone(), &file_name, &mime, false))
        }
        InputFile::FileId(id) => match state.files.get(&id) {
            Some(file) => file.document.clone().ok_or_else(|| ApiError::bad_request("type of file mismatch")),
            None => Err(ApiError::bad_request("wrong file identifier/HTTP URL specified")),
        },
        InputFile::Url(url) => {
            let file_name = url.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("file").to_owned();
            let mime = guess_mime(&file_name).unwrap_or("application/octet-stream");
            Ok(state.store_document(Vec::new(), &file_name, mime, true))
        }
    }
}

fn guess_mime(file_name: &str) -> Option<&'static str> {
    let extension = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "zip" => "application/zip",
        _ => return None,
    })
}

fn send_photo(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let chat_id = target_chat(state, p)?;
    let caption = caption_params(p)?;
    let input = p.input_file("photo")?.ok_or_else(|| ApiError::bad_request("there is no photo in the request"))?;
    let sizes = photo_sizes(state, input)?;
    let mut content = Map::new();
    content.insert("photo".into(), Value::Array(sizes));
    put_text(&mut content, "caption", "caption_entities", caption);
    for flag in ["has_spoiler", "show_caption_above_media"] {
        if p.boolean(flag)? {
            content.insert(flag.into(), json!(true));
        }
    }
    deliver(state, p, chat_id, content, p.string("parse_mode"))
}

fn send_document(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let chat_id = target_chat(state, p)?;
    let caption = caption_params(p)?;
    let input =
        p.input_file("document")?.ok_or_else(|| ApiError::bad_request("there is no document in the request"))?;
    let document = document_object(state, input)?;
    let mut content = Map::new();
    content.insert("document".into(), document);
    put_text(&mut content, "caption", "caption_entities", caption);
    deliver(state, p, chat_id, content, p.string("parse_mode"))
}

fn location_params(p: &Params) -> Result<Value, ApiError> {
    let latitude = p.float("latitude")?.ok_or_else(|| ApiError::bad_request("latitude is empty"))?;
    let longitude = p.float("longitude")?.ok_or_else(|| ApiError::bad_request("longitude is empty"))?;
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return Err(ApiError::bad_request("wrong coordinates"));
    }
    Ok(json!({"latitude": latitude, "longitude": longitude}))
}

fn send_location(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let chat_id = target_chat(state, p)?;
    let mut content = Map::new();
    content.insert("location".into(), location_params(p)?);
    deliver(state, p, chat_id, content, None)
}

fn send_venue(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let chat_id = target_chat(state, p)?;
    let location = location_params(p)?;
    let title = p.string("title").filter(|t| !t.is_empty()).ok_or_else(|| ApiError::bad_request("title is empty"))?;
    let address =
        p.string("address").filter(|a| !a.is_empty()).ok_or_else(|| ApiError::bad_request("address is empty"))?;
    let mut content = Map::new();
    content.insert("venue".into(), json!({"location": location, "title": title, "address": address}));
    // Telegram repeats the venue's location at the top level.
    content.insert("location".into(), location);
    deliver(state, p, chat_id, content, None)
}

/// The message replied to, per `reply_parameters` or `reply_to_message_id`.
fn reply_target(state: &State, chat_id: i64, p: &Params) -> Result<Option<Value>, ApiError> {
    let parameters = p.json("reply_parameters", "can't parse reply parameters JSON object")?;
    let (message_id, allow_without) = match (parameters, p.int("reply_to_message_id")?) {
        (Some(parameters), _) => {
            (parameters["message_id"].as_i64(), parameters["allow_sending_without_reply"].as_bool().unwrap_or(false))
        }
        (None, Some(id)) => (Some(id), p.boolean("allow_sending_without_reply")?),
        (None, None) => return Ok(None),
    };
    let found = message_id.and_then(|id| state.chats.get(&chat_id)?.messages.get(&id));
    match found {
        Some(message) => {
            let mut replied = message.json.clone();
            if let Some(replied) = replied.as_object_mut() {
                replied.remove("reply_to_message");
            }
            Ok(Some(replied))
        }
        None if allow_without => Ok(None),
        None => Err(ApiError::bad_request("message to be replied not found")),
    }
}

/// Checks what every send shares (markup, reply, flood limits) and stores
/// the message.
fn deliver(
    state: &mut State,
    p: &Params,
    chat_id: i64,
    content: Map<String, Value>,
    parse_mode: Option<String>,
) -> Result<Value, ApiError> {
    let markup = markup::parse(p.json("reply_markup", "can't parse reply keyboard markup JSON object")?)?;
    let reply_to = reply_target(state, chat_id, p)?;
    if let Some(retry_after) = state.refuse_next.take() {
        return Err(ApiError::too_many_requests(retry_after));
    }
    state.rate.take(chat_id, Instant::now()).map_err(ApiError::too_many_requests)?;
    let chat = state.chats.get_mut(&chat_id).ok_or_else(|| ApiError::bad_request("chat not found"))?;
    let message_id = chat.next_message_id();
    let mut message = json!({
        "message_id": message_id, "from": bot_user_json(), "chat": chat.chat_json(), "date": unix_now()
    });
    if let Some(reply_to) = reply_to {
        message["reply_to_message"] = reply_to;
    }
    let mut reply_keyboard = None;
    match markup {
        Some(Markup::Inline(keyboard)) => message["reply_markup"] = keyboard,
        Some(Markup::Reply(keyboard)) => {
            reply_keyboard = Some(keyboard.labels());
            chat.reply_keyboard = Some(keyboard);
        }
        Some(Markup::Remove) => chat.reply_keyboard = None,
        Some(Markup::ForceReply) | None => {}
    }
    if let Value::Object(fields) = &mut message {
        fields.extend(content);
    }
    let stored = StoredMessage { json: message.clone(), from_bot: true, parse_mode, reply_keyboard, edited: false };
    chat.events.push(BotMessage::from_stored(chat_id, &stored));
    chat.messages.insert(message_id, stored);
    state.record_send();
    Ok(message)
}

/// The bot message an edit targets: `(chat id, message id)`.
fn edit_target(state: &State, p: &Params) -> Result<(i64, i64), ApiError> {
    if p.get("inline_message_id").is_some() {
        // Only text and caption edits of inline messages are implemented.
        return Err(ApiError::bad_request("MESSAGE_ID_INVALID"));
    }
    let chat_id = target_chat(state, p)?;
    let message_id =
        p.int("message_id")?.ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?;
    let message = state.chats[&chat_id]
        .messages
        .get(&message_id)
        .ok_or_else(|| ApiError::bad_request("message to edit not found"))?;
    if !message.from_bot {
        return Err(ApiError::bad_request("message can't be edited"));
    }
    Ok((chat_id, message_id))
}

/// Applies an edit unless it changes nothing (comparing content and
/// markup, not the edit date), and records it as an event.
fn apply_edit(
    state: &mut State,
    (chat_id, message_id): (i64, i64),
    edit: impl FnOnce(&mut Map<String, Value>),
    parse_mode: Option<Option<String>>,
) -> Result<Value, ApiError> {
    let State { chats, rate, .. } = state;
    let chat = chats.get_mut(&chat_id).ok_or_else(|| ApiError::bad_request("chat not found"))?;
    let stored =
        chat.messages.get_mut(&message_id).ok_or_else(|| ApiError::bad_request("message to edit not found"))?;
    let mut before = stored.json.clone();
    if let Some(fields) = before.as_object_mut() {
        fields.remove("edit_date");
    }
    let mut edited = before.clone();
    if let Some(fields) = edited.as_object_mut() {
        edit(fields);
    }
    if edited == before {
        return Err(ApiError::bad_request(NOT_MODIFIED));
    }
    rate.take(chat_id, Instant::now()).map_err(ApiError::too_many_requests)?;
    edited["edit_date"] = json!(unix_now());
    stored.json = edited.clone();
    stored.edited = true;
    if let Some(parse_mode) = parse_mode {
        stored.parse_mode = parse_mode;
    }
    let event = BotMessage::from_stored(chat_id, stored);
    chat.events.push(event);
    Ok(edited)
}

/// Sets the inline keyboard of an edited message: omitting `reply_markup`
/// removes it, as in Telegram.
fn put_markup(message: &mut Map<String, Value>, keyboard: Option<Value>) {
    match keyboard {
        Some(keyboard) => message.insert("reply_markup".into(), keyboard),
        None => message.remove("reply_markup"),
    };
}

fn edit_message_text(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    if p.get("inline_message_id").is_some() {
        return inline::edit(state, p, false);
    }
    let target = edit_target(state, p)?;
    let current = &state.chats[&target.0].messages[&target.1].json;
    if current.get("text").is_none() {
        return Err(ApiError::bad_request("there is no text in the message to edit"));
    }
    let parse_mode = p.string("parse_mode");
    let formatted = format_text(p, parse_mode.as_deref())?;
    if formatted.text.is_empty() {
        return Err(ApiError::bad_request("message text is empty"));
    }
    if formatting::utf16_len(&formatted.text) > MAX_TEXT {
        return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
    }
    let keyboard = markup::parse_inline_only(p.json("reply_markup", "can't parse reply keyboard markup JSON object")?)?;
    let edit = |m: &mut Map<String, Value>| {
        put_text(m, "text", "entities", formatted);
        put_markup(m, keyboard);
    };
    apply_edit(state, target, edit, Some(parse_mode))
}

fn edit_message_caption(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    if p.get("inline_message_id").is_some() {
        return inline::edit(state, p, true);
    }
    let target = edit_target(state, p)?;
    let current = &state.chats[&target.0].messages[&target.1].json;
    let has_media = ["photo", "document"].iter().any(|k| current.get(*k).is_some());
    if !has_media {
        return Err(ApiError::bad_request("there is no caption in the message to edit"));
    }
    let caption = caption_params(p)?;
    let keyboard = markup::parse_inline_only(p.json("reply_markup", "can't parse reply keyboard markup JSON object")?)?;
    let edit = |m: &mut Map<String, Value>| {
        put_text(m, "caption", "caption_entities", caption);
        put_markup(m, keyboard);
    };
    apply_edit(state, target, edit, Some(p.string("parse_mode")))
}

fn edit_message_reply_markup(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let target = edit_target(state, p)?;
    let keyboard = markup::parse_inline_only(p.json("reply_markup", "can't parse reply keyboard markup JSON object")?)?;
    apply_edit(state, target, |m| put_markup(m, keyboard), None)
}

fn edit_message_media(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let target = edit_target(state, p)?;
    let current = &state.chats[&target.0].messages[&target.1].json;
    if !["photo", "document"].iter().any(|k| current.get(*k).is_some()) {
        return Err(ApiError::bad_request("there is no media in the message to edit"));
    }
    let media = p
        .json("media", "can't parse InputMedia JSON object")?
        .ok_or_else(|| ApiError::bad_request("media is empty"))?
        .clone();
    let reference = media["media"].as_str().ok_or_else(|| ApiError::bad_request("media is empty"))?;
    let input = p.resolve(reference)?;
    let caption =
        format_caption(media["caption"].as_str(), media["parse_mode"].as_str(), media.get("caption_entities"))?;
    let (field, value) = match media["type"].as_str() {
        Some("photo") => ("photo", Value::Array(photo_sizes(state, input)?)),
        Some("document") => ("document", document_object(state, input)?),
        _ => return Err(ApiError::bad_request("unsupported media type")),
    };
    let keyboard = markup::parse_inline_only(p.json("reply_markup", "can't parse reply keyboard markup JSON object")?)?;
    let parse_mode = media["parse_mode"].as_str().map(str::to_owned);
    let edit = |m: &mut Map<String, Value>| {
        m.remove("photo");
        m.remove("document");
        m.insert(field.into(), value);
        put_text(m, "caption", "caption_entities", caption);
        put_markup(m, keyboard);
    };
    apply_edit(state, target, edit, Some(parse_mode))
}

fn delete_message(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let chat_id = target_chat(state, p)?;
    let message_id =
        p.int("message_id")?.ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?;
    let chat = state.chats.get_mut(&chat_id).ok_or_else(|| ApiError::bad_request("chat not found"))?;
    chat.messages.remove(&message_id).ok_or_else(|| ApiError::bad_request("message to delete not found"))?;
    Ok(json!(true))
}

fn answer_callback_query(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let id = p.string("callback_query_id").unwrap_or_default();
    let text = p.string("text").filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > MAX_CALLBACK_ANSWER) {
        return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
    }
    let callback = state.callbacks.get_mut(&id).filter(|c| c.answer.is_none());
    let callback = callback.ok_or_else(|| ApiError::bad_request(QUERY_TOO_OLD))?;
    callback.answer = Some(CallbackAnswer { text, show_alert: p.boolean("show_alert")?, url: p.string("url") });
    Ok(json!(true))
}

fn get_file(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    let id = p.string("file_id").unwrap_or_default();
    let file = state.files.get(&id).ok_or_else(|| ApiError::bad_request("invalid file_id"))?;
    if file.bytes.len() > MAX_DOWNLOAD {
        return Err(ApiError::bad_request("file is too big"));
    }
    Ok(json!({
        "file_id": id, "file_unique_id": file.unique_id, "file_size": file.bytes.len(), "file_path": file.path
    }))
}

fn send_chat_action(state: &mut State, p: &Params) -> Result<Value, ApiError> {
    target_chat(state, p)?;
    let action = p.string("action").unwrap_or_default();
    if !CHAT_ACTIONS.contains(&action.as_str()) {
        return Err(ApiError::bad_request("wrong parameter action in request"));
    }
    Ok(json!(true))
}
