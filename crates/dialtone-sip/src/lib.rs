//! Dialtone's SIP phone: the desktop itself carries the call.
//!
//! Three layers, each in its own module:
//!
//! - [`account`]: a SIP account's settings (registrar, user, transport, SRTP policy,
//!   codec order) and how a typed target becomes a request URI.
//! - [`agent`]: signalling. [`agent::SipAgent`] is our own small trait (register,
//!   unregister, call, incoming calls); [`agent::Phone`] implements it on the
//!   `rsipstack` crate, so the SIP library can be swapped without touching callers.
//! - [`sdp`] and [`media`]: RFC 3264 offer/answer with SDES-SRTP keys, and a media
//!   thread per call that runs RTP/RTCP with the `rtc-*` sans-IO crates, the codecs
//!   (Opus, G.722, G.711), RFC 4733 DTMF and the audio engine's jitter buffer.
//!
//! A call is observed through [`call::CallEvent`]s (ringing, answered, held, ended
//! with the reason and duration) and steered through a [`call::CallHandle`] (hang
//! up, hold, resume, mute, DTMF). Nothing here knows about windows or keychains: the
//! password arrives as a [`secrecy::SecretString`] and never leaves the digest.

pub mod account;
pub mod error;
pub mod media;
pub mod sdp;

pub use account::{Account, SrtpPolicy, Transport};
pub use error::{Error, Result};
pub use media::codec::Codec;
pub use media::io::{Input, MediaIo, Output};
pub mod agent;
pub mod call;
pub mod digest;

pub use agent::{Phone, Registered, SipAgent, use_ring_for_tls};
pub use call::{CallControl, CallDirection, CallEvent, CallHandle, EndReason, Party};
