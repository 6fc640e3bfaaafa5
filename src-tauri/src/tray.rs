//! The tray icon: each SIP account's status in words, Do not disturb, Open, Quit.
//! While an account is registered, closing the window leaves Dialtone here (unless
//! the person turned that off), so calls still ring.
//!
//! On Linux the icon goes through libayatana-appindicator, loaded when the icon is
//! made; a desktop without it gets no icon, and closing the window then quits as
//! before rather than leaving an app no one can reach.

use dialtone_core::service::LineView;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

const TRAY_ID: &str = "dialtone";

/// The menu items that change, in Tauri's state once the icon exists.
pub struct Tray {
    status: MenuItem<Wry>,
    dnd: CheckMenuItem<Wry>,
}

impl std::fmt::Debug for Tray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray").finish_non_exhaustive()
    }
}

/// Makes the tray icon; `None` (logged) where the desktop has none to give.
pub fn start(app: &AppHandle, do_not_disturb: bool) -> Option<Tray> {
    // libappindicator's loader panics when the library is missing: no icon, no crash.
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app, do_not_disturb)));
    match built {
        Ok(Ok(tray)) => Some(tray),
        Ok(Err(err)) => {
            tracing::warn!("no tray icon: {err}");
            None
        }
        Err(_) => {
            tracing::warn!("no tray icon: this desktop lacks libayatana-appindicator3");
            None
        }
    }
}

fn build(app: &AppHandle, do_not_disturb: bool) -> tauri::Result<Tray> {
    let status = MenuItem::with_id(app, "status", "No SIP account", false, None::<&str>)?;
    let dnd = CheckMenuItem::with_id(app, "dnd", "Do not disturb", true, do_not_disturb, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Dialtone", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Dialtone", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&status, &separator, &dnd, &open, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID).menu(&menu).tooltip("Dialtone").on_menu_event(|app, event| {
        match event.id().as_ref() {
            "dnd" => toggle_do_not_disturb(app),
            "open" => crate::webview::bring_forward(app),
            "quit" => app.exit(0),
            _ => {}
        }
    });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(Tray { status, dnd })
}

fn toggle_do_not_disturb(app: &AppHandle) {
    let (Some(tray), Some(desk)) = (app.try_state::<Tray>(), app.try_state::<crate::phone::Desk>()) else { return };
    // The item has already flipped its own check mark: what it shows now is the wish.
    let on = tray.dnd.is_checked().unwrap_or(false);
    if let Err(err) = desk.0.set_do_not_disturb(on) {
        tracing::warn!("do not disturb from the tray: {}", err.message);
        let _ = tray.dnd.set_checked(!on);
    }
}

/// The text of the status item (and the icon's tooltip) for these lines.
pub fn status_words(lines: &[LineView]) -> String {
    if lines.is_empty() {
        return "No SIP account".to_owned();
    }
    lines.iter().map(|l| l.words.as_str()).collect::<Vec<_>>().join("; ")
}

/// Shows the lines' status in the menu and the tooltip.
pub fn show_lines(app: &AppHandle, lines: &[LineView]) {
    let Some(tray) = app.try_state::<Tray>() else { return };
    let words = status_words(lines);
    let _ = tray.status.set_text(&words);
    if let Some(icon) = app.tray_by_id(TRAY_ID) {
        let _ = icon.set_tooltip(Some(format!("Dialtone · {words}")));
    }
}

/// Shows Do not disturb as it is now, whoever changed it.
pub fn show_do_not_disturb(app: &AppHandle, on: bool) {
    if let Some(tray) = app.try_state::<Tray>() {
        let _ = tray.dnd.set_checked(on);
    }
}

/// Whether closing the window should leave Dialtone in the tray: there is a tray, the
/// person wants it, and some account is registered (else nothing could ring).
pub fn keeps_running(app: &AppHandle) -> bool {
    let has_tray = app.try_state::<Tray>().is_some();
    let wanted = app.state::<crate::AppState>().dialtone.settings().map(|s| s.close_to_tray).unwrap_or(true);
    let registered = app.try_state::<crate::phone::Desk>().is_some_and(|desk| {
        desk.0.lines().iter().any(|l| matches!(l.status, dialtone_core::service::LineStatus::Registered { .. }))
    });
    has_tray && wanted && registered
}

#[cfg(test)]
mod tests {
    use dialtone_core::service::LineStatus;

    use super::*;

    #[test]
    fn the_status_item_says_each_line_in_words() {
        assert_eq!(status_words(&[]), "No SIP account");
        let lines = [
            LineView::new("office", LineStatus::Registered { aor: "sip:1001@pbx".into() }),
            LineView::new("home", LineStatus::Failed { message: "home could not register: timed out".into() }),
        ];
        assert_eq!(status_words(&lines), "office: ready for calls; home could not register: timed out");
    }
}
