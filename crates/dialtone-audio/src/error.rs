//! The audio engine's one error type: plain words for the person, a kind for the code.

use crate::devices::Direction;

/// What went wrong with sound, in words a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// No sound server or sound card answered at all.
    #[error(
        "No sound system could be reached ({0}). Start PulseAudio or PipeWire, or check that a sound card is present."
    )]
    NoHost(String),
    /// The sound system answered but has no device of that kind.
    #[error("No {0} was found. Plug one in, or choose another in Settings → Audio.")]
    NoDevice(Direction),
    /// A device exists but would not open or start.
    #[error(
        "The {direction} “{name}” could not be used: {reason} Check that it is connected and that the sound server (PipeWire or PulseAudio) is running, or choose another in Settings → Audio."
    )]
    Open { direction: Direction, name: String, reason: String },
    /// The Opus codec refused a frame or a setting.
    #[error("The voice codec failed: {0}")]
    Codec(String),
    /// The caller asked for something that cannot be played or set.
    #[error("{0}")]
    InvalidInput(String),
    /// The microphone's clean-up (echo cancellation and the rest) could not run.
    #[error("{0}")]
    Processing(String),
}

impl AudioError {
    /// True when the machine has no usable sound at all (as opposed to a bad request).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AudioError::NoHost(_) | AudioError::NoDevice(_) | AudioError::Open { .. })
    }
}

impl From<opus::Error> for AudioError {
    fn from(e: opus::Error) -> Self {
        AudioError::Codec(e.to_string())
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = AudioError> = std::result::Result<T, E>;
