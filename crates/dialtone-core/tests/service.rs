//! The operations the app and the CLI share, tested directly on `Dialtone` over a
//! temporary data folder, with secrets held in memory (the keychain has its own tests
//! against the real Secret Service) and stand-in providers.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dialtone_core::providers::{CallOutcome, SecretSource};
use dialtone_core::redact::{ExposeSecret, SecretString};
use dialtone_core::service::{Dialtone, STOPPED_WAITING, Save, SecretStore};
use dialtone_core::{CancellationToken, ErrorCode, Paths, Result};
use serde_json::json;
use wiremock::matchers::{basic_auth, body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LINK: &str = "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT-9_aB%2Fz";

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

fn add(dialtone: &Dialtone, name: &str, kind: &str, settings: &[(&str, &str)], secrets: &[(&str, &str)]) {
    let settings: BTreeMap<String, String> = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    dialtone.save_provider(name, kind, settings, Save::Add).unwrap();
    for (field, value) in secrets {
        dialtone.set_secret(name, field, &SecretString::from(value.to_string())).unwrap();
    }
}

/// A Blooio stand-in that answers with a link only after `delay`.
async fn slow_blooio(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/api/facetime/calls"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "link": LINK, "handle": "+14155550123"}))
                .set_delay(delay),
        )
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn stopping_a_call_being_placed_records_it_as_cancelled() {
    let server = slow_blooio(Duration::from_secs(30)).await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "fb", "blooio", &[("base_url", &server.uri())], &[("api_key", "bk_1")]);

    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.cancel();
    });
    let started = std::time::Instant::now();
    let err = dialtone.place_call("+1 415 555 0123", None, cancel).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10), "the wait ended when it was stopped");
    assert_eq!(err.code, ErrorCode::Cancelled);
    assert_eq!(err.message, STOPPED_WAITING);

    // The core wrote the outcome itself, with the target and provider it resolved.
    let history = dialtone.history(10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].outcome, "cancelled");
    assert_eq!(history[0].provider, "fb");
    assert_eq!(history[0].target, "+14155550123");
    assert_eq!(history[0].error_message.as_deref(), Some(STOPPED_WAITING));
}

#[tokio::test]
async fn a_call_stopped_before_it_starts_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "fb", "blooio", &[("base_url", &server.uri())], &[("api_key", "bk_1")]);
    let cancel = CancellationToken::new();
    cancel.cancel();
    let err = dialtone.place_call("+14155550123", None, cancel).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    assert!(err.message.contains("nothing was dialled"), "{}", err.message);
    assert_eq!(dialtone.history(10).unwrap()[0].outcome, "cancelled");
}

#[tokio::test]
async fn a_redial_can_be_stopped_too() {
    let server = slow_blooio(Duration::from_millis(50)).await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "fb", "blooio", &[("base_url", &server.uri())], &[("api_key", "bk_1")]);
    let placed = dialtone.place_call("+14155550123", None, CancellationToken::new()).await.unwrap();
    assert!(matches!(placed.outcome, CallOutcome::FacetimeLink { .. }));

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let first = dialtone.history(1).unwrap()[0].id;
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.cancel();
    });
    let err = dialtone.redial(first, cancel).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    let history = dialtone.history(10).unwrap();
    assert_eq!(history.iter().map(|r| r.outcome.as_str()).collect::<Vec<_>>(), ["cancelled", "facetime_link"]);
}

/// `hangup CALL_ID` with no `--via` goes to the provider that placed that call, not
/// the default one (a Bandwidth call id means nothing to Sendblue).
#[tokio::test]
async fn hang_up_without_via_goes_to_the_provider_that_placed_the_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/accounts/9900000/calls"))
        .and(basic_auth("bw_user", "bw_pass"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"callId": "c-77"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/accounts/9900000/calls/c-77"))
        .and(basic_auth("bw_user", "bw_pass"))
        .and(body_json(json!({"state": "completed"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(
        &dialtone,
        "bw",
        "bandwidth",
        &[
            ("base_url", &server.uri()),
            ("account_id", "9900000"),
            ("application_id", "app-7"),
            ("answer_url", "https://example.com/bxml/transfer.xml"),
            ("from_number", "+14155550100"),
        ],
        &[("username", "bw_user"), ("password", "bw_pass")],
    );
    add(
        &dialtone,
        "sb",
        "sendblue",
        &[("from_number", "+14155550199")],
        &[("api_key_id", "k"), ("api_secret_key", "s")],
    );
    dialtone.set_default_provider("sb").unwrap();

    dialtone.place_call("+14155550123", Some("bw"), CancellationToken::new()).await.unwrap();
    dialtone.hang_up("c-77", None).await.unwrap();

    // An id Dialtone never placed still goes to the default, which says what it can do.
    let err = dialtone.hang_up("c-unknown", None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Unsupported, "{}", err.message);
}

/// The database holds FaceTime links that admit whoever opens them: only its owner
/// may read it, WAL files included.
#[cfg(unix)]
#[tokio::test]
async fn the_database_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let server = slow_blooio(Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "fb", "blooio", &[("base_url", &server.uri())], &[("api_key", "bk_1")]);
    dialtone.place_call("+14155550123", None, CancellationToken::new()).await.unwrap();
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("dialtone.sqlite3") {
            let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{name} is {mode:o}");
            seen.push(name);
        }
    }
    seen.sort();
    assert!(seen.iter().any(|n| n.ends_with("-wal")), "the WAL file was checked too: {seen:?}");
}
