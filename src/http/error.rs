//! The HTTP API's one error type. Every error leaves as the same JSON shape,
//! `{"error": {"code", "message", "parameter"?}}`; server errors log their
//! whole cause chain and tell the client nothing internal.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query or path parameter is missing or malformed.
    #[error("{parameter}: {message}")]
    BadRequest { parameter: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    /// Who is asking couldn't be established (the Mini App's `initData`
    /// is missing, forged or stale; a statement's API key is missing,
    /// revoked or another business's).
    #[error("{0}")]
    Unauthorized(String),
    /// The request is understood but the state of things refuses it (sold
    /// out, not cancellable): 409 with its own code.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    /// Something we depend on (Stripe) can't be reached; try again shortly.
    #[error("{0}")]
    TryAgain(String),
    /// Too many requests; try again after this many seconds.
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad(parameter: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest { parameter, message: message.into() }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("not found".into()),
            e => ApiError::Internal(anyhow::Error::new(e)),
        }
    }
}

/// What went wrong, as every error response carries it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// For people; may change between versions. Branch on `code` instead.
    pub message: String,
    /// The query or path parameter at fault, for `bad_request`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<&'static str>,
}

/// Stable, machine-readable error codes.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    NotFound,
    /// The Mini App's `initData` is missing, forged or too old: open the app
    /// from the bot again; or (statements) no live API key of the business.
    Unauthorized,
    /// Not enough units left for this order.
    SoldOut,
    /// The deal can't be bought now (paused, ended, withdrawn, or the
    /// quantity isn't possible).
    Unavailable,
    /// The order can't be cancelled any more.
    NotCancellable,
    /// Payments can't be reached right now; nothing changed.
    TryAgain,
    RateLimited,
    Internal,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, parameter) = match &self {
            ApiError::BadRequest { parameter, message } => {
                (StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message.clone(), Some(*parameter))
            }
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, what.clone(), None),
            ApiError::Unauthorized(why) => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, why.clone(), None),
            ApiError::Refused { code, message } => (StatusCode::CONFLICT, *code, message.clone(), None),
            ApiError::TryAgain(why) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::TryAgain, why.clone(), None),
            ApiError::RateLimited { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, "too many requests; slow down".into(), None)
            }
            ApiError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "HTTP request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "something went wrong on our side".into(),
                    None,
                )
            }
        };
        let mut response =
            (status, Json(ErrorBody { error: ErrorDetail { code, message, parameter } })).into_response();
        if let ApiError::RateLimited { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
