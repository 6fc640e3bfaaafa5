//! A real update of the installed `.deb`, run by tests/package/update.sh (ignored
//! otherwise: it needs the package installed and changes what is installed). The
//! installed app, driven through its window, checks a local update server, downloads
//! the next version's package, verifies it and installs it with the system's installer.

use std::time::{Duration, Instant};

use dialtone_e2e::App;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run tests/package/update.sh"))
}

#[tokio::test]
#[ignore = "run by tests/package/update.sh against the installed package"]
async fn the_installed_app_updates_itself_from_a_signed_deb() {
    let package = std::fs::read(env("DIALTONE_UPDATE_PACKAGE")).unwrap();
    let signature = std::fs::read_to_string(env("DIALTONE_UPDATE_SIGNATURE_FILE")).unwrap();
    let version = env("DIALTONE_UPDATE_VERSION");
    let server = MockServer::start().await;
    let manifest = json!({
        "version": version,
        "notes": "The next version.",
        // Only the .deb entry: the installed app must know it came as a .deb.
        "platforms": { "linux-x86_64-deb": { "signature": signature, "url": format!("{}/update.deb", server.uri()) } },
    });
    Mock::given(method("GET"))
        .and(path("/latest.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(manifest))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/update.deb"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(package, "application/vnd.debian.binary-package"))
        .mount(&server)
        .await;

    let app =
        App::launch_with_env(|_| {}, &[("DIALTONE_UPDATE_ENDPOINT", format!("{}/latest.json", server.uri()).into())])
            .await;
    app.click("nav-settings").await;
    app.click("update-check").await;
    let step = "return document.querySelector('[data-testid=updates]').dataset.step";
    app.eval_until(step, json!("offered")).await;
    app.click("update-download").await;
    app.eval_until(step, json!("verified")).await;
    app.click("update-install").await;
    // dpkg runs now; give it time, and fail with what the card says if it fails.
    let started = Instant::now();
    loop {
        let now = app.eval(step).await;
        if now == json!("installed") {
            break;
        }
        let status = app.testid("update-status").await.text().await.unwrap();
        assert!(now != json!("failed"), "the install failed: {status}");
        assert!(started.elapsed() < Duration::from_secs(180), "still {now} after 3 minutes: {status}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    app.testid("update-restart").await;
    app.eval("document.querySelector('[data-testid=updates]').scrollIntoView({ block: 'center' })").await;
    app.screenshot("update-installed").await;
    app.close().await;
}
