//! Playback: tones and a call's audio to the chosen speaker.
//!
//! The audio callback owns a [`ToneGen`] and the reading ends of two wait-free rings:
//! one of samples (a call's decoded audio) and one of tone commands (a key press). It
//! mixes the two into the device's buffer, never allocating, locking or blocking. The
//! [`Speaker`] keeps the writing ends, notices a device that went away and reopens on
//! the default, and lets a short sound finish ([`Speaker::drain`]) before it is dropped.
//!
//! A speaker for tones keeps 50 to 100 ms of sound queued in the sound server, a
//! call's 10 to 20 ms (see [`crate::stream::TONE_BUFFER_MS`]): when the audio thread is
//! kept off the CPU longer than what is queued, the server runs dry and the person
//! hears a gap. [`Speaker::underruns`] counts those.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, OutputCallbackInfo, SampleFormat, SizedSample};

use crate::devices::{self, DeviceInfo, Direction, Fallback};
use crate::error::{AudioError, Result};
use crate::stream::{PRESENCE_CHECK, StreamFlags, call_buffer_ms, choose_config, tone_buffer_ms};
use crate::tones::{Tone, ToneGen};

/// Largest callback handled in one pass; bigger ones are handled in pieces.
const SCRATCH: usize = 4096;

/// A tone command from the owning thread to the callback.
#[derive(Debug, Clone, Copy)]
enum Command {
    Play(Tone),
    Stop,
}

#[derive(Debug, Default)]
struct Shared {
    flags: StreamFlags,
    /// A tone plays or waits in the command ring.
    tone_busy: AtomicBool,
    /// Stream-clock nanoseconds at which the last sound written leaves the speaker.
    sound_until_ns: AtomicU64,
    /// The thread running the callback got real-time scheduling.
    realtime: AtomicBool,
    /// For tests: the next callback first sleeps this many milliseconds.
    #[cfg(feature = "test-support")]
    stall_ms: AtomicU64,
}

/// An open speaker. Dropping it stops the sound at once: call [`Speaker::drain`] first
/// to let it finish.
pub struct Speaker {
    stream: cpal::Stream,
    samples: rtrb::Producer<f32>,
    commands: rtrb::Producer<Command>,
    shared: Arc<Shared>,
    rate: u32,
    info: DeviceInfo,
    wanted: Option<String>,
    buffer_ms: u32,
    repeating: Option<Tone>,
    checked_at: Instant,
}

impl std::fmt::Debug for Speaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Speaker").field("device", &self.info).field("rate", &self.rate).finish()
    }
}

struct Callback {
    samples: rtrb::Consumer<f32>,
    commands: rtrb::Consumer<Command>,
    tones: ToneGen,
    scratch: Box<[f32]>,
    channels: usize,
    rate: u32,
    /// Frames the device asks for per callback (0: unknown).
    period: usize,
    /// When the last callback handed its buffer over (`None` before the first).
    last_handed: Option<Instant>,
    shared: Arc<Shared>,
}

impl Callback {
    /// The sound server holds at most two periods (the whole buffer, as cpal asks
    /// PulseAudio for). If it asks for two periods at once, or the previous buffer
    /// was handed over longer ago than two periods last, it has run out: it played
    /// silence. Only sure underruns count; reading the clock is wait-free.
    fn count_underrun(&mut self, frames: usize) {
        let now = Instant::now();
        if let Some(last) = self.last_handed
            && self.period > 0
        {
            let buffer = Duration::from_secs_f64(2.0 * self.period as f64 / f64::from(self.rate));
            if frames >= 2 * self.period || now.duration_since(last) > buffer {
                self.shared.flags.glitches.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.last_handed = Some(now);
    }

    fn fill<T: SizedSample + FromSample<f32>>(&mut self, data: &mut [T], info: &OutputCallbackInfo) {
        if self.last_handed.is_none() {
            // Once, on the sound system's thread that calls us (see crate::realtime).
            let realtime = crate::realtime::promote_current_thread();
            self.shared.realtime.store(realtime, Ordering::Relaxed);
        }
        #[cfg(feature = "test-support")]
        {
            let ms = self.shared.stall_ms.swap(0, Ordering::AcqRel);
            if ms > 0 {
                std::thread::sleep(Duration::from_millis(ms));
            }
        }
        let frames = data.len() / self.channels;
        let mut done = 0;
        let mut sounded = false;
        while done < frames {
            let n = (frames - done).min(SCRATCH);
            let scratch = &mut self.scratch[..n];
            scratch.fill(0.0);
            let mut pos = 0;
            loop {
                // A repeating tone gives way to whatever is asked next; a one-shot
                // tone (a key press) is heard whole first.
                if self.tones.current().is_none_or(|t| t.repeats()) {
                    match self.commands.pop() {
                        Ok(Command::Play(tone)) => self.tones.start(tone),
                        Ok(Command::Stop) => self.tones.stop(),
                        Err(_) => {}
                    }
                }
                if !self.tones.is_playing() {
                    break;
                }
                pos += self.tones.mix_into(&mut scratch[pos..]);
                sounded = true;
                if pos >= n {
                    break;
                }
            }
            let ready = self.samples.slots().min(n);
            if let Ok(chunk) = self.samples.read_chunk(ready) {
                let (a, b) = chunk.as_slices();
                for (out, s) in scratch.iter_mut().zip(a.iter().chain(b.iter())) {
                    *out += *s;
                }
                chunk.commit_all();
                sounded |= ready > 0;
            }
            let out = &mut data[done * self.channels..(done + n) * self.channels];
            for (frame, s) in out.chunks_mut(self.channels).zip(scratch.iter()) {
                let v = T::from_sample(s.clamp(-1.0, 1.0));
                frame.fill(v);
            }
            done += n;
        }
        self.count_underrun(frames);
        let busy = self.tones.is_playing() || !self.commands.is_empty();
        self.shared.tone_busy.store(busy, Ordering::Release);
        if sounded {
            let ends =
                info.timestamp().playback.as_nanos() as u64 + frames as u64 * 1_000_000_000 / u64::from(self.rate);
            self.shared.sound_until_ns.fetch_max(ends, Ordering::AcqRel);
        }
    }
}

impl Speaker {
    /// Opens the speaker with id `wanted` (the default when `None` or not there) to
    /// play tones: written far enough ahead that a busy machine does not break them.
    pub fn open(wanted: Option<&str>) -> Result<(Self, Option<Fallback>)> {
        Speaker::open_with(wanted, tone_buffer_ms())
    }

    /// Opens the speaker with id `wanted` for a call's audio: the small buffers that
    /// keep a conversation's delay low.
    pub fn open_for_call(wanted: Option<&str>) -> Result<(Self, Option<Fallback>)> {
        Speaker::open_with(wanted, call_buffer_ms())
    }

    fn open_with(wanted: Option<&str>, buffer_ms: u32) -> Result<(Self, Option<Fallback>)> {
        let picked = devices::pick(Direction::Output, wanted)?;
        let (config, format) = choose_config(&picked, Direction::Output, buffer_ms)?;
        let rate = config.sample_rate;
        let period = match config.buffer_size {
            cpal::BufferSize::Fixed(frames) => frames as usize,
            cpal::BufferSize::Default => 0,
        };
        // Two seconds of samples: a call's pipeline keeps it nearly empty; a long
        // prompt can be queued whole.
        let (samples_tx, samples_rx) = rtrb::RingBuffer::new(rate as usize * 2);
        let (commands_tx, commands_rx) = rtrb::RingBuffer::new(64);
        let shared = Arc::new(Shared::default());
        let callback = Callback {
            samples: samples_rx,
            commands: commands_rx,
            tones: ToneGen::new(rate),
            scratch: vec![0.0; SCRATCH].into_boxed_slice(),
            channels: usize::from(config.channels.max(1)),
            rate,
            period,
            last_handed: None,
            shared: shared.clone(),
        };
        let errors = shared.clone();
        let on_error = move |e: cpal::Error| errors.flags.on_error(&e);
        let device = &picked.device;
        let timeout = Some(Duration::from_secs(5));
        let built = match format {
            SampleFormat::F32 => device.build_output_stream::<f32, _, _>(config, run(callback), on_error, timeout),
            SampleFormat::I16 => device.build_output_stream::<i16, _, _>(config, run(callback), on_error, timeout),
            _ => device.build_output_stream::<i32, _, _>(config, run(callback), on_error, timeout),
        };
        let open_error = |e: cpal::Error| AudioError::Open {
            direction: Direction::Output,
            name: picked.info.name.clone(),
            reason: e.to_string(),
        };
        let stream = built.map_err(open_error)?;
        stream.play().map_err(open_error)?;
        let speaker = Speaker {
            stream,
            samples: samples_tx,
            commands: commands_tx,
            shared,
            rate,
            info: picked.info,
            wanted: wanted.map(str::to_owned),
            buffer_ms,
            repeating: None,
            checked_at: Instant::now(),
        };
        Ok((speaker, picked.fallback))
    }

    /// The device playing now.
    pub fn device(&self) -> &DeviceInfo {
        &self.info
    }

    /// The device's sample rate: what [`Speaker::push`] expects.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Plays a tone after the one-shot tones already asked for; a repeating tone
    /// (ringback, busy) plays until [`Speaker::stop_tone`] or the next tone.
    pub fn play(&mut self, tone: Tone) -> Result<()> {
        self.repeating = tone.repeats().then_some(tone);
        self.commands
            .push(Command::Play(tone))
            .map_err(|_| AudioError::InvalidInput("Too many tones are waiting to play".to_owned()))
    }

    /// Stops a repeating tone.
    pub fn stop_tone(&mut self) {
        self.repeating = None;
        let _ = self.commands.push(Command::Stop);
    }

    /// Queues mono samples at [`Speaker::rate`]; returns how many fitted.
    pub fn push(&mut self, samples: &[f32]) -> usize {
        let n = samples.len().min(self.samples.slots());
        if let Ok(chunk) = self.samples.write_chunk_uninit(n) {
            let _ = chunk.fill_from_iter(samples[..n].iter().copied());
        }
        n
    }

    /// How many times the sound server surely ran out of sound to play since the
    /// speaker opened: each is a gap the person hears. Seen from the callback's turns
    /// (see `Callback::count_underrun`), so a short one can go uncounted.
    pub fn underruns(&self) -> u64 {
        self.shared.flags.glitches.load(Ordering::Relaxed)
    }

    /// Whether the thread feeding the speaker runs with real-time scheduling (the
    /// system allows it to root and to users with an `rtprio` limit).
    pub fn is_realtime(&self) -> bool {
        self.shared.realtime.load(Ordering::Relaxed)
    }

    /// For tests: the audio callback's next turn first sleeps `ms`, as when a busy
    /// machine keeps the audio thread off the CPU that long.
    #[cfg(feature = "test-support")]
    pub fn stall_once(&self, ms: u64) {
        self.shared.stall_ms.store(ms, Ordering::Release);
    }

    /// Samples queued and not yet handed to the device.
    pub fn queued(&self) -> usize {
        self.samples.buffer().capacity() - self.samples.slots()
    }

    /// Reopens on the default device if this one failed or disappeared, and says so.
    /// Call it every so often (the engine does, every 50 ms).
    pub fn check(&mut self) -> Result<Option<Fallback>> {
        let failed = self.shared.flags.has_failed();
        // Now and then, also look at the device list (see PRESENCE_CHECK).
        let gone = !failed && self.checked_at.elapsed() >= PRESENCE_CHECK && {
            self.checked_at = Instant::now();
            !devices::is_present(Direction::Output, &self.info.id)
        };
        if !failed && !gone {
            return Ok(None);
        }
        let lost = self.info.clone();
        let repeating = self.repeating;
        // The device we lost is not the one to ask for again: go to the default.
        let (mut replacement, _) = Speaker::open_with(None, self.buffer_ms)?;
        replacement.wanted = self.wanted.clone();
        if let Some(tone) = repeating {
            replacement.play(tone)?;
        }
        *self = replacement;
        let fallback = Fallback { direction: Direction::Output, wanted: lost.name, used: self.info.name.clone() };
        tracing::warn!("{}", fallback.message());
        Ok(Some(fallback))
    }

    /// Waits until every tone and sample asked for has left the speaker, at most
    /// `timeout`. Without this a short sound is cut off when the program exits.
    pub fn drain(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let pause = Duration::from_millis(5);
        // Quiet twice in a row: the callback may be between taking a command and
        // saying it is busy with it.
        let mut quiet = 0;
        while quiet < 2 && Instant::now() < deadline {
            if self.check()?.is_some() {
                quiet = 0;
                continue;
            }
            let busy = self.shared.tone_busy.load(Ordering::Acquire)
                || self.commands.slots() < self.commands.buffer().capacity()
                || self.queued() > 0;
            quiet = if busy { 0 } else { quiet + 1 };
            std::thread::sleep(pause);
        }
        // Then until the device has played the last buffer written.
        loop {
            let until = self.shared.sound_until_ns.load(Ordering::Acquire);
            let now = self.stream.now().as_nanos() as u64;
            if now >= until || Instant::now() >= deadline || self.shared.flags.has_failed() {
                break;
            }
            std::thread::sleep(Duration::from_nanos(until - now).min(pause * 4));
        }
        Ok(())
    }
}

fn run<T: SizedSample + FromSample<f32>>(
    mut callback: Callback,
) -> impl FnMut(&mut [T], &OutputCallbackInfo) + Send + 'static {
    move |data, info| callback.fill(data, info)
}
