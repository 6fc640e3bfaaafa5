//! Every provider against a local stand-in that checks the request as strictly as the
//! provider would (method, path, auth headers, exact body) and answers with each
//! documented status. A request that does not match gets the stand-in's 404, so a
//! wrong path, header or body fails the success cases.

mod common;

use std::time::Duration;

use common::{DialtoneJson, FormIs, OnlyAuth, Secrets, config, place};
use dialtone_core::ErrorCode;
use dialtone_core::providers::{CallOutcome, CallPhase, Dialer, Kind};
use serde_json::json;
use wiremock::matchers::query_param;
use wiremock::matchers::{basic_auth, bearer_token, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LINK: &str = "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT-9_aB%2Fz";

fn blooio_error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": "ApiError", "message": message, "status": status}))
}

// ---------------------------------------------------------------- Blooio

#[tokio::test]
async fn blooio_returns_the_link_byte_for_byte() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/api/facetime/calls"))
        .and(bearer_token("bk_test_key"))
        .and(OnlyAuth(&["authorization"]))
        .and(DialtoneJson)
        .and(body_json(json!({"handle": "+14155550123"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"success": true, "link": LINK, "handle": "+14155550123"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dialer = Dialer::new().unwrap();
    let cfg = config(Kind::Blooio, &[("base_url", &server.uri())]);
    let placed =
        place(&dialer, "bl", &cfg, &Secrets::of("bl", &[("api_key", "bk_test_key")]), "(415) 555-0123").await.unwrap();
    assert_eq!(placed.to, "+14155550123");
    match placed.outcome {
        CallOutcome::FacetimeLink { link, expires_at, .. } => {
            assert_eq!(link, LINK);
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
            assert!((now + 3 * 3600 - 5..=now + 3 * 3600 + 5).contains(&u64::from(expires_at)));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn blooio_calls_an_email_handle() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/api/facetime/calls"))
        .and(body_json(json!({"handle": "ada@example.com"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "link": LINK, "handle": "ada@example.com"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(Kind::Blooio, &[("base_url", &server.uri())]);
    let placed = place(
        &Dialer::new().unwrap(),
        "bl",
        &cfg,
        &Secrets::of("bl", &[("api_key", "bk_test_0001")]),
        "facetime:ada@example.com",
    )
    .await
    .unwrap();
    assert_eq!(placed.to, "ada@example.com");
}

#[tokio::test]
async fn blooio_documented_errors_in_plain_words() {
    let cases: [(u16, ErrorCode, &str); 10] = [
        (400, ErrorCode::ProviderRejected, "did not accept the phone number or email address"),
        (401, ErrorCode::ProviderAuth, "did not accept the API key"),
        (402, ErrorCode::ProviderRejected, "trial limit"),
        // Listed by Blooio without a meaning: general words, and Blooio's own message.
        (403, ErrorCode::ProviderAuth, "the provider refused"),
        (404, ErrorCode::ProviderRejected, "no active number for this API key"),
        (409, ErrorCode::ProviderRejected, "the provider reported a conflict"),
        (500, ErrorCode::ProviderUnavailable, "may or may not have been placed"),
        (
            501,
            ErrorCode::ProviderUnavailable,
            "FaceTime calling switched off for now (“coming soon”), so no call was placed",
        ),
        (502, ErrorCode::ProviderUnavailable, "could not create the FaceTime link, so no call was placed"),
        (503, ErrorCode::ProviderUnavailable, "no active devices"),
    ];
    let dialer = Dialer::new().unwrap();
    for (status, code, words) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/api/facetime/calls"))
            // A careless provider echoing the key back: it must not reach the message.
            .respond_with(blooio_error(status, "key bk_secret_77 refused"))
            .expect(1)
            .mount(&server)
            .await;
        let cfg = config(Kind::Blooio, &[("base_url", &server.uri())]);
        let err = place(&dialer, "bl", &cfg, &Secrets::of("bl", &[("api_key", "bk_secret_77")]), "+14155550123")
            .await
            .unwrap_err();
        assert_eq!(err.code, code, "{status}: {}", err.message);
        assert!(err.message.starts_with("bl (Blooio FaceTime link): "), "{}", err.message);
        assert!(err.message.contains(words), "{status}: {}", err.message);
        assert!(err.message.contains(&format!("HTTP {status}")), "{}", err.message);
        assert!(err.message.contains("key [redacted] refused"), "{}", err.message);
        if status == 501 || status == 502 {
            assert!(!err.message.contains("may"), "nothing was placed: {}", err.message);
        }
        assert!(!err.message.contains("bk_secret_77"), "{}", err.message);
    }
}

#[tokio::test]
async fn unreadable_answers_are_reported_not_guessed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    let cfg = config(Kind::Blooio, &[("base_url", &server.uri())]);
    let err =
        place(&Dialer::new().unwrap(), "bl", &cfg, &Secrets::of("bl", &[("api_key", "bk_test_0001")]), "+14155550123")
            .await
            .unwrap_err();
    assert_eq!(err.code, ErrorCode::ProviderResponse);
    assert!(err.message.contains("could not read the response"), "{}", err.message);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": false})))
        .mount(&server)
        .await;
    let cfg = config(Kind::Blooio, &[("base_url", &server.uri())]);
    let err =
        place(&Dialer::new().unwrap(), "bl", &cfg, &Secrets::of("bl", &[("api_key", "bk_test_0001")]), "+14155550123")
            .await
            .unwrap_err();
    assert!(err.message.contains("without a FaceTime link"), "{}", err.message);
}

#[tokio::test]
async fn a_missing_secret_is_named_and_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let cfg = config(Kind::Blooio, &[("base_url", &server.uri())]);
    let err = place(&Dialer::new().unwrap(), "bl", &cfg, &Secrets::default(), "+14155550123").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::SecretMissing);
    assert!(err.message.contains("dialtone provider secret bl api_key"), "{}", err.message);
}

// ---------------------------------------------------------------- Sendblue

#[tokio::test]
async fn sendblue_returns_the_agora_session() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/facetime/start-call"))
        .and(header("sb-api-key-id", "kid_1"))
        .and(header("sb-api-secret-key", "sk_2"))
        .and(OnlyAuth(&["sb-api-key-id", "sb-api-secret-key"]))
        .and(DialtoneJson)
        .and(body_json(json!({"phoneNumber": "+442079460958", "fromNumber": "+14155550100"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "OK", "message": "Call started",
            "agora": {"appId": "app-1", "channelName": "ch-9", "token": "agora-tok", "uid": 0}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(Kind::Sendblue, &[("base_url", &server.uri()), ("from_number", "+14155550100")]);
    let secrets = Secrets::of("sb", &[("api_key_id", "kid_1"), ("api_secret_key", "sk_2")]);
    let placed = place(&Dialer::new().unwrap(), "sb", &cfg, &secrets, "+44 20 7946 0958").await.unwrap();
    let json = serde_json::to_value(&placed).unwrap();
    assert_eq!(json["agora"], json!({"appId": "app-1", "channelName": "ch-9", "uid": 0}), "the token is not shown");
    match placed.outcome {
        CallOutcome::LiveAudio { agora } => {
            use dialtone_core::redact::ExposeSecret;
            assert_eq!(agora.token.expose_secret(), "agora-tok", "kept for joining");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn sendblue_undocumented_errors_show_status_and_body() {
    let dialer = Dialer::new().unwrap();
    for (status, code) in [
        (400, ErrorCode::ProviderRejected),
        (401, ErrorCode::ProviderAuth),
        (429, ErrorCode::ProviderRateLimited),
        (500, ErrorCode::ProviderUnavailable),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"status": "ERROR", "message": "number not FaceTime-capable sk_2"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let cfg = config(Kind::Sendblue, &[("base_url", &server.uri()), ("from_number", "+14155550100")]);
        let secrets = Secrets::of("sb", &[("api_key_id", "kid_1"), ("api_secret_key", "sk_2")]);
        let err = place(&dialer, "sb", &cfg, &secrets, "+14155550123").await.unwrap_err();
        assert_eq!(err.code, code);
        assert!(
            err.message.contains(&format!("HTTP {status}")) && err.message.contains("not FaceTime-capable [redacted]"),
            "{}",
            err.message
        );
    }
}

#[tokio::test]
async fn sendblue_refuses_an_email_without_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let cfg = config(Kind::Sendblue, &[("base_url", &server.uri()), ("from_number", "+14155550100")]);
    let err = place(&Dialer::new().unwrap(), "sb", &cfg, &Secrets::default(), "ada@example.com").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("phone numbers only"), "{}", err.message);
}

// ---------------------------------------------------------------- CRM

#[tokio::test]
async fn crm_keeps_the_whole_call_document() {
    let server = MockServer::start().await;
    let call = json!({
        "_id": "66a1", "callId": "sdk-42", "provider": "sinch", "direction": "outbound", "status": "initiated",
        "from": "+14155550100", "to": "+14155550123", "providerCallId": "p-1", "recordings": [], "custom": {"x": 1}
    });
    Mock::given(method("POST"))
        .and(path("/tenant/api/calls/sdk/initiate"))
        .and(bearer_token("crm_tok"))
        .and(DialtoneJson)
        .and(body_json(json!({"phoneNumber": "+14155550123"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "call": call, "message": "Call recorded"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(Kind::Crm, &[("base_url", &format!("{}/tenant/", server.uri()))]);
    let placed =
        place(&Dialer::new().unwrap(), "crm", &cfg, &Secrets::of("crm", &[("token", "crm_tok")]), "tel:+14155550123")
            .await
            .unwrap();
    match placed.outcome {
        CallOutcome::Recorded { call_id, call: got } => {
            assert_eq!(call_id.as_deref(), Some("sdk-42"));
            assert_eq!(got, call, "unknown fields kept");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn crm_errors() {
    let dialer = Dialer::new().unwrap();
    for (status, code) in [
        (400, ErrorCode::ProviderRejected),
        (401, ErrorCode::ProviderAuth),
        (404, ErrorCode::ProviderRejected),
        (500, ErrorCode::ProviderUnavailable),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"success": false, "message": "Invalid phone number"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let cfg = config(Kind::Crm, &[("base_url", &server.uri())]);
        let err = place(&dialer, "crm", &cfg, &Secrets::of("crm", &[("token", "crm_tok_0003")]), "+14155550123")
            .await
            .unwrap_err();
        assert_eq!(err.code, code);
        assert!(err.message.contains("“Invalid phone number”"), "{}", err.message);
    }
}

// ---------------------------------------------------------------- Fractel

fn jwt(exp: u64) -> String {
    use base64::Engine;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"u1","exp":{exp}}}"#));
    format!("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{payload}.c2ln")
}

fn in_an_hour() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600
}

fn fractel_config(server: &MockServer) -> dialtone_core::providers::ProviderConfig {
    config(
        Kind::Fractel,
        &[
            ("base_url", &server.uri()),
            ("fonenumber", "4155550100"),
            ("service_type", "Device"),
            ("service_id", "100200300400"),
        ],
    )
}

fn fractel_secrets() -> Secrets {
    Secrets::of("fr", &[("username", "fr_user"), ("password", "fr_pass_9")])
}

#[tokio::test]
async fn fractel_signs_in_once_and_converts_numbers() {
    let server = MockServer::start().await;
    let token = jwt(in_an_hour());
    Mock::given(method("POST"))
        .and(path("/v2/auth"))
        .and(DialtoneJson)
        .and(body_json(json!({"username": "fr_user", "password": "fr_pass_9"})))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("Token", token.as_str())
                .set_body_json(json!({"authorization": {"token": token}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    for (to, id) in [("14155550123", "call-us"), ("011442079460958", "call-uk")] {
        Mock::given(method("POST"))
            .and(path("/v2/calls"))
            .and(header("token", token.as_str()))
            .and(OnlyAuth(&["token"]))
            .and(body_json(
                json!({"fonenumber": "4155550100", "to": to, "service_type": "Device", "service_id": "100200300400"}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"call": {"id": id}})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let dialer = Dialer::new().unwrap();
    let cfg = fractel_config(&server);
    let us = place(&dialer, "fr", &cfg, &fractel_secrets(), "(415) 555-0123").await.unwrap();
    assert_eq!(us.to, "14155550123");
    assert!(matches!(us.outcome, CallOutcome::Placed { call_id: Some(ref id) } if id == "call-us"));
    let uk = place(&dialer, "fr", &cfg, &fractel_secrets(), "+44 20 7946 0958").await.unwrap();
    assert_eq!(uk.to, "011442079460958");
}

#[tokio::test]
async fn fractel_renews_a_refused_token_once() {
    let server = MockServer::start().await;
    let (old, new) = (jwt(in_an_hour()), jwt(in_an_hour() + 60));
    Mock::given(method("POST"))
        .and(path("/v2/auth"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"authorization": {"token": old}})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/calls"))
        .and(header("token", old.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"call": {"id": "first"}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let dialer = Dialer::new().unwrap();
    let cfg = fractel_config(&server);
    place(&dialer, "fr", &cfg, &fractel_secrets(), "+14155550123").await.unwrap();

    // The server now revokes the cached token: the next call gets a 401, signs in again, resends once.
    Mock::given(method("POST"))
        .and(path("/v2/calls"))
        .and(header("token", old.as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "token expired"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/auth"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"authorization": {"token": new}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/calls"))
        .and(header("token", new.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"call": {"id": "second"}})))
        .expect(1)
        .mount(&server)
        .await;
    let placed = place(&dialer, "fr", &cfg, &fractel_secrets(), "+14155550123").await.unwrap();
    assert!(matches!(placed.outcome, CallOutcome::Placed { call_id: Some(ref id) } if id == "second"));
}

#[tokio::test]
async fn fractel_does_not_loop_on_a_fresh_token_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"authorization": {"token": jwt(in_an_hour())}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/calls"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "no access to this FoneNumber"})))
        .expect(1)
        .mount(&server)
        .await;
    let err = place(&Dialer::new().unwrap(), "fr", &fractel_config(&server), &fractel_secrets(), "+14155550123")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ProviderAuth);
}

#[tokio::test]
async fn fractel_wrong_password_is_said_plainly() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Invalid credentials for fr_user / fr_pass_9"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/calls"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let err = place(&Dialer::new().unwrap(), "fr", &fractel_config(&server), &fractel_secrets(), "+14155550123")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ProviderAuth);
    assert!(err.message.contains("did not accept the user name or password"), "{}", err.message);
    assert!(!err.message.contains("fr_pass_9") && !err.message.contains("fr_user"), "{}", err.message);
}

#[tokio::test]
async fn fractel_rate_limit_is_explained() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"authorization": {"token": jwt(in_an_hour())}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/calls"))
        .respond_with(ResponseTemplate::new(429))
        .expect(1)
        .mount(&server)
        .await;
    let err = place(&Dialer::new().unwrap(), "fr", &fractel_config(&server), &fractel_secrets(), "+14155550123")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ProviderRateLimited);
    assert!(err.message.contains("10 requests a second"), "{}", err.message);
}

// ---------------------------------------------------------------- Bandwidth

fn bandwidth_config(server: &MockServer) -> dialtone_core::providers::ProviderConfig {
    config(
        Kind::Bandwidth,
        &[
            ("base_url", &server.uri()),
            ("account_id", "9900000"),
            ("application_id", "app-7"),
            ("answer_url", "https://example.com/bxml/transfer.xml"),
            ("from_number", "+14155550100"),
            ("answer_method", "GET"),
            ("call_timeout", "45"),
        ],
    )
}

fn bandwidth_secrets() -> Secrets {
    Secrets::of("bw", &[("username", "bw_user"), ("password", "bw_pass")])
}

#[tokio::test]
async fn bandwidth_creates_reads_and_hangs_up() {
    let server = MockServer::start().await;
    let call_url = format!("{}/api/v2/accounts/9900000/calls/c-15ac29a2", server.uri());
    Mock::given(method("POST"))
        .and(path("/api/v2/accounts/9900000/calls"))
        .and(basic_auth("bw_user", "bw_pass"))
        .and(OnlyAuth(&["authorization"]))
        .and(DialtoneJson)
        .and(body_json(json!({
            "from": "+14155550100", "to": "+14155550123", "applicationId": "app-7",
            "answerUrl": "https://example.com/bxml/transfer.xml", "answerMethod": "GET", "callTimeout": 45
        })))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("Location", call_url.as_str())
                .set_body_json(json!({"callId": "c-15ac29a2", "callUrl": call_url, "callTimeout": 45.0})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/accounts/9900000/calls/c-15ac29a2"))
        .and(basic_auth("bw_user", "bw_pass"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "callId": "c-15ac29a2", "state": "active", "direction": "outbound", "from": "+14155550100", "to": "+14155550123",
            "answerTime": "2026-11-24T10:00:03Z", "applicationId": "app-7"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/accounts/9900000/calls/c-15ac29a2"))
        .and(basic_auth("bw_user", "bw_pass"))
        .and(body_json(json!({"state": "completed"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let dialer = Dialer::new().unwrap();
    let cfg = bandwidth_config(&server);
    let placed = place(&dialer, "bw", &cfg, &bandwidth_secrets(), "415-555-0123").await.unwrap();
    let CallOutcome::Placed { call_id: Some(id) } = placed.outcome else { panic!("{:?}", placed.outcome) };
    assert_eq!(id, "c-15ac29a2");
    let status = dialer.status("bw", &cfg, &bandwidth_secrets(), &id).await.unwrap();
    assert_eq!(status.state, "active");
    assert_eq!(status.answer_time.as_deref(), Some("2026-11-24T10:00:03Z"));
    dialer.hang_up("bw", &cfg, &bandwidth_secrets(), &id).await.unwrap();
}

#[tokio::test]
async fn bandwidth_dials_a_sip_uri_and_refuses_odd_call_ids() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/accounts/9900000/calls"))
        .and(wiremock::matchers::body_partial_json(json!({"to": "sip:ada@pbx.example.com"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"callId": "c-1"})))
        .expect(1)
        .mount(&server)
        .await;
    let dialer = Dialer::new().unwrap();
    let cfg = bandwidth_config(&server);
    place(&dialer, "bw", &cfg, &bandwidth_secrets(), "sip:ada@pbx.example.com").await.unwrap();
    let err = dialer.hang_up("bw", &cfg, &bandwidth_secrets(), "../../accounts").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
}

#[tokio::test]
async fn bandwidth_documented_errors() {
    let cases: [(u16, ErrorCode, &str); 8] = [
        (400, ErrorCode::ProviderRejected, "Invalid to: must be an E164 telephone number [validation]"),
        (401, ErrorCode::ProviderAuth, "did not accept the credentials"),
        (403, ErrorCode::ProviderAuth, "may not place this call"),
        (404, ErrorCode::ProviderRejected, "no such account"),
        (409, ErrorCode::ProviderRejected, "conflict"),
        (415, ErrorCode::ProviderRejected, "format"),
        (429, ErrorCode::ProviderRateLimited, "it asks to wait 7 s"),
        (503, ErrorCode::ProviderUnavailable, "may or may not have been placed"),
    ];
    let dialer = Dialer::new().unwrap();
    for (status, code, words) in cases {
        let server = MockServer::start().await;
        let description = if status == 400 { "Invalid to: must be an E164 telephone number" } else { "refused" };
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Retry-After", "7")
                    .set_body_json(json!({"type": "validation", "description": description, "id": "e-1"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let err =
            place(&dialer, "bw", &bandwidth_config(&server), &bandwidth_secrets(), "+14155550123").await.unwrap_err();
        assert_eq!(err.code, code, "{status}: {}", err.message);
        assert!(err.message.contains(words), "{status}: {}", err.message);
    }
}

#[tokio::test]
async fn hang_up_is_refused_plainly_where_the_provider_has_none() {
    let cfg = config(Kind::Blooio, &[]);
    let err = Dialer::new().unwrap().hang_up("bl", &cfg, &Secrets::default(), "x").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Unsupported);
    assert!(err.message.contains("ended in FaceTime"), "{}", err.message);
}

// ---------------------------------------------------------------- never dial twice

#[tokio::test]
async fn a_failed_or_timed_out_create_call_is_sent_exactly_once() {
    let dialer = Dialer::new().unwrap();
    let kinds: Vec<(Kind, Vec<(&str, &str)>, Secrets, &str)> = vec![
        (Kind::Blooio, vec![], Secrets::of("p", &[("api_key", "bk_test_0001")]), "/v2/api/facetime/calls"),
        (
            Kind::Sendblue,
            vec![("from_number", "+14155550100")],
            Secrets::of("p", &[("api_key_id", "kid_0001"), ("api_secret_key", "sk_0002")]),
            "/facetime/start-call",
        ),
        (Kind::Crm, vec![], Secrets::of("p", &[("token", "crm_tok_0003")]), "/api/calls/sdk/initiate"),
        (
            Kind::Bandwidth,
            vec![
                ("account_id", "1"),
                ("application_id", "a"),
                ("answer_url", "https://x.test/a"),
                ("from_number", "+14155550100"),
            ],
            Secrets::of("p", &[("username", "user_0004"), ("password", "pass_0005")]),
            "/api/v2/accounts/1/calls",
        ),
        (
            Kind::Fractel,
            vec![("fonenumber", "4155550100"), ("service_id", "100200300400")],
            Secrets::of("p", &[("username", "user_0004"), ("password", "pass_0005")]),
            "/v2/calls",
        ),
    ];
    for (kind, settings, secrets, create_path) in kinds {
        for failure in ["500", "timeout", "504"] {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/v2/auth"))
                .respond_with(
                    ResponseTemplate::new(201).set_body_json(json!({"authorization": {"token": jwt(in_an_hour())}})),
                )
                .mount(&server)
                .await;
            let answer = match failure {
                "500" => ResponseTemplate::new(500).set_body_string("upstream error"),
                "timeout" => ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
                _ => ResponseTemplate::new(504),
            };
            Mock::given(method("POST")).and(path(create_path)).respond_with(answer).expect(1).mount(&server).await;
            let uri = server.uri();
            let mut pairs = settings.clone();
            pairs.push(("base_url", &uri));
            pairs.push(("timeout_seconds", "1"));
            let cfg = config(kind, &pairs);
            let err = place(&dialer, "p", &cfg, &secrets, "+14155550123").await.unwrap_err();
            let expected = match failure {
                "timeout" => ErrorCode::ProviderTimeout,
                _ => ErrorCode::ProviderUnavailable,
            };
            assert_eq!(err.code, expected, "{kind} {failure}: {}", err.message);
            assert!(err.message.contains("check before calling again"), "{kind} {failure}: {}", err.message);
            // `expect(1)` is verified when the server drops; count here too for a clear message.
            let sent = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == create_path).count();
            assert_eq!(sent, 1, "{kind} {failure}: the create-call request was sent {sent} times");
        }
    }
}

#[tokio::test]
async fn an_unreachable_provider_is_said_plainly() {
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cfg = config(Kind::Blooio, &[("base_url", &format!("http://127.0.0.1:{port}"))]);
    let err =
        place(&Dialer::new().unwrap(), "bl", &cfg, &Secrets::of("bl", &[("api_key", "bk_test_0001")]), "+14155550123")
            .await
            .unwrap_err();
    assert_eq!(err.code, ErrorCode::ProviderUnreachable);
    assert!(err.message.contains("could not connect") && err.message.contains("No call was placed"), "{}", err.message);
}

// ---------------------------------------------------------------- http: ready definitions and custom ones

#[tokio::test]
async fn twilio_preset_sends_the_documented_form() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2010-04-01/Accounts/AC0123/Calls.json"))
        .and(basic_auth("AC0123", "tw_token_9"))
        .and(OnlyAuth(&["authorization"]))
        .and(FormIs::new(&[("To", "+14155550123"), ("From", "+14155550100"), ("Url", "https://example.com/twiml")]))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "CA42", "status": "queued"})))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(
        Kind::Http,
        &[
            ("preset", "twilio"),
            ("base_url", &server.uri()),
            ("account_sid", "AC0123"),
            ("from", "+14155550100"),
            ("answer_url", "https://example.com/twiml"),
        ],
    );
    let placed =
        place(&Dialer::new().unwrap(), "tw", &cfg, &Secrets::of("tw", &[("auth_token", "tw_token_9")]), "415 555 0123")
            .await
            .unwrap();
    assert!(matches!(placed.outcome, CallOutcome::Placed { call_id: Some(ref id) } if id == "CA42"));
}

#[tokio::test]
async fn twilio_errors_read_the_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(
        Kind::Http,
        &[
            ("preset", "twilio"),
            ("base_url", &server.uri()),
            ("account_sid", "AC0123"),
            ("from", "+14155550100"),
            ("answer_url", "https://example.com/twiml"),
        ],
    );
    let err =
        place(&Dialer::new().unwrap(), "tw", &cfg, &Secrets::of("tw", &[("auth_token", "tw_token_9")]), "+14155550123")
            .await
            .unwrap_err();
    assert_eq!(err.code, ErrorCode::ProviderRejected);
    assert!(err.message.starts_with("tw (Twilio): "), "{}", err.message);
    assert!(err.message.contains("“The 'To' number is not a valid phone number.”"), "{}", err.message);
}

#[tokio::test]
async fn telnyx_preset_sends_json_with_a_bearer_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/calls"))
        .and(bearer_token("KEYtelnyx01"))
        .and(DialtoneJson)
        .and(body_json(json!({"connection_id": "1494404757140276705", "to": "+442079460958", "from": "+14155550100"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"call_control_id": "v3:abc", "call_leg_id": "l1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(
        Kind::Http,
        &[
            ("preset", "telnyx"),
            ("base_url", &server.uri()),
            ("connection_id", "1494404757140276705"),
            ("from", "+14155550100"),
        ],
    );
    let placed = place(
        &Dialer::new().unwrap(),
        "tx",
        &cfg,
        &Secrets::of("tx", &[("api_key", "KEYtelnyx01")]),
        "+44 20 7946 0958",
    )
    .await
    .unwrap();
    assert!(matches!(placed.outcome, CallOutcome::Placed { call_id: Some(ref id) } if id == "v3:abc"));

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(422).set_body_json(
            json!({"errors": [{"code": "10015", "title": "Bad Request", "detail": "The 'to' parameter is invalid"}]}),
        ))
        .mount(&server)
        .await;
    let cfg = config(
        Kind::Http,
        &[("preset", "telnyx"), ("base_url", &server.uri()), ("connection_id", "1"), ("from", "+14155550100")],
    );
    let err =
        place(&Dialer::new().unwrap(), "tx", &cfg, &Secrets::of("tx", &[("api_key", "KEYtelnyx01")]), "+14155550123")
            .await
            .unwrap_err();
    assert!(err.message.contains("“The 'to' parameter is invalid”"), "{}", err.message);
}

#[tokio::test]
async fn plivo_preset_sends_numbers_without_plus() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/Account/MAXXXX/Call/"))
        .and(basic_auth("MAXXXX", "plivo_tok_3"))
        .and(body_json(json!({"from": "14155550100", "to": "14155550123", "answer_url": "https://example.com/answer"})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"api_id": "a1", "message": "call fired", "request_uuid": "9834029e-58b6"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(
        Kind::Http,
        &[
            ("preset", "plivo"),
            ("base_url", &server.uri()),
            ("auth_id", "MAXXXX"),
            ("from", "+14155550100"),
            ("answer_url", "https://example.com/answer"),
        ],
    );
    let placed = place(
        &Dialer::new().unwrap(),
        "pv",
        &cfg,
        &Secrets::of("pv", &[("auth_token", "plivo_tok_3")]),
        "+14155550123",
    )
    .await
    .unwrap();
    assert_eq!(placed.to, "14155550123");
    assert!(matches!(placed.outcome, CallOutcome::Placed { call_id: Some(ref id) } if id == "9834029e-58b6"));
}

#[tokio::test]
async fn signalwire_preset_uses_the_space_and_project() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/laml/2010-04-01/Accounts/proj-1/Calls"))
        .and(basic_auth("proj-1", "PTsw_tok"))
        .and(FormIs::new(&[("To", "+14155550123"), ("From", "+14155550100"), ("Url", "https://example.com/laml")]))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "sw-call-1"})))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(
        Kind::Http,
        &[
            ("preset", "signalwire"),
            ("base_url", &server.uri()),
            ("space", "example"),
            ("project_id", "proj-1"),
            ("from", "+14155550100"),
            ("answer_url", "https://example.com/laml"),
        ],
    );
    let placed =
        place(&Dialer::new().unwrap(), "sw", &cfg, &Secrets::of("sw", &[("api_token", "PTsw_tok")]), "+14155550123")
            .await
            .unwrap();
    assert!(matches!(placed.outcome, CallOutcome::Placed { call_id: Some(ref id) } if id == "sw-call-1"));
}

#[tokio::test]
async fn a_custom_definition_with_headers_query_and_a_link() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/tenant%2F7/dial"))
        .and(query_param("to", "+14155550123"))
        .and(header("x-api-key", "custom_key_55"))
        .and(header("x-tenant", "acme"))
        .and(body_json(json!({"callee": {"number": "+14155550123", "label": "Ada \"the\" Countess"}, "via": ["acme"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"result": {"join": LINK}})))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(
        Kind::Http,
        &[
            ("method", "PUT"),
            ("base_url", &server.uri()),
            ("url", "{{base_url}}/{{tenant_path}}/dial?to={{to}}"),
            ("tenant_path", "tenant/7"),
            ("headers", r#"{"X-Api-Key": "{{secret.key}}", "X-Tenant": "{{tenant}}"}"#),
            ("tenant", "acme"),
            ("nickname", "Ada \"the\" Countess"),
            ("body", r#"{"callee": {"number": "{{to}}", "label": "{{nickname}}"}, "via": ["{{tenant}}"]}"#),
            ("link_path", "result.join"),
            ("secret_fields", "key"),
        ],
    );
    let placed =
        place(&Dialer::new().unwrap(), "cu", &cfg, &Secrets::of("cu", &[("key", "custom_key_55")]), "+14155550123")
            .await
            .unwrap();
    assert!(matches!(placed.outcome, CallOutcome::FacetimeLink { ref link, .. } if link == LINK));
}

#[tokio::test]
async fn a_definition_whose_answer_lacks_the_id_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    let cfg = config(Kind::Http, &[("url", &format!("{}/c", server.uri())), ("id_path", "data.id")]);
    let err = place(&Dialer::new().unwrap(), "cu", &cfg, &Secrets::default(), "+14155550123").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ProviderResponse);
    assert!(err.message.contains("has no `data.id`"), "{}", err.message);
}

// ------------------------------------------------------- what the seed promises, exactly

#[tokio::test]
async fn blooio_draws_only_apples_facetime_links() {
    for link in ["https://evil.example/join#v=1&p=x", "https://facetime.apple.com.evil.example/join#v=1"] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/api/facetime/calls"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true, "link": link})))
            .expect(1)
            .mount(&server)
            .await;
        let cfg = config(Kind::Blooio, &[("base_url", &server.uri())]);
        let err =
            place(&Dialer::new().unwrap(), "bl", &cfg, &Secrets::of("bl", &[("api_key", "bk_1")]), "+14155550123")
                .await
                .unwrap_err();
        assert_eq!(err.code, ErrorCode::ProviderResponse, "{link}");
        assert!(err.message.contains("not a FaceTime link"), "{}", err.message);
    }
}

#[tokio::test]
async fn fractel_2xx_without_a_call_id_is_a_placed_call() {
    for answer in [
        ResponseTemplate::new(200).set_body_json(json!({"call": {}})),
        ResponseTemplate::new(201).set_body_json(json!({"call": {"status": "connected"}})),
        ResponseTemplate::new(200).set_body_string("OK"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/auth"))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(json!({"authorization": {"token": jwt(in_an_hour())}})),
            )
            .mount(&server)
            .await;
        Mock::given(method("POST")).and(path("/v2/calls")).respond_with(answer).expect(1).mount(&server).await;
        let placed = place(&Dialer::new().unwrap(), "fr", &fractel_config(&server), &fractel_secrets(), "+14155550123")
            .await
            .unwrap();
        assert!(matches!(placed.outcome, CallOutcome::Placed { call_id: None }), "{:?}", placed.outcome);
    }
}

#[tokio::test]
async fn fractel_refuses_a_number_longer_than_15_digits_in_its_form_without_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    // A German number of 13 national digits: 011 + 49 + 13 = 18 digits for Fractel.
    let err =
        place(&Dialer::new().unwrap(), "fr", &fractel_config(&server), &fractel_secrets(), "+49 30 1234567890123")
            .await
            .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
    assert!(
        err.message.contains("at most 15 digits") && err.message.contains("Nothing was dialled"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn bandwidth_sends_the_disconnect_url_and_tag_and_reads_its_states() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/accounts/9900000/calls"))
        .and(body_json(json!({
            "from": "+14155550100", "to": "+14155550123", "applicationId": "app-7",
            "answerUrl": "https://example.com/bxml/transfer.xml", "answerMethod": "GET", "callTimeout": 45,
            "disconnectUrl": "https://example.com/callbacks/disconnect", "tag": "desk-7"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"callId": "c-9"})))
        .expect(1)
        .mount(&server)
        .await;
    let states = [
        (json!({"callId": "c-9", "state": "initiated"}), CallPhase::Ringing),
        (json!({"callId": "c-9", "state": "answered", "answerTime": "2026-11-24T10:00:03Z"}), CallPhase::Connected),
        (
            json!({"callId": "c-9", "state": "disconnected", "endTime": "2026-11-24T10:01:00Z",
                   "disconnectCause": "error", "errorMessage": "Invalid BXML at the answer URL"}),
            CallPhase::Ended,
        ),
    ];
    let mut cfg = bandwidth_config(&server);
    cfg.settings.insert("disconnect_url".into(), "https://example.com/callbacks/disconnect".into());
    cfg.settings.insert("tag".into(), "desk-7".into());
    let dialer = Dialer::new().unwrap();
    place(&dialer, "bw", &cfg, &bandwidth_secrets(), "+14155550123").await.unwrap();
    for (body, phase) in states {
        let mounted = Mock::given(method("GET"))
            .and(path("/api/v2/accounts/9900000/calls/c-9"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount_as_scoped(&server)
            .await;
        let status = dialer.status("bw", &cfg, &bandwidth_secrets(), "c-9").await.unwrap();
        assert_eq!(status.phase, phase, "{status:?}");
        if phase == CallPhase::Ended {
            assert_eq!(status.error_message.as_deref(), Some("Invalid BXML at the answer URL"));
            assert_eq!(status.disconnect_cause.as_deref(), Some("error"));
        }
        drop(mounted);
    }
    // A tag over Bandwidth's 256 characters is refused before anything is sent.
    cfg.settings.insert("tag".into(), "t".repeat(257));
    let err = place(&dialer, "bw", &cfg, &bandwidth_secrets(), "+14155550123").await.unwrap_err();
    assert!(err.message.contains("at most 256 characters"), "{}", err.message);
}
