//! Dialtone's audio engine, free of any window toolkit.
//!
//! The desktop's side of a call's sound, in small modules with one job each:
//!
//! - [`devices`]: microphones and speakers by stable id, and falling back to the
//!   default when the chosen one is gone.
//! - [`tones`]: DTMF keys (ITU-T Q.23), ringback, busy and error tones by region.
//! - [`speaker`] and [`microphone`]: the device streams. Their audio callbacks only
//!   touch wait-free rings (`rtrb`) and atomics: no allocation, lock or blocking call.
//! - [`resample`], [`codec`], [`jitter`]: the path a call's audio takes between the
//!   devices and the network: to 48 kHz, Opus in 20 ms frames, an adaptive jitter buffer
//!   with loss concealment, and back.
//! - [`echo`]: the echo test, which runs that whole path through a loopback (optionally
//!   a [`netsim`] simulated network) so a person hears themselves a second later.
//! - [`processing`]: a call's microphone cleaned before it is sent: echo
//!   cancellation, noise suppression and automatic gain (WebRTC's audio processing).
//! - [`analysis`]: levels in dBFS and single-frequency power (Goertzel).
//!
//! A network transport for real calls plugs in where the echo test's loopback is: it
//! sends what [`echo::SendPath`] encodes and feeds what arrives to [`echo::ReceivePath`].

pub mod analysis;
pub mod codec;
pub mod devices;
pub mod echo;
pub mod engine;
pub mod error;
pub mod jitter;
pub mod microphone;
pub mod netsim;
pub mod processing;
mod realtime;
pub mod resample;
pub mod speaker;
pub mod stream;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod tones;

pub use devices::{DeviceInfo, DeviceList, Direction, Fallback};
pub use error::{AudioError, Result};
pub use microphone::Microphone;
pub use speaker::Speaker;
pub use tones::{Ringtone, Tone, ToneRegion};

/// Plays `tones` in turn on the speaker with id `device` (the default when `None`)
/// and waits until the last has been heard whole. Returns the fallback notice if the
/// chosen device was not there.
pub fn play_and_wait(tones: &[Tone], device: Option<&str>) -> Result<Option<Fallback>> {
    use std::time::{Duration, Instant};
    if tones.iter().any(Tone::repeats) {
        return Err(AudioError::InvalidInput("A repeating tone never ends; play it on a Speaker".to_owned()));
    }
    let total = Duration::from_millis(tones.iter().map(|t| u64::from(t.duration_ms())).sum::<u64>() + 3000);
    let deadline = Instant::now() + total;
    let (mut speaker, fallback) = Speaker::open(device)?;
    for tone in tones {
        // The callback takes commands as it plays them: on a long string, wait for room.
        while speaker.play(*tone).is_err() {
            if Instant::now() >= deadline {
                return Err(AudioError::Open {
                    direction: Direction::Output,
                    name: speaker.device().name.clone(),
                    reason: "it stopped taking sound.".to_owned(),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    speaker.drain(deadline.saturating_duration_since(Instant::now()))?;
    Ok(fallback)
}
