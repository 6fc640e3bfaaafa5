//! The call page in a real browser: Debian's Chromium, headless, driven by ChromeDriver.
//!
//! It loads the page from the loopback server with the UI's real call bundle (Agora's
//! SDK included), which joins at once. Agora cannot be reached from these machines, so
//! joining fails, and the page must say so in words and report `network`. Meanwhile:
//! the page's CSP lets it reach Agora's hosts and no other; the page is served once
//! and a wrong path is 404; and afterwards the token is in no log, no file of the
//! browser's profile (its cache and history included) and no URL.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dialtone_agora::{CallPage, Callee, DirAssets, Failure, PageEvent, Timing};
use dialtone_core::providers::AgoraSession;
use dialtone_core::redact::SecretString;
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

/// Looks like an Agora token (they start 006 or 007), found nowhere else.
const TOKEN: &str = "007eJxTYBBz4rg2ZUZzQ5yh1FEtPd1MAT3dUVcWnLQMCmVg";

/// Everything the code under test logs, at every level.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Every file under `dir` whose bytes hold `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle)
        {
            found.push(path);
        }
    }
    found
}

async fn next(page: &mut CallPage, within: Duration) -> PageEvent {
    tokio::time::timeout(within, page.next_event()).await.expect("the page reports in time").expect("still serving")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_chromium_the_page_fails_to_reach_agora_in_words_allows_only_agora_and_leaks_no_token() {
    let logs = Logs::default();
    let writer = logs.clone();
    tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).init();

    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
    assert!(
        dist.join("call/call.js").is_file(),
        "{} has no call bundle: run `npm run build` in ui/ first (scripts/test.sh does)",
        dist.display()
    );
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        assert!(Path::new(tool).exists(), "{tool} is missing: scripts/install-deps.sh --test installs it");
    }
    let session = AgoraSession {
        app_id: "0123456789abcdef0123456789abcdef".into(),
        channel_name: "sb-chan-e2e".into(),
        uid: 0,
        token: SecretString::from(TOKEN.to_owned()),
    };
    let callee = Callee { name: Some("Ada Lovelace".into()), number: "+1 415-555-0123".into() };
    let mut page =
        CallPage::serve(&session, &callee, Arc::new(DirAssets(dist)), Timing::default()).await.expect("serves");
    let url = page.url().to_owned();

    let scratch = tempfile::tempdir().expect("scratch");
    let profile = scratch.path().join("profile");
    let driver_log = scratch.path().join("chromedriver.log");
    let port = free_port();
    let _driver = Driver(
        Command::new("/usr/bin/chromedriver")
            // Chromium's singleton socket folder goes here, not in /tmp, where one was
            // left behind after every run.
            .env("TMPDIR", scratch.path())
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", driver_log.display()))
            .args(["--verbose", "--enable-chrome-logs"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--enable-logging=stderr", "--v=0",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let address = format!("http://127.0.0.1:{port}");
    let mut client = None;
    for _ in 0..100 {
        let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&address)
            .await;
        match attempt {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let client = client.expect("a ChromeDriver session within 20 s");

    client.goto(&url).await.expect("opens the page");
    assert_eq!(next(&mut page, Duration::from_secs(10)).await, PageEvent::Opened);
    let title = client.title().await.expect("title");
    assert_eq!(title, "FaceTime call with Ada Lovelace · Dialtone");

    // The CSP, as Chromium enforces it: another host is blocked (a violation), Agora's
    // are not (the request goes out and fails on the network instead).
    let other = format!("http://127.0.0.1:{}/", free_port());
    let blocked = client
        .execute_async(
            r#"const [urls, done] = [arguments[0], arguments[arguments.length - 1]];
               const seen = [];
               document.addEventListener("securitypolicyviolation", (e) => seen.push(e.blockedURI));
               Promise.allSettled(urls.map((u) => fetch(u))).then(() => setTimeout(() => done(seen), 200));"#,
            vec![json!(["https://example.com/x", other, "https://web-1.agora.io/x", "wss://x.edge.sd-rtn.com/"])],
        )
        .await
        .expect("fetches");
    let blocked: Vec<String> = serde_json::from_value(blocked).expect("a list");
    assert!(blocked.iter().any(|u| u.starts_with("https://example.com")), "{blocked:?}");
    assert!(blocked.iter().any(|u| u.starts_with(&other[..other.len() - 1])), "{blocked:?}");
    assert!(!blocked.iter().any(|u| u.contains("agora.io") || u.contains("sd-rtn.com")), "{blocked:?}");

    // Joining fails: Agora is out of reach here. The page says so and reports it.
    let mut seen = Vec::new();
    let failed = loop {
        match next(&mut page, Duration::from_secs(60)).await {
            PageEvent::Failed { reason } => break reason,
            other => seen.push(other),
        }
    };
    assert_eq!(failed, Failure::Network, "after {seen:?}");
    assert!(!seen.contains(&PageEvent::Joined), "{seen:?}");
    let status = client.wait().for_element(Locator::Css("[data-failure=network]")).await.expect("the failure shown");
    let words = status.text().await.expect("text");
    assert!(words.contains("Could not reach Agora's servers"), "{words}");
    assert!(!client.source().await.expect("source").contains(TOKEN), "the session block is gone from the document");
    // The call page as the person sees it, for the README (artifacts/e2e/, like the window's).
    let shot = client.screenshot().await.expect("a screenshot");
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/e2e");
    std::fs::create_dir_all(&artifacts).expect("artifacts folder");
    std::fs::write(artifacts.join("facetime-audio-page.png"), shot).expect("saves the screenshot");

    // Served once: a reload, and any other path, is 404.
    assert!(!client.current_url().await.expect("url").as_str().contains(TOKEN));
    client.refresh().await.expect("reloads");
    let body = client.find(Locator::Css("body")).await.expect("body").text().await.expect("text");
    assert_eq!(body, "Not found.");
    client.goto(&format!("{url}x")).await.expect("opens");
    let body = client.find(Locator::Css("body")).await.expect("body").text().await.expect("text");
    assert_eq!(body, "Not found.");
    client.close().await.expect("closes the browser");
    drop(page);
    drop(_driver);

    assert!(files_holding(&profile, TOKEN.as_bytes()).is_empty(), "{:?}", files_holding(&profile, TOKEN.as_bytes()));
    let driver_log = std::fs::read_to_string(&driver_log).expect("chromedriver's log");
    assert!(driver_log.contains("sb-chan-e2e") || driver_log.contains("Ada Lovelace"), "the log saw the page");
    assert!(!driver_log.contains(TOKEN), "the browser's log holds the token");
    let ours = String::from_utf8_lossy(&logs.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(ours.contains("serving a call page"), "{ours}");
    assert!(!ours.contains(TOKEN) && !ours.contains(&url), "{ours}");
}
