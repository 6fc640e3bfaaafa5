//! Transport-level security of the provider layer (issue #10, section 5):
//!
//! - credentials never travel over plain `http://`, except to this computer (loopback),
//!   refused both when a provider is saved and when a request is about to be sent (a
//!   settings file edited by hand must not send them in clear either);
//! - a provider's answer is read up to about 1 MB, whether it announces its length or
//!   streams it in chunks, and a bigger one is a plain error, never retried;
//! - a provider echoing the credentials back, raw or encoded (the `Basic` header's
//!   base64, URL-safe base64, percent-encoding, JSON escapes), reaches neither the error
//!   nor the history.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use dialtone_core::providers::SecretSource;
use dialtone_core::redact::{ExposeSecret, SecretString};
use dialtone_core::service::{Dialtone, Save, SecretStore};
use dialtone_core::{CancellationToken, Error, ErrorCode, Paths, Result};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{basic_auth, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The keychain, in memory.
#[derive(Debug, Default)]
struct MemorySecrets(Mutex<HashMap<(String, String), String>>);

impl SecretSource for MemorySecrets {
    fn secret(&self, provider: &str, field: &str) -> Result<Option<SecretString>> {
        let held = self.0.lock().unwrap();
        Ok(held.get(&(provider.to_owned(), field.to_owned())).map(|v| SecretString::from(v.clone())))
    }
}

impl SecretStore for MemorySecrets {
    fn store(&self, provider: &str, field: &str, secret: &SecretString) -> Result<()> {
        self.0.lock().unwrap().insert((provider.to_owned(), field.to_owned()), secret.expose_secret().to_owned());
        Ok(())
    }
    fn remove(&self, provider: &str, field: &str) -> Result<()> {
        self.0.lock().unwrap().remove(&(provider.to_owned(), field.to_owned()));
        Ok(())
    }
}

fn dialtone(dir: &tempfile::TempDir) -> Dialtone {
    Dialtone::with_secrets(Paths::under(dir.path()), Arc::new(MemorySecrets::default())).unwrap()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn save(dialtone: &Dialtone, name: &str, kind: &str, settings: &[(&str, &str)]) -> Result<()> {
    dialtone.save_provider(name, kind, map(settings), Save::Add).map(|_| ())
}

fn add(dialtone: &Dialtone, name: &str, kind: &str, settings: &[(&str, &str)], secrets: &[(&str, &str)]) {
    save(dialtone, name, kind, settings).unwrap_or_else(|e| panic!("{}", e.message));
    for (field, value) in secrets {
        dialtone.set_secret(name, field, &SecretString::from(value.to_string())).unwrap();
    }
}

async fn call(dialtone: &Dialtone, via: &str) -> Error {
    match dialtone.place_call("+14155550123", Some(via), CancellationToken::new()).await {
        Ok(placed) => panic!("the call was expected to fail: {placed:?}"),
        Err(err) => err,
    }
}

/// The history row of the last attempt, as JSON text (everything it stores).
fn last_history_row(dialtone: &Dialtone) -> String {
    let rows = dialtone.history(1).unwrap();
    assert_eq!(rows.len(), 1, "one attempt is recorded");
    serde_json::to_string(&rows[0]).unwrap()
}

const BANDWIDTH_PATH: &str = "/api/v2/accounts/9900000/calls";

fn bandwidth_settings(base_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("base_url", base_url.to_owned()),
        ("account_id", "9900000".to_owned()),
        ("application_id", "app-1".to_owned()),
        ("answer_url", "https://example.com/answer.xml".to_owned()),
        ("from_number", "+14155550100".to_owned()),
    ]
}

fn add_bandwidth(dialtone: &Dialtone, name: &str, base_url: &str, user: &str, password: &str) {
    let settings = bandwidth_settings(base_url);
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    add(dialtone, name, "bandwidth", &settings, &[("username", user), ("password", password)]);
}

// ------------------------------------------------------------ plain http

#[test]
fn plain_http_to_another_host_is_refused_when_saved() {
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    for url in
        ["http://api.example.com", "HTTP://voice.bandwidth.com/", "http://192.0.2.10:8080", "http://[2001:db8::1]"]
    {
        let settings = bandwidth_settings(url);
        let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let err = save(&dialtone, "bw", "bandwidth", &settings).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{url}: {}", err.message);
        // The settings screen shows an error beside the field its message names.
        assert!(err.message.contains("`base_url`"), "{url}: {}", err.message);
        assert!(err.message.contains("https://"), "{url}: {}", err.message);
    }
    // Ready definitions (their base URL may hold a {{placeholder}}) and custom ones too.
    let twilio = [
        ("base_url", "http://api.twilio.com"),
        ("account_sid", "AC1"),
        ("from", "+14155550100"),
        ("answer_url", "https://example.com/t.xml"),
    ];
    let err = save(&dialtone, "tw", "twilio", &twilio).unwrap_err();
    assert!(err.message.contains("`base_url`"), "{}", err.message);
    let space = [
        ("base_url", "http://{{space}}.signalwire.com"),
        ("space", "acme"),
        ("project_id", "p1"),
        ("from", "+14155550100"),
        ("answer_url", "https://example.com/t.xml"),
    ];
    let err = save(&dialtone, "sw", "signalwire", &space).unwrap_err();
    assert!(err.message.contains("`base_url`"), "{}", err.message);
    let custom = [
        ("url", "http://calls.example.com/v1/calls"),
        ("auth", "bearer"),
        ("auth_token", "{{secret.k}}"),
        ("secret_fields", "k"),
    ];
    let err = save(&dialtone, "custom", "http", &custom).unwrap_err();
    assert!(err.message.contains("`url`"), "{}", err.message);
    assert!(dialtone.settings().unwrap().providers.is_empty(), "nothing was saved");
}

#[test]
fn plain_http_to_this_computer_is_still_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    for (i, url) in [
        "http://127.0.0.1:8080",
        "http://127.8.9.10",
        "http://localhost:3000/",
        "http://[::1]:9000",
        "https://api.example.com",
    ]
    .into_iter()
    .enumerate()
    {
        let settings = bandwidth_settings(url);
        let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
        save(&dialtone, &format!("bw{i}"), "bandwidth", &settings).unwrap_or_else(|e| panic!("{url}: {}", e.message));
    }
    save(&dialtone, "custom", "http", &[("url", "http://localhost:8080/calls")]).unwrap();
}

/// An address of this machine that is not loopback (where a stand-in can listen and
/// plain http must still be refused), if it has one.
fn non_loopback_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    // Connecting a UDP socket sends nothing; it only picks the outgoing interface.
    socket.connect("192.0.2.200:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn plain_http_is_refused_before_any_connection_is_tried() {
    // `.invalid` never resolves: a request sent would fail as unreachable, so the
    // refusal is told apart from a failed connection by its code and words.
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add_bandwidth(&dialtone, "bw", "https://voice.bandwidth.com", "bw-user-0001", "bw-pass-0001");
    let file = Paths::under(dir.path()).settings_file();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("https://voice.bandwidth.com", "http://voice.bandwidth.invalid")).unwrap();
    let err = call(&dialtone, "bw").await;
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
    assert!(err.message.contains("voice.bandwidth.invalid"), "{}", err.message);
    assert!(err.message.contains("`base_url`"), "{}", err.message);
}

#[tokio::test]
async fn a_settings_file_edited_by_hand_never_sends_credentials_in_clear() {
    let Some(ip) = non_loopback_ip() else {
        eprintln!("skipped: this machine has no address other than loopback");
        return;
    };
    let listener = std::net::TcpListener::bind((ip, 0)).unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201)).expect(0).mount(&server).await;

    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add_bandwidth(&dialtone, "bw", "https://voice.bandwidth.com", "bw-user-0001", "bw-pass-0001");
    // By hand: the saved https address becomes plain http to another machine.
    let file = Paths::under(dir.path()).settings_file();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("https://voice.bandwidth.com"), "{text}");
    std::fs::write(&file, text.replace("https://voice.bandwidth.com", &server.uri())).unwrap();

    let err = call(&dialtone, "bw").await;
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
    assert!(err.message.contains("`base_url`"), "{}", err.message);
    assert!(err.message.contains("https://"), "{}", err.message);
    assert!(err.message.contains("No call was placed"), "{}", err.message);
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing reached the other machine");
    let row = last_history_row(&dialtone);
    assert!(row.contains("\"failed\""), "{row}");
}

// ------------------------------------------------------------ answer size

/// A Bandwidth answer of `size` bytes, with a Content-Length.
async fn big_answer(status: u16, size: usize) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BANDWIDTH_PATH))
        .and(basic_auth("bw-user-0001", "bw-pass-0001"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(vec![b'x'; size], "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_answer_over_1_mb_is_a_plain_error_and_never_retried() {
    for status in [201, 400, 503] {
        let server = big_answer(status, 2 * 1024 * 1024).await;
        let dir = tempfile::tempdir().unwrap();
        let dialtone = dialtone(&dir);
        add_bandwidth(&dialtone, "bw", &server.uri(), "bw-user-0001", "bw-pass-0001");
        let err = call(&dialtone, "bw").await;
        assert_eq!(err.code, ErrorCode::ProviderResponse, "{status}: {}", err.message);
        assert!(err.message.contains("too large"), "{status}: {}", err.message);
        assert!(err.message.contains("did not try again"), "{status}: {}", err.message);
        assert!(err.message.len() < 600, "a plain sentence, not the answer: {} bytes", err.message.len());
        let row = last_history_row(&dialtone);
        assert!(row.len() < 2000, "the history row holds no answer: {} bytes", row.len());
        server.verify().await;
    }
}

#[tokio::test]
async fn an_answer_just_under_the_limit_is_still_read() {
    let server = MockServer::start().await;
    let padding = "p".repeat(900 * 1024);
    Mock::given(method("POST"))
        .and(path(BANDWIDTH_PATH))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"callId": "c-big-1", "padding": padding})))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add_bandwidth(&dialtone, "bw", &server.uri(), "bw-user-0001", "bw-pass-0001");
    let placed = dialtone.place_call("+14155550123", Some("bw"), CancellationToken::new()).await.unwrap();
    assert!(format!("{:?}", placed.outcome).contains("c-big-1"), "{:?}", placed.outcome);
}

/// A stand-in speaking HTTP/1.1 by hand: it answers every request with a 200 whose body
/// (2 MB) comes in chunks with no Content-Length, and counts the requests.
async fn chunked_stand_in(requests: Arc<AtomicUsize>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let requests = requests.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                // The head and the (small, Content-Length) JSON body.
                loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                requests.fetch_add(1, Ordering::SeqCst);
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'y'; 64 * 1024];
                for _ in 0..32 {
                    let framed =
                        [format!("{:x}\r\n", chunk.len()).into_bytes(), chunk.clone(), b"\r\n".to_vec()].concat();
                    if socket.write_all(&framed).await.is_err() {
                        return; // Dialtone stopped reading: expected.
                    }
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_chunked_answer_over_1_mb_is_stopped_while_reading() {
    let requests = Arc::new(AtomicUsize::new(0));
    let base = chunked_stand_in(requests.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "fb", "blooio", &[("base_url", &base)], &[("api_key", "bk_live_chunked_0001")]);
    let err = call(&dialtone, "fb").await;
    assert_eq!(err.code, ErrorCode::ProviderResponse, "{}", err.message);
    assert!(err.message.contains("too large"), "{}", err.message);
    assert!(err.message.contains("did not try again"), "{}", err.message);
    assert_eq!(requests.load(Ordering::SeqCst), 1, "the create-call request was sent once");
}

// ------------------------------------------------------------ echoed secrets

/// Every form of `secret` a provider might echo: raw, base64 (standard and URL-safe,
/// with and without padding), percent-encoded, JSON-escaped.
fn forms(secret: &str) -> Vec<String> {
    let bytes = secret.as_bytes();
    let mut all = vec![
        secret.to_owned(),
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
        percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC).to_string(),
        form_urlencoded::byte_serialize(bytes).collect(),
    ];
    let json = serde_json::to_string(secret).unwrap();
    all.push(json[1..json.len() - 1].to_owned());
    all.sort();
    all.dedup();
    all
}

/// Answers 400 with a JSON message (and a Bandwidth-style description) quoting what it
/// was sent: the Authorization header, the body, the request's URL, and extra text.
struct Echo {
    extra: String,
}

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let body = String::from_utf8_lossy(&request.body);
        let said = format!("you sent {auth} with {body} to {} {}", request.url, self.extra);
        ResponseTemplate::new(400)
            .set_body_json(json!({"type": "validation", "description": said, "message": said, "error": "ApiError"}))
    }
}

fn assert_no_form(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        for form in forms(secret) {
            assert!(!text.contains(&form), "{what} holds “{form}” (a form of a secret): {text}");
        }
    }
}

#[tokio::test]
async fn an_echoed_basic_pair_reaches_neither_the_error_nor_the_history() {
    let (user, password) = ("bw-user/Ω+1", "p@ss:wörd?&=");
    let pair = format!("{user}:{password}");
    // What a provider may quote back besides the header itself.
    let extra = [
        pair.clone(),
        URL_SAFE_NO_PAD.encode(&pair),
        STANDARD_NO_PAD.encode(&pair),
        URL_SAFE.encode(password),
        percent_encoding::utf8_percent_encode(password, percent_encoding::NON_ALPHANUMERIC).to_string(),
        percent_encoding::utf8_percent_encode(user, percent_encoding::NON_ALPHANUMERIC).to_string().to_lowercase(),
    ]
    .join(" ; ");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BANDWIDTH_PATH))
        .and(basic_auth(user, password))
        .respond_with(Echo { extra })
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add_bandwidth(&dialtone, "bw", &server.uri(), user, password);
    let err = call(&dialtone, "bw").await;
    assert_eq!(err.code, ErrorCode::ProviderRejected, "{}", err.message);
    assert!(err.message.contains("[redacted]"), "the echo is shown, scrubbed: {}", err.message);
    let secrets = [user, password, pair.as_str()];
    assert_no_form("the error", &err.message, &secrets);
    assert_no_form("the history row", &last_history_row(&dialtone), &secrets);
}

#[tokio::test]
async fn an_echoed_basic_header_with_a_plain_user_name_is_scrubbed() {
    // Twilio: the user name is the account SID (a setting), the password a secret, so
    // the header's base64 is of a pair the redactor was never given whole.
    let (sid, token) = ("AC0123456789abcdef", "tw_auth_token_0001");
    let header = format!("Basic {}", STANDARD.encode(format!("{sid}:{token}")));
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{sid}/Calls.json")))
        .and(basic_auth(sid, token))
        .respond_with(Echo { extra: String::new() })
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(
        &dialtone,
        "tw",
        "twilio",
        &[
            ("base_url", &server.uri()),
            ("account_sid", sid),
            ("from", "+14155550100"),
            ("answer_url", "https://example.com/t.xml"),
        ],
        &[("auth_token", token)],
    );
    let err = call(&dialtone, "tw").await;
    assert!(err.message.contains("[redacted]"), "{}", err.message);
    let encoded = header.trim_start_matches("Basic ");
    for text in [err.message.clone(), last_history_row(&dialtone)] {
        assert!(!text.contains(encoded), "the Basic header's base64 leaked: {text}");
    }
    assert_no_form("the error", &err.message, &[token]);
    assert_no_form("the history row", &last_history_row(&dialtone), &[token]);
}

#[tokio::test]
async fn a_secret_with_quotes_echoed_json_escaped_or_percent_encoded_is_scrubbed() {
    // A secret placed in the URL (percent-encoded there) and in a JSON body (escaped).
    let key = r#"k"ey\with/quotes&more"#;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(Echo { extra: String::new() }).expect(1).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    let url = format!("{}/v1/calls/{{{{secret.key}}}}", server.uri());
    add(
        &dialtone,
        "custom",
        "http",
        &[("url", &url), ("secret_fields", "key"), ("body", r#"{"to": "{{to}}", "key": "{{secret.key}}"}"#)],
        &[("key", key)],
    );
    let err = call(&dialtone, "custom").await;
    assert!(err.message.contains("[redacted]"), "{}", err.message);
    assert_no_form("the error", &err.message, &[key]);
    assert_no_form("the history row", &last_history_row(&dialtone), &[key]);
}

#[tokio::test]
async fn a_secret_cut_by_the_length_limit_leaves_no_part_behind() {
    // The provider's text is shortened for the person; a secret straddling the cut
    // must not leave its first half in the message.
    let key = "bk_live_straddle_0123456789abcdef";
    let server = MockServer::start().await;
    let message = format!("{} {key} end", "w".repeat(285));
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"error": "ApiError", "message": message, "status": 400})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "fb", "blooio", &[("base_url", &server.uri())], &[("api_key", key)]);
    let err = call(&dialtone, "fb").await;
    assert!(!err.message.contains("bk_live_str"), "a part of the key leaked: {}", err.message);
    assert!(!last_history_row(&dialtone).contains("bk_live_str"));
}
