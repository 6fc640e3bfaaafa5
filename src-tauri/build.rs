fn main() {
    // Declaring the app's own commands makes Tauri check each one against the
    // capability files: a command no capability allows cannot be called from the UI.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "frontend_ready",
        "get_settings",
        "set_appearance",
        "provider_kinds",
        "list_providers",
        "add_provider",
        "update_provider",
        "remove_provider",
        "set_secret",
        "delete_secret",
        "set_region",
        "set_default_provider",
        "place_call",
        "stop_waiting",
        "hang_up",
        "call_status",
        "qr_svg",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build step failed");
}
