//! What the speaker and microphone streams share: choosing a stream format, and the
//! flags an audio callback raises for the thread that owns the stream.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use cpal::traits::DeviceTrait;
use cpal::{BufferSize, SampleFormat, SupportedBufferSize, SupportedStreamConfig};

use crate::codec::RATE;
use crate::devices::{Direction, Picked};
use crate::error::{AudioError, Result};

/// How much a call's device buffers per callback: 10 ms keeps the pipeline's latency low
/// (the sound server then holds two such buffers of a speaker's sound, 20 ms).
pub const DEVICE_BUFFER_MS: u32 = 10;

/// How much a speaker playing tones (keys, ringer, prompts) buffers per callback. The
/// sound server holds 50 to 100 ms of it, so the sound rides out the audio thread
/// not running for 50 ms or more. A key once broke in two on a busy machine (issue #10)
/// when the 20 ms a call's buffers hold ran dry: the thread had been off the CPU for
/// 60 to 90 ms. A key played on a speaker already open can come up to 100 ms late; on
/// a speaker just opened (the `tone` command, the ringer) the first buffer is the tone.
pub const TONE_BUFFER_MS: u32 = 50;

/// How often a stream that reports no error checks that its device is still listed.
/// Through cpal's PulseAudio client, a stream whose sink is removed just stops: no
/// error reaches the callback (tests/pulse.rs unplugs a sink and sees this). A second
/// of silence before falling back is the price of asking the server once a second.
pub const PRESENCE_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// The formats a callback converts from and to.
const FORMATS: [SampleFormat; 3] = [SampleFormat::F32, SampleFormat::I16, SampleFormat::I32];

/// The device buffer of a call's streams: [`DEVICE_BUFFER_MS`], or
/// `DIALTONE_AUDIO_BUFFER_MS` (1 to 500) for hardware that crackles.
pub fn call_buffer_ms() -> u32 {
    std::env::var("DIALTONE_AUDIO_BUFFER_MS")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|ms| (1..=500).contains(ms))
        .unwrap_or(DEVICE_BUFFER_MS)
}

/// The device buffer of a speaker playing tones: [`TONE_BUFFER_MS`], or a call's if
/// that is set larger.
pub fn tone_buffer_ms() -> u32 {
    call_buffer_ms().max(TONE_BUFFER_MS)
}

/// Chooses a stream format: 48 kHz when the device takes it (so nothing is resampled
/// on our side), mono when it can, a sample format we convert, and buffers of
/// `buffer_ms` per callback.
pub fn choose_config(
    picked: &Picked,
    direction: Direction,
    buffer_ms: u32,
) -> Result<(cpal::StreamConfig, SampleFormat)> {
    let device = &picked.device;
    let open_error = |reason: String| AudioError::Open { direction, name: picked.info.name.clone(), reason };
    let default = match direction {
        Direction::Input => device.default_input_config(),
        Direction::Output => device.default_output_config(),
    }
    .map_err(|e| open_error(e.to_string()))?;
    let ranges: Vec<_> = match direction {
        Direction::Input => device.supported_input_configs().map(|r| r.collect()),
        Direction::Output => device.supported_output_configs().map(|r| r.collect()),
    }
    .unwrap_or_default();

    let mut best: Option<(u32, SupportedStreamConfig)> = None;
    for range in ranges {
        let Some(format_rank) = FORMATS.iter().position(|f| *f == range.sample_format()) else {
            continue;
        };
        let channel_rank = if range.channels() == 1 {
            0
        } else if range.channels() == default.channels() {
            1
        } else {
            continue;
        };
        let Some(config) = range.try_with_sample_rate(RATE) else { continue };
        let rank = channel_rank * 10 + format_rank as u32;
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, config));
        }
    }
    let supported = match best {
        Some((_, config)) => config,
        None if FORMATS.contains(&default.sample_format()) => default,
        None => {
            return Err(open_error(format!(
                "it only offers {} samples, which Dialtone cannot use",
                default.sample_format()
            )));
        }
    };
    let mut config = supported.config();
    let frames = supported.sample_rate() * buffer_ms / 1000;
    config.buffer_size = match supported.buffer_size() {
        SupportedBufferSize::Range { min, max } if (*min..=*max).contains(&frames) => BufferSize::Fixed(frames),
        _ => BufferSize::Default,
    };
    Ok((config, supported.sample_format()))
}

/// Raised by callbacks, read by the owning thread.
#[derive(Debug, Default)]
pub struct StreamFlags {
    /// The stream reported an error it cannot recover from (device gone, server gone).
    pub failed: AtomicBool,
    /// Underruns (speaker: the sound server ran out of sound to play, see
    /// [`crate::Speaker::underruns`]) or buffers the callback could not hand over
    /// (microphone).
    pub glitches: AtomicU64,
}

impl StreamFlags {
    /// Whether the stream must be rebuilt.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// The error callback: everything but a reroute or a real-time refusal ends the stream.
    pub fn on_error(&self, error: &cpal::Error) {
        use cpal::ErrorKind;
        match error.kind() {
            ErrorKind::DeviceChanged | ErrorKind::RealtimeDenied => {
                tracing::info!("audio stream: {error}");
            }
            _ => {
                tracing::warn!("audio stream failed: {error}");
                self.failed.store(true, Ordering::Release);
            }
        }
    }
}
