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
        "list_contacts",
        "search_contacts",
        "get_contact",
        "add_contact",
        "update_contact",
        "delete_contact",
        "import_contacts",
        "export_contacts",
        "list_history",
        "delete_history_entry",
        "clear_history",
        "set_history_keep_days",
        "redial",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build step failed");
}
