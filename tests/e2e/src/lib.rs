//! Harness for the end-to-end suite: the real Dialtone window, driven by WebDriver.
//!
//! [`App::launch`] starts `tauri-driver` on free ports with a fresh data folder, opens
//! a WebDriver session on the debug build of the app, and tears everything down on
//! drop. The tests need a display (`xvfb-run`), `tauri-driver` and `WebKitWebDriver`
//! on the PATH, and the app built; `scripts/test.sh` provides all of them.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub mod capture;

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value, json};

/// The repository's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root exists")
}

/// Where tests leave screenshots for people to look at (`artifacts/e2e/`).
pub fn artifacts_dir() -> PathBuf {
    let dir = workspace_root().join("artifacts/e2e");
    std::fs::create_dir_all(&dir).expect("create artifacts/e2e");
    dir
}

/// The main window's title (`src-tauri/tauri.conf.json`), which tells it from the
/// FaceTime call's window.
pub const WINDOW_TITLE: &str = "Dialtone";

/// The debug build of the app, which the suite drives.
pub fn app_binary() -> PathBuf {
    let path = std::env::var_os("DIALTONE_APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/dialtone-app"));
    assert!(path.exists(), "{} is missing: run the suite through scripts/e2e.sh, which builds it", path.display());
    path
}

/// Two different free local ports (both held while choosing, so they cannot be the same).
fn free_ports() -> (u16, u16) {
    let bind = || TcpListener::bind("127.0.0.1:0").expect("a free local port");
    let (a, b) = (bind(), bind());
    let port = |l: &TcpListener| l.local_addr().expect("a bound port").port();
    (port(&a), port(&b))
}

/// A test's turn to run Dialtone. Dialtone is one instance per desktop session: a
/// second one hands its arguments to the first and exits. So the tests of one binary
/// take turns, whatever `--test-threads` says; each holds its turn until it ends.
#[derive(Debug)]
pub struct Turn(());

static TAKEN: Mutex<bool> = Mutex::new(false);
static FREED: Condvar = Condvar::new();

impl Turn {
    /// Waits until no other test of this binary runs a Dialtone, and the last one
    /// has let go of the single-instance name (a killed Dialtone does as it exits):
    /// a new Dialtone that found it there would hand over to it and exit.
    pub fn take() -> Turn {
        let taken = TAKEN.lock().unwrap_or_else(PoisonError::into_inner);
        let mut taken = FREED.wait_while(taken, |taken| *taken).unwrap_or_else(PoisonError::into_inner);
        *taken = true;
        let turn = Turn(());
        drop(taken);
        wait_until("the Dialtone of an earlier test has gone from the session bus", Duration::from_secs(30), || {
            !instance_name_owned()
        });
        turn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        *TAKEN.lock().unwrap_or_else(PoisonError::into_inner) = false;
        FREED.notify_one();
    }
}

/// Asks the session bus about the running Dialtone's single-instance name.
fn ask_bus(method: &str) -> String {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            &format!("org.freedesktop.DBus.{method}"),
            "string:app.dialtone.desktop.SingleInstance",
        ])
        .output()
        .expect("dbus-send runs (package dbus)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether the running Dialtone's single-instance name is owned on the session bus.
pub fn instance_name_owned() -> bool {
    ask_bus("NameHasOwner").contains("boolean true")
}

/// The running Dialtone's process ID as its own windows give it. The session bus
/// names it as the bus sees it, which is wrong inside a PID namespace (the live-call
/// tests run in one, see dialtone-sip's peers.rs): there, it is the one dialtone-app.
pub fn app_pid() -> Option<u32> {
    if std::env::var_os("DIALTONE_SIP_NETNS").is_none() {
        return instance_owner();
    }
    std::fs::read_dir("/proc").ok()?.filter_map(Result::ok).find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let comm = std::fs::read_to_string(entry.path().join("comm")).ok()?;
        (comm.trim() == "dialtone-app").then_some(pid)
    })
}

/// Every process under `pid` (children, their children, ...), as /proc lists them.
pub fn descendants(pid: u32) -> Vec<u32> {
    let children = |pid: u32| -> Vec<u32> {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten();
        tasks
            .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
            .flat_map(|list| list.split_whitespace().filter_map(|c| c.parse().ok()).collect::<Vec<u32>>())
            .collect()
    };
    let (mut found, mut todo) = (Vec::new(), children(pid));
    while let Some(child) = todo.pop() {
        todo.extend(children(child));
        found.push(child);
    }
    found
}

/// The process that owns the single-instance name, if any.
pub fn instance_owner() -> Option<u32> {
    let reply = ask_bus("GetConnectionUnixProcessID");
    reply.split_once("uint32 ").and_then(|(_, pid)| pid.trim().parse().ok())
}

/// tauri-driver in its own process group, ended with WebKitWebDriver and the app it
/// started when dropped, even when the launch fails half way.
#[derive(Debug)]
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// A running app under WebDriver, with its own data folder.
#[derive(Debug)]
pub struct App {
    // Dropped in this order: the app ends before its data folder goes and the turn is
    // given up.
    _driver: Driver,
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    _turn: Turn,
}

impl App {
    /// Starts tauri-driver and opens the app's window in a new session.
    pub async fn launch() -> App {
        App::launch_with(|_| {}).await
    }

    /// Like [`App::launch`], with `prepare` filling the data folder before the app starts.
    pub async fn launch_with(prepare: impl FnOnce(&Path)) -> App {
        App::launch_with_env(prepare, &[]).await
    }

    /// Like [`App::launch_with`], with `env` set for the app (through tauri-driver and
    /// WebKitWebDriver, which pass their environment on).
    pub async fn launch_with_env(prepare: impl FnOnce(&Path), env: &[(&str, std::ffi::OsString)]) -> App {
        App::launch_with_args(prepare, env, &[]).await
    }

    /// Like [`App::launch_with_env`], with `args` on the app's command line.
    pub async fn launch_with_args(
        prepare: impl FnOnce(&Path),
        env: &[(&str, std::ffi::OsString)],
        args: &[&str],
    ) -> App {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the suite under xvfb-run (scripts/test.sh does)"
        );
        let turn = Turn::take();
        let data_dir = tempfile::tempdir().expect("temporary data folder");
        prepare(data_dir.path());
        let (port, native_port) = free_ports();
        let driver = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("DIALTONE_DATA_DIR", data_dir.path())
            .envs(env.iter().map(|(k, v)| (*k, v)))
            .stdout(Stdio::null())
            // Its own process group, so closing ends WebKitWebDriver (its child) too.
            .process_group(0)
            .spawn()
            .map(Driver)
            .expect("tauri-driver runs (cargo install tauri-driver --locked; scripts/install-deps.sh --test does)");
        wait_for_port(port, Duration::from_secs(20), "tauri-driver");
        // tauri-driver listens at once but starts WebKitWebDriver beside it and forwards
        // the new session to it without waiting: on a busy machine the session request
        // reached a port nobody listened on yet, and the connection was dropped.
        wait_for_port(native_port, Duration::from_secs(20), "WebKitWebDriver");

        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), json!({ "application": app_binary(), "args": args }));
        // Bounded: if the app cannot start, WebKitWebDriver waits for it for ever.
        let client = tokio::time::timeout(
            Duration::from_secs(90),
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .expect("a WebDriver session on the app within 90 s")
        .expect("a WebDriver session on the app");
        App { _driver: driver, client, data_dir, _turn: turn }
    }

    /// The element with `data-testid`, waiting up to ten seconds for it to appear.
    pub async fn testid(&self, id: &str) -> Element {
        let selector = format!(r#"[data-testid="{id}"]"#);
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&selector))
            .await
            .unwrap_or_else(|err| panic!("no element {selector} in the window: {err}"))
    }

    /// Clicks through a script: WebKitWebDriver's native click misses some elements.
    pub async fn click(&self, id: &str) {
        let element = self.testid(id).await;
        self.client
            .execute("arguments[0].click()", vec![serde_json::to_value(&element).expect("element to json")])
            .await
            .unwrap_or_else(|err| panic!("click on {id}: {err}"));
    }

    /// Runs a script in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.try_eval(script).await.unwrap_or_else(|why| panic!("script {why}: {script}"))
    }

    /// Runs a script in the page: its value, or why there is none.
    async fn try_eval(&self, script: &str) -> Result<Value, String> {
        match tokio::time::timeout(Duration::from_secs(30), self.client.execute(script, vec![])).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(format!("failed: {err}")),
            Err(_) => Err("did not return within 30 s".to_owned()),
        }
    }

    /// The accessibility violations axe-core (the checker browsers' developer tools
    /// use) finds in the window as it is now, as "rule: how many elements (examples)".
    /// axe-core comes from the UI's npm packages; its source is run through WebDriver,
    /// so the page's CSP is left as it is.
    pub async fn axe_violations(&self) -> Vec<String> {
        let source = std::fs::read_to_string(workspace_root().join("ui/node_modules/axe-core/axe.min.js"))
            .expect("axe-core is installed with the UI's packages (scripts/install-deps.sh)");
        let script = format!(
            "{source}\n;const done = arguments[arguments.length - 1];\n\
             axe.run(document, {{ resultTypes: ['violations'] }}).then(\n\
               r => done(r.violations.map(v => v.id + ': ' + v.nodes.length + ' (' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ') + ')')),\n\
               e => done(['axe failed: ' + e]));"
        );
        let found = tokio::time::timeout(Duration::from_secs(60), self.client.execute_async(&script, vec![]))
            .await
            .expect("axe-core finished within a minute")
            .expect("axe-core ran in the window");
        serde_json::from_value(found).expect("a list of violations")
    }

    /// Waits until `script` returns `expected`, failing with the last value after five seconds.
    /// A script that throws counts as "not yet": the element it reads may not exist yet
    /// (a screen loads its code on its first visit, which takes longer on a busy machine).
    pub async fn eval_until(&self, script: &str, expected: Value) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let last = match self.try_eval(script).await {
                Ok(value) if value == expected => return,
                Ok(value) => format!("returned {value}"),
                Err(why) => why,
            };
            assert!(Instant::now() < deadline, "{script} {last}, expected {expected}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a PNG of the window to `artifacts/e2e/NAME.png` and returns its pixels' summary.
    ///
    /// The picture is the window as the X server shows it ([`capture`]), taken once the
    /// page has produced two more frames and two reads 50 ms apart agree (up to ten
    /// seconds; a blinking caret may keep them from agreeing, and then the last is kept).
    pub async fn screenshot(&self, name: &str) -> Screenshot {
        let pid = app_pid().expect("a running Dialtone owns its single-instance name on the session bus");
        let frames = "const done = arguments[arguments.length - 1];\n\
                      requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        tokio::time::timeout(Duration::from_secs(30), self.client.execute_async(frames, vec![]))
            .await
            .expect("the page painted two frames within 30 s")
            .expect("the page ran its frame callbacks");
        let read = || capture::window_of(pid, WINDOW_TITLE).unwrap_or_else(|err| panic!("screenshot {name}: {err}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut pixels = read();
        loop {
            tokio::time::sleep(capture::SETTLE).await;
            let again = read();
            let settled = again == pixels;
            pixels = again;
            if settled || Instant::now() >= deadline {
                break;
            }
        }
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, capture::png(&pixels)).expect("write screenshot");
        Screenshot::of(&pixels, path)
    }

    /// A screenshot once it shows what `painted` looks for, taking another every 100 ms
    /// for up to ten seconds: the page changes at once, but the window repaints a frame
    /// or more later (on a busy machine, later still). Returns the last one either way,
    /// for the test's own assertion to judge.
    pub async fn screenshot_when(&self, name: &str, painted: impl Fn(&Screenshot) -> bool) -> Screenshot {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let shot = self.screenshot(name).await;
            if painted(&shot) || tokio::time::Instant::now() >= deadline {
                return shot;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the session and the driver (the app closes with the session).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop ends the driver and its WebKitWebDriver.
    }
}

fn wait_for_port(port: u16, limit: Duration, who: &str) {
    wait_until(&format!("{who} listens on port {port}"), limit, || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
}

/// Polls `done` every 50 ms; fails the test, naming `what`, after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What a screenshot shows, in numbers a test can check.
#[derive(Debug)]
pub struct Screenshot {
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    /// How many different colours appear: a blank or failed render has one or two.
    pub distinct_colours: usize,
    /// Mean brightness, 0 (black) to 255 (white): tells a dark theme from a light one.
    pub mean_luma: f64,
}

impl Screenshot {
    fn of(pixels: &capture::Pixels, path: PathBuf) -> Screenshot {
        let mut colours = std::collections::HashSet::new();
        let mut luma_sum = 0.0;
        let mut count = 0usize;
        for px in pixels.rgb.chunks_exact(3) {
            let (r, g, b) = (px[0], px[1], px[2]);
            colours.insert((r, g, b));
            luma_sum += 0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b);
            count += 1;
        }
        Screenshot {
            path,
            width: pixels.width,
            height: pixels.height,
            distinct_colours: colours.len(),
            mean_luma: luma_sum / count.max(1) as f64,
        }
    }
}
