//! Keeping secrets out of everything that is shown, logged or stored.
//!
//! Two tools, for two situations:
//! - [`SecretString`] (from the `secrecy` crate) holds a secret in memory. Its `Debug`
//!   prints a placeholder, it has no `Display` and no `Serialize`, and it is wiped on
//!   drop, so a secret cannot slip into a log line, an error or the web view by being
//!   formatted. Reading it takes an explicit `expose_secret()`, done only where the
//!   secret is used (building the request that needs it).
//! - [`Redactor`] scrubs known secret values out of text we did not write, such as a
//!   provider's error body that echoes back the key it was sent. A provider rarely
//!   echoes a secret as it was typed: it quotes the `Authorization` header (base64 of
//!   `user:password`), a URL (percent-encoded) or a JSON body (escaped). So the
//!   redactor scrubs each secret in every such form, and learns the credential
//!   headers of each request as it is sent ([`Redactor::learn_header`]).

use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
pub use secrecy::{ExposeSecret, SecretString};

/// What a scrubbed secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Encoded forms shorter than this are not scrubbed (they would match ordinary words);
/// the secret itself always is, whatever its length.
const MIN_ENCODED_LEN: usize = 4;

/// Replaces every occurrence of the secrets it knows, raw or encoded, in a piece of
/// text. It can learn more secrets through a shared reference (while a request that
/// uses them is being sent), so it is behind a lock.
#[derive(Debug, Default)]
pub struct Redactor {
    /// Every form of every secret learnt, each wiped on drop.
    forms: Mutex<Vec<SecretString>>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns a secret to scrub. Empty secrets are ignored (they would match everywhere).
    pub fn with(self, secret: &SecretString) -> Self {
        self.learn(secret.expose_secret());
        self
    }

    /// Learns the value of a header that carries credentials: the whole value, the
    /// credentials after the scheme (`Basic`, `Bearer`, ...), and for `Basic` the
    /// decoded `user:password` pair and both of its halves.
    pub fn learn_header(&self, value: &str) {
        let value = value.trim();
        self.learn(value);
        let Some((scheme, credentials)) = value.split_once(' ') else { return };
        let credentials = credentials.trim();
        self.learn(credentials);
        if scheme.eq_ignore_ascii_case("basic")
            && let Ok(decoded) = STANDARD_NO_PAD.decode(credentials.trim_end_matches('='))
            && let Ok(pair) = String::from_utf8(decoded)
        {
            self.learn(&pair);
            if let Some((user, password)) = pair.split_once(':') {
                self.learn(user);
                self.learn(password);
            }
        }
    }

    /// Learns a secret given as text (e.g. the password of a URL being requested).
    pub fn learn(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut forms = self.forms.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for form in encoded_forms(secret) {
            if !forms.iter().any(|known| known.expose_secret() == form) {
                forms.push(SecretString::from(form));
            }
        }
    }

    /// The text with every known secret, in each of its forms, replaced by
    /// [`REDACTED`]. Longer forms go first, so a secret that contains another is
    /// removed whole.
    pub fn scrub(&self, text: &str) -> String {
        let forms = self.forms.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut ordered: Vec<&str> = forms.iter().map(|s| s.expose_secret()).collect();
        ordered.sort_by_key(|s| std::cmp::Reverse(s.len()));
        ordered
            .iter()
            .fold(text.to_owned(), |acc, form| if acc.contains(form) { acc.replace(form, REDACTED) } else { acc })
    }
}

/// RFC 3986's unreserved characters stay; everything else is percent-encoded (how
/// URL templates encode a value).
const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A secret as it was given, and as a provider may write it back: base64 (standard and
/// URL-safe, with and without padding), percent-encoded (upper- and lower-case hex,
/// `+` or `%20` for a space), and escaped inside a JSON string (as serde and
/// JavaScript write it, with `\/`, and ASCII-only as Python does).
fn encoded_forms(secret: &str) -> Vec<String> {
    let bytes = secret.as_bytes();
    let mut encoded = vec![
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
    ];
    for set in [percent_encoding::NON_ALPHANUMERIC, UNRESERVED] {
        let upper = percent_encoding::utf8_percent_encode(secret, set).to_string();
        encoded.push(lower_hex(&upper));
        encoded.push(upper);
    }
    let form: String = form_urlencoded::byte_serialize(bytes).collect();
    encoded.push(lower_hex(&form));
    encoded.push(form);
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_start_matches('"').trim_end_matches('"').to_owned();
    encoded.push(json.replace('/', "\\/"));
    encoded.push(json);
    encoded.push(ascii_json(secret));
    let mut forms = vec![secret.to_owned()];
    for form in encoded {
        if form.len() >= MIN_ENCODED_LEN && !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

/// `%2F` → `%2f`, leaving everything else alone.
fn lower_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
        }
    }
    out
}

/// A JSON string's content with everything outside printable ASCII as `\uXXXX`.
fn ascii_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            other => {
                let mut units = [0u16; 2];
                for unit in other.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
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
    fn scrubs_the_encoded_forms_of_a_secret() {
        let secret = r#"p@ss "wörd"\/+?&="#;
        let redactor = Redactor::new().with(&SecretString::from(secret));
        let b = secret.as_bytes();
        let json = serde_json::to_string(secret).unwrap();
        let forms = [
            STANDARD.encode(b),
            STANDARD_NO_PAD.encode(b),
            URL_SAFE.encode(b),
            URL_SAFE_NO_PAD.encode(b),
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC).to_string(),
            lower_hex(&percent_encoding::utf8_percent_encode(secret, UNRESERVED).to_string()),
            form_urlencoded::byte_serialize(b).collect(),
            json[1..json.len() - 1].to_owned(),
            json[1..json.len() - 1].replace('/', "\\/"),
            // Python's json.dumps: ASCII only.
            r#"p@ss \"w\u00f6rd\"\\/+?&="#.to_owned(),
        ];
        for form in forms {
            let scrubbed = redactor.scrub(&format!("you sent <{form}>"));
            assert_eq!(scrubbed, "you sent <[redacted]>", "{form}");
        }
    }

    #[test]
    fn learns_a_basic_header_whole_and_in_parts() {
        let redactor = Redactor::new();
        let pair = "AC0123456789:tok/en+value";
        let header = format!("Basic {}", STANDARD.encode(pair));
        redactor.learn_header(&header);
        for text in [
            header.clone(),
            STANDARD.encode(pair),
            URL_SAFE_NO_PAD.encode(pair),
            pair.to_owned(),
            "tok/en+value".to_owned(),
            "AC0123456789".to_owned(),
        ] {
            assert!(!redactor.scrub(&format!("echo: {text}")).contains(&text), "{text}");
        }
        let bearer = Redactor::new();
        bearer.learn_header("Bearer sk_live_abcdef");
        assert_eq!(bearer.scrub("got sk_live_abcdef"), "got [redacted]");
    }

    #[test]
    fn short_encodings_do_not_eat_ordinary_words() {
        // "ab" is YWI in base64: too short to be told from text, so only "ab" goes.
        let scrubbed = Redactor::new().with(&SecretString::from("ab")).scrub("YWI ab");
        assert_eq!(scrubbed, "YWI [redacted]");
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
