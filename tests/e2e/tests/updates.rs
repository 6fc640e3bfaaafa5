//! The Updates card in the real window, against a local update server and keys made by
//! Tauri's own signer at test time: the check at launch marks Settings, the card shows
//! the version and its notes, a signed package downloads and verifies, a tampered one is
//! refused in words, and this build from source refuses to install over itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use dialtone_e2e::{App, app_binary, workspace_root};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NEWER: &str = "99.0.0";

fn tauri_cli() -> PathBuf {
    workspace_root().join("ui/node_modules/.bin/tauri")
}

fn generate_key(dir: &Path) -> (PathBuf, String) {
    let key = dir.join("release.key");
    let out = Command::new(tauri_cli())
        .args(["signer", "generate", "--ci", "-p", "", "-f", "-w"])
        .arg(&key)
        .output()
        .expect("the Tauri CLI runs (scripts/install-deps.sh installs it with the UI's packages)");
    assert!(out.status.success(), "tauri signer generate: {}", String::from_utf8_lossy(&out.stderr));
    let public = std::fs::read_to_string(key.with_extension("key.pub")).expect("the public key");
    (key, public)
}

fn sign(key: &Path, package: &Path, version: &str) -> String {
    let out = Command::new(tauri_cli())
        .args(["signer", "sign", "-p", "", "--app-version", version, "-f"])
        .arg(key)
        .arg(package)
        .output()
        .expect("the Tauri CLI runs");
    assert!(out.status.success(), "tauri signer sign: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(package.with_extension("deb.sig")).expect("the signature")
}

async fn serve(server: &MockServer, signature: &str, served: Vec<u8>) {
    server.reset().await;
    let manifest = json!({
        "version": NEWER,
        "notes": "Calls ring on the desktop.\nDo not disturb declines them.",
        "pub_date": "2026-12-01T09:00:00Z",
        "platforms": { "linux-x86_64": { "signature": signature, "url": format!("{}/dialtone.deb", server.uri()) } },
    });
    Mock::given(method("GET"))
        .and(path("/latest.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(manifest))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/dialtone.deb"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(served, "application/vnd.debian.binary-package"))
        .mount(server)
        .await;
}

async fn downloads(server: &MockServer) -> usize {
    let requests = server.received_requests().await.unwrap_or_default();
    requests.iter().filter(|r| r.url.path() == "/dialtone.deb").count()
}

#[tokio::test]
async fn the_updates_card_offers_verifies_and_refuses() {
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = generate_key(keys.path());
    let package = keys.path().join("dialtone.deb");
    let bytes: Vec<u8> = (0..2_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(&package, &bytes).unwrap();
    let signature = sign(&key, &package, NEWER);

    let server = MockServer::start().await;
    serve(&server, &signature, bytes.clone()).await;
    let binary_before = std::fs::read(app_binary()).unwrap();

    let env = [
        ("DIALTONE_UPDATE_ENDPOINT", format!("{}/latest.json", server.uri()).into()),
        ("DIALTONE_UPDATE_PUBKEY", public.into()),
    ];
    let app = App::launch_with_env(
        |dir| std::fs::write(dir.join("settings.toml"), "check_for_updates = true\n").unwrap(),
        &env,
    )
    .await;

    // The check at launch found it: a dot on Settings, nothing downloaded yet.
    app.testid("update-dot").await;
    assert_eq!(downloads(&server).await, 0, "a check downloads nothing");
    app.click("nav-settings").await;
    let version = app.testid("update-version").await.text().await.unwrap();
    assert_eq!(version, format!("Dialtone {NEWER}"));
    let notes = app.testid("update-notes").await.text().await.unwrap();
    assert!(notes.contains("Calls ring on the desktop.") && notes.contains("Do not disturb"), "{notes}");
    assert_eq!(app.eval("return document.querySelector('[data-testid=update-at-launch]').checked").await, json!(true));

    // Download: the signature checks out.
    app.click("update-download").await;
    app.eval_until("return document.querySelector('[data-testid=updates]').dataset.step", json!("verified")).await;
    assert_eq!(downloads(&server).await, 1);
    let status = app.testid("update-status").await.text().await.unwrap();
    assert!(status.contains("its signature checks out"), "{status}");
    app.eval("document.querySelector('[data-testid=updates]').scrollIntoView({ block: 'center' })").await;
    app.screenshot("update-verified").await;

    // Install: this is a build from source, so it says so and changes nothing.
    app.click("update-install").await;
    app.eval_until("return document.querySelector('[data-testid=updates]').dataset.step", json!("failed")).await;
    let status = app.testid("update-status").await.text().await.unwrap();
    assert!(status.starts_with("This Dialtone was built from source, so it cannot update itself"), "{status}");

    // A package changed on the way (one byte) is refused, in words.
    let mut tampered = bytes.clone();
    tampered[1_000_000] ^= 0x20;
    serve(&server, &signature, tampered).await;
    app.click("update-check").await;
    app.eval_until("return document.querySelector('[data-testid=updates]').dataset.step", json!("offered")).await;
    app.click("update-download").await;
    app.eval_until("return document.querySelector('[data-testid=updates]').dataset.step", json!("failed")).await;
    let status = app.testid("update-status").await.text().await.unwrap();
    assert_eq!(
        status,
        "The update was refused: the downloaded package does not match its signature (it was damaged or changed on the way). It was thrown away and nothing was installed."
    );
    assert_eq!(app.testid("update-status").await.attr("role").await.unwrap().as_deref(), Some("alert"));
    app.eval("document.querySelector('[data-testid=updates]').scrollIntoView({ block: 'center' })").await;
    app.screenshot("update-refused").await;
    assert!(app.axe_violations().await.is_empty(), "{:?}", app.axe_violations().await);

    // Turning the check off is saved.
    app.click("update-at-launch").await;
    let settings = app.data_dir.path().join("settings.toml");
    dialtone_e2e::wait_until("the setting is saved", std::time::Duration::from_secs(5), || {
        std::fs::read_to_string(&settings).is_ok_and(|s| !s.contains("check_for_updates"))
    });
    app.close().await;
    assert!(std::fs::read(app_binary()).unwrap() == binary_before, "the app's binary was changed");
}
