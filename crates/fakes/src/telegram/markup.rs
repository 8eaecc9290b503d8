//! `reply_markup`: inline keyboards, reply keyboards, keyboard removal and
//! forced replies, checked the way Telegram checks them.

use serde_json::{Map, Value, json};

use super::methods::ApiError;
use super::user::Button;

/// The most buttons Telegram accepts in one keyboard.
const MAX_BUTTONS: usize = 100;
/// The most bytes of `callback_data` Telegram accepts.
const MAX_CALLBACK_DATA: usize = 64;

/// Inline button fields that give a button an action, in the order we echo
/// the first one present.
const INLINE_ACTIONS: &[&str] = &[
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
];

pub(super) enum Markup {
    /// The keyboard as Telegram echoes it in `Message.reply_markup`.
    Inline(Value),
    Reply(ReplyKeyboard),
    Remove,
    ForceReply,
}

/// A custom keyboard under the input field, until removed or used once.
#[derive(Clone, Debug)]
pub(super) struct ReplyKeyboard {
    pub rows: Vec<Vec<ReplyButton>>,
    pub one_time: bool,
}

#[derive(Clone, Debug)]
pub(super) struct ReplyButton {
    pub text: String,
    pub request_contact: bool,
    pub request_location: bool,
}

impl ReplyKeyboard {
    pub fn labels(&self) -> Vec<Vec<String>> {
        self.rows.iter().map(|row| row.iter().map(|b| b.text.clone()).collect()).collect()
    }
}

/// Parses a normalised `reply_markup` parameter.
pub(super) fn parse(markup: Option<&Value>) -> Result<Option<Markup>, ApiError> {
    let Some(markup) = markup else { return Ok(None) };
    let unparsable = || ApiError::bad_request("can't parse reply keyboard markup JSON object");
    let object = markup.as_object().ok_or_else(unparsable)?;
    if let Some(rows) = object.get("inline_keyboard") {
        return parse_inline(rows).map(|keyboard| Some(Markup::Inline(keyboard)));
    }
    if let Some(rows) = object.get("keyboard") {
        return parse_reply(rows, object).map(|keyboard| Some(Markup::Reply(keyboard)));
    }
    if object.get("remove_keyboard").and_then(Value::as_bool) == Some(true) {
        return Ok(Some(Markup::Remove));
    }
    if object.get("force_reply").and_then(Value::as_bool) == Some(true) {
        return Ok(Some(Markup::ForceReply));
    }
    Err(unparsable())
}

/// Parses the markup of an edit, which may only be an inline keyboard.
pub(super) fn parse_inline_only(markup: Option<&Value>) -> Result<Option<Value>, ApiError> {
    match parse(markup)? {
        None => Ok(None),
        Some(Markup::Inline(keyboard)) => Ok(Some(keyboard)),
        Some(_) => Err(ApiError::bad_request("inline keyboard expected")),
    }
}

fn parse_inline(rows: &Value) -> Result<Value, ApiError> {
    let rows = rows.as_array().ok_or_else(|| {
        ApiError::bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
    })?;
    let mut echoed = Vec::new();
    let mut count = 0;
    for row in rows {
        let row = row.as_array().ok_or_else(|| ApiError::bad_request("can't parse inline keyboard button row"))?;
        let mut echoed_row = Vec::new();
        for button in row {
            count += 1;
            echoed_row.push(parse_inline_button(button)?);
        }
        echoed.push(Value::Array(echoed_row));
    }
    if count > MAX_BUTTONS {
        return Err(ApiError::bad_request("reply markup is too long"));
    }
    Ok(json!({ "inline_keyboard": echoed }))
}

fn parse_inline_button(button: &Value) -> Result<Value, ApiError> {
    let invalid = |why: &str| ApiError::bad_request(format!("can't parse inline keyboard button: {why}"));
    let button = button.as_object().ok_or_else(|| invalid("InlineKeyboardButton must be an Object"))?;
    let text = match button.get("text") {
        Some(Value::String(text)) => text,
        _ => return Err(invalid("Field \"text\" must be of type String")),
    };
    if text.trim().is_empty() {
        return Err(invalid("Text must be non-empty"));
    }
    // An empty string counts as absent, as it does for Telegram.
    let present = |key: &str| match button.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    };
    let Some(action) = INLINE_ACTIONS.iter().copied().find(|key| present(key)) else {
        return Err(invalid("Text buttons are unallowed in the inline keyboard"));
    };
    let value = &button[action];
    match action {
        "callback_data" => {
            let data = value.as_str().ok_or_else(|| ApiError::bad_request("BUTTON_DATA_INVALID"))?;
            if data.len() > MAX_CALLBACK_DATA {
                return Err(ApiError::bad_request("BUTTON_DATA_INVALID"));
            }
        }
        "web_app" => web_app_info(value)?,
        "url" => {
            let url = value.as_str().unwrap_or_default();
            let valid_scheme = ["http://", "https://", "tg://"].iter().any(|s| url.starts_with(s));
            if !valid_scheme || url.contains(char::is_whitespace) || url.len() <= "tg://".len() {
                return Err(ApiError::bad_request("BUTTON_URL_INVALID"));
            }
        }
        _ => {}
    }
    let mut echoed = Map::new();
    echoed.insert("text".into(), json!(text));
    echoed.insert(action.into(), value.clone());
    Ok(Value::Object(echoed))
}

/// A `WebAppInfo`: an object whose `url` is https, as Telegram requires
/// of every Mini App.
pub(super) fn web_app_info(value: &Value) -> Result<(), ApiError> {
    let url = value
        .as_object()
        .and_then(|o| o.get("url"))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("can't parse WebAppInfo: field \"url\" must be of type String"))?;
    if !url.starts_with("https://") || url.len() <= "https://".len() || url.contains(char::is_whitespace) {
        return Err(ApiError::bad_request("BUTTON_URL_INVALID"));
    }
    Ok(())
}

fn parse_reply(rows: &Value, markup: &Map<String, Value>) -> Result<ReplyKeyboard, ApiError> {
    let rows = rows
        .as_array()
        .ok_or_else(|| ApiError::bad_request("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array"))?;
    let mut parsed = Vec::new();
    for row in rows {
        let row = row.as_array().ok_or_else(|| ApiError::bad_request("can't parse keyboard button row"))?;
        let mut parsed_row = Vec::new();
        for button in row {
            let (text, object) = match button {
                Value::String(text) => (text.clone(), None),
                Value::Object(object) => match object.get("text") {
                    Some(Value::String(text)) => (text.clone(), Some(object)),
                    _ => {
                        return Err(ApiError::bad_request(
                            "can't parse keyboard button: Field \"text\" must be of type String",
                        ));
                    }
                },
                _ => return Err(ApiError::bad_request("can't parse keyboard button")),
            };
            if text.trim().is_empty() {
                return Err(ApiError::bad_request("keyboard button text must be non-empty"));
            }
            let flag = |key| object.and_then(|o| o.get(key)).and_then(Value::as_bool).unwrap_or(false);
            parsed_row.push(ReplyButton {
                text,
                request_contact: flag("request_contact"),
                request_location: flag("request_location"),
            });
        }
        parsed.push(parsed_row);
    }
    if parsed.iter().map(Vec::len).sum::<usize>() > MAX_BUTTONS {
        return Err(ApiError::bad_request("reply markup is too long"));
    }
    let one_time = markup.get("one_time_keyboard").and_then(Value::as_bool).unwrap_or(false);
    Ok(ReplyKeyboard { rows: parsed, one_time })
}

/// The buttons of an echoed inline keyboard, for tests to read and press.
pub(super) fn inline_buttons(message: &Value) -> Vec<Vec<Button>> {
    let Some(rows) = message.pointer("/reply_markup/inline_keyboard").and_then(Value::as_array) else {
        return Vec::new();
    };
    rows.iter()
        .map(|row| {
            row.as_array()
                .into_iter()
                .flatten()
                .map(|b| Button {
                    text: b["text"].as_str().unwrap_or_default().to_owned(),
                    callback_data: b["callback_data"].as_str().map(str::to_owned),
                    url: b["url"].as_str().map(str::to_owned),
                    web_app_url: b["web_app"]["url"].as_str().map(str::to_owned),
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(markup: Value) -> String {
        match parse(Some(&markup)) {
            Ok(_) => panic!("accepted {markup}"),
            Err(error) => error.description,
        }
    }

    #[test]
    fn inline_keyboard_is_echoed_with_one_action_per_button() {
        let Ok(Some(Markup::Inline(echo))) =
            parse(Some(&json!({"inline_keyboard": [[{"text": "Buy", "callback_data": "b:1", "url": ""}]]})))
        else {
            panic!("not an inline keyboard");
        };
        assert_eq!(echo, json!({"inline_keyboard": [[{"text": "Buy", "callback_data": "b:1"}]]}));
    }

    #[test]
    fn inline_keyboard_errors() {
        let data = "x".repeat(65);
        assert_eq!(
            error(json!({"inline_keyboard": [[{"text": "a", "callback_data": data}]]})),
            "Bad Request: BUTTON_DATA_INVALID"
        );
        assert_eq!(
            error(json!({"inline_keyboard": [[{"text": "a"}]]})),
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        );
        assert_eq!(
            error(json!({"inline_keyboard": [[{"text": "a", "url": "example.com"}]]})),
            "Bad Request: BUTTON_URL_INVALID"
        );
        assert_eq!(
            error(json!({"inline_keyboard": [[{"text": "", "callback_data": "x"}]]})),
            "Bad Request: can't parse inline keyboard button: Text must be non-empty"
        );
        assert_eq!(error(json!({"nothing": true})), "Bad Request: can't parse reply keyboard markup JSON object");
    }

    #[test]
    fn callback_data_limit_is_in_bytes() {
        let ok = "é".repeat(32);
        assert!(parse(Some(&json!({"inline_keyboard": [[{"text": "a", "callback_data": ok}]]}))).is_ok());
        let too_long = format!("{ok}x");
        assert_eq!(
            error(json!({"inline_keyboard": [[{"text": "a", "callback_data": too_long}]]})),
            "Bad Request: BUTTON_DATA_INVALID"
        );
    }

    #[test]
    fn reply_keyboard() {
        let Ok(Some(Markup::Reply(keyboard))) = parse(Some(&json!({
            "keyboard": [["Menu", {"text": "Share phone", "request_contact": true}]],
            "one_time_keyboard": true
        }))) else {
            panic!("not a reply keyboard");
        };
        assert_eq!(keyboard.labels(), vec![vec!["Menu".to_owned(), "Share phone".to_owned()]]);
        assert!(keyboard.one_time && keyboard.rows[0][1].request_contact && !keyboard.rows[0][0].request_contact);
    }
}
