//! A Sendblue FaceTime call's audio: the Agora session joined in a page Dialtone
//! serves (`dialtone-agora`), shown in Dialtone's call window where this system's web
//! view has WebRTC, else in the person's default browser.
//!
//! The token never reaches the main window: placing the call keeps the session here
//! ([`keep`]), the page asks for it by nothing but its one-time address, and the main
//! window learns only the channel's events ([`AudioUpdate`]). The call window opens
//! the page as a remote URL with no capability, so nothing in it can call a command.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dialtone_agora::{Asset, Assets, CallPage, Callee, Failure, PageEvent, Timing};
use dialtone_core::Error;
use dialtone_core::providers::{AgoraSession, CallOutcome, Placed};
use serde::Serialize;
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_opener::OpenerExt;
use tokio::sync::oneshot;

use crate::{AppState, page};

/// The label of the call window.
pub const CALL_WINDOW: &str = "agora-call";

/// Sessions placed but not joined yet, and calls whose page is up, by channel.
#[derive(Debug, Default)]
pub struct AudioCalls {
    waiting: Mutex<HashMap<String, (AgoraSession, String)>>,
    running: Mutex<HashMap<String, oneshot::Sender<()>>>,
}

/// Keeps a just-placed Sendblue call's session for [`join_call_audio`].
pub fn keep(state: &AppState, placed: &Placed) {
    if let CallOutcome::LiveAudio { agora } = &placed.outcome {
        lock(&state.audio_calls.waiting).insert(agora.channel_name.clone(), (agora.clone(), placed.to.clone()));
    }
}

/// Where the call's audio is carried.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AudioRoute {
    /// Dialtone's own call window.
    Window,
    /// The person's default browser.
    Browser,
}

/// What the page reported, for the main window; `detail` of [`page::AUDIO_CALL_EVENT`].
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AudioUpdate {
    pub channel: String,
    pub event: PageEvent,
}

/// Joins a placed Sendblue call's audio at once (its token is short-lived): in the call
/// window when `in_app` (the main window found `RTCPeerConnection`), else in the browser.
#[tauri::command]
#[specta::specta]
pub async fn join_call_audio(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    channel: String,
    callee_name: Option<String>,
    in_app: bool,
) -> Result<AudioRoute, Error> {
    let Some((session, to)) = lock(&state.audio_calls.waiting).remove(&channel) else {
        return Err(Error::invalid_input("This call's audio session was already used. Call again for a new one."));
    };
    let number = dialtone_core::numbers::preview(&to, None).international.unwrap_or(to);
    let callee = Callee { name: callee_name, number };
    let assets: Arc<dyn Assets> = Arc::new(BuiltUi(app.clone()));
    let page = CallPage::serve(&session, &callee, assets, Timing::default())
        .await
        .map_err(|err| Error::internal(format!("Could not start the call page on this computer: {err}")))?;
    let route = if in_app { open_window(&app, &page, &callee) } else { None };
    let route = match route {
        Some(route) => route,
        None => {
            app.opener().open_url(page.url(), None::<&str>).map_err(|err| {
                Error::internal(format!(
                    "No browser could be opened for the call's audio: {err}. The FaceTime call may still ring."
                ))
            })?;
            AudioRoute::Browser
        }
    };
    let (hang_up, hung_up) = oneshot::channel();
    lock(&state.audio_calls.running).insert(channel.clone(), hang_up);
    tauri::async_runtime::spawn(follow(app, channel, page, hung_up, matches!(route, AudioRoute::Window)));
    Ok(route)
}

/// Hangs up from the main window: the page leaves the channel (or is given up after a
/// few seconds without an answer). False when the call had already ended.
#[tauri::command]
#[specta::specta]
pub fn leave_call_audio(state: tauri::State<'_, AppState>, channel: String) -> bool {
    lock(&state.audio_calls.running).remove(&channel).is_some_and(|hang_up| hang_up.send(()).is_ok())
}

fn open_window(app: &AppHandle, page: &CallPage, callee: &Callee) -> Option<AudioRoute> {
    if let Some(old) = app.get_webview_window(CALL_WINDOW) {
        let _ = old.destroy();
    }
    let url = page.url().parse().ok()?;
    let title = format!("FaceTime call with {}", callee.name.as_deref().unwrap_or(&callee.number));
    match WebviewWindowBuilder::new(app, CALL_WINDOW, WebviewUrl::External(url))
        .title(title)
        .inner_size(380.0, 520.0)
        .build()
    {
        Ok(_) => Some(AudioRoute::Window),
        Err(err) => {
            tracing::warn!("the call window could not be opened ({err}); using the browser");
            None
        }
    }
}

/// Relays the page's events to the main window until the call ends, then writes the
/// call's duration to the history and stops serving.
async fn follow(app: AppHandle, channel: String, mut page: CallPage, mut hung_up: oneshot::Receiver<()>, window: bool) {
    let mut connected: Option<Instant> = None;
    let mut asked_to_leave = false;
    let last = loop {
        let event = tokio::select! {
            biased;
            asked = &mut hung_up, if !asked_to_leave => {
                asked_to_leave = true;
                if asked.is_ok() {
                    page.hang_up();
                }
                continue;
            }
            event = next_or_give_up(&mut page, asked_to_leave) => event,
        };
        if event == PageEvent::RemoteJoined {
            connected.get_or_insert_with(Instant::now);
        }
        page::dispatch(&app, page::AUDIO_CALL_EVENT, Some(&AudioUpdate { channel: channel.clone(), event }));
        if event.ends_call() {
            break event;
        }
    };
    lock(&app.state::<AppState>().audio_calls.running).remove(&channel);
    drop(page);
    if window
        && (asked_to_leave || last == PageEvent::Left)
        && let Some(window) = app.get_webview_window(CALL_WINDOW)
    {
        let _ = window.destroy();
    }
    let duration = connected.map(|at| i64::try_from(at.elapsed().as_millis()).unwrap_or(i64::MAX));
    let state = app.state::<AppState>();
    if let Err(err) = state.dialtone.finish_live_audio(&channel, duration, how_it_ended(last, connected.is_some())) {
        tracing::warn!("could not write the call's end to the history: {}", err.message);
    }
}

/// The page's next event; after a hang-up, a page silent for 3 s counts as left.
async fn next_or_give_up(page: &mut CallPage, asked_to_leave: bool) -> PageEvent {
    let next = async { page.next_event().await.unwrap_or(PageEvent::Gone) };
    if asked_to_leave {
        tokio::time::timeout(Duration::from_secs(3), next).await.unwrap_or(PageEvent::Left)
    } else {
        next.await
    }
}

/// The history's words for how the call's audio ended.
pub fn how_it_ended(last: PageEvent, connected: bool) -> &'static str {
    match last {
        PageEvent::RemoteLeft => "The callee hung up.",
        PageEvent::Left if connected => "You hung up.",
        PageEvent::Left => "You hung up before the callee answered.",
        PageEvent::Gone => "The call page was closed.",
        PageEvent::Failed { reason } => match reason {
            Failure::TokenExpired => "No audio: the session expired before it was joined.",
            Failure::Refused => "No audio: Agora refused the session.",
            Failure::Network => "No audio: Agora's servers could not be reached.",
            Failure::MicrophoneDenied => "No audio: microphone permission was denied.",
            Failure::NoMicrophone => "No audio: no microphone was found.",
            Failure::MicrophoneBusy => "No audio: the microphone could not be opened.",
            Failure::Unsupported => "No audio: the browser has no WebRTC.",
            Failure::Other => "No audio: joining the call failed.",
        },
        _ => "Ended.",
    }
}

/// The call page's script and style, from the UI built into the app.
struct BuiltUi(AppHandle);

impl Assets for BuiltUi {
    fn get(&self, path: &str) -> Option<Asset> {
        let asset = self.0.asset_resolver().get(format!("/{path}"))?;
        Some(Asset { bytes: asset.bytes, mime: dialtone_agora::mime_of(path)? })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
