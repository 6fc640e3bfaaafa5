//! What the desktop does while a call rings in: the chosen ringtone on the ringer (a soft
//! beep instead when another call is on), the window brought forward above the
//! others without taking the keyboard from what the person is typing elsewhere, and
//! a desktop notification with the caller and Answer / Decline that lasts exactly as
//! long as the call rings.
//!
//! The notification talks to the desktop's notification server (the freedesktop
//! `org.freedesktop.Notifications` D-Bus interface) directly: Tauri's notification
//! plugin offers action buttons on mobile only. Dialtone listens for the buttons
//! before the notification shows, on the connection that shows it (some servers send
//! `ActionInvoked` to that connection alone), so no click is lost however quick.
//! Linux and the BSDs get the buttons; elsewhere no notification is shown yet, and
//! the raised window is what rings.

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
        let tone = if call.waiting {
            Tone::CallWaiting
        } else {
            // A settings file that cannot be read still rings, with the default tone.
            app.state::<crate::AppState>().dialtone.settings().map(|s| s.ringtone).unwrap_or_default().tone()
        };
        if let Err(err) = sound.0.alert(Some(tone)) {
            tracing::warn!("the incoming call cannot ring: {err}");
        }
        if let Some(window) = window {
            // Shown and on top, but never focused: a person typing elsewhere keeps typing.
            let _ = window.unminimize();
            crate::webview::reveal(&window);
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
    let (stop, stopped) = oneshot::channel::<()>();
    let app = app.clone();
    let call = call.clone();
    tauri::async_runtime::spawn(async move {
        let chosen = match notification::show(&call, stopped).await {
            Ok(chosen) => chosen,
            Err(err) => {
                tracing::info!("no desktop notification for the incoming call: {err}");
                return;
            }
        };
        let desk = app.state::<crate::phone::Desk>();
        let result = match chosen.as_deref() {
            Some("answer") => {
                // The person chose the call: the window may take the focus now.
                crate::webview::bring_forward(&app);
                desk.0.answer(call.id)
            }
            Some("decline") => desk.0.decline(call.id),
            Some("default") => {
                // The person chose the call: the window may take the focus now.
                crate::webview::bring_forward(&app);
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

/// The freedesktop notification, over D-Bus.
#[cfg(all(unix, not(target_os = "macos")))]
mod notification {
    use std::collections::HashMap;

    use futures_lite::StreamExt;
    use tokio::sync::oneshot;
    use zbus::zvariant::Value;
    use zbus::{Connection, MatchRule, MessageStream, message};

    use super::{LiveCallView, words};

    const SERVER: &str = "org.freedesktop.Notifications";
    const PATH: &str = "/org/freedesktop/Notifications";

    /// Shows the call's notification and waits for a button (`Some(action key)`), for
    /// the server to close it (`None`), or for `stopped` (the call no longer rings:
    /// the notification is closed, `None`).
    pub async fn show(call: &LiveCallView, stopped: oneshot::Receiver<()>) -> zbus::Result<Option<String>> {
        let connection = Connection::session().await?;
        let rule =
            MatchRule::builder().msg_type(message::Type::Signal).sender(SERVER)?.interface(SERVER)?.path(PATH)?.build();
        let mut signals = MessageStream::for_match_rule(rule, &connection, Some(16)).await?;

        let (title, body) = words(call);
        let actions = ["default", "Open Dialtone", "answer", "Answer", "decline", "Decline"];
        let hints = HashMap::from([
            ("category", Value::from("call.incoming")),
            ("urgency", Value::U8(2)),
            ("resident", Value::Bool(true)),
            ("desktop-entry", Value::from("dialtone")),
        ]);
        let never_expires = 0i32;
        let reply = connection
            .call_method(
                Some(SERVER),
                PATH,
                Some(SERVER),
                "Notify",
                &("Dialtone", 0u32, "call-start", title.as_str(), body.as_str(), &actions[..], hints, never_expires),
            )
            .await?;
        let id: u32 = reply.body().deserialize()?;

        let chosen = tokio::select! {
            chosen = wait(&mut signals, id) => chosen,
            _ = stopped => None,
        };
        // Resident, so a server that keeps it after a button must be told it is done;
        // one that already closed it answers with an error, which changes nothing.
        let _ = connection.call_method(Some(SERVER), PATH, Some(SERVER), "CloseNotification", &(id,)).await;
        Ok(chosen)
    }

    /// The first `ActionInvoked` or `NotificationClosed` for notification `id`.
    async fn wait(signals: &mut MessageStream, id: u32) -> Option<String> {
        while let Some(Ok(signal)) = signals.next().await {
            let header = signal.header();
            match header.member().map(|member| member.as_str()) {
                Some("ActionInvoked") => {
                    if let Ok((of, action)) = signal.body().deserialize::<(u32, String)>()
                        && of == id
                    {
                        return Some(action);
                    }
                }
                Some("NotificationClosed") => {
                    if let Ok((of, _reason)) = signal.body().deserialize::<(u32, u32)>()
                        && of == id
                    {
                        return None;
                    }
                }
                _ => {}
            }
        }
        None
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn notify(_app: &AppHandle, _call: &LiveCallView) -> Option<oneshot::Sender<()>> {
    None
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
            notice: None,
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
