//! Sending one request to a provider, and turning what comes back into plain words.
//!
//! One `reqwest::Client` serves every provider (connection reuse, rustls, a user agent
//! naming Dialtone). Nothing here retries: a create-call request that timed out or
//! failed may still have placed the call, and dialling twice is worse than asking the
//! person. Every text that leaves this module went through the provider's
//! [`Redactor`], so a provider echoing a key back cannot leak it; the redactor learns
//! the credential headers of each request as it goes, so an echoed `Authorization`
//! (base64 of `user:password`) is scrubbed too. Credentials never cross the network
//! over plain `http://` (only to this computer), and an answer is read up to
//! [`MAX_REPLY_BYTES`], never whole whatever its size.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};

use crate::redact::Redactor;
use crate::{Error, ErrorCode, Result};

/// `Dialtone/0.1.0 (+https://github.com/dialtone-app/dialtone)`.
pub const USER_AGENT: &str =
    concat!("Dialtone/", env!("CARGO_PKG_VERSION"), " (+https://github.com/dialtone-app/dialtone)");

/// The shared client. Timeouts are set per request, because Fractel's create-call
/// blocks until the callee answers while everyone else answers in a second.
pub fn client() -> Result<reqwest::Client> {
    crate::use_ring_for_tls();
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(90))
        // A redirect would resend credentials to another place, or turn a POST into a GET.
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .build()
        .map_err(|err| Error::internal(format!("Could not set up the HTTP client: {err}")))
}

/// What the request is for: it decides what a timeout or a 5xx means to the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Creating a call: not idempotent, never retried, may have succeeded on a timeout.
    CreateCall,
    /// Anything else (auth, status, hang-up): no call is created by it.
    Other,
}

/// A provider's answer, read whole (up to [`MAX_REPLY_BYTES`]).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The body as JSON, or a plain-words error naming what was expected.
    pub fn json<T: serde::de::DeserializeOwned>(&self, who: &Who<'_>, expected: &str) -> Result<T> {
        serde_json::from_str(&self.body).map_err(|err| {
            who.error(
                ErrorCode::ProviderResponse,
                format!(
                    "answered {} but Dialtone could not read the response (expected {expected}: {err}). \
                     Check base_url points at the provider's API.",
                    self.status.as_u16()
                ),
            )
        })
    }
}

/// Who is speaking: the provider's name and kind, and the secrets to scrub from text.
#[derive(Debug)]
pub struct Who<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub redactor: &'a Redactor,
}

impl Who<'_> {
    /// An error whose message starts with the provider, with secrets scrubbed and on one line.
    pub fn error(&self, code: ErrorCode, what: impl AsRef<str>) -> Error {
        let text = format!("{} ({}): {}", self.name, self.label, what.as_ref());
        Error::new(code, one_line(&self.redactor.scrub(&text)))
    }
}

/// The most of an answer Dialtone reads: every documented answer is a few kilobytes,
/// and reading a runaway one whole would take the memory with it.
pub const MAX_REPLY_BYTES: usize = 1024 * 1024;

/// Whether a request to this address may carry credentials: `https://`, or plain
/// `http://` to this computer only (`localhost`, 127.0.0.0/8, `::1`), where nothing
/// travels over a network.
pub fn may_carry_credentials(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(domain)) => {
                let domain = domain.trim_end_matches('.');
                domain.eq_ignore_ascii_case("localhost")
            }
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
            None => false,
        },
        _ => false,
    }
}

/// Why a plain `http://` address is refused, for the person.
pub const PLAIN_HTTP: &str = "must start with https://: over plain http:// the credentials (and the number called) \
     would cross the network unencrypted. Plain http:// is allowed only to this computer (localhost, 127.0.0.1, [::1])";

enum Failure {
    Transport(reqwest::Error),
    TooLarge(StatusCode),
}

/// Sends the request once and reads the answer (at most [`MAX_REPLY_BYTES`]), within
/// `timeout`. Refused before anything is sent when the address is plain `http://` to
/// another machine; the credential headers it carries are taught to the redactor
/// first, so an answer that quotes them back (encoded or not) is scrubbed.
pub async fn send(who: &Who<'_>, request: RequestBuilder, timeout: Duration, purpose: Purpose) -> Result<Reply> {
    let (client, built) = request.build_split();
    let request = built.map_err(|err| {
        who.error(
            ErrorCode::InvalidInput,
            format!(
                "the request could not be built ({}); check the provider's settings. No call was placed.",
                innermost_cause(&err)
            ),
        )
    })?;
    if !may_carry_credentials(request.url()) {
        let host = request.url().host_str().unwrap_or("another machine").to_owned();
        return Err(who.error(
            ErrorCode::InvalidInput,
            format!(
                "Dialtone refused to send the request to {host}: the provider's address (`base_url`, or the `url` \
                 template) {PLAIN_HTTP}. Fix it in Settings → Providers or with `dialtone provider add`. \
                 No call was placed."
            ),
        ));
    }
    for (name, value) in request.headers() {
        if crate::redact::is_sensitive_header(name.as_str())
            && let Ok(value) = value.to_str()
        {
            who.redactor.learn_header(value);
        }
    }
    if let Some(password) = request.url().password() {
        who.redactor.learn(password);
    }
    let attempt = async {
        let mut response = client.execute(request).await.map_err(Failure::Transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        if response.content_length().is_some_and(|length| length > MAX_REPLY_BYTES as u64) {
            return Err(Failure::TooLarge(status));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(Failure::Transport)? {
            if body.len() + chunk.len() > MAX_REPLY_BYTES {
                return Err(Failure::TooLarge(status));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok(reply)) => {
            tracing::debug!(provider = who.name, status = reply.status.as_u16(), "provider answered");
            Ok(reply)
        }
        Ok(Err(Failure::Transport(err))) => Err(transport_error(who, &err, timeout, purpose)),
        Ok(Err(Failure::TooLarge(status))) => Err(too_large(who, status, purpose)),
        Err(_) => Err(timed_out(who, timeout, purpose)),
    }
}

fn too_large(who: &Who<'_>, status: StatusCode, purpose: Purpose) -> Error {
    let limit = MAX_REPLY_BYTES / 1024 / 1024;
    let what = match purpose {
        Purpose::CreateCall => format!(
            "answered {} with a response too large to read (over {limit} MB), so Dialtone stopped reading it. \
             The call may have been placed anyway, so Dialtone did not try again: check before calling again, \
             and check base_url points at the provider's API.",
            status.as_u16()
        ),
        Purpose::Other => format!(
            "answered {} with a response too large to read (over {limit} MB), so Dialtone stopped reading it; \
             check base_url points at the provider's API.",
            status.as_u16()
        ),
    };
    who.error(ErrorCode::ProviderResponse, what)
}

fn timed_out(who: &Who<'_>, timeout: Duration, purpose: Purpose) -> Error {
    let secs = timeout.as_secs();
    let what = match purpose {
        Purpose::CreateCall => format!(
            "no answer within {secs} s. The call may have been placed anyway, so Dialtone did not try again: \
             check before calling again (timeout_seconds sets how long to wait)."
        ),
        Purpose::Other => format!("no answer within {secs} s; try again in a moment."),
    };
    who.error(ErrorCode::ProviderTimeout, what)
}

fn transport_error(who: &Who<'_>, err: &reqwest::Error, timeout: Duration, purpose: Purpose) -> Error {
    if err.is_timeout() {
        return timed_out(who, timeout, purpose);
    }
    // The URL may carry a templated secret: it is left out, and the cause is scrubbed.
    let cause = innermost_cause(err);
    if err.is_connect() {
        return who.error(
            ErrorCode::ProviderUnreachable,
            format!("could not connect ({cause}). Check your internet connection and the provider's base_url. No call was placed."),
        );
    }
    let what = match purpose {
        Purpose::CreateCall => format!(
            "the connection failed before an answer came ({cause}). The call may have been placed anyway, \
             so Dialtone did not try again: check before calling again."
        ),
        Purpose::Other => format!("the connection failed ({cause})."),
    };
    who.error(ErrorCode::ProviderUnreachable, what)
}

fn innermost_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut source: &(dyn std::error::Error + 'static) = err;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// Per-status wording a provider documents, overriding the general one.
pub type Specific = fn(StatusCode) -> Option<(ErrorCode, &'static str)>;

/// A non-success status in plain words: what happened, what to do, and the provider's
/// own description when it gave one.
pub fn status_error(
    who: &Who<'_>,
    reply: &Reply,
    described: Option<String>,
    specific: Option<Specific>,
    purpose: Purpose,
) -> Error {
    let status = reply.status;
    let (code, what) = match specific.and_then(|f| f(status)) {
        Some((code, what)) => (code, what.to_owned()),
        None => general(who.name, status, &reply.headers, purpose),
    };
    // Scrubbed before it is shortened: a secret cut in two by the limit would no
    // longer match, and its first part would be shown.
    let said = described
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .or_else(|| (!reply.body.trim().is_empty()).then(|| reply.body.trim().to_owned()))
        .map(|said| who.redactor.scrub(&said));
    let mut text = format!("{what} (HTTP {})", status.as_u16());
    if let Some(said) = said {
        text.push_str(&format!(". The provider said: “{}”", shorten(&said, 300)));
    }
    who.error(code, text)
}

fn general(name: &str, status: StatusCode, headers: &HeaderMap, purpose: Purpose) -> (ErrorCode, String) {
    let fix_credentials =
        format!("store the right ones with `dialtone provider secret {name} FIELD` or in Settings → Providers");
    match status.as_u16() {
        400 | 422 => (ErrorCode::ProviderRejected, "the provider refused the request as invalid; check the number and the provider's settings. No call was placed".to_owned()),
        401 => (ErrorCode::ProviderAuth, format!("the provider did not accept the credentials; {fix_credentials}")),
        402 => (ErrorCode::ProviderRejected, "the provider says the account needs payment or has reached a limit. No call was placed".to_owned()),
        403 => (ErrorCode::ProviderAuth, format!("the provider refused: these credentials may not place this call; check the account's permissions, or {fix_credentials}")),
        404 => (ErrorCode::ProviderRejected, "the provider has no such account or resource; check base_url and the account settings".to_owned()),
        409 => (ErrorCode::ProviderRejected, "the provider reported a conflict with the current state; wait a moment and try again".to_owned()),
        415 => (ErrorCode::ProviderRejected, "the provider did not accept the request's format (a proxy in between, or a Dialtone bug worth reporting)".to_owned()),
        429 => {
            let wait = headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(|v| format!(" (it asks to wait {v} s)"))
                .unwrap_or_default();
            (ErrorCode::ProviderRateLimited, format!("the provider is limiting requests{wait}; wait and try again. No call was placed"))
        }
        500..=599 => {
            let maybe = match purpose {
                Purpose::CreateCall => "; the call may or may not have been placed, so Dialtone did not try again: check before calling again",
                Purpose::Other => "; try again later",
            };
            (ErrorCode::ProviderUnavailable, format!("the provider is having trouble on its side{maybe}"))
        }
        other => (ErrorCode::ProviderRejected, format!("the provider answered with an unexpected status {other}")),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

/// The value at a dotted path (`data.call_control_id`, `errors.0.detail`) as text.
pub fn lookup<'v>(value: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    path.split('.').filter(|p| !p.is_empty()).try_fold(value, |v, part| match v {
        serde_json::Value::Object(map) => map.get(part),
        serde_json::Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// A JSON scalar as text (`"abc"` → `abc`, `12` → `12`); objects and arrays are not text.
pub fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::SecretString;

    #[test]
    fn looks_up_dotted_paths() {
        let v: serde_json::Value = serde_json::json!({"data": {"id": "c1"}, "errors": [{"detail": "bad"}], "n": 5});
        assert_eq!(lookup(&v, "data.id").and_then(scalar_text).as_deref(), Some("c1"));
        assert_eq!(lookup(&v, "errors.0.detail").and_then(scalar_text).as_deref(), Some("bad"));
        assert_eq!(lookup(&v, "n").and_then(scalar_text).as_deref(), Some("5"));
        assert!(lookup(&v, "errors.1.detail").is_none());
        assert!(lookup(&v, "data").and_then(scalar_text).is_none());
    }

    #[test]
    fn errors_are_one_line_and_scrubbed() {
        let secret = SecretString::from("sk_live_123456");
        let redactor = Redactor::new().with(&secret);
        let who = Who { name: "work", label: "Blooio", redactor: &redactor };
        let reply = Reply {
            status: StatusCode::UNAUTHORIZED,
            headers: HeaderMap::new(),
            body: "bad key\nsk_live_123456".to_owned(),
        };
        let err = status_error(&who, &reply, None, None, Purpose::CreateCall);
        assert_eq!(err.code, ErrorCode::ProviderAuth);
        assert!(
            err.message.starts_with("work (Blooio): the provider did not accept the credentials"),
            "{}",
            err.message
        );
        assert!(err.message.contains("“bad key [redacted]”"), "{}", err.message);
        assert!(!err.message.contains('\n'));
    }
}
