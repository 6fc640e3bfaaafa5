//! The one error type of Dialtone.
//!
//! It crosses into the web view as `{"code": "...", "message": "..."}`: `code` is a
//! stable, machine-readable name the UI can branch on, and `message` is a sentence in
//! plain words for the person, which never carries a secret (see [`crate::redact`]).
//! An error about one setting also carries `"field"`, the setting's name, so a form
//! shows the message beside that field without reading the sentence.

use serde::{Deserialize, Serialize};

/// What went wrong, as a stable name the UI and scripts can match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The person gave something we cannot use; the message says what and why.
    InvalidInput,
    /// A settings file exists but cannot be read as settings; it was left untouched.
    SettingsInvalid,
    /// Reading or writing a file or folder failed.
    Io,
    /// A bug on our side; the message says what we were doing.
    Internal,
    /// No OS keychain answered; nothing was stored anywhere else.
    KeychainUnavailable,
    /// A provider needs a secret that is not in the keychain yet.
    SecretMissing,
    /// No provider by that name is set up (or none is, or none was chosen).
    ProviderUnknown,
    /// The provider did not accept the credentials (401, 403).
    ProviderAuth,
    /// The provider refused the request (400, 402, 404, 409, 415, ...); nothing was placed.
    ProviderRejected,
    /// The provider is limiting requests (429); nothing was placed.
    ProviderRateLimited,
    /// The provider failed on its side (5xx); the call may or may not exist.
    ProviderUnavailable,
    /// No answer in time; the call may or may not exist.
    ProviderTimeout,
    /// The provider could not be reached (DNS, connection refused, TLS).
    ProviderUnreachable,
    /// The provider answered something we could not read.
    ProviderResponse,
    /// The provider has no such operation (e.g. hang-up for a FaceTime link).
    Unsupported,
    /// The person stopped waiting.
    Cancelled,
    /// No sound device or server could be used; the message says which and why.
    AudioUnavailable,
    /// An update was downloaded but failed its signature check; it was thrown away and
    /// nothing was installed.
    UpdateRejected,
    /// Checking for, downloading or installing an update failed; what is installed is unchanged.
    UpdateFailed,
}

impl ErrorCode {
    /// Every code, for tests and documentation.
    pub const ALL: [ErrorCode; 19] = [
        Self::InvalidInput,
        Self::SettingsInvalid,
        Self::Io,
        Self::Internal,
        Self::KeychainUnavailable,
        Self::SecretMissing,
        Self::ProviderUnknown,
        Self::ProviderAuth,
        Self::ProviderRejected,
        Self::ProviderRateLimited,
        Self::ProviderUnavailable,
        Self::ProviderTimeout,
        Self::ProviderUnreachable,
        Self::ProviderResponse,
        Self::Unsupported,
        Self::Cancelled,
        Self::AudioUnavailable,
        Self::UpdateRejected,
        Self::UpdateFailed,
    ];
}

/// An error with a stable code and a message for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// Named AppError in TypeScript, where `Error` is the built-in class.
#[cfg_attr(feature = "specta", specta(rename = "AppError"))]
#[error("{message}")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The setting the error is about (`base_url`), when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Results throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
    }

    /// The same error, about the setting `field`.
    #[must_use]
    pub fn about(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    /// An I/O failure, with what we were doing and where, for the person to act on.
    pub fn io(doing: &str, path: &std::path::Path, err: &std::io::Error) -> Self {
        Self::new(ErrorCode::Io, format!("Could not {doing} {}: {err}", path.display()))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_ipc_as_code_and_message() {
        let err = Error::invalid_input("“12” is too short to be a phone number.");
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            r#"{"code":"invalid_input","message":"“12” is too short to be a phone number."}"#
        );
    }

    #[test]
    fn an_error_about_a_setting_names_it() {
        let err = Error::invalid_input("Base URL (`base_url`) is empty.").about("base_url");
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            r#"{"code":"invalid_input","message":"Base URL (`base_url`) is empty.","field":"base_url"}"#
        );
    }

    #[test]
    fn every_code_has_a_snake_case_name() {
        let names: Vec<String> = ErrorCode::ALL.iter().map(|c| serde_json::to_string(c).unwrap()).collect();
        assert_eq!(
            names,
            [
                r#""invalid_input""#,
                r#""settings_invalid""#,
                r#""io""#,
                r#""internal""#,
                r#""keychain_unavailable""#,
                r#""secret_missing""#,
                r#""provider_unknown""#,
                r#""provider_auth""#,
                r#""provider_rejected""#,
                r#""provider_rate_limited""#,
                r#""provider_unavailable""#,
                r#""provider_timeout""#,
                r#""provider_unreachable""#,
                r#""provider_response""#,
                r#""unsupported""#,
                r#""cancelled""#,
                r#""audio_unavailable""#,
                r#""update_rejected""#,
                r#""update_failed""#,
            ]
        );
    }

    #[test]
    fn displays_as_its_message() {
        assert_eq!(Error::internal("boom").to_string(), "boom");
    }
}
