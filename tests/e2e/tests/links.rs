//! A tel: link given to Dialtone while it runs: the second launch hands it to the
//! running window (single instance), which puts the number on the dialpad and does
//! not dial.

use std::process::Command;
use std::time::{Duration, Instant};

use dialtone_e2e::{App, Turn, app_binary, instance_name_owned, instance_owner, wait_until};
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

/// A process ended when the test is, passing or not.
struct Ended(std::process::Child);

impl Drop for Ended {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A person closes Dialtone and opens it again at once: the old process still owns the
/// single-instance name but leaves without taking the new launch's link. The new launch
/// must open its own window, not fail. The old one is held still (SIGSTOP) while the
/// new one hands over, then killed: that is the moment, made exact.
#[test]
fn a_launch_while_the_last_dialtone_is_closing_opens_its_own_window() {
    let _turn = Turn::take();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut closing = Command::new(app_binary())
        .env("DIALTONE_DATA_DIR", dirs[0].path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(Ended)
        .expect("the first launch");
    // Its own name, not another test's Dialtone's (which would take both hand-overs).
    let pid = closing.0.id();
    wait_until("the first Dialtone owns the single-instance name", Duration::from_secs(60), || {
        instance_owner() == Some(pid)
    });
    let pid = pid.to_string();
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());

    // Watch the bus, to know when the second launch's hand-over is waiting.
    let watched = dirs[1].path().join("bus.txt");
    let _monitor = Command::new("dbus-monitor")
        .args(["--session", "type='method_call',interface='org.SingleInstance.DBus'"])
        .stdout(std::fs::File::create(&watched).unwrap())
        .spawn()
        .map(Ended)
        .expect("dbus-monitor runs (package dbus)");
    let seen = || std::fs::read_to_string(&watched).unwrap_or_default();
    // It says it has become a monitor (its name is lost) before it reports anything else.
    wait_until("dbus-monitor watches", Duration::from_secs(30), || seen().contains("NameLost"));

    // The app logs to standard error; both streams go to one file.
    let output = dirs[1].path().join("output.txt");
    let file = std::fs::File::create(&output).unwrap();
    let mut reopened = Command::new(app_binary())
        .arg("tel:+1-415-555-0123")
        .env("DIALTONE_DATA_DIR", dirs[1].path())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .map(Ended)
        .expect("the second launch");
    // Once its hand-over waits on the stopped process, that process goes away.
    wait_until("the second launch hands over", Duration::from_secs(60), || seen().contains("ExecuteCallback"));
    closing.0.kill().unwrap();
    closing.0.wait().unwrap();

    let said = || std::fs::read_to_string(&output).unwrap_or_default();
    wait_until("the second launch opens its window", Duration::from_secs(60), || {
        if let Some(status) = reopened.0.try_wait().unwrap() {
            panic!("the second launch ended ({status}) instead of opening a window: {}", said());
        }
        said().contains("first interactive frame")
    });
    let said = said();
    assert!(said.contains("starting afresh"), "it opened without the hand-over failing: {said}");
    assert!(instance_name_owned(), "the reopened Dialtone is now the running one");
}
