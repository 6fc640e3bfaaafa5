//! Fractel (FoneStorm): a call from one of the account's FoneNumbers.
//!
//! Every request carries a `token: <JWT>` header. The JWT comes from
//! `POST {base}/v2/auth` with the account's user name and password; it is cached for
//! as long as its `exp` claim says, and fetched again once when a call answers 401 (a
//! 401 proves no call was made, so that one resend cannot dial twice). A cached token
//! is used only for the host, user name and password it was issued for (a digest of
//! them is its key), and saving or removing the provider forgets it.
//!
//! `POST {base}/v2/calls` takes `{"fonenumber", "to", "service_type", "service_id"}`
//! and returns `{"call": {"id"}}` only once the call connects: the wait is long
//! (`timeout_seconds`, 300 by default) and the caller can stop waiting by dropping the
//! future. Any 2xx means the call was made, with or without an id. Numbers are not
//! E.164 here: `1` + 10 digits in North America, else `011` + country code + number,
//! 7–15 digits in all; or a speed dial of 1–6 digits.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use reqwest::StatusCode;
use serde::Deserialize;

use super::descriptor::{Accepts, Descriptor, Gives, Support};
use super::schema::{Check, Field};
use super::transport::{self, Purpose, Reply};
use super::{CallOutcome, Ctx, Kind, base_url_field};
use crate::numbers::Target;
use crate::redact::{ExposeSecret, SecretString};
use crate::{ErrorCode, Result};

/// Fractel as the rest of Dialtone sees it.
pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: Kind::Fractel,
    id: "fractel",
    label: "Fractel (FoneStorm)",
    description: "Calls from your FoneNumber, or a 1–6 digit speed dial; the request waits until the callee answers.",
    gives: Gives::Call,
    accepts: Accepts::PHONE_ONLY,
    hang_up: Support::No { why: "Fractel sends call events to the FoneNumber's callback instead" },
    status: Support::No { why: "Fractel sends call events to the FoneNumber's callback instead" },
    // The create-call request returns only once the callee answers.
    timeout_seconds: 300,
    notice: None,
    speed_dials: true,
};

/// The service types Fractel routes a connected call to.
pub const SERVICE_TYPES: [&str; 5] = ["Device", "VoiceMail", "SoundFile", "TTS", "Phonenumber"];

pub(crate) fn fields() -> Vec<Field> {
    vec![
        base_url_field(Some("https://api.fonestorm.com"), "FoneStorm's API root; /v2/auth and /v2/calls are appended."),
        Field::new("fonenumber", "FoneNumber", Check::Digits { min: 10, max: 10 }, "The 10-digit FoneNumber the call comes from.").required(),
        Field::new(
            "service_type",
            "Connect the call to",
            Check::OneOf { choices: SERVICE_TYPES.iter().map(|s| s.to_string()).collect() },
            "Device (a SIP handset or softphone), VoiceMail, SoundFile, TTS or Phonenumber.",
        )
        .default("Device"),
        Field::new(
            "service_id",
            "Service ID",
            Check::Text,
            "Device: the 12-digit device id · VoiceMail: e.g. VM7878452661 · SoundFile: a WAV URL · TTS: the text · Phonenumber: 7–15 digits.",
        )
        .required(),
        Field::new("auth_username_field", "Auth: user name field", Check::Text, "The JSON field /v2/auth reads the user name from.").default("username"),
        Field::new("auth_password_field", "Auth: password field", Check::Text, "The JSON field /v2/auth reads the password from.").default("password"),
        Field::new("username", "User name", Check::Text, "Your FoneStorm user name.").secret(),
        Field::new("password", "Password", Check::Text, "Your FoneStorm password.").secret(),
    ]
}

/// Tokens by provider name, each with a digest of what it was issued for, reused until
/// shortly before they expire.
#[derive(Debug, Default)]
pub struct TokenCache(Mutex<HashMap<String, Cached>>);

#[derive(Debug, Clone)]
struct Cached {
    /// SHA-256 of the base URL, user name and password the token was issued for.
    issued_for: [u8; 32],
    token: SecretString,
    /// From the JWT's `exp` claim; `None` when it has none (kept until a 401).
    expires: Option<u64>,
}

impl TokenCache {
    fn get(&self, name: &str, issued_for: &[u8; 32]) -> Option<SecretString> {
        let now = unix_now();
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(name)
            .filter(|c| &c.issued_for == issued_for && c.expires.is_none_or(|exp| exp > now + 30))
            .map(|c| c.token.clone())
    }

    fn put(&self, name: &str, issued_for: [u8; 32], token: SecretString) {
        let expires = jwt_expiry(token.expose_secret());
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(name.to_owned(), Cached { issued_for, token, expires });
    }

    /// Forgets the provider's token: its settings or secrets changed, or it was removed.
    pub fn forget(&self, name: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(name);
    }
}

/// The account a token is for: the credentials, and their digest as the cache key.
struct Account {
    username: SecretString,
    password: SecretString,
    digest: [u8; 32],
}

impl Account {
    fn of(ctx: &mut Ctx<'_>) -> Result<Self> {
        use sha2::{Digest, Sha256};
        let username = ctx.secret("username")?;
        let password = ctx.secret("password")?;
        let mut hash = Sha256::new();
        for part in [ctx.base_url()?.as_str(), username.expose_secret(), password.expose_secret()] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        Ok(Self { username, password, digest: hash.finalize().into() })
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// The `exp` claim of a JWT, read without checking the signature (we only need to
/// know when to fetch a new one; the server checks it).
pub fn jwt_expiry(jwt: &str) -> Option<u64> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes).ok()?.get("exp")?.as_u64()
}

#[derive(Deserialize)]
struct AuthReply {
    authorization: Option<Authorization>,
}

#[derive(Deserialize)]
struct Authorization {
    token: Option<String>,
}

#[derive(Deserialize)]
struct CallReply {
    call: Option<CallId>,
}

#[derive(Deserialize)]
struct CallId {
    id: Option<serde_json::Value>,
}

fn auth_statuses(status: StatusCode) -> Option<(ErrorCode, &'static str)> {
    match status.as_u16() {
        401 => Some((
            ErrorCode::ProviderAuth,
            "Fractel did not accept the user name or password; store the right ones in Settings → Providers or with `dialtone provider secret NAME username` / `password`",
        )),
        _ => None,
    }
}

fn call_statuses(status: StatusCode) -> Option<(ErrorCode, &'static str)> {
    match status.as_u16() {
        429 => Some((
            ErrorCode::ProviderRateLimited,
            "Fractel allows 10 requests a second and is limiting this account; wait a moment and try again. No call was placed",
        )),
        _ => None,
    }
}

fn described(reply: &Reply) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(&reply.body).ok()?;
    ["message", "error", "detail", "errors"]
        .iter()
        .find_map(|k| value.get(*k).map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
}

async fn fetch_token(ctx: &mut Ctx<'_>, account: &Account, cache: &TokenCache) -> Result<SecretString> {
    let mut body = serde_json::Map::new();
    body.insert(ctx.required("auth_username_field")?, account.username.expose_secret().into());
    body.insert(ctx.required("auth_password_field")?, account.password.expose_secret().into());
    let url = format!("{}/v2/auth", ctx.base_url()?);
    let request = ctx.client.post(url).json(&body);
    let who = ctx.who();
    let reply = transport::send(&who, request, Duration::from_secs(30), Purpose::Other).await?;
    if !reply.status.is_success() {
        return Err(transport::status_error(&who, &reply, described(&reply), Some(auth_statuses), Purpose::Other));
    }
    let from_body =
        serde_json::from_str::<AuthReply>(&reply.body).ok().and_then(|r| r.authorization).and_then(|a| a.token);
    let from_header = reply.headers.get("token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let Some(token) = from_body.or(from_header).filter(|t| !t.is_empty()) else {
        return Err(who.error(
            ErrorCode::ProviderResponse,
            format!("signed in ({}) but sent no token back.", reply.status.as_u16()),
        ));
    };
    let token = SecretString::from(token);
    ctx.redactor = std::mem::take(&mut ctx.redactor).with(&token);
    cache.put(ctx.name, account.digest, token.clone());
    Ok(token)
}

/// What `to` carries: a number in Fractel's form, or a speed dial as typed.
fn destination(ctx: &Ctx<'_>, target: &Target) -> Result<String> {
    if let Target::SpeedDial(code) = target {
        return Ok(code.clone());
    }
    let number = ctx.phone(target)?;
    let to = number.fractel();
    if !(7..=15).contains(&to.len()) {
        return Err(crate::Error::invalid_input(format!(
            "{}: Fractel dials at most 15 digits, and {} becomes {to} ({} digits) in its international form. \
             Nothing was dialled: call this number through another provider.",
            ctx.name,
            number.e164(),
            to.len()
        )));
    }
    Ok(to)
}

pub(crate) async fn place(ctx: &mut Ctx<'_>, target: &Target, cache: &TokenCache) -> Result<(String, CallOutcome)> {
    let to = destination(ctx, target)?;
    let body = serde_json::json!({
        "fonenumber": ctx.required("fonenumber")?,
        "to": to,
        "service_type": ctx.required("service_type")?,
        "service_id": ctx.required("service_id")?,
    });
    let url = format!("{}/v2/calls", ctx.base_url()?);
    let account = Account::of(ctx)?;
    let (mut token, mut fresh) = match cache.get(ctx.name, &account.digest) {
        Some(token) => {
            ctx.redactor = std::mem::take(&mut ctx.redactor).with(&token);
            (token, false)
        }
        None => (fetch_token(ctx, &account, cache).await?, true),
    };
    loop {
        let request = ctx.client.post(&url).header("token", token.expose_secret()).json(&body);
        let who = ctx.who();
        let reply = transport::send(&who, request, ctx.timeout(), Purpose::CreateCall).await?;
        if reply.status == StatusCode::UNAUTHORIZED && !fresh {
            // The cached token was refused before any call existed: renew it, once.
            tracing::info!(provider = ctx.name, "Fractel token refused; signing in again");
            cache.forget(ctx.name);
            token = fetch_token(ctx, &account, cache).await?;
            fresh = true;
            continue;
        }
        if !reply.status.is_success() {
            if reply.status == StatusCode::UNAUTHORIZED {
                cache.forget(ctx.name);
            }
            return Err(transport::status_error(
                &who,
                &reply,
                described(&reply),
                Some(call_statuses),
                Purpose::CreateCall,
            ));
        }
        // A 2xx is the call, made: Fractel promises a `call` object, not its id, so a
        // reply without one (or not JSON at all) is still a placed call, never a failure
        // that would invite calling again.
        let call_id = serde_json::from_str::<CallReply>(&reply.body)
            .ok()
            .and_then(|r| r.call)
            .and_then(|c| c.id)
            .as_ref()
            .and_then(transport::scalar_text);
        if call_id.is_none() {
            tracing::info!(
                provider = ctx.name,
                status = reply.status.as_u16(),
                "Fractel placed the call without an id"
            );
        }
        return Ok((to, CallOutcome::Placed { call_id }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_expiry_of_a_jwt() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"u","exp":1893456000}"#);
        assert_eq!(jwt_expiry(&format!("eyJhbGciOiJIUzI1NiJ9.{payload}.sig")), Some(1_893_456_000));
        assert_eq!(jwt_expiry("not-a-jwt"), None);
    }

    #[test]
    fn an_expired_token_is_not_reused() {
        let cache = TokenCache::default();
        let past = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"exp":1000}"#);
        cache.put("f", [1; 32], SecretString::from(format!("h.{past}.s")));
        assert!(cache.get("f", &[1; 32]).is_none());
        let future =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{}}}"#, unix_now() + 3600));
        cache.put("f", [1; 32], SecretString::from(format!("h.{future}.s")));
        assert!(cache.get("f", &[1; 32]).is_some());
        assert!(cache.get("f", &[2; 32]).is_none(), "issued for other credentials");
        cache.forget("f");
        assert!(cache.get("f", &[1; 32]).is_none());
    }
}
