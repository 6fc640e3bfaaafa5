//! Sharing a FaceTime link: copy it, hand it to the mail or messages app, open it, or
//! save its QR code. The web view asks for these through the app's own commands (no
//! plugin permissions are granted to it), and only links of the kinds Dialtone makes
//! are opened.

use dialtone_core::Error;
use dialtone_core::qr::Qr;
use tauri::AppHandle;
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// Puts text (a link) on the system clipboard.
#[tauri::command]
#[specta::specta]
pub fn copy_text(app: AppHandle, text: String) -> Result<(), Error> {
    app.clipboard().write_text(text).map_err(|err| Error::internal(format!("Could not copy to the clipboard: {err}")))
}

/// Whether a URL may be handed to the system: share targets and join links only.
pub fn may_open(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["mailto:", "sms:", "https://facetime.apple.com/"].iter().any(|p| lower.starts_with(p))
}

/// Opens a share target (`mailto:`, `sms:`) or a FaceTime link in the system's app.
#[tauri::command]
#[specta::specta]
pub fn open_external(app: AppHandle, url: String) -> Result<(), Error> {
    if !may_open(&url) {
        return Err(Error::invalid_input("Dialtone opens only mailto:, sms: and FaceTime links."));
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|err| Error::internal(format!("No app could open the link: {err}")))
}

/// Asks where to save, then writes the link's QR code there as a PNG. `None` when the
/// person cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_qr_png(app: AppHandle, text: String) -> Result<Option<String>, Error> {
    let png = Qr::encode(&text)?.png(12)?;
    let Some(path) = pick_file(&app, "PNG image", &["png"], Some("facetime-link.png"), true)? else {
        return Ok(None);
    };
    std::fs::write(&path, png).map_err(|err| Error::io("write", &path, &err))?;
    Ok(Some(path.display().to_string()))
}

/// A file chosen in the system's open or save dialog; `None` when the person cancelled.
/// Paths come only from here, never from the web view.
pub(crate) fn pick_file(
    app: &AppHandle,
    kind: &str,
    extensions: &[&str],
    suggested: Option<&str>,
    save: bool,
) -> Result<Option<std::path::PathBuf>, Error> {
    let mut dialog = app.dialog().file().add_filter(kind, extensions);
    if let Some(name) = suggested {
        dialog = dialog.set_file_name(name);
    }
    let choice = if save { dialog.blocking_save_file() } else { dialog.blocking_pick_file() };
    let Some(choice) = choice else { return Ok(None) };
    let path = choice.into_path().map_err(|err| Error::internal(format!("Not a file on this computer: {err}")))?;
    Ok(Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_share_targets_and_join_links_are_opened() {
        for ok in ["mailto:?subject=FaceTime&body=x", "sms:?&body=x", "https://facetime.apple.com/join#v=1&p=x"] {
            assert!(may_open(ok), "{ok}");
        }
        for bad in [
            "file:///etc/passwd",
            "https://evil.example/",
            "javascript:alert(1)",
            "https://facetime.apple.com.evil.example/",
        ] {
            assert!(!may_open(bad), "{bad}");
        }
    }
}
