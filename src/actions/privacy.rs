//! Your data: the export of everything Glean holds about a person, its
//! erasure (the offers of their businesses withdrawn first, refunds as
//! usual), and forgetting their last shared location. Shared by the bot's
//! `/privacy` and the admins' `/privacy_request`.

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Serialize;

use super::Ctx;
use crate::store::{Actor, Erasure, PersonalData, StoreError};

/// The name of the export's format, in the document itself.
pub const EXPORT_FORMAT: &str = "glean-personal-data/1";

/// The export document: what it is, when it was made, and the data.
#[derive(Debug, Serialize)]
pub struct ExportDocument {
    pub format: &'static str,
    pub exported_at: DateTime<Utc>,
    #[serde(flatten)]
    pub data: PersonalData,
}

/// A finished export: the data and its JSON bytes.
#[derive(Debug)]
pub struct Export {
    pub data: PersonalData,
    pub json: Vec<u8>,
}

/// Everything Glean holds about `person`, as a JSON document; `by` (the
/// person or an admin) is written to the audit log. `None` when Glean holds
/// nothing about them (nothing is audited then).
pub async fn export(ctx: &Ctx, person: i64, by: &Actor) -> Result<Option<Export>, StoreError> {
    let now = ctx.clock.now();
    let data = ctx.store.personal_data(person).await?;
    if data.is_empty() {
        return Ok(None);
    }
    ctx.store.audit(by, "export_personal_data", "user", person, now).await?;
    let doc = ExportDocument { format: EXPORT_FORMAT, exported_at: now, data };
    let json = serde_json::to_vec_pretty(&doc).map_err(|e| StoreError::Unexpected(e.into()))?;
    tracing::info!(bytes = json.len(), "personal data exported");
    Ok(Some(Export { data: doc.data, json }))
}

/// Erases `person`'s personal data (see `Store::erase_person`), asked by
/// them or by an admin. Refused, with nothing changed, while one of their
/// orders or refunds is open, or an order at a business they own; otherwise
/// that business's offers are withdrawn first through the usual withdrawal
/// (customers told, paid orders refunded), then everything is erased in one
/// transaction. Asking again once erased is harmless (`found` is false).
pub async fn erase(ctx: &Ctx, person: i64, by: &Actor) -> Result<Erasure, StoreError> {
    if let Some(refused) = ctx.store.erase_refusal(person).await? {
        return Ok(Erasure::Refused(refused));
    }
    for offer in ctx.store.withdrawable_offers_of_owner(person).await? {
        match super::offers::withdraw(ctx, person, offer).await {
            Ok(_) => {}
            // Withdrawn or ended meanwhile: nothing left to do for it.
            Err(super::offers::ManageError::NotNow(_) | super::offers::ManageError::Gone) => {}
            Err(e) => return Err(StoreError::Unexpected(anyhow::anyhow!("withdrawing offer {offer}: {e}"))),
        }
    }
    // Telegram ids are positive: a negative id never names a real person.
    let anonymous_id = -rand::thread_rng().gen_range(1..i64::MAX / 2);
    let outcome = ctx.store.erase_person(person, anonymous_id, by, ctx.clock.now()).await?;
    match &outcome {
        Erasure::Done(e) => tracing::info!(
            found = e.found,
            orders_kept = e.orders_kept,
            businesses_kept = e.businesses_kept,
            "personal data erased"
        ),
        Erasure::Refused(_) => tracing::info!("erasure refused: open orders"),
    }
    Ok(outcome)
}

/// Forgets `person`'s last shared location; true if there was one.
pub async fn forget_location(ctx: &Ctx, person: i64) -> Result<bool, StoreError> {
    let forgot = ctx.store.forget_location(person).await?;
    if forgot {
        ctx.store.audit(&Actor::User(person), "forget_location", "user", person, ctx.clock.now()).await?;
    }
    Ok(forgot)
}
