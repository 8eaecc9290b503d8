//! Charities and donations: invitations (a token's hash) and registration,
//! where a charity collects, the per-venue opt-in and unit weight, the
//! donation round of an offer whose window is about to end, the first
//! acceptance (a zero-price order through the same conditional stock
//! update as a sale), and the impact figures (units saved, donated, grams).

use chrono::{DateTime, Utc};

use super::offers::{offer_auto, sell_out};
use super::{Actor, Result, Store, StoreError, To, Venue, audit, dt, notice_purchase, ts, with_pool, with_tx};
use crate::domain::{Coordinates, Impact, NoticeKind, OfferStatus, PickupCode, PurchaseStatus};

#[derive(Debug, Clone, PartialEq)]
pub struct Charity {
    pub id: i64,
    pub name: String,
    pub area: String,
    /// The contact who registered it, once someone did.
    pub tg_id: Option<i64>,
    /// Where it collects; it is offered food near here.
    pub location: Option<Coordinates>,
    pub registered_at: Option<DateTime<Utc>>,
}

type CharityRow = (i64, String, String, Option<i64>, Option<f64>, Option<f64>, Option<i64>);
const CHARITY_COLS: &str = "id, name, area, tg_id, lat, lng, registered_at";

fn charity_from_row(r: CharityRow) -> Charity {
    Charity {
        id: r.0,
        name: r.1,
        area: r.2,
        tg_id: r.3,
        location: r.4.zip(r.5).and_then(|(lat, lng)| Coordinates::new(lat, lng).ok()),
        registered_at: r.6.map(dt),
    }
}

/// What opening an invitation link did.
#[derive(Debug, Clone, PartialEq)]
pub enum Registration {
    /// This user is now the charity's contact.
    Registered(Charity),
    /// This user had opened it before (a replay, or a second tap).
    AlreadyYours(Charity),
    /// Someone else registered with this link.
    Used,
    /// No invitation has this token.
    Unknown,
    /// This user is already the contact of another charity.
    OtherCharity(Charity),
}

/// What a charity's Accept did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DonationOutcome {
    /// This charity got the remainder: the donation order.
    Taken { purchase_id: i64 },
    /// This charity had accepted it before (a replay, or a double press).
    AlreadyYours { purchase_id: i64 },
    /// Another charity was first, or nothing was left.
    Gone,
    /// The donation was never offered to this user.
    NotOffered,
}

/// An offer whose remainder is due to be offered to charities.
#[derive(Debug, Clone, Copy)]
pub struct DonationCandidate {
    pub offer_id: i64,
    pub location: Coordinates,
}

const ANSWER_ACCEPTED: &str = "accepted";
const ANSWER_DECLINED: &str = "declined";
const ANSWER_GONE: &str = "gone";

/// Tells every charity offered `$offer_id` that has not answered (other
/// than `$except`) that it is gone, inside the current transaction.
macro_rules! tell_gone {
    ($tx:expr, $offer_id:expr, $except:expr, $now:expr) => {{
        sqlx::query(
            "INSERT INTO notices (chat_id, kind, business_id, offer_id, not_before, created_at) \
             SELECT c.tg_id, $1, o.business_id, o.id, $2, $2 FROM donation_offers d \
             JOIN charities c ON c.id = d.charity_id JOIN offers o ON o.id = d.offer_id \
             WHERE d.offer_id = $3 AND d.charity_id <> $4 AND d.answer IS NULL AND c.tg_id IS NOT NULL",
        )
        .bind(NoticeKind::DonationGone.as_str())
        .bind(ts($now))
        .bind($offer_id)
        .bind($except)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE donation_offers SET answer = $1 WHERE offer_id = $2 AND charity_id <> $3 AND answer IS NULL",
        )
        .bind(ANSWER_GONE)
        .bind($offer_id)
        .bind($except)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// `$filter` narrows the impact query (a `WHERE` condition on `p`/`o`).
fn impact_sql(filter: &str) -> String {
    let counted =
        format!("p.status IN ('{}', '{}')", PurchaseStatus::PickedUp.as_str(), PurchaseStatus::Donated.as_str());
    format!(
        "SELECT COALESCE(SUM(l.quantity), 0), \
         COALESCE(SUM(CASE WHEN p.payment_method = 'donation' THEN l.quantity ELSE 0 END), 0), \
         CAST(COALESCE(SUM(CAST(l.quantity AS BIGINT) * COALESCE(v.unit_grams, 0)), 0) AS BIGINT) \
         FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id \
         JOIN offers o ON o.id = p.offer_id JOIN venues v ON v.id = o.venue_id \
         WHERE {counted} AND {filter}"
    )
}

impl Store {
    /// An admin's invitation: the charity exists, unregistered, known by
    /// the hash of its one-time token.
    pub async fn create_charity(
        &self,
        name: &str,
        area: &str,
        token_hash: &str,
        invited_by: i64,
        now: DateTime<Utc>,
    ) -> Result<Charity> {
        let id: i64 = with_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO charities (name, area, token_hash, invited_by, created_at) VALUES ($1, $2, $3, $4, $5) \
                 RETURNING id",
            ).bind(name).bind(area).bind(token_hash).bind(invited_by).bind(ts(now)).fetch_one(&mut *tx).await?;
            audit!(tx, now, Actor::Admin(invited_by), "invite_charity", "charity", id, None::<String>, Some(name));
            id
        });
        self.charity(id).await
    }

    pub async fn charity(&self, id: i64) -> Result<Charity> {
        let sql = format!("SELECT {CHARITY_COLS} FROM charities WHERE id = $1");
        let row: CharityRow = with_pool!(self, read, p => sqlx::query_as(&sql).bind(id).fetch_one(p).await?);
        Ok(charity_from_row(row))
    }

    /// The charity whose contact `tg_id` is, if any.
    pub async fn charity_of(&self, tg_id: i64) -> Result<Option<Charity>> {
        let sql = format!("SELECT {CHARITY_COLS} FROM charities WHERE tg_id = $1");
        let row: Option<CharityRow> =
            with_pool!(self, read, p => sqlx::query_as(&sql).bind(tg_id).fetch_optional(p).await?);
        Ok(row.map(charity_from_row))
    }

    /// Every charity, newest first (admins' list).
    pub async fn charities(&self, limit: i64) -> Result<Vec<Charity>> {
        let sql = format!("SELECT {CHARITY_COLS} FROM charities ORDER BY id DESC LIMIT $1");
        let rows: Vec<CharityRow> = with_pool!(self, read, p => sqlx::query_as(&sql).bind(limit).fetch_all(p).await?);
        Ok(rows.into_iter().map(charity_from_row).collect())
    }

    /// Registered charities that said where they collect.
    pub async fn located_charities(&self) -> Result<Vec<Charity>> {
        let sql = format!(
            "SELECT {CHARITY_COLS} FROM charities WHERE tg_id IS NOT NULL AND lat IS NOT NULL AND lng IS NOT NULL \
             ORDER BY id"
        );
        let rows: Vec<CharityRow> = with_pool!(self, read, p => sqlx::query_as(&sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(charity_from_row).collect())
    }

    /// The contact `tg_id` opened the invitation whose token hashes to
    /// `token_hash`. One statement claims it, so a link registers one
    /// person however often (and by however many) it is opened.
    pub async fn register_charity(&self, token_hash: &str, tg_id: i64, now: DateTime<Utc>) -> Result<Registration> {
        let outcome = with_tx!(self, tx => {
            let sql = format!("SELECT {CHARITY_COLS} FROM charities WHERE token_hash = $1");
            let row: Option<CharityRow> = sqlx::query_as(&sql).bind(token_hash).fetch_optional(&mut *tx).await?;
            let Some(invited) = row.map(charity_from_row) else { return Ok(Registration::Unknown) };
            match invited.tg_id {
                Some(t) if t == tg_id => return Ok(Registration::AlreadyYours(invited)),
                Some(_) => return Ok(Registration::Used),
                None => {}
            }
            let sql = format!("SELECT {CHARITY_COLS} FROM charities WHERE tg_id = $1");
            let other: Option<CharityRow> = sqlx::query_as(&sql).bind(tg_id).fetch_optional(&mut *tx).await?;
            if let Some(other) = other {
                return Ok(Registration::OtherCharity(charity_from_row(other)));
            }
            let claimed = sqlx::query(
                "UPDATE charities SET tg_id = $1, registered_at = $2 WHERE id = $3 AND tg_id IS NULL",
            ).bind(tg_id).bind(ts(now)).bind(invited.id).execute(&mut *tx).await?.rows_affected();
            if claimed != 1 {
                return Ok(Registration::Used);
            }
            audit!(tx, now, Actor::User(tg_id), "register_charity", "charity", invited.id, None::<String>, Some("registered"));
            Registration::Registered(Charity { tg_id: Some(tg_id), registered_at: Some(now), ..invited })
        });
        Ok(outcome)
    }

    /// Where the charity of contact `tg_id` collects. False if they are
    /// no charity's contact.
    pub async fn set_charity_location(&self, tg_id: i64, at: Coordinates) -> Result<bool> {
        let n = with_pool!(self, write, p => sqlx::query("UPDATE charities SET lat = $1, lng = $2 WHERE tg_id = $3")
            .bind(at.lat()).bind(at.lng()).bind(tg_id).execute(p).await?.rows_affected());
        Ok(n == 1)
    }

    /// Turns giving leftovers to charities on or off for a venue of
    /// `business_id` (`NotFound` for anyone else's).
    pub async fn set_venue_donate(&self, venue_id: i64, business_id: i64, on: bool) -> Result<Venue> {
        let n = with_pool!(self, write, p => sqlx::query("UPDATE venues SET donate = $1 WHERE id = $2 AND business_id = $3")
            .bind(on).bind(venue_id).bind(business_id).execute(p).await?.rows_affected());
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        self.venue(venue_id).await
    }

    /// Sets (or, with `None`, clears) the weight of one unit at a venue of
    /// `business_id`.
    pub async fn set_venue_unit_grams(&self, venue_id: i64, business_id: i64, grams: Option<u32>) -> Result<Venue> {
        let grams = grams.map(|g| i32::try_from(g).unwrap_or(i32::MAX));
        let n = with_pool!(self, write, p => sqlx::query(
            "UPDATE venues SET unit_grams = $1 WHERE id = $2 AND business_id = $3",
        ).bind(grams).bind(venue_id).bind(business_id).execute(p).await?.rows_affected());
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        self.venue(venue_id).await
    }

    /// Active offers at venues that donate, whose window ends within
    /// `(now, until]` with units left and no donation round yet.
    pub async fn donation_candidates(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<DonationCandidate>> {
        let rows: Vec<(i64, f64, f64)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT o.id, o.lat, o.lng FROM offers o JOIN venues v ON v.id = o.venue_id \
             WHERE o.status = $1 AND o.pickup_end > $2 AND o.pickup_end <= $3 AND v.donate \
             AND NOT EXISTS (SELECT 1 FROM donation_rounds r WHERE r.offer_id = o.id) \
             AND EXISTS (SELECT 1 FROM offer_items i WHERE i.offer_id = o.id AND i.quantity - i.reserved - i.sold > 0) \
             ORDER BY o.pickup_end, o.id LIMIT 100",
        ).bind(OfferStatus::Active.as_str()).bind(ts(now)).bind(ts(until)).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .filter_map(|(offer_id, lat, lng)| {
                Some(DonationCandidate { offer_id, location: Coordinates::new(lat, lng).ok()? })
            })
            .collect())
    }

    /// Opens the donation round of an offer: each charity in `charities`
    /// is offered the remainder (a notice with Accept buttons), in one
    /// transaction with the round's row, whose key makes a second opening
    /// (another tick, another instance) do nothing. False if it was open.
    pub async fn open_donation_round(&self, offer_id: i64, charities: &[i64], now: DateTime<Utc>) -> Result<bool> {
        let opened = with_tx!(self, tx => {
            let made: Option<i64> = sqlx::query_scalar(
                "INSERT INTO donation_rounds (offer_id, closed, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING RETURNING offer_id",
            ).bind(offer_id).bind(charities.is_empty()).bind(ts(now)).fetch_optional(&mut *tx).await?;
            if made.is_none() {
                return Ok(false);
            }
            for charity in charities {
                sqlx::query("INSERT INTO donation_offers (offer_id, charity_id) VALUES ($1, $2)")
                    .bind(offer_id).bind(*charity).execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO notices (chat_id, kind, business_id, offer_id, not_before, created_at) \
                     SELECT c.tg_id, $1, o.business_id, o.id, $2, $2 FROM charities c, offers o \
                     WHERE c.id = $3 AND o.id = $4 AND c.tg_id IS NOT NULL",
                ).bind(NoticeKind::DonationOffered.as_str()).bind(ts(now)).bind(*charity).bind(offer_id)
                .execute(&mut *tx).await?;
            }
            audit!(tx, now, Actor::System, "offer_donation", "offer", offer_id, None::<String>,
                Some(format!("{} charities", charities.len())));
            true
        });
        Ok(opened)
    }

    /// A charity's contact accepts an offer's remainder. In one
    /// transaction: the offer row locked first (as every stock change
    /// does), the round checked still open, every unit left moved to
    /// `sold` by the same conditional `UPDATE` a sale uses, the donation
    /// order written (`donated`, total 0, with a pickup code), the round
    /// closed, the other charities told it's gone, the charity and the
    /// business told who is coming.
    pub async fn accept_donation(&self, offer_id: i64, tg_id: i64, now: DateTime<Utc>) -> Result<DonationOutcome> {
        let gate = self.locking("SELECT status, pickup_end, currency FROM offers WHERE id = $1");
        let outcome = with_tx!(self, tx => {
            let charity: Option<i64> = sqlx::query_scalar("SELECT id FROM charities WHERE tg_id = $1")
                .bind(tg_id).fetch_optional(&mut *tx).await?;
            let Some(charity) = charity else { return Ok(DonationOutcome::NotOffered) };
            let offered: Option<Option<String>> = sqlx::query_scalar(
                "SELECT answer FROM donation_offers WHERE offer_id = $1 AND charity_id = $2",
            ).bind(offer_id).bind(charity).fetch_optional(&mut *tx).await?;
            if offered.is_none() {
                return Ok(DonationOutcome::NotOffered);
            }
            let offer: Option<(String, i64, String)> = sqlx::query_as(&gate).bind(offer_id).fetch_optional(&mut *tx).await?;
            let Some((status, pickup_end, currency)) = offer else { return Err(StoreError::NotFound) };
            let round: (Option<i64>, Option<i64>, bool) = sqlx::query_as(
                "SELECT purchase_id, charity_id, closed FROM donation_rounds WHERE offer_id = $1",
            ).bind(offer_id).fetch_one(&mut *tx).await?;
            match round {
                (Some(p), Some(c), _) if c == charity => return Ok(DonationOutcome::AlreadyYours { purchase_id: p }),
                (_, _, true) => return Ok(DonationOutcome::Gone),
                _ => {}
            }
            let status = OfferStatus::parse(&status)?;
            let sellable = matches!(status, OfferStatus::Active | OfferStatus::Paused) && pickup_end > ts(now);
            let left: Vec<(i64, i32)> = if sellable {
                sqlx::query_as(
                    "SELECT id, quantity - reserved - sold FROM offer_items WHERE offer_id = $1 \
                     AND quantity - reserved - sold > 0 ORDER BY id",
                ).bind(offer_id).fetch_all(&mut *tx).await?
            } else {
                Vec::new()
            };
            if left.is_empty() {
                // Nothing left to give: the round ends here, for everyone.
                sqlx::query("UPDATE donation_rounds SET closed = TRUE WHERE offer_id = $1")
                    .bind(offer_id).execute(&mut *tx).await?;
                sqlx::query("UPDATE donation_offers SET answer = $1 WHERE offer_id = $2 AND charity_id = $3")
                    .bind(ANSWER_GONE).bind(offer_id).bind(charity).execute(&mut *tx).await?;
                tell_gone!(tx, offer_id, charity, now);
                DonationOutcome::Gone
            } else {
            let mut id: Option<i64> = None;
            for _ in 0..8 {
                let code = PickupCode::generate();
                id = sqlx::query_scalar(
                    "INSERT INTO purchases (customer_tg_id, offer_id, status, total, currency, pickup_code, \
                     payment_method, created_at, updated_at, request_key) \
                     SELECT $1, $2, $3, 0, $4, $5, 'donation', $6, $6, $7 WHERE NOT EXISTS ( \
                     SELECT 1 FROM purchases p JOIN offers o ON o.id = p.offer_id \
                     WHERE p.pickup_code = $5 AND p.status IN ('reserved', 'confirmed', 'paid', 'donated') \
                     AND o.business_id = (SELECT business_id FROM offers WHERE id = $2)) \
                     ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(tg_id).bind(offer_id).bind(PurchaseStatus::Donated.as_str()).bind(&currency)
                .bind(code.as_str()).bind(ts(now)).bind(format!("donation:{offer_id}"))
                .fetch_optional(&mut *tx).await?;
                if id.is_some() {
                    break;
                }
            }
            let id = id.ok_or_else(|| anyhow::anyhow!("no free pickup code for a donation after 8 tries"))?;
            for (item_id, n) in &left {
                let moved = sqlx::query(
                    "UPDATE offer_items SET sold = sold + $1 WHERE id = $2 AND quantity - reserved - sold >= $1",
                ).bind(*n).bind(*item_id).execute(&mut *tx).await?.rows_affected();
                if moved != 1 {
                    return Err(StoreError::Unexpected(anyhow::anyhow!("item {item_id} changed under a donation")));
                }
                sqlx::query("INSERT INTO purchase_lines (purchase_id, item_id, quantity, unit_price) VALUES ($1, $2, $3, 0)")
                    .bind(id).bind(*item_id).bind(*n).execute(&mut *tx).await?;
            }
            audit!(tx, now, Actor::User(tg_id), "donate", "purchase", id, None::<String>, Some(PurchaseStatus::Donated.as_str()));
            sell_out!(tx, offer_id, now);
            sqlx::query("UPDATE donation_rounds SET purchase_id = $1, charity_id = $2, closed = TRUE WHERE offer_id = $3")
                .bind(id).bind(charity).bind(offer_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE donation_offers SET answer = $1 WHERE offer_id = $2 AND charity_id = $3")
                .bind(ANSWER_ACCEPTED).bind(offer_id).bind(charity).execute(&mut *tx).await?;
            tell_gone!(tx, offer_id, charity, now);
            notice_purchase!(tx, now, id, To::Customer, NoticeKind::DonationTaken);
            notice_purchase!(tx, now, id, To::Owner, NoticeKind::DonationComing);
            DonationOutcome::Taken { purchase_id: id }
            }
        });
        Ok(outcome)
    }

    /// A charity says "not this time". False if it was not asked or had
    /// answered already.
    pub async fn decline_donation(&self, offer_id: i64, tg_id: i64) -> Result<bool> {
        let n = with_pool!(self, write, p => sqlx::query(
            "UPDATE donation_offers SET answer = $1 WHERE offer_id = $2 AND answer IS NULL \
             AND charity_id = (SELECT id FROM charities WHERE tg_id = $3)",
        ).bind(ANSWER_DECLINED).bind(offer_id).bind(tg_id).execute(p).await?.rows_affected());
        Ok(n == 1)
    }

    /// The donation order of an offer's round and its charity, once taken.
    pub async fn donation_of_offer(&self, offer_id: i64) -> Result<Option<(i64, Charity)>> {
        let row: Option<(Option<i64>, Option<i64>)> = with_pool!(self, read, p => sqlx::query_as(
            "SELECT purchase_id, charity_id FROM donation_rounds WHERE offer_id = $1",
        ).bind(offer_id).fetch_optional(p).await?);
        match row {
            Some((Some(purchase), Some(charity))) => Ok(Some((purchase, self.charity(charity).await?))),
            _ => Ok(None),
        }
    }

    /// What a customer (or a charity's contact) saved.
    pub async fn impact_of_customer(&self, tg_id: i64) -> Result<Impact> {
        self.impact(&impact_sql("p.customer_tg_id = $1"), Some(tg_id)).await
    }

    /// What a business saved: picked up by customers and charities, and
    /// donated.
    pub async fn impact_of_business(&self, business_id: i64) -> Result<Impact> {
        self.impact(&impact_sql("o.business_id = $1"), Some(business_id)).await
    }

    /// What a business saved in deals whose pickup began in `[from, to)`:
    /// a statement's month.
    pub async fn impact_of_business_between(
        &self,
        business_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Impact> {
        let sql = impact_sql("o.business_id = $1 AND o.pickup_start >= $2 AND o.pickup_start < $3");
        let (saved, donated, grams): (i64, i64, i64) = with_pool!(self, read, p => {
            sqlx::query_as(&sql).bind(business_id).bind(ts(from)).bind(ts(to)).fetch_one(p).await?
        });
        Ok(Impact { saved_units: saved, donated_units: donated, saved_grams: grams })
    }

    /// Everything Glean saved (admins).
    pub async fn impact_total(&self) -> Result<Impact> {
        self.impact(&impact_sql("1 = 1"), None).await
    }

    async fn impact(&self, sql: &str, id: Option<i64>) -> Result<Impact> {
        let (saved, donated, grams): (i64, i64, i64) = with_pool!(self, read, p => {
            let mut q = sqlx::query_as(sql);
            if let Some(id) = id {
                q = q.bind(id);
            }
            q.fetch_one(p).await?
        });
        Ok(Impact { saved_units: saved, donated_units: donated, saved_grams: grams })
    }
}
