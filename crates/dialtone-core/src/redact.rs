//! Keeping secrets out of everything that is shown, logged or stored.
//!
//! Two tools, for two situations:
//! - [`SecretString`] (from the `secrecy` crate) holds a secret in memory. Its `Debug`
//!   prints a placeholder, it has no `Display` and no `Serialize`, and it is wiped on
//!   drop, so a secret cannot slip into a log line, an error or the web view by being
//!   formatted. Reading it takes an explicit `expose_secret()`, done only where the
//!   secret is used (building the request that needs it).
//! - [`Redactor`] scrubs known secret values out of text we did not write, such as a
//!   provider's error body that echoes back the key it was sent.

pub use secrecy::{ExposeSecret, SecretString};

/// What a scrubbed secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Replaces every occurrence of the secrets it knows in a piece of text.
#[derive(Debug, Default)]
pub struct Redactor {
    secrets: Vec<SecretString>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns a secret to scrub. Empty secrets are ignored (they would match everywhere).
    pub fn with(mut self, secret: &SecretString) -> Self {
        if !secret.expose_secret().is_empty() {
            self.secrets.push(secret.clone());
        }
        self
    }

    /// The text with every known secret replaced by [`REDACTED`]. Longer secrets go
    /// first, so a secret that contains another is removed whole.
    pub fn scrub(&self, text: &str) -> String {
        let mut ordered: Vec<&str> = self.secrets.iter().map(|s| s.expose_secret()).collect();
        ordered.sort_by_key(|s| std::cmp::Reverse(s.len()));
        ordered.iter().fold(text.to_owned(), |acc, secret| acc.replace(secret, REDACTED))
    }
}

/// Whether an HTTP header carries credentials, so its value must never be logged.
pub fn is_sensitive_header(name: &str) -> bool {
    const SENSITIVE: [&str; 6] = ["authorization", "proxy-authorization", "cookie", "set-cookie", "token", "x-api-key"];
    let lower = name.to_ascii_lowercase();
    SENSITIVE.contains(&lower.as_str())
        || lower.contains("secret")
        || lower.contains("api-key")
        || lower.contains("token")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logging::file_only_subscriber;

    const KEY: &str = "sk_live_4f9a8c7e2b1d";

    #[test]
    fn scrub_removes_every_occurrence() {
        let secret = SecretString::from(KEY);
        let text = format!("401: key {KEY} is not valid (you sent {KEY})");
        assert_eq!(
            Redactor::new().with(&secret).scrub(&text),
            "401: key [redacted] is not valid (you sent [redacted])"
        );
    }

    #[test]
    fn scrub_takes_the_longer_secret_first() {
        let short = SecretString::from("abc");
        let long = SecretString::from("abcdef");
        let scrubbed = Redactor::new().with(&short).with(&long).scrub("token abcdef");
        assert_eq!(scrubbed, "token [redacted]");
    }

    #[test]
    fn empty_secret_changes_nothing() {
        assert_eq!(Redactor::new().with(&SecretString::from("")).scrub("hello"), "hello");
    }

    #[test]
    fn a_secret_never_reaches_the_log_file() {
        let dir = tempfile::tempdir().unwrap();
        let (subscriber, guard) = file_only_subscriber(dir.path(), "redact").unwrap();
        let secret = SecretString::from(KEY);
        let provider_body = format!(r#"{{"error":"bad key {KEY}"}}"#);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(?secret, "placing call with credentials");
            tracing::warn!(body = %Redactor::new().with(&secret).scrub(&provider_body), "provider refused");
        });
        drop(guard);
        let logged: String = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        assert!(logged.contains("placing call with credentials"), "the log line itself is written: {logged}");
        assert!(logged.contains("bad key [redacted]"), "{logged}");
        assert!(!logged.contains(KEY), "secret leaked into the log: {logged}");
    }

    #[test]
    fn auth_headers_are_sensitive() {
        for name in ["Authorization", "sb-api-secret-key", "sb-api-key-id", "token", "X-Api-Key"] {
            assert!(is_sensitive_header(name), "{name}");
        }
        for name in ["Content-Type", "User-Agent", "Location"] {
            assert!(!is_sensitive_header(name), "{name}");
        }
    }
}
