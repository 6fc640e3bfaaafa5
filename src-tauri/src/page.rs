//! Telling the page something as it happens: a DOM event on the main window.
//!
//! The page listens with `window.addEventListener(name, ...)` and reads `detail`; it
//! needs none of Tauri's event permissions, which its capability does not grant. The
//! events' names are exported to the bindings as constants and their details as types,
//! so the page and this file cannot drift apart.

use serde::Serialize;
use tauri::{AppHandle, Manager};

/// The audio engine's reports; `detail` is a `dialtone_audio::engine::EngineEvent`.
pub const AUDIO_EVENT: &str = "dialtone-audio";
/// A vCard import's progress; `detail` is [`ImportProgress`].
pub const IMPORT_PROGRESS_EVENT: &str = "contacts-import-progress";
/// A link arrived from another launch; no detail: the page calls `take_pending_link`.
pub const LINK_EVENT: &str = "dialtone-link";
/// A call being placed moved on; `detail` is [`CallUpdate`].
pub const CALL_EVENT: &str = "dialtone-call";
/// A Sendblue call's audio page reported something; `detail` is
/// [`crate::facetime_audio::AudioUpdate`].
pub const AUDIO_CALL_EVENT: &str = "dialtone-call-audio";
/// A live call (SIP) or a line changed; `detail` is
/// [`dialtone_core::service::PhoneUpdate`].
pub const PHONE_EVENT: &str = "dialtone-phone";
/// An update is downloading; `detail` is [`crate::updates::UpdateProgress`].
pub const UPDATE_PROGRESS_EVENT: &str = "dialtone-update-progress";

/// What the core told of one attempt to call, by the page's attempt number.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CallUpdate {
    pub attempt: u32,
    pub event: dialtone_core::service::CallEvent,
}

/// Every event's name, for the bindings (`PAGE_EVENTS.audio` in TypeScript).
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
pub struct Names {
    pub audio: &'static str,
    pub import_progress: &'static str,
    pub link: &'static str,
    pub call: &'static str,
    pub call_audio: &'static str,
    pub update_progress: &'static str,
    pub phone: &'static str,
}

pub const NAMES: Names = Names {
    audio: AUDIO_EVENT,
    import_progress: IMPORT_PROGRESS_EVENT,
    link: LINK_EVENT,
    call: CALL_EVENT,
    call_audio: AUDIO_CALL_EVENT,
    update_progress: UPDATE_PROGRESS_EVENT,
    phone: PHONE_EVENT,
};

/// How far an import has gone, in cards.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}

/// The script that dispatches `name` with `detail` (as JSON) on the page's window.
pub fn event_script(name: &str, detail: Option<&impl Serialize>) -> String {
    let detail = detail.and_then(|d| serde_json::to_string(d).ok()).unwrap_or_else(|| "null".to_owned());
    // The name is one of the constants above, never text from outside.
    format!("window.dispatchEvent(new CustomEvent('{name}', {{ detail: {detail} }}))")
}

/// Dispatches the event on the main window; a window that is gone or closing misses it.
pub fn dispatch(app: &AppHandle, name: &str, detail: Option<&impl Serialize>) {
    let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) else { return };
    if let Err(err) = window.eval(event_script(name, detail)) {
        tracing::debug!("{name} not delivered to the page: {err}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact script the page runs: valid JavaScript carrying the detail as JSON.
    #[test]
    fn an_event_reaches_the_page_as_one_dom_event_with_json_detail() {
        assert_eq!(
            event_script(AUDIO_EVENT, Some(&dialtone_audio::engine::EngineEvent::Level { dbfs: -12.5 })),
            r#"window.dispatchEvent(new CustomEvent('dialtone-audio', { detail: {"kind":"level","dbfs":-12.5} }))"#
        );
        assert_eq!(
            event_script(IMPORT_PROGRESS_EVENT, Some(&ImportProgress { done: 3, total: 40 })),
            r#"window.dispatchEvent(new CustomEvent('contacts-import-progress', { detail: {"done":3,"total":40} }))"#
        );
        assert_eq!(
            event_script(LINK_EVENT, None::<&()>),
            "window.dispatchEvent(new CustomEvent('dialtone-link', { detail: null }))"
        );
    }

    /// Text from a device name or an error cannot end the string and run as script.
    #[test]
    fn a_detail_cannot_break_out_of_the_script() {
        let notice =
            dialtone_audio::engine::EngineEvent::Notice { message: "It's “gone”'); alert(1); ('".to_owned() };
        let script = event_script(AUDIO_EVENT, Some(&notice));
        assert!(script.contains(r#"{"kind":"notice","message":"It's “gone”'); alert(1); ('"}"#), "{script}");
        assert!(script.ends_with("} }))"), "{script}");
    }
}
