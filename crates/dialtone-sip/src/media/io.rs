//! Where a call's sound comes from and goes to: the desktop's microphone and speaker,
//! or WAV files (`dialtone call --play/--record`), all as 20 ms frames at 48 kHz.
//!
//! Sources and sinks are opened on the media thread itself, because a device stream
//! may not move between threads on every platform.

use std::path::{Path, PathBuf};

use dialtone_audio::processing::{Processing, Processor};
use dialtone_audio::resample::Resampler;
use dialtone_audio::{Microphone, Speaker, Tone, ToneRegion};

use crate::error::{Error, Result};
use crate::media::codec::{FRAME, RATE};

/// What the far end hears.
#[derive(Debug, Clone)]
pub enum Input {
    /// A microphone by id, or the default, and the clean-up its sound gets before it
    /// is sent (echo cancellation, noise suppression, automatic gain).
    Microphone(Option<String>, Processing),
    /// A WAV file (any rate, mono or stereo), played once, then silence.
    Wav(PathBuf),
    Silence,
}

/// Where the far end's sound goes.
#[derive(Debug, Clone)]
pub enum Output {
    /// A speaker by id, or the default.
    Speaker(Option<String>),
    /// A WAV file, 48 kHz mono 16-bit, written as the call goes.
    Wav(PathBuf),
    Discard,
}

/// A call's audio ends.
#[derive(Debug, Clone)]
pub struct MediaIo {
    pub input: Input,
    pub output: Output,
    /// The ringback cadence played while the far end rings without early media.
    pub region: ToneRegion,
}

impl MediaIo {
    pub fn devices() -> MediaIo {
        MediaIo {
            input: Input::Microphone(None, Processing::default()),
            output: Output::Speaker(None),
            region: ToneRegion::default(),
        }
    }

    /// Checks what can be checked before a call starts (a file to play exists and is a
    /// WAV), so a mistake is found before the far end's phone rings.
    pub fn check(&self) -> Result<()> {
        if let Input::Wav(path) = &self.input {
            hound::WavReader::open(path).map_err(|e| wav_error(path, &e))?;
        }
        if let Output::Wav(path) = &self.output {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !dir.is_dir() {
                return Err(Error::File(format!(
                    "Cannot record to {}: {} is not a folder.",
                    path.display(),
                    dir.display()
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn open(&self) -> Result<Opened> {
        let mut notices = Vec::new();
        let mut processor = None;
        let source: Box<dyn Source> = match &self.input {
            Input::Microphone(id, processing) => {
                let (source, fallback) = microphone_source(id.as_deref())?;
                notices.extend(fallback);
                // A call without echo cancellation is better than no call: say so, go on.
                match Processor::new(*processing) {
                    Ok(p) => processor = p,
                    Err(e) => notices.push(format!("{e} The call goes on without it.")),
                }
                source
            }
            Input::Wav(path) => Box::new(WavSource::open(path)?),
            Input::Silence => Box::new(Silence),
        };
        let sink: Box<dyn Sink> = match &self.output {
            Output::Speaker(id) => {
                let (sink, fallback) = speaker_sink(id.as_deref(), self.region)?;
                notices.extend(fallback);
                sink
            }
            Output::Wav(path) => Box::new(WavSink::create(path)?),
            Output::Discard => Box::new(Discard),
        };
        Ok(Opened { source, sink, processor, notices })
    }
}

/// A microphone (by id, or the default) as a call's source, and what the person should
/// be told of it (a fallback to the default).
pub(crate) fn microphone_source(id: Option<&str>) -> Result<(Box<dyn Source>, Option<String>)> {
    let (mic, fallback) = Microphone::open(id)?;
    Ok((Box::new(DeviceSource::new(mic)?), fallback.map(|f| f.message())))
}

/// A speaker (by id, or the default) as a call's sink, and what the person should be
/// told of it.
pub(crate) fn speaker_sink(id: Option<&str>, region: ToneRegion) -> Result<(Box<dyn Sink>, Option<String>)> {
    let (speaker, fallback) = Speaker::open_for_call(id)?;
    Ok((Box::new(DeviceSink::new(speaker, region)?), fallback.map(|f| f.message())))
}

/// What a call's media thread reads from and plays to.
pub(crate) struct Opened {
    pub source: Box<dyn Source>,
    pub sink: Box<dyn Sink>,
    /// The microphone's clean-up, when the source is a microphone and any is on.
    pub processor: Option<Processor>,
    /// Anything the person should know (a device fallback, processing that failed).
    pub notices: Vec<String>,
}

/// Gives one frame each 20 ms.
pub(crate) trait Source {
    fn read(&mut self, frame: &mut [f32]);
    /// Whether a whole frame is waiting, for a source with a clock of its own (the
    /// microphone): the call then sends each frame the moment it is captured,
    /// rather than at its next 20 ms turn. `None`: the call's clock paces it.
    fn ready(&mut self) -> Option<bool> {
        None
    }
}

/// Takes one frame each 20 ms.
pub(crate) trait Sink {
    fn write(&mut self, frame: &[f32]);
    /// The local ringback tone, while the far end rings and sends no early media.
    fn ringback(&mut self, _on: bool) {}
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

struct Silence;
impl Source for Silence {
    fn read(&mut self, frame: &mut [f32]) {
        frame.fill(0.0);
    }
}

struct Discard;
impl Sink for Discard {
    fn write(&mut self, _frame: &[f32]) {}
}

/// A whole WAV file, mixed to mono and resampled to 48 kHz when opened.
pub(crate) struct WavSource {
    samples: Vec<f32>,
    at: usize,
}

fn wav_error(path: &Path, e: &hound::Error) -> Error {
    Error::File(format!(
        "Cannot play {}: {}.",
        path.display(),
        match e {
            hound::Error::IoError(io) => io.to_string(),
            other => format!("not a WAV file Dialtone can read ({other})"),
        }
    ))
}

impl WavSource {
    pub(crate) fn open(path: &Path) -> Result<WavSource> {
        let mut reader = hound::WavReader::open(path).map_err(|e| wav_error(path, &e))?;
        let spec = reader.spec();
        let channels = usize::from(spec.channels.max(1));
        let interleaved: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>(),
            hound::SampleFormat::Int => {
                let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
                reader.samples::<i32>().map(|s| s.map(|s| s as f32 * scale)).collect::<Result<_, _>>()
            }
        }
        .map_err(|e| wav_error(path, &e))?;
        let mono: Vec<f32> = interleaved.chunks(channels).map(|c| c.iter().sum::<f32>() / channels as f32).collect();
        let samples = if spec.sample_rate == RATE {
            mono
        } else {
            let mut resampler = Resampler::new(spec.sample_rate, RATE)?;
            let mut out = Vec::with_capacity(mono.len() * RATE as usize / spec.sample_rate.max(1) as usize + FRAME);
            for chunk in mono.chunks(1024) {
                resampler.process(chunk, &mut out)?;
            }
            // Push silence through to flush the resampler's tail, then drop its
            // delay from the front so the file plays from its first sample.
            let expected = (mono.len() as u64 * u64::from(RATE) / u64::from(spec.sample_rate.max(1))) as usize;
            let delay = resampler.delay();
            let flush = vec![0.0; (spec.sample_rate / 50) as usize];
            while out.len() < expected + delay {
                resampler.process(&flush, &mut out)?;
            }
            out.drain(..delay);
            out.truncate(expected);
            out
        };
        Ok(WavSource { samples, at: 0 })
    }
}

impl Source for WavSource {
    fn read(&mut self, frame: &mut [f32]) {
        let n = frame.len().min(self.samples.len() - self.at);
        frame[..n].copy_from_slice(&self.samples[self.at..self.at + n]);
        frame[n..].fill(0.0);
        self.at += n;
    }
}

/// Writes what is heard, 48 kHz mono 16-bit.
pub(crate) struct WavSink {
    path: PathBuf,
    writer: Option<hound::WavWriter<std::io::BufWriter<std::fs::File>>>,
    frames: u64,
}

impl WavSink {
    pub(crate) fn create(path: &Path) -> Result<WavSink> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::create(path, spec)
            .map_err(|e| Error::File(format!("Cannot record to {}: {e}.", path.display())))?;
        Ok(WavSink { path: path.to_owned(), writer: Some(writer), frames: 0 })
    }
}

impl Sink for WavSink {
    fn write(&mut self, frame: &[f32]) {
        let Some(writer) = self.writer.as_mut() else { return };
        let mut failed = false;
        for s in frame {
            failed |= writer.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16).is_err();
        }
        self.frames += 1;
        // Keep the header current every second, so a killed process leaves a file
        // that plays up to its last second.
        if !failed && self.frames.is_multiple_of(50) {
            failed = writer.flush().is_err();
        }
        if failed {
            tracing::warn!(path = %self.path.display(), "recording stopped: the file could not be written");
            self.writer = None;
        }
    }

    fn finish(&mut self) -> Result<()> {
        match self.writer.take() {
            Some(writer) => writer
                .finalize()
                .map_err(|e| Error::File(format!("The recording {} could not be finished: {e}.", self.path.display()))),
            None => Ok(()),
        }
    }
}

/// The microphone, resampled to 48 kHz, with at most 60 ms queued so a slow start
/// never turns into lasting delay.
struct DeviceSource {
    mic: Microphone,
    resampler: Option<Resampler>,
    captured: Vec<f32>,
    queued: Vec<f32>,
}

impl DeviceSource {
    fn new(mic: Microphone) -> Result<Self> {
        let resampler = (mic.rate() != RATE).then(|| Resampler::new(mic.rate(), RATE)).transpose()?;
        Ok(DeviceSource { mic, resampler, captured: Vec::new(), queued: Vec::with_capacity(FRAME * 4) })
    }
}

impl DeviceSource {
    /// Moves what the device captured into the queue.
    fn pull(&mut self) {
        self.captured.clear();
        self.mic.read(&mut self.captured);
        match self.resampler.as_mut() {
            Some(r) => {
                if r.process(&self.captured, &mut self.queued).is_err() {
                    self.queued.clear();
                }
            }
            None => self.queued.extend_from_slice(&self.captured),
        }
        // Frames arrive in 10 ms pieces by the device's clock: keep at most half a
        // frame beyond the next one, so a backlog from the stream's start, a stall or
        // drift never becomes delay.
        if self.queued.len() > FRAME * 2 {
            let extra = self.queued.len() - (FRAME + FRAME / 2);
            self.queued.drain(..extra);
        }
    }
}

impl Source for DeviceSource {
    fn ready(&mut self) -> Option<bool> {
        self.pull();
        Some(self.queued.len() >= FRAME)
    }

    fn read(&mut self, frame: &mut [f32]) {
        self.pull();
        let n = frame.len().min(self.queued.len());
        frame[..n].copy_from_slice(&self.queued[..n]);
        frame[n..].fill(0.0);
        self.queued.drain(..n);
    }
}

/// The speaker, fed at its own rate; plays the ringback tone on request.
struct DeviceSink {
    speaker: Speaker,
    resampler: Option<Resampler>,
    resampled: Vec<f32>,
    region: ToneRegion,
    ringing: bool,
    /// Frames left out because the speaker was behind.
    dropped: u64,
}

impl DeviceSink {
    fn new(speaker: Speaker, region: ToneRegion) -> Result<Self> {
        let resampler = (speaker.rate() != RATE).then(|| Resampler::new(RATE, speaker.rate())).transpose()?;
        Ok(DeviceSink { speaker, resampler, resampled: Vec::new(), region, ringing: false, dropped: 0 })
    }
}

impl Sink for DeviceSink {
    fn write(&mut self, frame: &[f32]) {
        if self.ringing {
            return;
        }
        let samples = match self.resampler.as_mut() {
            Some(r) => {
                self.resampled.clear();
                if r.process(frame, &mut self.resampled).is_err() {
                    return;
                }
                &self.resampled[..]
            }
            None => frame,
        };
        // A speaker that runs slow, stalls, or started late must not turn that into
        // delay for the rest of the call: past a frame and a half queued, a frame is
        // left out instead.
        let frame_at_device = self.speaker.rate() as usize / 50;
        if self.speaker.queued() > frame_at_device + frame_at_device / 2 {
            self.dropped += 1;
            return;
        }
        self.speaker.push(samples);
    }

    fn finish(&mut self) -> Result<()> {
        if self.dropped > 0 {
            tracing::info!(
                frames = self.dropped,
                "the speaker fell behind; frames were left out to keep the delay down"
            );
        }
        Ok(())
    }

    fn ringback(&mut self, on: bool) {
        if on == self.ringing {
            return;
        }
        self.ringing = on;
        if on {
            let _ = self.speaker.play(Tone::Ringback { region: self.region });
        } else {
            self.speaker.stop_tone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_at_any_rate_and_width_is_read_to_48k_mono() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tone.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..8000 {
            let s = (0.5 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 8000.0).sin() * 32767.0) as i16;
            w.write_sample(s).unwrap();
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        let mut source = WavSource::open(&path).unwrap();
        assert!((source.samples.len() as i64 - 48_000).abs() < 2000, "{}", source.samples.len());
        let mut frame = vec![0.0; FRAME];
        for _ in 0..10 {
            source.read(&mut frame);
        }
        let at = dialtone_audio::analysis::goertzel_power(&frame, RATE, 1000.0);
        let off = dialtone_audio::analysis::goertzel_power(&frame, RATE, 1300.0);
        assert!(at > off * 100.0);
    }

    #[test]
    fn a_file_that_is_not_a_wav_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.wav");
        std::fs::write(&path, b"hello").unwrap();
        let io = MediaIo { input: Input::Wav(path.clone()), output: Output::Discard, region: ToneRegion::default() };
        let err = io.check().unwrap_err().to_string();
        assert!(err.contains("notes.wav") && err.contains("not a WAV"), "{err}");
        let io = MediaIo {
            input: Input::Silence,
            output: Output::Wav(dir.path().join("no/such/x.wav")),
            region: ToneRegion::default(),
        };
        assert!(io.check().unwrap_err().to_string().contains("is not a folder"));
    }
}
