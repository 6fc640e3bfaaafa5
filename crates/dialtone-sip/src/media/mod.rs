//! A call's audio on the network: codecs, SRTP, and the RTP/RTCP thread.

pub mod codec;
pub mod io;
mod session;
pub mod srtp;

pub use session::{MediaEvent, MediaSession, MediaSocket, MediaStats};
