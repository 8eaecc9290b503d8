//! The HTTP side: routes `/bot{token}/{method}` and
//! `/file/bot{token}/{path}`, reads JSON, form and multipart bodies into
//! `Params`, logs every call, and long-polls `getUpdates`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::methods::{self, ApiError};
use super::params::{Params, Upload};
use super::{BOT_TOKEN, Shared};

/// Room for Telegram's 50 MB upload limit plus multipart overhead.
const BODY_LIMIT: usize = 52 * 1024 * 1024;
/// Telegram's longest long-poll timeout is 50 seconds.
const MAX_POLL_TIMEOUT: u64 = 50;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).layer(DefaultBodyLimit::max(BODY_LIMIT)).with_state(shared)
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let segments: Vec<String> = request.uri().path().trim_start_matches('/').split('/').map(percent_decode).collect();
    let token = |segment: &str| segment.strip_prefix("bot") == Some(BOT_TOKEN);
    match segments.as_slice() {
        [file, bot, path @ ..] if file == "file" && !path.is_empty() => {
            if !token(bot) || request.method() != Method::GET {
                return not_found();
            }
            download(&shared, &path.join("/"))
        }
        [bot, method] if bot.starts_with("bot") => {
            let method = methods::canonical_name(method).map_or_else(|| method.clone(), str::to_owned);
            if !token(bot) {
                return answer(&shared, &method, Err(ApiError::not_found()));
            }
            api_call(&shared, &method, request).await
        }
        _ => not_found(),
    }
}

fn not_found() -> Response {
    error_response(&ApiError::not_found())
}

fn download(shared: &Shared, path: &str) -> Response {
    let state = shared.lock();
    match state.file_by_path(path) {
        Some(file) => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], Bytes::copy_from_slice(&file.bytes)).into_response()
        }
        None => not_found(),
    }
}

async fn api_call(shared: &Shared, method: &str, request: Request) -> Response {
    let Some(canonical) = methods::canonical_name(method) else {
        return answer(shared, method, Err(ApiError::not_found()));
    };
    let params = match read_params(request).await {
        Ok(params) => params,
        Err(error) => return answer(shared, canonical, Err(error)),
    };
    shared.lock().calls.push((canonical.to_owned(), params.recorded()));
    let result = if canonical == "getUpdates" {
        get_updates(shared, &params).await
    } else {
        let result = methods::call(&mut shared.lock(), canonical, &params);
        if result.is_ok() {
            shared.bot_acted.notify_waiters();
            shared.updates_changed.notify_waiters();
        }
        result
    };
    answer(shared, canonical, result)
}

/// Logs the outcome and renders it as Telegram does.
fn answer(shared: &Shared, method: &str, result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(result) => axum::Json(json!({"ok": true, "result": result})).into_response(),
        Err(error) => {
            let mut state = shared.lock();
            if error.code == 429 {
                state.count_429 += 1;
            } else if (400..500).contains(&error.code) {
                state.rejected.push((method.to_owned(), error.description.clone()));
            }
            error_response(&error)
        }
    }
}

fn error_response(error: &ApiError) -> Response {
    let mut body = json!({"ok": false, "error_code": error.code, "description": error.description});
    if let Some(retry_after) = error.retry_after {
        body["parameters"] = json!({"retry_after": retry_after});
    }
    let status = StatusCode::from_u16(error.code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body)).into_response()
}

/// Query parameters, overridden by the body's (JSON, form or multipart).
async fn read_params(request: Request) -> Result<Params, ApiError> {
    let query = Query::<Vec<(String, String)>>::try_from_uri(request.uri())
        .map_err(|_| ApiError::bad_request("can't parse query string"))?;
    let mut params = Params::from_pairs(query.0);
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let body = if content_type.starts_with("multipart/form-data") {
        read_multipart(request).await?
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs = axum::extract::Form::<Vec<(String, String)>>::from_request(request, &())
            .await
            .map_err(|_| ApiError::bad_request("can't parse form data"))?;
        Params::from_pairs(pairs.0)
    } else {
        let bytes = Bytes::from_request(request, &()).await.map_err(|_| ApiError::entity_too_large())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            Params::from_json(Map::new())
        } else {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(fields)) => Params::from_json(fields),
                _ => return Err(ApiError::bad_request("can't parse JSON encoded request parameters")),
            }
        }
    };
    params.merge(body);
    Ok(params)
}

async fn read_multipart(request: Request) -> Result<Params, ApiError> {
    let mut multipart =
        Multipart::from_request(request, &()).await.map_err(|_| ApiError::bad_request("can't parse multipart body"))?;
    let mut texts = Vec::new();
    let mut uploads = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(ApiError::entity_too_large()),
            Err(_) => return Err(ApiError::bad_request("can't parse multipart body")),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|_| ApiError::entity_too_large())?;
        match (file_name, String::from_utf8(bytes.to_vec())) {
            (None, Ok(text)) => texts.push((name, text)),
            (file_name, _) => {
                uploads.push((name, Upload { bytes: bytes.to_vec(), file_name, content_type }));
            }
        }
    }
    let mut params = Params::from_pairs(texts);
    params.uploads.extend(uploads);
    Ok(params)
}

/// `getUpdates`: forgets updates below `offset`, then returns up to `limit`
/// of the rest, waiting up to `timeout` seconds for one to arrive. A newer
/// call ends a waiting one with 409 Conflict, as in Telegram.
async fn get_updates(shared: &Shared, p: &Params) -> Result<Value, ApiError> {
    let offset = p.int("offset")?.unwrap_or(0);
    let limit = p.int("limit")?.unwrap_or(100).clamp(1, 100) as usize;
    let timeout = p.int("timeout")?.unwrap_or(0).clamp(0, MAX_POLL_TIMEOUT as i64) as u64;
    let deadline = Instant::now() + Duration::from_secs(timeout);
    let allowed = methods::allowed_updates(p)?;
    let generation = {
        let mut state = shared.lock();
        if let Some(list) = allowed {
            state.allowed_updates = Some(list);
        }
        if state.webhook_url.is_some() {
            return Err(ApiError::conflict(
                "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            ));
        }
        state.poll_generation += 1;
        state.poll_generation
    };
    shared.updates_changed.notify_waiters();
    loop {
        let notified = shared.updates_changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut state = shared.lock();
            if state.poll_generation != generation {
                return Err(ApiError::conflict(
                    "terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            if offset > 0 {
                while state.updates.front().is_some_and(|u| u["update_id"].as_i64() < Some(offset)) {
                    state.updates.pop_front();
                }
            } else if offset < 0 {
                // A negative offset keeps only the last -offset updates.
                let keep = offset.unsigned_abs() as usize;
                while state.updates.len() > keep {
                    state.updates.pop_front();
                }
            }
            // Telegram never delivers the types the bot didn't ask for.
            let updates = std::mem::take(&mut state.updates);
            let kept = updates.into_iter().filter(|u| state.allows(u)).collect();
            state.updates = kept;
            if !state.updates.is_empty() || Instant::now() >= deadline {
                return Ok(state.updates.iter().take(limit).cloned().collect());
            }
        }
        // Timing out just means one more look before answering.
        let _ = tokio::time::timeout_at(deadline, notified).await;
    }
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1).and_then(|&b| hex(b)), bytes.get(i + 2).and_then(|&b| hex(b)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
