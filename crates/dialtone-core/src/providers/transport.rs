//! Sending one request to a provider, and turning what comes back into plain words.
//!
//! One `reqwest::Client` serves every provider (connection reuse, rustls, a user agent
//! naming Dialtone). Nothing here retries: a create-call request that timed out or
//! failed may still have placed the call, and dialling twice is worse than asking the
//! person. Every text that leaves this module went through the provider's
//! [`Redactor`], so a provider echoing a key back cannot leak it.

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

/// A provider's answer, read whole.
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

/// Sends the request once and reads the whole answer, within `timeout`.
pub async fn send(who: &Who<'_>, request: RequestBuilder, timeout: Duration, purpose: Purpose) -> Result<Reply> {
    let attempt = async {
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await?;
        Ok::<_, reqwest::Error>(Reply { status, headers, body })
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok(reply)) => {
            tracing::debug!(provider = who.name, status = reply.status.as_u16(), "provider answered");
            Ok(reply)
        }
        Ok(Err(err)) => Err(transport_error(who, &err, timeout, purpose)),
        Err(_) => Err(timed_out(who, timeout, purpose)),
    }
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
    let said = described
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .or_else(|| (!reply.body.trim().is_empty()).then(|| shorten(reply.body.trim(), 300)));
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
