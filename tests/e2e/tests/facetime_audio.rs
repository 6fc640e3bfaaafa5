//! A Sendblue FaceTime call in the real window, placed through a stand-in Sendblue
//! that answers with an Agora session. Debian's WebKitGTK has no WebRTC, so the window
//! must say so by opening the call's page in the default browser: here headless
//! Chromium, started by a stand-in `xdg-open` (the desktop's "open this link"), which
//! loads the real page from Dialtone's loopback server. Hang up in the main window
//! reaches the page; History gets how the call ended; and the token is in no file of
//! Dialtone's data folder (its log and history) nor of the browser's profile, and never
//! in the main window.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use dialtone_e2e::App;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "007eJxTYE2e-SENDBLUE-E2E-TOKEN-QmFzZTY0";

fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if std::fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)) {
            found.push(path.display().to_string());
        }
    }
    found
}

/// Stops the browser the stand-in `xdg-open` started.
struct Browser(std::path::PathBuf);
impl Drop for Browser {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.0.join("chromium.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    }
}

fn secret(account: &str, value: &str) {
    let mut child = Command::new("secret-tool")
        .args(["store", "--label", "dialtone e2e", "service", "dialtone", "username", account])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool runs");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), value.as_bytes()).expect("writes");
    drop(child.stdin.take());
    assert!(child.wait().expect("waits").success(), "stored {account}");
}

#[tokio::test]
async fn a_sendblue_call_opens_in_the_browser_hangs_up_from_the_window_and_leaks_no_token() {
    let provider = format!("sb{}", std::process::id());
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/facetime/start-call"))
        .and(header("sb-api-key-id", "sb_kid_e2e"))
        .and(header("sb-api-secret-key", "sb_sk_e2e"))
        .and(body_json(json!({"phoneNumber": "+14155550123", "fromNumber": "+14155550100"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "OK", "message": "Call started",
            "agora": {"appId": "0123456789abcdef0123456789abcdef", "channelName": "sb-e2e-channel", "token": TOKEN, "uid": 0},
        })))
        .expect(1)
        .mount(&server)
        .await;
    secret(&format!("{provider}/api_key_id"), "sb_kid_e2e");
    secret(&format!("{provider}/api_secret_key"), "sb_sk_e2e");

    // The desktop's link opener, standing in for the person's default browser. It
    // stays off the session bus: at start Chromium asks for the desktop's
    // notification server, the bus would start one (dunst, with its default
    // settings) and it would outlive this test, answering the live tests'
    // notifications in place of the dunst they configure.
    let bin = tempfile::tempdir().expect("bin");
    let web = bin.path().to_path_buf();
    let opener = bin.path().join("xdg-open");
    std::fs::write(
        &opener,
        format!(
            "#!/bin/sh\nTMPDIR={dir} DBUS_SESSION_BUS_ADDRESS=disabled: /usr/bin/chromium --headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run \
             --disable-background-networking --disable-component-update --disable-sync \
             --use-fake-ui-for-media-stream --use-fake-device-for-media-stream \
             --user-data-dir={dir}/profile \"$1\" >{dir}/chromium.log 2>&1 &\necho $! >{dir}/chromium.pid\n",
            dir = web.display()
        ),
    )
    .expect("writes the opener");
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).expect("executable");
    let _browser = Browser(web.clone());
    let path_env = format!("{}:{}", web.display(), std::env::var("PATH").unwrap_or_default());

    let settings = format!(
        "region = \"US\"\ndefault_provider = \"{provider}\"\n\n[providers.{provider}]\nkind = \"sendblue\"\n\
         base_url = \"{}\"\nfrom_number = \"+14155550100\"\n",
        server.uri()
    );
    let app = App::launch_with_env(
        |dir| std::fs::write(dir.join("settings.toml"), &settings).expect("settings"),
        &[("PATH", path_env.into())],
    )
    .await;
    assert_eq!(app.eval("return typeof RTCPeerConnection").await, json!("undefined"), "Debian's WebKitGTK");

    app.click("nav-dialpad").await;
    app.testid("dial-number").await.send_keys("4155550123").await.expect("types");
    app.click("call-button").await;
    app.eval_until("return document.querySelector('[data-testid=audio-call]')?.dataset.route ?? ''", json!("browser"))
        .await;
    let said = app.eval("return document.querySelector('[data-testid=audio-route]').textContent").await;
    assert!(said.as_str().unwrap_or_default().starts_with("Your browser is carrying this call's audio"), "{said}");
    // The browser loaded the page (served once, to it) and is joining.
    app.eval_until(
        "const s = document.querySelector('[data-testid=audio-call]')?.dataset.state; return s === 'opened' || s === 'ringing'",
        json!(true),
    )
    .await;
    app.screenshot("facetime-audio-in-browser").await;

    // Hang up here: the page hears it through its poll, leaves, and says so.
    app.click("audio-hangup").await;
    app.eval_until("return document.querySelector('[data-testid=audio-call]')?.dataset.state ?? ''", json!("ended"))
        .await;
    let line = app.eval("return document.querySelector('[data-testid=audio-state]').textContent.trim()").await;
    assert_eq!(line, json!("Call ended."));
    let page = app.eval("return document.documentElement.outerHTML").await;
    assert!(!page.as_str().unwrap_or_default().contains(TOKEN), "the token never reached the main window");

    app.click("nav-history").await;
    app.eval_until(
        "return [...document.querySelectorAll('[data-testid=history-list] li')].some(li => li.textContent.includes('You hung up before the callee answered.') && li.textContent.includes('FaceTime audio'))",
        json!(true),
    )
    .await;

    // The browser first, so that its profile is written out; the app's folder while the
    // app still has it (closing removes it).
    drop(_browser);
    let data = app.data_dir.path().to_path_buf();
    assert!(files_holding(&data, TOKEN.as_bytes()).is_empty(), "{:?}", files_holding(&data, TOKEN.as_bytes()));
    assert!(files_holding(&web, TOKEN.as_bytes()).is_empty(), "{:?}", files_holding(&web, TOKEN.as_bytes()));
    assert!(web.join("profile").is_dir(), "the browser ran with its profile there");
    assert!(std::fs::read_dir(data.join("logs")).is_ok_and(|mut d| d.next().is_some()), "Dialtone writes its log");
    app.close().await;
}
