//! `GET /api/v1/businesses/{id}/statement?month=YYYY-MM`: a business's
//! monthly statement as JSON, the same figures as `/sales` and the CSV,
//! for the holder of one of its API keys (`Authorization: Bearer glk_…`,
//! created and revoked by the owner in the bot). Credentials are checked
//! before anything else, so a caller without them learns nothing.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::HttpState;
use super::error::{ApiError, ErrorBody};
use crate::actions::ledger;
use crate::domain::ledger::Month;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementParams {
    /// The month, `YYYY-MM`, in the business's time zone; this month when
    /// left out.
    #[param(pattern = r"^[0-9]{4}-[0-9]{2}$")]
    pub month: Option<String>,
}

/// A month's statement.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementView {
    pub business_id: i64,
    /// `YYYY-MM`.
    pub month: String,
    /// The IANA zone the month is counted in.
    pub time_zone: String,
    /// One row per currency with entries (the business's currency when none).
    pub totals: Vec<CurrencyTotals>,
    /// Every entry of the month, oldest first.
    pub entries: Vec<EntryView>,
}

/// Sums of one currency, in signed integer minor units: `net = gross +
/// fees + refunds + adjustments`, `closing_balance = opening_balance + net +
/// paid_out`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrencyTotals {
    /// ISO 4217.
    pub currency: String,
    pub opening_balance: i64,
    pub gross: i64,
    /// Platform fees (negative) and fees given back on refunds.
    pub fees: i64,
    pub refunds: i64,
    pub adjustments: i64,
    pub net: i64,
    /// Payouts (negative) and failed payouts returned.
    pub paid_out: i64,
    pub closing_balance: i64,
}

/// One ledger entry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryView {
    /// RFC 3339, UTC.
    pub at: String,
    /// `sale`, `platform_fee`, `refund`, `transfer_reversal`, `fee_refund`,
    /// `payout`, `payout_failure` or `adjustment`.
    pub kind: String,
    /// Signed integer minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
    /// The Stripe object (`pi_…`, `re_…`, `po_…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_object: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/businesses/{id}/statement",
    tag = "statements",
    params(("id" = i64, Path, description = "The business's id", minimum = 1), StatementParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The month's statement", body = StatementView),
        (status = 400, description = "A parameter is malformed; `parameter` names it", body = ErrorBody),
        (status = 401, description = "No API key, or not one of this business's live keys", body = ErrorBody),
        (status = 404, description = "No such business", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
        (status = 500, description = "Server error", body = ErrorBody),
    )
)]
pub async fn get_statement(
    State(state): State<HttpState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<StatementParams>, QueryRejection>,
) -> Result<Json<StatementView>, ApiError> {
    let unauthorized =
        || ApiError::Unauthorized("send one of the business's API keys as `Authorization: Bearer …`".into());
    let key = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(unauthorized)?;
    let Some(key_business) = ledger::business_of_key(&state.store, key).await? else { return Err(unauthorized()) };
    let Path(id) = id.map_err(|_| ApiError::bad("id", "a business id: a positive whole number"))?;
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::bad("id", "a business id: a positive whole number"))?;
    if id != key_business {
        return Err(unauthorized());
    }
    let Query(params) = query.map_err(|e| ApiError::bad("month", e.body_text()))?;
    let business =
        state.store.business(id).await.map_err(|_| ApiError::NotFound("there is no such business".into()))?;
    let month = match params.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => Month::of(state.clock.now(), business.timezone),
        Some(m) => Month::parse(m).map_err(|e| ApiError::bad("month", e.to_string()))?,
    };
    let st = ledger::statement(&state.store, business, month).await?;
    let mut totals: Vec<CurrencyTotals> = st
        .totals
        .values()
        .map(|(c, t)| {
            let opening = st.opening.get(c.code()).map_or(0, |(_, o)| o.change());
            CurrencyTotals {
                currency: c.code().to_owned(),
                opening_balance: opening,
                gross: t.gross,
                fees: t.fees,
                refunds: t.refunds,
                adjustments: t.adjustments,
                net: t.net(),
                paid_out: t.paid_out,
                closing_balance: opening + t.change(),
            }
        })
        .collect();
    if totals.is_empty() {
        let c = st.business.currency;
        let opening = st.opening.get(c.code()).map_or(0, |(_, o)| o.change());
        totals.push(CurrencyTotals {
            currency: c.code().to_owned(),
            opening_balance: opening,
            gross: 0,
            fees: 0,
            refunds: 0,
            adjustments: 0,
            net: 0,
            paid_out: 0,
            closing_balance: opening,
        });
    }
    let entries = st
        .entries
        .iter()
        .map(|e| EntryView {
            at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            kind: e.kind.as_str().to_owned(),
            amount: e.amount,
            currency: e.currency.code().to_owned(),
            order_id: e.purchase_id,
            stripe_object: e.stripe_object.clone(),
            note: e.note.clone(),
        })
        .collect();
    Ok(Json(StatementView {
        business_id: st.business.id,
        month: st.month.to_string(),
        time_zone: st.business.timezone.name().to_owned(),
        totals,
        entries,
    }))
}
