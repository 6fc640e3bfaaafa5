//! The operations the app and the CLI share, tested directly on `Dialtone` over a
//! temporary data folder, with secrets held in memory (the keychain has its own tests
//! against the real Secret Service) and stand-in providers.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dialtone_core::providers::{CallOutcome, Kind, Outcome, SecretSource};
use dialtone_core::redact::{ExposeSecret, SecretString};
use dialtone_core::service::{CallControl, CallEvent, Dialtone, STOPPED_WAITING, Save, SecretStore};
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
    assert_eq!(history[0].outcome, Outcome::Cancelled);
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
    assert_eq!(dialtone.history(10).unwrap()[0].outcome, Outcome::Cancelled);
}

/// The one who placed the call hears which provider the core chose before the request
/// goes, and how it ended; a call stopped before it started is told as cancelled.
#[tokio::test]
async fn the_caller_hears_each_state_of_the_call_from_the_core() {
    let server = slow_blooio(Duration::from_millis(10)).await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "fb", "blooio", &[("base_url", &server.uri())], &[("api_key", "bk_1")]);

    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    let control = CallControl::default().reporting(move |event| sink.lock().unwrap().push(event));
    dialtone.place_call("+1 (415) 555-0123", None, control).await.unwrap();
    assert_eq!(
        *heard.lock().unwrap(),
        [
            CallEvent::Dialling {
                provider: "fb".into(),
                kind: Kind::Blooio,
                label: "Blooio FaceTime link".into(),
                to: "+14155550123".into(),
            },
            CallEvent::Ended { outcome: Outcome::FacetimeLink },
        ]
    );

    heard.lock().unwrap().clear();
    let sink = heard.clone();
    let control = CallControl::default().reporting(move |event| sink.lock().unwrap().push(event));
    control.cancel.cancel();
    dialtone.place_call("+14155550123", None, control).await.unwrap_err();
    let heard = heard.lock().unwrap();
    assert_eq!(heard.last(), Some(&CallEvent::Ended { outcome: Outcome::Cancelled }), "{heard:?}");
    assert_eq!(
        serde_json::to_value(&heard[0]).unwrap(),
        json!({"state": "dialling", "provider": "fb", "kind": "blooio", "label": "Blooio FaceTime link", "to": "+14155550123"})
    );
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
    assert_eq!(history.iter().map(|r| r.outcome).collect::<Vec<_>>(), [Outcome::Cancelled, Outcome::FacetimeLink]);
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

// ---------------------------------------------------------------- Fractel's token

fn jwt(tag: &str) -> String {
    use base64::Engine;
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{tag}","exp":{exp}}}"#));
    format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln")
}

/// A Fractel stand-in that issues `token` for `password` and takes calls only with it.
async fn fractel(token: &str, password: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth"))
        .and(body_json(json!({"username": "fr_user", "password": password})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"authorization": {"token": token}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/calls"))
        .and(wiremock::matchers::header("token", token))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"call": {"id": "c-1"}})))
        .mount(&server)
        .await;
    server
}

async fn auths(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/v2/auth").count()
}

fn fractel_settings(base: &str) -> Vec<(&str, &str)> {
    vec![("base_url", base), ("fonenumber", "4155550100"), ("service_id", "100200300400")]
}

#[tokio::test]
async fn fractels_token_is_used_only_for_the_account_and_host_it_was_issued_for() {
    let (token_a, token_b) = (jwt("a"), jwt("b"));
    let (a, b) = (fractel(&token_a, "pw_1").await, fractel(&token_b, "pw_1").await);
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "fr", "fractel", &fractel_settings(&a.uri()), &[("username", "fr_user"), ("password", "pw_1")]);
    for _ in 0..2 {
        dialtone.place_call("+14155550123", None, CancellationToken::new()).await.unwrap();
    }
    assert_eq!(auths(&a).await, 1, "one sign-in, then the cached token");

    // Another host: it signs in there, and A's token never goes to it.
    let settings = fractel_settings(&b.uri()).into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    dialtone.save_provider("fr", "fractel", settings, Save::Update).unwrap();
    dialtone.place_call("+14155550123", None, CancellationToken::new()).await.unwrap();
    assert_eq!(auths(&b).await, 1);
    let sent_a_token_to_b =
        b.received_requests().await.unwrap().iter().any(|r| r.headers.get("token").is_some_and(|t| t == &token_a));
    assert!(!sent_a_token_to_b);

    // A new password: signed in again.
    b.reset().await;
    let token_c = jwt("c");
    let c = fractel(&token_c, "pw_2").await;
    let settings = fractel_settings(&c.uri()).into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    dialtone.save_provider("fr", "fractel", settings, Save::Update).unwrap();
    dialtone.set_secret("fr", "password", &SecretString::from("pw_2".to_owned())).unwrap();
    dialtone.place_call("+14155550123", None, CancellationToken::new()).await.unwrap();
    assert_eq!(auths(&c).await, 1);

    // Removed and added again under the same name: a fresh sign-in.
    dialtone.remove_provider("fr").unwrap();
    add(&dialtone, "fr", "fractel", &fractel_settings(&c.uri()), &[("username", "fr_user"), ("password", "pw_2")]);
    dialtone.place_call("+14155550123", None, CancellationToken::new()).await.unwrap();
    assert_eq!(auths(&c).await, 2);
}

#[tokio::test]
async fn a_speed_dial_goes_to_fractel_as_typed_and_nowhere_else() {
    let token = jwt("s");
    let server = fractel(&token, "pw_1").await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "fr", "fractel", &fractel_settings(&server.uri()), &[("username", "fr_user"), ("password", "pw_1")]);
    let placed = dialtone.place_call("1 2", None, CancellationToken::new()).await.unwrap();
    assert_eq!(placed.to, "12");
    let calls: Vec<serde_json::Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/v2/calls")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        calls,
        [json!({"fonenumber": "4155550100", "to": "12", "service_type": "Device", "service_id": "100200300400"})]
    );
    assert_eq!(dialtone.history(1).unwrap()[0].target, "12");

    // Through a provider without speed dials, "12" is still not a number.
    let blooio = slow_blooio(Duration::ZERO).await;
    add(&dialtone, "bl", "blooio", &[("base_url", &blooio.uri())], &[("api_key", "bk_1")]);
    blooio.reset().await;
    let err = dialtone.place_call("12", Some("bl"), CancellationToken::new()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(blooio.received_requests().await.unwrap().is_empty());
}

// ---------------------------------------------------------------- the CRM and Sendblue

#[tokio::test]
async fn the_crm_gets_the_contact_id_when_the_contact_is_one_of_its_records() {
    let server = MockServer::start().await;
    let recorded = ResponseTemplate::new(200).set_body_json(
        json!({"success": true, "call": {"_id": "r1", "status": "initiated"}, "message": "Call recorded"}),
    );
    Mock::given(method("POST"))
        .and(path("/api/calls/sdk/initiate"))
        .and(body_json(json!({"phoneNumber": "+14155550123", "contactId": "65a1f0c2e4b0a1b2c3d4e5f6"})))
        .respond_with(recorded.clone())
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/calls/sdk/initiate"))
        .and(body_json(json!({"phoneNumber": "+14155550199"})))
        .respond_with(recorded)
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(&dialtone, "crm", "crm", &[("base_url", &server.uri())], &[("token", "crm_tok")]);
    let person = |uid: Option<&str>, name: &str, number: &str| dialtone_core::contacts::NewContact {
        uid: uid.map(str::to_owned),
        name: name.into(),
        phones: vec![dialtone_core::contacts::Phone { label: "work".into(), number: number.into(), preferred: true }],
        ..Default::default()
    };
    dialtone.add_contact(&person(Some("65a1f0c2e4b0a1b2c3d4e5f6"), "Ada Lovelace", "+14155550123")).unwrap();
    dialtone.add_contact(&person(Some("urn:uuid:1234"), "Grace Hopper", "+14155550199")).unwrap();
    // By name, and by her number: either way the call is to Ada, a CRM record.
    dialtone.place_call("Ada Lovelace", None, CancellationToken::new()).await.unwrap();
    dialtone.place_call("+1 415 555 0123", None, CancellationToken::new()).await.unwrap();
    // A UID that is not a CRM record id: the number alone.
    dialtone.place_call("Grace Hopper", None, CancellationToken::new()).await.unwrap();
    assert_eq!(
        dialtone.kinds().iter().find(|k| k.kind == dialtone_core::Kind::Crm).unwrap().label,
        "CRM call log (logs the call; does not ring)"
    );
}

#[test]
fn sendblue_says_before_dialling_where_its_audio_plays() {
    let dir = tempfile::tempdir().unwrap();
    let dialtone = dialtone(&dir);
    add(
        &dialtone,
        "sb",
        "sendblue",
        &[("from_number", "+14155550100")],
        &[("api_key_id", "k"), ("api_secret_key", "s")],
    );
    let notes = dialtone.notes_before_calling("+1 415 555 0123", None);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("in your default browser where this system's web view has no WebRTC"), "{notes:?}");
    assert_eq!(dialtone.provider("sb").unwrap().notice.as_deref(), Some(notes[0].as_str()));
    // An unassigned number adds its hint.
    let notes = dialtone.notes_before_calling("+1 555 555 1212", None);
    assert_eq!(notes.len(), 2, "{notes:?}");
}
