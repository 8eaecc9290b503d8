//! Headless Chromium driven through chromedriver's W3C WebDriver protocol,
//! spoken over plain HTTP with reqwest (the dozen commands the Mini App
//! test needs don't warrant a WebDriver crate). Debian's `chromium` and
//! `chromium-driver` packages provide both binaries; nothing is
//! downloaded. Every host but 127.0.0.1 resolves to nothing, so no request
//! leaves the machine.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// Where Debian puts them; `CHROMIUM_BIN` and `CHROMEDRIVER_BIN` override.
fn binary(var: &str, default: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} not found (install Debian's chromium and chromium-driver, or set {var})", path.display()))
    }
}

/// The two binaries, or why the browser test can't run here.
pub fn find() -> Result<(PathBuf, PathBuf), String> {
    Ok((binary("CHROMIUM_BIN", "/usr/bin/chromium")?, binary("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")?))
}

/// A browser session on a phone-sized screen.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// Starts chromedriver and a headless Chromium of `width`×`height` CSS
    /// pixels at device pixel ratio `ratio`.
    pub async fn start(chromium: &Path, chromedriver: &Path, width: u32, height: u32, ratio: f64) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let mut cmd = Command::new(chromedriver);
        cmd.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
        // Its own process group, so the browser it starts ends with it.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let driver = cmd.spawn().expect("start chromedriver");
        let profile = tempfile::tempdir().expect("a profile directory");
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let mut browser = Browser { http, session: String::new(), driver, _profile: profile };
        let started = Instant::now();
        loop {
            if let Ok(r) = browser.http.get(format!("{base}/status")).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--no-default-browser-check".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-extensions".into(),
            "--disable-default-apps".into(),
            "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication".into(),
            "--hide-scrollbars".into(),
            "--lang=en-US".into(),
            // Nothing leaves the machine: every name but 127.0.0.1 fails.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1".into(),
            format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": args,
                "mobileEmulation": {"deviceMetrics": {"width": width, "height": height, "pixelRatio": ratio, "touch": true}},
            },
        }}});
        let res: Value =
            browser.http.post(format!("{base}/session")).json(&caps).send().await.unwrap().json().await.unwrap();
        let session = res["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no WebDriver session: {res}"));
        browser.session = format!("{base}/session/{session}");
        browser
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let v: Value = res.json().await.expect("a WebDriver answer");
        if let Some(error) = v["value"]["error"].as_str() {
            panic!("WebDriver {method} {path}: {error}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await;
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub async fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        self.command(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": args}))).await
    }

    /// Runs `script`, which calls `arguments[arguments.length - 1](result)`.
    pub async fn exec_async(&self, script: &str) -> Value {
        self.command(reqwest::Method::POST, "/execute/async", Some(json!({"script": script, "args": []}))).await
    }

    /// Waits until the JavaScript expression `condition` is truthy.
    pub async fn wait_for(&self, condition: &str, what: &str) {
        let started = Instant::now();
        let script = format!("return !!({condition});");
        while self.exec(&script, vec![]).await != Value::Bool(true) {
            if started.elapsed() > Duration::from_secs(20) {
                let screen =
                    self.exec("return document.body.dataset.screen + ': ' + document.body.innerText", vec![]).await;
                panic!("timed out waiting for {what} ({condition}); the page shows {screen}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the app shows `screen` and has rendered it.
    pub async fn wait_screen(&self, screen: &str) {
        let condition = format!("document.body.dataset.screen === '{screen}' && document.body.dataset.ready === '1'");
        self.wait_for(&condition, &format!("the {screen} screen")).await;
    }

    /// Clicks the element `css` (as a tap does) after clearing the page's
    /// ready mark, then waits for `screen` to be rendered.
    pub async fn tap_and_wait(&self, css: &str, screen: &str) {
        let found = self
            .exec(
                "delete document.body.dataset.ready; const el = document.querySelector(arguments[0]); \
                 if (!el) return false; el.click(); return true;",
                vec![json!(css)],
            )
            .await;
        assert_eq!(found, Value::Bool(true), "nothing to tap at {css}");
        self.wait_screen(screen).await;
    }

    /// Types `text` into the element `css` with real key events.
    pub async fn type_into(&self, css: &str, text: &str) {
        let el =
            self.command(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        let id = el[ELEMENT].as_str().expect("an element id").to_string();
        self.command(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({ "text": text }))).await;
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let data = self.command(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD.decode(data.as_str().expect("base64")).expect("a PNG");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    pub async fn quit(mut self) {
        let _ = self.http.delete(&self.session).send().await;
        self.kill();
    }

    fn kill(&mut self) {
        #[cfg(unix)]
        // SAFETY: signals the process group this test created for chromedriver.
        unsafe {
            libc::kill(-(self.driver.id() as i32), libc::SIGKILL);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The target directory of this build (where test artefacts go), found
/// from the test binary's own path (`<target>/<profile>/deps/it-…`), so it
/// is right wherever `CARGO_TARGET_DIR` points.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors().nth(3).expect("<target>/<profile>/deps/<binary>").to_path_buf()
}
