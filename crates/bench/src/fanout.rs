//! Fan-out: a shop with many followers publishes one deal; the app's
//! notification sender tells every follower, at Telegram's limits (these
//! runs keep the send limits on: `TELEGRAM_BULK_PER_SEC`, per chat 1/s).
//! The lean fake notes when each message arrived; the report gives the
//! time to the first and the last, the most sent in any one second
//! (against the limit), repeats, and the outbox's final state.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::contention::{publish, shop};
use crate::fake::LeanTelegram;
use crate::setup::{AppProcess, BotKind, CpuSample, CpuUse, Db, Target};
use crate::throughput::mib;

/// Followers' Telegram ids start here.
const FOLLOWER_BASE: i64 = 50_000_000;

#[derive(Debug, Clone, clap::Args)]
pub struct Opts {
    /// Customers following the shop.
    #[arg(long, default_value_t = 10_000)]
    pub followers: u32,
    /// The bot-wide send budget for notifications (`TELEGRAM_BULK_PER_SEC`,
    /// its default: Telegram allows about 30; the margin absorbs network
    /// jitter).
    #[arg(long, default_value_t = 25.0)]
    pub bulk_per_sec: f64,
}

pub struct Report {
    /// Messages that reached the fake, and to how many different chats.
    pub sent: usize,
    pub chats: usize,
    /// From publishing to the first and to the last message.
    pub first: Duration,
    pub last: Duration,
    /// The least time the limit allows for `followers` messages.
    pub minimum: Duration,
    /// The most messages within any one second (sliding), and in one chat.
    pub max_in_a_second: usize,
    pub max_per_chat: usize,
    /// Messages per second, averaged over consecutive 10-second spans.
    pub series: Vec<f64>,
    /// The outbox rows of the deal by status, afterwards.
    pub outbox: Vec<(String, usize)>,
    pub cpu: CpuUse,
    pub hwm_kib: u64,
    pub setup_secs: f64,
}

pub async fn run(target: &Target, o: &Opts) -> anyhow::Result<Report> {
    let db = Db::fresh(target).await?;
    let result = measure(target, &db, o).await;
    db.drop().await;
    result
}

async fn measure(target: &Target, db: &Db, o: &Opts) -> anyhow::Result<Report> {
    let setup = Instant::now();
    let shop = shop(&db.store, 0).await?;
    let followers: Vec<i64> = (0..o.followers).map(|i| FOLLOWER_BASE + i64::from(i)).collect();
    db.store.seed_followers(shop.business_id, &followers, chrono::Utc::now()).await?;
    let setup_secs = setup.elapsed().as_secs_f64();
    eprintln!("  {} customers follow the shop (set up in {setup_secs:.1} s)", o.followers);

    let tg = LeanTelegram::start().await?;
    // Telegram's limits back on: a chat 1 message/s (bursts of 3), the
    // bot `bulk_per_sec` for notifications.
    let limits = [
        ("TELEGRAM_PER_CHAT_PER_SEC", "1".to_string()),
        ("TELEGRAM_PER_CHAT_BURST", "3".to_string()),
        ("TELEGRAM_BULK_PER_SEC", o.bulk_per_sec.to_string()),
    ];
    let app = AppProcess::start(target, BotKind::App, &tg, Some(db), &db.dir, &limits).await?;
    tg.record_sends();

    let cpu0 = CpuSample::take(Some(app.pid));
    let published = Instant::now();
    let (offer_id, _) = publish(&db.store, &shop, 50).await?;
    let minimum = Duration::from_secs_f64(f64::from(o.followers) / o.bulk_per_sec);
    // Generous: twice the minimum and a minute more.
    let deadline = published + minimum * 2 + Duration::from_secs(60);
    let mut last_report = Instant::now();
    while tg.sends_recorded() < o.followers as usize && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if last_report.elapsed() >= Duration::from_secs(30) {
            eprintln!(
                "  {} of {} sent after {:.0} s",
                tg.sends_recorded(),
                o.followers,
                published.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
    }
    // Anything sent twice would arrive a little later.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cpu = cpu0.cores_until(&CpuSample::take(Some(app.pid)));
    let (hwm_kib, _) = app.memory_kib();
    let log = tg.send_log();
    let outbox = {
        let mut by: HashMap<String, usize> = HashMap::new();
        for n in db.store.notifications_of_offer(offer_id).await? {
            *by.entry(n.status.as_str().to_string()).or_default() += 1;
        }
        let mut v: Vec<_> = by.into_iter().collect();
        v.sort();
        v
    };
    let app_log = app.stop()?;
    let errors: Vec<&str> = app_log.lines().filter(|l| l.contains("ERROR")).take(5).collect();
    if !errors.is_empty() {
        eprintln!("  app errors (first 5):\n    {}", errors.join("\n    "));
    }
    Ok(summarise(published, &log, minimum, outbox, cpu, hwm_kib, setup_secs))
}

#[allow(clippy::too_many_arguments)]
fn summarise(
    published: Instant,
    log: &[(Instant, i64)],
    minimum: Duration,
    outbox: Vec<(String, usize)>,
    cpu: CpuUse,
    hwm_kib: u64,
    setup_secs: f64,
) -> Report {
    let times: Vec<Instant> = log.iter().map(|(at, _)| *at).collect();
    let mut per_chat: HashMap<i64, usize> = HashMap::new();
    for (_, chat) in log {
        *per_chat.entry(*chat).or_default() += 1;
    }
    Report {
        sent: log.len(),
        chats: per_chat.len(),
        first: times.first().map_or(Duration::ZERO, |t| *t - published),
        last: times.last().map_or(Duration::ZERO, |t| *t - published),
        minimum,
        max_in_a_second: max_within(&times, Duration::from_secs(1)),
        max_per_chat: per_chat.values().copied().max().unwrap_or(0),
        series: rate_series(published, &times, Duration::from_secs(10)),
        outbox,
        cpu,
        hwm_kib,
        setup_secs,
    }
}

/// The most instants within any window of length `window` (sorted input).
fn max_within(times: &[Instant], window: Duration) -> usize {
    let mut best = 0;
    let mut start = 0;
    for (end, t) in times.iter().enumerate() {
        while *t - times[start] >= window {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

/// Events per second in consecutive spans of `span` from `from`.
fn rate_series(from: Instant, times: &[Instant], span: Duration) -> Vec<f64> {
    let mut counts: Vec<usize> = Vec::new();
    for t in times {
        let i = ((*t - from).as_secs_f64() / span.as_secs_f64()) as usize;
        if counts.len() <= i {
            counts.resize(i + 1, 0);
        }
        counts[i] += 1;
    }
    counts.into_iter().map(|n| n as f64 / span.as_secs_f64()).collect()
}

pub fn print(target: &Target, o: &Opts, r: &Report) {
    println!(
        "## fan-out · {} · {} followers · TELEGRAM_BULK_PER_SEC {} · per chat 1/s (limits on)",
        target.backend.name(),
        o.followers,
        o.bulk_per_sec
    );
    println!("  messages sent {} to {} chats (repeats: {})", r.sent, r.chats, r.sent - r.chats);
    println!(
        "  first after {:.2} s · last after {:.1} s · the limit's minimum {:.1} s ({:.1}% of it)",
        r.first.as_secs_f64(),
        r.last.as_secs_f64(),
        r.minimum.as_secs_f64(),
        100.0 * r.last.as_secs_f64() / r.minimum.as_secs_f64().max(1e-9)
    );
    println!(
        "  most in any 1 s: {} (paced at {}; Telegram's limit 30) · most to one chat: {}",
        r.max_in_a_second, o.bulk_per_sec, r.max_per_chat
    );
    let series: Vec<String> = r.series.iter().map(|v| format!("{v:.1}")).collect();
    println!("  sends/s per 10 s: {}", series.join(" "));
    let outbox: Vec<String> = r.outbox.iter().map(|(s, n)| format!("{s} {n}")).collect();
    println!("  outbox afterwards: {}", outbox.join(", "));
    println!("  {}", r.cpu);
    println!("  bot process peak memory (VmHWM) {:.1} MiB", mib(r.hwm_kib));
    println!("  (following set up in {:.1} s)", r.setup_secs);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_second_is_found() {
        let t0 = Instant::now();
        let ms = |m| t0 + Duration::from_millis(m);
        let times = [ms(0), ms(100), ms(900), ms(999), ms(1000), ms(1500), ms(3000)];
        // 0..999 holds four; 100..1099 holds four (100, 900, 999, 1000).
        assert_eq!(max_within(&times, Duration::from_secs(1)), 4);
        assert_eq!(max_within(&[], Duration::from_secs(1)), 0);
        assert_eq!(rate_series(t0, &times, Duration::from_secs(1)), vec![4.0, 2.0, 0.0, 1.0]);
    }
}
