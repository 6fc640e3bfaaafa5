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
        "join_call_audio",
        "leave_call_audio",
        "list_contacts",
        "search_contacts",
        "add_contact",
        "update_contact",
        "delete_contact",
        "import_contacts",
        "export_contacts",
        "list_history",
        "delete_history_entry",
        "clear_history",
        "redial",
        "preview_number",
        "copy_text",
        "open_external",
        "save_qr_png",
        "audio_devices",
        "set_audio_devices",
        "set_call_audio",
        "set_ringtone",
        "try_ringtone",
        "play_key",
        "test_speaker",
        "test_ringer",
        "play_error_tone",
        "microphone_meter",
        "start_echo_test",
        "stop_echo_test",
        "take_pending_link",
        "set_check_for_updates",
        "set_close_to_tray",
        "start_at_login",
        "set_start_at_login",
        "check_for_update",
        "download_update",
        "install_update",
        "restart_to_update",
        "phone_lines",
        "connect_lines",
        "live_calls",
        "dial_live",
        "answer_call",
        "decline_call",
        "end_call",
        "hold_call",
        "mute_call",
        "switch_call_devices",
        "send_dtmf",
        "set_do_not_disturb",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build step failed");
    startup_order();
}

/// The release binary's start-up code, gathered at the front of its `.text`
/// (`startup-order.txt`, written by `scripts/startup-order.sh`).
///
/// The kernel maps a binary's code 64 KiB around each page it faults in (fault-around),
/// from the page cache, where the whole binary sits after it is installed or built.
/// Start-up code spread through 11.8 MB of code so kept 8.8 MB of it resident at idle,
/// though start-up touches 3.8 MB of pages; gathered, about 5 MB stays resident. A
/// symbol the list names that the binary no longer has (renamed, or a dependency
/// updated) is passed over in silence, so a stale list costs memory, never a build.
///
/// Only where the linker is LLD, which reads the list: Rust's own for
/// x86_64-unknown-linux-gnu since Rust 1.90, unless RUSTFLAGS picks another linker.
/// `DIALTONE_STARTUP_ORDER=off` leaves the order as the linker makes it (the script
/// does, to see the start-up's pages afresh).
fn startup_order() {
    println!("cargo:rerun-if-changed=startup-order.txt");
    println!("cargo:rerun-if-env-changed=DIALTONE_STARTUP_ORDER");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let rustflags = var("CARGO_ENCODED_RUSTFLAGS");
    let lld_by_default = var("TARGET") == "x86_64-unknown-linux-gnu" && rustc_minor().is_some_and(|minor| minor >= 90);
    if var("PROFILE") != "release"
        || !lld_by_default
        || rustflags.contains("linker")
        || rustflags.contains("fuse-ld")
        || var("DIALTONE_STARTUP_ORDER") == "off"
    {
        return;
    }
    let list = std::path::Path::new(&var("CARGO_MANIFEST_DIR")).join("startup-order.txt");
    println!("cargo:rustc-link-arg-bin=dialtone-app=-Wl,--symbol-ordering-file={}", list.display());
    println!("cargo:rustc-link-arg-bin=dialtone-app=-Wl,--no-warn-symbol-ordering");
}

/// The minor version of the compiler building this crate (`rustc 1.95.0 (…)` → 95).
fn rustc_minor() -> Option<u32> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = std::process::Command::new(rustc).arg("--version").output().ok()?;
    let version = String::from_utf8(output.stdout).ok()?;
    version.split_whitespace().nth(1)?.split('.').nth(1)?.parse().ok()
}
