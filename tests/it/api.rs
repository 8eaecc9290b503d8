//! The JSON API over HTTP, against the real app: every JSON response is
//! validated against the OpenAPI document the server itself serves (the
//! contract test), with the published `jsonschema` validator.

use std::collections::HashSet;

use glean::domain::text::Title;
use glean::domain::{OfferEvent, OfferStatus};
use glean::media::process_photo;
use glean::store::{Actor, Offer, Store};
use glean_fakes::images;
use serde_json::{Value, json};

use crate::support::app::{TestApp, eventually};
use crate::support::db::Backend;
use crate::support::fixtures::*;

/// Alexanderplatz, Berlin: where the customer stands.
const HERE: &str = "52.5219,13.4132";

macro_rules! api_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = crate::support::app::TestApp::spawn(crate::support::db::Backend::Sqlite).await.expect("sqlite");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = crate::support::app::TestApp::spawn(crate::support::db::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

api_tests!(
    responses_match_the_served_openapi_document,
    bad_parameters_are_named_in_the_error,
    paging_never_repeats_or_skips_a_deal,
    nearest_pages_on_a_keyset,
    sorting_and_filtering,
    media_is_served_from_the_database_and_cached_for_good,
);

/// The served OpenAPI document, and a checker of responses against it.
pub(crate) struct Contract {
    pub(crate) doc: Value,
}

impl Contract {
    pub(crate) async fn fetch(app: &TestApp) -> Contract {
        let (status, doc) = get(app, "/openapi.json").await;
        assert_eq!(status, 200);
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "not OpenAPI 3: {}", doc["openapi"]);
        Contract { doc }
    }

    /// Asserts that `body` is what the document promises for `GET template`
    /// answering `status`.
    fn check(&self, template: &str, status: u16, body: &Value) {
        let errors = self.errors(template, status, body);
        assert!(errors.is_empty(), "GET {template} {status} breaks the contract:\n{}\n{body:#}", errors.join("\n"));
    }

    /// How `body` breaks the contract of `GET template` answering `status`.
    pub(crate) fn errors(&self, template: &str, status: u16, body: &Value) -> Vec<String> {
        self.errors_of("get", template, status, body)
    }

    /// How `body` breaks the contract of `method template` answering `status`.
    pub(crate) fn errors_of(&self, method: &str, template: &str, status: u16, body: &Value) -> Vec<String> {
        let response = &self.doc["paths"][template][method]["responses"][status.to_string()];
        assert!(response.is_object(), "{method} {template} doesn't document status {status}");
        let schema = &response["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "{method} {template} {status} has no JSON schema");
        // The response's schema at the root of a 2020-12 schema document
        // that also holds the components its `$ref`s point into.
        let mut root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.doc["components"].clone(),
        });
        for (k, v) in schema.as_object().unwrap() {
            root[k] = v.clone();
        }
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("GET {template} {status}: the document's schema doesn't compile: {e}"));
        validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect()
    }
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let res = reqwest::get(format!("{}{path}", app.base_url)).await.expect("request");
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(ct.starts_with("application/json"), "GET {path}: content-type {ct:?}");
    (status, res.json().await.expect("JSON body"))
}

/// A verified shop's active offer with a photo, stored as the bot stores it.
pub async fn offer_with_photo(store: &Store) -> (Offer, glean::media::ProcessedPhoto) {
    let photo = process_photo(&images::jpeg(800, 600)).expect("test photo");
    for jpeg in [&photo.display, &photo.thumb] {
        store.put_image(&jpeg.stored(), now()).await.unwrap();
    }
    let (b, v) = verified_business(store).await;
    let mut d = draft(&b, &v, vec![item("Rye loaf", 450, 200, 3), item("Croissant", 180, 90, 6)]);
    d.title = Title::parse("Bread & pastries").unwrap();
    d.photo = Some(photo.display.name.clone());
    d.thumb = Some(photo.thumb.name.clone());
    let o = store.create_offer(&d, &Actor::User(OWNER), now()).await.unwrap();
    let o = store.apply_offer_event(o.id, OfferEvent::Publish, &Actor::User(OWNER), now()).await.unwrap();
    (o, photo)
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().expect("items").iter().map(|o| o["id"].as_i64().expect("id")).collect()
}

async fn responses_match_the_served_openapi_document(app: TestApp) {
    let store = app.store();
    let contract = Contract::fetch(&app).await;
    let (with_photo, photo) = offer_with_photo(store).await;
    // 1.3 km from HERE, and one in Potsdam, 27 km away.
    let near = shop_with_offer(store, 3001, "Kiezbäcker", (52.5290, 13.4010), 5, 150).await;
    let far = shop_with_offer(store, 3002, "Potsdamer Brot", (52.3906, 13.0645), 5, 150).await;
    let (b, v) = verified_business(store).await;
    let secret = draft(&b, &v, vec![item("Secret", 500, 100, 1)]);
    let draft = store.create_offer(&secret, &Actor::User(OWNER), now()).await.unwrap();

    let (status, all) = get(&app, "/api/v1/offers").await;
    assert_eq!(status, 200);
    contract.check("/api/v1/offers", 200, &all);
    let listed: HashSet<i64> = ids(&all).into_iter().collect();
    assert_eq!(listed, HashSet::from([with_photo.id, near.id, far.id]), "active deals only, no draft");
    assert!(all["items"][0].get("distance_m").is_none(), "no distance without near");
    assert!(all.get("next_cursor").is_none(), "one page");

    let (status, nearby) = get(&app, &format!("/api/v1/offers?near={HERE}&radius_km=5")).await;
    assert_eq!(status, 200);
    contract.check("/api/v1/offers", 200, &nearby);
    assert!(!ids(&nearby).contains(&far.id), "Potsdam is beyond 5 km");
    let distances: Vec<u64> =
        nearby["items"].as_array().unwrap().iter().map(|o| o["distance_m"].as_u64().expect("distance_m")).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "nearest first: {distances:?}");
    assert!(distances.iter().all(|d| (1000..1500).contains(d)), "about 1.3 km: {distances:?}");

    let (status, one) = get(&app, &format!("/api/v1/offers/{}", with_photo.id)).await;
    assert_eq!(status, 200);
    contract.check("/api/v1/offers/{id}", 200, &one);
    assert_eq!(one["title"], "Bread & pastries");
    assert_eq!(one["status"], "active");
    assert_eq!(one["currency"], "EUR");
    assert_eq!(one["remaining"], 9);
    assert_eq!(one["business"]["name"], "Bäckerei Kalle");
    assert_eq!(one["venue"]["timezone"], "Europe/Berlin");
    assert_eq!(
        one["items"][0],
        json!({
            "id": with_photo.items[0].id, "name": "Rye loaf", "unit": "1 box",
            "original_price": {"amount_minor": 450, "currency": "EUR", "display": "€4.50"},
            "deal_price": {"amount_minor": 200, "currency": "EUR", "display": "€2.00"},
            "discount_percent": 55, "remaining": 3, "remaining_display": "3 left",
        })
    );
    // The contract has teeth: money as a float, an undocumented field or a
    // missing one are each caught.
    let mut broken = one.clone();
    broken["items"][0]["deal_price"]["amount_minor"] = json!(2.5);
    broken["surprise"] = json!(true);
    broken.as_object_mut().unwrap().remove("pickup");
    assert_eq!(contract.errors("/api/v1/offers/{id}", 200, &broken).len(), 3, "{broken:#}");
    assert_eq!(one["photo_url"], format!("/media/{}", photo.display.name));
    assert_eq!(one["thumb_url"], format!("/media/{}", photo.thumb.name));
    let start = chrono::DateTime::parse_from_rfc3339(one["pickup"]["start"].as_str().unwrap()).unwrap();
    assert_eq!(start.timestamp(), with_photo.pickup_start.timestamp());
    assert!(one["pickup"]["start"].as_str().unwrap().ends_with('Z'), "UTC");
    assert!(one["pickup"]["display"].as_str().unwrap().contains('–'), "{}", one["pickup"]["display"]);

    // The bot learns its username after start-up; deep links follow.
    let link = format!("https://t.me/{}?start=offer_{}", app.tg.bot_username(), with_photo.id);
    eventually("the deep link", || async {
        get(&app, &format!("/api/v1/offers/{}", with_photo.id)).await.1["deep_link"] == link.as_str()
    })
    .await;
    contract.check("/api/v1/offers/{id}", 200, &get(&app, &format!("/api/v1/offers/{}", with_photo.id)).await.1);

    // Withdrawn deals are still found by id, with their status; drafts never.
    store.apply_offer_event(near.id, OfferEvent::Withdraw, &Actor::User(3001), now()).await.unwrap();
    let (status, withdrawn) = get(&app, &format!("/api/v1/offers/{}", near.id)).await;
    assert_eq!((status, withdrawn["status"].as_str()), (200, Some("withdrawn")));
    contract.check("/api/v1/offers/{id}", 200, &withdrawn);
    for missing in [draft.id, 999_999] {
        let (status, body) = get(&app, &format!("/api/v1/offers/{missing}")).await;
        assert_eq!(status, 404);
        assert_eq!(body["error"]["code"], "not_found");
        contract.check("/api/v1/offers/{id}", 404, &body);
    }

    for path in ["/healthz", "/readyz"] {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, 200);
        contract.check(path, 200, &body);
    }
}

async fn bad_parameters_are_named_in_the_error(app: TestApp) {
    let contract = Contract::fetch(&app).await;
    for (query, parameter) in [
        ("near=abc", "near"),
        ("near=91,13", "near"),
        (&format!("near={HERE}&radius_km=-1"), "radius_km"),
        (&format!("near={HERE}&radius_km=1000"), "radius_km"),
        ("radius_km=5", "radius_km"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("sort=cheapest", "sort"),
        ("sort=nearest", "sort"),
        ("business=x", "business"),
        ("cursor=garbage", "cursor"),
        // Well-formed, but no such list (or expired).
        ("cursor=0123456789abcdef0123456789abcdef.20", "cursor"),
    ] {
        let (status, body) = get(&app, &format!("/api/v1/offers?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{query}");
        assert_eq!(body["error"]["parameter"], parameter, "{query}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap_or_default().is_empty());
        contract.check("/api/v1/offers", 400, &body);
    }
    for id in ["abc", "-1", "0", "99999999999999999999"] {
        let (status, body) = get(&app, &format!("/api/v1/offers/{id}")).await;
        assert_eq!((status, body["error"]["parameter"].as_str()), (400, Some("id")), "{id}: {body}");
        contract.check("/api/v1/offers/{id}", 400, &body);
    }
}

async fn paging_never_repeats_or_skips_a_deal(app: TestApp) {
    let store = app.store();
    let contract = Contract::fetch(&app).await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(shop_with_offer(store, 4000 + i, &format!("Shop {i}"), (52.52, 13.41), 3, 100).await.id);
    }
    let (_, first) = get(&app, "/api/v1/offers?sort=newest&limit=3").await;
    contract.check("/api/v1/offers", 200, &first);
    let mut seen = ids(&first);
    let mut cursor = first["next_cursor"].as_str().expect("more pages").to_string();

    // Deals come and go between pages: the pages that follow don't move.
    let newcomer = shop_with_offer(store, 4999, "Newcomer", (52.52, 13.41), 3, 100).await;
    store.apply_offer_event(made[0], OfferEvent::Withdraw, &Actor::User(4000), now()).await.unwrap();
    let mut pages = 1;
    loop {
        let (status, page) = get(&app, &format!("/api/v1/offers?limit=3&cursor={cursor}")).await;
        assert_eq!(status, 200, "{page}");
        contract.check("/api/v1/offers", 200, &page);
        seen.extend(ids(&page));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    // Newest first: published later (or in the same second, a higher id) first.
    let mut expected = made.clone();
    expected.reverse();
    assert_eq!(seen, expected, "every deal of the first page's ranking, once, in order");
    assert!(!seen.contains(&newcomer.id), "a deal published after the first page waits for a new first page");
    let (_, again) = get(&app, "/api/v1/offers?sort=newest&limit=3").await;
    assert_eq!(ids(&again)[0], newcomer.id, "…where it shows");
    assert!(!ids(&again).contains(&made[0]), "…and withdrawn deals are gone");

    // A cursor can be used again: paging is repeatable.
    let (_, twice) = get(&app, &format!("/api/v1/offers?limit=3&cursor={cursor}")).await;
    assert_eq!(ids(&twice), seen[seen.len() - ids(&twice).len()..].to_vec());
}

/// Nearest first pages on a keyset: every deal that stays active is shown
/// once, in order of distance (ties by id), across pages, while deals come
/// and go between them; a deal published nearer than a page already read
/// waits for a new first page, one further on shows up; a cursor can be
/// used again, and a tampered one is a 400.
async fn nearest_pages_on_a_keyset(app: TestApp) {
    let store = app.store();
    let contract = Contract::fetch(&app).await;
    let (lat, lng) = (52.5219, 13.4132);
    // Nine deals 111 m apart going north, two more sharing the fourth's
    // place (a tie), one 5.5 km away (outside the 3 km asked for).
    let mut made = Vec::new();
    for k in 1..=9 {
        made.push(
            shop_with_offer(store, 6000 + k, &format!("Step {k}"), (lat + 0.001 * k as f64, lng), 3, 100).await.id,
        );
    }
    for k in [20, 21] {
        made.push(shop_with_offer(store, 6000 + k, &format!("Twin {k}"), (lat + 0.004, lng), 3, 100).await.id);
    }
    shop_with_offer(store, 6030, "Far away", (lat + 0.05, lng), 3, 100).await;
    let mut expected = made.clone();
    // Step 4 and its twins are at one place: by id.
    expected.sort_by_key(|id| {
        let i = made.iter().position(|m| m == id).unwrap();
        let step = if i >= 9 { 4 } else { i + 1 };
        (step, *id)
    });

    let first_url = format!("/api/v1/offers?near={lat},{lng}&radius_km=3&limit=2");
    let (status, first) = get(&app, &first_url).await;
    assert_eq!(status, 200, "{first}");
    contract.check("/api/v1/offers", 200, &first);
    let mut seen = ids(&first);
    let mut distances: Vec<u64> =
        first["items"].as_array().unwrap().iter().map(|o| o["distance_m"].as_u64().unwrap()).collect();
    let mut cursor = first["next_cursor"].as_str().expect("more pages").to_string();

    // Between pages: one deal not yet shown is withdrawn, one appears
    // nearer than anything shown, one further than everything.
    let gone = expected[6];
    store.apply_offer_event(gone, OfferEvent::Withdraw, &Actor::User(6007), now()).await.unwrap();
    let nearer = shop_with_offer(store, 6040, "Newcomer near", (lat + 0.0001, lng), 3, 100).await.id;
    let further = shop_with_offer(store, 6041, "Newcomer far", (lat + 0.0095, lng), 3, 100).await.id;
    let mut pages = 1;
    let mut last_cursor = cursor.clone();
    loop {
        let (status, page) = get(&app, &format!("/api/v1/offers?limit=2&cursor={cursor}")).await;
        assert_eq!(status, 200, "{page}");
        contract.check("/api/v1/offers", 200, &page);
        seen.extend(ids(&page));
        distances.extend(page["items"].as_array().unwrap().iter().map(|o| o["distance_m"].as_u64().unwrap()));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => {
                last_cursor = cursor;
                cursor = next.to_string();
            }
            None => break,
        }
    }
    let mut want: Vec<i64> = expected.iter().copied().filter(|id| *id != gone).collect();
    want.push(further);
    assert_eq!(seen, want, "every deal that stayed active, once, nearest first; the newcomer further on too");
    assert!(!seen.contains(&nearer), "a deal nearer than a page read waits for a new first page");
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances.iter().all(|d| *d <= 3_000), "{distances:?}");
    assert_eq!(pages, 6);
    let (_, again) = get(&app, &first_url).await;
    assert_eq!(ids(&again), [nearer, expected[0]], "…where it shows");

    // A cursor can be used again: the same page.
    let (_, a) = get(&app, &format!("/api/v1/offers?limit=2&cursor={last_cursor}")).await;
    let (_, b) = get(&app, &format!("/api/v1/offers?limit=2&cursor={last_cursor}")).await;
    assert_eq!(ids(&a), ids(&b));
    assert!(!ids(&a).is_empty());
    // One shop's deals only, paged the same way.
    let shop = store.offer(expected[2]).await.unwrap().business_id;
    let (_, one) = get(&app, &format!("/api/v1/offers?near={lat},{lng}&radius_km=3&limit=1&business={shop}")).await;
    assert_eq!(ids(&one), [expected[2]]);
    assert!(one.get("next_cursor").is_none(), "{one}");
    // A tampered cursor is refused by name, whatever part was changed.
    let parts: Vec<&str> = cursor.split('.').collect();
    for (i, bad) in [(1, "zz"), (3, "7ff8000000000000"), (6, "-4")] {
        let mut p = parts.clone();
        p[i] = bad;
        let (status, body) = get(&app, &format!("/api/v1/offers?cursor={}", p.join("."))).await;
        assert_eq!((status, body["error"]["parameter"].as_str()), (400, Some("cursor")), "{body}");
        contract.check("/api/v1/offers", 400, &body);
    }
}

async fn sorting_and_filtering(app: TestApp) {
    let store = app.store();
    let contract = Contract::fetch(&app).await;
    let older = shop_with_offer(store, 5001, "Older", (52.5300, 13.4000), 5, 100).await;
    let newer = shop_with_offer(store, 5002, "Newer", (52.5200, 13.4130), 5, 100).await;
    // People opened the older deal's card often: it is the popular one.
    for _ in 0..40 {
        store.count_view(older.id).await.unwrap();
    }
    let contract = &contract;
    let order = |sort: &'static str, extra: &'static str| {
        let app = &app;
        async move {
            let (status, page) = get(app, &format!("/api/v1/offers?sort={sort}{extra}")).await;
            assert_eq!(status, 200, "{page}");
            contract.check("/api/v1/offers", 200, &page);
            ids(&page)
        }
    };
    assert_eq!(order("popular", "").await, [older.id, newer.id]);
    assert_eq!(order("newest", "").await, [newer.id, older.id]);
    assert_eq!(order("nearest", "&near=52.5219,13.4132").await, [newer.id, older.id]);
    assert_eq!(order("popular", "&near=52.5219,13.4132").await, [older.id, newer.id]);
    let (_, default_near) = get(&app, "/api/v1/offers?near=52.5300,13.4000").await;
    assert_eq!(ids(&default_near), [older.id, newer.id], "nearest is the default with near");
    let (_, one_shop) = get(&app, &format!("/api/v1/offers?business={}", newer.business_id)).await;
    assert_eq!(ids(&one_shop), [newer.id]);
    let (_, limited) = get(&app, "/api/v1/offers?sort=newest&limit=1").await;
    assert_eq!(ids(&limited), [newer.id]);
    assert!(limited["next_cursor"].is_string());

    // Sold out is no longer listed, but still found by id.
    store.apply_offer_event(newer.id, OfferEvent::MarkSoldOut, &Actor::User(5002), now()).await.unwrap();
    assert_eq!(order("newest", "").await, [older.id]);
    let (_, sold_out) = get(&app, &format!("/api/v1/offers/{}", newer.id)).await;
    assert_eq!(sold_out["status"], OfferStatus::SoldOut.as_str());
}

async fn media_is_served_from_the_database_and_cached_for_good(app: TestApp) {
    let (offer, photo) = offer_with_photo(app.store()).await;
    let contract = Contract::fetch(&app).await;
    let http = reqwest::Client::new();
    let (_, view) = get(&app, &format!("/api/v1/offers/{}", offer.id)).await;
    for (url, jpeg) in [(&view["photo_url"], &photo.display), (&view["thumb_url"], &photo.thumb)] {
        let res = http.get(format!("{}{}", app.base_url, url.as_str().unwrap())).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        assert_eq!(header("content-type").as_deref(), Some("image/jpeg"));
        assert_eq!(header("cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
        let etag = header("etag").expect("etag");
        assert_eq!(etag, format!("\"{}\"", jpeg.name));
        assert_eq!(res.bytes().await.unwrap().to_vec(), jpeg.bytes, "our own re-encoded JPEG");

        let again = http
            .get(format!("{}/media/{}", app.base_url, jpeg.name))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
    }
    let unknown = format!("{}-thumb.jpg", "0".repeat(64));
    for (name, status, code) in [
        (unknown.as_str(), 404, "not_found"),
        ("passwd", 400, "bad_request"),
        ("..%2F..%2Fetc%2Fpasswd", 400, "bad_request"),
    ] {
        let (got, body) = get(&app, &format!("/media/{name}")).await;
        assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{name}");
        contract.check("/media/{name}", status, &body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_command_answers_for_the_server() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let addr = app.base_url.trim_start_matches("http://").to_string();
    let run = |addr: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_glean"))
            .arg("healthcheck")
            .current_dir(std::env::temp_dir())
            .env_clear()
            .env("HTTP_ADDR", addr)
            .output()
            .unwrap()
    };
    let up = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || run(addr)
    })
    .await
    .unwrap();
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    // A port nothing listens on.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let down = tokio::task::spawn_blocking(move || run(free.to_string())).await.unwrap();
    assert_eq!(down.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&down.stderr).contains("healthcheck"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_urls_are_absolute_with_a_public_base_url() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("PUBLIC_BASE_URL", "https://glean.example/shop/")])
        .await
        .expect("sqlite");
    let (offer, photo) = offer_with_photo(app.store()).await;
    let (_, view) = get(&app, &format!("/api/v1/offers/{}", offer.id)).await;
    assert_eq!(view["photo_url"], format!("https://glean.example/shop/media/{}", photo.display.name));
    assert_eq!(view["thumb_url"], format!("https://glean.example/shop/media/{}", photo.thumb.name));
}
