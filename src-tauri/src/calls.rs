//! The commands for providers, calls (and the dialpad's preview of the number being
//! typed) and QR codes. Each forwards to
//! `dialtone_core::service::Dialtone`; secrets cross only one way: the UI can set or
//! delete one, and learns only whether each is stored.

use std::collections::BTreeMap;

use dialtone_core::numbers::{NumberPreview, preview};
use dialtone_core::providers::{CallStatus, Kind, KindInfo, Placed};
use dialtone_core::qr::Qr;
use dialtone_core::redact::SecretString;
use dialtone_core::service::{CallControl, ProviderView, Save};
use dialtone_core::{CancellationToken, Error};
use tauri::{AppHandle, State};

use crate::{AppState, page};

/// How the number being typed reads, in the default region.
#[tauri::command]
#[specta::specta]
pub fn preview_number(state: State<'_, AppState>, text: String) -> Result<NumberPreview, Error> {
    let region = state.dialtone.settings()?.region;
    Ok(preview(&text, region.as_deref()))
}

#[tauri::command]
#[specta::specta]
pub fn provider_kinds(state: State<'_, AppState>) -> Vec<KindInfo> {
    state.dialtone.kinds()
}

#[tauri::command]
#[specta::specta]
pub async fn list_providers(state: State<'_, AppState>) -> Result<Vec<ProviderView>, Error> {
    // Asks the keychain which secrets are stored: never on the window's main thread.
    crate::people::off_main(&state, |d| d.providers()).await
}

/// Adds a provider; `kind` is a kind id or a ready definition (`twilio`).
#[tauri::command]
#[specta::specta]
pub fn add_provider(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    kind: String,
    settings: BTreeMap<String, String>,
) -> Result<ProviderView, Error> {
    let view = state.dialtone.save_provider(&name, &kind, settings, Save::Add)?;
    crate::phone::reconnect_if_line(&app, &name, view.kind == Kind::Sip);
    Ok(view)
}

#[tauri::command]
#[specta::specta]
pub fn update_provider(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    kind: String,
    settings: BTreeMap<String, String>,
) -> Result<ProviderView, Error> {
    let view = state.dialtone.save_provider(&name, &kind, settings, Save::Update)?;
    crate::phone::reconnect_if_line(&app, &name, view.kind == Kind::Sip);
    Ok(view)
}

/// Removes a provider and its keychain entries.
#[tauri::command]
#[specta::specta]
pub fn remove_provider(app: AppHandle, state: State<'_, AppState>, name: String) -> Result<(), Error> {
    let was_line = crate::phone::is_line(&state.dialtone, &name);
    state.dialtone.remove_provider(&name)?;
    crate::phone::reconnect_if_line(&app, &name, was_line);
    Ok(())
}

/// Stores a secret in the keychain. Write-only: nothing ever returns it.
#[tauri::command]
#[specta::specta]
pub async fn set_secret(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    field: String,
    value: String,
) -> Result<(), Error> {
    let secret = SecretString::from(value);
    let provider = name.clone();
    crate::people::off_main(&state, move |d| d.set_secret(&name, &field, &secret)).await?;
    crate::phone::reconnect_if_line(&app, &provider, crate::phone::is_line(&state.dialtone, &provider));
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub fn delete_secret(state: State<'_, AppState>, name: String, field: String) -> Result<(), Error> {
    state.dialtone.delete_secret(&name, &field)
}

/// Sets the default region; returns it as stored (`gb` → `GB`).
#[tauri::command]
#[specta::specta]
pub fn set_region(state: State<'_, AppState>, region: String) -> Result<String, Error> {
    state.dialtone.set_region(&region)
}

#[tauri::command]
#[specta::specta]
pub fn set_default_provider(state: State<'_, AppState>, name: String) -> Result<(), Error> {
    state.dialtone.set_default_provider(&name)
}

/// Places a call. `attempt` is chosen by the UI so that [`stop_waiting`] can name it
/// while it runs (Fractel's request waits until the callee answers).
#[tauri::command]
#[specta::specta]
pub async fn place_call(
    app: AppHandle,
    state: State<'_, AppState>,
    attempt: u32,
    target: String,
    via: Option<String>,
) -> Result<Placed, Error> {
    let dialtone = state.dialtone.clone();
    run_attempt(&app, &state, attempt, move |control| async move {
        dialtone.place_call(&target, via.as_deref(), control).await
    })
    .await
}

/// Runs one way of starting a call (dial, redial) under a [`CallControl`]: the UI
/// stops it through `attempt`, and hears each of the core's [`CallEvent`]s as a
/// [`page::CALL_EVENT`]. The core records the outcome, cancelled included; a task that
/// panicked is a bug, reported as one rather than as "cancelled".
///
/// [`CallEvent`]: dialtone_core::service::CallEvent
pub(crate) async fn run_attempt<F>(
    app: &AppHandle,
    state: &AppState,
    attempt: u32,
    start: impl FnOnce(CallControl) -> F,
) -> Result<Placed, Error>
where
    F: std::future::Future<Output = Result<Placed, Error>> + Send + 'static,
{
    let cancel = CancellationToken::new();
    state.attempts.lock().unwrap_or_else(|p| p.into_inner()).insert(attempt, cancel.clone());
    let page = app.clone();
    let control = CallControl::from(cancel).reporting(move |event| {
        page::dispatch(&page, page::CALL_EVENT, Some(&page::CallUpdate { attempt, event }));
    });
    let result = tauri::async_runtime::spawn(start(control)).await;
    state.attempts.lock().unwrap_or_else(|p| p.into_inner()).remove(&attempt);
    match result {
        Ok(placed) => {
            if let Ok(placed) = &placed {
                crate::facetime_audio::keep(state, placed);
            }
            placed
        }
        Err(err) => {
            tracing::error!("placing a call stopped unexpectedly: {err}");
            Err(Error::internal("Placing the call stopped unexpectedly. It may or may not have been placed."))
        }
    }
}

/// Stops waiting for a call being placed; false when it had already finished.
#[tauri::command]
#[specta::specta]
pub fn stop_waiting(state: State<'_, AppState>, attempt: u32) -> bool {
    match state.attempts.lock().unwrap_or_else(|p| p.into_inner()).remove(&attempt) {
        Some(cancel) => {
            cancel.cancel();
            true
        }
        None => false,
    }
}

#[tauri::command]
#[specta::specta]
pub async fn hang_up(state: State<'_, AppState>, call_id: String, via: Option<String>) -> Result<(), Error> {
    state.dialtone.hang_up(&call_id, via.as_deref()).await
}

#[tauri::command]
#[specta::specta]
pub async fn call_status(
    state: State<'_, AppState>,
    call_id: String,
    via: Option<String>,
) -> Result<CallStatus, Error> {
    state.dialtone.call_status(&call_id, via.as_deref()).await
}

/// The QR code of a link, as SVG, drawn in Rust.
#[tauri::command]
#[specta::specta]
pub fn qr_svg(text: String) -> Result<String, Error> {
    Ok(Qr::encode(&text)?.svg())
}

#[cfg(test)]
mod tests {
    use dialtone_core::providers::CallOutcome;

    use super::*;

    /// The exact JSON the UI receives for a provider error.
    #[test]
    fn a_provider_error_reaches_the_ui_as_code_and_message() {
        let err = Error::new(
            dialtone_core::ErrorCode::ProviderUnavailable,
            "work (Blooio FaceTime link): Blooio has FaceTime calling switched off for now",
        );
        assert_eq!(
            tauri::ipc::InvokeError::from(err).0,
            serde_json::json!({
                "code": "provider_unavailable",
                "message": "work (Blooio FaceTime link): Blooio has FaceTime calling switched off for now",
            })
        );
    }

    /// The window gets a placed call in the very shape `dialtone call --json` prints.
    #[test]
    fn a_placed_call_reaches_the_ui_as_the_cli_prints_it_without_the_agora_token() {
        let placed = Placed {
            provider: "sb".into(),
            kind: Kind::Sendblue,
            to: "+14155550123".into(),
            outcome: CallOutcome::LiveAudio {
                agora: dialtone_core::providers::AgoraSession {
                    app_id: "a".into(),
                    channel_name: "c".into(),
                    uid: 7,
                    token: SecretString::from("tok-secret"),
                },
            },
        };
        assert_eq!(
            serde_json::to_value(&placed).unwrap(),
            serde_json::json!({
                "provider": "sb", "kind": "sendblue", "to": "+14155550123",
                "type": "live_audio", "agora": {"appId": "a", "channelName": "c", "uid": 7},
            })
        );
    }
}
