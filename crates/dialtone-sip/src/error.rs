//! What can go wrong with a SIP account or a live call, in words a person can act on.
//!
//! No variant ever carries the password or an SRTP key: messages are built from
//! settings, status codes and reasons only.

use dialtone_audio::AudioError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An account setting is missing or malformed.
    #[error("{0}")]
    Setting(String),
    /// The registrar (or the proxy) never answered.
    #[error("{0}")]
    Unreachable(String),
    /// The registrar refused the username or password.
    #[error("The registrar refused the password for {user} ({status}). Check the username and password.")]
    WrongPassword { user: String, status: String },
    /// A TLS connection could not be made or its certificate was not trusted.
    #[error("{0}")]
    Tls(String),
    /// The far end or a proxy answered with a final failure.
    #[error("{reason}")]
    Rejected { code: u16, reason: String },
    /// The two sides share no codec, or the SRTP policies do not meet.
    #[error("{0}")]
    Negotiation(String),
    /// A session description that could not be read.
    #[error("{0}")]
    Sdp(String),
    /// RTP, SRTP or a codec failed mid-call.
    #[error("{0}")]
    Media(String),
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// A WAV file to play or record.
    #[error("{0}")]
    File(String),
    /// The SIP stack failed in a way we did not expect.
    #[error("The SIP stack failed: {0}")]
    Stack(String),
}

impl Error {
    /// A short stable word for scripts and the window (`{code, message}`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Setting(_) => "setting",
            Error::Unreachable(_) => "unreachable",
            Error::WrongPassword { .. } => "wrong_password",
            Error::Tls(_) => "tls",
            Error::Rejected { .. } => "rejected",
            Error::Negotiation(_) => "negotiation",
            Error::Sdp(_) => "sdp",
            Error::Media(_) => "media",
            Error::Audio(_) => "audio",
            Error::File(_) => "file",
            Error::Stack(_) => "sip",
        }
    }
}

impl From<rsipstack::Error> for Error {
    fn from(e: rsipstack::Error) -> Self {
        Error::Stack(e.to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Media(format!("The network failed: {e}"))
    }
}
