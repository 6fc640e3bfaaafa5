//! A tel: link given to Dialtone while it runs: the second launch hands it to the
//! running window (single instance), which puts the number on the dialpad and does
//! not dial.

use std::process::Command;
use std::time::{Duration, Instant};

use dialtone_e2e::{App, app_binary};
use serde_json::json;

#[tokio::test]
async fn a_tel_link_fills_the_running_dialpad_and_does_not_dial() {
    let app = App::launch().await;
    app.click("nav-history").await;

    let started = Instant::now();
    let mut second = Command::new(app_binary())
        .arg("tel:+1-415-555-0123")
        .env("DIALTONE_DATA_DIR", app.data_dir.path())
        .spawn()
        .expect("a second launch");
    // The second launch hands over its link and ends.
    loop {
        if let Some(status) = second.try_wait().unwrap() {
            assert!(status.success(), "the second launch failed: {status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the second launch did not end: is single-instance working?"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    app.eval_until("return document.querySelector('[data-testid=dial-number]')?.value ?? ''", json!("+14155550123"))
        .await;
    assert_eq!(app.eval("return location.hash").await, json!("#dialpad"), "the dialpad is shown");
    assert_eq!(
        app.eval("return document.querySelector('[data-testid=call-panel]') === null").await,
        json!(true),
        "a link never dials by itself"
    );
    app.screenshot("tel-link").await;
    app.close().await;
}
