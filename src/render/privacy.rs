//! The texts of `/privacy` and `/privacy_request`: what Glean keeps and for
//! how long, the export's caption, the deletion's confirmation, refusals
//! and last message, by Fluent message id (`locales/*/glean.ftl`).

use super::i18n::Lang;
use super::texts::esc;
use crate::store::{EraseRefused, Erased};
use crate::t;

pub fn export_button(l: Lang) -> &'static str {
    t!(l, "privacy-export-button")
}
pub fn delete_button(l: Lang) -> &'static str {
    t!(l, "privacy-delete-button")
}
pub fn forget_location_button(l: Lang) -> &'static str {
    t!(l, "privacy-forget-location-button")
}
pub fn confirm_delete_button(l: Lang) -> &'static str {
    t!(l, "privacy-confirm-delete-button")
}
pub fn keep_button(l: Lang) -> &'static str {
    t!(l, "privacy-keep-button")
}

/// `/privacy`: what Glean stores about the person, why, and for how long.
pub fn overview(l: Lang, updates_days: u32, location_days: u32, has_location: bool, owner: bool) -> String {
    let mut s = t!(
        l,
        "privacy-overview",
        updates_days = updates_days,
        location_days = location_days,
        has_location = if has_location { "yes" } else { "no" },
    );
    if owner {
        s.push('\n');
        s.push_str(t!(l, "privacy-overview-business"));
    }
    s.push_str("\n\n");
    s.push_str(t!(l, "privacy-never-shared"));
    s
}

pub fn export_caption(l: Lang) -> &'static str {
    t!(l, "privacy-export-caption")
}
pub fn nothing_held(l: Lang) -> &'static str {
    t!(l, "privacy-nothing-held")
}
pub fn export_started(l: Lang) -> &'static str {
    t!(l, "privacy-export-started")
}
pub fn confirm_delete(l: Lang) -> &'static str {
    t!(l, "privacy-confirm-delete")
}
pub fn kept(l: Lang) -> &'static str {
    t!(l, "privacy-kept")
}

/// Why the deletion can't happen yet, and what to do.
pub fn refused(l: Lang, r: &EraseRefused) -> String {
    match r {
        EraseRefused::OpenOrders(ids) => t!(l, "privacy-refused-orders", orders = order_list(l, ids)),
        EraseRefused::OpenRefunds(ids) => t!(l, "privacy-refused-refunds", orders = order_list(l, ids)),
        EraseRefused::BusinessOrders { business, orders } => {
            t!(l, "privacy-refused-business", business = esc(business), orders = order_list(l, orders))
        }
    }
}

fn order_list(l: Lang, ids: &[i64]) -> String {
    let shown: Vec<String> = ids.iter().take(10).map(|id| format!("#{id}")).collect();
    let more = ids.len().saturating_sub(shown.len());
    if more > 0 { t!(l, "privacy-and-more", list = shown.join(", "), more = more) } else { shown.join(", ") }
}

/// The last message: what was deleted, what was kept and why.
pub fn erased(l: Lang, e: &Erased) -> String {
    if !e.found {
        return t!(l, "privacy-nothing-left").to_string();
    }
    let mut s = t!(l, "privacy-erased").to_string();
    if e.orders_kept > 0 {
        s.push_str("\n\n");
        s.push_str(&t!(l, "privacy-erased-orders", orders = e.orders_kept));
    }
    if e.businesses_kept > 0 {
        s.push_str("\n\n");
        s.push_str(t!(l, "privacy-erased-business"));
    }
    if e.charities > 0 {
        s.push_str("\n\n");
        s.push_str(t!(l, "privacy-erased-charity"));
    }
    s.push_str("\n\n");
    s.push_str(t!(l, "privacy-goodbye"));
    s
}

pub fn location_forgotten(l: Lang) -> &'static str {
    t!(l, "privacy-location-forgotten")
}
pub fn no_location(l: Lang) -> &'static str {
    t!(l, "privacy-no-location")
}
pub fn request_usage(l: Lang) -> &'static str {
    t!(l, "privacy-request-usage")
}

pub fn request_nothing_held(l: Lang, user: i64) -> String {
    t!(l, "privacy-request-nothing-held", user = user)
}

pub fn request_export_caption(l: Lang, user: i64) -> String {
    t!(l, "privacy-request-export-caption", user = user)
}

pub fn request_refused(l: Lang, user: i64, r: &EraseRefused) -> String {
    let why = match r {
        EraseRefused::OpenOrders(ids) => t!(l, "privacy-request-why-orders", orders = order_list(l, ids)),
        EraseRefused::OpenRefunds(ids) => t!(l, "privacy-request-why-refunds", orders = order_list(l, ids)),
        EraseRefused::BusinessOrders { business, orders } => {
            t!(l, "privacy-request-why-business", business = esc(business), orders = order_list(l, orders))
        }
    };
    t!(l, "privacy-request-refused", user = user, why = why)
}

pub fn request_erased(l: Lang, user: i64, e: &Erased, told: bool) -> String {
    if !e.found {
        return t!(l, "privacy-request-nothing-left", user = user);
    }
    t!(
        l,
        "privacy-request-erased",
        user = user,
        orders = e.orders_kept,
        businesses = e.businesses_kept,
        told = if told { "yes" } else { "no" },
    )
}
