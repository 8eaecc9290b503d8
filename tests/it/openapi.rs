//! The OpenAPI document is the truth: it is a valid OpenAPI 3.1 document
//! (checked against the published meta-schema, vendored in
//! `tests/openapi-3.1-schema.json`), every `$ref` in it resolves, and a
//! property test generates requests from it — each parameter's schema, valid
//! and invalid values, empty and left out — and checks that every answer's
//! status is one the document declares, with a body that matches it, and
//! that an empty parameter is answered as if it were left out.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::Value;

use crate::api::{Contract, offer_with_photo};
use crate::support::app::TestApp;
use crate::support::db::Backend;
use crate::support::fixtures::*;

const META_SCHEMA: &str = include_str!("../openapi-3.1-schema.json");

#[test]
fn the_document_is_valid_openapi_3_1() {
    let doc = glean::http::openapi::document();
    let meta: Value = serde_json::from_str(META_SCHEMA).expect("the vendored meta-schema is JSON");
    let validator = jsonschema::draft202012::new(&meta).expect("the meta-schema compiles");
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "not OpenAPI 3.1:\n{}", errors.join("\n"));
    // The meta-schema has teeth.
    let mut broken = doc.clone();
    broken["paths"]["/api/v1/offers"]["get"]["responses"]["200"] = Value::from(200);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn every_ref_resolves() {
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = glean::http::openapi::document();
    let mut found = Vec::new();
    refs(doc, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r} points outside the document"));
        assert!(doc.pointer(pointer).is_some(), "{r} doesn't resolve");
    }
}

/// Every rate-limited route documents 429 with `Retry-After`, and every API
/// route its errors (400, 500) with the shared error body.
#[test]
fn errors_are_documented_with_the_shared_schema() {
    let doc = glean::http::openapi::document();
    for path in ["/api/v1/offers", "/api/v1/offers/{id}", "/media/{name}"] {
        let responses = &doc["paths"][path]["get"]["responses"];
        for status in ["400", "429", "500"] {
            let schema = &responses[status]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/ErrorBody", "{path} {status}");
        }
        assert!(responses["429"]["headers"]["Retry-After"].is_object(), "{path}: Retry-After");
    }
    for path in ["/api/v1/offers/{id}", "/media/{name}"] {
        assert!(doc["paths"][path]["get"]["responses"]["404"].is_object(), "{path} 404");
    }
}

/// One parameter of an operation, as the document declares it.
#[derive(Clone, Debug)]
struct Param {
    name: String,
    in_path: bool,
    required: bool,
    schema: Value,
}

/// A generated request: each parameter's value, or `None` for left out.
type Request = Vec<(Param, Option<String>)>;

fn params(doc: &Value, path: &str) -> Vec<Param> {
    let list = doc["paths"][path]["get"]["parameters"].as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|p| {
            let mut schema = p["schema"].clone();
            if let Some(r) = schema["$ref"].as_str() {
                schema = doc.pointer(r.trim_start_matches('#')).cloned().expect("resolves");
            }
            Param {
                name: p["name"].as_str().expect("name").to_string(),
                in_path: p["in"] == "path",
                required: p["required"] == true,
                schema,
            }
        })
        .collect()
}

/// Values the schema allows, plus `known` values that exist on the server
/// (an offer's id, an image's name), so successful answers are checked too.
fn valid(schema: &Value, known: Vec<String>) -> BoxedStrategy<String> {
    let int = |v: &Value| v.as_i64();
    let mut choices: Vec<BoxedStrategy<String>> = Vec::new();
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values.iter().filter_map(|v| v.as_str().map(String::from)).collect();
        choices.push(proptest::sample::select(values).boxed());
    } else if schema["type"] == "integer" {
        let (lo, hi) = (int(&schema["minimum"]).unwrap_or(-1_000), int(&schema["maximum"]).unwrap_or(1_000_000));
        choices.push((lo..=hi).prop_map(|n| n.to_string()).boxed());
    } else if schema["type"] == "number" {
        let lo = schema["minimum"].as_f64().or(schema["exclusiveMinimum"].as_f64()).unwrap_or(-1_000.0);
        let hi = schema["maximum"].as_f64().unwrap_or(1_000.0);
        let excl = schema["exclusiveMinimum"].as_f64();
        choices.push(
            (lo..=hi)
                .prop_filter("above the exclusive minimum", move |x| excl.is_none_or(|m| *x > m))
                .prop_map(|x| format!("{x:.3}"))
                .boxed(),
        );
    } else if let Some(pattern) = schema["pattern"].as_str() {
        let pattern = pattern.trim_start_matches('^').trim_end_matches('$');
        choices.push(proptest::string::string_regex(pattern).expect("pattern compiles").boxed());
    } else {
        choices.push("[a-z0-9.,]{1,12}".boxed());
    }
    if !known.is_empty() {
        choices.push(proptest::sample::select(known).boxed());
    }
    Union::new(choices).boxed()
}

fn request(params: &[Param], known: &BTreeMap<&str, Vec<String>>) -> BoxedStrategy<Request> {
    let per_param: Vec<BoxedStrategy<(Param, Option<String>)>> = params
        .iter()
        .map(|p| {
            let good = valid(&p.schema, known.get(p.name.as_str()).cloned().unwrap_or_default());
            // Anything printable, numbers out of range, or nothing at all.
            let bad = prop_oneof!["[ -~]{1,16}", any::<i64>().prop_map(|n| n.to_string()), Just("-1".to_string())];
            let mut choices = vec![(4, good.prop_map(Some).boxed()), (3, bad.prop_map(Some).boxed())];
            if !p.in_path {
                choices.push((1, Just(Some(String::new())).boxed()));
            }
            if !p.required {
                choices.push((3, Just(None).boxed()));
            }
            let p = p.clone();
            Union::new_weighted(choices).prop_map(move |v| (p.clone(), v)).boxed()
        })
        .collect();
    per_param.boxed()
}

fn url(base: &str, template: &str, req: &Request) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20");
    let mut path = template.to_string();
    let mut query = Vec::new();
    for (p, v) in req {
        match (p.in_path, v) {
            (true, Some(v)) => path = path.replace(&format!("{{{}}}", p.name), &enc(v)),
            (false, Some(v)) => query.push(format!("{}={}", enc(&p.name), enc(v))),
            _ => {}
        }
    }
    if query.is_empty() { format!("{base}{path}") } else { format!("{base}{path}?{}", query.join("&")) }
}

/// Sends `req`: its status, or what breaks the contract.
async fn check(app: &TestApp, contract: &Contract, template: &str, req: &Request) -> Result<u16, String> {
    let url = url(&app.base_url, template, req);
    let res = reqwest::get(&url).await.map_err(|e| format!("GET {url}: {e}"))?;
    let status = res.status().as_u16();
    let declared = &contract.doc["paths"][template]["get"]["responses"][status.to_string()];
    if !declared.is_object() {
        return Err(format!("GET {url} answered {status}, which the document doesn't declare"));
    }
    for header in declared["headers"].as_object().into_iter().flat_map(|h| h.keys()) {
        if !res.headers().contains_key(header.as_str()) {
            return Err(format!("GET {url} {status}: no {header} header"));
        }
    }
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let body = res.bytes().await.map_err(|e| e.to_string())?;
    match declared["content"].as_object() {
        None if body.is_empty() => Ok(status),
        None => Err(format!("GET {url} {status}: a body where none is declared")),
        Some(content) if content.contains_key("application/json") => {
            let json: Value =
                serde_json::from_slice(&body).map_err(|e| format!("GET {url} {status}: not JSON: {e}"))?;
            let errors = contract.errors(template, status, &json);
            if errors.is_empty() {
                Ok(status)
            } else {
                Err(format!("GET {url} {status}: {}\n{json:#}", errors.join("\n")))
            }
        }
        Some(content) if content_type == "image/jpeg" && content.contains_key("image/jpeg") => {
            if body.starts_with(&[0xFF, 0xD8, 0xFF]) { Ok(status) } else { Err(format!("GET {url}: not a JPEG")) }
        }
        Some(_) => Err(format!("GET {url} {status}: undeclared content type {content_type}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_get_declared_answers() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let contract = Contract::fetch(&app).await;
    let store = app.store();
    let (offer, photo) = offer_with_photo(store).await;
    let other = shop_with_offer(store, 3001, "Kiezbäcker", (52.5290, 13.4010), 5, 150).await;
    // A real cursor: the first page of one deal has a next page.
    let first: Value =
        reqwest::get(format!("{}/api/v1/offers?limit=1", app.base_url)).await.unwrap().json().await.unwrap();
    let cursor = first["next_cursor"].as_str().expect("two deals, one per page").to_string();
    let known: BTreeMap<&str, Vec<String>> = BTreeMap::from([
        ("id", vec![offer.id.to_string(), other.id.to_string()]),
        ("name", vec![photo.display.name.clone(), photo.thumb.name.clone()]),
        ("cursor", vec![cursor]),
        ("near", vec!["52.5219,13.4132".into(), "52.52,13.405".into()]),
        ("business", vec![offer.business_id.to_string()]),
    ]);

    // A fixed seed and a bounded number of cases per operation (kept under
    // the per-client burst, so most answers are not 429s).
    // GET operations only: the Mini App's writes are covered in miniapp.rs.
    let operations: Vec<String> = contract.doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, ops)| ops.get("get").is_some())
        .map(|(path, _)| path.clone())
        .collect();
    let handle = tokio::runtime::Handle::current();
    let seen = std::sync::Mutex::new(BTreeMap::<String, std::collections::BTreeSet<u16>>::new());
    for template in operations {
        let params = params(&contract.doc, &template);
        let cases = if params.is_empty() { 2 } else { 24 };
        let strategy = request(&params, &known);
        let config = Config { cases, failure_persistence: None, ..Config::default() };
        let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[17; 32]));
        let (app, contract, handle, template) = (&app, &contract, handle.clone(), template.clone());
        let outcome = tokio::task::block_in_place(|| {
            runner.run(&strategy, |req| {
                let status = handle.block_on(check(app, contract, &template, &req)).map_err(TestCaseError::fail)?;
                // An empty parameter is the parameter left out, as documented.
                let without_empty: Request = req.iter().filter(|(_, v)| v.as_deref() != Some("")).cloned().collect();
                if without_empty.len() < req.len() {
                    let other = handle.block_on(check(app, contract, &template, &without_empty));
                    let other = other.map_err(TestCaseError::fail)?;
                    if status != 429 && other != 429 {
                        prop_assert_eq!(status, other, "empty parameters changed the answer: {:?}", req);
                    }
                }
                seen.lock().unwrap().entry(template.clone()).or_default().insert(status);
                Ok(())
            })
        });
        if let Err(e) = outcome {
            panic!("{template}: {e}");
        }
    }
    // The generator reaches both the answers and the refusals.
    let seen = seen.into_inner().unwrap();
    for (template, statuses) in [
        ("/api/v1/offers", &[200, 400][..]),
        ("/api/v1/offers/{id}", &[200, 400, 404]),
        ("/media/{name}", &[200, 400, 404]),
    ] {
        for status in statuses {
            assert!(seen[template].contains(status), "{template} never answered {status}: {seen:?}");
        }
    }
}
