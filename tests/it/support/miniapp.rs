//! A Mini App customer as tests play one: `initData` signed with the test
//! bot's token as Telegram signs it (an implementation of the test's own,
//! not the server's), and calls to `/app/api/…` with `Authorization: tma`.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::app::TestApp;

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// `initData` for `user_id` signed with `token` at `auth_date` (Unix
/// seconds), with `start_param` when given; percent-encoded as Telegram
/// hands it to the page.
pub fn init_data(token: &str, user_id: i64, first_name: &str, auth_date: i64, start_param: Option<&str>) -> String {
    init_data_in("en", token, user_id, first_name, auth_date, start_param)
}

/// [`init_data`] for a user whose Telegram speaks `language_code`.
pub fn init_data_in(
    language_code: &str,
    token: &str,
    user_id: i64,
    first_name: &str,
    auth_date: i64,
    start_param: Option<&str>,
) -> String {
    let user =
        json!({"id": user_id, "first_name": first_name, "language_code": language_code, "allows_write_to_pm": true});
    let mut fields: Vec<(String, String)> = vec![
        ("auth_date".into(), auth_date.to_string()),
        ("query_id".into(), format!("AAH{user_id}test")),
        ("user".into(), user.to_string()),
        ("signature".into(), "dGVzdC1zaWduYXR1cmU".into()),
    ];
    if let Some(p) = start_param {
        fields.push(("start_param".into(), p.into()));
    }
    let mut sorted: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    sorted.sort();
    let secret = hmac(b"WebAppData", token.as_bytes());
    let hash = hex::encode(hmac(&secret, sorted.join("\n").as_bytes()));
    fields.push(("hash".into(), hash));
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

/// A customer of the Mini App.
pub struct AppCustomer {
    pub base_url: String,
    pub init_data: String,
    client: reqwest::Client,
}

impl AppCustomer {
    /// Signed now with the app's bot token.
    pub fn new(app: &TestApp, id: i64, name: &str) -> AppCustomer {
        Self::with_init_data(app, init_data(app.tg.token(), id, name, chrono::Utc::now().timestamp(), None))
    }

    /// Signed now, for a user whose Telegram speaks `language_code`.
    pub fn speaking(app: &TestApp, language_code: &str, id: i64, name: &str) -> AppCustomer {
        let data = init_data_in(language_code, app.tg.token(), id, name, chrono::Utc::now().timestamp(), None);
        Self::with_init_data(app, data)
    }

    pub fn with_init_data(app: &TestApp, init_data: String) -> AppCustomer {
        AppCustomer { base_url: app.base_url.clone(), init_data, client: reqwest::Client::new() }
    }

    /// `method path` with `body`; returns the status and the JSON answer.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, format!("{}/app/api{path}", self.base_url))
            .header("Authorization", format!("tma {}", self.init_data));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.expect("a JSON answer"))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None).await
    }

    /// Buy with the page's idempotency key.
    pub async fn buy(&self, offer: i64, item: i64, quantity: u32, key: &str) -> (u16, Value) {
        let body = json!({"offer_id": offer, "item_id": item, "quantity": quantity, "key": key});
        self.call("POST", "/purchases", Some(body)).await
    }
}
