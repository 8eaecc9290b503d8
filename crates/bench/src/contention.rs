//! Contention: many customers buy one unit each of one offer at the same
//! moment, pay at pickup (no Stripe). Through the store (`Store::reserve`
//! from that many tasks over one pool) or through the bot (each customer
//! opens the card, presses "🛒 Buy", and all press "1" at once). Afterwards
//! the database is checked: units sold never exceed the quantity.

use std::sync::Arc;
use std::time::{Duration, Instant};

use glean::domain::business::BusinessEvent;
use glean::domain::offer::NewItem;
use glean::domain::text::{Address, Name, Title, UnitText};
use glean::domain::{Currency, Money, OfferEvent, Phone, PickupWindow, Quantity};
use glean::render::texts;
use glean::store::{Actor, NewBusiness, NewOffer, NewPurchase, NewVenue, PaymentMethod, ReserveError, Store};
use tokio::sync::Barrier;

use crate::fake::{Kind, LeanTelegram};
use crate::setup::{AppProcess, BotKind, CpuSample, CpuUse, Db, Target, city};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Via {
    Store,
    Bot,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Opts {
    /// Customers, each buying one unit at the same moment.
    #[arg(long, default_value_t = 1_000)]
    pub customers: u32,
    /// Units of the one item on offer.
    #[arg(long, default_value_t = 100)]
    pub units: u32,
    #[arg(long, value_enum, default_value_t = Via::Store)]
    pub via: Via,
    /// Rounds, each on a fresh offer; the report gives each and the median.
    #[arg(long, default_value_t = 5)]
    pub rounds: u32,
    /// Store path: connections in the pool the customers share
    /// (PostgreSQL; SQLite always writes through one connection).
    #[arg(long, default_value_t = 32)]
    pub pool: u32,
}

#[derive(Debug, Clone)]
pub struct Round {
    pub elapsed: Duration,
    /// When the last successful purchase completed.
    pub last_success: Duration,
    pub bought: u32,
    pub refused: u32,
    pub failed: u32,
    /// Units sold beyond the quantity, from the database (must be 0).
    pub oversold: i64,
    pub cpu: CpuUse,
}

impl Round {
    /// Attempts answered per second.
    pub fn attempts_per_sec(&self) -> f64 {
        f64::from(self.bought + self.refused + self.failed) / self.elapsed.as_secs_f64()
    }

    /// Successful purchases per second, up to the last one.
    pub fn purchases_per_sec(&self) -> f64 {
        f64::from(self.bought) / self.last_success.as_secs_f64().max(1e-9)
    }
}

pub async fn run(target: &Target, o: &Opts) -> anyhow::Result<Vec<Round>> {
    let db = Db::fresh(target).await?;
    let mut rounds = Vec::new();
    let result = match o.via {
        Via::Store => via_store(&db, o, &mut rounds).await,
        Via::Bot => via_bot(target, &db, o, &mut rounds).await,
    };
    db.drop().await;
    result.map(|()| rounds)
}

/// A verified shop with one venue, made through the same store calls the
/// bot makes.
pub struct Shop {
    pub business_id: i64,
    pub venue_id: i64,
    pub owner: i64,
}

pub async fn shop(store: &Store, round: u32) -> anyhow::Result<Shop> {
    let now = chrono::Utc::now();
    let venue = NewVenue {
        name: Name::parse("Hot Bakery")?,
        address: Address::parse("1 Queue Street")?,
        location: city(),
        timezone: chrono_tz::Europe::Berlin,
    };
    let new = NewBusiness {
        owner_tg_id: 900_000 + i64::from(round),
        name: Name::parse("Hot Bakery")?,
        phone: Phone::parse("+49301234567")?,
        currency: Currency::from_code("EUR")?,
        timezone: chrono_tz::Europe::Berlin,
        venue,
    };
    let (b, v) = store.create_business(&new, now).await?;
    store.apply_business_event(b.id, BusinessEvent::Verify, None, &Actor::Admin(1), now).await?;
    Ok(Shop { business_id: b.id, venue_id: v.id, owner: new.owner_tg_id })
}

/// Publishes a deal of `units` of one item at `shop`, as its owner would:
/// `(offer id, item id)`.
pub async fn publish(store: &Store, shop: &Shop, units: u32) -> anyhow::Result<(i64, i64)> {
    let now = chrono::Utc::now();
    let eur = Currency::from_code("EUR")?;
    let money = |m| Money::from_minor(m, eur).ok_or_else(|| anyhow::anyhow!("price out of range"));
    let item = NewItem::new(
        Name::parse("Last croissants")?,
        UnitText::parse("1 piece")?,
        money(300)?,
        money(100)?,
        Quantity::new(units)?,
    )?;
    let window = PickupWindow::new(now + chrono::Duration::hours(1), now + chrono::Duration::hours(3), now)?;
    let draft = NewOffer {
        business_id: shop.business_id,
        venue_id: shop.venue_id,
        title: Title::parse("Everything must go")?,
        description: None,
        currency: eur,
        window,
        items: vec![item],
        photo: None,
        thumb: None,
        price_drop: None,
    };
    let actor = Actor::User(shop.owner);
    let o = store.create_offer(&draft, &actor, now).await?;
    store.apply_offer_event(o.id, OfferEvent::Publish, &actor, now).await?;
    Ok((o.id, o.items[0].id))
}

/// A fresh shop with one published offer of `units` of one item.
async fn offer(store: &Store, units: u32, round: u32) -> anyhow::Result<(i64, i64)> {
    let shop = shop(store, round).await?;
    publish(store, &shop, units).await
}

/// Units sold or reserved beyond the quantity, counted from purchases.
async fn oversold(store: &Store, offer_id: i64, units: u32) -> anyhow::Result<(i64, u32)> {
    let purchases = store.purchases_of_offer(offer_id, &[]).await?;
    let bought: i64 = purchases.iter().flat_map(|p| &p.lines).map(|l| i64::from(l.quantity)).sum();
    let offer = store.offer(offer_id).await?;
    let committed: i64 = offer.items.iter().map(|i| i64::from(i.sold + i.reserved)).sum();
    Ok(((bought - i64::from(units)).max(committed - i64::from(units)).max(0), purchases.len() as u32))
}

async fn via_store(db: &Db, o: &Opts, rounds: &mut Vec<Round>) -> anyhow::Result<()> {
    let store = db.another_store(o.pool).await?;
    for round in 0..o.rounds {
        let (offer_id, item_id) = offer(&db.store, o.units, round).await?;
        let barrier = Arc::new(Barrier::new(o.customers as usize + 1));
        let mut tasks = Vec::new();
        for c in 0..o.customers {
            let (store, barrier) = (store.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                let new = NewPurchase {
                    customer_tg_id: 100_000 + i64::from(c),
                    offer_id,
                    lines: vec![(item_id, 1)],
                    method: PaymentMethod::AtPickup,
                    expires_at: None,
                    request_key: None,
                };
                barrier.wait().await;
                let r = store.reserve(&new, chrono::Utc::now()).await;
                (r, Instant::now())
            }));
        }
        let cpu0 = CpuSample::take(None);
        barrier.wait().await;
        let start = Instant::now();
        let (mut bought, mut refused, mut failed, mut last_ok, mut last) = (0, 0, 0, start, start);
        for t in tasks {
            let (r, at) = t.await?;
            last = last.max(at);
            match r {
                Ok(_) => {
                    bought += 1;
                    last_ok = last_ok.max(at);
                }
                Err(ReserveError::SoldOut | ReserveError::Unavailable(_)) => refused += 1,
                Err(e) => {
                    failed += 1;
                    if failed <= 3 {
                        eprintln!("  reserve failed: {e}");
                    }
                }
            }
        }
        let cpu = cpu0.cores_until(&CpuSample::take(None));
        let (oversold, purchases) = oversold(&db.store, offer_id, o.units).await?;
        anyhow::ensure!(purchases == bought, "{purchases} purchases stored but {bought} reported");
        rounds.push(Round {
            elapsed: last - start,
            last_success: last_ok - start,
            bought,
            refused,
            failed,
            oversold,
            cpu,
        });
    }
    store.close().await;
    Ok(())
}

async fn via_bot(target: &Target, db: &Db, o: &Opts, rounds: &mut Vec<Round>) -> anyhow::Result<()> {
    let tg = LeanTelegram::start().await?;
    let app = AppProcess::start(target, BotKind::App, &tg, Some(db), &db.dir, &[]).await?;
    let result = async {
        let patience = Duration::from_secs(60);
        for round in 0..o.rounds {
            let (offer_id, _) = offer(&db.store, o.units, round).await?;
            let barrier = Arc::new(Barrier::new(o.customers as usize + 1));
            let mut tasks = Vec::new();
            for c in 0..o.customers {
                let mut user = tg.user(100_000 + i64::from(c) + i64::from(round) * 1_000_000);
                let barrier = barrier.clone();
                tasks.push(tokio::spawn(async move {
                    let mut skipped = 0;
                    user.send(&format!("/start offer_{offer_id}"));
                    let card = user
                        .wait(patience, &mut skipped, |e| e.button(texts::buy(glean::render::i18n::Lang::EN)).is_some())
                        .await;
                    let asked = match card
                        .and_then(|card| card.button(texts::buy(glean::render::i18n::Lang::EN)).map(|d| (card, d)))
                    {
                        Some((card, buy)) => {
                            user.press(&card, &buy);
                            user.wait(patience, &mut skipped, |e| e.button("1").is_some()).await
                        }
                        None => None,
                    };
                    barrier.wait().await;
                    let asked = asked?;
                    let one = asked.button("1")?;
                    user.press(&asked, &one);
                    user.wait(patience, &mut skipped, |e| e.kind == Kind::Edit).await
                }));
            }
            let cpu0 = CpuSample::take(Some(app.pid));
            barrier.wait().await;
            let start = Instant::now();
            let (mut bought, mut refused, mut failed, mut last_ok, mut last) = (0, 0, 0, start, start);
            for t in tasks {
                match t.await? {
                    Some(e) if e.text.starts_with('✅') => {
                        bought += 1;
                        last_ok = last_ok.max(e.at);
                        last = last.max(e.at);
                    }
                    Some(e) => {
                        refused += 1;
                        last = last.max(e.at);
                    }
                    None => failed += 1,
                }
            }
            let cpu = cpu0.cores_until(&CpuSample::take(Some(app.pid)));
            let (oversold, purchases) = oversold(&db.store, offer_id, o.units).await?;
            if purchases != bought {
                eprintln!("  note: {purchases} purchases stored, {bought} confirmations seen");
            }
            rounds.push(Round {
                elapsed: last.saturating_duration_since(start),
                last_success: last_ok.saturating_duration_since(start),
                bought,
                refused,
                failed,
                oversold,
                cpu,
            });
        }
        anyhow::Ok(())
    }
    .await;
    let log = app.stop()?;
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).take(5).collect();
    if !errors.is_empty() {
        eprintln!("  app errors (first 5):\n    {}", errors.join("\n    "));
    }
    result
}

pub fn print(label: &str, o: &Opts, rounds: &[Round]) {
    println!(
        "## contention · {label} · via {:?} · {} customers × 1 unit of an offer of {} units · pay at pickup",
        o.via, o.customers, o.units
    );
    for (i, r) in rounds.iter().enumerate() {
        println!(
            "  round {}: {} bought, {} refused, {} failed, oversold {} · all answered in {:.0} ms \
             ({:.0} attempts/s) · last purchase at {:.0} ms ({:.0} purchases/s) · {}",
            i + 1,
            r.bought,
            r.refused,
            r.failed,
            r.oversold,
            r.elapsed.as_secs_f64() * 1000.0,
            r.attempts_per_sec(),
            r.last_success.as_secs_f64() * 1000.0,
            r.purchases_per_sec(),
            r.cpu
        );
    }
    let med = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    println!(
        "  median: {:.0} attempts/s, {:.0} purchases/s · oversold total {}",
        med(rounds.iter().map(Round::attempts_per_sec).collect()),
        med(rounds.iter().map(Round::purchases_per_sec).collect()),
        rounds.iter().map(|r| r.oversold).sum::<i64>()
    );
}
