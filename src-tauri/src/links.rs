//! Links from outside: `tel:`, `callto:`, `sip:`, `facetime:` and `facetime-audio:`.
//!
//! The system starts `dialtone-app LINK` (the bundles register the schemes: the
//! `.desktop` file's MimeType on Linux, the deep-link configuration elsewhere). When
//! Dialtone is already running, the single-instance plugin hands the new process's
//! arguments to the running one, which keeps the link, brings its window forward and
//! tells the page; the page asks for the link and puts it on the dialpad. A link never
//! dials by itself: the person presses Call.

use std::sync::Mutex;

use tauri::{AppHandle, Manager, State};

use crate::AppState;

/// The schemes Dialtone answers.
pub const SCHEMES: [&str; 5] = ["tel", "callto", "sip", "facetime", "facetime-audio"];

/// The first argument that is a link Dialtone answers, trimmed to a sane length.
pub fn link_in<S: AsRef<str>>(args: &[S]) -> Option<String> {
    args.iter().map(|a| a.as_ref().trim()).find(|arg| is_link(arg)).map(|arg| arg.chars().take(512).collect())
}

pub fn is_link(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    SCHEMES.iter().any(|scheme| lower.strip_prefix(scheme).is_some_and(|rest| rest.starts_with(':')))
}

/// The link waiting for the page, if any.
#[derive(Debug, Default)]
pub struct PendingLink(pub Mutex<Option<String>>);

/// Called in the running instance when another was started with `args`.
pub fn forwarded(app: &AppHandle, args: Vec<String>) {
    let Some(link) = link_in(&args) else {
        crate::webview::bring_forward(app);
        return;
    };
    tracing::info!("a link arrived from another launch");
    if let Some(state) = app.try_state::<AppState>() {
        *state.pending_link.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(link);
    }
    crate::webview::bring_forward(app);
    // The page then calls take_pending_link.
    crate::page::dispatch(app, crate::page::LINK_EVENT, None::<&()>);
}

/// The link from outside waiting to be put on the dialpad, once.
#[tauri::command]
#[specta::specta]
pub fn take_pending_link(state: State<'_, AppState>) -> Option<String> {
    state.pending_link.0.lock().unwrap_or_else(|p| p.into_inner()).take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_link_among_the_arguments() {
        assert_eq!(
            link_in(&["dialtone-app", "--data-dir", "/x", "tel:+14155550123"]).as_deref(),
            Some("tel:+14155550123")
        );
        assert_eq!(link_in(&["FaceTime-Audio:ada@example.com"]).as_deref(), Some("FaceTime-Audio:ada@example.com"));
        assert_eq!(link_in(&["sip:ada@pbx.example.com"]).as_deref(), Some("sip:ada@pbx.example.com"));
        assert_eq!(link_in(&["dialtone-app", "telephone", "https://x"]), None);
        assert_eq!(link_in(&["tel"]), None);
    }

    #[test]
    fn the_linux_desktop_entry_registers_every_scheme() {
        let entry = include_str!("../dialtone.desktop");
        let mime = entry.lines().find_map(|l| l.strip_prefix("MimeType=")).expect("a MimeType line");
        for scheme in SCHEMES {
            assert!(mime.split(';').any(|m| m == format!("x-scheme-handler/{scheme}")), "{scheme} in {mime}");
        }
        assert!(entry.contains("Exec={{exec}} %u"), "the link is passed to the app");
    }
}
