//! The loopback page as a client sees it: served once, nothing else served, events only
//! from the page's own origin, hang-up through the long poll, silence taken as closed.

use std::sync::Arc;
use std::time::Duration;

use dialtone_agora::{Asset, Assets, CSP, CallPage, Callee, Failure, PageEvent, Timing};
use dialtone_core::providers::AgoraSession;
use dialtone_core::redact::SecretString;

struct Bundle;
impl Assets for Bundle {
    fn get(&self, path: &str) -> Option<Asset> {
        (path == "call/call.js")
            .then(|| Asset { bytes: b"console.log(1)".to_vec(), mime: "text/javascript; charset=utf-8" })
    }
}

const TOKEN: &str = "006tok-en/with+chars==";

fn session() -> AgoraSession {
    AgoraSession {
        app_id: "app".into(),
        channel_name: "chan".into(),
        uid: 9,
        token: SecretString::from(TOKEN.to_owned()),
    }
}

async fn serve(timing: Timing) -> CallPage {
    let callee = Callee { name: None, number: "+1 415-555-0123".into() };
    CallPage::serve(&session(), &callee, Arc::new(Bundle), timing).await.expect("serves")
}

fn http() -> reqwest::Client {
    dialtone_core::use_ring_for_tls();
    reqwest::Client::builder().no_proxy().build().expect("client")
}

async fn next(page: &mut CallPage) -> PageEvent {
    tokio::time::timeout(Duration::from_secs(5), page.next_event()).await.expect("an event in time").expect("open")
}

#[tokio::test]
async fn the_page_is_served_once_with_its_csp_and_every_other_path_is_404() {
    let mut page = serve(Timing::default()).await;
    let url = page.url().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let secret = url.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    assert_eq!(secret.len(), 64, "32 random bytes, hex");
    assert!(!url.contains(TOKEN));
    let origin = url.trim_end_matches('/').trim_end_matches(secret).trim_end_matches('/').to_owned();

    // Before the page is served, its script is not (nothing of the call leaks early).
    let early = http().get(format!("{url}call/call.js")).send().await.expect("asks");
    assert_eq!(early.status(), 404);

    let first = http().get(&url).send().await.expect("asks");
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-security-policy"], CSP);
    assert_eq!(first.headers()["cache-control"], "no-store");
    assert_eq!(first.headers()["referrer-policy"], "no-referrer");
    let body = first.text().await.expect("body");
    assert!(body.contains(TOKEN), "the token travels in the one response");
    assert_eq!(next(&mut page).await, PageEvent::Opened);

    let again = http().get(&url).send().await.expect("asks");
    assert_eq!(again.status(), 404, "served once");
    assert!(!again.text().await.expect("body").contains(TOKEN));

    let script = http().get(format!("{url}call/call.js")).send().await.expect("asks");
    assert_eq!(script.status(), 200);
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    for wrong in [
        format!("{origin}/"),
        format!("{origin}/{}/", &secret[..63]),
        format!("{origin}/{secret}x/"),
        format!("{url}call/missing.js"),
        format!("{url}call//call.js"),
        format!("{url}call/call.txt"),
        format!("{url}other"),
    ] {
        let answer = http().get(&wrong).send().await.expect("asks");
        assert_eq!(answer.status(), 404, "{wrong}");
    }
}

#[tokio::test]
async fn a_page_under_another_host_name_gets_nothing() {
    let page = serve(Timing::default()).await;
    let url = page.url().to_owned();
    let port = url.split(':').nth(2).and_then(|p| p.split('/').next()).expect("port");
    let path = &url[url.find(&format!(":{port}")).expect("port") + port.len() + 1..];
    // What a DNS-rebinding page would send: our port, its own host name.
    let answer = http()
        .get(format!("http://localhost:{port}{path}"))
        .header("host", format!("attacker.example:{port}"))
        .send()
        .await
        .expect("asks");
    assert_eq!(answer.status(), 421);
    let still = http().get(&url).send().await.expect("asks");
    assert_eq!(still.status(), 200, "the refused request did not use up the page");
}

#[tokio::test]
async fn events_come_only_from_the_page_and_a_hang_up_reaches_its_poll() {
    let mut page = serve(Timing { poll_for: Duration::from_secs(10), ..Timing::default() }).await;
    let url = page.url().to_owned();
    let origin = url[..url.len() - 66].to_owned();
    http().get(&url).send().await.expect("asks");
    assert_eq!(next(&mut page).await, PageEvent::Opened);

    let post = |origin: &str, body: &str| {
        http()
            .post(format!("{url}events"))
            .header("origin", origin)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
    };
    assert_eq!(post("http://evil.example", r#"{"event":"left"}"#).await.expect("posts").status(), 403);
    assert_eq!(post(&origin, r#"{"event":"gone"}"#).await.expect("posts").status(), 400, "only the server says gone");
    assert_eq!(post(&origin, r#"{"event":"failed","reason":"made_up"}"#).await.expect("posts").status(), 400);
    assert_eq!(post(&origin, &"x".repeat(5000)).await.expect("posts").status(), 413);
    assert_eq!(post(&origin, r#"{"event":"joined"}"#).await.expect("posts").status(), 204);
    assert_eq!(next(&mut page).await, PageEvent::Joined);
    assert_eq!(post(&origin, r#"{"event":"failed","reason":"token_expired"}"#).await.expect("posts").status(), 204);
    assert_eq!(next(&mut page).await, PageEvent::Failed { reason: Failure::TokenExpired });

    let poll = tokio::spawn({
        let url = url.clone();
        async move { http().get(format!("{url}next")).send().await.expect("polls").text().await.expect("body") }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!poll.is_finished(), "a poll waits while there is nothing to say");
    page.hang_up();
    let answer = tokio::time::timeout(Duration::from_secs(5), poll).await.expect("answered at once").expect("task");
    assert_eq!(answer, r#"{"hangUp":true}"#);
}

#[tokio::test]
async fn a_page_never_opened_or_gone_silent_is_reported_gone() {
    let quick = Timing {
        open_within: Duration::from_millis(500),
        silent_for: Duration::from_millis(500),
        poll_for: Duration::from_millis(300),
    };
    let mut never = serve(quick).await;
    assert_eq!(next(&mut never).await, PageEvent::Gone);

    let mut page = serve(quick).await;
    http().get(page.url()).send().await.expect("asks");
    assert_eq!(next(&mut page).await, PageEvent::Opened);
    // A page that polls stays: three rounds of polling outlast `silent_for`.
    for _ in 0..4 {
        let answer = http().get(format!("{}next", page.url())).send().await.expect("polls");
        assert_eq!(answer.text().await.expect("body"), r#"{"hangUp":false}"#);
    }
    assert!(tokio::time::timeout(Duration::from_millis(100), page.next_event()).await.is_err(), "still there");
    // Then it stops, like a closed tab.
    assert_eq!(next(&mut page).await, PageEvent::Gone);
}

#[tokio::test]
async fn dropping_the_page_closes_the_port() {
    let page = serve(Timing::default()).await;
    let url = page.url().to_owned();
    drop(page);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(http().get(&url).send().await.is_err(), "nothing listens once the call is over");
}
