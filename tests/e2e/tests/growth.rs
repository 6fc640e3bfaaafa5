//! A measurement, not a test (ignored; `scripts/measure.sh` runs it): the whole process
//! tree's memory after 100 calls through a stand-in provider and after 100 screen
//! changes, beside what it was before them. Figures are printed, not asserted: timing
//! and memory are for benchmarks to report, and the README says what they were.
//! Run alone: DIALTONE_APP_BIN=target/release/dialtone-app scripts/with-keychain.sh \
//!   xvfb-run -a cargo test --workspace --test growth -- --ignored --nocapture

use std::time::Duration;

use dialtone_e2e::App;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LINK: &str = "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT-9_aB";

/// PSS of the app (found by its binary's name) and of each of its descendants, in kB,
/// by process name.
fn tree_pss_kb() -> Vec<(String, u64)> {
    let binary = dialtone_e2e::app_binary();
    let name: String = binary.file_name().unwrap().to_string_lossy().chars().take(15).collect();
    let mut roots = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if pid.chars().all(|c| c.is_ascii_digit())
            && std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == name)
        {
            roots.push(pid);
        }
    }
    assert_eq!(roots.len(), 1, "one {name} runs: {roots:?}");
    let root: u32 = roots[0].parse().unwrap();
    let mut each = Vec::new();
    for pid in std::iter::once(root).chain(dialtone_e2e::descendants(root)) {
        let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_owned();
        let pss = rollup
            .lines()
            .find_map(|l| l.strip_prefix("Pss:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
        each.push((comm, pss));
    }
    each.sort();
    each
}

/// A tree's figures: the total and each process, in MB.
#[derive(Debug)]
struct Figures(Vec<(String, u64)>);

impl Figures {
    fn total(&self) -> f64 {
        self.0.iter().map(|(_, kb)| *kb).sum::<u64>() as f64 / 1024.0
    }

    fn growth_since(&self, before: &Figures) -> String {
        let mut parts = Vec::new();
        for (name, kb) in &self.0 {
            let was = before.0.iter().find(|(n, _)| n == name).map_or(0, |(_, kb)| *kb);
            parts.push(format!("{name} {:+.1}", (*kb as f64 - was as f64) / 1024.0));
        }
        format!("{:.1} MB ({:+.1} MB: {})", self.total(), self.total() - before.total(), parts.join(", "))
    }
}

/// Settles (WebKit frees on its own timers), then measures.
async fn settled(app: &App) -> Figures {
    // Ask JavaScriptCore to collect where the page can (the automation session exposes
    // no GC call; an idle pause lets WebKit's own timers run).
    let _ = app.eval("return 1").await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    Figures(tree_pss_kb())
}

#[tokio::test]
#[ignore = "a measurement for scripts/measure.sh"]
async fn memory_after_100_calls_and_100_screen_changes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/api/facetime/calls"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"success": true, "link": LINK, "handle": "+14155550123"})),
        )
        .mount(&server)
        .await;
    let app = App::launch_with(|dir| std::fs::write(dir.join("settings.toml"), "region = \"US\"\n").unwrap()).await;
    let provider = format!("growth{}", std::process::id());
    let setup = format!(
        "const done = arguments[arguments.length - 1]; const invoke = window.__TAURI_INTERNALS__.invoke;
         invoke('add_provider', {{ name: '{provider}', kind: 'blooio', settings: {{ base_url: '{}' }} }})
           .then(() => invoke('set_secret', {{ name: '{provider}', field: 'api_key', value: 'growth-key' }}))
           .then(() => done('ok'), e => done(JSON.stringify(e)));",
        server.uri()
    );
    assert_eq!(app.client.execute_async(&setup, vec![]).await.unwrap(), json!("ok"));
    // Reload so the dialpad sees the provider, as after a restart.
    app.eval("location.reload(); return 1").await;
    app.testid("dial-number").await;

    // The page clicks its own buttons: a WebDriver click first finds the element, and
    // the automation session may keep every element it ever handed out (and with it the
    // detached screen around it), which is the driver's memory, not the app's.
    // GROWTH_BY=webdriver clicks through WebDriver instead, to compare.
    let by_webdriver = std::env::var("GROWTH_BY").is_ok_and(|by| by == "webdriver");
    let press = |id: String| {
        let app = &app;
        async move {
            if by_webdriver {
                app.click(&id).await;
            } else {
                app.eval_until(
                    &format!("const b = document.querySelector('[data-testid={id}]'); b?.click(); return !!b"),
                    json!(true),
                )
                .await;
            }
        }
    };
    let call = || async {
        press("nav-dialpad".into()).await;
        // The dialpad keeps the last number; set the field as typing would.
        app.eval_until(
            "const f = document.querySelector('[data-testid=dial-number]'); if (!f) return false; \
             f.value = '4155550123'; f.dispatchEvent(new Event('input', { bubbles: true })); return true",
            json!(true),
        )
        .await;
        press("call-button".into()).await;
        app.eval_until("return document.querySelector('[data-testid=link-text]')?.textContent ?? ''", json!(LINK))
            .await;
        press("call-close".into()).await;
    };
    // Warm up: the first call loads the QR code's and the call panel's code.
    for _ in 0..5 {
        call().await;
    }
    // GROWTH_ROUNDS=3 repeats each phase, to tell growth that levels off (a heap or
    // cache reaching its size) from growth that goes on (a leak).
    let rounds: usize = std::env::var("GROWTH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(1);
    let before = settled(&app).await;
    let calls: usize = std::env::var("GROWTH_CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(100);
    let mut report = vec![format!("  before: {:.1} MB PSS (the tree, after 5 warm-up calls)", before.total())];
    let mut last = before;
    for _ in 0..rounds {
        for _ in 0..calls {
            call().await;
        }
        let now = settled(&app).await;
        report.push(format!("  after {calls} calls: {}", now.growth_since(&last)));
        last = now;
    }
    // GROWTH_INVOKE="audio_devices" calls one command 100 times instead of changing screens.
    if let Ok(invoke) = std::env::var("GROWTH_INVOKE") {
        let (command, args) = invoke.split_once(' ').unwrap_or((invoke.as_str(), "{}"));
        let script = format!(
            "const done = arguments[arguments.length - 1]; (async () => {{ for (let i = 0; i < 100; i++) \
             await window.__TAURI_INTERNALS__.invoke('{command}', {args}); }})().then(() => done('ok'), e => done(String(e)));"
        );
        assert_eq!(app.client.execute_async(&script, vec![]).await.unwrap(), json!("ok"));
        println!("{}", report.join("\n"));
        println!("  after {invoke} 100 times: {}", settled(&app).await.growth_since(&last));
        app.close().await;
        return;
    }
    // GROWTH_SCREENS=contacts,dialpad narrows it down when the figure grows.
    let screens = std::env::var("GROWTH_SCREENS").unwrap_or_else(|_| "contacts,history,settings,dialpad".into());
    let screens: Vec<&str> = screens.split(',').collect();
    for _ in 0..rounds {
        for i in 0..100 {
            let screen = screens[i % screens.len()];
            press(format!("nav-{screen}")).await;
            app.eval_until("return document.querySelector('[data-testid=app-frame]').dataset.screen", json!(screen))
                .await;
        }
        let now = settled(&app).await;
        report.push(format!("  after 100 screen changes more: {}", now.growth_since(&last)));
        last = now;
    }
    let reached = server.received_requests().await.unwrap_or_default().len();
    println!("growth: {reached} calls reached the stand-in");
    println!("{}", report.join("\n"));
    app.close().await;
}
