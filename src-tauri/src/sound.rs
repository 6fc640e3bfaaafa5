//! The commands for sound: devices, keypad tones, the microphone meter, the speaker
//! test and the echo test. Each forwards to `dialtone_audio::engine::Engine`, which
//! reports back through one DOM event, [`crate::page::AUDIO_EVENT`], on the page's window.

use dialtone_audio::engine::{Devices, Engine, EngineEvent};
use dialtone_audio::{AudioError, Tone};
use dialtone_core::settings::{AudioDevices, CallAudio, RingtoneSettings};
use dialtone_core::{Error, ErrorCode};
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::AppState;

/// The running audio engine.
#[derive(Debug)]
pub struct Sound(pub Engine);

/// Starts the engine with the devices in the settings; its reports go to the window.
pub fn start(app: &AppHandle, chosen: &AudioDevices) -> Sound {
    let handle = app.clone();
    Sound(Engine::start(devices(chosen), move |event| dispatch(&handle, &event)))
}

fn devices(chosen: &AudioDevices) -> Devices {
    Devices { input: chosen.input.clone(), output: chosen.output.clone(), ringer: chosen.ringer.clone() }
}

fn dispatch(app: &AppHandle, event: &EngineEvent) {
    if let EngineEvent::Notice { message } = event {
        tracing::warn!("{message}");
    }
    crate::page::dispatch(app, crate::page::AUDIO_EVENT, Some(event));
}

/// An engine error for the UI: no device is `audio_unavailable`, the rest bad input.
pub fn to_error(err: AudioError) -> Error {
    let code = if err.is_unavailable() { ErrorCode::AudioUnavailable } else { ErrorCode::InvalidInput };
    Error::new(code, err.to_string())
}

/// One device in a picker.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AudioDeviceView {
    pub id: String,
    pub name: String,
    pub is_default: bool,
}

/// Everything Settings → Audio shows.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct AudioDevicesView {
    /// The sound system (PipeWire, PulseAudio, ALSA, CoreAudio, WASAPI).
    pub host: String,
    pub inputs: Vec<AudioDeviceView>,
    pub outputs: Vec<AudioDeviceView>,
    /// What the person chose (`null`: the system default).
    pub chosen: AudioDevices,
    /// Echo cancellation, noise suppression and automatic gain in live calls.
    pub call_audio: CallAudio,
    /// Whether this build can do them at all (not on Windows yet).
    pub call_audio_available: bool,
    /// What an incoming call rings with, and how loud.
    pub ringtone: RingtoneSettings,
}

fn view(devices: Vec<dialtone_audio::DeviceInfo>) -> Vec<AudioDeviceView> {
    devices.into_iter().map(|d| AudioDeviceView { id: d.id, name: d.name, is_default: d.is_default }).collect()
}

#[tauri::command]
#[specta::specta]
pub async fn audio_devices(state: State<'_, AppState>) -> Result<AudioDevicesView, Error> {
    let settings = state.dialtone.settings()?;
    let (chosen, call_audio, ringtone) = (settings.audio, settings.call_audio, settings.ringtone);
    // Asking the sound server takes a round trip or two: not on the UI's thread.
    let list = tokio::task::spawn_blocking(dialtone_audio::devices::list)
        .await
        .map_err(|err| Error::internal(format!("Listing sound devices failed: {err}")))?
        .map_err(to_error)?;
    Ok(AudioDevicesView {
        host: list.host,
        inputs: view(list.inputs),
        outputs: view(list.outputs),
        chosen,
        call_audio,
        call_audio_available: dialtone_audio::processing::AVAILABLE,
        ringtone,
    })
}

#[tauri::command]
#[specta::specta]
pub fn set_audio_devices(
    state: State<'_, AppState>,
    sound: State<'_, Sound>,
    devices: AudioDevices,
) -> Result<AudioDevices, Error> {
    let saved = state.dialtone.set_audio_devices(devices)?;
    sound.0.set_devices(self::devices(&saved)).map_err(to_error)?;
    Ok(saved)
}

/// Turns a live call's echo cancellation, noise suppression or automatic gain on or
/// off; returns them as saved. The next call uses them.
#[tauri::command]
#[specta::specta]
pub fn set_call_audio(state: State<'_, AppState>, call_audio: CallAudio) -> Result<CallAudio, Error> {
    state.dialtone.set_call_audio(call_audio)
}

/// Chooses what an incoming call rings with, and how loud; returns it as saved.
#[tauri::command]
#[specta::specta]
pub fn set_ringtone(state: State<'_, AppState>, ringtone: RingtoneSettings) -> Result<RingtoneSettings, Error> {
    state.dialtone.set_ringtone(ringtone)
}

/// One pass of a ringtone at a volume, on the ringer, as a call would ring (tried
/// before it is chosen, so it takes what the person is looking at, not the saved one).
#[tauri::command]
#[specta::specta]
pub fn try_ringtone(sound: State<'_, Sound>, ringtone: RingtoneSettings) -> Result<(), Error> {
    ringtone.check().map_err(Error::invalid_input)?;
    sound.0.ring(ringtone.sample()).map_err(to_error)
}

/// The tone of a dialpad key (0-9, *, #, A-D).
#[tauri::command]
#[specta::specta]
pub fn play_key(sound: State<'_, Sound>, key: String) -> Result<(), Error> {
    let mut chars = key.chars();
    let (Some(key), None) = (chars.next(), chars.next()) else {
        return Err(Error::invalid_input(format!("“{key}” is not one keypad key")));
    };
    sound.0.key(key).map_err(to_error)
}

/// One second of 440 Hz on the speaker.
#[tauri::command]
#[specta::specta]
pub fn test_speaker(sound: State<'_, Sound>) -> Result<(), Error> {
    sound.0.play(Tone::Sine { freq: 440, ms: 1000 }).map_err(to_error)
}

/// One second of 880 Hz on the ringer (the speaker when none is chosen).
#[tauri::command]
#[specta::specta]
pub fn test_ringer(sound: State<'_, Sound>) -> Result<(), Error> {
    sound.0.ring(Tone::Sine { freq: 880, ms: 1000 }).map_err(to_error)
}

/// The short error tone, when a call could not be placed.
#[tauri::command]
#[specta::specta]
pub fn play_error_tone(sound: State<'_, Sound>) -> Result<(), Error> {
    sound.0.play(Tone::Error).map_err(to_error)
}

/// Turns the microphone meter on (levels 20 times a second) or off.
#[tauri::command]
#[specta::specta]
pub fn microphone_meter(sound: State<'_, Sound>, on: bool) -> Result<(), Error> {
    sound.0.meter(on).map_err(to_error)
}

#[tauri::command]
#[specta::specta]
pub fn start_echo_test(sound: State<'_, Sound>, seconds: u32) -> Result<(), Error> {
    sound.0.echo_test(seconds).map_err(to_error)
}

#[tauri::command]
#[specta::specta]
pub fn stop_echo_test(sound: State<'_, Sound>) -> Result<(), Error> {
    sound.0.stop_echo_test().map_err(to_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_device_is_audio_unavailable_and_a_bad_key_is_invalid_input() {
        let err = to_error(AudioError::NoDevice(dialtone_audio::Direction::Output));
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::json!({"code": "audio_unavailable", "message": "No speaker was found. Plug one in, or choose another in Settings → Audio."})
        );
        assert_eq!(to_error(AudioError::InvalidInput("x".into())).code, ErrorCode::InvalidInput);
    }
}
