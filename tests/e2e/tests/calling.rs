//! The calling screens in the real window, against the real Rust side, the real
//! Secret Service and a local stand-in provider: a provider added through Settings
//! keeps its secret in the keychain (never in the page); a number typed on the dialpad
//! is called; the FaceTime link's QR code, read off a screenshot of the window by
//! zbarimg, is the exact link; Copy puts the exact link on the X clipboard.

use std::process::Command;
use std::time::Duration;

use dialtone_e2e::App;
use serde_json::json;
use wiremock::matchers::{bearer_token, body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LINK: &str = "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT-9_aB";

fn keychain_lookup(account: &str) -> Option<String> {
    let out = Command::new("secret-tool").args(["lookup", "service", "dialtone", "username", account]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn add_a_provider_call_a_number_scan_and_copy_the_link() {
    let key = format!("bk_e2e_{}_SECRET", std::process::id());
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/api/facetime/calls"))
        .and(bearer_token(key.as_str()))
        .and(body_json(json!({"handle": "+14155550123"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"success": true, "link": LINK, "handle": "+14155550123"})),
        )
        .expect(2) // from the dialpad, then from the contact
        .mount(&server)
        .await;

    let app = App::launch_with(|dir| std::fs::write(dir.join("settings.toml"), "region = \"US\"\n").unwrap()).await;
    // axe-core over every screen, with real content on it; none may have a violation.
    let mut violations: Vec<String> = Vec::new();
    let provider = format!("e2e{}", std::process::id());

    // Settings → Providers: a form drawn from Blooio's schema.
    app.click("nav-settings").await;
    app.click("provider-add").await;
    app.eval("const s = document.querySelector('[data-testid=provider-kind]'); s.value = 'blooio'; s.dispatchEvent(new Event('change')); return true").await;
    app.testid("provider-name").await.send_keys(&provider).await.unwrap();
    // A malformed setting is refused, and the message stands beside its field.
    app.testid("provider-field-base_url").await.send_keys("ftp://nowhere").await.unwrap();
    app.testid("provider-field-api_key").await.send_keys(&key).await.unwrap();
    app.click("provider-save").await;
    app.eval_until(
        "return document.querySelector('[data-testid=provider-field-error-base_url]')?.textContent.includes('http:// or https://') ?? false",
        json!(true),
    )
    .await;
    let base = app.testid("provider-field-base_url").await;
    base.clear().await.unwrap();
    base.send_keys(&server.uri()).await.unwrap();
    app.click("provider-save").await;
    app.eval_until(
        &format!(
            "return document.querySelector('[data-testid=secret-state-{provider}-api_key]')?.textContent.trim() ?? ''"
        ),
        json!("Stored in keychain"),
    )
    .await;
    assert_eq!(
        keychain_lookup(&format!("{provider}/api_key")).as_deref(),
        Some(key.as_str()),
        "the secret is in the Secret Service"
    );
    let page = app
        .eval("return document.documentElement.outerHTML + [...document.querySelectorAll('input')].map(i => i.value).join(' ')")
        .await;
    assert!(!page.as_str().unwrap().contains(&key), "the secret is nowhere in the page");
    app.eval_until("return document.querySelector('[data-testid=provider-form]') === null", json!(true)).await;

    // Edit: the same form, filled in with what is saved; a changed setting is saved
    // through update_provider and the stored secret stays as it was.
    app.click(&format!("provider-edit-{provider}")).await;
    app.eval_until(
        "return document.querySelector('[data-testid=provider-field-base_url]')?.value ?? ''",
        json!(server.uri()),
    )
    .await;
    assert_eq!(app.eval("return document.querySelector('[data-testid=provider-name]').readOnly").await, json!(true));
    app.testid("provider-field-timeout_seconds").await.send_keys("45").await.unwrap();
    app.click("provider-save").await;
    app.eval_until("return document.querySelector('[data-testid=provider-form]') === null", json!(true)).await;
    let saved = std::fs::read_to_string(app.data_dir.path().join("settings.toml")).unwrap();
    assert!(saved.contains("timeout_seconds = \"45\""), "{saved}");
    assert!(saved.contains(&server.uri()), "{saved}");
    assert_eq!(keychain_lookup(&format!("{provider}/api_key")).as_deref(), Some(key.as_str()), "the secret is kept");
    app.eval_until(
        &format!(
            "return document.querySelector('[data-testid=secret-state-{provider}-api_key]')?.textContent.trim() ?? ''"
        ),
        json!("Stored in keychain"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await; // let the window repaint before the picture
    app.screenshot("settings-providers").await;
    violations.extend(app.axe_violations().await.into_iter().map(|v| format!("settings: {v}")));

    // The dialpad: type a number, see it formatted, call.
    app.click("nav-dialpad").await;
    app.testid("dial-number").await.send_keys("4155550123").await.unwrap();
    app.eval_until(
        "return document.querySelector('[data-testid=dial-preview]').textContent.trim()",
        json!("+1 415-555-0123"),
    )
    .await;
    violations.extend(app.axe_violations().await.into_iter().map(|v| format!("dialpad: {v}")));
    app.screenshot("dialpad-number").await;
    app.click("call-button").await;
    app.eval_until("return document.querySelector('[data-testid=link-text]')?.textContent ?? ''", json!(LINK)).await;
    app.eval_until(
        "const i = document.querySelector('[data-testid=link-qr]'); return !!(i && i.complete && i.naturalWidth > 0)",
        json!(true),
    )
    .await;

    // The QR code as a person's phone would see it: a screenshot of the window, read by
    // zbarimg. A few tries: the window may not have repainted the instant the image loads.
    let mut decoded = String::new();
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let shot = app.screenshot("facetime-link").await;
        let out = Command::new("zbarimg").args(["--raw", "-q"]).arg(&shot.path).output().expect("zbarimg is installed");
        decoded = String::from_utf8_lossy(&out.stdout).trim_end_matches('\n').to_owned();
        if out.status.success() {
            break;
        }
    }
    assert_eq!(decoded, LINK, "the QR code in the window decodes to the exact link");
    violations.extend(app.axe_violations().await.into_iter().map(|v| format!("FaceTime link: {v}")));

    // Copy: the exact link on the system clipboard.
    app.click("link-copy").await;
    app.eval_until(
        "return document.querySelector('[data-testid=link-status]').textContent.trim()",
        json!("Link copied to the clipboard."),
    )
    .await;
    let mut clipboard = String::new();
    for _ in 0..20 {
        let out = Command::new("xclip").args(["-o", "-selection", "clipboard"]).output().expect("xclip is installed");
        clipboard = String::from_utf8_lossy(&out.stdout).into_owned();
        if clipboard == LINK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(clipboard, LINK);

    // The call is in the history, with its link.
    app.click("call-close").await;
    app.click("nav-history").await;
    app.eval_until(
        "return document.querySelector('[data-testid=history-list]').textContent.includes('FaceTime link')",
        json!(true),
    )
    .await;

    // Contacts: one added through the app's command, one through the editor; search as
    // you type (accents, substrings); a click on a number calls it.
    let ada = json!({"uid": null, "name": "Ada Lovelace", "organization": "Analytical Engines", "notes": "", "favourite": true,
        "preferred_provider": null, "phones": [{"label": "cell", "number": "+1 (415) 555-0123", "preferred": true}], "emails": []});
    let script = format!(
        "return window.__TAURI_INTERNALS__.invoke('add_contact', {{ contact: {ada} }}).then(() => 'added', e => JSON.stringify(e))"
    );
    assert_eq!(app.eval(&script).await, json!("added"));
    app.click("nav-contacts").await;
    app.click("contacts-add").await;
    app.testid("contact-name").await.send_keys("Renée Dupré").await.unwrap();
    app.testid("contact-phone-0").await.send_keys("+33 1 23 45 67 89").await.unwrap();
    app.click("contact-save").await;
    app.eval_until("return document.querySelector('[data-testid=contact-editor]') === null", json!(true)).await;
    let names =
        "return [...document.querySelectorAll('[data-testid=contacts-list] strong')].map(e => e.textContent).join('|')";
    app.eval_until(names, json!("Ada Lovelace|Renée Dupré")).await;
    app.testid("contacts-search").await.send_keys("renee").await.unwrap();
    app.eval_until(names, json!("Renée Dupré")).await;
    app.eval("const i = document.querySelector('[data-testid=contacts-search]'); i.value = ''; i.dispatchEvent(new Event('input')); return 1").await;
    app.eval_until(names, json!("Ada Lovelace|Renée Dupré")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot("contacts").await;
    violations.extend(app.axe_violations().await.into_iter().map(|v| format!("contacts: {v}")));
    // A double click places one call (the stand-in expects exactly two in all).
    app.eval(&format!(
        "const b = document.querySelector('[aria-label=\"Call Ada Lovelace at +1 (415) 555-0123 through {provider}\"]'); b.click(); b.click(); return 1"
    ))
    .await;
    app.eval_until("return document.querySelector('[data-testid=link-text]')?.textContent ?? ''", json!(LINK)).await;

    // History: the contact's name, a space, and the number as people read it.
    app.click("nav-history").await;
    let rows = "return [...document.querySelectorAll('[data-testid^=history-who-]')].map(e => e.textContent).join('|')";
    app.eval_until(rows, json!("Ada Lovelace · +1 415-555-0123|+1 415-555-0123")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot("history").await;
    violations.extend(app.axe_violations().await.into_iter().map(|v| format!("history: {v}")));

    app.close().await;
    assert!(violations.is_empty(), "axe-core found accessibility violations:\n{}", violations.join("\n"));

    // Leave the keychain as we found it.
    let _ = Command::new("secret-tool")
        .args(["clear", "service", "dialtone", "username", &format!("{provider}/api_key")])
        .status();
}
