//! The no-op bot: long-polls like the app and answers `/deals` with a list
//! message carrying a "Next ▶️" button, and a press with an answer and an
//! edit — the same Bot API calls the app makes, over the same kind of HTTP
//! client, with no database and no logic. Run against the harness it shows
//! how many updates a second the harness itself can drive.

use std::time::Duration;

use serde_json::{Value, json};

pub fn main() -> anyhow::Result<()> {
    let api = std::env::var("TELEGRAM_API_URL")?;
    let token = std::env::var("TELEGRAM_BOT_TOKEN")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let base = format!("{}/bot{token}", api.trim_end_matches('/'));
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        let poll = tokio::spawn(poll(http, base));
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        term.recv().await;
        poll.abort();
        Ok(())
    })
}

async fn poll(http: reqwest::Client, base: String) {
    let mut offset = 0;
    loop {
        let got = async {
            let r = http
                .post(format!("{base}/getUpdates"))
                .json(&json!({"offset": offset, "timeout": 25, "allowed_updates": ["message", "callback_query"]}))
                .send()
                .await?;
            r.json::<Value>().await
        }
        .await;
        let Ok(v) = got else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        for u in v["result"].as_array().cloned().unwrap_or_default() {
            offset = offset.max(u["update_id"].as_i64().unwrap_or(0) + 1);
            tokio::spawn(react(http.clone(), base.clone(), u));
        }
    }
}

async fn react(http: reqwest::Client, base: String, u: Value) {
    let keyboard = json!({"inline_keyboard": [
        [{"text": "1", "callback_data": "o:1"}, {"text": "2", "callback_data": "o:2"}],
        [{"text": glean::render::texts::next(glean::render::i18n::Lang::EN), "callback_data": "p:1"}],
    ]});
    let call = |method: &str, body: Value| http.post(format!("{base}/{method}")).json(&body).send();
    if let Some(chat) = u["message"]["chat"]["id"].as_i64() {
        let _ = call(
            "sendMessage",
            json!({"chat_id": chat, "text": "<b>Deals near you</b>", "parse_mode": "HTML", "reply_markup": keyboard}),
        )
        .await;
    } else if let Some(q) = u.get("callback_query") {
        let _ = call("answerCallbackQuery", json!({"callback_query_id": q["id"]})).await;
        let _ = call(
            "editMessageText",
            json!({
                "chat_id": q["message"]["chat"]["id"], "message_id": q["message"]["message_id"],
                "text": "<b>Deals near you</b> page 2", "parse_mode": "HTML", "reply_markup": keyboard
            }),
        )
        .await;
    }
}
