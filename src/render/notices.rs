//! The text of each kind of notice, rendered when it is sent from the ids
//! it carries (so it shows the state at sending time, e.g. units left).

use chrono::{DateTime, Utc};
use teloxide::types::ReplyMarkup;

use super::callback::Cb;
use super::i18n::Lang;
use super::{keyboards, money, orders, texts, waitlist};
use crate::domain::NoticeKind;
use crate::domain::business::BusinessEvent;
use crate::domain::waitlist::WaitStatus;
use crate::store::{Notice, Store, StoreError};

/// A notice ready to send.
pub struct Rendered {
    pub text: String,
    pub markup: Option<ReplyMarkup>,
}

/// A donation's lines: units and item names (no prices: it is free).
fn units(l: Lang, p: &crate::store::Purchase, offer: &crate::store::Offer) -> String {
    p.lines
        .iter()
        .map(|line| {
            let name =
                offer.items.iter().find(|i| i.id == line.item_id).map_or(texts::order_item(l), |i| i.name.as_str());
            texts::donation_line(l, line.quantity, name, "")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders a notice in its recipient's language `l`; `None` when what it
/// is about no longer exists.
pub async fn render(store: &Store, n: &Notice, l: Lang, now: DateTime<Utc>) -> anyhow::Result<Option<Rendered>> {
    let plain = |text: String| Ok(Some(Rendered { text, markup: None }));
    if let Some(purchase_id) = n.purchase_id {
        let p = match store.purchase(purchase_id).await {
            Ok(p) => p,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let offer = store.offer(p.offer_id).await?;
        let total = l.money(p.total);
        let reason = n.detail.as_deref().or(p.refund_failure.as_deref()).unwrap_or(texts::refund_reason_unknown(l));
        return match n.kind {
            NoticeKind::OrderConfirmed => plain(orders::confirmation(store, &p, l, now).await?),
            NoticeKind::NewOrder => plain(orders::new_order(l, &p, &offer)),
            NoticeKind::OrderCancelled => plain(texts::business_order_cancelled(l, p.id, p.pickup_code.as_str())),
            NoticeKind::ReservationLapsed => plain(texts::reservation_lapsed(l).to_string()),
            NoticeKind::PaidTooLate => plain(texts::paid_too_late_order(l, p.id, &total)),
            NoticeKind::WithdrawnRefund => plain(texts::withdrawn_refund(l, p.id, &offer.title, &total)),
            NoticeKind::WithdrawnReleased => plain(texts::withdrawn_released(l, p.id, &offer.title)),
            NoticeKind::Refunded => plain(texts::refunded(l, p.id, &total)),
            NoticeKind::RefundFailed => plain(texts::refund_failed(l, p.id, &total)),
            NoticeKind::RefundFailedStaff => {
                plain(texts::refund_failed_staff(l, p.id, &total, reason, p.customer_tg_id))
            }
            NoticeKind::PickedUp => plain(texts::thanks_for_pickup(l, &offer.title)),
            NoticeKind::DonationTaken => {
                let venue = store.venue(offer.venue_id).await?;
                let pickup = offer.window().map(|w| l.window(&w, venue.timezone, now)).unwrap_or_default();
                let address = format!("{}, {}", venue.name, venue.address);
                let lines = units(l, &p, &offer);
                plain(texts::donation_yours(l, p.id, &offer.title, &lines, p.pickup_code.as_str(), &pickup, &address))
            }
            NoticeKind::DonationComing => {
                let charity =
                    store.charity_of(p.customer_tg_id).await?.map_or_else(|| texts::a_charity(l).into(), |c| c.name);
                let lines = units(l, &p, &offer);
                plain(texts::donation_coming(l, p.id, &charity, &offer.title, &lines, p.pickup_code.as_str()))
            }
            NoticeKind::WaitlistHold => {
                // Rendered when sent: a hold already over says so instead.
                let over = store.hold_of(p.id).await?.map(|e| e.status).filter(|s| *s != WaitStatus::Held);
                if let Some(status) = over {
                    return plain(waitlist::hold_over(l, status));
                }
                let minutes = p.expires_at.map_or(0, |t| ((t - now).num_seconds().max(1) as u64).div_ceil(60));
                let (text, markup) = waitlist::hold(l, &p, &offer, minutes);
                Ok(Some(Rendered { text, markup: Some(markup) }))
            }
            NoticeKind::HoldLapsed => plain(waitlist::hold_lapsed(l, &offer.title)),
            NoticeKind::BusinessReview
            | NoticeKind::BusinessDecision
            | NoticeKind::WaitlistClosed
            | NoticeKind::DonationOffered
            | NoticeKind::DonationGone
            | NoticeKind::ConnectStatus
            | NoticeKind::ConnectReady
            | NoticeKind::ConnectNeedsInfo
            | NoticeKind::PayoutPaid
            | NoticeKind::PayoutFailed
            | NoticeKind::PriceDropped => {
                anyhow::bail!("a {} notice about a purchase", n.kind)
            }
        };
    }
    if let (Some(offer_id), NoticeKind::DonationOffered | NoticeKind::DonationGone | NoticeKind::WaitlistClosed) =
        (n.offer_id, n.kind)
    {
        let offer = match store.offer(offer_id).await {
            Ok(o) => o,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if n.kind == NoticeKind::WaitlistClosed {
            return plain(waitlist::closed(l, &offer.title));
        }
        if n.kind == NoticeKind::DonationGone {
            return plain(texts::donation_gone(l, &offer.title));
        }
        let business = store.business(offer.business_id).await?;
        let venue = store.venue(offer.venue_id).await?;
        let lines: Vec<String> = offer
            .items
            .iter()
            .filter(|i| i.remaining() > 0)
            .map(|i| texts::donation_line(l, i.remaining(), &i.name, &i.unit))
            .collect();
        let pickup = offer.window().map(|w| l.window(&w, venue.timezone, now)).unwrap_or_default();
        let address = format!("{}, {}", venue.name, venue.address);
        return Ok(Some(Rendered {
            text: texts::donation_offered(l, &offer.title, &business.name, &address, &lines.join("\n"), &pickup),
            markup: Some(keyboards::donation_buttons(l, offer.id)),
        }));
    }
    if let (Some(offer_id), NoticeKind::PriceDropped) = (n.offer_id, n.kind) {
        return price_dropped(store, n, offer_id, l, now).await;
    }
    let Some(business_id) = n.business_id else { anyhow::bail!("notice {} is about nothing", n.id) };
    let b = match store.business(business_id).await {
        Ok(b) => b,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    match n.kind {
        NoticeKind::BusinessReview => {
            let venue = store.venues_of(b.id).await?.into_iter().next();
            let address = venue.map(|v| v.address).unwrap_or_default();
            let owner = n.detail.as_deref().unwrap_or_default();
            Ok(Some(Rendered {
                text: texts::admin_new_business(l, b.id, &b.name, &b.phone, &address, owner),
                markup: Some(keyboards::review_buttons(l, b.id)),
            }))
        }
        NoticeKind::BusinessDecision => {
            let event = n.detail.as_deref().map(BusinessEvent::parse).transpose()?;
            let reason = b.status_reason.as_deref().unwrap_or(texts::no_reason_given(l));
            plain(match event {
                Some(BusinessEvent::Verify) => texts::owner_verified(l, &b.name),
                Some(BusinessEvent::Reject) => texts::owner_rejected(l, &b.name, reason),
                Some(BusinessEvent::Suspend) => texts::owner_suspended(l, &b.name),
                Some(BusinessEvent::Unsuspend) => texts::owner_unsuspended(l, &b.name),
                None => anyhow::bail!("a business decision without its event"),
            })
        }
        NoticeKind::ConnectStatus => {
            let account = store.connect_account(b.id).await?;
            let text = money::notice_status(l, &b.name, account.as_ref());
            // Stripe still needs something: the link again, right there.
            let markup = match &account {
                Some(a) if a.state.needs_something() => {
                    n.detail.as_deref().and_then(|url| money::continue_button(l, url))
                }
                _ => None,
            };
            Ok(Some(Rendered { text, markup }))
        }
        NoticeKind::ConnectReady => plain(money::notice_ready(l, &b.name)),
        NoticeKind::ConnectNeedsInfo => plain(money::notice_needs_info(l, &b.name, n.detail.as_deref())),
        NoticeKind::PayoutPaid => plain(money::notice_payout_paid(l, &b.name, n.detail.as_deref())),
        NoticeKind::PayoutFailed => plain(money::notice_payout_failed(l, &b.name, n.detail.as_deref())),
        other => anyhow::bail!("a {other} notice without a purchase"),
    }
}

/// A watched deal costs what the customer asked for (or less): its price
/// as it is now, with Buy and View. Nothing when it can't be bought any more.
async fn price_dropped(
    store: &Store,
    n: &Notice,
    offer_id: i64,
    l: Lang,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Rendered>> {
    let offer = match store.offer(offer_id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Some(price) = offer.cheapest_at(now) else { return Ok(None) };
    if !offer.status.is_buyable() || offer.pickup_end <= now {
        return Ok(None);
    }
    let shop = store.business(offer.business_id).await?.name;
    let below = n
        .detail
        .as_deref()
        .and_then(|d| d.parse::<i64>().ok())
        .and_then(|m| crate::domain::Money::from_minor(m, offer.currency))
        .map_or_else(String::new, |m| l.money(m));
    let rows = vec![vec![(texts::buy(l), Cb::Buy(offer.id)), (texts::view(l), Cb::ShowOffer(offer.id))]];
    Ok(Some(Rendered {
        text: texts::price_dropped(l, &offer.title, &shop, &l.money(price), &below),
        markup: Some(ReplyMarkup::InlineKeyboard(keyboards::inline(rows))),
    }))
}
