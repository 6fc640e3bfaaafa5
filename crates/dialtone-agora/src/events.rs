//! What the call page tells Dialtone, and the words for why a join failed.

use serde::{Deserialize, Serialize};

/// One thing that happened in the page, in the order it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PageEvent {
    /// The browser (or call window) loaded the page: the session has been handed over.
    Opened,
    /// Joined the channel and publishing the microphone.
    Joined,
    /// The FaceTime callee's audio arrived: the call is connected.
    RemoteJoined,
    /// The callee left the channel: the FaceTime call ended at their end.
    RemoteLeft,
    /// The person hung up in the page (or the page was closed and said so).
    Left,
    Muted {
        muted: bool,
    },
    /// Joining, or the call, failed.
    Failed {
        reason: Failure,
    },
    /// The page stopped answering (closed without a word, or never opened).
    Gone,
}

impl PageEvent {
    /// Whether the call is over once this has happened.
    pub fn ends_call(self) -> bool {
        matches!(self, PageEvent::RemoteLeft | PageEvent::Left | PageEvent::Failed { .. } | PageEvent::Gone)
    }
}

/// Why joining failed, as the page classified the SDK's error. The words are the
/// UI's (`ui/src/call/failures.ts`), shown in both windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    TokenExpired,
    Refused,
    Network,
    MicrophoneDenied,
    NoMicrophone,
    MicrophoneBusy,
    Unsupported,
    Other,
}
