//! The commands for live calls through SIP accounts (dial, answer, decline, hang up,
//! hold, mute, keypad, Do not disturb), forwarding to
//! `dialtone_core::service::DeskPhone`, and what the desktop does as calls come and
//! go: each [`PhoneUpdate`] goes to the page as a [`page::PHONE_EVENT`], and a call
//! that rings in rings on the desktop ([`crate::incoming`]).

use dialtone_core::Error;
use dialtone_core::service::{DeskPhone, LineView, LiveCallView, PhoneUpdate};
use tauri::{AppHandle, Manager, State};

use crate::page;

/// The window's phone, in Tauri's state.
#[derive(Debug)]
pub struct Desk(pub DeskPhone);

/// Builds the phone and registers every SIP account in the background.
pub fn start(app: &AppHandle, dialtone: dialtone_core::service::Dialtone) -> Desk {
    let handle = app.clone();
    let ringing = crate::incoming::Ringing::default();
    let phone = DeskPhone::new(dialtone, move |update| {
        match &update {
            PhoneUpdate::Call { call, .. } => crate::incoming::follow(&handle, &ringing, call),
            PhoneUpdate::Lines { lines } => crate::tray::show_lines(&handle, lines),
            PhoneUpdate::DoNotDisturb { on } => crate::tray::show_do_not_disturb(&handle, *on),
        }
        page::dispatch(&handle, page::PHONE_EVENT, Some(&update));
    });
    let connecting = phone.clone();
    tauri::async_runtime::spawn(async move {
        connecting.connect().await;
    });
    Desk(phone)
}

/// Registers the lines afresh, in the background, when provider `name` is (or was)
/// a SIP account: its settings or password changed, or it was removed.
pub fn reconnect_if_line(app: &AppHandle, name: &str, was_line: bool) {
    let Some(desk) = app.try_state::<Desk>() else { return };
    let is_line = was_line || desk.0.lines().iter().any(|l| l.account == name);
    if is_line {
        let phone = desk.0.clone();
        tauri::async_runtime::spawn(async move {
            phone.connect().await;
        });
    }
}

/// Whether provider `name` is a SIP account in the settings now.
pub fn is_line(dialtone: &dialtone_core::service::Dialtone, name: &str) -> bool {
    dialtone
        .settings()
        .is_ok_and(|s| s.providers.get(name).is_some_and(|c| c.kind == dialtone_core::providers::Kind::Sip))
}

#[tauri::command]
#[specta::specta]
pub fn phone_lines(desk: State<'_, Desk>) -> Vec<LineView> {
    desk.0.lines()
}

/// Registers every SIP account afresh (after one was added, changed or given its
/// password); returns once each has registered or failed.
#[tauri::command]
#[specta::specta]
pub async fn connect_lines(desk: State<'_, Desk>) -> Result<Vec<LineView>, Error> {
    Ok(desk.0.connect().await)
}

/// The calls in progress (a page that has just loaded catches up with them).
#[tauri::command]
#[specta::specta]
pub fn live_calls(desk: State<'_, Desk>) -> Vec<LiveCallView> {
    desk.0.calls()
}

/// Calls `target` through a SIP account; the call's progress arrives as events.
#[tauri::command]
#[specta::specta]
pub async fn dial_live(desk: State<'_, Desk>, target: String, via: Option<String>) -> Result<LiveCallView, Error> {
    desk.0.dial(&target, via.as_deref()).await
}

#[tauri::command]
#[specta::specta]
pub fn answer_call(desk: State<'_, Desk>, call: u32) -> Result<(), Error> {
    desk.0.answer(call)
}

/// Declines a ringing call: the caller hears busy (486).
#[tauri::command]
#[specta::specta]
pub fn decline_call(desk: State<'_, Desk>, call: u32) -> Result<(), Error> {
    desk.0.decline(call)
}

#[tauri::command]
#[specta::specta]
pub fn end_call(desk: State<'_, Desk>, call: u32) -> Result<(), Error> {
    desk.0.hang_up(call)
}

#[tauri::command]
#[specta::specta]
pub fn hold_call(desk: State<'_, Desk>, call: u32, on: bool) -> Result<(), Error> {
    desk.0.hold(call, on)
}

#[tauri::command]
#[specta::specta]
pub fn mute_call(desk: State<'_, Desk>, call: u32, on: bool) -> Result<(), Error> {
    desk.0.mute(call, on)
}

/// Moves a call's sound to another microphone and speaker (`null`: the system
/// default), for this call only.
#[tauri::command]
#[specta::specta]
pub fn switch_call_devices(
    desk: State<'_, Desk>,
    call: u32,
    microphone: Option<String>,
    speaker: Option<String>,
) -> Result<(), Error> {
    desk.0.switch_devices(call, microphone, speaker)
}

/// Sends keypad keys into a call (the page plays their tones here as well).
#[tauri::command]
#[specta::specta]
pub fn send_dtmf(desk: State<'_, Desk>, call: u32, digits: String) -> Result<(), Error> {
    desk.0.dtmf(call, &digits)
}

/// Turns Do not disturb on or off; returns it as saved.
#[tauri::command]
#[specta::specta]
pub fn set_do_not_disturb(desk: State<'_, Desk>, on: bool) -> Result<bool, Error> {
    let on = desk.0.set_do_not_disturb(on)?;
    tracing::info!(on, "do not disturb");
    Ok(on)
}
