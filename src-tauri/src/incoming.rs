//! What the desktop does while a call rings in: the ringtone on the ringer (a soft
//! beep instead when another call is on), the window brought forward above the
//! others without taking the keyboard from what the person is typing elsewhere, and
//! a desktop notification with the caller and Answer / Decline that lasts exactly as
//! long as the call rings.
//!
//! The notification talks to the desktop's notification server directly, through
//! `notify-rust` (the crate Tauri's notification plugin wraps): the plugin offers
//! action buttons on mobile only. Linux and the BSDs get the buttons; elsewhere no
//! notification is shown yet, and the raised window is what rings.

use std::collections::BTreeMap;
use std::sync::Mutex;

use dialtone_audio::tones::Tone;
use dialtone_core::service::{LiveCallView, LiveState};
use tauri::{AppHandle, Manager};
use tokio::sync::oneshot;

/// The calls ringing now, each with what ends its notification.
#[derive(Debug, Default)]
pub struct Ringing(Mutex<BTreeMap<u32, Option<oneshot::Sender<()>>>>);

/// Follows a call's update: starts ringing when it rings in, stops when it no longer
/// does (answered, declined, given up, or declined unheard by Do not disturb).
pub fn follow(app: &AppHandle, ringing: &Ringing, call: &LiveCallView) {
    let mut calls = ringing.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let rings = call.state == LiveState::Incoming && !call.do_not_disturb;
    let sound = app.state::<crate::sound::Sound>();
    let window = app.get_webview_window(crate::MAIN_WINDOW);
    if rings {
        if calls.contains_key(&call.id) {
            return;
        }
        calls.insert(call.id, notify(app, call));
        let tone = if call.waiting { Tone::CallWaiting } else { Tone::Ringtone };
        if let Err(err) = sound.0.alert(Some(tone)) {
            tracing::warn!("the incoming call cannot ring: {err}");
        }
        if let Some(window) = window {
            // Shown and on top, but never focused: a person typing elsewhere keeps typing.
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_always_on_top(true);
        }
        return;
    }
    let Some(stop) = calls.remove(&call.id) else { return };
    if let Some(stop) = stop {
        let _ = stop.send(());
    }
    if calls.is_empty() {
        let _ = sound.0.alert(None);
        if let Some(window) = window {
            let _ = window.set_always_on_top(false);
        }
    }
}

/// The notification's title and text.
pub fn words(call: &LiveCallView) -> (String, String) {
    let who = call.name.clone().unwrap_or_else(|| call.number.clone());
    let title = format!("{who} is calling");
    let mut body = if call.name.is_some() {
        format!("{} · to {}", call.number, call.account)
    } else {
        format!("To {}", call.account)
    };
    if call.waiting {
        body.push_str(" · answering holds your other call");
    }
    (title, body)
}

/// Shows the notification; returns what closes it, or `None` where there is none.
#[cfg(all(unix, not(target_os = "macos")))]
fn notify(app: &AppHandle, call: &LiveCallView) -> Option<oneshot::Sender<()>> {
    use notify_rust::{Hint, Notification, NotificationResponse, Timeout, Urgency};

    let (stop, stopped) = oneshot::channel::<()>();
    let (title, body) = words(call);
    let app = app.clone();
    let id = call.id;
    tauri::async_runtime::spawn(async move {
        let shown = Notification::new()
            .appname("Dialtone")
            .summary(&title)
            .body(&body)
            .icon("call-start")
            .action("default", "Open Dialtone")
            .action("answer", "Answer")
            .action("decline", "Decline")
            .hint(Hint::Category("call.incoming".into()))
            .hint(Hint::Urgency(Urgency::Critical))
            .hint(Hint::Resident(true))
            .timeout(Timeout::Never)
            .show_async()
            .await;
        let handle = match shown {
            Ok(handle) => handle,
            Err(err) => {
                tracing::info!("no desktop notification for the incoming call: {err}");
                return;
            }
        };
        let mut chosen = None;
        tokio::select! {
            () = handle.wait_for_action_async(|response| chosen = Some(response.clone())) => {}
            _ = stopped => {
                handle.close_async().await;
                return;
            }
        }
        // Resident, so a server that keeps it after a button must be told it is done.
        handle.close_async().await;
        let desk = app.state::<crate::phone::Desk>();
        let result = match chosen {
            Some(NotificationResponse::Action(action)) if action == "answer" => {
                bring_forward(&app);
                desk.0.answer(id)
            }
            Some(NotificationResponse::Action(action)) if action == "decline" => desk.0.decline(id),
            Some(NotificationResponse::Default) => {
                bring_forward(&app);
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(err) = result {
            tracing::info!("the notification's choice came too late: {}", err.message);
        }
    });
    Some(stop)
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn notify(_app: &AppHandle, _call: &LiveCallView) -> Option<oneshot::Sender<()>> {
    None
}

/// The person chose the call in the notification: the window may take the focus now.
fn bring_forward(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    use dialtone_core::service::LiveDirection as CallDirection;

    use super::*;

    fn ringing(name: Option<&str>, waiting: bool) -> LiveCallView {
        LiveCallView {
            id: 3,
            account: "office".into(),
            direction: CallDirection::Incoming,
            remote: "sip:+14155550123@pbx".into(),
            number: "+14155550123".into(),
            name: name.map(str::to_owned),
            state: LiveState::Incoming,
            held_by: None,
            muted: false,
            waiting,
            do_not_disturb: false,
            answered_at_ms: None,
            codec: None,
            encrypted: false,
            stats: None,
            end_reason: None,
            end_message: None,
            duration_s: None,
        }
    }

    #[test]
    fn the_notification_names_the_caller_and_the_line() {
        assert_eq!(
            words(&ringing(Some("Ada Lovelace"), false)),
            ("Ada Lovelace is calling".to_owned(), "+14155550123 · to office".to_owned())
        );
        assert_eq!(words(&ringing(None, false)), ("+14155550123 is calling".to_owned(), "To office".to_owned()));
        assert!(words(&ringing(None, true)).1.ends_with("answering holds your other call"));
    }
}
