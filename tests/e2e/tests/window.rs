//! The real window: it renders the frame, navigates, follows the theme, and talks to
//! the Rust side through the generated bindings.

use dialtone_e2e::App;
use serde_json::json;

const SCREENS: [(&str, &str); 4] =
    [("dialpad", "Dialpad"), ("contacts", "Contacts"), ("history", "History"), ("settings", "Settings")];

/// The environment of the first WebKit web process under `pid`, one `NAME=value` each.
fn web_process_environment(pid: u32) -> Vec<String> {
    let web = dialtone_e2e::descendants(pid)
        .into_iter()
        .find(|child| {
            std::fs::read_to_string(format!("/proc/{child}/comm")).is_ok_and(|comm| comm.trim() == "WebKitWebProces")
        })
        .unwrap_or_else(|| panic!("no WebKit web process under Dialtone ({pid})"));
    let environ = std::fs::read(format!("/proc/{web}/environ")).expect("read the web process's environment");
    environ.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect()
}

#[tokio::test]
async fn frame_renders_and_navigates() {
    let app = App::launch().await;

    app.testid("app-frame").await;
    assert_eq!(app.eval("return typeof window.__TAURI_INTERNALS__").await, json!("object"));
    // The stylesheet loaded under the CSP: the frame is laid out as a grid, not a plain block.
    assert_eq!(
        app.eval("return getComputedStyle(document.querySelector('[data-testid=app-frame]')).display").await,
        json!("grid")
    );

    // What the page never uses is off in its web view (src-tauri/src/webview.rs): WebGL,
    // which WebKit's defaults offer, is not there.
    app.eval_until("return document.createElement('canvas').getContext('webgl') === null", json!(true)).await;
    // And it paints without the GPU: WebKit answers the 3D-transform media query only
    // when accelerated compositing is on.
    assert_eq!(app.eval("return matchMedia('(-webkit-transform-3d)').matches").await, json!(false));
    // Its web process was told so too, not to prepare GPU buffers, and to run scripts
    // without JavaScriptCore's JIT compilers (webview.rs).
    let pid = dialtone_e2e::app_pid().expect("Dialtone is running");
    let environment = web_process_environment(pid);
    for variable in ["WEBKIT_DISABLE_COMPOSITING_MODE=1", "WEBKIT_DISABLE_DMABUF_RENDERER=1", "JSC_useJIT=false"] {
        assert!(environment.iter().any(|v| v == variable), "{variable} missing from the web process: {environment:?}");
    }

    // Its text is in the desktop's font, named by the app before the page ran
    // (src-tauri/src/desktop_font.rs): GTK's font name less its size. This X server runs
    // no settings daemon, so GTK's is its own default, "Sans 10".
    assert_eq!(app.eval("return window.__DIALTONE_DESKTOP_FONT__").await, json!("Sans"));
    assert_eq!(
        app.eval("return getComputedStyle(document.body).fontFamily.replaceAll('\"', '')").await,
        json!("Sans, sans-serif"),
        "the stylesheet names the desktop's family instead of system-ui"
    );

    let shot = app.screenshot("dialpad").await;
    assert!(shot.width >= 360 && shot.height >= 360, "{shot:?}");
    assert!(shot.distinct_colours > 50, "the window looks blank: {shot:?}");

    for (id, label) in SCREENS {
        app.click(&format!("nav-{id}")).await;
        app.eval_until("return document.querySelector('[data-testid=screen-title]').textContent.trim()", json!(label))
            .await;
        let current = app.testid(&format!("nav-{id}")).await.attr("aria-current").await.unwrap();
        assert_eq!(current.as_deref(), Some("page"), "{id} is marked as the current screen");
        app.eval_until("return location.hash", json!(format!("#{id}"))).await;
    }
    app.screenshot("settings").await;

    // Readable at 360 px wide: the navigation moves to a bar along the bottom and the
    // dialpad still fits.
    app.client.set_window_size(360, 700).await.expect("resize the window");
    app.eval_until("return window.innerWidth <= 400", json!(true)).await;
    app.eval_until(
        "const nav = document.querySelector('nav').getBoundingClientRect(); return nav.top > window.innerHeight / 2",
        json!(true),
    )
    .await;
    assert_eq!(
        app.eval("return document.documentElement.scrollWidth <= window.innerWidth").await,
        json!(true),
        "nothing runs off the side"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.screenshot("narrow").await;
    app.client.set_window_size(960, 680).await.expect("resize the window");

    // The dialpad's keys type into the number field.
    app.click("nav-dialpad").await;
    for digit in ["4", "1", "5"] {
        app.click(&format!("key-{digit}")).await;
    }
    app.eval_until("return document.querySelector('[data-testid=dial-number]').value", json!("415")).await;

    app.close().await;
}

#[tokio::test]
async fn rust_side_answers_through_the_bindings_and_theme_persists() {
    let app = App::launch().await;
    app.click("nav-settings").await;

    // appInfo came from Rust: the version and the data folder the driver gave the app.
    let version = app.testid("app-version").await.text().await.unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let data_dir = app.data_dir.path().display().to_string();
    let page = app.eval("return document.body.innerText").await;
    assert!(page.as_str().unwrap().contains(&data_dir), "About shows the data folder {data_dir}: {page}");

    // Under Xvfb the OS has no dark preference: "system" means light.
    app.eval_until("return document.documentElement.dataset.theme", json!("light")).await;
    let light = app.screenshot("settings-light").await;

    app.click("appearance-dark").await;
    app.eval_until("return document.documentElement.dataset.theme", json!("dark")).await;
    // The attribute is set before the window has repainted: one soak run in 20 took
    // the picture of the light page still on screen.
    let dark = app.screenshot_when("settings-dark", |dark| dark.mean_luma + 60.0 < light.mean_luma).await;
    let dark_violations = app.axe_violations().await;
    assert!(dark_violations.is_empty(), "axe-core, dark theme: {dark_violations:?}");
    assert!(dark.mean_luma + 60.0 < light.mean_luma, "dark theme is darker: {light:?} vs {dark:?}");

    // The choice went through set_appearance into the settings file.
    let settings = std::fs::read_to_string(app.data_dir.path().join("settings.toml")).expect("settings.toml written");
    assert!(settings.contains("appearance = \"dark\""), "{settings}");

    // The log file is in the data folder's logs/ and recorded the launch.
    let logs: String = std::fs::read_dir(app.data_dir.path().join("logs"))
        .expect("logs folder")
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(logs.contains("starting Dialtone"), "{logs}");

    app.close().await;
}

#[tokio::test]
async fn a_broken_settings_file_is_reported_not_overwritten() {
    let app = App::launch_with(|dir| std::fs::write(dir.join("settings.toml"), "appearance = [\n").unwrap()).await;
    let path = app.data_dir.path().join("settings.toml");
    app.click("nav-settings").await;
    let message = app.testid("settings-error").await.text().await.unwrap();
    assert!(message.contains("could not be read") && message.contains("settings.toml"), "{message}");
    // Choosing a theme now fails too, and the person's file is still there as it was.
    app.click("appearance-dark").await;
    app.eval_until("return document.querySelectorAll('[data-testid=settings-error]').length", json!(1)).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "appearance = [\n");
    app.close().await;
}

/// With no sound system, the dialpad's warning stays inside the window, under the
/// keys, next to the note that no provider is set up yet (it used to run off the
/// bottom of the default window).
#[tokio::test]
async fn the_no_sound_warning_fits_in_the_window() {
    // A person with a provider, a number typed: every row of the dialpad is there.
    let app = App::launch_with(|dir| {
        std::fs::write(dir.join("settings.toml"), "region = \"US\"\n[providers.work]\nkind = \"blooio\"\n").unwrap()
    })
    .await;
    app.testid("dial-provider").await;
    app.testid("dial-number").await.send_keys("5555551313").await.unwrap();
    app.eval_until("return !!document.querySelector('[data-testid=dial-hint]')", serde_json::json!(true)).await;
    // The engine's own words when no sound server answers, as it reports them.
    let message = "The keypad tones cannot play: No sound system could be reached (PulseAudio: connection refused; \
                   ALSA: no card). Start PulseAudio or PipeWire, or check that a sound card is present.";
    app.eval(&format!(
        "window.dispatchEvent(new CustomEvent('dialtone-audio', {{ detail: {{ kind: 'notice', message: {} }} }})); return 1",
        serde_json::to_string(message).unwrap()
    ))
    .await;
    app.eval_until(
        "return document.querySelector('[data-testid=dial-sound-note]')?.textContent.length > 50",
        serde_json::json!(true),
    )
    .await;
    for id in ["dial-sound-note", "call-button", "key-0"] {
        let fits = app
            .eval(&format!(
                "const r = document.querySelector('[data-testid={id}]').getBoundingClientRect(); \
                 return r.bottom <= window.innerHeight && r.right <= window.innerWidth"
            ))
            .await;
        assert_eq!(fits, serde_json::json!(true), "{id} runs off the window");
    }
    app.screenshot("dialpad-no-sound").await;
    app.close().await;
}

/// Start at login: the box writes the desktop's autostart entry; started as the entry
/// starts it, Dialtone stays in the tray with no window, and opening it from the
/// desktop's menu shows the window; unticked, the entry is gone.
#[tokio::test]
async fn start_at_login_opens_dialtone_in_the_tray_and_a_second_launch_shows_it() {
    use std::time::{Duration, Instant};
    let home = tempfile::tempdir().unwrap();
    let env = [("HOME", home.path().into()), ("XDG_CONFIG_HOME", home.path().join(".config").into())];
    let entry = home.path().join(".config/autostart/Dialtone.desktop");
    let ticked = "return document.querySelector('[data-testid=settings-start-at-login]')?.checked ?? null";

    let app = App::launch_with_env(|_| {}, &env).await;
    app.click("nav-settings").await;
    app.eval_until(ticked, json!(false)).await;
    app.click("settings-start-at-login").await;
    app.eval_until(
        "return document.querySelector('[data-testid=start-at-login-message]')?.textContent ?? ''",
        json!("Dialtone starts in the tray when you log in."),
    )
    .await;
    let text = std::fs::read_to_string(&entry).expect("the autostart entry");
    let exec = text.lines().find(|l| l.starts_with("Exec=")).unwrap_or_default();
    let binary = std::fs::canonicalize(dialtone_e2e::app_binary()).unwrap();
    assert!(
        exec.contains(&*binary.to_string_lossy()) && exec.trim_end().trim_end_matches('"').ends_with("--background"),
        "the entry does not start this Dialtone in the background: {exec}"
    );
    app.close().await;

    // As the login starts it: the page loads, the window stays hidden past the wait
    // that shows a slow page anyway, and the box is ticked (asked of the OS).
    let app = App::launch_with_args(|_| {}, &env, &["--background"]).await;
    app.testid("app-frame").await;
    let pid = dialtone_e2e::app_pid().expect("the app's process");
    let hidden_until = Instant::now() + Duration::from_secs(4);
    while Instant::now() < hidden_until {
        assert!(!dialtone_e2e::capture::is_shown(pid, dialtone_e2e::WINDOW_TITLE), "the window showed at login");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.eval("location.hash = '#settings'; return true").await;
    app.eval_until(ticked, json!(true)).await;

    // Opened from the desktop's menu: that launch hands over to this one, which shows.
    let mut second = std::process::Command::new(dialtone_e2e::app_binary())
        .env("DIALTONE_DATA_DIR", app.data_dir.path())
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch did not hand over to the running Dialtone");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "the second launch failed: {status}");
    dialtone_e2e::wait_until("the window to show", Duration::from_secs(10), || {
        dialtone_e2e::capture::is_shown(pid, dialtone_e2e::WINDOW_TITLE)
    });

    app.click("settings-start-at-login").await;
    app.eval_until(ticked, json!(false)).await;
    dialtone_e2e::wait_until("the autostart entry to go", Duration::from_secs(5), || !entry.exists());
    app.close().await;
}
