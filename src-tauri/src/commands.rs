//! The commands the web view calls. Each one forwards to `dialtone-core`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use dialtone_core::service::Dialtone;
use dialtone_core::settings::Appearance;
use dialtone_core::{Error, VERSION};
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::AppState;

/// The version and the folders in use, for the About box and for bug reports.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub config_dir: String,
    pub data_dir: String,
    pub log_dir: String,
}

#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    let paths = &state.paths;
    AppInfo {
        version: VERSION.to_owned(),
        config_dir: paths.config_dir.display().to_string(),
        data_dir: paths.data_dir.display().to_string(),
        log_dir: paths.log_dir.display().to_string(),
    }
}

/// Set by the measurement script: print when the first frame is ready, then quit.
pub const EXIT_AFTER_READY_ENV: &str = "DIALTONE_EXIT_AFTER_READY";

static READY: AtomicBool = AtomicBool::new(false);

/// The UI calls this once its first frame is painted and takes input.
#[tauri::command]
#[specta::specta]
pub fn frontend_ready(app: AppHandle, state: State<'_, AppState>) {
    if READY.swap(true, Ordering::SeqCst) {
        return; // a reload of the page is not a launch
    }
    let elapsed = state.started.elapsed();
    tracing::info!(ms = elapsed.as_millis() as u64, "first interactive frame");
    if std::env::var_os(EXIT_AFTER_READY_ENV).is_some() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        println!("first-frame-unix-ms={} in-process-ms={}", now.as_millis(), elapsed.as_millis());
        app.exit(0);
    }
}

/// The settings as the UI sees them.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub appearance: Appearance,
    /// Numbers typed without `+` are read in this region (ISO 3166, e.g. "US").
    pub region: Option<String>,
    /// Ask for a newer Dialtone at launch.
    pub check_for_updates: bool,
    /// Incoming live calls are declined unheard and kept as missed.
    pub do_not_disturb: bool,
    /// Closing the window keeps Dialtone in the tray while an account is registered.
    pub close_to_tray: bool,
}

#[tauri::command]
#[specta::specta]
pub fn get_settings(state: State<'_, AppState>) -> Result<SettingsView, Error> {
    load_settings_view(&state.dialtone)
}

#[tauri::command]
#[specta::specta]
pub fn set_appearance(state: State<'_, AppState>, appearance: Appearance) -> Result<SettingsView, Error> {
    store_appearance(&state.dialtone, appearance)
}

#[tauri::command]
#[specta::specta]
pub fn set_check_for_updates(state: State<'_, AppState>, on: bool) -> Result<SettingsView, Error> {
    let settings = state.dialtone.set_check_for_updates(on)?;
    tracing::info!(on, "check for updates at launch");
    Ok(view_of(settings))
}

#[tauri::command]
#[specta::specta]
pub fn set_close_to_tray(state: State<'_, AppState>, on: bool) -> Result<SettingsView, Error> {
    state.dialtone.set_close_to_tray(on)?;
    tracing::info!(on, "close to the tray");
    load_settings_view(&state.dialtone)
}

fn view_of(settings: dialtone_core::settings::Settings) -> SettingsView {
    SettingsView {
        appearance: settings.appearance,
        region: settings.region,
        check_for_updates: settings.check_for_updates,
        do_not_disturb: settings.do_not_disturb,
        close_to_tray: settings.close_to_tray,
    }
}

fn load_settings_view(dialtone: &Dialtone) -> Result<SettingsView, Error> {
    Ok(view_of(dialtone.settings()?))
}

fn store_appearance(dialtone: &Dialtone, appearance: Appearance) -> Result<SettingsView, Error> {
    // Through the core, under the settings lock, so a CLI change at the same moment survives.
    let settings = dialtone.set_appearance(appearance)?;
    tracing::info!(?appearance, "appearance changed");
    Ok(view_of(settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_core::Paths;

    #[test]
    fn appearance_is_stored_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let dialtone = Dialtone::new(Paths::under(dir.path())).unwrap();
        assert_eq!(load_settings_view(&dialtone).unwrap().appearance, Appearance::System);
        store_appearance(&dialtone, Appearance::Dark).unwrap();
        // Read by a second Dialtone over the same folder, as the CLI would.
        let again = Dialtone::new(Paths::under(dir.path())).unwrap();
        assert_eq!(load_settings_view(&again).unwrap().appearance, Appearance::Dark);
    }

    /// The exact JSON the web view receives when a command fails.
    #[test]
    fn a_failed_command_reaches_the_ui_as_code_and_message() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.toml"), "appearance = 7\n").unwrap();
        let err = load_settings_view(&Dialtone::new(Paths::under(dir.path())).unwrap()).unwrap_err();
        // Tauri turns a command's Err into the IPC error through serde; this is that path.
        let ipc = tauri::ipc::InvokeError::from(err);
        let file = dir.path().join("settings.toml");
        assert_eq!(
            ipc.0,
            serde_json::json!({
                "code": "settings_invalid",
                "message": format!(
                    "The settings file {} could not be read, so it was left as it is. Fix or remove it: appearance is 7; it must be \"system\", \"light\" or \"dark\", in quotes",
                    file.display()
                ),
            })
        );
    }
}
