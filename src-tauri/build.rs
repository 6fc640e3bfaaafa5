fn main() {
    // Declaring the app's own commands makes Tauri check each one against the
    // capability files: a command no capability allows cannot be called from the UI.
    let manifest =
        tauri_build::AppManifest::new().commands(&["app_info", "frontend_ready", "get_settings", "set_appearance"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build step failed");
}
