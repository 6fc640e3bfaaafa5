//! A live call as its user sees it: the events it goes through and the handle that
//! steers it. The same shapes serve calls we place and calls we receive.

use serde::Serialize;
use tokio::sync::mpsc;

use crate::media::MediaStats;
use crate::media::io::MediaIo;

/// Which side did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Party {
    Local,
    Remote,
}

/// Whether we placed the call or it came to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(rename = "LiveDirection"))]
#[serde(rename_all = "lowercase")]
pub enum CallDirection {
    Outgoing,
    Incoming,
}

/// Why a call ended, in a word scripts can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// We hung up an answered call.
    HungUp,
    /// The far end hung up.
    RemoteHungUp,
    /// We gave up before the far end answered (CANCEL, 487).
    Cancelled,
    /// The far end was busy (486, 600).
    Busy,
    /// The far end declined (603), or we declined an incoming call.
    Declined,
    /// An incoming call whose caller gave up before we answered.
    Missed,
    /// The far end did not answer in time (408, 480).
    NoAnswer,
    /// Not found, no common codec, SRTP refused, or another final failure.
    Rejected,
    /// Network, audio device or stack failure.
    Failed,
}

impl EndReason {
    pub fn word(self) -> &'static str {
        match self {
            EndReason::HungUp => "hung_up",
            EndReason::RemoteHungUp => "remote_hung_up",
            EndReason::Cancelled => "cancelled",
            EndReason::Busy => "busy",
            EndReason::Declined => "declined",
            EndReason::Missed => "missed",
            EndReason::NoAnswer => "no_answer",
            EndReason::Rejected => "rejected",
            EndReason::Failed => "failed",
        }
    }

    /// The words a final SIP status gets.
    pub fn from_status(code: u16, phrase: &str) -> (EndReason, String) {
        match code {
            486 | 600 => (EndReason::Busy, "The line is busy.".into()),
            603 => (EndReason::Declined, "The call was declined.".into()),
            487 => (EndReason::Cancelled, "The call was cancelled before it was answered.".into()),
            404 | 604 => (EndReason::Rejected, "No one by that number or address is known there (404).".into()),
            408 | 480 => (EndReason::NoAnswer, format!("No answer ({code} {phrase}).")),
            401 | 403 | 407 => (
                EndReason::Rejected,
                format!("The provider refused the call: check the account's password ({code} {phrase})."),
            ),
            488 | 606 => {
                (EndReason::Rejected, format!("The far end cannot take this call's audio settings ({code} {phrase})."))
            }
            _ => (EndReason::Rejected, format!("The call failed: {code} {phrase}.")),
        }
    }
}

/// What happens during a call, in order. Serialized with an `event` tag, one JSON
/// object per event (`dialtone call --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(rename = "LiveEvent"))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CallEvent {
    /// An INVITE went out.
    Calling {
        to: String,
    },
    /// Someone is calling us.
    Incoming {
        from: String,
        display_name: Option<String>,
    },
    /// The far end rings; `early_media` when its own ringing sound is coming through.
    Ringing {
        early_media: bool,
    },
    Answered {
        codec: String,
        encrypted: bool,
    },
    Held {
        by: Party,
    },
    Resumed {
        by: Party,
    },
    Dtmf {
        digit: char,
        by: Party,
    },
    /// Quality, once a second while connected.
    Stats {
        stats: MediaStats,
    },
    /// Worth telling the person, but the call goes on.
    Notice {
        message: String,
    },
    Ended {
        reason: EndReason,
        message: String,
        /// The final SIP status, when one ended it.
        status: Option<u16>,
        /// Seconds from answer to end (0 if never answered).
        duration_s: f64,
        stats: MediaStats,
    },
}

/// What the person can do to a call.
#[derive(Debug)]
pub(crate) enum Command {
    Answer(MediaIo),
    Decline,
    HangUp,
    Hold,
    Resume,
    Mute(bool),
    Dtmf(Vec<char>),
    Devices { microphone: Option<String>, speaker: Option<String> },
}

/// Steers one call and hears what happens to it.
#[derive(Debug)]
pub struct CallHandle {
    pub direction: CallDirection,
    /// The far end: the target's URI, or the caller's.
    pub remote: String,
    pub(crate) commands: mpsc::UnboundedSender<Command>,
    pub(crate) events: mpsc::UnboundedReceiver<CallEvent>,
}

/// A cloneable remote control for a call, for another task (Ctrl-C, a timer).
#[derive(Debug, Clone)]
pub struct CallControl {
    commands: mpsc::UnboundedSender<Command>,
}

impl CallControl {
    fn send(&self, c: Command) {
        let _ = self.commands.send(c);
    }

    /// CANCEL while ringing, BYE once answered, decline (486) while an incoming call rings.
    pub fn hang_up(&self) {
        self.send(Command::HangUp);
    }
    pub fn answer(&self, io: MediaIo) {
        self.send(Command::Answer(io));
    }
    pub fn decline(&self) {
        self.send(Command::Decline);
    }
    pub fn hold(&self) {
        self.send(Command::Hold);
    }
    pub fn resume(&self) {
        self.send(Command::Resume);
    }
    pub fn mute(&self, muted: bool) {
        self.send(Command::Mute(muted));
    }
    /// Moves the call's sound to another microphone and speaker (`None`: the system
    /// default); see [`crate::media::MediaSession::set_devices`].
    pub fn set_devices(&self, microphone: Option<String>, speaker: Option<String>) {
        self.send(Command::Devices { microphone, speaker });
    }
    /// Sends digits: RFC 4733 events, or SIP INFO when the far end has no telephone-event.
    pub fn dtmf(&self, digits: &str) {
        self.send(Command::Dtmf(digits.chars().collect()));
    }
}

impl CallHandle {
    pub fn control(&self) -> CallControl {
        CallControl { commands: self.commands.clone() }
    }

    /// The next event; `None` after [`CallEvent::Ended`].
    pub async fn next_event(&mut self) -> Option<CallEvent> {
        self.events.recv().await
    }
}
