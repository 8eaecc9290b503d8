//! `TestApp`: the real application on port 0, on a fresh database, talking
//! to a fake Telegram over HTTP; stoppable and restartable on the same data.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};

use glean::app::App;
use glean::clock::Clock;
use glean::config::Settings;
use glean::store::Store;
use glean::telegram::{SendEvent, TgClient};
use glean_fakes::stripe::FakeStripe;
use glean_fakes::telegram::{BotMessage, FakeTelegram, FakeUser};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::db::{self, Backend, TestDb};

pub const ADMIN_ID: i64 = 9001;
/// `PUBLIC_BASE_URL` of apps with Stripe Connect on; [`TestApp::local`]
/// maps its links to the app's real address.
pub const PUBLIC: &str = "https://glean.example";

pub struct TestApp {
    pub tg: FakeTelegram,
    /// The fake Stripe, when the app runs with card payments.
    pub stripe: Option<FakeStripe>,
    pub db: TestDb,
    pub clock: Clock,
    pub base_url: String,
    env: HashMap<String, String>,
    running: Option<(oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>)>,
    /// The Telegram client of each start of the app, first start first.
    runs: Vec<TgClient>,
}

fn init_logs() {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("glean=debug,info").with_test_writer().try_init();
    }
}

impl TestApp {
    /// The app on `backend` (None when PostgreSQL is not configured).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    /// The app with card payments through a fake Stripe.
    pub async fn spawn_with_stripe(backend: Backend) -> Option<TestApp> {
        Self::spawn_with_stripe_and(backend, &[]).await
    }

    /// The app with card payments and more settings.
    pub async fn spawn_with_stripe_and(backend: Backend, more: &[(&str, &str)]) -> Option<TestApp> {
        let stripe = FakeStripe::start().await;
        let env = [
            ("STRIPE_SECRET_KEY", stripe.secret_key().to_string()),
            ("STRIPE_WEBHOOK_SECRET", stripe.webhook_secret().to_string()),
            ("STRIPE_API_BASE", stripe.base_url()),
            ("STRIPE_TIMEOUT_MS", "1500".to_string()),
        ];
        let mut extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        extra.extend_from_slice(more);
        let mut app = Self::spawn_with(backend, &extra).await?;
        app.stripe = Some(stripe);
        Some(app)
    }

    /// The app with card payments as destination charges (Stripe Connect
    /// on), and more settings.
    pub async fn spawn_with_connect(backend: Backend, more: &[(&str, &str)]) -> Option<TestApp> {
        let mut extra = vec![
            ("STRIPE_CONNECT", "on"),
            ("STRIPE_CONNECT_WEBHOOK_SECRET", glean_fakes::stripe::CONNECT_WEBHOOK_SECRET),
            ("PUBLIC_BASE_URL", PUBLIC),
        ];
        extra.extend_from_slice(more);
        Self::spawn_with_stripe_and(backend, &extra).await
    }

    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
        init_logs();
        let db = db::fresh(backend).await?;
        let tg = FakeTelegram::start().await;
        let mut env: HashMap<String, String> = [
            ("TELEGRAM_BOT_TOKEN", tg.token().to_string()),
            ("TELEGRAM_API_URL", tg.api_url()),
            ("DATABASE_URL", db.url.clone()),
            ("HTTP_ADDR", "127.0.0.1:0".to_string()),
            ("ADMIN_TELEGRAM_IDS", ADMIN_ID.to_string()),
            ("DEFAULT_TIMEZONE", "Europe/Berlin".to_string()),
            ("DEFAULT_CURRENCY", "EUR".to_string()),
            ("JOBS_INTERVAL_MS", "200".to_string()),
            // Generous limits so wizards run at test speed; the limiter has its own tests.
            ("TELEGRAM_PER_CHAT_PER_SEC", "200".to_string()),
            ("TELEGRAM_PER_CHAT_BURST", "50".to_string()),
            // Scripted users type faster than people; the flood test sets its own.
            ("USER_RATE_PER_SEC", "1000".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        let mut app = TestApp {
            tg,
            stripe: None,
            db,
            clock: Clock::default(),
            base_url: String::new(),
            env,
            running: None,
            runs: Vec::new(),
        };
        app.start().await;
        Some(app)
    }

    async fn start(&mut self) {
        let env = self.env.clone();
        let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("test settings");
        let app = App::build_with_clock(settings, self.clock.clone()).await.expect("app builds");
        self.base_url = format!("http://{}", app.local_addr());
        self.runs.push(app.telegram().clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        self.running = Some((stop, task));
    }

    /// The app's own record of its sends (when it let each go, and its
    /// 429 holds), one list per start of the app.
    pub fn send_logs(&self) -> Vec<Vec<SendEvent>> {
        self.runs.iter().map(TgClient::send_log).collect()
    }

    /// Stops the app the way SIGTERM does.
    pub async fn stop(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            task.await.expect("app task").expect("app stops cleanly");
        }
    }

    /// Ends the app abruptly, as a crash would: no draining, nothing flushed.
    pub async fn crash(&mut self) {
        if let Some((_, task)) = self.running.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Starts another instance of the app on the same database, fake
    /// Telegram, settings and clock, on its own port.
    pub async fn start_another(&self) -> Instance {
        self.start_another_with(&[]).await
    }

    /// Like [`TestApp::start_another`], with `extra` settings on top.
    pub async fn start_another_with(&self, extra: &[(&str, &str)]) -> Instance {
        let mut env = self.env.clone();
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("test settings");
        let app = App::build_with_clock(settings, self.clock.clone()).await.expect("app builds");
        let base_url = format!("http://{}", app.local_addr());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Instance { base_url, running: Some((stop, task)) }
    }

    /// Starts another instance as a child process (the `glean` binary) on
    /// the same database and fake Telegram, with `extra` settings on top,
    /// and waits until it is ready. Unlike [`TestApp::crash`], killing it
    /// stops everything it runs.
    pub async fn start_process(&self, extra: &[(&str, &str)]) -> ProcessInstance {
        let logs = if std::env::var("TEST_LOG").is_ok() { Stdio::inherit() } else { Stdio::null() };
        self.start_process_with_logs(extra, logs).await
    }

    /// Like [`TestApp::start_process`], with the process's log output
    /// (stderr) going to `logs`.
    pub async fn start_process_with_logs(&self, extra: &[(&str, &str)], logs: Stdio) -> ProcessInstance {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let mut env = self.env.clone();
        env.insert("HTTP_ADDR".into(), format!("127.0.0.1:{port}"));
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        let child = Command::new(env!("CARGO_BIN_EXE_glean"))
            .arg("run")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LOG_LEVEL", "glean=debug,info")
            .envs(&env)
            .stdout(Stdio::null())
            .stderr(logs)
            .spawn()
            .expect("start the glean binary");
        let base_url = format!("http://127.0.0.1:{port}");
        let mut instance = ProcessInstance { base_url, child };
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(r) = client.get(format!("{}/readyz", instance.base_url)).send().await
                && r.status().is_success()
            {
                return instance;
            }
            assert!(instance.child.try_wait().expect("child status").is_none(), "the glean process exited");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the glean process did not become ready");
    }

    pub async fn restart(&mut self) {
        self.stop().await;
        self.start().await;
    }

    /// The use cases on the same database, settings and clock, without a
    /// bot or server of their own (as `glean reconcile` runs): for tests that
    /// drive many customers' actions faster than through chats.
    pub async fn side_ctx(&self) -> glean::actions::Ctx {
        let env = self.env.clone();
        let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("test settings");
        glean::app::connect(settings, self.clock.clone()).await.expect("services connect")
    }

    pub fn store(&self) -> &Store {
        &self.db.store
    }

    pub fn user(&self, id: i64, name: &str) -> FakeUser {
        self.tg.user(id, name)
    }

    pub fn admin(&self) -> FakeUser {
        self.tg.user(ADMIN_ID, "Ada Admin")
    }

    pub fn fake_stripe(&self) -> &FakeStripe {
        self.stripe.as_ref().expect("spawned with Stripe")
    }

    /// Delivers a Connect event to the Connect webhook, signed with the
    /// Connect secret as Stripe does.
    pub async fn deliver_connect(&self, event_json: &str) -> u16 {
        let stripe = self.fake_stripe();
        let url = format!("{}/webhooks/stripe/connect", self.base_url);
        stripe.deliver(&url, stripe.connect_webhook_secret(), event_json).await.0
    }

    /// A link the app made under [`PUBLIC`], at the app's real address.
    pub fn local(&self, public_url: &str) -> String {
        match public_url.strip_prefix(PUBLIC) {
            Some(path) => format!("{}{path}", self.base_url),
            None => panic!("{public_url} is not under {PUBLIC}"),
        }
    }

    /// Delivers a Stripe event to our webhook, signed as Stripe does.
    pub async fn deliver_stripe(&self, event_json: &str) -> u16 {
        let stripe = self.fake_stripe();
        let url = format!("{}/webhooks/stripe", self.base_url);
        stripe.deliver(&url, stripe.webhook_secret(), event_json).await.0
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((stop, _)) = self.running.take() {
            let _ = stop.send(());
        }
    }
}

/// An instance running as a child process.
pub struct ProcessInstance {
    pub base_url: String,
    child: Child,
}

impl ProcessInstance {
    /// SIGKILL: the process ends at once, whatever it was doing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ProcessInstance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits for the bot's next message (or edit) in this chat containing `needle`.
pub async fn said(user: &FakeUser, needle: &str) -> BotMessage {
    user.reply_matching(|m| m.text.contains(needle)).await
}

/// Polls `check` until it is true or fifteen seconds pass.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// A second instance of a `TestApp`.
pub struct Instance {
    pub base_url: String,
    running: Option<(oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>)>,
}

impl Instance {
    pub async fn stop(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            task.await.expect("instance task").expect("instance stops cleanly");
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some((stop, _)) = self.running.take() {
            let _ = stop.send(());
        }
    }
}

/// Many customers rush one offer through the bot: each opens the card and
/// presses Buy while all units are still there, then all press "1" at the
/// same moment. Returns (confirmed, refused as sold out).
pub async fn rush(customers: &[FakeUser], offer_id: i64) -> (usize, usize) {
    for c in customers {
        c.send(&format!("/start offer_{offer_id}"));
    }
    for c in customers {
        c.reply_matching(|m| m.button_labels().contains(&"🛒 Buy")).await;
        c.press("🛒 Buy");
    }
    for c in customers {
        said(c, "How many?").await;
    }
    press_one(customers).await
}

/// Each customer, shown "How many?", presses "1". Returns (confirmed,
/// refused as sold out).
pub async fn press_one(customers: &[FakeUser]) -> (usize, usize) {
    for c in customers {
        c.press("1");
    }
    let (mut confirmed, mut refused) = (0, 0);
    for c in customers {
        let answer = c.reply_matching(|m| m.edited && !m.text.contains("How many?")).await;
        if answer.text.contains("confirmed!") {
            confirmed += 1;
        } else if answer.text.contains("not enough left") || answer.text.contains("sold out") {
            refused += 1;
        } else {
            panic!("unexpected answer: {}", answer.text);
        }
    }
    (confirmed, refused)
}
