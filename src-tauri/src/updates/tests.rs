//! The updater against a local update server, with keys and signatures made by Tauri's
//! own signer (`tauri signer`, from ui/node_modules) at test time, and the plugin
//! configured exactly as `tauri.conf.json` configures it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use tauri::test::{MockRuntime, mock_builder, mock_context, noop_assets};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// A key pair made by `tauri signer generate`, and a second one that is not Dialtone's.
struct Keys {
    _dir: tempfile::TempDir,
    ours: PathBuf,
    ours_public: String,
    theirs: PathBuf,
}

fn tauri_cli() -> PathBuf {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/.bin/tauri");
    assert!(cli.exists(), "{} is missing: run scripts/install-deps.sh --test", cli.display());
    cli
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let generate = |name: &str| {
            let key = dir.path().join(name);
            let out = Command::new(tauri_cli())
                .args(["signer", "generate", "--ci", "-p", "", "-f", "-w"])
                .arg(&key)
                .output()
                .unwrap();
            assert!(out.status.success(), "tauri signer generate: {}", String::from_utf8_lossy(&out.stderr));
            key
        };
        let ours = generate("ours.key");
        let theirs = generate("theirs.key");
        let ours_public = std::fs::read_to_string(ours.with_extension("key.pub")).unwrap();
        Keys { _dir: dir, ours, ours_public, theirs }
    })
}

/// The signature `tauri signer sign` writes for `bytes`, as the manifest carries it;
/// bound to `version` when one is given.
fn sign(key: &Path, bytes: &[u8], version: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dialtone.deb");
    std::fs::write(&file, bytes).unwrap();
    let mut sign = Command::new(tauri_cli());
    sign.args(["signer", "sign", "-p", ""]).arg("-f").arg(key);
    if let Some(version) = version {
        sign.args(["--app-version", version]);
    }
    let out = sign.arg(&file).output().unwrap();
    assert!(out.status.success(), "tauri signer sign: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(file.with_extension("deb.sig")).unwrap()
}

/// What the server answers on one path.
#[derive(Clone)]
enum Answer {
    Body(&'static str, Vec<u8>),
    /// Promises all the bytes, sends the first half, then holds the connection open.
    Stall(Vec<u8>),
    /// Sends the bytes without saying how many (no Content-Length), then closes.
    Unannounced(Vec<u8>),
    /// Takes the request and never answers.
    Silent,
    Status(u16),
}

struct Server {
    addr: SocketAddr,
    /// The paths asked for, in order.
    asked: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

fn serve(routes: HashMap<&'static str, Answer>) -> Server {
    let listener = tauri::async_runtime::block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    tauri::async_runtime::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let routes = routes.clone();
            let log = log.clone();
            tauri::async_runtime::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                log.lock().unwrap().push(path.clone());
                let reply = |status: &str, kind: &str, length: usize| {
                    format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
                    )
                };
                match routes.get(path.as_str()).cloned().unwrap_or(Answer::Status(404)) {
                    Answer::Body(kind, body) => {
                        let _ = stream.write_all(reply("200 OK", kind, body.len()).as_bytes()).await;
                        let _ = stream.write_all(&body).await;
                    }
                    Answer::Stall(body) => {
                        let head = reply("200 OK", "application/octet-stream", body.len());
                        let _ = stream.write_all(head.as_bytes()).await;
                        let _ = stream.write_all(&body[..body.len() / 2]).await;
                        let _ = stream.flush().await;
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                    Answer::Unannounced(body) => {
                        let head =
                            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
                        let _ = stream.write_all(head.as_bytes()).await;
                        let _ = stream.write_all(&body).await;
                    }
                    Answer::Silent => tokio::time::sleep(Duration::from_secs(3600)).await,
                    Answer::Status(code) => {
                        let _ = stream.write_all(reply(&format!("{code} Nope"), "text/plain", 0).as_bytes()).await;
                    }
                }
            });
        }
    });
    Server { addr, asked }
}

/// An app on the mock runtime with the updater plugin set up from tauri.conf.json.
fn app() -> tauri::App<MockRuntime> {
    let mut context = mock_context(noop_assets());
    let updater = configured_updater();
    context.config_mut().plugins.0.insert("updater".into(), updater);
    mock_builder().plugin(tauri_plugin_updater::Builder::new().build()).build(context).unwrap()
}

fn configured_updater() -> serde_json::Value {
    let config: serde_json::Value = serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
    config["plugins"]["updater"].clone()
}

/// This copy's version as the plugin sees it, and one a minor release later.
fn versions(app: &tauri::App<MockRuntime>) -> (String, String) {
    let current = app.package_info().version.clone();
    let newer = format!("{}.{}.0", current.major, current.minor + 1);
    (current.to_string(), newer)
}

fn target() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        os => os,
    };
    format!("{os}-{}", std::env::consts::ARCH)
}

/// A manifest offering `version`, whose package at /package.deb carries `signature`.
fn manifest(version: &str, signature: &str, package_url: &Url) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "version": version,
        "notes": "Calls ring on the desktop.",
        "pub_date": "2026-12-01T09:00:00Z",
        "platforms": { target(): { "signature": signature, "url": package_url.as_str() } },
    }))
    .unwrap()
}

/// A stand-in package: what the server sends and the signature covers.
fn package() -> Vec<u8> {
    (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect()
}

/// Serves the package as `package_answer` and a manifest announcing it as `announced`
/// with `signature`, and checks for it from `app`, trusting our test key.
fn offer(
    app: &tauri::App<MockRuntime>,
    announced: &str,
    signature: &str,
    package_answer: Answer,
) -> (Server, Result<Option<Update>, Error>) {
    // The manifest names the package's URL, so the port must be known first: serve the
    // package, then serve the manifest pointing at it from a second server.
    let packages = serve(HashMap::from([("/package.deb", package_answer)]));
    let body = manifest(announced, signature, &packages.url("/package.deb"));
    let manifests = serve(HashMap::from([("/latest.json", Answer::Body("application/json", body))]));
    let source =
        Source { endpoints: Some(vec![manifests.url("/latest.json")]), pubkey: Some(keys().ours_public.clone()) };
    let found = tauri::async_runtime::block_on(check(app.handle(), &source, Duration::from_secs(10)));
    (packages, found)
}

/// Downloads with a short stall limit; a hung download fails the test instead of hanging it.
fn fetch(update: &Update, stall: Duration) -> (Result<Vec<u8>, Error>, Vec<UpdateProgress>) {
    fetch_at_most(update, stall, MAX_PACKAGE_BYTES)
}

fn fetch_at_most(update: &Update, stall: Duration, max: u64) -> (Result<Vec<u8>, Error>, Vec<UpdateProgress>) {
    let mut heard = Vec::new();
    let result = tauri::async_runtime::block_on(async {
        tokio::time::timeout(Duration::from_secs(60), download(update, stall, max, |p| heard.push(p)))
            .await
            .expect("the download neither finished nor was given up")
    });
    (result, heard)
}

#[test]
fn a_newer_signed_package_is_offered_downloaded_and_verified() {
    let app = app();
    let (_, newer) = versions(&app);
    let bytes = package();
    let signature = sign(&keys().ours, &bytes, Some(&newer));
    let (packages, found) = offer(&app, &newer, &signature, Answer::Body("application/octet-stream", bytes.clone()));
    let update = found.unwrap().expect("a newer version is offered");
    assert_eq!(
        UpdateOffer::of(&update),
        UpdateOffer {
            version: newer.clone(),
            notes: Some("Calls ring on the desktop.".into()),
            date: Some("2026-12-01T09:00:00Z".into())
        }
    );
    assert!(packages.asked().is_empty(), "checking downloads nothing");

    let (result, heard) = fetch(&update, STALL);
    assert_eq!(result.unwrap(), bytes);
    assert_eq!(packages.asked(), ["/package.deb"]);
    let last = heard.last().copied().expect("progress was reported");
    assert_eq!(last, UpdateProgress { received: bytes.len() as u64, total: Some(bytes.len() as u64) });
    assert!(heard.windows(2).all(|w| w[0].received < w[1].received), "progress only grows");
}

#[test]
fn the_same_or_an_older_version_is_not_offered() {
    let app = app();
    let (current, _) = versions(&app);
    let bytes = package();
    for announced in [current.as_str(), "0.0.1"] {
        let signature = sign(&keys().ours, &bytes, Some(announced));
        let (packages, found) =
            offer(&app, announced, &signature, Answer::Body("application/octet-stream", bytes.clone()));
        assert!(found.unwrap().is_none(), "{announced} is not newer than {current}");
        assert!(packages.asked().is_empty());
    }
}

/// Refusals: each leaves no bytes to install, in words, under `update_rejected`.
fn refused(announced: &str, signature: &str, served: Vec<u8>) -> Error {
    let app = app();
    let (packages, found) = offer(&app, announced, signature, Answer::Body("application/octet-stream", served));
    let update = found.unwrap().expect("offered: the refusal comes at download");
    let (result, _) = fetch(&update, STALL);
    assert_eq!(packages.asked(), ["/package.deb"]);
    let err = result.expect_err("refused");
    assert_eq!(err.code, ErrorCode::UpdateRejected, "{}", err.message);
    assert!(err.message.ends_with("It was thrown away and nothing was installed."), "{}", err.message);
    err
}

#[test]
fn a_tampered_package_is_refused() {
    let newer = versions(&app()).1;
    let bytes = package();
    let signature = sign(&keys().ours, &bytes, Some(&newer));
    let mut tampered = bytes.clone();
    tampered[150_000] ^= 0x01;
    let err = refused(&newer, &signature, tampered);
    // The exact JSON the Settings card receives.
    assert_eq!(
        tauri::ipc::InvokeError::from(err).0,
        serde_json::json!({
            "code": "update_rejected",
            "message": "The update was refused: the downloaded package does not match its signature (it was damaged or changed on the way). It was thrown away and nothing was installed.",
        })
    );
}

#[test]
fn a_package_signed_with_another_key_is_refused() {
    let newer = versions(&app()).1;
    let bytes = package();
    let err = refused(&newer, &sign(&keys().theirs, &bytes, Some(&newer)), bytes);
    assert!(err.message.contains("signed with a key that is not Dialtone's"), "{}", err.message);
}

/// The manifest is not signed: it can offer an old, validly signed package as a new
/// version. The version signed into the package's signature gives it away.
#[test]
fn an_old_package_offered_as_a_new_version_is_refused() {
    let newer = versions(&app()).1;
    let bytes = package();
    let err = refused(&newer, &sign(&keys().ours, &bytes, Some("0.0.9")), bytes.clone());
    assert!(
        err.message
            .contains(&format!("the server announced version {newer}, but the package is signed as version 0.0.9")),
        "{}",
        err.message
    );
    let err = refused(&newer, &sign(&keys().ours, &bytes, None), bytes);
    assert!(err.message.contains("does not say which version it is for"), "{}", err.message);
}

#[test]
fn a_download_that_stops_is_given_up() {
    let app = app();
    let newer = versions(&app).1;
    let bytes = package();
    let (_, found) = offer(&app, &newer, &sign(&keys().ours, &bytes, Some(&newer)), Answer::Stall(bytes.clone()));
    let (result, heard) = fetch(&found.unwrap().unwrap(), Duration::from_secs(1));
    let err = result.expect_err("given up");
    assert_eq!(err.code, ErrorCode::UpdateFailed);
    assert!(
        err.message.starts_with("The update server stopped sending after 146 kB (nothing for 1 s)"),
        "{}",
        err.message
    );
    assert_eq!(heard.last().map(|p| p.received), Some(bytes.len() as u64 / 2));
}

#[test]
fn a_package_larger_than_the_limit_is_given_up_whether_announced_or_not() {
    let app = app();
    let newer = versions(&app).1;
    // Correctly signed, so only the size limit stands between it and the install.
    let bytes: Vec<u8> = package().into_iter().cycle().take(3_000_000).collect();
    let signature = sign(&keys().ours, &bytes, Some(&newer));
    for answer in [Answer::Body("application/octet-stream", bytes.clone()), Answer::Unannounced(bytes.clone())] {
        let (_, found) = offer(&app, &newer, &signature, answer);
        let (result, heard) = fetch_at_most(&found.unwrap().unwrap(), STALL, 1_000_000);
        let Err(err) = result else { panic!("{} bytes over the limit were kept", bytes.len()) };
        assert_eq!(err.code, ErrorCode::UpdateFailed);
        assert_eq!(
            err.message,
            "The update server offered more than 976 kB, far more than a Dialtone package, so the download was given up. Nothing was installed."
        );
        assert!(!heard.is_empty());
    }
    // The same package under the limit is taken, so it was the limit that refused it.
    let (_, found) = offer(&app, &newer, &signature, Answer::Unannounced(bytes.clone()));
    assert_eq!(fetch_at_most(&found.unwrap().unwrap(), STALL, 4_000_000).0.unwrap(), bytes);
}

#[test]
fn a_server_that_does_not_answer_or_cannot_be_reached_is_reported() {
    let app = app();
    let pubkey = Some(keys().ours_public.clone());
    let silent = serve(HashMap::from([("/latest.json", Answer::Silent)]));
    let source = Source { endpoints: Some(vec![silent.url("/latest.json")]), pubkey: pubkey.clone() };
    let err =
        tauri::async_runtime::block_on(check(app.handle(), &source, Duration::from_secs(1))).err().expect("an error");
    assert_eq!(err.code, ErrorCode::UpdateFailed);
    assert_eq!(err.message, "The update server did not answer in time. Nothing was installed; try again later.");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = Url::parse(&format!("http://127.0.0.1:{port}/latest.json")).unwrap();
    let source = Source { endpoints: Some(vec![url]), pubkey: pubkey.clone() };
    let err =
        tauri::async_runtime::block_on(check(app.handle(), &source, Duration::from_secs(5))).err().expect("an error");
    assert_eq!(
        err.message,
        "Could not reach the update server at 127.0.0.1 (Connection refused (os error 111)). Nothing was installed; check the connection and try again."
    );

    for answer in [Answer::Status(500), Answer::Body("application/json", b"{\"version\":".to_vec())] {
        let broken = serve(HashMap::from([("/latest.json", answer)]));
        let source = Source { endpoints: Some(vec![broken.url("/latest.json")]), pubkey: pubkey.clone() };
        let err = tauri::async_runtime::block_on(check(app.handle(), &source, Duration::from_secs(5)))
            .err()
            .expect("an error");
        assert_eq!(err.code, ErrorCode::UpdateFailed);
        assert!(err.message.contains("did not give an update manifest Dialtone can read"), "{}", err.message);
    }
}

/// A cargo-built Dialtone has no bundle type: the plugin would overwrite the running
/// executable, so install refuses, and this very binary stays as it was.
#[test]
fn a_build_from_source_refuses_to_install_and_stays_as_it_was() {
    let app = app();
    let newer = versions(&app).1;
    let bytes = package();
    let (_, found) = offer(
        &app,
        &newer,
        &sign(&keys().ours, &bytes, Some(&newer)),
        Answer::Body("application/octet-stream", bytes.clone()),
    );
    let update = found.unwrap().unwrap();
    let verified = fetch(&update, STALL).0.unwrap();
    let exe = std::env::current_exe().unwrap();
    let before = std::fs::read(&exe).unwrap();
    let err = install(&update, &verified).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unsupported);
    assert!(
        err.message.starts_with("This Dialtone was built from source, so it cannot update itself"),
        "{}",
        err.message
    );
    assert!(std::fs::read(&exe).unwrap() == before, "the running binary was changed");

    assert!(installable(Some(BundleType::Deb)).is_ok());
    assert!(installable(Some(BundleType::Rpm)).is_ok());
    if cfg!(target_os = "linux") {
        assert_eq!(installable(Some(BundleType::Dmg)).unwrap_err().code, ErrorCode::Unsupported);
    }
}

/// What ships: signed versions required, https only, a public key and no private one.
#[test]
fn the_shipped_updater_config_requires_signed_versions_over_https() {
    let updater = configured_updater();
    assert_eq!(updater["requireSignedVersion"], true);
    assert!(updater.get("dangerousInsecureTransportProtocol").is_none() && updater.get("allowDowngrades").is_none());
    let endpoints = updater["endpoints"].as_array().unwrap();
    assert!(!endpoints.is_empty() && endpoints.iter().all(|e| e.as_str().unwrap().starts_with("https://")));
    let pubkey = updater["pubkey"].as_str().unwrap();
    let decoded =
        String::from_utf8(base64::Engine::decode(&base64::engine::general_purpose::STANDARD, pubkey).unwrap()).unwrap();
    assert!(decoded.starts_with("untrusted comment: minisign public key"), "{decoded}");
    let config = include_str!("../../tauri.conf.json");
    assert!(!config.contains("secret key") && !config.contains("PRIVATE"), "no private key in the config");
}
