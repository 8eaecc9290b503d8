//! Telegram Mini App `initData`, validated as Telegram specifies
//! (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app):
//! the data-check string is every `key=value` pair but `hash`, sorted by key
//! and joined with `\n` (`signature` stays in it); the secret is
//! `HMAC_SHA256(key = "WebAppData", message = bot token)`; the hash is
//! `hex(HMAC_SHA256(key = secret, message = data-check string))`, compared
//! in constant time; `auth_date` must be recent. The user id the app acts
//! for comes only from data that passed all of this.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far in the future an `auth_date` may lie (clocks disagree a little).
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// What a valid `initData` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitData {
    pub user: WebAppUser,
    pub auth_date: DateTime<Utc>,
    /// The `startapp` parameter of the link that opened the app.
    pub start_param: Option<String>,
}

/// The Telegram user who opened the app.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebAppUser {
    pub id: i64,
    pub first_name: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub language_code: Option<String>,
}

/// Why `initData` was refused. Every case is a 401 for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InitDataError {
    #[error("no init data")]
    Missing,
    #[error("malformed init data: {0}")]
    Malformed(&'static str),
    #[error("the signature does not match")]
    BadSignature,
    #[error("the init data is too old")]
    Expired,
}

/// The data-check string of `pairs` (decoded): all but `hash`, sorted by
/// key, `key=value` lines joined with `\n`.
pub fn data_check_string(pairs: &[(String, String)]) -> String {
    let mut kept: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "hash").collect();
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    kept.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n")
}

/// `HMAC_SHA256(key = "WebAppData", message = bot_token)`.
fn secret_key(bot_token: &str) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(b"WebAppData").expect("HMAC takes a key of any length");
    mac.update(bot_token.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Checks `raw` (the query string Telegram gives the page) against the bot
/// token and `now`; `max_age` bounds how old `auth_date` may be.
pub fn validate(raw: &str, bot_token: &str, now: DateTime<Utc>, max_age: Duration) -> Result<InitData, InitDataError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(InitDataError::Missing);
    }
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(InitDataError::Malformed("a field appears twice"));
    }
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let hash = get("hash").ok_or(InitDataError::Malformed("no hash"))?;
    let hash = hex::decode(hash).map_err(|_| InitDataError::Malformed("the hash is not hex"))?;
    let mut mac = HmacSha256::new_from_slice(&secret_key(bot_token)).expect("HMAC takes a key of any length");
    mac.update(data_check_string(&pairs).as_bytes());
    mac.verify_slice(&hash).map_err(|_| InitDataError::BadSignature)?;
    // Only signed data is read past this line.
    let auth_date = get("auth_date")
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .ok_or(InitDataError::Malformed("no auth_date"))?;
    if now - auth_date > max_age || auth_date - now > CLOCK_SKEW {
        return Err(InitDataError::Expired);
    }
    let user: WebAppUser =
        get("user").and_then(|u| serde_json::from_str(u).ok()).ok_or(InitDataError::Malformed("no user"))?;
    let start_param = get("start_param").filter(|s| !s.is_empty()).map(str::to_string);
    Ok(InitData { user, auth_date, start_param })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known vectors, computed once with Python's standard library
    // (hmac, hashlib, urllib.parse.urlencode with quote_via=quote), not
    // with this code:
    //   secret = hmac.new(b"WebAppData", TOKEN.encode(), sha256).digest()
    //   hash   = hmac.new(secret, dcs.encode(), sha256).hexdigest()
    // where dcs joins the sorted `key=value` pairs (all but hash) with "\n".
    const TOKEN: &str = "123456789:AAE-test_token_for_vectors";
    const SECRET_HEX: &str = "04209d35622110932e35b5924b0247105ded7a9cd109dc2018bd06fba81001c5";
    const HASH: &str = "a8fa8cb20768551056827d250a4fb2e9c56c73342bc643fa4015876845508130";
    /// The hash the same fields would have if `signature` were dropped from
    /// the data-check string (the mistake the spec warns about).
    const HASH_WITHOUT_SIGNATURE: &str = "a22a3c9d8cb48c85a4b6ca25b1ab27baac20b10754df4963b5f76fbc098e7997";
    const FIELDS: &str = "auth_date=1767225600&query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A4242%2C%22\
                          first_name%22%3A%22Mia%22%2C%22username%22%3A%22mia_b%22%2C%22language_code%22%3A%22en%22%7D\
                          &start_param=offer_7&signature=c2lnbmF0dXJlLWZvci10ZXN0cw";

    fn signed(hash: &str) -> String {
        format!("{FIELDS}&hash={hash}")
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    const AUTH: i64 = 1_767_225_600;
    const HOUR: Duration = Duration::hours(1);

    #[test]
    fn the_secret_is_the_bot_token_keyed_by_web_app_data() {
        assert_eq!(hex::encode(secret_key(TOKEN)), SECRET_HEX);
    }

    #[test]
    fn a_known_vector_validates() {
        let data = validate(&signed(HASH), TOKEN, at(AUTH + 60), HOUR).expect("valid");
        assert_eq!(data.user.id, 4242);
        assert_eq!(data.user.first_name, "Mia");
        assert_eq!(data.user.username.as_deref(), Some("mia_b"));
        assert_eq!(data.start_param.as_deref(), Some("offer_7"));
        assert_eq!(data.auth_date, at(AUTH));
        // The order of the fields in the query string doesn't matter.
        let shuffled = format!("hash={HASH}&{}", FIELDS.split('&').rev().collect::<Vec<_>>().join("&"));
        assert_eq!(validate(&shuffled, TOKEN, at(AUTH), HOUR).map(|d| d.user.id), Ok(4242));
    }

    #[test]
    fn signature_stays_in_the_data_check_string() {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(signed(HASH).as_bytes()).map(|(k, v)| (k.into(), v.into())).collect();
        let dcs = data_check_string(&pairs);
        assert!(dcs.contains("\nsignature=c2lnbmF0dXJlLWZvci10ZXN0cw\n"), "{dcs}");
        assert!(!dcs.contains("hash="), "{dcs}");
        assert!(dcs.starts_with("auth_date=1767225600\nquery_id="), "{dcs}");
        // A hash computed without `signature` is refused.
        assert_eq!(validate(&signed(HASH_WITHOUT_SIGNATURE), TOKEN, at(AUTH), HOUR), Err(InitDataError::BadSignature));
    }

    #[test]
    fn a_tampered_field_is_refused() {
        let cases = [
            signed(HASH).replace("%22id%22%3A4242", "%22id%22%3A4243"),
            signed(HASH).replace("offer_7", "offer_8"),
            signed(HASH).replace("auth_date=1767225600", "auth_date=1767225601"),
            signed(HASH).replace("&signature=c2lnbmF0dXJlLWZvci10ZXN0cw", ""),
            format!("{}&extra=1", signed(HASH)),
            signed(&HASH.replace('a', "b")),
        ];
        for raw in cases {
            assert_eq!(validate(&raw, TOKEN, at(AUTH), HOUR), Err(InitDataError::BadSignature), "{raw}");
        }
        // Right data, another bot's token.
        assert_eq!(validate(&signed(HASH), "987:other", at(AUTH), HOUR), Err(InitDataError::BadSignature));
    }

    #[test]
    fn an_expired_auth_date_is_refused() {
        assert!(validate(&signed(HASH), TOKEN, at(AUTH + 3600), HOUR).is_ok());
        assert_eq!(validate(&signed(HASH), TOKEN, at(AUTH + 3601), HOUR), Err(InitDataError::Expired));
        assert_eq!(validate(&signed(HASH), TOKEN, at(AUTH + 86_400), HOUR), Err(InitDataError::Expired));
        assert_eq!(validate(&signed(HASH), TOKEN, at(AUTH + 86_400), Duration::days(2)).map(|d| d.user.id), Ok(4242));
        // From the future beyond clock skew.
        assert_eq!(validate(&signed(HASH), TOKEN, at(AUTH - 3600), HOUR), Err(InitDataError::Expired));
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        for (raw, expected) in [
            ("", InitDataError::Missing),
            ("   ", InitDataError::Missing),
            ("user=1", InitDataError::Malformed("no hash")),
            ("hash=zz", InitDataError::Malformed("the hash is not hex")),
            ("hash=00", InitDataError::BadSignature),
            ("a=1&a=2&hash=00", InitDataError::Malformed("a field appears twice")),
            ("%%%", InitDataError::Malformed("no hash")),
        ] {
            assert_eq!(validate(raw, TOKEN, at(AUTH), HOUR), Err(expected), "{raw:?}");
        }
    }
}
