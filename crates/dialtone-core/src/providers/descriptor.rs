//! What a provider kind is, said once: each provider module declares one
//! [`Descriptor`], and [`Kind::descriptor`] is the one list of them.
//!
//! Everything that differs between kinds but is not a request lives here: the name and
//! label, what a call gives back, which targets it takes, whether it can hang up or
//! report a call's state (and why not), how long to wait, and what to tell the person
//! before dialling. The settings screen, the CLI's `provider kinds`, the call flow and
//! the contacts screen's "which providers can call this address" all read it, so adding
//! a kind is one module, one descriptor and one arm in [`Kind::descriptor`] and in the
//! dialer's `place`.

use serde::Serialize;

use super::Kind;
use crate::numbers::Target;

/// One provider kind, as every part of Dialtone that is not its request sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor {
    pub kind: Kind,
    /// The name used in settings and on the command line.
    pub id: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub gives: Gives,
    pub accepts: Accepts,
    pub hang_up: Support,
    pub status: Support,
    /// How long to wait for the provider's answer unless the person set otherwise.
    pub timeout_seconds: u32,
    /// What a person should know before calling through this kind, said before dialling.
    pub notice: Option<&'static str>,
    /// Whether 1–6 digits typed alone are a speed dial this kind dials as they are.
    pub speed_dials: bool,
}

/// What a call through a kind gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Gives {
    /// A call the provider places (with an id where it gives one).
    Call,
    /// A FaceTime link to show as a QR code, copy and share.
    FacetimeLink,
    /// A live audio session to join.
    LiveAudio,
    /// The call recorded in a CRM; nobody rings.
    Record,
    /// A call this computer carries itself, start to end (SIP).
    LiveCall,
}

/// Which targets a kind can call; a phone number always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Accepts {
    pub email: bool,
    pub sip_uri: bool,
}

impl Accepts {
    pub const PHONE_ONLY: Accepts = Accepts { email: false, sip_uri: false };
}

impl Descriptor {
    /// Whether this kind can call `target` at all.
    pub fn takes(&self, target: &Target) -> bool {
        match target {
            Target::Phone(_) => true,
            Target::SpeedDial(_) => self.speed_dials,
            Target::Email(_) => self.accepts.email,
            Target::Sip(_) => self.accepts.sip_uri,
        }
    }

    /// What this kind calls, in words: "phone numbers only", "phone numbers and email addresses".
    pub fn takes_in_words(&self) -> String {
        let mut what = vec!["phone numbers"];
        if self.speed_dials {
            what.push("speed dials");
        }
        if self.accepts.email {
            what.push("email addresses");
        }
        if self.accepts.sip_uri {
            what.push("sip: addresses");
        }
        match what.split_last() {
            Some((last, [])) => format!("{last} only"),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// Whether a kind can do something after the call is placed, and why not when it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    Yes,
    No { why: &'static str },
}

impl Support {
    pub fn is_supported(self) -> bool {
        self == Support::Yes
    }

    /// The reason it cannot, in words that end "cannot hang up from Dialtone: …".
    pub fn why_not(self) -> Option<&'static str> {
        match self {
            Support::Yes => None,
            Support::No { why } => Some(why),
        }
    }
}
