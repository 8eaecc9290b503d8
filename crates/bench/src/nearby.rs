//! Nearby search over a seeded city: the nearest 20 active deals around
//! random points, through the store (`Store::nearest_active_ids`, the query
//! behind `/deals` and the API's nearest-first lists) and through
//! the JSON API (`GET /api/v1/offers?near=…&limit=20`) of the running app.
//! One query at a time: this is latency, not throughput.

use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::fake::LeanTelegram;
use crate::setup::{self, AppProcess, BotKind, Db, Percentiles, Target};

#[derive(Debug, Clone, clap::Args)]
pub struct Opts {
    #[arg(long, default_value_t = 100_000)]
    pub offers: u32,
    #[arg(long, default_value_t = 200)]
    pub businesses: u32,
    /// Queries measured per path (after 200 unmeasured).
    #[arg(long, default_value_t = 2_000)]
    pub queries: u32,
    /// Deals per answer.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Search radius, as the API's `radius_km` (its default is 10).
    #[arg(long, default_value_t = 10.0)]
    pub radius_km: f64,
}

pub struct Report {
    pub seed_secs: f64,
    pub store: Percentiles,
    pub api: Percentiles,
    pub api_bytes: usize,
}

pub async fn run(target: &Target, o: &Opts) -> anyhow::Result<Report> {
    let db = Db::fresh(target).await?;
    let result = async {
        let seeded = setup::seed_city(&db.store, o.businesses, o.offers).await?;
        eprintln!(
            "  seeded {} deals at {} venues in {:.1} s",
            seeded.offer_ids.len(),
            seeded.venues,
            seeded.elapsed.as_secs_f64()
        );
        if target.analyze {
            db.store.analyze_seeded().await?;
        }
        let radius_m = o.radius_km * 1000.0;
        let points = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..200 + o.queries).map(|_| setup::random_point_in_city(&mut rng)).collect::<anyhow::Result<Vec<_>>>()
        };

        let mut store_us = Vec::new();
        for (i, at) in points(3)?.into_iter().enumerate() {
            let t = Instant::now();
            let found = db.store.nearest_active_ids(at, radius_m, None, i64::from(o.limit), chrono::Utc::now()).await?;
            let us = t.elapsed().as_micros() as u64;
            anyhow::ensure!(found.len() == o.limit as usize, "only {} deals found near {at:?}", found.len());
            if i >= 200 {
                store_us.push(us);
            }
        }

        let tg = LeanTelegram::start().await?;
        let app = AppProcess::start(target, BotKind::App, &tg, Some(&db), &db.dir, &[]).await?;
        let api = async {
            let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
            let mut api_us = Vec::new();
            let mut bytes = 0;
            let mut limited = 0;
            let mut next_start = tokio::time::Instant::now();
            for (i, at) in points(4)?.into_iter().enumerate() {
                let url = format!(
                    "{}/api/v1/offers?near={:.6},{:.6}&radius_km={}&limit={}",
                    app.http,
                    at.lat(),
                    at.lng(),
                    o.radius_km,
                    o.limit
                );
                // The API allows one client IP 20 requests a second
                // (`http::PER_IP`, bursts of 100): pace to stay under it.
                tokio::time::sleep_until(next_start).await;
                next_start = tokio::time::Instant::now() + Duration::from_millis(55);
                let t = Instant::now();
                let r = http.get(&url).send().await?;
                let status = r.status();
                let body = r.bytes().await?;
                let us = t.elapsed().as_micros() as u64;
                if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                    limited += 1;
                    next_start = tokio::time::Instant::now() + Duration::from_secs(1);
                    continue;
                }
                anyhow::ensure!(status.is_success(), "{url}: {status}: {}", String::from_utf8_lossy(&body));
                if i == 0 {
                    let v: serde_json::Value = serde_json::from_slice(&body)?;
                    let n = v["items"].as_array().map_or(0, Vec::len);
                    anyhow::ensure!(n == o.limit as usize, "the API answered {n} deals, not {}", o.limit);
                }
                if i >= 200 {
                    api_us.push(us);
                    bytes = body.len();
                }
            }
            if limited > 0 {
                eprintln!("  {limited} requests answered 429 (per-IP limit) and left out");
            }
            anyhow::Ok((api_us, bytes))
        }
        .await;
        let log = app.stop()?;
        let (api_us, api_bytes) = api.map_err(|e| anyhow::anyhow!("{e}\napp log:\n{log}"))?;
        Ok(Report {
            seed_secs: seeded.elapsed.as_secs_f64(),
            store: Percentiles::of(store_us),
            api: Percentiles::of(api_us),
            api_bytes,
        })
    }
    .await;
    db.drop().await;
    result
}

pub fn print(target: &Target, o: &Opts, r: &Report) {
    println!(
        "## nearby · {} · {} · nearest {} of {} active deals within {} km, one query at a time",
        target.backend.name(),
        target.stats_label(),
        o.limit,
        o.offers,
        o.radius_km
    );
    println!("  store  Store::nearest_active_ids: {}", r.store);
    println!("  HTTP   GET /api/v1/offers?near=: {} ({} bytes a page)", r.api, r.api_bytes);
    println!("  (seeding took {:.1} s)", r.seed_secs);
}
