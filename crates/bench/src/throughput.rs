//! Update throughput and latency: N simulated users, each in a closed loop
//! (`/deals`, wait for the list, press "Next ▶️", wait for the edit,
//! repeat), optionally pausing between actions. Latency is from the moment
//! an update is available to `getUpdates` to the moment the bot's reaction
//! (the list message, or the edit) reaches the fake.

use std::sync::Arc;
use std::time::{Duration, Instant};

use glean::render::texts;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::fake::{Kind, LeanTelegram, User};
use crate::setup::{self, AppProcess, BotKind, CpuSample, CpuUse, Db, Percentiles, Target};

/// Simulated users' Telegram ids start here.
pub const USER_BASE: i64 = 10_000;
/// How long a user waits for a reaction before counting a timeout.
const PATIENCE: Duration = Duration::from_secs(30);
/// A reaction slower than this counts as "answered after more than 5 s".
pub const SLOW: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, clap::Args)]
pub struct Opts {
    /// Simulated users, each in its own closed loop.
    #[arg(long, default_value_t = 1_000)]
    pub users: u32,
    /// Seconds measured (after the warm-up).
    #[arg(long, default_value_t = 20)]
    pub duration: u64,
    /// Seconds run before measuring starts.
    #[arg(long, default_value_t = 5)]
    pub warmup: u64,
    /// Pause after each reaction before the next action; 0 saturates.
    #[arg(long, default_value_t = 0)]
    pub pause_ms: u64,
    /// The real app, or the no-op bot (the harness's ceiling).
    #[arg(long, value_enum, default_value_t = BotKind::App)]
    pub bot: BotKind,
    /// Deals seeded over the city.
    #[arg(long, default_value_t = 100_000)]
    pub offers: u32,
    #[arg(long, default_value_t = 200)]
    pub businesses: u32,
    /// The users never share a location, so `/deals` ranks by freshness
    /// and popularity (the workload of issue 15: `--no-location --offers
    /// 1000 --businesses 50`).
    #[arg(long)]
    pub no_location: bool,
}

pub struct Report {
    pub updates_per_sec: f64,
    pub all: Percentiles,
    pub deals: Percentiles,
    pub next: Percentiles,
    pub timeouts: u64,
    pub unexpected: u64,
    /// "📍 Share your location" hints: one per user without a location.
    pub prompts: u64,
    /// Measured reactions that took longer than [`SLOW`].
    pub slow: u64,
    pub cpu: CpuUse,
    pub hwm_kib: u64,
    pub rss_kib: u64,
    pub seed_secs: f64,
    pub calls_per_update: Vec<(String, f64)>,
    pub updates_per_poll: f64,
}

#[derive(Default)]
struct UserResult {
    deals: Vec<u64>,
    next: Vec<u64>,
    timeouts: u64,
    unexpected: u64,
    prompts: u64,
}

pub async fn run(target: &Target, o: &Opts) -> anyhow::Result<Report> {
    let dir = std::env::temp_dir().join(format!("glean-bench-{}-run", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let tg = LeanTelegram::start().await?;
    let mut seed_secs = 0.0;
    let db = match o.bot {
        BotKind::App => {
            let db = Db::fresh(target).await?;
            let seeded = setup::seed_city(&db.store, o.businesses, o.offers).await?;
            seed_secs = seeded.elapsed.as_secs_f64();
            eprintln!(
                "  seeded {} deals at {} venues in {seed_secs:.1} s; placing {} users",
                seeded.offer_ids.len(),
                seeded.venues,
                o.users
            );
            place_users(&db, o.users, !o.no_location).await?;
            if target.analyze {
                db.store.analyze_seeded().await?;
            }
            Some(db)
        }
        BotKind::Noop => None,
    };
    let app = AppProcess::start(target, o.bot, &tg, db.as_ref(), db.as_ref().map_or(&dir, |d| &d.dir), &[]).await?;

    let start = Instant::now();
    let measure_from = start + Duration::from_secs(o.warmup);
    let end = measure_from + Duration::from_secs(o.duration);
    let pause = Duration::from_millis(o.pause_ms);
    let users: Vec<User> = (0..o.users).map(|i| tg.user(USER_BASE + i64::from(i))).collect();
    let polls0 = Arc::new(std::sync::Mutex::new((0u64, 0u64)));
    let mut tasks = Vec::with_capacity(users.len());
    for (i, user) in users.into_iter().enumerate() {
        // Spread the first actions over the first pause (or 100 ms) so
        // users don't march in lockstep.
        let stagger = (pause.max(Duration::from_millis(100))).mul_f64(i as f64 / f64::from(o.users.max(1)));
        tasks.push(tokio::spawn(user_loop(user, !o.no_location, stagger, pause, measure_from, end)));
    }
    let cpu = {
        let tg = tg.clone();
        let polls = polls0.clone();
        let pid = app.pid;
        tokio::spawn(async move {
            tokio::time::sleep_until(measure_from.into()).await;
            let a = CpuSample::take(Some(pid));
            let calls_a = tg.calls();
            *polls.lock().unwrap_or_else(|p| p.into_inner()) = tg.poll_stats();
            tokio::time::sleep_until(end.into()).await;
            let b = CpuSample::take(Some(pid));
            (a.cores_until(&b), calls_a, tg.calls(), tg.poll_stats())
        })
    };
    let (cpu, calls_a, calls_b, poll_b) = cpu.await?;
    let (hwm_kib, rss_kib) = app.memory_kib();
    let mut results = UserResult::default();
    for t in tasks {
        let r = t.await?;
        results.deals.extend(r.deals);
        results.next.extend(r.next);
        results.timeouts += r.timeouts;
        results.unexpected += r.unexpected;
        results.prompts += r.prompts;
    }
    let log = app.stop()?;
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).take(5).collect();
    if !errors.is_empty() {
        eprintln!("  app errors (first 5):\n    {}", errors.join("\n    "));
    } else if results.timeouts > 0 {
        let tail: Vec<&str> = log.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect();
        eprintln!("  {} timeouts; the app's log ends:\n    {}", results.timeouts, tail.join("\n    "));
    }
    if let Some(db) = db {
        db.drop().await;
    }
    let _ = std::fs::remove_dir_all(&dir);

    let handled = (results.deals.len() + results.next.len()) as f64;
    let measured = Duration::from_secs(o.duration).as_secs_f64();
    let polls_a = *polls0.lock().unwrap_or_else(|p| p.into_inner());
    let updates = (poll_b.1 - polls_a.1).max(1) as f64;
    let calls_per_update = calls_b
        .iter()
        .map(|(m, n)| {
            let before = calls_a.iter().find(|(k, _)| k == m).map_or(0, |(_, n)| *n);
            (m.clone(), (n - before) as f64 / updates)
        })
        .filter(|(_, per)| *per > 0.0)
        .collect();
    let mut all = results.deals.clone();
    all.extend(&results.next);
    let slow = all.iter().filter(|us| **us > SLOW.as_micros() as u64).count() as u64;
    Ok(Report {
        updates_per_sec: handled / measured,
        all: Percentiles::of(all),
        deals: Percentiles::of(results.deals),
        next: Percentiles::of(results.next),
        timeouts: results.timeouts,
        unexpected: results.unexpected,
        prompts: results.prompts,
        slow,
        cpu,
        hwm_kib,
        rss_kib,
        seed_secs,
        calls_per_update,
        updates_per_poll: updates / (poll_b.0 - polls_a.0).max(1) as f64,
    })
}

/// Every user has spoken to the bot before and (with `located`) shared a
/// location somewhere in the city, so `/deals` lists the nearest deals.
async fn place_users(db: &Db, users: u32, located: bool) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(2);
    let now = chrono::Utc::now();
    for i in 0..users {
        let id = USER_BASE + i64::from(i);
        let at = setup::random_point_in_city(&mut rng)?;
        db.store.upsert_user(id, &format!("U{id}"), None, Some("en"), now).await?;
        if located {
            db.store.set_user_location(id, at, now).await?;
        }
    }
    Ok(())
}

async fn user_loop(
    mut u: User,
    located: bool,
    stagger: Duration,
    pause: Duration,
    measure_from: Instant,
    end: Instant,
) -> UserResult {
    let mut r = UserResult::default();
    // Without a location, the first list comes with the "📍 Share
    // location" hint (a message of its own, sent once per user).
    let hint = texts::share_location_hint(glean::render::i18n::Lang::EN);
    let mut hinted = located;
    tokio::time::sleep(stagger).await;
    let patience = |now: Instant| PATIENCE.min((end + Duration::from_secs(5)).saturating_duration_since(now));
    let counts = |t0: Instant, at: Instant| t0 >= measure_from && at <= end;
    while Instant::now() < end {
        let t0 = u.send("/deals");
        let mut skipped = 0;
        let Some(list) = u.wait(patience(t0), &mut skipped, |e| e.kind == Kind::Send).await else {
            r.timeouts += 1;
            break;
        };
        r.unexpected += skipped;
        if counts(t0, list.at) {
            r.deals.push((list.at - t0).as_micros() as u64);
        }
        if !hinted {
            let mut skipped = 0;
            if u.wait(patience(t0), &mut skipped, |e| e.kind == Kind::Send && e.text == hint).await.is_some() {
                r.prompts += 1;
            }
            r.unexpected += skipped;
            hinted = true;
        }
        let Some(next) = list.button(texts::next(glean::render::i18n::Lang::EN)) else {
            r.unexpected += 1;
            continue;
        };
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        if Instant::now() >= end {
            break;
        }
        let t0 = u.press(&list, &next);
        let mut skipped = 0;
        let Some(edit) = u.wait(patience(t0), &mut skipped, |e| e.kind == Kind::Edit).await else {
            r.timeouts += 1;
            break;
        };
        r.unexpected += skipped;
        if counts(t0, edit.at) {
            r.next.push((edit.at - t0).as_micros() as u64);
        }
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    u.drain();
    r
}

pub fn print(target: &Target, o: &Opts, r: &Report) {
    let label = match o.bot {
        BotKind::App => format!(
            "{} · {} deals in {} shops · {} · {}",
            target.backend.name(),
            o.offers,
            o.businesses,
            if o.no_location { "no location" } else { "nearby" },
            target.stats_label()
        ),
        BotKind::Noop => "no-op bot, no database".to_string(),
    };
    println!("## throughput · {label} · {} users · pause {} ms", o.users, o.pause_ms);
    println!("  updates handled/s: {:.0}  (measured {} s after {} s warm-up)", r.updates_per_sec, o.duration, o.warmup);
    println!("  latency all:    {}", r.all);
    println!("  latency /deals: {}", r.deals);
    println!("  latency Next:   {}", r.next);
    println!(
        "  timeouts {} · unexpected messages {} · location hints {} (one per user without a location)",
        r.timeouts, r.unexpected, r.prompts
    );
    println!("  fairness: {}", fairness(o.users, r));
    println!("  {}", r.cpu);
    println!("  bot process peak memory (VmHWM) {:.1} MiB, RSS at end {:.1} MiB", mib(r.hwm_kib), mib(r.rss_kib));
    let calls: Vec<String> = r.calls_per_update.iter().map(|(m, n)| format!("{m} {n:.2}")).collect();
    println!("  Bot API calls per update: {} · updates per getUpdates {:.1}", calls.join(", "), r.updates_per_poll);
    if r.seed_secs > 0.0 {
        println!("  (seeding took {:.1} s)", r.seed_secs);
    }
}

/// How evenly the wait is shared. In a closed loop at saturation a fair
/// server answers everyone in about users ÷ throughput (Little's law), so
/// p99 over that is near 1; a server that lets some updates wait while it
/// serves others quickly shows a low p50 and a high ratio. Below
/// saturation the ratio means nothing (the users' pauses make up the loop).
pub fn fairness(users: u32, r: &Report) -> String {
    let fair_ms = f64::from(users) / r.updates_per_sec.max(1e-9) * 1000.0;
    format!(
        "p99 / (users ÷ throughput) = {:.0} / {:.0} ms = {:.2} · answered after more than {} s: {} of {}",
        r.all.p99,
        fair_ms,
        r.all.p99 / fair_ms,
        SLOW.as_secs(),
        r.slow,
        r.all.n
    )
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
