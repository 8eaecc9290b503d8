//! Request parameters, normalised across the three encodings the Bot API
//! accepts. In query strings, forms and multipart bodies every value is a
//! string, and structured ones (`reply_markup`, `entities`…) are
//! JSON-serialised; here they become the same JSON values a JSON body carries.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::methods::ApiError;

const INTEGER_FIELDS: &[&str] = &[
    "chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "reply_to_message_id",
    "cache_time",
    "user_id",
    "message_thread_id",
    "from_chat_id",
    "max_connections",
    "live_period",
    "heading",
    "proximity_alert_radius",
];
const FLOAT_FIELDS: &[&str] = &["latitude", "longitude", "horizontal_accuracy"];
const BOOLEAN_FIELDS: &[&str] = &[
    "disable_notification",
    "protect_content",
    "show_alert",
    "disable_web_page_preview",
    "has_spoiler",
    "drop_pending_updates",
    "allow_sending_without_reply",
    "show_caption_above_media",
    "disable_content_type_detection",
    "allow_paid_broadcast",
];
const JSON_FIELDS: &[&str] = &[
    "reply_markup",
    "entities",
    "caption_entities",
    "reply_parameters",
    "link_preview_options",
    "media",
    "commands",
    "scope",
    "allowed_updates",
];

/// A file part of a multipart request.
pub(super) struct Upload {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
}

pub(super) struct Params {
    pub fields: Map<String, Value>,
    /// File parts by part name (a parameter name, or the name an
    /// `attach://<name>` value refers to).
    pub uploads: HashMap<String, Upload>,
}

/// A file parameter: uploaded now, or referenced by file id or URL.
pub(super) enum InputFile<'a> {
    Upload(&'a Upload),
    FileId(String),
    Url(String),
}

impl Params {
    /// Builds parameters from string pairs (query, form or multipart text
    /// parts), converting known fields to their JSON types. Later pairs win.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Params {
        let fields = pairs.into_iter().map(|(key, value)| (key, Value::String(value))).collect();
        Params::from_json(fields)
    }

    /// Builds parameters from a JSON object, parsing known fields that were
    /// sent as strings.
    pub fn from_json(mut fields: Map<String, Value>) -> Params {
        for (key, value) in fields.iter_mut() {
            let Value::String(text) = value else { continue };
            let key = key.as_str();
            let converted = if INTEGER_FIELDS.contains(&key) {
                text.trim().parse::<i64>().ok().map(Value::from)
            } else if FLOAT_FIELDS.contains(&key) {
                text.trim().parse::<f64>().ok().map(Value::from)
            } else if BOOLEAN_FIELDS.contains(&key) {
                match text.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" => Some(json!(true)),
                    "false" | "0" | "" => Some(json!(false)),
                    _ => None,
                }
            } else if JSON_FIELDS.contains(&key) {
                serde_json::from_str(text).ok()
            } else {
                None
            };
            if let Some(converted) = converted {
                *value = converted;
            }
        }
        Params { fields, uploads: HashMap::new() }
    }

    /// Merges `other` in, its fields overriding (a body over the query).
    pub fn merge(&mut self, other: Params) {
        self.fields.extend(other.fields);
        self.uploads.extend(other.uploads);
    }

    /// A present, non-null parameter.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key).filter(|v| !v.is_null())
    }

    pub fn string(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(format!("field \"{key}\" must be of type Integer"))),
        }
    }

    pub fn float(&self, key: &str) -> Result<Option<f64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => value
                .as_f64()
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(format!("field \"{key}\" must be of type Float"))),
        }
    }

    pub fn boolean(&self, key: &str) -> Result<bool, ApiError> {
        match self.get(key) {
            None => Ok(false),
            Some(value) => {
                value.as_bool().ok_or_else(|| ApiError::bad_request(format!("field \"{key}\" must be of type Boolean")))
            }
        }
    }

    /// A structured parameter; a string that did not parse as JSON is an
    /// error described by `unparsable`.
    pub fn json(&self, key: &str, unparsable: &str) -> Result<Option<&Value>, ApiError> {
        match self.get(key) {
            Some(Value::String(_)) => Err(ApiError::bad_request(unparsable)),
            other => Ok(other),
        }
    }

    /// A file parameter: a part of that name, or a string that is
    /// `attach://<part>`, a URL or a file id.
    pub fn input_file(&self, key: &str) -> Result<Option<InputFile<'_>>, ApiError> {
        if let Some(upload) = self.uploads.get(key) {
            return Ok(Some(InputFile::Upload(upload)));
        }
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(reference)) => self.resolve(reference).map(Some),
            Some(_) => Err(ApiError::bad_request("wrong file identifier/HTTP URL specified")),
        }
    }

    /// Resolves a file reference such as `InputMedia.media`.
    pub fn resolve(&self, reference: &str) -> Result<InputFile<'_>, ApiError> {
        if let Some(part) = reference.strip_prefix("attach://") {
            return self
                .uploads
                .get(part)
                .map(InputFile::Upload)
                .ok_or_else(|| ApiError::bad_request("wrong file identifier/HTTP URL specified"));
        }
        if reference.starts_with("http://") || reference.starts_with("https://") {
            return Ok(InputFile::Url(reference.to_owned()));
        }
        if reference.trim().is_empty() {
            return Err(ApiError::bad_request("wrong file identifier/HTTP URL specified"));
        }
        Ok(InputFile::FileId(reference.to_owned()))
    }

    /// The parameters as recorded for tests: uploads read
    /// `{"file": "<len> bytes"}`, wherever they were referenced.
    pub fn recorded(&self) -> Value {
        let mut fields = self.fields.clone();
        for (name, upload) in &self.uploads {
            // Parts only referenced through `attach://` are not parameters.
            if !self.is_attached(name) {
                fields.insert(name.clone(), describe(upload));
            }
        }
        let mut recorded = Value::Object(fields);
        self.replace_attachments(&mut recorded);
        recorded
    }

    fn is_attached(&self, part: &str) -> bool {
        let reference = format!("attach://{part}");
        fn mentions(value: &Value, reference: &str) -> bool {
            match value {
                Value::String(s) => s == reference,
                Value::Array(items) => items.iter().any(|v| mentions(v, reference)),
                Value::Object(fields) => fields.values().any(|v| mentions(v, reference)),
                _ => false,
            }
        }
        self.fields.values().any(|v| mentions(v, &reference))
    }

    fn replace_attachments(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                if let Some(upload) = s.strip_prefix("attach://").and_then(|part| self.uploads.get(part)) {
                    *value = describe(upload);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.replace_attachments(v)),
            Value::Object(fields) => fields.values_mut().for_each(|v| self.replace_attachments(v)),
            _ => {}
        }
    }
}

fn describe(upload: &Upload) -> Value {
    json!({"file": format!("{} bytes", upload.bytes.len())})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_become_json_types() {
        let params = Params::from_pairs([
            ("chat_id".to_owned(), "42".to_owned()),
            ("text".to_owned(), "123".to_owned()),
            ("reply_markup".to_owned(), r#"{"inline_keyboard":[]}"#.to_owned()),
            ("disable_notification".to_owned(), "true".to_owned()),
            ("latitude".to_owned(), "52.5".to_owned()),
        ]);
        assert_eq!(
            Value::Object(params.fields),
            json!({"chat_id": 42, "text": "123", "reply_markup": {"inline_keyboard": []},
                   "disable_notification": true, "latitude": 52.5})
        );
    }

    #[test]
    fn recorded_uploads_are_described() {
        let mut params = Params::from_pairs([("photo".to_owned(), "attach://abc".to_owned())]);
        params.uploads.insert("abc".into(), Upload { bytes: vec![0; 5], file_name: None, content_type: None });
        assert_eq!(params.recorded(), json!({"photo": {"file": "5 bytes"}}));
        assert!(matches!(params.input_file("photo"), Ok(Some(InputFile::Upload(u))) if u.bytes.len() == 5));
    }
}
