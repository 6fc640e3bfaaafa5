//! Start at login. Dialtone registers itself the desktop's own way, through
//! tauri-plugin-autostart: an XDG autostart entry (`~/.config/autostart/Dialtone.desktop`)
//! on Linux, a Launch Agent on macOS, the `Run` key on Windows. The entry starts it
//! with [`BACKGROUND`]: lines registered and the tray icon up, no window, so the desk
//! phone is ready to ring without getting in the way of the rest of the login.
//!
//! The OS's entry is the only record of the choice (nothing in `settings.toml`): a
//! person who removes it in their desktop's startup settings sees the box unticked.

use dialtone_core::{Error, ErrorCode};
use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

/// The flag the login entry starts Dialtone with.
pub const BACKGROUND: &str = "--background";

/// The plugin, set to start `Dialtone --background`.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_autostart::Builder::new().args([BACKGROUND]).app_name("Dialtone").build()
}

fn failed(doing: &str, err: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::Io, format!("Could not {doing}: {err}"))
}

/// Whether Dialtone starts when the person logs in.
#[tauri::command]
#[specta::specta]
pub fn start_at_login(app: AppHandle) -> Result<bool, Error> {
    app.autolaunch().is_enabled().map_err(|err| failed("read whether Dialtone starts at login", err))
}

/// Starts Dialtone at login, in the background, or stops doing so; returns whether it
/// now does, as the OS has it.
#[tauri::command]
#[specta::specta]
pub fn set_start_at_login(app: AppHandle, on: bool) -> Result<bool, Error> {
    let manager = app.autolaunch();
    if on {
        manager.enable().map_err(|err| failed("set Dialtone to start at login", err))?;
    } else {
        manager.disable().map_err(|err| failed("stop Dialtone starting at login", err))?;
    }
    tracing::info!(on, "start at login");
    start_at_login(app)
}
