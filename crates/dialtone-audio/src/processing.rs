//! The microphone's sound, cleaned before a call sends it: the far end's voice taken
//! out where the speaker leaks into the microphone (echo cancellation), steady
//! background noise lowered (noise suppression), and a quiet or loud voice brought to
//! an even level (automatic gain).
//!
//! WebRTC's audio processing module does the work: the 0.3 release that PulseAudio
//! packages (and its own echo-cancel module uses), through the `webrtc-audio-processing`
//! crate. It runs on a call's media thread, in the turn that reads a frame from the
//! microphone, never in a device callback: a frame takes it a few hundred microseconds,
//! too long and too uneven for a callback.
//!
//! The canceller learns the echo from what the speaker plays: every frame given to the
//! speaker goes through [`Processor::far_end`] and every microphone frame through
//! [`Processor::near_end`]. It finds the delay between the two itself (delay-agnostic
//! mode with the extended filter), since a sound server's latency is neither known
//! in advance nor steady.

use crate::error::{AudioError, Result};

/// The sample rate both ends of the processor work at.
pub const RATE: u32 = 48_000;
/// The processor's own frame: 10 ms. A caller's frame is any whole number of these.
pub const CHUNK: usize = RATE as usize / 100;

/// Which clean-ups run on the microphone during a call. All on by default; each can be
/// turned off (a headset needs no echo cancellation, and a person may prefer their
/// microphone's own gain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Processing {
    pub echo_cancellation: bool,
    pub noise_suppression: bool,
    pub gain_control: bool,
}

impl Default for Processing {
    fn default() -> Self {
        Self::ALL
    }
}

impl Processing {
    pub const ALL: Processing = Processing { echo_cancellation: true, noise_suppression: true, gain_control: true };
    pub const NONE: Processing = Processing { echo_cancellation: false, noise_suppression: false, gain_control: false };

    pub fn any(self) -> bool {
        self.echo_cancellation || self.noise_suppression || self.gain_control
    }
}

/// Whether this build can clean the microphone's sound at all. Windows builds cannot
/// yet: the library is built with autotools, which the MSVC toolchain lacks.
pub const AVAILABLE: bool = cfg!(any(target_os = "linux", target_os = "macos"));

/// One call's processor: the far end's frames in, the microphone's frames cleaned.
pub struct Processor {
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    apm: webrtc_audio_processing::Processor,
    /// The far end's chunk, copied: the library takes render frames mutably.
    scratch: Vec<f32>,
    /// A failure is told once, not fifty times a second.
    failed: bool,
    processing: Processing,
}

impl std::fmt::Debug for Processor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processor").field("processing", &self.processing).field("failed", &self.failed).finish()
    }
}

impl Processor {
    /// A processor for what `processing` turns on; `None` when it turns on nothing,
    /// so a call with everything off costs nothing.
    pub fn new(processing: Processing) -> Result<Option<Processor>> {
        if !processing.any() {
            return Ok(None);
        }
        Self::open(processing).map(Some)
    }

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    fn open(processing: Processing) -> Result<Processor> {
        use webrtc_audio_processing as apm;
        let init = apm::InitializationConfig { num_capture_channels: 1, num_render_channels: 1, ..Default::default() };
        let mut processor = apm::Processor::new(&init)
            .map_err(|e| AudioError::Processing(format!("The microphone's sound processing could not start: {e}")))?;
        processor.set_config(apm::Config {
            echo_cancellation: processing.echo_cancellation.then_some(apm::EchoCancellation {
                // Moderate: a strong echo is gone, and both people talking at once
                // still get through (High clips the near end's voice).
                suppression_level: apm::EchoCancellationSuppressionLevel::Moderate,
                enable_extended_filter: true,
                enable_delay_agnostic: true,
                stream_delay_ms: None,
            }),
            noise_suppression: processing
                .noise_suppression
                .then_some(apm::NoiseSuppression { suppression_level: apm::NoiseSuppressionLevel::Moderate }),
            gain_control: processing.gain_control.then_some(apm::GainControl {
                mode: apm::GainControlMode::AdaptiveDigital,
                // WebRTC's own defaults for a call: a voice at about -3 dBFS peaks,
                // up to 9 dB of gain for a quiet one, never clipping.
                target_level_dbfs: 3,
                compression_gain_db: 9,
                enable_limiter: true,
            }),
            // The microphone's hum and rumble below 80 Hz: never part of a voice.
            enable_high_pass_filter: true,
            ..Default::default()
        });
        Ok(Processor { apm: processor, scratch: vec![0.0; CHUNK], failed: false, processing })
    }

    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    fn open(_processing: Processing) -> Result<Processor> {
        Err(AudioError::Processing(
            "Echo cancellation, noise suppression and automatic gain are not available on this system yet.".into(),
        ))
    }

    /// A frame the speaker is about to play (48 kHz mono, whole 10 ms chunks).
    pub fn far_end(&mut self, frame: &[f32]) {
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        for chunk in frame.chunks_exact(CHUNK) {
            self.scratch.copy_from_slice(chunk);
            let result = self.apm.process_render_frame(&mut self.scratch);
            self.check(result.map_err(|e| e.to_string()));
        }
        #[cfg(not(any(target_os = "linux", target_os = "macos")))]
        let _ = frame;
    }

    /// A frame from the microphone (48 kHz mono, whole 10 ms chunks), cleaned in place.
    pub fn near_end(&mut self, frame: &mut [f32]) {
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        for chunk in frame.chunks_exact_mut(CHUNK) {
            let result = self.apm.process_capture_frame(chunk);
            self.check(result.map_err(|e| e.to_string()));
        }
        #[cfg(not(any(target_os = "linux", target_os = "macos")))]
        let _ = frame;
    }

    fn check(&mut self, result: std::result::Result<(), String>) {
        if let Err(e) = result
            && !self.failed
        {
            self.failed = true;
            tracing::warn!("the microphone's sound processing failed; the frame goes as captured: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_on_makes_no_processor() {
        assert!(Processor::new(Processing::NONE).unwrap().is_none());
        assert!(Processing::ALL.any());
        assert_eq!(Processing::default(), Processing::ALL);
    }
}
