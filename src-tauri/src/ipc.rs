//! The list of commands the web view may call, and the TypeScript generated from it.

use specta_typescript::Typescript;
use tauri_specta::{Builder, collect_commands};

use crate::{calls, commands, facetime_audio, links, login, page, people, phone, share, sound, updates};

/// Where the generated bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/lib/bindings.ts";

/// Every command, once. New commands are added here and in `build.rs`'s manifest.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        // The DOM events the page hears (see page.rs): their names, as one constant (the
        // generator writes several in no fixed order), and their details' types.
        .constant("PAGE_EVENTS", page::NAMES)
        .typ::<dialtone_audio::engine::EngineEvent>()
        .typ::<page::ImportProgress>()
        .typ::<page::CallUpdate>()
        .typ::<facetime_audio::AudioUpdate>()
        .typ::<updates::UpdateProgress>()
        .typ::<dialtone_core::service::PhoneUpdate>()
        .commands(collect_commands![
            commands::app_info,
            commands::frontend_ready,
            commands::get_settings,
            commands::set_appearance,
            commands::set_check_for_updates,
            commands::set_close_to_tray,
            login::start_at_login,
            login::set_start_at_login,
            calls::provider_kinds,
            calls::list_providers,
            calls::add_provider,
            calls::update_provider,
            calls::remove_provider,
            calls::set_secret,
            calls::delete_secret,
            calls::set_region,
            calls::set_default_provider,
            calls::preview_number,
            calls::place_call,
            calls::stop_waiting,
            calls::hang_up,
            calls::call_status,
            calls::qr_svg,
            phone::phone_lines,
            phone::connect_lines,
            phone::live_calls,
            phone::dial_live,
            phone::answer_call,
            phone::decline_call,
            phone::end_call,
            phone::hold_call,
            phone::mute_call,
            phone::switch_call_devices,
            phone::send_dtmf,
            phone::set_do_not_disturb,
            facetime_audio::join_call_audio,
            facetime_audio::leave_call_audio,
            people::list_contacts,
            people::search_contacts,
            people::add_contact,
            people::update_contact,
            people::delete_contact,
            people::import_contacts,
            people::export_contacts,
            people::list_history,
            people::delete_history_entry,
            people::clear_history,
            people::redial,
            share::copy_text,
            share::open_external,
            share::save_qr_png,
            links::take_pending_link,
            sound::audio_devices,
            sound::set_audio_devices,
            sound::set_call_audio,
            sound::set_ringtone,
            sound::try_ringtone,
            sound::play_key,
            sound::test_speaker,
            sound::test_ringer,
            sound::play_error_tone,
            sound::microphone_meter,
            sound::start_echo_test,
            sound::stop_echo_test,
            updates::check_for_update,
            updates::download_update,
            updates::install_update,
            updates::restart_to_update,
        ])
}

/// The TypeScript bindings as they should be now.
pub fn bindings() -> String {
    builder()
        // Ids are SQLite rowids, far below 2^53: plain numbers in TypeScript.
        .export_str(Typescript::default().bigint(specta_typescript::BigIntExportBehavior::Number).header("// Generated from the Rust commands by `scripts/gen-bindings.sh`. Do not edit.\n// @ts-nocheck: the generator emits helpers this app does not use yet.\n"))
        .expect("the command types can be expressed in TypeScript")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when a command changed and `ui/src/lib/bindings.ts` was not regenerated.
    /// `DIALTONE_UPDATE_BINDINGS=1 cargo test -p dialtone-app bindings` rewrites it.
    #[test]
    fn bindings_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        let fresh = bindings();
        if std::env::var_os("DIALTONE_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(committed == fresh, "{} is stale: run scripts/gen-bindings.sh and commit the result", path.display());
    }

    /// The web view is untrusted: no command may take a file path from it (one that did
    /// could overwrite any file or read `/dev/zero`). Files are chosen in Rust's dialogs.
    #[test]
    fn no_command_takes_a_path_from_the_web_view() {
        let ts = bindings();
        let signatures: Vec<&str> = ts.lines().filter(|l| l.trim_start().starts_with("async ")).collect();
        assert!(signatures.len() > 30, "{signatures:?}");
        for signature in &signatures {
            let params = signature.split(')').next().unwrap_or_default().to_ascii_lowercase();
            assert!(!params.contains("path") && !params.contains("file"), "{signature}");
        }
        assert!(signatures.iter().any(|s| s.contains("async importContacts()")), "{signatures:?}");
        assert!(signatures.iter().any(|s| s.contains("async exportContacts()")), "{signatures:?}");
    }
}
