//! Settings: one struct read from the environment (and a `.env` file), every
//! field documented, secrets wrapped so they never reach a log.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use chrono_tz::Tz;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::domain::Currency;
use crate::domain::connect::Country;
use crate::domain::ledger::FeeRule;

/// A setting that is missing or malformed. Its `Display` is the one line
/// start-up prints before exiting with code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

/// Where the data lives.
#[derive(Clone)]
pub enum DatabaseUrl {
    /// An SQLite file path (created on first run).
    Sqlite(String),
    /// A `postgres://` URL; may hold a password, so it is a secret.
    Postgres(SecretString),
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{path}"),
            DatabaseUrl::Postgres(url) => f.write_str(&mask_url(url.expose_secret())),
        }
    }
}

impl DatabaseUrl {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:")) {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err("an sqlite URL needs a file path, e.g. sqlite://glean.db".into());
            }
            return Ok(DatabaseUrl::Sqlite(path.to_string()));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Url::parse(s).map_err(|e| format!("not a valid URL ({e})"))?;
            return Ok(DatabaseUrl::Postgres(SecretString::from(s.to_string())));
        }
        let scheme = s.split(':').next().unwrap_or_default();
        Err(format!("unsupported scheme {scheme:?}; use sqlite://FILE or postgres://USER@HOST/DB"))
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines for a terminal.
    Pretty,
    /// One JSON object per line, for production log collectors.
    Json,
}

/// Telegram's sending limits, as settings (SPEC §6).
#[derive(Debug, Clone, Copy)]
pub struct TelegramLimits {
    /// Sustained messages per second to one chat.
    pub per_chat_per_sec: f64,
    /// Messages one chat may receive in a burst before the sustained rate applies.
    pub per_chat_burst: u32,
    /// Messages per second for bulk sends (notifications) across all chats,
    /// evenly spaced (default 25). Telegram allows about 30; the margin
    /// absorbs network jitter.
    pub bulk_per_sec: f64,
}

/// When a destination charge names the business as the merchant of record
/// (`payment_intent_data[on_behalf_of]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBehalfOf {
    /// Only when the business's country differs from `PLATFORM_COUNTRY`
    /// (Stripe requires it for charges settled across regions).
    CrossBorder,
    /// For every business.
    Always,
    /// Never: the platform is the merchant of record.
    Never,
}

/// OpenStreetMap's standard tiles (their tile policy asks for attribution
/// and forbids bulk use).
pub const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
pub const DEFAULT_TILE_ATTRIBUTION: &str =
    "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors";

/// Every setting Glean reads. See `.env.example` for the variables.
#[derive(Clone)]
pub struct Settings {
    /// `TELEGRAM_BOT_TOKEN`: the bot's token from @BotFather.
    pub telegram_bot_token: Option<SecretString>,
    /// `TELEGRAM_API_URL`: Bot API base (default the public one).
    pub telegram_api_url: Url,
    /// `TELEGRAM_WEBHOOK_URL`: when set, webhook mode at this public URL.
    pub telegram_webhook_url: Option<Url>,
    /// `TELEGRAM_WEBHOOK_SECRET`: the secret token Telegram echoes in
    /// `X-Telegram-Bot-Api-Secret-Token`; required with a webhook URL.
    pub telegram_webhook_secret: Option<SecretString>,
    /// `TELEGRAM_PER_CHAT_PER_SEC`, `TELEGRAM_PER_CHAT_BURST`, `TELEGRAM_BULK_PER_SEC`.
    pub telegram_limits: TelegramLimits,
    /// `DATABASE_URL`: default `sqlite://glean.db`, created on first run.
    pub database_url: DatabaseUrl,
    /// `REDIS_URL`: optional; shares rate limits and chat locks across instances.
    pub redis_url: Option<SecretString>,
    /// `REDIS_PREFIX`: namespace of Glean's keys in Redis (default `glean`).
    pub redis_prefix: String,
    /// `STRIPE_SECRET_KEY`: enables card payments through Stripe Checkout.
    pub stripe_secret_key: Option<SecretString>,
    /// `STRIPE_WEBHOOK_SECRET`: `whsec_…`, required with a secret key.
    pub stripe_webhook_secret: Option<SecretString>,
    /// `STRIPE_API_BASE`: default Stripe's public API.
    pub stripe_api_base: Url,
    /// `STRIPE_TIMEOUT_MS`: how long one Stripe request may take (default 20000).
    pub stripe_timeout: Duration,
    /// `STRIPE_CONNECT`: `on` makes card payments destination charges to
    /// each business's Express account (default `off`: the platform keeps
    /// the payments and the ledger says what it owes).
    pub stripe_connect: bool,
    /// `STRIPE_CONNECT_WEBHOOK_SECRET`: `whsec_…` of the Connect webhook
    /// endpoint (`/webhooks/stripe/connect`); required with Connect on.
    pub stripe_connect_webhook_secret: Option<SecretString>,
    /// `PLATFORM_FEE_BPS`: the platform fee in basis points of the order
    /// total (default 0; 1000 = 10 %).
    pub platform_fee_bps: u32,
    /// `PLATFORM_FEE_FIXED`: a fixed fee per order in minor units, per
    /// currency, e.g. `EUR:30,GBP:25` (default none).
    pub platform_fee_fixed: Vec<(Currency, i64)>,
    /// `CONNECT_LINK_HOURS`: how long the onboarding link in the chat works
    /// (default 24).
    pub connect_link_hours: u32,
    /// `CONNECT_ON_BEHALF_OF`: `cross_border` (default), `always` or `never`.
    pub connect_on_behalf_of: OnBehalfOf,
    /// `DEFAULT_COUNTRY`: offered first when a business onboards (default DE).
    pub default_country: Country,
    /// `PLATFORM_COUNTRY`: the platform account's country, for the
    /// `on_behalf_of` rule (default `DEFAULT_COUNTRY`).
    pub platform_country: Country,
    /// `PUBLIC_BASE_URL`: where this server is reachable from outside.
    pub public_base_url: Option<Url>,
    /// `HTTP_ADDR`: the HTTP server's listen address (default 127.0.0.1:8080).
    pub http_addr: SocketAddr,
    /// `ADMIN_TELEGRAM_IDS`: comma-separated Telegram user ids of admins.
    pub admin_telegram_ids: Vec<i64>,
    /// `DEFAULT_TIMEZONE`: IANA zone offered to new businesses (default UTC).
    pub default_timezone: Tz,
    /// `DEFAULT_CURRENCY`: ISO 4217 code offered to new businesses (default EUR).
    pub default_currency: Currency,
    /// `USER_RATE_PER_SEC` and `USER_RATE_BURST`: how fast one user may send
    /// commands and presses before being asked to slow down (default 3/s,
    /// bursts of 20).
    pub user_rate: (f64, u32),
    /// `MAX_UNITS_PER_ORDER`: cap on units in one order (default 10).
    pub max_units_per_order: u32,
    /// `RESERVATION_TTL_MINUTES`: how long an unpaid reservation holds stock
    /// (default 30, Stripe Checkout's minimum session lifetime).
    pub reservation_ttl: Duration,
    /// `WAITLIST_HOLD_MINUTES`: how long units handed to the first person
    /// on a sold-out deal's waitlist are held for them to pay (or
    /// confirm) before they go to the next person (default 10). A card
    /// payment's Checkout Session still lives Stripe's 30+ minutes; it is
    /// expired at Stripe when the hold ends.
    pub waitlist_hold: Duration,
    /// `CANCELLATION_CUTOFF_MINUTES`: paid orders can be cancelled until this
    /// long before pickup starts (default 120).
    pub cancellation_cutoff: Duration,
    /// `JOBS_INTERVAL_MS`: how often the background jobs run (default 60000).
    pub jobs_interval: Duration,
    /// `RETENTION_UPDATES_DAYS`: handled raw Telegram updates (which hold
    /// names, texts and locations) are deleted after this many days
    /// (default 2, at most 30).
    pub retention_updates_days: u32,
    /// `RETENTION_LOCATION_DAYS`: a user's last shared location is dropped
    /// this many days after it was last used (default 30, at most 365).
    pub retention_location_days: u32,
    /// `DONATION_LEAD_MINUTES`: how long before a pickup window ends the
    /// units left are offered to charities near the venue (default 30).
    pub donation_lead: Duration,
    /// `DONATION_RADIUS_KM`: how near a charity must be (default 10).
    pub donation_radius_km: u32,
    /// `SENTRY_DSN`: optional error reporting.
    pub sentry_dsn: Option<SecretString>,
    /// `LOG_FORMAT`: `pretty` (default) or `json`.
    pub log_format: LogFormat,
    /// `LOG_LEVEL`: a tracing filter such as `info` or `glean=debug,info`.
    pub log_level: String,
    /// `MINIAPP_AUTH_MAX_AGE`: how old (in seconds) a Mini App's signed
    /// `initData` may be before its API calls get 401 (default 3600).
    pub miniapp_auth_max_age: Duration,
    /// `MAP_TILE_URL`: the Mini App map's tile template, `{z}/{x}/{y}`
    /// (default OpenStreetMap's standard tiles; heavy use needs a provider).
    pub map_tile_url: String,
    /// `MAP_TILE_ATTRIBUTION`: the credit the tiles require, as HTML
    /// (default OpenStreetMap's).
    pub map_tile_attribution: String,
    /// `TELEGRAM_WEB_APP_JS`: where the Mini App loads Telegram's
    /// `telegram-web-app.js` from (default telegram.org's).
    pub telegram_web_app_js: Url,
}

impl Settings {
    /// Reads the process environment, after loading `.env` if present.
    pub fn from_env() -> Result<Self, ConfigError> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(ConfigError { var: ".env", problem: e.to_string() }),
        }
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_lookup(|k| vars.get(k).cloned())
    }

    /// Reads settings from any lookup; empty values count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let r = Reader { get: &|k| get(k).filter(|v| !v.trim().is_empty()) };
        let stripe_secret_key = r.secret("STRIPE_SECRET_KEY");
        let stripe_webhook_secret = r.secret("STRIPE_WEBHOOK_SECRET");
        if stripe_secret_key.is_some() && stripe_webhook_secret.is_none() {
            return Err(ConfigError {
                var: "STRIPE_WEBHOOK_SECRET",
                problem: "required when STRIPE_SECRET_KEY is set".into(),
            });
        }
        if let Some(s) = &stripe_webhook_secret
            && !s.expose_secret().starts_with("whsec_")
        {
            return Err(ConfigError { var: "STRIPE_WEBHOOK_SECRET", problem: "must start with whsec_".into() });
        }
        let telegram_webhook_url = r.parsed_opt("TELEGRAM_WEBHOOK_URL", parse_url)?;
        let telegram_webhook_secret = r.secret("TELEGRAM_WEBHOOK_SECRET");
        if telegram_webhook_url.is_some() {
            let Some(secret) = &telegram_webhook_secret else {
                return Err(ConfigError {
                    var: "TELEGRAM_WEBHOOK_SECRET",
                    problem: "required when TELEGRAM_WEBHOOK_URL is set".into(),
                });
            };
            let s = secret.expose_secret();
            // Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and -; a
            // guessable one would let anyone post updates as Telegram.
            if s.len() < 32 || s.len() > 256 || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(ConfigError {
                    var: "TELEGRAM_WEBHOOK_SECRET",
                    problem: "use 32-256 characters from A-Z, a-z, 0-9, _ and - (e.g. `openssl rand -hex 32`)".into(),
                });
            }
        }
        let minutes = |var: &'static str, default: u64, max: u64| -> Result<Duration, ConfigError> {
            let m = r.parsed(var, default, |s| parse_int_in(s, 0, max))?;
            Ok(Duration::from_secs(m * 60))
        };
        let reservation_ttl = minutes("RESERVATION_TTL_MINUTES", 30, 24 * 60)?;
        // The Checkout Session lives at least 35 minutes whatever this says
        // (Stripe's minimum plus a margin); a shorter reservation is released
        // after its session is expired at Stripe.
        if stripe_secret_key.is_some() && !(60..=23 * 3600).contains(&reservation_ttl.as_secs()) {
            return Err(ConfigError {
                var: "RESERVATION_TTL_MINUTES",
                problem: "with Stripe on it must be 1 to 1380 (a Checkout Session lives at most 24 h)".into(),
            });
        }
        let stripe_connect = r.parsed("STRIPE_CONNECT", false, |s| match s.to_ascii_lowercase().as_str() {
            "on" | "true" | "1" => Ok(true),
            "off" | "false" | "0" => Ok(false),
            _ => Err("expected on or off".into()),
        })?;
        let stripe_connect_webhook_secret = r.secret("STRIPE_CONNECT_WEBHOOK_SECRET");
        if let Some(s) = &stripe_connect_webhook_secret
            && !s.expose_secret().starts_with("whsec_")
        {
            return Err(ConfigError { var: "STRIPE_CONNECT_WEBHOOK_SECRET", problem: "must start with whsec_".into() });
        }
        if stripe_connect {
            if stripe_secret_key.is_none() {
                return Err(ConfigError { var: "STRIPE_CONNECT", problem: "needs STRIPE_SECRET_KEY".into() });
            }
            if stripe_connect_webhook_secret.is_none() {
                return Err(ConfigError {
                    var: "STRIPE_CONNECT_WEBHOOK_SECRET",
                    problem: "required when STRIPE_CONNECT is on".into(),
                });
            }
            if r.parsed_opt("PUBLIC_BASE_URL", parse_url)?.is_none() {
                return Err(ConfigError {
                    var: "PUBLIC_BASE_URL",
                    problem: "required when STRIPE_CONNECT is on (onboarding links come back to it)".into(),
                });
            }
        }
        let default_country = r.parsed("DEFAULT_COUNTRY", Country::parse("DE").expect("DE is supported"), |s| {
            Country::parse(s).map_err(|e| e.to_string())
        })?;
        Ok(Settings {
            stripe_connect,
            stripe_connect_webhook_secret,
            platform_fee_bps: r.parsed("PLATFORM_FEE_BPS", 0, |s| parse_int_in(s, 0, 10_000))? as u32,
            platform_fee_fixed: r.parsed("PLATFORM_FEE_FIXED", Vec::new(), parse_fixed_fees)?,
            connect_link_hours: r.parsed("CONNECT_LINK_HOURS", 24, |s| parse_int_in(s, 1, 24 * 30))? as u32,
            connect_on_behalf_of: r.parsed("CONNECT_ON_BEHALF_OF", OnBehalfOf::CrossBorder, |s| match s {
                "cross_border" => Ok(OnBehalfOf::CrossBorder),
                "always" => Ok(OnBehalfOf::Always),
                "never" => Ok(OnBehalfOf::Never),
                _ => Err("expected cross_border, always or never".into()),
            })?,
            default_country,
            platform_country: r
                .parsed("PLATFORM_COUNTRY", default_country, |s| Country::parse(s).map_err(|e| e.to_string()))?,
            telegram_bot_token: r.secret("TELEGRAM_BOT_TOKEN"),
            telegram_api_url: r.parsed("TELEGRAM_API_URL", default_url("https://api.telegram.org"), parse_url)?,
            telegram_webhook_url,
            telegram_webhook_secret,
            telegram_limits: TelegramLimits {
                per_chat_per_sec: r.parsed("TELEGRAM_PER_CHAT_PER_SEC", 1.0, parse_rate)?,
                per_chat_burst: r.parsed("TELEGRAM_PER_CHAT_BURST", 3, |s| parse_int_in(s, 1, 1000))? as u32,
                bulk_per_sec: r.parsed("TELEGRAM_BULK_PER_SEC", 25.0, parse_rate)?,
            },
            database_url: r.parsed("DATABASE_URL", DatabaseUrl::Sqlite("glean.db".into()), DatabaseUrl::parse)?,
            redis_url: r.parsed_opt("REDIS_URL", |s| {
                if s.starts_with("redis://") || s.starts_with("rediss://") {
                    Ok(SecretString::from(s.to_string()))
                } else {
                    Err("must start with redis:// or rediss://".into())
                }
            })?,
            redis_prefix: r.parsed("REDIS_PREFIX", "glean".to_string(), |s| {
                if s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                    Ok(s.to_string())
                } else {
                    Err("use up to 64 characters from A-Z, a-z, 0-9, _ and -".into())
                }
            })?,
            stripe_secret_key,
            stripe_webhook_secret,
            stripe_api_base: r.parsed("STRIPE_API_BASE", default_url("https://api.stripe.com"), parse_url)?,
            stripe_timeout: Duration::from_millis(
                r.parsed("STRIPE_TIMEOUT_MS", 20_000, |s| parse_int_in(s, 100, 120_000))?,
            ),
            public_base_url: r.parsed_opt("PUBLIC_BASE_URL", parse_url)?,
            http_addr: r.parsed("HTTP_ADDR", SocketAddr::from(([127, 0, 0, 1], 8080)), |s| {
                SocketAddr::from_str(s).map_err(|_| "expected HOST:PORT such as 0.0.0.0:8080".to_string())
            })?,
            admin_telegram_ids: r.parsed("ADMIN_TELEGRAM_IDS", Vec::new(), parse_id_list)?,
            default_timezone: r.parsed("DEFAULT_TIMEZONE", Tz::UTC, |s| {
                s.parse::<Tz>().map_err(|_| format!("{s:?} is not an IANA time zone such as Europe/Berlin"))
            })?,
            default_currency: r.parsed(
                "DEFAULT_CURRENCY",
                Currency::from_code("EUR").expect("EUR is in the currency table"),
                |s| Currency::from_code(s).map_err(|e| e.to_string()),
            )?,
            max_units_per_order: r.parsed("MAX_UNITS_PER_ORDER", 10, |s| parse_int_in(s, 1, 1000))? as u32,
            user_rate: (
                r.parsed("USER_RATE_PER_SEC", 3.0, parse_rate)?,
                r.parsed("USER_RATE_BURST", 20, |s| parse_int_in(s, 1, 10_000))? as u32,
            ),
            reservation_ttl,
            waitlist_hold: minutes("WAITLIST_HOLD_MINUTES", 10, 24 * 60)?.max(Duration::from_secs(60)),
            cancellation_cutoff: minutes("CANCELLATION_CUTOFF_MINUTES", 120, 7 * 24 * 60)?,
            donation_lead: minutes("DONATION_LEAD_MINUTES", 30, 24 * 60)?,
            donation_radius_km: r.parsed("DONATION_RADIUS_KM", 10, |s| parse_int_in(s, 1, 200))? as u32,
            jobs_interval: Duration::from_millis(
                r.parsed("JOBS_INTERVAL_MS", 60_000, |s| parse_int_in(s, 50, 3_600_000))?,
            ),
            retention_updates_days: r.parsed("RETENTION_UPDATES_DAYS", 2, |s| parse_int_in(s, 1, 30))? as u32,
            retention_location_days: r.parsed("RETENTION_LOCATION_DAYS", 30, |s| parse_int_in(s, 1, 365))? as u32,
            sentry_dsn: r.secret("SENTRY_DSN"),
            log_format: r.parsed("LOG_FORMAT", LogFormat::Pretty, |s| match s {
                "pretty" | "text" => Ok(LogFormat::Pretty),
                "json" => Ok(LogFormat::Json),
                _ => Err("expected pretty or json".into()),
            })?,
            log_level: r.parsed("LOG_LEVEL", "info".to_string(), |s| {
                tracing_subscriber::EnvFilter::try_new(s)
                    .map(|_| s.to_string())
                    .map_err(|e| format!("not a valid filter ({e})"))
            })?,
            miniapp_auth_max_age: Duration::from_secs(
                r.parsed("MINIAPP_AUTH_MAX_AGE", 3600, |s| parse_int_in(s, 10, 7 * 86_400))?,
            ),
            map_tile_url: r.parsed("MAP_TILE_URL", DEFAULT_TILE_URL.to_string(), |s| {
                let ok = (s.starts_with("https://") || s.starts_with("http://"))
                    && ["{z}", "{x}", "{y}"].iter().all(|p| s.contains(p));
                if ok { Ok(s.to_string()) } else { Err("an http(s) URL template with {z}, {x} and {y}".into()) }
            })?,
            map_tile_attribution: r
                .parsed("MAP_TILE_ATTRIBUTION", DEFAULT_TILE_ATTRIBUTION.to_string(), |s| Ok(s.to_string()))?,
            telegram_web_app_js: r.parsed(
                "TELEGRAM_WEB_APP_JS",
                default_url("https://telegram.org/js/telegram-web-app.js"),
                parse_url,
            )?,
        })
    }

    pub fn stripe_enabled(&self) -> bool {
        self.stripe_secret_key.is_some()
    }

    /// Whether card payments are destination charges to connected accounts.
    pub fn connect_enabled(&self) -> bool {
        self.stripe_connect && self.stripe_secret_key.is_some()
    }

    /// The platform's default fee in `currency` (before any override).
    pub fn default_fee(&self, currency: Currency) -> FeeRule {
        let fixed = self.platform_fee_fixed.iter().find(|(c, _)| *c == currency).map_or(0, |(_, f)| *f);
        FeeRule::new(self.platform_fee_bps, fixed).unwrap_or(FeeRule::new(0, 0).expect("zero fee"))
    }

    /// Whether a charge for a business in `country` names it the merchant
    /// of record.
    pub fn on_behalf_of(&self, country: Country) -> bool {
        match self.connect_on_behalf_of {
            OnBehalfOf::Always => true,
            OnBehalfOf::Never => false,
            OnBehalfOf::CrossBorder => country != self.platform_country,
        }
    }

    pub fn is_admin(&self, telegram_id: i64) -> bool {
        self.admin_telegram_ids.contains(&telegram_id)
    }

    /// The effective configuration, one `NAME=value` per line, secrets masked.
    pub fn describe(&self) -> String {
        let secret = |s: &Option<SecretString>| if s.is_some() { "****** (set)" } else { "(unset)" }.to_string();
        let opt_url = |u: &Option<Url>| u.as_ref().map_or("(unset)".to_string(), |u| mask_url(u.as_str()));
        let lines = [
            ("TELEGRAM_BOT_TOKEN", secret(&self.telegram_bot_token)),
            ("TELEGRAM_API_URL", mask_url(self.telegram_api_url.as_str())),
            ("TELEGRAM_WEBHOOK_URL", opt_url(&self.telegram_webhook_url)),
            ("TELEGRAM_WEBHOOK_SECRET", secret(&self.telegram_webhook_secret)),
            ("TELEGRAM_PER_CHAT_PER_SEC", self.telegram_limits.per_chat_per_sec.to_string()),
            ("TELEGRAM_PER_CHAT_BURST", self.telegram_limits.per_chat_burst.to_string()),
            ("TELEGRAM_BULK_PER_SEC", self.telegram_limits.bulk_per_sec.to_string()),
            ("DATABASE_URL", format!("{:?}", self.database_url)),
            ("REDIS_URL", self.redis_url.as_ref().map_or("(unset)".into(), |u| mask_url(u.expose_secret()))),
            ("REDIS_PREFIX", self.redis_prefix.clone()),
            ("STRIPE_SECRET_KEY", secret(&self.stripe_secret_key)),
            ("STRIPE_WEBHOOK_SECRET", secret(&self.stripe_webhook_secret)),
            ("STRIPE_API_BASE", mask_url(self.stripe_api_base.as_str())),
            ("STRIPE_TIMEOUT_MS", self.stripe_timeout.as_millis().to_string()),
            ("STRIPE_CONNECT", if self.stripe_connect { "on" } else { "off" }.to_string()),
            ("STRIPE_CONNECT_WEBHOOK_SECRET", secret(&self.stripe_connect_webhook_secret)),
            ("PLATFORM_FEE_BPS", self.platform_fee_bps.to_string()),
            (
                "PLATFORM_FEE_FIXED",
                self.platform_fee_fixed.iter().map(|(c, f)| format!("{}:{f}", c.code())).collect::<Vec<_>>().join(","),
            ),
            ("CONNECT_LINK_HOURS", self.connect_link_hours.to_string()),
            ("CONNECT_ON_BEHALF_OF", format!("{:?}", self.connect_on_behalf_of)),
            ("DEFAULT_COUNTRY", self.default_country.code().to_string()),
            ("PLATFORM_COUNTRY", self.platform_country.code().to_string()),
            ("PUBLIC_BASE_URL", opt_url(&self.public_base_url)),
            ("HTTP_ADDR", self.http_addr.to_string()),
            ("ADMIN_TELEGRAM_IDS", self.admin_telegram_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
            ("DEFAULT_TIMEZONE", self.default_timezone.name().to_string()),
            ("DEFAULT_CURRENCY", self.default_currency.code().to_string()),
            ("MAX_UNITS_PER_ORDER", self.max_units_per_order.to_string()),
            ("USER_RATE_PER_SEC", self.user_rate.0.to_string()),
            ("USER_RATE_BURST", self.user_rate.1.to_string()),
            ("RESERVATION_TTL_MINUTES", (self.reservation_ttl.as_secs() / 60).to_string()),
            ("WAITLIST_HOLD_MINUTES", (self.waitlist_hold.as_secs() / 60).to_string()),
            ("CANCELLATION_CUTOFF_MINUTES", (self.cancellation_cutoff.as_secs() / 60).to_string()),
            ("JOBS_INTERVAL_MS", self.jobs_interval.as_millis().to_string()),
            ("RETENTION_UPDATES_DAYS", self.retention_updates_days.to_string()),
            ("RETENTION_LOCATION_DAYS", self.retention_location_days.to_string()),
            ("DONATION_LEAD_MINUTES", (self.donation_lead.as_secs() / 60).to_string()),
            ("DONATION_RADIUS_KM", self.donation_radius_km.to_string()),
            ("SENTRY_DSN", secret(&self.sentry_dsn)),
            ("LOG_FORMAT", format!("{:?}", self.log_format).to_lowercase()),
            ("LOG_LEVEL", self.log_level.clone()),
            ("MINIAPP_AUTH_MAX_AGE", self.miniapp_auth_max_age.as_secs().to_string()),
            ("MAP_TILE_URL", self.map_tile_url.clone()),
            ("MAP_TILE_ATTRIBUTION", self.map_tile_attribution.clone()),
            ("TELEGRAM_WEB_APP_JS", mask_url(self.telegram_web_app_js.as_str())),
        ];
        lines.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
    }

    /// [`Settings::describe`] on one line (`KEY=value KEY=value …`), as
    /// start-up logs it.
    pub fn describe_line(&self) -> String {
        self.describe().lines().collect::<Vec<_>>().join(" ")
    }
}

/// Masks the password (and any query string) of a URL for display.
pub fn mask_url(s: &str) -> String {
    match Url::parse(s) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("******"));
            }
            if u.query().is_some() {
                u.set_query(Some("******"));
            }
            u.to_string()
        }
        Err(_) => "******".into(),
    }
}

struct Reader<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl Reader<'_> {
    fn secret(&self, var: &'static str) -> Option<SecretString> {
        (self.get)(var).map(|v| SecretString::from(v.trim().to_string()))
    }

    fn parsed<T>(
        &self,
        var: &'static str,
        default: T,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        Ok(self.parsed_opt(var, parse)?.unwrap_or(default))
    }

    fn parsed_opt<T>(
        &self,
        var: &'static str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        match (self.get)(var) {
            None => Ok(None),
            Some(v) => parse(v.trim()).map(Some).map_err(|problem| ConfigError { var, problem }),
        }
    }
}

fn default_url(s: &str) -> Url {
    Url::parse(s).expect("built-in default URLs are valid")
}

fn parse_url(s: &str) -> Result<Url, String> {
    let u = Url::parse(s).map_err(|e| format!("not a valid URL ({e})"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err("must be an http:// or https:// URL".into());
    }
    Ok(u)
}

fn parse_int_in(s: &str, min: u64, max: u64) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from {min} to {max}")),
    }
}

/// `EUR:30,GBP:25`: a fixed fee in minor units per currency.
fn parse_fixed_fees(s: &str) -> Result<Vec<(Currency, i64)>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (code, amount) = pair.split_once(':').ok_or_else(|| format!("{pair:?}: expected CODE:MINOR_UNITS"))?;
            let currency = Currency::from_code(code.trim()).map_err(|e| e.to_string())?;
            let amount = parse_int_in(amount.trim(), 0, 1_000_000)?;
            Ok((currency, amount as i64))
        })
        .collect()
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 && r <= 100_000.0 => Ok(r),
        _ => Err("expected a positive number of messages per second".into()),
    }
}

fn parse_id_list(s: &str) -> Result<Vec<i64>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<i64>().map_err(|_| format!("{p:?} is not a Telegram user id")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let s = load(&[]).unwrap();
        assert!(matches!(&s.database_url, DatabaseUrl::Sqlite(p) if p == "glean.db"));
        assert_eq!(s.telegram_api_url.as_str(), "https://api.telegram.org/");
        assert_eq!(s.default_currency.code(), "EUR");
        assert_eq!(s.max_units_per_order, 10);
        assert_eq!(s.waitlist_hold, Duration::from_secs(600));
        assert_eq!(s.reservation_ttl, Duration::from_secs(1800));
        assert_eq!(s.cancellation_cutoff, Duration::from_secs(7200));
        assert!(s.retention_updates_days <= 2, "raw updates are kept no longer than they were before");
        assert_eq!(s.retention_location_days, 30);
        assert!(!s.stripe_enabled());
        assert_eq!(s.miniapp_auth_max_age, Duration::from_secs(3600));
        assert_eq!(s.map_tile_url, "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
        assert!(s.map_tile_attribution.contains("OpenStreetMap"));
        assert_eq!(s.telegram_web_app_js.as_str(), "https://telegram.org/js/telegram-web-app.js");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("DATABASE_URL", "nonsense://x")], "DATABASE_URL"),
            (&[("DATABASE_URL", "sqlite://")], "DATABASE_URL"),
            (&[("HTTP_ADDR", "localhost")], "HTTP_ADDR"),
            (&[("ADMIN_TELEGRAM_IDS", "1,two")], "ADMIN_TELEGRAM_IDS"),
            (&[("DEFAULT_TIMEZONE", "Mars/Olympus")], "DEFAULT_TIMEZONE"),
            (&[("DEFAULT_CURRENCY", "XYZ")], "DEFAULT_CURRENCY"),
            (&[("MAX_UNITS_PER_ORDER", "0")], "MAX_UNITS_PER_ORDER"),
            (&[("TELEGRAM_API_URL", "ftp://x")], "TELEGRAM_API_URL"),
            (&[("STRIPE_SECRET_KEY", "sk_test_1")], "STRIPE_WEBHOOK_SECRET"),
            (&[("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_WEBHOOK_SECRET", "nope")], "STRIPE_WEBHOOK_SECRET"),
            (&[("TELEGRAM_WEBHOOK_URL", "https://x.example/hook")], "TELEGRAM_WEBHOOK_SECRET"),
            (
                &[("TELEGRAM_WEBHOOK_URL", "https://x.example/hook"), ("TELEGRAM_WEBHOOK_SECRET", "a b")],
                "TELEGRAM_WEBHOOK_SECRET",
            ),
            (
                &[
                    ("TELEGRAM_WEBHOOK_URL", "https://x.example/hook"),
                    ("TELEGRAM_WEBHOOK_SECRET", "short_but_valid_chars"),
                ],
                "TELEGRAM_WEBHOOK_SECRET",
            ),
            (&[("LOG_FORMAT", "xml")], "LOG_FORMAT"),
            (&[("RETENTION_UPDATES_DAYS", "0")], "RETENTION_UPDATES_DAYS"),
            (&[("RETENTION_UPDATES_DAYS", "31")], "RETENTION_UPDATES_DAYS"),
            (&[("RETENTION_LOCATION_DAYS", "two")], "RETENTION_LOCATION_DAYS"),
            (&[("RETENTION_LOCATION_DAYS", "366")], "RETENTION_LOCATION_DAYS"),
            (&[("MINIAPP_AUTH_MAX_AGE", "1")], "MINIAPP_AUTH_MAX_AGE"),
            (&[("MINIAPP_AUTH_MAX_AGE", "an hour")], "MINIAPP_AUTH_MAX_AGE"),
            (&[("MAP_TILE_URL", "https://tiles.example/{z}/{x}.png")], "MAP_TILE_URL"),
            (&[("MAP_TILE_URL", "file:///{z}/{x}/{y}.png")], "MAP_TILE_URL"),
            (&[("TELEGRAM_WEB_APP_JS", "javascript:alert(1)")], "TELEGRAM_WEB_APP_JS"),
            (&[("TELEGRAM_BULK_PER_SEC", "-1")], "TELEGRAM_BULK_PER_SEC"),
            (&[("REDIS_URL", "localhost:6379")], "REDIS_URL"),
            (
                &[("STRIPE_SECRET_KEY", "sk"), ("STRIPE_WEBHOOK_SECRET", "whsec_x"), ("RESERVATION_TTL_MINUTES", "0")],
                "RESERVATION_TTL_MINUTES",
            ),
        ];
        for (vars, var) in cases {
            let err = load(vars).err().unwrap_or_else(|| panic!("{vars:?} should be refused"));
            assert_eq!(err.var, *var, "{vars:?}: {err}");
            assert!(!err.to_string().contains('\n'));
        }
    }

    #[test]
    fn connect_settings_are_checked_and_the_fee_rule_applies() {
        let base = [
            ("STRIPE_SECRET_KEY", "sk_test_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_a"),
            ("STRIPE_CONNECT", "on"),
            ("PUBLIC_BASE_URL", "https://glean.example"),
        ];
        let err = load(&base).err().expect("refused");
        assert_eq!(err.var, "STRIPE_CONNECT_WEBHOOK_SECRET");
        let mut with = base.to_vec();
        with.push(("STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_b"));
        with.extend([("PLATFORM_FEE_BPS", "750"), ("PLATFORM_FEE_FIXED", "EUR:30, GBP:20"), ("DEFAULT_COUNTRY", "at")]);
        let s = load(&with).unwrap();
        assert!(s.connect_enabled());
        let eur = Currency::from_code("EUR").unwrap();
        assert_eq!(s.default_fee(eur).fee(1_000), 105);
        assert_eq!(s.default_fee(Currency::from_code("USD").unwrap()).fee(1_000), 75);
        assert_eq!(s.default_country.code(), "AT");
        assert!(!s.on_behalf_of(Country::parse("AT").unwrap()));
        assert!(s.on_behalf_of(Country::parse("DE").unwrap()));
        let no_url: Vec<_> = with.iter().copied().filter(|(k, _)| *k != "PUBLIC_BASE_URL").collect();
        assert_eq!(load(&no_url).err().expect("refused").var, "PUBLIC_BASE_URL");
        let mut bad = with.clone();
        bad.push(("PLATFORM_FEE_BPS", "10001"));
        assert_eq!(load(&bad).err().expect("refused").var, "PLATFORM_FEE_BPS");
        let mut bad = with.clone();
        bad.push(("PLATFORM_FEE_FIXED", "EUR30"));
        assert_eq!(load(&bad).err().expect("refused").var, "PLATFORM_FEE_FIXED");
        let off = load(&[]).unwrap();
        assert!(!off.connect_enabled());
    }

    #[test]
    fn describe_masks_secrets() {
        let s = load(&[
            ("TELEGRAM_BOT_TOKEN", "123:tok3nvalue"),
            ("DATABASE_URL", "postgres://glean:hunter2@db/glean"),
            ("STRIPE_SECRET_KEY", "sk_test_zzkey"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_qqhook"),
            ("REDIS_URL", "redis://:redispass@cache:6379"),
            ("STRIPE_CONNECT", "on"),
            ("STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_cc0nnect"),
            ("PUBLIC_BASE_URL", "https://glean.example"),
        ])
        .unwrap();
        let shown = s.describe();
        assert!(shown.contains("STRIPE_CONNECT_WEBHOOK_SECRET=****** (set)"), "{shown}");
        for secret in ["tok3nvalue", "zzkey", "qqhook", "hunter2", "redispass", "cc0nnect"] {
            assert!(!shown.contains(secret), "{secret} leaked in:\n{shown}");
        }
        assert!(shown.contains("DATABASE_URL=postgres://glean:******@db/glean"));
        assert!(shown.contains("TELEGRAM_BOT_TOKEN=****** (set)"));
        assert!(!format!("{:?}", s.database_url).contains("hunter2"));
    }
}
