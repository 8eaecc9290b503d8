//! The `glean` binary as an operator meets it: exit codes and messages.

use std::process::Command;

use crate::support::app::TestApp;
use crate::support::db::Backend;

fn glean(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_glean"));
    // Run in an empty directory so no developer's .env is picked up.
    cmd.args(args).current_dir(dir.path()).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn a_bad_database_url_stops_start_up_with_one_line() {
    let out = glean(&["run"], &[("DATABASE_URL", "nonsense://x")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("DATABASE_URL") && err.contains("nonsense"), "{err}");
}

#[test]
fn an_unwritable_sqlite_path_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where a directory should be: not creatable, even as root.
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let url = format!("sqlite://{}/glean.db", file.display());
    let out = glean(&["run"], &[("DATABASE_URL", &url), ("HTTP_ADDR", "127.0.0.1:0"), ("TELEGRAM_BOT_TOKEN", "1:x")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<_> = err.lines().filter(|l| l.starts_with("glean:")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("DATABASE_URL") && lines[0].contains("can't open SQLite database"), "{err}");
}

#[test]
fn each_malformed_setting_is_named() {
    for (var, value) in [("HTTP_ADDR", "nowhere"), ("DEFAULT_TIMEZONE", "Moon/Base"), ("MAX_UNITS_PER_ORDER", "-1")] {
        let out = glean(&["run"], &[(var, value)]);
        assert_eq!(out.status.code(), Some(2), "{var}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with(&format!("glean: configuration error: {var}:")), "{err}");
    }
}

#[test]
fn check_config_masks_secrets() {
    let out = glean(
        &["check-config"],
        &[("TELEGRAM_BOT_TOKEN", "42:very-secret-token"), ("DATABASE_URL", "postgres://u:pw-secret@db/glean")],
    );
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("TELEGRAM_BOT_TOKEN=****** (set)"), "{shown}");
    assert!(!shown.contains("very-secret-token") && !shown.contains("pw-secret"), "{shown}");
}

#[test]
fn migrate_creates_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let out = glean(&["migrate"], &[("DATABASE_URL", &format!("sqlite://{}", path.display()))]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(path.exists());
}

#[test]
fn run_without_a_bot_token_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/g.db", dir.path().display());
    let out = glean(&["run"], &[("DATABASE_URL", &url), ("HTTP_ADDR", "127.0.0.1:0")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TELEGRAM_BOT_TOKEN"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let client = reqwest::Client::new();
    let health: serde_json::Value =
        client.get(format!("{}/healthz", app.base_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready = client.get(format!("{}/readyz", app.base_url)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["database"], serde_json::json!({"backend": "sqlite", "up": true}));
    assert_eq!(ready["telegram"], serde_json::json!({"mode": "polling"}));
    assert!(ready.get("redis").is_none(), "no REDIS_URL, no Redis reported: {ready}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_prints_a_trail() {
    let db = crate::support::db::fresh(Backend::Sqlite).await.unwrap();
    let (b, _) = crate::support::fixtures::verified_business(&db.store).await;
    let out = glean(&["audit", "business", &b.id.to_string()], &[("DATABASE_URL", &db.url)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 2, "{shown}");
    assert!(lines[0].contains("user:1001") && lines[0].contains("register") && lines[0].contains("- -> pending"));
    assert!(lines[1].contains("admin:9001") && lines[1].contains("verify") && lines[1].contains("pending -> verified"));
    let none = glean(&["audit", "offer", "999"], &[("DATABASE_URL", &db.url)]);
    assert!(String::from_utf8_lossy(&none.stdout).contains("no audit entries for offer 999"));
}

/// `glean run` logs one line with the effective configuration, secrets
/// masked, exactly as `glean check-config` prints it.
#[test]
fn run_logs_the_effective_configuration_once() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/g.db", dir.path().display());
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("HTTP_ADDR", "127.0.0.1:0"),
        ("TELEGRAM_BOT_TOKEN", "42:very-secret-token"),
        // Nothing listens there: the bot keeps retrying getMe, which is fine here.
        ("TELEGRAM_API_URL", "http://127.0.0.1:9"),
        ("STRIPE_SECRET_KEY", "sk_test_hush"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_quiet"),
        ("LOG_FORMAT", "json"),
    ];
    let printed = glean(&["check-config"], &env);
    let expected = String::from_utf8_lossy(&printed.stdout).lines().collect::<Vec<_>>().join(" ");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_glean"));
    cmd.arg("run").current_dir(dir.path()).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.envs(env).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut logged = Vec::new();
    let config = loop {
        let line = rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap_or_else(|_| panic!("{logged:#?}"));
        let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if event["message"] == "effective configuration" {
            break event["config"].as_str().unwrap_or_default().to_string();
        }
        logged.push(line);
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(config, expected);
    assert!(config.contains("TELEGRAM_BOT_TOKEN=****** (set)") && config.contains("STRIPE_SECRET_KEY=****** (set)"));
    assert!(!config.contains("very-secret-token") && !config.contains("hush") && !config.contains("quiet"), "{config}");
}
