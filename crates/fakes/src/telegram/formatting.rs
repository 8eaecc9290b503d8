//! Message formatting the way Telegram's server (TDLib) does it: `HTML`,
//! `MarkdownV2` and legacy `Markdown` become plain text plus entities, with
//! TDLib's error messages; then the text is trimmed. Offsets and lengths are
//! in UTF-16 code units, as in the Bot API.

use serde_json::{Value, json};

use super::methods::ApiError;

/// Text as the recipient sees it, with its entities as Bot API JSON.
#[derive(Debug, PartialEq)]
pub(super) struct Formatted {
    pub text: String,
    pub entities: Vec<Value>,
}

/// Parses `text` according to `parse_mode` (or takes the explicit `entities`
/// when there is no parse mode) and trims surrounding whitespace, like the
/// server does before storing a message.
pub(super) fn format(text: &str, parse_mode: Option<&str>, entities: Option<&Value>) -> Result<Formatted, ApiError> {
    let (text, entities) = match parse_mode.filter(|mode| !mode.is_empty()) {
        None => (text.to_owned(), explicit_entities(entities)?),
        Some(mode) => {
            let parsed = match mode.to_ascii_lowercase().as_str() {
                "html" => parse_html(text),
                "markdownv2" => parse_markdown_v2(text),
                "markdown" => parse_markdown(text),
                _ => return Err(ApiError::bad_request("unsupported parse_mode")),
            };
            let (text, entities) =
                parsed.map_err(|reason| ApiError::bad_request(format!("can't parse entities: {reason}")))?;
            (text, entities.into_iter().map(Entity::into_json).collect())
        }
    };
    Ok(trim(text, entities))
}

/// Length as Telegram counts it, in UTF-16 code units.
pub(super) fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

fn explicit_entities(entities: Option<&Value>) -> Result<Vec<Value>, ApiError> {
    let Some(entities) = entities else { return Ok(Vec::new()) };
    let invalid = || ApiError::bad_request("can't parse entities JSON object");
    let list = entities.as_array().ok_or_else(invalid)?;
    for entity in list {
        let valid = entity.get("type").is_some_and(Value::is_string)
            && entity.get("offset").is_some_and(|v| v.as_u64().is_some())
            && entity.get("length").is_some_and(|v| v.as_u64().is_some());
        if !valid {
            return Err(invalid());
        }
    }
    Ok(list.clone())
}

/// Drops leading and trailing whitespace and moves the entities with the text.
fn trim(text: String, entities: Vec<Value>) -> Formatted {
    let trimmed_start = text.trim_start();
    let lead = utf16_len(&text[..text.len() - trimmed_start.len()]);
    let trimmed = trimmed_start.trim_end();
    let len = utf16_len(trimmed);
    let mut kept = Vec::new();
    for mut entity in entities {
        let offset = entity["offset"].as_u64().unwrap_or(0) as usize;
        let end = offset + entity["length"].as_u64().unwrap_or(0) as usize;
        let start = offset.max(lead) - lead;
        let end = end.min(lead + len).saturating_sub(lead);
        if end > start {
            entity["offset"] = json!(start);
            entity["length"] = json!(end - start);
            kept.push(entity);
        }
    }
    kept.sort_by_key(|e| (e["offset"].as_u64(), std::cmp::Reverse(e["length"].as_u64())));
    Formatted { text: trimmed.to_owned(), entities: kept }
}

#[derive(Debug, PartialEq)]
struct Entity {
    kind: &'static str,
    offset: usize,
    length: usize,
    /// An extra field such as `("url", …)` or `("language", …)`.
    extra: Option<(&'static str, String)>,
}

impl Entity {
    fn into_json(self) -> Value {
        let mut value = json!({"type": self.kind, "offset": self.offset, "length": self.length});
        if let Some((key, extra)) = self.extra {
            value[key] = json!(extra);
        }
        value
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The next character of `text` at byte `i`, which is a char boundary.
fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or('\0')
}

const HTML_TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
];

struct OpenTag {
    name: String,
    argument: String,
    expandable: bool,
    /// UTF-16 offset in the output where the tag's content starts.
    start: usize,
    /// Byte offset in the output, for `<a>` without `href`.
    start_byte: usize,
}

/// TDLib's `parse_html`, stricter in one place: an `&` that starts no
/// supported entity is rejected (TDLib passes it through, but the Bot API
/// documentation requires escaping it, and well-behaved bots always do).
fn parse_html(text: &str) -> Result<(String, Vec<Entity>), String> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut utf16 = 0;
    let mut open: Vec<OpenTag> = Vec::new();
    let mut entities = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'&' {
            let Some((ch, next)) = decode_html_entity(text, i) else {
                return Err(format!(
                    "Unescaped '&' at byte offset {i}; the Bot API requires \"&amp;\" for a literal '&'"
                ));
            };
            out.push(ch);
            utf16 += ch.len_utf16();
            i = next;
            continue;
        }
        if c != b'<' {
            let ch = char_at(text, i);
            out.push(ch);
            utf16 += ch.len_utf16();
            i += ch.len_utf8();
            continue;
        }

        let begin = i;
        i += 1;
        if b.get(i) != Some(&b'/') {
            while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                i += 1;
            }
            if i >= b.len() {
                return Err(format!("Unclosed start tag at byte offset {begin}"));
            }
            let name = text[begin + 1..i].to_ascii_lowercase();
            if !HTML_TAGS.contains(&name.as_str()) {
                return Err(format!("Unsupported start tag \"{name}\" at byte offset {begin}"));
            }
            let mut argument = String::new();
            let mut expandable = false;
            loop {
                while i < b.len() && is_space(b[i]) {
                    i += 1;
                }
                if i >= b.len() {
                    return Err(format!("Unclosed start tag at byte offset {begin}"));
                }
                if b[i] == b'>' {
                    break;
                }
                let attribute_begin = i;
                while i < b.len() && !is_space(b[i]) && b[i] != b'=' && b[i] != b'>' {
                    i += 1;
                }
                let attribute = text[attribute_begin..i].to_ascii_lowercase();
                if attribute.is_empty() {
                    return Err(format!("Empty attribute name in the tag \"{name}\" at byte offset {begin}"));
                }
                while i < b.len() && is_space(b[i]) {
                    i += 1;
                }
                if i >= b.len() || b[i] != b'=' {
                    if name == "blockquote" && attribute == "expandable" {
                        expandable = true;
                    }
                    continue;
                }
                i += 1;
                while i < b.len() && is_space(b[i]) {
                    i += 1;
                }
                if i >= b.len() {
                    return Err(format!("Unclosed start tag \"{name}\" at byte offset {begin}"));
                }
                let value = if b[i] == b'"' || b[i] == b'\'' {
                    let quote = b[i];
                    i += 1;
                    let mut value = String::new();
                    while i < b.len() && b[i] != quote {
                        if b[i] == b'&'
                            && let Some((ch, next)) = decode_html_entity(text, i)
                        {
                            value.push(ch);
                            i = next;
                            continue;
                        }
                        let ch = char_at(text, i);
                        value.push(ch);
                        i += ch.len_utf8();
                    }
                    if i >= b.len() {
                        return Err(format!("Unclosed start tag at byte offset {begin}"));
                    }
                    i += 1;
                    value
                } else {
                    let token_begin = i;
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'-') {
                        i += 1;
                    }
                    if i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                        return Err(format!("Unexpected end of name token at byte offset {token_begin}"));
                    }
                    text[token_begin..i].to_ascii_lowercase()
                };
                match (name.as_str(), attribute.as_str()) {
                    ("a", "href") | ("tg-emoji", "emoji-id") => argument = value,
                    ("code", "class") => {
                        if let Some(language) = value.strip_prefix("language-") {
                            argument = language.to_owned();
                        }
                    }
                    ("span", "class") => {
                        if let Some(class) = value.strip_prefix("tg-") {
                            argument = class.to_owned();
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
            if name == "span" && argument != "spoiler" {
                return Err(format!("Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"));
            }
            open.push(OpenTag { name, argument, expandable, start: utf16, start_byte: out.len() });
        } else {
            if open.is_empty() {
                return Err(format!("Unexpected end tag at byte offset {begin}"));
            }
            i += 1;
            let name_begin = i;
            while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                i += 1;
            }
            let end_name = &text[name_begin..i];
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            if i >= b.len() || b[i] != b'>' {
                return Err(format!("Unclosed end tag at byte offset {begin}"));
            }
            i += 1;
            let tag = open.pop().unwrap_or_else(|| unreachable!("checked above"));
            if !end_name.is_empty() && end_name != tag.name {
                return Err(format!(
                    "Unmatched end tag at byte offset {begin}, expected \"</{}>\", found \"</{end_name}>\"",
                    tag.name
                ));
            }
            if utf16 > tag.start {
                close_html_tag(tag, utf16, &out, &mut entities);
            }
        }
    }
    if let Some(tag) = open.last() {
        return Err(format!("Can't find end tag corresponding to start tag \"{}\"", tag.name));
    }
    for entity in &mut entities {
        if entity.kind == "code" {
            // Only `<pre>` takes a language from its `<code>`.
            entity.extra = None;
        }
    }
    Ok((out, entities))
}

fn close_html_tag(tag: OpenTag, end: usize, out: &str, entities: &mut Vec<Entity>) {
    let (offset, length) = (tag.start, end - tag.start);
    let entity = |kind| Entity { kind, offset, length, extra: None };
    let entity = match tag.name.as_str() {
        "b" | "strong" => entity("bold"),
        "i" | "em" => entity("italic"),
        "u" | "ins" => entity("underline"),
        "s" | "strike" | "del" => entity("strikethrough"),
        "tg-spoiler" | "span" => entity("spoiler"),
        // The language is for an enclosing `<pre>`; standalone `<code>` drops it at the end.
        "code" => Entity { extra: Some(("language", tag.argument)).filter(|(_, l)| !l.is_empty()), ..entity("code") },
        "blockquote" if tag.expandable => entity("expandable_blockquote"),
        "blockquote" => entity("blockquote"),
        "tg-emoji" => Entity { extra: Some(("custom_emoji_id", tag.argument)), ..entity("custom_emoji") },
        "pre" => {
            // `<pre><code class="language-x">…</code></pre>` is one `pre` entity.
            let mut pre = entity("pre");
            if let Some(last) = entities.last()
                && last.kind == "code"
                && last.offset == offset
                && last.length == length
            {
                let code = entities.pop().unwrap_or_else(|| unreachable!("checked above"));
                if let Some(language) = code.extra.map(|(_, language)| language) {
                    pre.extra = Some(("language", language));
                }
            }
            pre
        }
        "a" => {
            let url = if tag.argument.is_empty() { &out[tag.start_byte..] } else { &tag.argument };
            // TDLib silently drops links it can't parse.
            let Some(url) = normalize_url(url) else { return };
            Entity { extra: Some(("url", url)), ..entity("text_link") }
        }
        _ => return,
    };
    entities.push(entity);
}

/// The link Telegram stores for an `<a href>` or `[text](url)`, or `None`
/// for one it silently drops. Like TDLib, a missing scheme becomes `http://`
/// and a bare host gets its `/`.
fn normalize_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.contains(char::is_whitespace) {
        return None;
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None if url.contains('.') && !url.contains(':') => ("http".to_owned(), url),
        None => return None,
    };
    let valid_scheme = !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !valid_scheme || rest.is_empty() {
        return None;
    }
    let bare_host = !rest.contains(['/', '?', '#']);
    Some(format!("{scheme}://{rest}{}", if bare_host && scheme != "tg" { "/" } else { "" }))
}

/// Decodes `&lt;`, `&gt;`, `&amp;`, `&quot;` and numeric references at byte
/// `i`; returns the character and the byte after the reference.
fn decode_html_entity(text: &str, i: usize) -> Option<(char, usize)> {
    let b = text.as_bytes();
    let mut end = i + 1;
    let ch = if b.get(end) == Some(&b'#') {
        end += 1;
        let hex = matches!(b.get(end), Some(b'x' | b'X'));
        if hex {
            end += 1;
        }
        let digits_begin = end;
        while end < b.len() && (if hex { b[end].is_ascii_hexdigit() } else { b[end].is_ascii_digit() }) {
            end += 1;
        }
        let code = u32::from_str_radix(&text[digits_begin..end], if hex { 16 } else { 10 }).ok()?;
        char::from_u32(code).filter(|&c| c != '\0')?
    } else {
        while end < b.len() && b[end].is_ascii_alphabetic() {
            end += 1;
        }
        match &text[i + 1..end] {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            _ => return None,
        }
    };
    if b.get(end) == Some(&b';') {
        end += 1;
    }
    Some((ch, end))
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum MdKind {
    Bold,
    Italic,
    Underline,
    Strikethrough,
    Spoiler,
    Code,
    Pre,
    TextUrl,
    CustomEmoji,
    Blockquote,
}

struct MdOpen {
    kind: MdKind,
    language: Option<String>,
    start: usize,
    start_byte_in_text: usize,
    start_byte_in_out: usize,
}

/// The byte at `i`, or 0 past the end (TDLib reads a NUL-terminated string).
fn byte(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn reserved_error(c: char) -> String {
    format!("Character '{c}' is reserved and must be escaped with the preceding '\\'")
}

/// TDLib's `parse_markdown_v2`.
fn parse_markdown_v2(text: &str) -> Result<(String, Vec<Entity>), String> {
    const RESERVED: &str = "_*[]()~`>#+-=|{}.!";
    let b = text.as_bytes();
    let mut out = String::new();
    let mut utf16 = 0;
    let mut open: Vec<MdOpen> = Vec::new();
    let mut entities = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && b.get(i + 1).is_some_and(|&n| (1..=126).contains(&n)) {
            out.push(b[i + 1] as char);
            utf16 += 1;
            i += 2;
            continue;
        }
        let in_code = open.last().is_some_and(|o| matches!(o.kind, MdKind::Code | MdKind::Pre));
        let reserved = if in_code { "`" } else { RESERVED };
        if c == b'\n' && open.last().is_some_and(|o| o.kind == MdKind::Blockquote) && b.get(i + 1) != Some(&b'>') {
            let quote = open.pop().unwrap_or_else(|| unreachable!("checked above"));
            if utf16 > quote.start {
                entities.push(Entity {
                    kind: "blockquote",
                    offset: quote.start,
                    length: utf16 - quote.start,
                    extra: None,
                });
            }
        }
        if !c.is_ascii() || !reserved.contains(c as char) {
            let ch = char_at(text, i);
            out.push(ch);
            utf16 += ch.len_utf16();
            i += ch.len_utf8();
            continue;
        }
        let closes = open.last().is_some_and(|o| match o.kind {
            MdKind::Bold => c == b'*',
            MdKind::Italic => c == b'_' && byte(b, i + 1) != b'_',
            MdKind::Underline => c == b'_' && byte(b, i + 1) == b'_',
            MdKind::Strikethrough => c == b'~',
            MdKind::Spoiler => c == b'|' && byte(b, i + 1) == b'|',
            MdKind::Code => c == b'`',
            MdKind::Pre => c == b'`' && byte(b, i + 1) == b'`' && byte(b, i + 2) == b'`',
            MdKind::TextUrl | MdKind::CustomEmoji => c == b']',
            MdKind::Blockquote => false,
        });
        if !closes {
            let begin = i;
            let mut language = None;
            let kind = match c {
                b'_' if byte(b, i + 1) == b'_' => {
                    i += 1;
                    MdKind::Underline
                }
                b'_' => MdKind::Italic,
                b'*' => MdKind::Bold,
                b'~' => MdKind::Strikethrough,
                b'|' if byte(b, i + 1) == b'|' => {
                    i += 1;
                    MdKind::Spoiler
                }
                b'[' => MdKind::TextUrl,
                b'!' if byte(b, i + 1) == b'[' => {
                    i += 1;
                    MdKind::CustomEmoji
                }
                b'`' if byte(b, i + 1) == b'`' && byte(b, i + 2) == b'`' => {
                    i += 3;
                    let mut language_end = i;
                    while language_end < b.len() && !is_space(b[language_end]) && b[language_end] != b'`' {
                        language_end += 1;
                    }
                    if i != language_end && language_end < b.len() && b[language_end] != b'`' {
                        language = Some(text[i..language_end].to_owned());
                        i = language_end;
                    }
                    // One line break after the opening fence is not content.
                    if matches!(b.get(i), Some(b'\n' | b'\r')) {
                        if matches!(b.get(i + 1), Some(b'\n' | b'\r')) && b[i] != b[i + 1] {
                            i += 2;
                        } else {
                            i += 1;
                        }
                    }
                    i -= 1;
                    MdKind::Pre
                }
                b'`' => MdKind::Code,
                b'>' if (begin == 0 || b[begin - 1] == b'\n') => {
                    i += 1;
                    if open.last().is_some_and(|o| o.kind == MdKind::Blockquote) {
                        // Another line of the quote already open.
                        continue;
                    }
                    open.push(MdOpen {
                        kind: MdKind::Blockquote,
                        language: None,
                        start: utf16,
                        start_byte_in_text: begin,
                        start_byte_in_out: out.len(),
                    });
                    continue;
                }
                _ => return Err(reserved_error(c as char)),
            };
            open.push(MdOpen { kind, language, start: utf16, start_byte_in_text: begin, start_byte_in_out: out.len() });
            i += 1;
            continue;
        }

        let o = open.pop().unwrap_or_else(|| unreachable!("checked above"));
        let empty = utf16 == o.start;
        let entity = |kind| Entity { kind, offset: o.start, length: utf16 - o.start, extra: None };
        let entity = match o.kind {
            MdKind::Bold => entity("bold"),
            MdKind::Italic => entity("italic"),
            MdKind::Strikethrough => entity("strikethrough"),
            MdKind::Code => entity("code"),
            MdKind::Spoiler => {
                i += 1;
                entity("spoiler")
            }
            MdKind::Underline => {
                i += 1;
                entity("underline")
            }
            MdKind::Pre => {
                i += 2;
                Entity { extra: o.language.map(|l| ("language", l)), ..entity("pre") }
            }
            MdKind::TextUrl | MdKind::CustomEmoji => {
                let url = if byte(b, i + 1) == b'(' {
                    i += 2;
                    let url_begin = i;
                    let mut url = String::new();
                    while i < b.len() && b[i] != b')' {
                        if b[i] == b'\\' && b.get(i + 1).is_some_and(|&n| (1..=126).contains(&n)) {
                            url.push(b[i + 1] as char);
                            i += 2;
                            continue;
                        }
                        let ch = char_at(text, i);
                        url.push(ch);
                        i += ch.len_utf8();
                    }
                    if i >= b.len() {
                        return Err(format!("Can't find end of a URL at byte offset {url_begin}"));
                    }
                    url
                } else {
                    out[o.start_byte_in_out..].to_owned()
                };
                if o.kind == MdKind::CustomEmoji {
                    let Some(id) = url.strip_prefix("tg://emoji?id=") else {
                        return Err("Custom emoji entity must contain a tg://emoji URL".to_owned());
                    };
                    Entity { extra: Some(("custom_emoji_id", id.to_owned())), ..entity("custom_emoji") }
                } else if let Some(url) = normalize_url(&url) {
                    Entity { extra: Some(("url", url)), ..entity("text_link") }
                } else {
                    i += 1;
                    continue;
                }
            }
            MdKind::Blockquote => unreachable!("a blockquote ends at a line break"),
        };
        if !empty {
            entities.push(entity);
        }
        i += 1;
    }
    if let Some(o) = open.pop() {
        if o.kind != MdKind::Blockquote {
            return Err(format!("Can't find end of the entity starting at byte offset {}", o.start_byte_in_text));
        }
        if utf16 > o.start {
            entities.push(Entity { kind: "blockquote", offset: o.start, length: utf16 - o.start, extra: None });
        }
        if let Some(o) = open.last() {
            return Err(format!("Can't find end of the entity starting at byte offset {}", o.start_byte_in_text));
        }
    }
    Ok((out, entities))
}

/// TDLib's legacy `parse_markdown` (`*bold*`, `_italic_`, `` `code` ``,
/// ```` ```pre``` ````, `[text](url)`).
fn parse_markdown(text: &str) -> Result<(String, Vec<Entity>), String> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut utf16 = 0;
    let mut entities = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && matches!(b.get(i + 1), Some(b'_' | b'*' | b'`' | b'[')) {
            out.push(b[i + 1] as char);
            utf16 += 1;
            i += 2;
            continue;
        }
        if !matches!(c, b'_' | b'*' | b'`' | b'[') {
            let ch = char_at(text, i);
            out.push(ch);
            utf16 += ch.len_utf16();
            i += ch.len_utf8();
            continue;
        }
        let begin = i;
        let end_char = if c == b'[' { b']' } else { c };
        i += 1;
        let mut is_pre = false;
        let mut language = None;
        if c == b'`' && b.get(i) == Some(&b'`') && b.get(i + 1) == Some(&b'`') {
            i += 2;
            is_pre = true;
            let language_end = text[i..].find(['\n', '`']).map_or(b.len(), |n| i + n);
            if language_end < b.len() && b[language_end] == b'\n' {
                if language_end > i {
                    language = Some(text[i..language_end].to_owned());
                }
                i = language_end + 1;
            }
        }
        let start = utf16;
        let start_byte = out.len();
        while i < b.len()
            && (b[i] != end_char || (is_pre && !(b.get(i + 1) == Some(&b'`') && b.get(i + 2) == Some(&b'`'))))
        {
            let ch = char_at(text, i);
            out.push(ch);
            utf16 += ch.len_utf16();
            i += ch.len_utf8();
        }
        if i >= b.len() {
            return Err(format!("Can't find end of the entity starting at byte offset {begin}"));
        }
        let length = utf16 - start;
        let entity = |kind| Entity { kind, offset: start, length, extra: None };
        let entity = match c {
            b'_' => Some(entity("italic")),
            b'*' => Some(entity("bold")),
            b'`' if is_pre => Some(Entity { extra: language.map(|l| ("language", l)), ..entity("pre") }),
            b'`' => Some(entity("code")),
            _ => {
                let url = if b.get(i + 1) == Some(&b'(') {
                    let url_begin = i + 2;
                    let url_end = text[url_begin..].find(')').map_or(b.len(), |n| url_begin + n);
                    if url_end >= b.len() {
                        return Err(format!("Can't find end of a URL at byte offset {url_begin}"));
                    }
                    i = url_end;
                    text[url_begin..url_end].to_owned()
                } else {
                    out[start_byte..].to_owned()
                };
                normalize_url(&url).map(|url| Entity { extra: Some(("url", url)), ..entity("text_link") })
            }
        };
        if let Some(entity) = entity
            && length > 0
        {
            entities.push(entity);
        }
        i += if is_pre { 3 } else { 1 };
    }
    Ok((out, entities))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(parse_mode: &str, input: &str, text: &str, entities: Value) {
        let formatted = format(input, Some(parse_mode), None).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
        assert_eq!(formatted.text, text, "{input:?}");
        assert_eq!(Value::Array(formatted.entities), entities, "{input:?}");
    }

    fn check_err(parse_mode: &str, input: &str, description: &str) {
        let error = format(input, Some(parse_mode), None).expect_err(input);
        assert_eq!(error.description, description, "{input:?}");
    }

    #[test]
    fn html() {
        check("HTML", "plain", "plain", json!([]));
        check(
            "HTML",
            "<b>Bread</b> &amp; <i>jam</i> &lt;3",
            "Bread & jam <3",
            json!([{"type":"bold","offset":0,"length":5},{"type":"italic","offset":8,"length":3}]),
        );
        check("HTML", "🍞 <b>x</b>", "🍞 x", json!([{"type":"bold","offset":3,"length":1}]));
        check(
            "HTML",
            "<a href=\"https://e.com/?a=1&amp;b=2\">link</a>",
            "link",
            json!([{"type":"text_link","offset":0,"length":4,"url":"https://e.com/?a=1&b=2"}]),
        );
        check(
            "HTML",
            "<pre><code class=\"language-rust\">fn x()</code></pre>",
            "fn x()",
            json!([{"type":"pre","offset":0,"length":6,"language":"rust"}]),
        );
        check("HTML", "<span class=\"tg-spoiler\">s</span>", "s", json!([{"type":"spoiler","offset":0,"length":1}]));
        check("HTML", "&#128512;&#x41;", "😀A", json!([]));
        check("HTML", "  <b> x </b>\n", "x", json!([{"type":"bold","offset":0,"length":1}]));
        check("html", "<b>a</>", "a", json!([{"type":"bold","offset":0,"length":1}]));
    }

    #[test]
    fn html_errors() {
        let e = |s: &str| format!("Bad Request: can't parse entities: {s}");
        check_err("HTML", "a<br>b", &e("Unsupported start tag \"br\" at byte offset 1"));
        check_err("HTML", "1 < 2", &e("Unsupported start tag \"\" at byte offset 2"));
        check_err("HTML", "<b>x", &e("Can't find end tag corresponding to start tag \"b\""));
        check_err("HTML", "<b>x</i>", &e("Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""));
        check_err("HTML", "x</b>", &e("Unexpected end tag at byte offset 1"));
        check_err("HTML", "a <b", &e("Unclosed start tag at byte offset 2"));
        check_err(
            "HTML",
            "Fish & chips",
            &e("Unescaped '&' at byte offset 5; the Bot API requires \"&amp;\" for a literal '&'"),
        );
        check_err(
            "HTML",
            "&nbsp;",
            &e("Unescaped '&' at byte offset 0; the Bot API requires \"&amp;\" for a literal '&'"),
        );
        check_err("Fancy", "x", "Bad Request: unsupported parse_mode");
    }

    #[test]
    fn markdown_v2() {
        check(
            "MarkdownV2",
            "*bold* _it_ __u__",
            "bold it u",
            json!([
                {"type":"bold","offset":0,"length":4},
                {"type":"italic","offset":5,"length":2},
                {"type":"underline","offset":8,"length":1}
            ]),
        );
        check("MarkdownV2", "Price: 3\\.50 \\(each\\)", "Price: 3.50 (each)", json!([]));
        check(
            "MarkdownV2",
            "[site](https://e.com/a\\)b)",
            "site",
            json!([{"type":"text_link","offset":0,"length":4,"url":"https://e.com/a)b"}]),
        );
        check("MarkdownV2", "`a.b`", "a.b", json!([{"type":"code","offset":0,"length":3}]));
        check(
            "MarkdownV2",
            "```rust\nlet x = 1;```",
            "let x = 1;",
            json!([{"type":"pre","offset":0,"length":10,"language":"rust"}]),
        );
        check("MarkdownV2", "||s||", "s", json!([{"type":"spoiler","offset":0,"length":1}]));
        check(
            "MarkdownV2",
            ">quoted\n>more\nafter",
            "quoted\nmore\nafter",
            json!([{"type":"blockquote","offset":0,"length":11}]),
        );
    }

    #[test]
    fn markdown_v2_errors() {
        let e = |s: &str| format!("Bad Request: can't parse entities: {s}");
        check_err(
            "MarkdownV2",
            "Total: 3.50",
            &e("Character '.' is reserved and must be escaped with the preceding '\\'"),
        );
        check_err("MarkdownV2", "a-b", &e("Character '-' is reserved and must be escaped with the preceding '\\'"));
        check_err("MarkdownV2", "x *bold", &e("Can't find end of the entity starting at byte offset 2"));
        check_err("MarkdownV2", "a > b", &e("Character '>' is reserved and must be escaped with the preceding '\\'"));
    }

    #[test]
    fn markdown_legacy() {
        check(
            "Markdown",
            "*b* _i_ 3.50!",
            "b i 3.50!",
            json!([
                {"type":"bold","offset":0,"length":1},
                {"type":"italic","offset":2,"length":1}
            ]),
        );
        check(
            "Markdown",
            "[x](https://e.com)",
            "x",
            json!([{"type":"text_link","offset":0,"length":1,"url":"https://e.com/"}]),
        );
        check_err(
            "Markdown",
            "snake_case",
            "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 5",
        );
    }

    #[test]
    fn explicit_entities_are_trimmed_with_the_text() {
        let formatted =
            format("  hi there ", None, Some(&json!([{"type":"bold","offset":2,"length":2}]))).expect("valid");
        assert_eq!(
            formatted,
            Formatted { text: "hi there".into(), entities: vec![json!({"type":"bold","offset":0,"length":2})] }
        );
    }

    #[test]
    fn links_are_normalized_like_tdlib() {
        assert_eq!(normalize_url("example.com").as_deref(), Some("http://example.com/"));
        assert_eq!(normalize_url("HTTPS://example.com/a?b").as_deref(), Some("https://example.com/a?b"));
        assert_eq!(normalize_url("tg://user?id=1").as_deref(), Some("tg://user?id=1"));
        assert_eq!(normalize_url("not a url"), None);
        assert_eq!(normalize_url("nothing"), None);
        check(
            "HTML",
            "<a href=\"example.com\">x</a>",
            "x",
            json!([{"type":"text_link","offset":0,"length":1,"url":"http://example.com/"}]),
        );
    }

    #[test]
    fn utf16_lengths() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("😀"), 2);
    }
}
