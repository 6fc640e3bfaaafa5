//! The `dialtone` command end to end: providers set up, secrets in the real OS
//! keychain (scripts/test.sh runs the suite under gnome-keyring), calls placed against
//! local stand-in providers. At the end, everything the runs printed and every file in
//! the data folder (settings, logs) is searched for each secret: none may appear.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use wiremock::matchers::{basic_auth, bearer_token, body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LINK: &str = "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT-9_aB";

/// Runs of the CLI, with everything they printed kept for the secret scan.
struct Cli {
    dir: tempfile::TempDir,
    printed: String,
    env: Vec<(String, String)>,
}

impl Cli {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap(), printed: String::new(), env: Vec::new() }
    }

    async fn run(&mut self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dialtone"));
        cmd.env_remove("DIALTONE_DATA_DIR").arg("--data-dir").arg(self.dir.path()).args(args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).await.unwrap();
        }
        drop(input);
        let out = child.wait_with_output().await.unwrap();
        self.printed.push_str(&String::from_utf8_lossy(&out.stdout));
        self.printed.push_str(&String::from_utf8_lossy(&out.stderr));
        out
    }

    async fn ok(&mut self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin).await;
        assert!(out.status.success(), "dialtone {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
}

fn all_files_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text.push_str(&all_files_text(&path));
        } else {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    text
}

fn keychain_has(account: &str) -> bool {
    let out = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", "dialtone"])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by scripts/install-deps.sh --test");
    String::from_utf8_lossy(&out.stdout).contains(account) || String::from_utf8_lossy(&out.stderr).contains(account)
}

#[tokio::test]
async fn providers_calls_and_no_secret_anywhere() {
    // Unique per run, so parallel or repeated runs do not share keychain entries.
    let tag = std::process::id();
    let blooio_key = format!("bk_live_cli_{tag}_Zq9");
    let bw_password = format!("bw-pass-{tag}-Xy7");
    let bl = format!("bl{tag}");
    let bw = format!("bw{tag}");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/api/facetime/calls"))
        .and(bearer_token(blooio_key.as_str()))
        .and(body_json(json!({"handle": "+14155550123"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"success": true, "link": LINK, "handle": "+14155550123"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/accounts/990/calls"))
        .and(basic_auth("bw-user", bw_password.as_str()))
        .and(body_json(json!({
            "from": "+14155550100", "to": "+442079460958", "applicationId": "app-1",
            "answerUrl": "https://example.com/a.xml", "answerMethod": "POST", "callTimeout": 30
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"callId": "c-77"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/accounts/990/calls/c-77"))
        .and(body_json(json!({"state": "completed"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;

    let mut cli = Cli::new();
    cli.ok(&["config", "set", "region", "us"], None).await;
    let base = format!("base_url={}", server.uri());
    cli.ok(&["provider", "add", &bl, "--kind", "blooio", "--set", &base], None).await;
    cli.ok(&["provider", "secret", &bl, "api_key"], Some(&format!("{blooio_key}\n"))).await;
    cli.ok(
        &[
            "provider",
            "add",
            &bw,
            "--kind",
            "bandwidth",
            "--set",
            &base,
            "--set",
            "account_id=990",
            "--set",
            "application_id=app-1",
            "--set",
            "answer_url=https://example.com/a.xml",
            "--set",
            "from_number=+14155550100",
        ],
        None,
    )
    .await;
    cli.ok(&["provider", "secret", &bw, "username"], Some("bw-user")).await;
    cli.ok(&["provider", "secret", &bw, "password"], Some(&bw_password)).await;
    assert!(keychain_has(&format!("{bl}/api_key")), "the secret is in the Secret Service");

    // A secret given as a plain setting is refused, and says where it belongs.
    let out =
        cli.run(&["provider", "add", "x", "--kind", "blooio", "--set", &format!("api_key={blooio_key}")], None).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a secret"), "{}", String::from_utf8_lossy(&out.stderr));

    let list: Value = serde_json::from_str(&cli.ok(&["provider", "list", "--json"], None).await).unwrap();
    let blooio = list.as_array().unwrap().iter().find(|p| p["name"] == bl.as_str()).unwrap();
    assert_eq!(blooio["secrets"], json!([{"field": "api_key", "label": "API key", "stored": true}]));
    assert_eq!(blooio["is_default"], json!(true), "the first provider becomes the default");

    // A FaceTime link through the default provider, number typed in the default region.
    let placed: Value = serde_json::from_str(&cli.ok(&["call", "(415) 555-0123", "--json"], None).await).unwrap();
    assert_eq!(placed["provider"], bl.as_str());
    assert_eq!(placed["kind"], "blooio");
    assert_eq!(placed["to"], "+14155550123");
    assert_eq!(placed["link"], LINK);

    let placed: Value =
        serde_json::from_str(&cli.ok(&["call", "+44 20 7946 0958", "--via", &bw, "--json"], None).await).unwrap();
    assert_eq!(
        placed,
        json!({"provider": bw, "kind": "bandwidth", "to": "+442079460958", "type": "placed", "call_id": "c-77"})
    );
    cli.ok(&["hangup", "c-77", "--via", &bw], None).await;

    // A documented failure: one line on stderr naming the provider and the cause.
    Mock::given(method("POST"))
        .and(path("/v2/api/facetime/calls"))
        .respond_with(
            ResponseTemplate::new(501)
                .set_body_json(json!({"error": "ApiError", "message": "coming soon", "status": 501})),
        )
        .mount(&server)
        .await;
    let out = cli.run(&["call", "+14155550123", "--via", &bl, "--json"], None).await;
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&bl) && stderr.contains("FaceTime calling switched off"), "{stderr}");

    // A malformed number is refused before anything is sent.
    let out = cli.run(&["call", "12", "--via", &bl], None).await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("“12” is not a phone number we can call"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Removing a provider deletes its keychain entries.
    cli.ok(&["provider", "remove", &bl], None).await;
    assert!(!keychain_has(&format!("{bl}/api_key")), "the keychain entry went with the provider");
    cli.ok(&["provider", "remove", &bw], None).await;
    assert!(!keychain_has(&format!("{bw}/password")));

    // The secrets never reached the output, the settings or the logs.
    let files = all_files_text(cli.dir.path());
    assert!(files.contains("placing a call"), "the log file recorded the calls: {files}");
    for secret in [blooio_key.as_str(), bw_password.as_str()] {
        assert!(!cli.printed.contains(secret), "a secret was printed: {}", cli.printed);
        assert!(!files.contains(secret), "a secret reached a file in the data folder");
    }
}

#[tokio::test]
async fn no_keychain_means_a_plain_refusal_and_nothing_written() {
    let mut cli = Cli::new();
    cli.ok(&["provider", "add", "nokc", "--kind", "blooio"], None).await;
    // A session bus that is not there: no Secret Service can answer.
    cli.env.push(("DBUS_SESSION_BUS_ADDRESS".into(), "unix:path=/nonexistent/bus".into()));
    let out = cli.run(&["provider", "secret", "nokc", "api_key"], Some("bk_should_not_be_written_42")).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("keychain is not available") && stderr.contains("gnome-keyring"), "{stderr}");
    assert!(stderr.contains("Nothing was saved"), "{stderr}");
    assert!(!all_files_text(cli.dir.path()).contains("bk_should_not_be_written_42"), "no plaintext fallback");

    // Listing still works, and says the keychain could not be asked.
    let list: Value = serde_json::from_str(&cli.ok(&["provider", "list", "--json"], None).await).unwrap();
    assert_eq!(list[0]["secrets"][0]["stored"], Value::Null);
    assert!(list[0]["keychain_error"].as_str().unwrap().contains("not available"));
}

#[tokio::test]
async fn qr_png_decodes_to_the_exact_link() {
    let mut cli = Cli::new();
    let png = cli.dir.path().join("link.png");
    cli.ok(&["qr", LINK, "--png", png.to_str().unwrap()], None).await;
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png)
        .output()
        .expect("zbarimg (zbar-tools) is installed by scripts/install-deps.sh --test");
    assert!(out.status.success(), "zbarimg found no code: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim_end_matches('\n'), LINK);

    let terminal = cli.ok(&["qr", LINK], None).await;
    assert!(terminal.lines().count() > 15 && terminal.contains('█'), "{terminal}");
}

/// Ctrl-C while the provider has not answered: the CLI stops waiting, says so, exits
/// 130, and the attempt is in the history as cancelled (it used to leave nothing).
#[tokio::test]
async fn ctrl_c_while_waiting_is_recorded_as_cancelled() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/api/facetime/calls"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(60)))
        .expect(1)
        .mount(&server)
        .await;
    let mut cli = Cli::new();
    let key = format!("bk_ctrl_c_{}", std::process::id());
    let name = format!("cc{}", std::process::id());
    cli.ok(&["provider", "add", &name, "--kind", "blooio", "--set", &format!("base_url={}", server.uri())], None).await;
    cli.ok(&["provider", "secret", &name, "api_key"], Some(&key)).await;

    let child = Command::new(env!("CARGO_BIN_EXE_dialtone"))
        .env_remove("DIALTONE_DATA_DIR")
        .arg("--data-dir")
        .arg(cli.dir.path())
        .args(["call", "+14155550123", "--via", &name])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt only once the request is at the provider, as a person would.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.received_requests().await.unwrap_or_default().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the call never reached the stand-in");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let out = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("dialtone exits soon after Ctrl-C")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("Stopped waiting"), "{stderr}");

    let history: Value = serde_json::from_str(&cli.ok(&["history", "--json"], None).await).unwrap();
    assert_eq!(history[0]["outcome"], "cancelled", "{history}");
    assert_eq!(history[0]["provider"], name.as_str());
    assert_eq!(history[0]["target"], "+14155550123");
    cli.ok(&["provider", "remove", &name], None).await;
}

/// A call with no keychain says nothing was dialled (not "nothing was saved").
#[tokio::test]
async fn a_call_without_a_keychain_says_nothing_was_dialled() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let mut cli = Cli::new();
    cli.ok(&["provider", "add", "nokc", "--kind", "blooio", "--set", &format!("base_url={}", server.uri())], None)
        .await;
    cli.env.push(("DBUS_SESSION_BUS_ADDRESS".into(), "unix:path=/nonexistent/bus".into()));
    let out = cli.run(&["call", "+14155550123"], None).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("keychain is not available") && stderr.contains("Nothing was dialled."), "{stderr}");
    assert!(!stderr.contains("saved"), "{stderr}");
}

/// Issue #10: documentation example numbers and + numbers with a home region set.
#[tokio::test]
async fn possible_numbers_are_saved_and_called_whatever_the_region() {
    let server = MockServer::start().await;
    for sent in ["+15555551313", "+33142764978"] {
        Mock::given(method("POST"))
            .and(path("/v2/api/facetime/calls"))
            .and(body_json(json!({"handle": sent})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true, "link": LINK})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let mut cli = Cli::new();
    cli.ok(&["config", "set", "region", "US"], None).await;
    // Bandwidth's documented example from_number can be saved.
    cli.ok(
        &[
            "provider",
            "add",
            "bwdoc",
            "--kind",
            "bandwidth",
            "--set",
            "account_id=9900000",
            "--set",
            "application_id=app-7",
            "--set",
            "answer_url=https://example.com/a.xml",
            "--set",
            "from_number=+15555551212",
        ],
        None,
    )
    .await;
    let name = format!("pn{}", std::process::id());
    cli.ok(&["provider", "add", &name, "--kind", "blooio", "--set", &format!("base_url={}", server.uri())], None).await;
    cli.ok(&["provider", "secret", &name, "api_key"], Some(&format!("bk_pn_{}", std::process::id()))).await;

    let out = cli.run(&["call", "+15555551313", "--via", &name, "--json"], None).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("looks unusual for") && stderr.contains("will still try"), "{stderr}");
    let placed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(placed["to"], "+15555551313");

    let out = cli.run(&["call", "+33 1 42 76 49 78", "--via", &name, "--json"], None).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("unusual"), "an assigned number gets no note: {stderr}");
    cli.ok(&["provider", "remove", &name], None).await;
}

#[tokio::test]
async fn a_sendblue_call_says_first_that_its_audio_is_not_carried_here() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/facetime/start-call"))
        .and(body_json(json!({"phoneNumber": "+14155550123", "fromNumber": "+14155550100"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "OK", "message": "Call started",
            "agora": {"appId": "app-1", "channelName": "ch-9", "token": "agora-tok", "uid": 0}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let mut cli = Cli::new();
    let name = format!("sb{}", std::process::id());
    cli.ok(
        &[
            "provider",
            "add",
            &name,
            "--kind",
            "sendblue",
            "--set",
            &format!("base_url={}", server.uri()),
            "--set",
            "from_number=+14155550100",
        ],
        None,
    )
    .await;
    cli.ok(&["provider", "secret", &name, "api_key_id"], Some("sb_kid_cli")).await;
    cli.ok(&["provider", "secret", &name, "api_secret_key"], Some("sb_sk_cli")).await;
    let out = cli.run(&["call", "+1 415 555 0123", "--via", &name], None).await;
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("note: A Sendblue call's audio plays in Dialtone's call window"), "{stderr}");
    assert!(stdout.contains("The dialtone command cannot carry this call's audio"), "{stdout}");
    assert!(!stdout.contains("needs the Dialtone window"), "{stdout}");
    cli.ok(&["provider", "remove", &name], None).await;
}
