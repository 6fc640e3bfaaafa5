//! Capture: the chosen microphone's samples, its level, and mute.
//!
//! The audio callback mixes the device's channels down to mono, silences them when
//! muted, keeps the loudest level since the meter last looked (an atomic, no lock), and
//! writes the samples into a wait-free ring the pipeline's thread reads.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{InputCallbackInfo, SampleFormat, SizedSample};

use crate::analysis::amplitude_to_dbfs;
use crate::devices::{self, DeviceInfo, Direction, Fallback};
use crate::error::{AudioError, Result};
use crate::stream::{PRESENCE_CHECK, StreamFlags, call_buffer_ms, choose_config};

#[derive(Debug, Default)]
struct Shared {
    flags: StreamFlags,
    muted: AtomicBool,
    /// Loudest RMS level since the meter was last read, as `f32` bits. For positive
    /// floats the bit patterns order like the values, so `fetch_max` works on them.
    level_bits: AtomicU32,
}

/// An open microphone.
pub struct Microphone {
    stream: cpal::Stream,
    samples: rtrb::Consumer<f32>,
    shared: Arc<Shared>,
    rate: u32,
    info: DeviceInfo,
    checked_at: Instant,
}

impl std::fmt::Debug for Microphone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Microphone").field("device", &self.info).field("rate", &self.rate).finish()
    }
}

struct Callback {
    samples: rtrb::Producer<f32>,
    channels: usize,
    shared: Arc<Shared>,
    /// The meter's window: 10 ms of frames. The level is the RMS of whole windows,
    /// carried across callbacks, never of one callback's block: on a busy machine a
    /// block can be a few frames, whose RMS is near the peak (up to 3 dB above the true
    /// level of a sine), so the meter jumped with the driver's timing.
    window: usize,
    window_sum: f32,
    window_len: usize,
}

impl Callback {
    fn take<T: SizedSample>(&mut self, data: &[T], _info: &InputCallbackInfo)
    where
        f32: cpal::FromSample<T>,
    {
        let muted = self.shared.muted.load(Ordering::Relaxed);
        let frames = data.len() / self.channels;
        let (window, mut sum, mut len, mut loudest) = (self.window, self.window_sum, self.window_len, 0.0f32);
        let writable = frames.min(self.samples.slots());
        if writable < frames {
            self.shared.flags.glitches.fetch_add(1, Ordering::Relaxed);
        }
        let scale = 1.0 / self.channels as f32;
        let mono = data.chunks(self.channels).map(|frame| {
            let s: f32 = frame.iter().map(|x| x.to_sample::<f32>()).sum::<f32>() * scale;
            if muted { 0.0 } else { s }
        });
        if let Ok(chunk) = self.samples.write_chunk_uninit(writable) {
            chunk.fill_from_iter(mono.inspect(|s| {
                sum += s * s;
                len += 1;
                if len == window {
                    loudest = loudest.max((sum / window as f32).sqrt());
                    (sum, len) = (0.0, 0);
                }
            }));
        }
        (self.window_sum, self.window_len) = (sum, len);
        if loudest > 0.0 {
            self.shared.level_bits.fetch_max(loudest.to_bits(), Ordering::AcqRel);
        }
    }
}

impl Microphone {
    /// Opens the microphone with id `wanted` (the default when `None` or not there).
    pub fn open(wanted: Option<&str>) -> Result<(Self, Option<Fallback>)> {
        let picked = devices::pick(Direction::Input, wanted)?;
        let (config, format) = choose_config(&picked, Direction::Input, call_buffer_ms())?;
        let rate = config.sample_rate;
        // One second of headroom: the pipeline reads every few milliseconds.
        let (samples_tx, samples_rx) = rtrb::RingBuffer::new(rate as usize);
        let shared = Arc::new(Shared::default());
        let callback = Callback {
            samples: samples_tx,
            channels: usize::from(config.channels.max(1)),
            shared: shared.clone(),
            window: (config.sample_rate as usize / 100).max(1),
            window_sum: 0.0,
            window_len: 0,
        };
        let errors = shared.clone();
        let on_error = move |e: cpal::Error| errors.flags.on_error(&e);
        let device = &picked.device;
        let timeout = Some(Duration::from_secs(5));
        let built = match format {
            SampleFormat::F32 => device.build_input_stream::<f32, _, _>(config, run(callback), on_error, timeout),
            SampleFormat::I16 => device.build_input_stream::<i16, _, _>(config, run(callback), on_error, timeout),
            _ => device.build_input_stream::<i32, _, _>(config, run(callback), on_error, timeout),
        };
        let open_error = |e: cpal::Error| AudioError::Open {
            direction: Direction::Input,
            name: picked.info.name.clone(),
            reason: e.to_string(),
        };
        let stream = built.map_err(open_error)?;
        stream.play().map_err(open_error)?;
        let microphone =
            Microphone { stream, samples: samples_rx, shared, rate, info: picked.info, checked_at: Instant::now() };
        Ok((microphone, picked.fallback))
    }

    /// The device capturing now.
    pub fn device(&self) -> &DeviceInfo {
        &self.info
    }

    /// The device's sample rate: what [`Microphone::read`] gives.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Appends every captured sample not read yet to `out`.
    pub fn read(&mut self, out: &mut Vec<f32>) {
        let ready = self.samples.slots();
        if let Ok(chunk) = self.samples.read_chunk(ready) {
            let (a, b) = chunk.as_slices();
            out.extend_from_slice(a);
            out.extend_from_slice(b);
            chunk.commit_all();
        }
    }

    /// Mutes or unmutes: muted, the microphone still runs but delivers silence.
    pub fn set_muted(&self, muted: bool) {
        self.shared.muted.store(muted, Ordering::Relaxed);
    }

    /// Whether it is muted.
    pub fn is_muted(&self) -> bool {
        self.shared.muted.load(Ordering::Relaxed)
    }

    /// The loudest level since the last call, in dBFS. Read it at a steady rate (the
    /// engine does, 20 times a second) to draw a meter.
    pub fn take_level_dbfs(&self) -> f32 {
        let bits = self.shared.level_bits.swap(0, Ordering::AcqRel);
        amplitude_to_dbfs(f32::from_bits(bits))
    }

    /// Times the pipeline fell so far behind that captured sound was dropped.
    pub fn overruns(&self) -> u64 {
        self.shared.flags.glitches.load(Ordering::Relaxed)
    }

    /// Reopens on the default device if this one failed or disappeared, and says so.
    pub fn check(&mut self) -> Result<Option<Fallback>> {
        let failed = self.shared.flags.has_failed();
        let gone = !failed && self.checked_at.elapsed() >= PRESENCE_CHECK && {
            self.checked_at = Instant::now();
            !devices::is_present(Direction::Input, &self.info.id)
        };
        if !failed && !gone {
            return Ok(None);
        }
        let lost = self.info.name.clone();
        let muted = self.is_muted();
        let (replacement, _) = Microphone::open(None)?;
        replacement.set_muted(muted);
        *self = replacement;
        let fallback = Fallback { direction: Direction::Input, wanted: lost, used: self.info.name.clone() };
        tracing::warn!("{}", fallback.message());
        Ok(Some(fallback))
    }

    /// Stops capturing (dropping does the same).
    pub fn pause(&self) {
        let _ = self.stream.pause();
    }
}

fn run<T: SizedSample>(mut callback: Callback) -> impl FnMut(&[T], &InputCallbackInfo) + Send + 'static
where
    f32: cpal::FromSample<T>,
{
    move |data, info| callback.take(data, info)
}
