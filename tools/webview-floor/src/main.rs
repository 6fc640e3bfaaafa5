//! The floor for Dialtone's memory figures: what Tauri 2 and WebKitGTK cost with one
//! window the size of Dialtone's and an empty page, built with the same profile.
//! `scripts/measure.sh` measures it in the same run as Dialtone, so the difference is
//! what Dialtone itself costs. It has no commands, no plugins and no settings.

fn main() {
    if let Err(err) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("dialtone-webview-floor: {err}");
        std::process::exit(1);
    }
}
