//! The floor for Dialtone's memory and launch figures: what Tauri 2 and WebKitGTK cost
//! with one window the size of Dialtone's and an empty page, built with the same
//! profile. `scripts/measure.sh` measures it in the same run as Dialtone, so the
//! difference is what Dialtone itself costs. It has no plugins and no settings, and
//! one command: the page's "first frame painted", timed the way Dialtone's is.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Prints when the first frame is ready and quits, when the measurement script asks
/// (`DIALTONE_EXIT_AFTER_READY`, as for Dialtone).
#[tauri::command]
fn frontend_ready(app: tauri::AppHandle) {
    if std::env::var_os("DIALTONE_EXIT_AFTER_READY").is_some() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let elapsed = STARTED.get().map(Instant::elapsed).unwrap_or_default();
        println!("first-frame-unix-ms={} in-process-ms={}", now.as_millis(), elapsed.as_millis());
        app.exit(0);
    }
}

fn main() {
    STARTED.get_or_init(Instant::now);
    let app = tauri::Builder::default().invoke_handler(tauri::generate_handler![frontend_ready]);
    if let Err(err) = app.run(tauri::generate_context!()) {
        eprintln!("dialtone-webview-floor: {err}");
        std::process::exit(1);
    }
}
